"""Tests of the door locks."""

from __future__ import annotations

from unittest.mock import MagicMock, patch

from homeassistant.components.lock import (
    DOMAIN as LOCK_DOMAIN,
    SERVICE_LOCK,
    SERVICE_OPEN,
    SERVICE_UNLOCK,
)
from homeassistant.const import ATTR_ENTITY_ID, Platform
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers import entity_registry as er
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry
from syrupy.assertion import SnapshotAssertion

from custom_components.acs_bridge.adapters import (
    AcsAuthenticationError,
    AcsServerError,
    DoorState,
)
from custom_components.acs_bridge.const import DOMAIN

from .helpers import entity_id, snapshot_entities


@pytest.fixture(autouse=True)
def only_lock():
    """Set up the lock platform only."""
    with patch("custom_components.acs_bridge.PLATFORMS", [Platform.LOCK]):
        yield


async def test_entities(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    entity_registry: er.EntityRegistry,
    snapshot: SnapshotAssertion,
) -> None:
    """Every door is a lock; an offline door's lock is unavailable."""
    await snapshot_entities(hass, snapshot, init_integration.entry_id)


@pytest.mark.parametrize(
    ("service", "method", "is_open", "state"),
    [
        (SERVICE_UNLOCK, "open_door", True, "open"),
        (SERVICE_OPEN, "open_door", True, "open"),
        (SERVICE_LOCK, "close_door", False, "locked"),
    ],
)
async def test_commands_refresh_the_door_at_once(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    mock_adapter: MagicMock,
    service: str,
    method: str,
    is_open: bool,
    state: str,
) -> None:
    """A command reaches the adapter and the new state shows without waiting."""

    async def move(door_id: str) -> None:
        mock_adapter.states[door_id] = DoorState(
            door_id=door_id, online=True, is_open=is_open
        )

    getattr(mock_adapter, method).side_effect = move
    if not is_open:
        await move("d1")
        mock_adapter.states["d1"] = DoorState(door_id="d1", online=True, is_open=True)
    await hass.services.async_call(
        LOCK_DOMAIN,
        service,
        {ATTR_ENTITY_ID: entity_id(hass, "lock", "door_d1_lock")},
        blocking=True,
    )
    getattr(mock_adapter, method).assert_awaited_once_with("d1")
    assert hass.states.get(entity_id(hass, "lock", "door_d1_lock")).state == state


async def test_command_failure_names_the_door(
    hass: HomeAssistant, init_integration: MockConfigEntry, mock_adapter: MagicMock
) -> None:
    """A failed command raises a translated error that names the door."""
    mock_adapter.open_door.side_effect = AcsServerError("门离线", code=1)
    with pytest.raises(HomeAssistantError) as err:
        await hass.services.async_call(
            LOCK_DOMAIN,
            SERVICE_UNLOCK,
            {ATTR_ENTITY_ID: entity_id(hass, "lock", "door_d1_lock")},
            blocking=True,
        )
    assert err.value.translation_key == "command_failed"
    assert err.value.translation_placeholders["door"] == "东门"


async def test_command_auth_failure_starts_reauth(
    hass: HomeAssistant, init_integration: MockConfigEntry, mock_adapter: MagicMock
) -> None:
    """A refused account during a command starts re-authentication."""
    mock_adapter.open_door.side_effect = AcsAuthenticationError("no", code=105)
    with pytest.raises(HomeAssistantError) as err:
        await hass.services.async_call(
            LOCK_DOMAIN,
            SERVICE_UNLOCK,
            {ATTR_ENTITY_ID: entity_id(hass, "lock", "door_d1_lock")},
            blocking=True,
        )
    assert err.value.translation_key == "command_auth_failed"
    await hass.async_block_till_done()
    flows = hass.config_entries.flow.async_progress_by_handler(DOMAIN)
    assert [flow["context"]["source"] for flow in flows] == ["reauth"]
