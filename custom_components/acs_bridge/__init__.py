"""The ACS Bridge integration: an access-control server in Home Assistant."""

from __future__ import annotations

from homeassistant.config_entries import ConfigEntry
from homeassistant.const import Platform
from homeassistant.core import HomeAssistant, callback
from homeassistant.exceptions import (
    ConfigEntryAuthFailed,
    ConfigEntryError,
    ConfigEntryNotReady,
)
from homeassistant.helpers import (
    config_validation as cv,
    device_registry as dr,
    issue_registry as ir,
)
from homeassistant.helpers.typing import ConfigType
from homeassistant.util import dt as dt_util

from .access_pipeline import async_remove_stores, gap_issue_id
from .account import async_schedule_account_check
from .adapters import (
    AcsAccountLockedError,
    AcsAdapter,
    AcsAuthenticationError,
    AcsCertificateError,
    AcsError,
    AcsPermissionError,
    available_adapters,
)
from .alarms import async_dismiss_notifications, async_dismiss_stored_notifications
from .const import CONF_ADAPTER, CONF_TIME_ZONE, DOMAIN, LOGGER
from .coordinator import AcsCoordinator
from .door_modes import async_remove_store as async_remove_door_store
from .login_state import async_load_login_state, async_save_login_state
from .runtime import (
    AcsConfigEntry,
    adapter_class,
    async_build_runtime,
    create_adapter,
    locked_minutes,
)
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
    try:
        adapter_class(dict(entry.data))
    except KeyError:
        # A plugin adapter that was uninstalled: say so, not the registry's
        # KeyError (Home Assistant shows this message on the entry).
        raise ConfigEntryError(
            translation_domain=DOMAIN,
            translation_key="adapter_not_found",
            translation_placeholders={"adapter": str(entry.data.get(CONF_ADAPTER))},
        ) from None
    adapter = create_adapter(
        hass,
        dict(entry.data),
        zone,
        options=entry.options,
        login_state=await async_load_login_state(hass, entry.data),
    )
    try:
        await _async_connect(adapter)
    finally:
        # A refusal counts across restarts (some devices lock the account).
        await async_save_login_state(hass, entry.data, adapter)
    # Setup reads only: the first refresh raises ConfigEntryAuthFailed for a
    # refused account and ConfigEntryNotReady for an unreachable server. The
    # account check (a door command) runs beside the entry: account.py.
    coordinator = AcsCoordinator(hass, entry, adapter)
    await coordinator.async_config_entry_first_refresh()
    entry.runtime_data = runtime = await async_build_runtime(hass, entry, coordinator)
    events, alarms, door_control = runtime.events, runtime.alarms, runtime.door_control

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


async def _async_connect(adapter: AcsAdapter) -> None:
    """Let the adapter learn what the server or device can do (reads only)."""
    try:
        await adapter.connect()
    except AcsAccountLockedError as err:
        if err.retry_after is None:  # the server does not say until when
            raise ConfigEntryAuthFailed(
                translation_domain=DOMAIN, translation_key="invalid_auth"
            ) from err
        raise ConfigEntryAuthFailed(
            translation_domain=DOMAIN,
            translation_key="locked_out",
            translation_placeholders={"minutes": locked_minutes(err)},
        ) from err
    except AcsAuthenticationError as err:
        raise ConfigEntryAuthFailed(
            translation_domain=DOMAIN, translation_key="invalid_auth"
        ) from err
    except AcsPermissionError as err:
        raise ConfigEntryError(
            translation_domain=DOMAIN,
            translation_key="missing_permission",
            translation_placeholders={"error": str(err)},
        ) from err
    except AcsCertificateError as err:
        raise ConfigEntryNotReady(
            translation_domain=DOMAIN, translation_key="invalid_certificate"
        ) from err
    except AcsError as err:
        raise ConfigEntryNotReady(
            translation_domain=DOMAIN,
            translation_key="update_failed",
            translation_placeholders={"error": str(err)},
        ) from err


async def async_migrate_entry(hass: HomeAssistant, entry: ConfigEntry) -> bool:
    """Migrate an entry made by an older version.

    1.1 → 1.2: entries of the first release may lack the adapter key; they
    get the key of the only adapter of that time (the one place outside
    ``adapters/`` that names an adapter key).
    """
    if entry.version > 1:
        return False  # made by a newer version
    if entry.version == 1 and entry.minor_version < 2:
        data = dict(entry.data)
        data.setdefault(CONF_ADAPTER, "ax_bs_http_v1")
        hass.config_entries.async_update_entry(
            entry, data=data, version=1, minor_version=2
        )
        LOGGER.debug("Migrated entry %s to version 1.2", entry.entry_id)
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
        adapter = entry.runtime_data.coordinator.adapter
        await async_save_login_state(hass, entry.data, adapter)
        await adapter.close()
        # What the entry raised goes with it (a reload shows the alarms still
        # unconfirmed again).
        _async_delete_issues(hass, entry.entry_id)
        async_dismiss_notifications(
            hass, entry.entry_id, entry.runtime_data.alarms.announced
        )
    return unloaded
