"""The ACS Bridge integration: an access-control server in Home Assistant."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import tzinfo

from homeassistant.config_entries import ConfigEntry
from homeassistant.const import (
    CONF_HOST,
    CONF_PASSWORD,
    CONF_PORT,
    CONF_SSL,
    CONF_USERNAME,
    CONF_VERIFY_SSL,
    Platform,
)
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import ConfigEntryAuthFailed, ConfigEntryNotReady
from homeassistant.helpers import config_validation as cv
from homeassistant.helpers.aiohttp_client import async_get_clientsession
from homeassistant.helpers.typing import ConfigType
from homeassistant.util import dt as dt_util

from .adapters import (
    AcsAdapter,
    AcsAuthenticationError,
    AcsError,
    AdapterConfig,
    available_adapters,
    get_adapter,
)
from .alarms import AlarmNotifier
from .const import CONF_ADAPTER, CONF_TIME_ZONE, DEFAULT_ADAPTER, DEFAULT_PORT, DOMAIN
from .coordinator import AcsCoordinator
from .door_control import DoorControl
from .door_modes import DoorModes, async_remove_store as async_remove_door_store
from .events import AccessEventPipeline, async_remove_stores
from .services import async_setup_services

CONFIG_SCHEMA = cv.config_entry_only_config_schema(DOMAIN)

PLATFORMS: list[Platform] = [
    Platform.BINARY_SENSOR,
    Platform.EVENT,
    Platform.LOCK,
    Platform.SELECT,
    Platform.SENSOR,
]


@dataclass(slots=True)
class AcsRuntimeData:
    """What a loaded entry holds."""

    adapter: AcsAdapter
    coordinator: AcsCoordinator
    events: AccessEventPipeline
    alarms: AlarmNotifier
    door_modes: DoorModes
    door_control: DoorControl


type AcsConfigEntry = ConfigEntry[AcsRuntimeData]


def create_adapter(
    hass: HomeAssistant, data: dict[str, object], time_zone: tzinfo | None = None
) -> AcsAdapter:
    """Build the adapter an entry's data names, on Home Assistant's HTTP session.

    The server's naive times are read in ``time_zone`` (Home Assistant's own
    when None).
    """
    adapter_cls = get_adapter(str(data.get(CONF_ADAPTER, DEFAULT_ADAPTER)))
    verify_ssl = bool(data.get(CONF_VERIFY_SSL, True))
    config = AdapterConfig(
        host=str(data[CONF_HOST]),
        port=int(str(data.get(CONF_PORT, DEFAULT_PORT))),
        username=str(data.get(CONF_USERNAME, "")),
        password=str(data.get(CONF_PASSWORD, "")),
        ssl=bool(data.get(CONF_SSL, False)),
        verify_ssl=verify_ssl,
        time_zone=time_zone or dt_util.get_default_time_zone(),
    )
    return adapter_cls(async_get_clientsession(hass, verify_ssl=verify_ssl), config)


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
    events = AccessEventPipeline(hass, entry, adapter, coordinator)
    alarms = AlarmNotifier(hass, entry, coordinator)
    door_modes = DoorModes(hass, entry.entry_id)
    await door_modes.async_load()
    door_control = DoorControl(hass, entry, coordinator, door_modes)
    entry.runtime_data = AcsRuntimeData(
        adapter=adapter,
        coordinator=coordinator,
        events=events,
        alarms=alarms,
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
    return True


async def _async_options_updated(hass: HomeAssistant, entry: AcsConfigEntry) -> None:
    """Apply new options by reloading the entry."""
    await hass.config_entries.async_reload(entry.entry_id)


async def async_remove_entry(hass: HomeAssistant, entry: AcsConfigEntry) -> None:
    """Forget the entry's stored event cursor, announced alarms and door modes."""
    await async_remove_stores(hass, entry.entry_id)
    await async_remove_door_store(hass, entry.entry_id)


async def async_unload_entry(hass: HomeAssistant, entry: AcsConfigEntry) -> bool:
    """Unload the entry."""
    unloaded = await hass.config_entries.async_unload_platforms(entry, PLATFORMS)
    if unloaded:
        await entry.runtime_data.adapter.close()
    return unloaded
