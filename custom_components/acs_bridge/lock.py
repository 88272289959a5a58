"""Each door as a lock: locked while closed; unlock and open open it."""

from __future__ import annotations

from typing import Any

from homeassistant.components.lock import (
    LockEntity,
    LockEntityDescription,
    LockEntityFeature,
)
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddEntitiesCallback

from .adapters import Capability
from .coordinator import AcsConfigEntry
from .entity import AcsDoorEntity, add_door_entities

PARALLEL_UPDATES = 1

# The lock is the door's main entity: it carries the door's (device's) name.
DOOR_LOCK = LockEntityDescription(key="lock", name=None)


async def async_setup_entry(
    hass: HomeAssistant,
    entry: AcsConfigEntry,
    async_add_entities: AddEntitiesCallback,
) -> None:
    """Add a lock for each door."""
    coordinator = entry.runtime_data.coordinator
    if not coordinator.adapter.supports(Capability.DOOR_COMMANDS):
        return
    entry.async_on_unload(
        add_door_entities(
            coordinator,
            async_add_entities,
            lambda door_id: [AcsDoorLock(coordinator, DOOR_LOCK, door_id)],
        )
    )


class AcsDoorLock(AcsDoorEntity, LockEntity):
    """A door as a lock."""

    _attr_supported_features = LockEntityFeature.OPEN

    @property
    def is_locked(self) -> bool | None:
        """Return whether the door is closed."""
        state = self.door_state
        return None if state is None else not state.is_open

    @property
    def is_open(self) -> bool | None:
        """Return whether the door is open."""
        state = self.door_state
        return None if state is None else state.is_open

    async def async_lock(self, **kwargs: Any) -> None:
        """Close the door."""
        await self.async_door_command(self.coordinator.adapter.close_door(self.door_id))

    async def async_unlock(self, **kwargs: Any) -> None:
        """Open the door."""
        await self.async_open()

    async def async_open(self, **kwargs: Any) -> None:
        """Open the door."""
        await self.async_door_command(self.coordinator.adapter.open_door(self.door_id))
