"""Typed, immutable models shared by every access-control adapter.

Values are normalised by the adapter that builds them: identifiers have one
type, times are timezone-aware, codes are named, and optional text that the
server sends as an empty string is ``None``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, tzinfo
from enum import IntEnum, StrEnum
from typing import Any


class Capability(StrEnum):
    """What an adapter can do beyond listing and commanding doors."""

    AREAS = "areas"
    DOOR_STATE = "door_state"
    DOOR_COMMANDS = "door_commands"
    WORK_MODE = "work_mode"
    REALTIME_EVENTS = "realtime_events"
    RECORDS = "records"
    PASSAGES = "passages"
    ALARMS = "alarms"
    PEOPLE = "people"
    AREA_PEOPLE = "area_people"
    DIRECTORY = "directory"
    WORK_MODE_STATE = "work_mode_state"
    """The device reports each door's mode (``DoorState.work_mode``)."""


class WorkMode(StrEnum):
    """What a user can choose as a door's working mode.

    Semantic: each plugin maps its own numbers or words onto these, and each
    door lists the modes its device offers (:attr:`Door.work_modes`).
    """

    AUTO = "auto"
    """The door follows its schedule and its readers (normal operation)."""
    CARD = "card"
    CARD_AND_PASSWORD = "card_and_password"  # noqa: S105 - a mode, not a secret
    CARD_OR_PASSWORD = "card_or_password"  # noqa: S105 - a mode, not a secret
    NORMALLY_OPEN = "normally_open"
    NORMALLY_CLOSED = "normally_closed"
    CARD_DATA = "card_data"


class AccessMethod(StrEnum):
    """How a person proved who they are at a door."""

    CARD = "card"
    FACE = "face"
    FINGERPRINT = "fingerprint"
    PASSWORD = "password"  # noqa: S105 - a method, not a secret
    QR = "qr"
    REMOTE = "remote"
    BUTTON = "button"
    OTHER = "other"


class AccessReason(StrEnum):
    """Why an access attempt was granted or refused."""

    GRANTED = "granted"
    CARD_NOT_FOUND = "card_not_found"
    CARD_EXPIRED = "card_expired"
    NO_PERMISSION = "no_permission"
    OUTSIDE_SCHEDULE = "outside_schedule"
    HOLIDAY = "holiday"
    WRONG_PASSWORD = "wrong_password"  # noqa: S105 - a reason, not a secret
    SUPER_PASSWORD_DISABLED = "super_password_disabled"  # noqa: S105 - a reason
    INTERLOCK = "interlock"
    MULTI_CARD = "multi_card"
    ANTI_PASSBACK = "anti_passback"
    NO_SWIPES_LEFT = "no_swipes_left"
    CONTROLLER_ASLEEP = "controller_asleep"
    UNKNOWN = "unknown"


class Direction(StrEnum):
    """Direction of a passage through a door."""

    IN = "in"
    OUT = "out"


class CardState(IntEnum):
    """State of a card."""

    UNKNOWN = 0
    NORMAL = 1
    LOST = 2


class AccessType(IntEnum):
    """How a person identified themself at a passage."""

    UNKNOWN = 0
    CARD = 1
    FACE = 2
    PLATE = 3


class RecordKind(StrEnum):
    """Which record log to read."""

    ACCESS = "access"
    """Every access-control event, swipes included."""
    SWIPE = "swipe"
    """Card swipes only."""


class AlarmFilter(StrEnum):
    """Which records to read by their alarm flag."""

    EXCLUDE = "exclude"
    ONLY = "only"
    INCLUDE = "include"


@dataclass(frozen=True, slots=True, kw_only=True)
class AdapterConfig:
    """How to reach and log in to a server."""

    host: str
    port: int
    username: str = ""
    password: str = ""
    ssl: bool = False
    verify_ssl: bool = True
    time_zone: tzinfo
    request_timeout: float = 10.0
    max_concurrent_requests: int = 8
    command_password: str = ""
    """A password door commands need of their own (some devices), or empty."""
    login_state: Mapping[str, Any] | None = None
    """What the adapter kept of refused logins before a restart (see
    :meth:`AcsAdapter.login_state`)."""

    def __repr__(self) -> str:
        """Never show the passwords."""
        return (
            f"AdapterConfig(host={self.host!r}, port={self.port}, "
            f"username={self.username!r}, password='***', ssl={self.ssl})"
        )


@dataclass(frozen=True, slots=True, kw_only=True)
class Area:
    """An area of the site; areas form a tree."""

    id: int
    name: str
    code: str | None = None
    parent_id: int | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class Controller:
    """An access controller; it drives one or more doors."""

    id: str
    name: str
    area_id: int | None = None
    area_name: str | None = None
    serial: str | None = None
    address: str | None = None
    online: bool = True
    comm_error: str | None = None
    model: str = "Access controller"
    manufacturer: str | None = None
    """None: the adapter's manufacturer."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Door:
    """A door of a controller."""

    id: str
    name: str
    controller_id: str
    controller_name: str | None = None
    area_id: int | None = None
    area_name: str | None = None
    address: str | None = None
    model: str = "Door"
    work_modes: tuple[WorkMode, ...] = ()
    """The work modes this door's device offers, in the order a user sees them."""


