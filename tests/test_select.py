"""Tests of the work-mode selects."""

from __future__ import annotations

from unittest.mock import MagicMock, patch

from homeassistant.components.select import (
    ATTR_OPTION,
    DOMAIN as SELECT_DOMAIN,
    SERVICE_SELECT_OPTION,
)
from homeassistant.const import ATTR_ENTITY_ID, STATE_UNKNOWN, Platform
from homeassistant.core import HomeAssistant, State
from homeassistant.helpers import entity_registry as er
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    mock_restore_cache,
)
from syrupy.assertion import SnapshotAssertion

from custom_components.acs_bridge.adapters import WorkMode

from .helpers import entity_id, snapshot_entities


@pytest.fixture(autouse=True)
def only_select():
    """Set up the select platform only."""
    with patch("custom_components.acs_bridge.PLATFORMS", [Platform.SELECT]):
        yield


async def test_entities(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    entity_registry: er.EntityRegistry,
    snapshot: SnapshotAssertion,
) -> None:
    """A work-mode select per door, with an assumed state."""
    await snapshot_entities(hass, snapshot, init_integration.entry_id)


async def test_select_sets_the_mode(
    hass: HomeAssistant, init_integration: MockConfigEntry, mock_adapter: MagicMock
) -> None:
    """Choosing a mode sends it and shows it."""
    assert (
        hass.states.get(entity_id(hass, "select", "door_d1_work_mode")).state
        == STATE_UNKNOWN
    )
    await hass.services.async_call(
        SELECT_DOMAIN,
        SERVICE_SELECT_OPTION,
        {
            ATTR_ENTITY_ID: entity_id(hass, "select", "door_d1_work_mode"),
            ATTR_OPTION: "normally_open",
        },
        blocking=True,
    )
    mock_adapter.set_work_mode.assert_awaited_once_with("d1", WorkMode.NORMALLY_OPEN)
    assert (
        hass.states.get(entity_id(hass, "select", "door_d1_work_mode")).state
        == "normally_open"
    )


async def test_mode_restored(
    hass: HomeAssistant, mock_config_entry: MockConfigEntry, mock_adapter: MagicMock
) -> None:
    """The last mode set survives a restart."""
    mock_config_entry.add_to_hass(hass)
    er.async_get(hass).async_get_or_create(
        "select",
        "acs_bridge",
        f"{mock_config_entry.entry_id}_door_d1_work_mode",
        suggested_object_id="east_door_work_mode",
        config_entry=mock_config_entry,
    )
    mock_restore_cache(hass, [State("select.east_door_work_mode", "card_and_password")])
    await hass.config_entries.async_setup(mock_config_entry.entry_id)
    await hass.async_block_till_done()
    assert hass.states.get("select.east_door_work_mode").state == "card_and_password"
    mock_adapter.set_work_mode.assert_not_called()
