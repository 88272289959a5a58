"""Voice and the logbook, the same on both protocols' simulators."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

# The conversation agent's requirements; a test stack without them skips.
pytest.importorskip("hassil")
pytest.importorskip("home_assistant_intents")

from homeassistant.components.conversation import async_converse
from homeassistant.components.homeassistant.exposed_entities import (
    async_expose_entity,
)
from homeassistant.components.recorder import Recorder
from homeassistant.core import Context, HomeAssistant
from homeassistant.helpers import entity_registry as er, intent
from homeassistant.setup import async_setup_component
from homeassistant.util import dt as dt_util
from pytest_homeassistant_custom_component.components.recorder.common import (
    async_wait_recording_done,
)
from pytest_homeassistant_custom_component.typing import WebSocketGenerator

from custom_components.acs_bridge.const import EVENT_ACCESS

from .hik_fixtures import BusWatcher
from .protocol_fixtures import ProtocolSetup
from .test_both_protocols import door_entity, swipe_and_wait
from .test_voice import _add_alias


@pytest.fixture(autouse=True)
def auto_enable_custom_integrations(
    recorder_mock: Recorder, enable_custom_integrations: None
) -> None:
    """The recorder first (it must come before ``hass``), then our integration."""


async def test_unlock_by_voice(
    hass: HomeAssistant,
    protocol_setup: ProtocolSetup,
    entity_registry: er.EntityRegistry,
) -> None:
    """An exposed lock opens its door on "unlock <alias>", whatever the protocol."""
    assert await async_setup_component(hass, "homeassistant", {})
    assert await async_setup_component(hass, "conversation", {})
    await hass.async_block_till_done()
    lock = door_entity(hass, protocol_setup, "lock", "lock")
    _add_alias(entity_registry, lock, "Test door")
    async_expose_entity(hass, "conversation", lock, True)
    before = len(protocol_setup.commands())

    result = await async_converse(
        hass, "unlock the test door", None, Context(), language="en"
    )
    await hass.async_block_till_done()

    assert result.response.response_type is intent.IntentResponseType.ACTION_DONE
    commands = protocol_setup.commands()[before:]
    assert [door for door, _ in commands] == [protocol_setup.door_id]


async def test_a_swipe_in_the_doors_logbook(
    hass: HomeAssistant,
    hass_ws_client: WebSocketGenerator,
    protocol_setup: ProtocolSetup,
    bus: Callable[[str], BusWatcher],
) -> None:
    """A granted swipe is a line of the door's access entity's logbook."""
    # The logbook's panel needs the frontend, whose files the tests do without.
    hass.config.components.add("frontend")
    assert await async_setup_component(hass, "logbook", {})
    await hass.async_block_till_done()
    await swipe_and_wait(hass, protocol_setup, bus(EVENT_ACCESS))
    entity = door_entity(hass, protocol_setup, "event", "access")
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
    ours = [line for line in lines if line.get("domain") == "acs_bridge"]
    assert len(ours) == 1, lines
    assert "granted" in ours[0]["message"]
