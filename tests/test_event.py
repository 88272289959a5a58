"""Tests of the door access event entities."""

from __future__ import annotations

from unittest.mock import patch

from homeassistant.const import STATE_UNKNOWN, Platform
from homeassistant.core import HomeAssistant
from homeassistant.helpers import entity_registry as er
from homeassistant.helpers.dispatcher import async_dispatcher_send
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry
from syrupy.assertion import SnapshotAssertion

from custom_components.acs_bridge.const import door_signal

from .helpers import entity_id, snapshot_entities


@pytest.fixture(autouse=True)
def only_event():
    """Set up the event platform only."""
    with patch("custom_components.acs_bridge.PLATFORMS", [Platform.EVENT]):
        yield


async def test_entities(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    entity_registry: er.EntityRegistry,
    snapshot: SnapshotAssertion,
) -> None:
    """An access event entity per door."""
    await snapshot_entities(hass, snapshot, init_integration.entry_id)


async def test_fires_only_on_access(
    hass: HomeAssistant, init_integration: MockConfigEntry
) -> None:
    """The entity fires on an access event of its door, not on other doors'."""
    assert (
        hass.states.get(entity_id(hass, "event", "door_d1_access")).state
        == STATE_UNKNOWN
    )
    async_dispatcher_send(
        hass,
        door_signal(init_integration.entry_id, "d2"),
        "granted",
        {"user_name": "李四"},
    )
    await hass.async_block_till_done()
    assert (
        hass.states.get(entity_id(hass, "event", "door_d1_access")).state
        == STATE_UNKNOWN
    )

    async_dispatcher_send(
        hass,
        door_signal(init_integration.entry_id, "d1"),
        "denied",
        {"user_name": "张三", "reason": "no_permission"},
    )
    await hass.async_block_till_done()
    state = hass.states.get(entity_id(hass, "event", "door_d1_access"))
    assert state.state != STATE_UNKNOWN
    assert state.attributes["event_type"] == "denied"
    assert state.attributes["user_name"] == "张三"
    assert state.attributes["reason"] == "no_permission"


async def test_no_new_event_when_available_again(
    hass: HomeAssistant, init_integration: MockConfigEntry, mock_adapter
) -> None:
    """Becoming available again does not look like a new access event."""
    from custom_components.acs_bridge.adapters import AcsConnectionError

    entity = entity_id(hass, "event", "door_d1_access")
    async_dispatcher_send(
        hass, door_signal(init_integration.entry_id, "d1"), "granted", {}
    )
    await hass.async_block_till_done()
    fired = hass.states.get(entity).state
    coordinator = init_integration.runtime_data.coordinator
    mock_adapter.controllers.side_effect = AcsConnectionError("down")
    await coordinator.async_refresh()
    await hass.async_block_till_done()
    assert hass.states.get(entity).state == "unavailable"
    mock_adapter.controllers.side_effect = None
    await coordinator.async_refresh()
    await hass.async_block_till_done()
    assert hass.states.get(entity).state == fired
