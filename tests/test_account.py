"""The account check runs beside the entry; a refused account stops no reading."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from unittest.mock import MagicMock

from homeassistant.components.lock import DOMAIN as LOCK_DOMAIN, SERVICE_OPEN
from homeassistant.config_entries import SOURCE_REAUTH, ConfigEntryState
from homeassistant.const import ATTR_ENTITY_ID
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError
from homeassistant.util import dt as dt_util
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_capture_events,
    async_fire_time_changed,
)

from custom_components.acs_bridge.adapters import (
    AcsAuthenticationError,
    AcsConnectionError,
)
from custom_components.acs_bridge.const import DOMAIN, EVENT_ACCESS, EVENT_ALARM

from .helpers import entity_id
from .sim_fixtures import SimSetup, poll, poll_alarms, sim_entry_for


def reauth_flows(hass: HomeAssistant) -> list[object]:
    """Return the re-authentication flows in progress."""
    return [
        flow
        for flow in hass.config_entries.flow.async_progress_by_handler(DOMAIN)
        if flow["context"]["source"] == SOURCE_REAUTH
    ]


@pytest.mark.parametrize(
    ("error", "state"),
    [
        (AcsConnectionError("down"), ConfigEntryState.SETUP_RETRY),
        (AcsAuthenticationError("no", code=105), ConfigEntryState.SETUP_ERROR),
    ],
)
async def test_setup_failures(
    hass: HomeAssistant,
    mock_config_entry: MockConfigEntry,
    mock_adapter: MagicMock,
    error: Exception,
    state: ConfigEntryState,
) -> None:
    """An unreachable server retries; a read refusing the account asks to reauth."""
    mock_adapter.controllers.side_effect = error
    mock_config_entry.add_to_hass(hass)
    await hass.config_entries.async_setup(mock_config_entry.entry_id)
    await hass.async_block_till_done()
    assert mock_config_entry.state is state
    assert bool(reauth_flows(hass)) is (state is ConfigEntryState.SETUP_ERROR)


async def test_account_check_runs_after_setup(
    hass: HomeAssistant, mock_config_entry: MockConfigEntry, mock_adapter: MagicMock
) -> None:
    """Setup sends no door command; the check runs once it is done, then daily."""
    states: list[ConfigEntryState] = []
    mock_adapter.check_credentials.side_effect = lambda: states.append(
        mock_config_entry.state
    )
    mock_config_entry.add_to_hass(hass)
    await hass.config_entries.async_setup(mock_config_entry.entry_id)
    await hass.async_block_till_done(wait_background_tasks=True)
    assert states == [ConfigEntryState.LOADED]

    async_fire_time_changed(hass, dt_util.utcnow() + timedelta(days=1, seconds=1))
    await hass.async_block_till_done(wait_background_tasks=True)
    assert states == [ConfigEntryState.LOADED] * 2


async def test_setup_and_reload_never_wait_for_the_check(
    hass: HomeAssistant, mock_config_entry: MockConfigEntry, mock_adapter: MagicMock
) -> None:
    """A check that hangs holds up neither setup nor a reload."""
    release = asyncio.Event()
    mock_adapter.check_credentials.side_effect = release.wait
    mock_config_entry.add_to_hass(hass)
    async with asyncio.timeout(30):  # guards against a hang, measures nothing
        assert await hass.config_entries.async_setup(mock_config_entry.entry_id)
        await hass.async_block_till_done()
        assert await hass.config_entries.async_reload(mock_config_entry.entry_id)
        await hass.async_block_till_done()
    assert mock_config_entry.state is ConfigEntryState.LOADED
    release.set()
    mock_adapter.open_door.assert_not_called()
    mock_adapter.close_door.assert_not_called()


async def test_refused_read_after_setup_keeps_polling(
    hass: HomeAssistant, init_integration: MockConfigEntry, mock_adapter: MagicMock
) -> None:
    """A read refused after setup asks to reauth; the polls go on."""
    mock_adapter.controllers.side_effect = AcsAuthenticationError("no", code=105)
    async_fire_time_changed(hass, dt_util.utcnow() + timedelta(seconds=11))
    await hass.async_block_till_done(wait_background_tasks=True)
    assert reauth_flows(hass)
    assert init_integration.state is ConfigEntryState.LOADED

    mock_adapter.controllers.side_effect = None
    calls = mock_adapter.controllers.await_count
    async_fire_time_changed(hass, dt_util.utcnow() + timedelta(seconds=22))
    await hass.async_block_till_done(wait_background_tasks=True)
    assert mock_adapter.controllers.await_count > calls
    assert init_integration.runtime_data.coordinator.last_update_success


async def test_locked_command_account_stops_nothing(
    hass: HomeAssistant, simulator, manual_polling
) -> None:
    """An account the server refuses for commands: setup, states, events, alarms go on."""
    sim, clock = simulator
    for command in ("open", "close", "workmode"):
        sim.fault("status", path=f"acs/device/door/{command}", status=106)
    await hass.config.async_set_time_zone("Asia/Shanghai")
    entry = sim_entry_for(sim)
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done(wait_background_tasks=True)
    setup = SimSetup(sim=sim, clock=clock, entry=entry)
    assert entry.state is ConfigEntryState.LOADED
    assert reauth_flows(hass)  # from the background check

    door = sim.site.doors[0]
    lock = entity_id(hass, "lock", f"door_{door.id}_lock", entry.entry_id)
    with pytest.raises(HomeAssistantError):
        await hass.services.async_call(
            LOCK_DOMAIN, SERVICE_OPEN, {ATTR_ENTITY_ID: lock}, blocking=True
        )
    assert entry.state is ConfigEntryState.LOADED

    # Door states keep being polled on schedule.
    sim.set_door_open(door.id, True)
    async_fire_time_changed(hass, dt_util.utcnow() + timedelta(seconds=11))
    await hass.async_block_till_done(wait_background_tasks=True)
    assert hass.states.get(lock).state == "open"

    # Access events and alarms keep coming.
    accesses = async_capture_events(hass, EVENT_ACCESS)
    alarms = async_capture_events(hass, EVENT_ALARM)
    sim.swipe(door.id)
    await poll(hass, setup)
    assert len(accesses) == 1
    sim.raise_alarm(door.id)
    await poll_alarms(hass, setup)  # the alarm list's own 1 s poll
    assert len(alarms) == 1
