"""Each door as a lock: locked while closed; unlock and open open it.

Lock also ends a hold-open of the door first; the lock shows a hold's deadline
as ``held_open_until``.
"""

from __future__ import annotations

from typing import Any

from homeassistant.components.lock import (
    LockEntity,
    LockEntityDescription,
    LockEntityFeature,
)
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddEntitiesCallback

from . import AcsConfigEntry
from .adapters import Capability
from .entity import AcsDoorEntity, add_door_entities
from .helpers import async_door_command

PARALLEL_UPDATES = 1

ATTR_HELD_OPEN_UNTIL = "held_open_until"

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

    async def async_added_to_hass(self) -> None:
        """Also follow the door's hold-open."""
        await super().async_added_to_hass()
        self.async_on_remove(
            self.coordinator.config_entry.runtime_data.door_modes.async_add_listener(
                self.door_id, self._handle_coordinator_update
            )
        )

    @property
    def extra_state_attributes(self) -> dict[str, Any] | None:
        """Return the deadline of a hold-open, while the door is held."""
        modes = self.coordinator.config_entry.runtime_data.door_modes
        if (until := modes.hold_until(self.door_id)) is None:
            return None
        return {ATTR_HELD_OPEN_UNTIL: until.isoformat()}

    async def async_lock(self, **kwargs: Any) -> None:
        """Close the door; a hold-open ends first (the door returns to its mode)."""
        control = self.coordinator.config_entry.runtime_data.door_control
        await control.async_end_hold_for_lock(self.door_id, self._context)
        await async_door_command(
            self.coordinator,
            self.door_id,
            self.door_name,
            lambda: self.coordinator.adapter.close_door(self.door_id),
        )

    async def async_unlock(self, **kwargs: Any) -> None:
        """Open the door."""
        await self.async_open()

    async def async_open(self, **kwargs: Any) -> None:
        """Open the door."""
        await async_door_command(
            self.coordinator,
            self.door_id,
            self.door_name,
            lambda: self.coordinator.adapter.open_door(self.door_id),
        )
