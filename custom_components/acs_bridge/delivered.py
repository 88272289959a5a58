"""An access event as the integration delivers it: its bus data and event type.

The shape every adapter's events share once delivered: the ``acs_bridge_access``
bus event, the door event entity's attributes, the logbook's event type.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Final

from .adapters import AccessEvent, AccessReason


class AccessEventType(StrEnum):
    """The event types of a door's access event entity."""

    GRANTED = "granted"
    DENIED = "denied"
    ALARM = "alarm"


def access_event_type(reason: str | None, is_alarm: bool) -> AccessEventType:
    """Return the event type of an access event: denied, else alarm, else granted."""
    if reason != AccessReason.GRANTED:
        return AccessEventType.DENIED
    if is_alarm:
        return AccessEventType.ALARM
    return AccessEventType.GRANTED


#: The fields of an access event that its door's event entity shows.
DISPATCHER_FIELDS: Final = (
    "user_name",
    "user_no",
    "org_name",
    "card_no",
    "reason",
    "direction",
    "name",
    "time",
    "replayed",
)


@dataclass(frozen=True, slots=True)
class DeliveredAccess:
    """One access event as it is delivered: live, or replayed."""

    event: AccessEvent
    replayed: bool = False

    @property
    def event_type(self) -> str:
        """Return the door event entity's event type."""
        return access_event_type(self.event.reason, self.event.is_alarm).value

    def fields(self) -> dict[str, Any]:
        """Return the event's public fields, as the bus event and the entity give them.

        ``code`` and ``reason_code`` are the vendor's own: passed on, never read.
        """
        event = self.event
        return {
            "door_id": event.door_id,
            "controller_id": event.controller_id,
            "event_id": event.event_id,
            "record_id": event.record_id,
            "time": event.time.isoformat() if event.time else None,
            "code": event.event_code,
            "name": event.name,
            "granted": event.granted,
            "reason": event.reason.value,
            "reason_code": event.reason_code,
            "method": event.method.value if event.method else None,
            "card_no": event.card_no,
            "user_no": event.user_no,
            "user_name": event.user_name,
            "org_name": event.org_name,
            "direction": event.direction.value if event.direction else None,
            "is_alarm": event.is_alarm,
            "forced": event.forced,
            "replayed": self.replayed,
        }

    def bus_data(
        self,
        *,
        entry_id: str,
        device_id: str | None,
        entity_id: str | None,
        door_name: str | None,
        fields: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        """Return the data of the ``acs_bridge_access`` bus event."""
        return {
            "entry_id": entry_id,
            "device_id": device_id,
            "entity_id": entity_id,
            "door_name": door_name,
            **(fields or self.fields()),
        }

    def dispatcher_payload(
        self, fields: dict[str, Any] | None = None
    ) -> dict[str, Any]:
        """Return the attributes the door's event entity shows."""
        fields = fields or self.fields()
        return {key: fields[key] for key in DISPATCHER_FIELDS}
