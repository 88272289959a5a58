"""The ACS Bridge integration: an access-control server in Home Assistant."""

from __future__ import annotations

from homeassistant.const import Platform
from homeassistant.core import HomeAssistant, callback
from homeassistant.exceptions import ConfigEntryError
from homeassistant.helpers import (
    config_validation as cv,
    device_registry as dr,
    issue_registry as ir,
)
from homeassistant.helpers.typing import ConfigType
from homeassistant.util import dt as dt_util

from .access_pipeline import AccessEventPipeline, async_remove_stores, gap_issue_id
from .account import async_schedule_account_check
from .adapters import available_adapters, get_adapter
from .alarms import (
    AlarmNotifier,
    async_dismiss_notifications,
    async_dismiss_stored_notifications,
)
from .commands import CodeGuard
from .const import CONF_ADAPTER, CONF_TIME_ZONE, DEFAULT_ADAPTER, DOMAIN
from .coordinator import AcsConfigEntry, AcsCoordinator, AcsRuntimeData, create_adapter
from .delivery_gate import DeliveryGate
from .door_control import DoorControl
from .door_modes import DoorModes, async_remove_store as async_remove_door_store
from .services import async_setup_services

CONFIG_SCHEMA = cv.config_entry_only_config_schema(DOMAIN)

PLATFORMS: list[Platform] = [
    Platform.BINARY_SENSOR,
    Platform.EVENT,
    Platform.LOCK,
    Platform.SELECT,
    Platform.SENSOR,
]


async def async_setup(hass: HomeAssistant, config: ConfigType) -> bool:
    """Register the integration's actions and find the installed adapters."""
    async_setup_services(hass)
    # Looking for third-party adapters reads package metadata from disk.
    await hass.async_add_executor_job(available_adapters)
    return True


async def async_setup_entry(hass: HomeAssistant, entry: AcsConfigEntry) -> bool:
    """Connect to the server and set up its devices and entities."""
    zone_name = entry.options.get(CONF_TIME_ZONE)
    zone = await dt_util.async_get_time_zone(zone_name) if zone_name else None
    adapter_key = str(entry.data.get(CONF_ADAPTER, DEFAULT_ADAPTER))
    try:
        get_adapter(adapter_key)
    except KeyError:
        # A plugin adapter that was uninstalled: say so, not the registry's
        # KeyError (Home Assistant shows this message on the entry).
        raise ConfigEntryError(
            translation_domain=DOMAIN,
            translation_key="adapter_not_found",
            translation_placeholders={"adapter": adapter_key},
        ) from None
    adapter = create_adapter(hass, dict(entry.data), zone)
    # Setup reads only: the first refresh raises ConfigEntryAuthFailed for a
    # refused account and ConfigEntryNotReady for an unreachable server. The
    # account check (a door command) runs beside the entry: account.py.
    coordinator = AcsCoordinator(hass, entry, adapter)
    await coordinator.async_config_entry_first_refresh()
    # One queue for both, so start-up events keep their order.
    gate = DeliveryGate(hass, entry)
    events = AccessEventPipeline(hass, entry, coordinator, gate)
    alarms = AlarmNotifier(hass, entry, coordinator, gate)
    door_modes = DoorModes(hass, entry.entry_id)
    await door_modes.async_load()
    door_control = DoorControl(hass, entry, coordinator, door_modes)
    entry.runtime_data = AcsRuntimeData(
        coordinator=coordinator,
        events=events,
        alarms=alarms,
        code_guard=CodeGuard(),
        door_modes=door_modes,
        door_control=door_control,
    )

    await hass.config_entries.async_forward_entry_setups(entry, PLATFORMS)
    await alarms.async_start()
    await events.async_start()
    await door_control.async_start()
    entry.async_on_unload(events.async_stop)
    entry.async_on_unload(alarms.async_stop)
    entry.async_on_unload(door_control.async_stop)
    entry.async_on_unload(entry.add_update_listener(_async_options_updated))
    async_schedule_account_check(hass, entry, adapter)
    return True


async def _async_options_updated(hass: HomeAssistant, entry: AcsConfigEntry) -> None:
    """Apply new options by reloading the entry."""
    await hass.config_entries.async_reload(entry.entry_id)


@callback
def _async_delete_issues(hass: HomeAssistant, entry_id: str) -> None:
    """Delete the repair issues an entry raised."""
    ir.async_delete_issue(hass, DOMAIN, gap_issue_id(entry_id))


async def async_remove_entry(hass: HomeAssistant, entry: AcsConfigEntry) -> None:
    """Forget what the entry stored (event cursor, announced alarms, door modes)."""
    _async_delete_issues(hass, entry.entry_id)
    await async_dismiss_stored_notifications(hass, entry.entry_id)
    await async_remove_stores(hass, entry.entry_id)
    await async_remove_door_store(hass, entry.entry_id)


async def async_remove_config_entry_device(
    hass: HomeAssistant, entry: AcsConfigEntry, device: dr.DeviceEntry
) -> bool:
    """Let the user remove a door or controller the server no longer lists."""
    return entry.runtime_data.coordinator.async_remove_stale_device(device)


async def async_unload_entry(hass: HomeAssistant, entry: AcsConfigEntry) -> bool:
    """Unload the entry."""
    unloaded = await hass.config_entries.async_unload_platforms(entry, PLATFORMS)
    if unloaded:
        await entry.runtime_data.coordinator.adapter.close()
        # What the entry raised goes with it (a reload shows the alarms still
        # unconfirmed again).
        _async_delete_issues(hass, entry.entry_id)
        async_dismiss_notifications(
            hass, entry.entry_id, entry.runtime_data.alarms.announced
        )
    return unloaded
