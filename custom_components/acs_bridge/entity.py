"""Base entities of ACS Bridge: hub, controller and door."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable
from typing import Any

from homeassistant.core import callback
from homeassistant.helpers.device_registry import DeviceInfo
from homeassistant.helpers.entity import Entity, EntityDescription
from homeassistant.helpers.entity_platform import AddEntitiesCallback
from homeassistant.helpers.update_coordinator import CoordinatorEntity

from .adapters import Controller, Door, DoorState
from .commands import DoorCommand, async_entity_door_command
from .const import DOMAIN
from .coordinator import AcsCoordinator, AcsData
from .identifiers import (
    HUB_KEY,
    controller_identifier,
    controller_key,
    door_identifier,
    door_key,
    entity_unique_id,
    hub_identifier,
)
from .runtime import AcsConfigEntry, AcsRuntimeData


class AcsEntity(CoordinatorEntity[AcsCoordinator]):
    """An entity fed by the coordinator; it writes its state only when it changed."""

    _attr_has_entity_name = True
    _last_written: tuple[Any, ...] | None = None

    def __init__(
        self,
        coordinator: AcsCoordinator,
        description: EntityDescription,
        object_key: str,
    ) -> None:
        """Name the entity after its object and description."""
        super().__init__(coordinator)
        self.entity_description = description
        self._attr_unique_id = entity_unique_id(
            coordinator.config_entry.entry_id, object_key, description.key
        )

    @property
    def runtime(self) -> AcsRuntimeData:
        """Return the parts of the loaded entry (door modes, controls, events)."""
        entry: AcsConfigEntry = self.coordinator.config_entry
        return entry.runtime_data

    def _fingerprint(self) -> tuple[Any, ...]:
        return (self.available, self.state, repr(self.extra_state_attributes))

    @callback
    def _handle_coordinator_update(self) -> None:
        """Write the state only when what the entity shows has changed."""
        fingerprint = self._fingerprint()
        if fingerprint == self._last_written:
            return
        self._last_written = fingerprint
        super()._handle_coordinator_update()

    async def async_added_to_hass(self) -> None:
        """Remember what was written first."""
        await super().async_added_to_hass()
        self._last_written = self._fingerprint()


class AcsHubEntity(AcsEntity):
    """An entity of the server itself."""

    def __init__(
        self,
        coordinator: AcsCoordinator,
        description: EntityDescription,
        object_key: str = HUB_KEY,
    ) -> None:
        """Attach the entity to the hub device."""
        super().__init__(coordinator, description, object_key)
        self._attr_device_info = DeviceInfo(
            identifiers={(DOMAIN, hub_identifier(coordinator.config_entry.entry_id))},
        )


class AcsControllerEntity(AcsEntity):
    """An entity of one controller."""

    def __init__(
        self,
        coordinator: AcsCoordinator,
        description: EntityDescription,
        controller_id: str,
    ) -> None:
        """Attach the entity to the controller's device."""
        super().__init__(coordinator, description, controller_key(controller_id))
        self.controller_id = controller_id
        entry_id = coordinator.config_entry.entry_id
        self._attr_device_info = DeviceInfo(
            identifiers={(DOMAIN, controller_identifier(entry_id, controller_id))},
        )

    @property
    def controller(self) -> Controller | None:
        """Return the controller, if the server still lists it."""
        return self.coordinator.data.controllers.get(self.controller_id)

    @property
    def available(self) -> bool:
        """Return whether the controller is known and in the server's last listing."""
        return (
            super().available
            and self.controller is not None
            and self.controller_id not in self.coordinator.data.absent_controllers
        )


class AcsDoorEntity(AcsEntity):
    """An entity of one door."""

    def __init__(
        self,
        coordinator: AcsCoordinator,
        description: EntityDescription,
        door_id: str,
    ) -> None:
        """Attach the entity to the door's device."""
        super().__init__(coordinator, description, door_key(door_id))
        self.door_id = door_id
        entry_id = coordinator.config_entry.entry_id
        # The coordinator creates the door's device, with its name and links.
        self._attr_device_info = DeviceInfo(
            identifiers={(DOMAIN, door_identifier(entry_id, door_id))},
        )

    async def async_added_to_hass(self) -> None:
        """Also listen for targeted refreshes of this door."""
        await super().async_added_to_hass()
        self.async_on_remove(
            self.coordinator.async_add_door_listener(
                self.door_id, self._handle_coordinator_update
            )
        )

    @property
    def door(self) -> Door | None:
        """Return the door, if the server still lists it."""
        return self.coordinator.data.doors.get(self.door_id)

    @property
    def door_state(self) -> DoorState | None:
        """Return the door's last known state."""
        return self.coordinator.data.door_states.get(self.door_id)

    @property
    def door_name(self) -> str:
        """Return the door's name as shown to the user."""
        data = self.coordinator.data
        door = data.doors.get(self.door_id)
        return data.door_names.get(self.door_id, door.name if door else self.door_id)

    @property
    def available(self) -> bool:
        """Return whether the door is listed, read and online."""
        state = self.door_state
        return (
            super().available
            and self.door is not None
            and state is not None
            and state.online
        )

    async def async_door_command(
        self,
        command: DoorCommand,
        call: Callable[[], Awaitable[None]],
        *,
        code: str | None = None,
        check_code: bool = True,
        mode: str | None = None,
    ) -> None:
        """Run a command on this door for the caller of the running action.

        The code is checked and the command audited; the door is read at once
        afterwards, and every failure is raised as a translated error naming it.
        """
        await async_entity_door_command(
            self.coordinator,
            self.runtime.code_guard,
            self.door_id,
            command,
            call,
            context=self._context,
            code=code,
            check_code=check_code,
            mode=mode,
        )


def add_entities_for_new_objects(
    coordinator: AcsCoordinator,
    async_add_entities: AddEntitiesCallback,
    objects: Callable[[AcsData], Iterable[str]],
    build: Callable[[str], Iterable[Entity]],
) -> Callable[[], None]:
    """Add entities for the objects the server lists now and whenever new ones appear.

    Returns the function that removes the listener.
    """
    known: set[str] = set()

    @callback
    def _add_new() -> None:
        current = list(objects(coordinator.data))
        # An object missing from one listing is kept by the coordinator, so its
        # entities stay. One gone for good has its device (and entities)
        # removed; should it come back, its entities are added again.
        known.intersection_update(current)
        new = [key for key in current if key not in known]
        if not new:
            return
        known.update(new)
        async_add_entities([entity for key in new for entity in build(key)])

    _add_new()
    return coordinator.async_add_listener(_add_new)


def add_door_entities(
    entry: AcsConfigEntry,
    async_add_entities: AddEntitiesCallback,
    build: Callable[[str], Iterable[Entity]],
) -> None:
    """Add a door platform's entities for every door, now and as doors appear.

    New doors are followed until the entry unloads.
    """
    entry.async_on_unload(
        add_entities_for_new_objects(
            entry.runtime_data.coordinator,
            async_add_entities,
            lambda data: data.doors,
            build,
        )
    )
