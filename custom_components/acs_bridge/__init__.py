"""The ACS Bridge integration: an access-control server in Home Assistant."""

from __future__ import annotations

from homeassistant.const import Platform
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import ConfigEntryAuthFailed, ConfigEntryNotReady
from homeassistant.helpers import config_validation as cv
from homeassistant.helpers.typing import ConfigType
from homeassistant.util import dt as dt_util

from .access_pipeline import AccessEventPipeline, async_remove_stores
from .adapters import AcsAuthenticationError, AcsError, available_adapters
from .alarms import AlarmNotifier
from .const import CONF_TIME_ZONE, DOMAIN
from .coordinator import AcsConfigEntry, AcsCoordinator, AcsRuntimeData, create_adapter
from .delivery_gate import DeliveryGate
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
    adapter = create_adapter(hass, dict(entry.data), zone)
    try:
        await adapter.check_credentials()
    except AcsAuthenticationError as err:
        raise ConfigEntryAuthFailed(
            translation_domain=DOMAIN, translation_key="invalid_auth"
        ) from err
    except AcsError as err:
        raise ConfigEntryNotReady(
            translation_domain=DOMAIN,
            translation_key="cannot_connect",
            translation_placeholders={"error": str(err)},
        ) from err

    coordinator = AcsCoordinator(hass, entry, adapter)
    await coordinator.async_config_entry_first_refresh()
    # One queue for both, so start-up events keep their order.
    gate = DeliveryGate(hass, entry)
    events = AccessEventPipeline(hass, entry, coordinator, gate)
    alarms = AlarmNotifier(hass, entry, coordinator, gate)
    entry.runtime_data = AcsRuntimeData(
        coordinator=coordinator, events=events, alarms=alarms
    )

    await hass.config_entries.async_forward_entry_setups(entry, PLATFORMS)
    await alarms.async_start()
    await events.async_start()
    entry.async_on_unload(events.async_stop)
    entry.async_on_unload(alarms.async_stop)
    entry.async_on_unload(entry.add_update_listener(_async_options_updated))
    return True


async def _async_options_updated(hass: HomeAssistant, entry: AcsConfigEntry) -> None:
    """Apply new options by reloading the entry."""
    await hass.config_entries.async_reload(entry.entry_id)


async def async_remove_entry(hass: HomeAssistant, entry: AcsConfigEntry) -> None:
    """Forget the entry's stored event cursor and announced alarms."""
    await async_remove_stores(hass, entry.entry_id)


async def async_unload_entry(hass: HomeAssistant, entry: AcsConfigEntry) -> bool:
    """Unload the entry."""
    unloaded = await hass.config_entries.async_unload_platforms(entry, PLATFORMS)
    if unloaded:
        await entry.runtime_data.coordinator.adapter.close()
    return unloaded
