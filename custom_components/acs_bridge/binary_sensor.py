"""Binary sensors: door contacts, controller connectivity, the server's event feed."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from homeassistant.components.binary_sensor import (
    BinarySensorDeviceClass,
    BinarySensorEntity,
    BinarySensorEntityDescription,
)
from homeassistant.const import EntityCategory
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddEntitiesCallback

from .adapters import Capability, Controller, DoorState
from .entity import (
    AcsControllerEntity,
    AcsDoorEntity,
    AcsHubEntity,
    add_door_entities,
    add_entities_for_new_objects,
)
from .runtime import AcsConfigEntry

PARALLEL_UPDATES = 0


@dataclass(frozen=True, kw_only=True)
class DoorBinarySensorDescription(BinarySensorEntityDescription):
    """A binary sensor read from a door's state."""

    value_fn: Callable[[DoorState], bool]


@dataclass(frozen=True, kw_only=True)
class ControllerBinarySensorDescription(BinarySensorEntityDescription):
    """A binary sensor read from a controller."""

    value_fn: Callable[[Controller], bool]
    attributes_fn: Callable[[Controller], Mapping[str, Any]] = lambda _: {}


DOOR_SENSORS: tuple[DoorBinarySensorDescription, ...] = (
    DoorBinarySensorDescription(
        key="door",
        device_class=BinarySensorDeviceClass.DOOR,
        # The door contact where the device reports it apart from the lock.
        value_fn=lambda state: (
            state.is_open if state.contact_open is None else state.contact_open
        ),
    ),
)

CONTROLLER_SENSORS: tuple[ControllerBinarySensorDescription, ...] = (
    ControllerBinarySensorDescription(
        key="connectivity",
        device_class=BinarySensorDeviceClass.CONNECTIVITY,
        entity_category=EntityCategory.DIAGNOSTIC,
        value_fn=lambda controller: controller.online,
        attributes_fn=lambda controller: {"communication_error": controller.comm_error},
    ),
)

EVENT_FEED = BinarySensorEntityDescription(
    key="event_feed",
    translation_key="event_feed",
    device_class=BinarySensorDeviceClass.PROBLEM,
    entity_category=EntityCategory.DIAGNOSTIC,
)


async def async_setup_entry(
    hass: HomeAssistant,
    entry: AcsConfigEntry,
    async_add_entities: AddEntitiesCallback,
) -> None:
    """Add the binary sensors of doors and controllers."""
    coordinator = entry.runtime_data.coordinator
    if coordinator.adapter.supports(Capability.REALTIME_EVENTS):
        async_add_entities([AcsEventFeedSensor(coordinator, EVENT_FEED)])
    if coordinator.adapter.supports(Capability.DOOR_STATE):
        add_door_entities(
            entry,
            async_add_entities,
            lambda door_id: [
                AcsDoorBinarySensor(coordinator, description, door_id)
                for description in DOOR_SENSORS
            ],
        )
    entry.async_on_unload(
        add_entities_for_new_objects(
            coordinator,
            async_add_entities,
            lambda data: data.controllers,
            lambda controller_id: [
                AcsControllerBinarySensor(coordinator, description, controller_id)
                for description in CONTROLLER_SENSORS
            ],
        )
    )


class AcsDoorBinarySensor(AcsDoorEntity, BinarySensorEntity):
    """A binary sensor of a door."""

    entity_description: DoorBinarySensorDescription

    @property
    def is_on(self) -> bool | None:
        """Return the sensor's value."""
        state = self.door_state
        return None if state is None else self.entity_description.value_fn(state)


class AcsControllerBinarySensor(AcsControllerEntity, BinarySensorEntity):
    """A binary sensor of a controller."""

    entity_description: ControllerBinarySensorDescription

    @property
    def is_on(self) -> bool | None:
        """Return the sensor's value."""
        controller = self.controller
        return (
            None if controller is None else self.entity_description.value_fn(controller)
        )

    @property
    def extra_state_attributes(self) -> Mapping[str, Any] | None:
        """Return the controller's communication error."""
        controller = self.controller
        return (
            None
            if controller is None
            else self.entity_description.attributes_fn(controller)
        )


class AcsEventFeedSensor(AcsHubEntity, BinarySensorEntity):
    """On while the server's real-time event cache is not being read."""

    @property
    def available(self) -> bool:
        """Stay available while the server is down: that is what it shows."""
        return True

    @property
    def is_on(self) -> bool:
        """Return whether the feed is down."""
        return self.runtime.events.feed.down

    async def async_added_to_hass(self) -> None:
        """Also write the state when the feed goes down or comes back."""
        await super().async_added_to_hass()
        feed = self.runtime.events.feed
        self.async_on_remove(feed.async_add_listener(self.async_write_ha_state))
