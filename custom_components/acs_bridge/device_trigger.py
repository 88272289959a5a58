"""Device triggers of a door: access granted, access denied, alarm, door forced.

Each is an event trigger on the door's ``acs_bridge_access`` or
``acs_bridge_alarm`` events. Unlike a plain event trigger, it leaves out
replayed events by default (``include_replayed`` off): swipes recovered from
the records after an outage, and alarms found by the first read after failed
ones, which may be minutes old. "Access granted at the garage" should open
nothing ten minutes late.
"""

from __future__ import annotations

from typing import Any

from homeassistant.components.device_automation import DEVICE_TRIGGER_BASE_SCHEMA
from homeassistant.components.homeassistant.triggers import event as event_trigger
from homeassistant.const import CONF_DEVICE_ID, CONF_DOMAIN, CONF_PLATFORM, CONF_TYPE
from homeassistant.core import CALLBACK_TYPE, HomeAssistant
from homeassistant.helpers import config_validation as cv, device_registry as dr
from homeassistant.helpers.trigger import TriggerActionType, TriggerInfo
from homeassistant.helpers.typing import ConfigType
import voluptuous as vol

from .const import DOMAIN, EVENT_ACCESS, EVENT_ALARM
from .identifiers import door_id_from_identifier

CONF_EVENT_TYPE = "event_type"
CONF_EVENT_DATA = "event_data"
CONF_INCLUDE_REPLAYED = "include_replayed"

TRIGGERS: dict[str, tuple[str, dict[str, Any]]] = {
    "access_granted": (EVENT_ACCESS, {"granted": True}),
    "access_denied": (EVENT_ACCESS, {"granted": False}),
    "alarm": (EVENT_ALARM, {}),
    "door_forced": (EVENT_ALARM, {"forced": True}),
}

EXTRA_FIELDS = vol.Schema(
    {vol.Optional(CONF_INCLUDE_REPLAYED, default=False): cv.boolean}
)

TRIGGER_SCHEMA = DEVICE_TRIGGER_BASE_SCHEMA.extend(
    {
        vol.Required(CONF_TYPE): vol.In(TRIGGERS),
        vol.Optional(CONF_INCLUDE_REPLAYED, default=False): cv.boolean,
    }
)


def _is_door(hass: HomeAssistant, device_id: str) -> bool:
    device = dr.async_get(hass).async_get(device_id)
    return device is not None and any(
        domain == DOMAIN and door_id_from_identifier(entry_id, identifier) is not None
        for domain, identifier in device.identifiers
        for entry_id in device.config_entries
    )


async def async_get_triggers(
    hass: HomeAssistant, device_id: str
) -> list[dict[str, Any]]:
    """Return the triggers of a door device."""
    if not _is_door(hass, device_id):
        return []
    return [
        {
            CONF_PLATFORM: "device",
            CONF_DOMAIN: DOMAIN,
            CONF_DEVICE_ID: device_id,
            CONF_TYPE: trigger_type,
        }
        for trigger_type in TRIGGERS
    ]


async def async_get_trigger_capabilities(
    hass: HomeAssistant, config: ConfigType
) -> dict[str, vol.Schema]:
    """Offer the include_replayed option on every trigger."""
    return {"extra_fields": EXTRA_FIELDS}


async def async_attach_trigger(
    hass: HomeAssistant,
    config: ConfigType,
    action: TriggerActionType,
    trigger_info: TriggerInfo,
) -> CALLBACK_TYPE:
    """Attach a trigger: an event trigger on this door's events."""
    event_type, data = TRIGGERS[config[CONF_TYPE]]
    if not config.get(CONF_INCLUDE_REPLAYED, False):
        # Event data matching: only events with replayed == False fire.
        data = {**data, "replayed": False}
    event_config = event_trigger.TRIGGER_SCHEMA(
        {
            CONF_PLATFORM: "event",
            CONF_EVENT_TYPE: event_type,
            CONF_EVENT_DATA: {
                CONF_DEVICE_ID: config[CONF_DEVICE_ID],
                **data,
            },
        }
    )
    return await event_trigger.async_attach_trigger(
        hass, event_config, action, trigger_info, platform_type="device"
    )
