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

from .helpers import snapshot_entities


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
