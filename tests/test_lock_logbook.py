"""A door's commands in its lock's own logbook, read as the frontend reads it."""

from __future__ import annotations

from typing import Any

from homeassistant.components.lock import DOMAIN as LOCK_DOMAIN, SERVICE_UNLOCK
from homeassistant.components.recorder import Recorder
from homeassistant.const import ATTR_ENTITY_ID
from homeassistant.core import Context, HomeAssistant
from homeassistant.setup import async_setup_component
from homeassistant.util import dt as dt_util
import pytest
from pytest_homeassistant_custom_component.common import MockUser
from pytest_homeassistant_custom_component.components.recorder.common import (
    async_wait_recording_done,
)
from pytest_homeassistant_custom_component.typing import WebSocketGenerator

from .door_helpers import hold, lock_id, select_mode
from .sim_fixtures import SimSetup


@pytest.fixture(autouse=True)
def auto_enable_custom_integrations(
    recorder_mock: Recorder, enable_custom_integrations: None
) -> None:
    """The recorder first (it must come before ``hass``), then our integration."""


async def logbook_of(
    hass: HomeAssistant, hass_ws_client: WebSocketGenerator, entity: str
) -> list[dict[str, Any]]:
    """The lines of one entity's logbook (``logbook/get_events`` filtered by it)."""
    await async_wait_recording_done(hass)
    client = await hass_ws_client(hass)
    await client.send_json_auto_id(
        {
            "type": "logbook/get_events",
            "start_time": dt_util.start_of_local_day().isoformat(),
            "entity_ids": [entity],
        }
    )
    answer = await client.receive_json()
    assert answer["success"], answer
    lines: list[dict[str, Any]] = answer["result"]
    return lines


async def test_a_locks_logbook_shows_its_doors_commands(
    hass: HomeAssistant,
    sim_setup: SimSetup,
    alice: MockUser,
    hass_ws_client: WebSocketGenerator,
) -> None:
    """Unlock, the work-mode select and hold-open: each line is in the lock's logbook."""
    # The logbook's panel needs the frontend, whose files the tests do without.
    hass.config.components.add("frontend")
    assert await async_setup_component(hass, "logbook", {})
    door, other = sim_setup.sim.site.doors[0], sim_setup.sim.site.doors[1]
    lock = lock_id(hass, sim_setup, door.id)
    await hass.services.async_call(
        LOCK_DOMAIN,
        SERVICE_UNLOCK,
        {ATTR_ENTITY_ID: lock},
        blocking=True,
        context=Context(user_id=alice.id),
    )
    await select_mode(hass, sim_setup, door.id, "card")
    await hold(hass, sim_setup, [door.id, other.id], duration=60)
    await hass.async_block_till_done()

    lines = await logbook_of(hass, hass_ws_client, lock)
    commands = [
        (line["message"], line.get("context_user_id"))
        for line in lines
        if line.get("domain") == "acs_bridge"
    ]
    assert commands == [
        ("unlocked by Alice", alice.id),
        ("work mode set to card", None),
        ("held open", None),
    ]
    assert {line["entity_id"] for line in lines} == {lock}
    # The other door's hold is in its own logbook, not in this one.
    other_lines = await logbook_of(
        hass, hass_ws_client, lock_id(hass, sim_setup, other.id)
    )
    assert [
        line["message"] for line in other_lines if line.get("domain") == "acs_bridge"
    ] == ["held open"]
