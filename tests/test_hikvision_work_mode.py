"""The work-mode select of a Hikvision door: its state and the commands it sends."""

from __future__ import annotations

import logging

from homeassistant.components.select import (
    ATTR_OPTION,
    DOMAIN as SELECT_DOMAIN,
    SERVICE_SELECT_OPTION,
)
from homeassistant.const import ATTR_ENTITY_ID, STATE_UNKNOWN
from homeassistant.core import HomeAssistant
import pytest

from custom_components.acs_bridge.const import CONF_COMMAND_PASSWORD
from simulator.hikvision import HikSimulator
from simulator.hikvision.device import REMAIN_CLOSED, REMAIN_OPEN, SLEEP

from .hik_fixtures import HikSetup, async_setup_hik, async_wait_state, door_entity

COMMAND_PASSWORD = "Rc 密码 #%&?"


async def select(hass: HomeAssistant, entity_id: str, option: str) -> None:
    await hass.services.async_call(
        SELECT_DOMAIN,
        SERVICE_SELECT_OPTION,
        {ATTR_ENTITY_ID: entity_id, ATTR_OPTION: option},
        blocking=True,
    )


async def test_state_from_door_status(hass: HomeAssistant, hik_setup: HikSetup) -> None:
    """Remain open, remain closed and normal are the modes; sleep is unknown."""
    entity = door_entity(hass, hik_setup, "select", 1, "work_mode")
    door = hik_setup.sim.device.doors[0]
    coordinator = hik_setup.runtime.coordinator
    for mode, shown in (
        (REMAIN_OPEN, "normally_open"),
        (REMAIN_CLOSED, "normally_closed"),
        (SLEEP, STATE_UNKNOWN),
    ):
        door.mode = mode
        await coordinator.async_refresh()
        await hass.async_block_till_done()
        assert hass.states.get(entity).state == shown  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("option", "command"),
    [("normally_open", "alwaysOpen"), ("normally_closed", "alwaysClose")],
)
async def test_select_sends_the_mode(
    hass: HomeAssistant, hik_setup: HikSetup, option: str, command: str
) -> None:
    entity = door_entity(hass, hik_setup, "select", 1, "work_mode")
    await select(hass, entity, option)
    assert hik_setup.sim.device.commands[-1] == (1, command)
    await async_wait_state(hass, entity, option)


async def test_auto_sends_close_without_resume(
    hass: HomeAssistant, hik_setup: HikSetup
) -> None:
    """The default device lists no resume: back to normal is close."""
    entity = door_entity(hass, hik_setup, "select", 1, "work_mode")
    await select(hass, entity, "normally_open")
    await select(hass, entity, "auto")
    assert hik_setup.sim.device.commands[-1] == (1, "close")
    await async_wait_state(hass, entity, "auto")


async def test_auto_sends_resume_where_listed(
    hass: HomeAssistant, hik_sim: HikSimulator, fast_stream: None
) -> None:
    hik_sim.configure(
        cmd_options=["open", "close", "alwaysOpen", "alwaysClose", "resume"]
    )
    setup = await async_setup_hik(hass, hik_sim)
    entity = door_entity(hass, setup, "select", 2, "work_mode")
    await select(hass, entity, "normally_closed")
    await select(hass, entity, "auto")
    assert hik_sim.device.commands[-2:] == [(2, "alwaysClose"), (2, "resume")]
    await async_wait_state(hass, entity, "auto")


async def test_command_password_sent_never_logged(
    hass: HomeAssistant,
    hik_sim: HikSimulator,
    fast_stream: None,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A device that asks a remote-control password gets the one in the options."""
    caplog.set_level(logging.DEBUG)
    hik_sim.configure(remote_password=COMMAND_PASSWORD)
    setup = await async_setup_hik(
        hass, hik_sim, options={CONF_COMMAND_PASSWORD: COMMAND_PASSWORD}
    )
    entity = door_entity(hass, setup, "select", 1, "work_mode")
    await select(hass, entity, "normally_open")
    await hass.services.async_call(
        "lock",
        "open",
        {ATTR_ENTITY_ID: door_entity(hass, setup, "lock", 2, "lock")},
        blocking=True,
    )
    assert hik_sim.device.commands == [(1, "alwaysOpen"), (2, "open")]
    assert COMMAND_PASSWORD not in caplog.text


async def test_wrong_command_password_is_a_clear_error(
    hass: HomeAssistant,
    hik_sim: HikSimulator,
    fast_stream: None,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A wrong remote-control password fails the command, never the login."""
    from homeassistant.exceptions import HomeAssistantError

    caplog.set_level(logging.DEBUG)
    hik_sim.configure(remote_password=COMMAND_PASSWORD)
    setup = await async_setup_hik(
        hass, hik_sim, options={CONF_COMMAND_PASSWORD: "wrong 密码"}
    )
    entity = door_entity(hass, setup, "lock", 1, "lock")
    with pytest.raises(HomeAssistantError):
        await hass.services.async_call(
            "lock", "open", {ATTR_ENTITY_ID: entity}, blocking=True
        )
    assert hik_sim.device.commands == []
    assert hik_sim.auth.counted == 0
    assert "wrong 密码" not in caplog.text
    assert not hass.config_entries.flow.async_progress()
