"""Tests of the head-count, alarm and poll sensors."""

from __future__ import annotations

from unittest.mock import patch

from freezegun.api import FrozenDateTimeFactory
from homeassistant.const import Platform
from homeassistant.core import HomeAssistant
from homeassistant.helpers import entity_registry as er
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry
from syrupy.assertion import SnapshotAssertion

from .helpers import entity_id, snapshot_entities


@pytest.fixture(autouse=True)
def only_sensor():
    """Set up the sensor platform only."""
    with patch("custom_components.acs_bridge.PLATFORMS", [Platform.SENSOR]):
        yield


async def test_entities(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    mock_config_entry: MockConfigEntry,
    mock_adapter,
    entity_registry: er.EntityRegistry,
    snapshot: SnapshotAssertion,
) -> None:
    """A head count per area (sub-areas included), alarms, and the last poll."""
    freezer.move_to("2026-11-29 10:00:00+00:00")
    await hass.config.async_set_time_zone("Asia/Shanghai")
    mock_config_entry.add_to_hass(hass)
    await hass.config_entries.async_setup(mock_config_entry.entry_id)
    await hass.async_block_till_done()
    await snapshot_entities(hass, snapshot, mock_config_entry.entry_id)


async def test_last_poll_disabled_by_default_shows_time_when_enabled(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    mock_config_entry: MockConfigEntry,
    mock_adapter,
    entity_registry: er.EntityRegistry,
) -> None:
    """Enabled, the last poll sensor shows when the state poll last succeeded."""
    freezer.move_to("2026-11-29 10:00:00+00:00")
    mock_config_entry.add_to_hass(hass)
    await hass.config_entries.async_setup(mock_config_entry.entry_id)
    await hass.async_block_till_done()
    last_poll = entity_id(hass, "sensor", "hub_last_poll", mock_config_entry.entry_id)
    assert hass.states.get(last_poll) is None
    entity_registry.async_update_entity(last_poll, disabled_by=None)
    await hass.config_entries.async_reload(mock_config_entry.entry_id)
    await hass.async_block_till_done()
    state = hass.states.get(last_poll)
    assert state is not None
    assert state.state == "2026-11-29T10:00:00+00:00"
