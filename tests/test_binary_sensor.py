"""Tests of the door and connectivity binary sensors."""

from __future__ import annotations

from unittest.mock import patch

from homeassistant.const import Platform
from homeassistant.core import HomeAssistant
from homeassistant.helpers import entity_registry as er
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry
from syrupy.assertion import SnapshotAssertion

from .helpers import snapshot_entities


@pytest.fixture(autouse=True)
def only_binary_sensor():
    """Set up the binary sensor platform only."""
    with patch("custom_components.acs_bridge.PLATFORMS", [Platform.BINARY_SENSOR]):
        yield


async def test_entities(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    entity_registry: er.EntityRegistry,
    snapshot: SnapshotAssertion,
) -> None:
    """Door contacts and controller connectivity, with the communication error."""
    await snapshot_entities(hass, snapshot, init_integration.entry_id)
