"""The composition root: what a loaded entry is made of, and how it is built.

This module imports the parts for real and wires them; none of them imports
it back (they take a plain ``ConfigEntry`` and get what they need passed in),
so the package has no import cycle.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import tzinfo
import math
from typing import Any

from homeassistant.config_entries import ConfigEntry
from homeassistant.const import (
    CONF_HOST,
    CONF_PASSWORD,
    CONF_PORT,
    CONF_SSL,
    CONF_USERNAME,
    CONF_VERIFY_SSL,
)
from homeassistant.core import HomeAssistant
from homeassistant.helpers.aiohttp_client import async_get_clientsession
from homeassistant.util import dt as dt_util

from .access_pipeline import AccessEventPipeline
from .adapters import AcsAccountLockedError, AcsAdapter, AdapterConfig, get_adapter
from .alarms import AlarmNotifier
from .commands import CodeGuard
from .const import CONF_ADAPTER, CONF_COMMAND_PASSWORD
from .coordinator import AcsCoordinator
from .delivery_gate import DeliveryGate
from .door_control import DoorControl
from .door_modes import DoorModes


@dataclass(slots=True)
class AcsRuntimeData:
    """What a loaded entry holds; the adapter is ``coordinator.adapter``."""

    coordinator: AcsCoordinator
    events: AccessEventPipeline
    alarms: AlarmNotifier
    # Wrong unlock codes and the lock-out, for as long as the entry is loaded.
    code_guard: CodeGuard
    door_modes: DoorModes
    door_control: DoorControl


type AcsConfigEntry = ConfigEntry[AcsRuntimeData]


def adapter_class(data: dict[str, object]) -> type[AcsAdapter]:
    """Return the adapter class an entry's data names (KeyError: not installed)."""
    return get_adapter(str(data[CONF_ADAPTER]))


def create_adapter(
    hass: HomeAssistant,
    data: dict[str, object],
    time_zone: tzinfo | None = None,
    *,
    options: Mapping[str, Any] | None = None,
    login_state: Mapping[str, Any] | None = None,
) -> AcsAdapter:
    """Build the adapter an entry's data names, on Home Assistant's HTTP session.

    The server's naive times are read in ``time_zone`` (Home Assistant's own
    when None). The port defaults to the adapter's own. ``login_state`` is
    what an earlier adapter kept of refused logins (login_state.py).
    """
    adapter_cls = adapter_class(data)
    verify_ssl = bool(data.get(CONF_VERIFY_SSL, True))
    config = AdapterConfig(
        host=str(data[CONF_HOST]),
        port=int(str(data.get(CONF_PORT, adapter_cls.default_port))),
        username=str(data.get(CONF_USERNAME, "")),
        password=str(data.get(CONF_PASSWORD, "")),
        ssl=bool(data.get(CONF_SSL, adapter_cls.default_ssl)),
        verify_ssl=verify_ssl,
        time_zone=time_zone or dt_util.get_default_time_zone(),
        command_password=str((options or {}).get(CONF_COMMAND_PASSWORD) or ""),
        login_state=login_state,
    )
    return adapter_cls(async_get_clientsession(hass, verify_ssl=verify_ssl), config)


def locked_minutes(err: AcsAccountLockedError) -> str:
    """Return the whole minutes until a locked account unlocks ("?" unknown)."""
    if err.retry_after is None:
        return "?"
    return str(max(1, math.ceil(err.retry_after / 60)))


async def async_build_runtime(
    hass: HomeAssistant, entry: AcsConfigEntry, coordinator: AcsCoordinator
) -> AcsRuntimeData:
    """Build the parts of a loaded entry around its coordinator, and wire them."""
    # One queue for both, so start-up events keep their order.
    gate = DeliveryGate(hass, entry)
    alarms = AlarmNotifier(hass, entry, coordinator, gate)
    events = AccessEventPipeline(
        hass,
        entry,
        coordinator,
        gate,
        on_alarm_event=alarms.async_request_poll,
        alarm_sink=alarms.async_take_batch,
    )
    door_modes = DoorModes(hass, entry.entry_id)
    await door_modes.async_load()
    code_guard = CodeGuard()
    door_control = DoorControl(hass, entry, coordinator, door_modes)
    return AcsRuntimeData(
        coordinator=coordinator,
        events=events,
        alarms=alarms,
        code_guard=code_guard,
        door_modes=door_modes,
        door_control=door_control,
    )
