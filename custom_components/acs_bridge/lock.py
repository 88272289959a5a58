"""Each door as a lock: locked while closed; unlock and open open it.

With an unlock code set, every lock has a ``code_format``: Home Assistant asks
for the code and refuses a missing or malformed one; the integration checks it.
``changed_by`` names who last opened the door: the cardholder of the last
granted swipe there, or the Home Assistant user of the last remote open (none
for an automation). It is kept across restarts.
Lock also ends a hold-open of the door first; the lock shows a hold's deadline
as ``held_open_until``.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from homeassistant.components.lock import (
    LockEntity,
    LockEntityDescription,
    LockEntityFeature,
)
from homeassistant.const import ATTR_CODE
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers.dispatcher import async_dispatcher_connect
from homeassistant.helpers.entity_platform import AddEntitiesCallback
from homeassistant.helpers.restore_state import (
    ExtraStoredData,
    RestoredExtraData,
    RestoreEntity,
)
from homeassistant.util import dt as dt_util

from .adapters import Capability
from .commands import (
    UNLOCK_CODE_FORMAT,
    CommandResult,
    DoorCommand,
    async_check_code,
    opens_door,
    unlock_code_set,
)
from .const import door_command_signal, door_signal
from .coordinator import AcsCoordinator
from .delivered import AccessEventType
from .entity import AcsDoorEntity, add_door_entities
from .runtime import AcsConfigEntry

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
    add_door_entities(
        entry,
        async_add_entities,
        lambda door_id: [AcsDoorLock(coordinator, DOOR_LOCK, door_id)],
    )


class AcsDoorLock(AcsDoorEntity, LockEntity, RestoreEntity):
    """A door as a lock."""

    _attr_supported_features = LockEntityFeature.OPEN

    def __init__(
        self,
        coordinator: AcsCoordinator,
        description: LockEntityDescription,
        door_id: str,
    ) -> None:
        """Ask for a code when the server has one (options reload the entry)."""
        super().__init__(coordinator, description, door_id)
        if unlock_code_set(coordinator.config_entry):
            self._attr_code_format = UNLOCK_CODE_FORMAT
        self._changed_at: datetime | None = None

    @property
    def is_locked(self) -> bool | None:
        """Return whether the door is closed."""
        state = self.door_state
        if state is None:
            return None
        # The lock's own state where the device reports it apart from the door.
        return not state.is_open if state.locked is None else state.locked

    @property
    def is_open(self) -> bool | None:
        """Return whether the door is open."""
        state = self.door_state
        return None if state is None else state.is_open

    def _fingerprint(self) -> tuple[Any, ...]:
        return (*super()._fingerprint(), self.changed_by)

    @property
    def extra_restore_state_data(self) -> ExtraStoredData:
        """Keep who last opened the door, and when."""
        return RestoredExtraData(
            {
                "changed_by": self._attr_changed_by,
                "changed_at": self._changed_at.isoformat()
                if self._changed_at
                else None,
            }
        )

    async def async_added_to_hass(self) -> None:
        """Restore who last opened the door; follow swipes and commands there."""
        await super().async_added_to_hass()
        if (extra := await self.async_get_last_extra_data()) is not None:
            stored = extra.as_dict()
            changed_by = stored.get("changed_by")
            changed_at = stored.get("changed_at")
            self._attr_changed_by = changed_by if isinstance(changed_by, str) else None
            self._changed_at = (
                dt_util.parse_datetime(changed_at)
                if isinstance(changed_at, str)
                else None
            )
            # Home Assistant writes the state once this method returns.
            self._last_written = self._fingerprint()
        entry_id = self.coordinator.config_entry.entry_id
        # Follow the door's hold-open.
        self.async_on_remove(
            self.runtime.door_modes.async_add_listener(
                self.door_id, self._handle_coordinator_update
            )
        )
        self.async_on_remove(
            async_dispatcher_connect(
                self.hass, door_signal(entry_id, self.door_id), self._async_access
            )
        )
        self.async_on_remove(
            async_dispatcher_connect(
                self.hass,
                door_command_signal(entry_id, self.door_id),
                self._async_command,
            )
        )

    @callback
    def _async_access(self, event_type: str, attributes: dict[str, Any]) -> None:
        """Name the cardholder of a granted swipe."""
        if event_type != AccessEventType.GRANTED:
            return
        who = (
            attributes.get("user_name")
            or attributes.get("user_no")
            or attributes.get("card_no")
        )
        if not who:
            # A granted event that names no one (the device's own record of a
            # remote open, whose user the command's audit named): keep who
            # is known.
            return
        when = dt_util.utcnow()
        if attributes.get("replayed") and isinstance(
            time := attributes.get("time"), str
        ):
            # A swipe delivered late must not hide a later opener.
            when = dt_util.parse_datetime(time) or when
            if self._changed_at is not None and when < self._changed_at:
                return
        self._changed(str(who), when)

    @callback
    def _async_command(self, data: dict[str, Any]) -> None:
        """Name the Home Assistant user behind an accepted remote open."""
        if data.get("result") != CommandResult.ACCEPTED or not opens_door(
            data.get("command", ""), data.get("mode")
        ):
            return
        self._changed(data.get("user_name"), dt_util.utcnow())

    @callback
    def _changed(self, who: str | None, when: datetime) -> None:
        self._changed_at = when
        self._attr_changed_by = who
        self._last_written = self._fingerprint()
        self.async_write_ha_state()

    @property
    def extra_state_attributes(self) -> dict[str, Any] | None:
        """Return the deadline of a hold-open, while the door is held."""
        modes = self.runtime.door_modes
        if (until := modes.hold_until(self.door_id)) is None:
            return None
        return {ATTR_HELD_OPEN_UNTIL: until.isoformat()}

    async def async_lock(self, **kwargs: Any) -> None:
        """Close the door; a hold-open ends first (the door returns to its mode)."""
        code = kwargs.get(ATTR_CODE)
        entry = self.coordinator.config_entry
        await async_check_code(
            self.coordinator,
            entry.runtime_data.code_guard,
            code,
            self._context,
            command=DoorCommand.LOCK,
            door_ids=[self.door_id],
        )
        await entry.runtime_data.door_control.async_end_hold_for_lock(
            self.door_id, self._context
        )
        await self.async_door_command(
            DoorCommand.LOCK,
            lambda: self.coordinator.adapter.close_door(self.door_id),
            check_code=False,
        )

    async def async_unlock(self, **kwargs: Any) -> None:
        """Open the door."""
        await self.async_door_command(
            DoorCommand.UNLOCK,
            lambda: self.coordinator.adapter.open_door(self.door_id),
            code=kwargs.get(ATTR_CODE),
        )

    async def async_open(self, **kwargs: Any) -> None:
        """Open the door."""
        await self.async_door_command(
            DoorCommand.OPEN,
            lambda: self.coordinator.adapter.open_door(self.door_id),
            code=kwargs.get(ATTR_CODE),
        )
