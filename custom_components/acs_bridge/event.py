"""Each door's access events as an event entity: granted, denied or alarm."""

from __future__ import annotations

from typing import Any

from homeassistant.components.event import EventEntity, EventEntityDescription
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers.dispatcher import async_dispatcher_connect
from homeassistant.helpers.entity_platform import AddEntitiesCallback

from .access_pipeline import ACCESS_EVENT_KEY
from .adapters import Capability
from .const import door_signal
from .delivered import AccessEventType
from .entity import AcsDoorEntity, add_door_entities
from .runtime import AcsConfigEntry

PARALLEL_UPDATES = 0

ACCESS_EVENT = EventEntityDescription(
    key=ACCESS_EVENT_KEY,
    translation_key="access",
    event_types=[event_type.value for event_type in AccessEventType],
)


async def async_setup_entry(
    hass: HomeAssistant,
    entry: AcsConfigEntry,
    async_add_entities: AddEntitiesCallback,
) -> None:
    """Add an access event entity for each door."""
    coordinator = entry.runtime_data.coordinator
    if not coordinator.adapter.supports(Capability.REALTIME_EVENTS):
        return
    add_door_entities(
        entry,
        async_add_entities,
        lambda door_id: [AcsAccessEvent(coordinator, ACCESS_EVENT, door_id)],
    )


class AcsAccessEvent(AcsDoorEntity, EventEntity):
    """The access events of a door."""

    @property
    def available(self) -> bool:
        """Return whether the door is listed (events arrive whatever its state)."""
        return self.coordinator.last_update_success and self.door is not None

    def _fingerprint(self) -> tuple[Any, ...]:
        # An event entity's state is its last event; coordinator polls change
        # only its availability.
        return (self.available,)

    async def async_added_to_hass(self) -> None:
        """Listen for this door's events."""
        await super().async_added_to_hass()
        self.async_on_remove(
            async_dispatcher_connect(
                self.hass,
                door_signal(self.coordinator.config_entry.entry_id, self.door_id),
                self._async_handle_access,
            )
        )

    @callback
    def _async_handle_access(self, event_type: str, attributes: dict[str, Any]) -> None:
        """Fire one access event."""
        self._trigger_event(event_type, attributes)
        self.async_write_ha_state()