@dataclass(frozen=True, slots=True, kw_only=True)
class DeviceDescription:
    """The server or device an adapter is connected to, as the hub device shows it."""

    manufacturer: str
    model: str
    serial: str | None = None
    firmware: str | None = None
    mac: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class DoorState:
    """The live state of a door."""

    door_id: str
    online: bool
    is_open: bool
    """The door is open (unlocked): what the lock and, without a contact, the door show."""
    locked: bool | None = None
    """The lock's own state, where the device reports it apart from the contact."""
    contact_open: bool | None = None
    """The door contact (magnetic sensor), where the device reports it apart."""
    work_mode: WorkMode | None = None
    """The mode the device reports the door in (None: it does not say)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class AccessEvent:
    """An access event: seen live, or read from the server's stored records.

    One shape for both. ``key`` identifies the event for de-duplication (the
    adapter makes it; the same event always gets the same key); ``event_id``
    and ``record_id`` are the protocol's own ids of the event, when it has them.
    ``event_code`` and ``reason_code`` are the vendor's codes: kept for
    automations, opaque to the integration.
    """

    time: datetime | None
    name: str
    key: str = ""
    event_id: int | str | None = None
    """The protocol's id of the event as seen live (None: read from the records)."""
    record_id: int | None = None
    """The stored record's id, when the event was read from the records."""
    controller_id: str | None = None
    controller_name: str | None = None
    door_id: str | None = None
    door_name: str | None = None
    area_id: int | None = None
    area_name: str | None = None
    event_code: int | str | None = None
    method: AccessMethod | None = None
    """How the person identified themself (None: unknown)."""
    direction: Direction | None = None
    is_swipe: bool = False
    is_door_open: bool = False
    is_alarm: bool = False
    reason: AccessReason = AccessReason.GRANTED
    reason_code: int = 0
    card_no: str | None = None
    card_name: str | None = None
    card_state: CardState = CardState.UNKNOWN
    card_group: str | None = None
    card_type: str | None = None
    user_id: int | None = None
    user_no: str | None = None
    user_name: str | None = None
    user_type_id: int | None = None
    org_id: int | None = None
    org_name: str | None = None
    plate_number: str | None = None
    alarm_class: str | None = None
    forced: bool = False
    """The door was forced open (the adapter knows its server's code for it)."""

    @property
    def granted(self) -> bool:
        """Return whether access was granted."""
        return self.reason is AccessReason.GRANTED and not self.is_alarm


@dataclass(frozen=True, slots=True, kw_only=True)
class Passage:
    """A passage of a person by card, face or licence plate."""

    time: datetime | None
    name: str
    event_code: int | None = None
    controller_id: str | None = None
    controller_name: str | None = None
    area_id: int | None = None
    area_name: str | None = None
    direction: Direction | None = None
    access_type: AccessType = AccessType.UNKNOWN
    credential: str | None = None
    user_id: int | None = None
    user_no: str | None = None
    user_name: str | None = None
    org_name: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class Alarm:
    """An alarm the server lists as not yet acknowledged and not cleared."""

    alarm_id: int
    event_id: int | None
    time: datetime | None
    name: str
    event_code: int | str | None = None
    controller_id: str | None = None
    controller_name: str | None = None
    door_id: str | None = None
    door_name: str | None = None
    area_id: int | None = None
    area_name: str | None = None
    level: str | None = None
    priority: int | None = None
    reason: AccessReason = AccessReason.GRANTED
    reason_code: int = 0
    card_no: str | None = None
    user_id: int | None = None
    user_no: str | None = None
    user_name: str | None = None
    org_name: str | None = None
    acknowledged: bool = False
    cleared: bool = False
    recovered: bool = False
    forced: bool = False
    """The alarm is a door forced open."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Person:
    """A person (user) known to the server."""

    user_id: int | None
    user_no: str | None
    name: str
    sex: int | None = None
    org_id: int | None = None
    org_name: str | None = None
    person_type_id: int | None = None
    person_type_name: str | None = None
    enabled: bool = True
    email: str | None = None
    mobile: str | None = None
    id_card: str | None = None
    job_position: str | None = None
    plate_number: str | None = None
    company: str | None = None
    remark: str | None = None
    created: datetime | None = None
    modified: datetime | None = None
    expires: datetime | None = None
    card_state: CardState = CardState.UNKNOWN
    card_count: int = 0
    card_nos: tuple[str, ...] = ()
    card_expires: datetime | None = None
    card_type_id: int | None = None
    card_group_id: int | None = None
    photo_url: str | None = None
    face_url: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class AreaPerson:
    """A person currently inside an area, with the event that put them there."""

    record_id: int
    time: datetime | None
    area_id: int | None
    area_name: str | None = None
    controller_id: str | None = None
    controller_name: str | None = None
    door_id: str | None = None
    door_name: str | None = None
    event_code: int | None = None
    event_name: str | None = None
    card_no: str | None = None
    card_state: CardState = CardState.UNKNOWN
    card_type: str | None = None
    card_group: str | None = None
    user_id: int | None = None
    user_no: str | None = None
    user_name: str | None = None
    org_id: int | None = None
    org_name: str | None = None
    person_type_id: int | None = None
    person_type_name: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class PersonType:
    """A type of person (staff, visitor, vehicle, ...)."""

    id: int
    name: str


@dataclass(frozen=True, slots=True, kw_only=True)
class Organisation:
    """An organisation (department)."""

    id: int
    name: str
    code: str | None = None
    parent_id: int | None = None
    parent_name: str | None = None
    created: datetime | None = None
    modified: datetime | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class CardGroup:
    """A group of cards."""

    id: int
    name: str


@dataclass(frozen=True, slots=True, kw_only=True)
class CardType:
    """A type of card (Wiegand 26, face, ...)."""

    id: int
    name: str
