"""Helpers of the door-control tests (hold-open, site mode), against the simulator."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from unittest.mock import patch

from freezegun.api import FrozenDateTimeFactory
from homeassistant.components.select import (
    ATTR_OPTION,
    DOMAIN as SELECT_DOMAIN,
    SERVICE_SELECT_OPTION,
)
from homeassistant.const import ATTR_ENTITY_ID
from homeassistant.core import HomeAssistant
import pytest
from pytest_homeassistant_custom_component.common import async_fire_time_changed

from custom_components.acs_bridge import door_control
from custom_components.acs_bridge.const import DOMAIN

from .helpers import entity_id
from .sim_fixtures import SimSetup

WORKMODE_PATH = "/api/v1/acs/device/door/workmode/"


@pytest.fixture(autouse=True)
def no_retry_pauses() -> Iterator[None]:
    """Retry at once: the pauses are the benchmarks' business, not the tests'."""
    with (
        patch.object(door_control, "HOLD_END_RETRY_DELAYS", (0.0, 0.0, 0.0)),
        patch.object(door_control, "SITE_RETRY_DELAYS", (0.0, 0.0)),
    ):
        yield


def lock_id(hass: HomeAssistant, setup: SimSetup, door_id: str) -> str:
    return entity_id(hass, "lock", f"door_{door_id}_lock", setup.entry.entry_id)


def select_id(hass: HomeAssistant, setup: SimSetup, door_id: str) -> str:
    return entity_id(hass, "select", f"door_{door_id}_work_mode", setup.entry.entry_id)


def work_modes(setup: SimSetup, door_id: str) -> list[int | None]:
    """Return the work modes the simulator took for a door, oldest first."""
    return [
        command.mode
        for command in setup.sim.door_commands
        if command.door_id == door_id and command.action == "workmode"
    ]


def workmode_requests(setup: SimSetup, door_id: str) -> int:
    return sum(
        1
        for request in setup.sim.requests
        if request.path.startswith(WORKMODE_PATH) and f"/{door_id}/" in request.path
    )


async def hold(hass: HomeAssistant, setup: SimSetup, door_ids: list[str], **data):
    await hass.services.async_call(
        DOMAIN,
        "hold_open",
        {
            ATTR_ENTITY_ID: [lock_id(hass, setup, door_id) for door_id in door_ids],
            **data,
        },
        blocking=True,
    )


async def select_mode(
    hass: HomeAssistant, setup: SimSetup, door_id: str, option: str
) -> None:
    await hass.services.async_call(
        SELECT_DOMAIN,
        SERVICE_SELECT_OPTION,
        {ATTR_ENTITY_ID: select_id(hass, setup, door_id), ATTR_OPTION: option},
        blocking=True,
    )


async def pass_time(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, delta: timedelta
) -> None:
    # No request may be under way when the clock jumps: its timeout would expire.
    await hass.async_block_till_done(wait_background_tasks=True)
    freezer.tick(delta)
    async_fire_time_changed(hass)
    await hass.async_block_till_done(wait_background_tasks=True)
