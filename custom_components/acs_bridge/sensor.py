"""Sensors: people in each area, unconfirmed alarms, time of the last poll."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from homeassistant.components.sensor import (
    SensorDeviceClass,
    SensorEntity,
    SensorEntityDescription,
    SensorStateClass,
)
from homeassistant.const import EntityCategory
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddEntitiesCallback

from .adapters import Capability
from .coordinator import AcsCoordinator, AcsData
from .entity import AcsHubEntity, add_entities_for_new_objects
from .identifiers import area_key
from .runtime import AcsConfigEntry

PARALLEL_UPDATES = 0


@dataclass(frozen=True, kw_only=True)
class HubSensorDescription(SensorEntityDescription):
    """A sensor of the server."""

    value_fn: Callable[[AcsData], int | datetime | None]
    capability: Capability | None = None


HUB_SENSORS: tuple[HubSensorDescription, ...] = (
    HubSensorDescription(
        key="unconfirmed_alarms",
        translation_key="unconfirmed_alarms",
        state_class=SensorStateClass.MEASUREMENT,
        value_fn=lambda data: len(data.alarms),
        capability=Capability.ALARMS,
    ),
    HubSensorDescription(
        key="last_poll",
        translation_key="last_poll",
        device_class=SensorDeviceClass.TIMESTAMP,
        entity_category=EntityCategory.DIAGNOSTIC,
        # The event feed binary sensor says whether events arrive; this one
        # is for diagnosis only.
        entity_registry_enabled_default=False,
        value_fn=lambda data: data.last_success,
    ),
)

AREA_PEOPLE = SensorEntityDescription(
    key="people",
    translation_key="area_people",
    state_class=SensorStateClass.MEASUREMENT,
)


async def async_setup_entry(
    hass: HomeAssistant,
    entry: AcsConfigEntry,
    async_add_entities: AddEntitiesCallback,
) -> None:
    """Add the server's sensors and one head count per area."""
    coordinator = entry.runtime_data.coordinator
    adapter = coordinator.adapter
    async_add_entities(
        AcsHubSensor(coordinator, description)
        for description in HUB_SENSORS
        if description.capability is None or adapter.supports(description.capability)
    )
    if adapter.supports(Capability.AREA_PEOPLE):
        entry.async_on_unload(
            add_entities_for_new_objects(
                coordinator,
                async_add_entities,
                lambda data: [str(area_id) for area_id in data.areas],
                lambda area_id: [AcsAreaPeopleSensor(coordinator, int(area_id))],
            )
        )


class AcsHubSensor(AcsHubEntity, SensorEntity):
    """A sensor of the server."""

    entity_description: HubSensorDescription

    @property
    def available(self) -> bool:
        """Stay available while the server is down: the last poll time says so."""
        if self.entity_description.key == "last_poll":
            return self.coordinator.data is not None
        return super().available

    @property
    def native_value(self) -> int | datetime | None:
        """Return the sensor's value."""
        return self.entity_description.value_fn(self.coordinator.data)


class AcsAreaPeopleSensor(AcsHubEntity, SensorEntity):
    """How many people are in an area, its sub-areas included."""

    def __init__(self, coordinator: AcsCoordinator, area_id: int) -> None:
        """Attach the sensor to the hub and name it after the area."""
        super().__init__(coordinator, AREA_PEOPLE, area_key(area_id))
        self.area_id = area_id
        self._attr_translation_placeholders = {
            "area": coordinator.data.areas[area_id].name
        }

    @property
    def available(self) -> bool:
        """Return whether the area is still listed."""
        return super().available and self.area_id in self.coordinator.data.areas

    @property
    def native_value(self) -> int | None:
        """Return the head count."""
        return self.coordinator.data.area_people.get(self.area_id)
