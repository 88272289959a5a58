"""Typed results of the ISAPI calls (the protocol's own view, not the shared models).

Times are the DEVICE's times as it reported them: aware when the device gave
an offset, naive when it did not (the caller picks the zone); the time an
event was received is kept apart (:class:`StreamItem.received_at`). No model
holds a password: ``Door/param`` answers carry door passwords, which the
mapper drops.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import IntEnum, StrEnum

__all__ = [
    "AccessControlCapabilities",
    "DeviceInfo",
    "DoorCapabilities",
    "DoorMode",
    "DoorParam",
    "DoorStatus",
    "EventPage",
    "EventSearchCapabilities",
    "IsapiEvent",
    "LockStatus",
    "MagneticStatus",
    "SearchStatus",
    "StreamItem",
    "StreamItemKind",
    "User",
    "UserPage",
    "WorkStatus",
]


@dataclass(frozen=True, slots=True, kw_only=True)
class DeviceInfo:
    """``/ISAPI/System/deviceInfo``: who the device is."""

    name: str | None
    model: str | None
    serial: str | None
    mac: str | None = None
    firmware: str | None = None
    firmware_date: str | None = None
    device_type: str | None = None
    sub_device_type: str | None = None
    electro_lock_num: int | None = None
    """Local locks (doors) on controllers that report it."""


@dataclass(frozen=True, slots=True, kw_only=True)
class AccessControlCapabilities:
    """``/ISAPI/AccessControl/capabilities``: feature flags only (no door count)."""

    flags: frozenset[str] = frozenset()
    """The names of every ``isSupport...`` flag that is true."""

    def supports(self, name: str) -> bool:
        """Return whether a flag (``isSupportAcsEvent`` or ``AcsEvent``) is true."""
        return name in self.flags or f"isSupport{name}" in self.flags

    @property
    def remote_control_password_check(self) -> bool:
        """Return whether the device can require a remote-control password."""
        # "Chcek" is the device's spelling; the corrected one is accepted too.
        return self.supports("RemoteControlPWChcek") or self.supports(
            "RemoteControlPWCheck"
        )


@dataclass(frozen=True, slots=True, kw_only=True)
class DoorCapabilities:
    """``RemoteControl/door/capabilities``: the doors and their commands."""

    door_min: int = 1
    door_max: int | None = None
    commands: tuple[str, ...] = ()
    """``cmd@opt``: ``open``, ``close``, ``alwaysOpen``, ``alwaysClose``, ..."""
    password_supported: bool = False
    """The command takes a ``<password>`` (a remote-control password)."""
    password_min: int | None = None
    password_max: int | None = None

    @property
    def door_count(self) -> int | None:
        """Return the number of doors (``doorNo@max``), if known."""
        if self.door_max is None or self.door_max < 1:
            return None
        return self.door_max

    @property
    def password_required(self) -> bool:
        """Return whether a password must be sent (its minimum length is above 0)."""
        return self.password_min is not None and self.password_min > 0


@dataclass(frozen=True, slots=True, kw_only=True)
class EventSearchCapabilities:
    """``AcsEvent/capabilities``: what the event search accepts."""

    max_results: int | None = None
    serial_range: bool = False
    """``beginSerialNo``/``endSerialNo`` exist: search by serial, not time."""
    time_reverse_order: bool = False
    card_no: bool = False
    name: bool = False
    employee_no: bool = False
    minors: dict[str, tuple[int, ...]] = field(default_factory=dict)
    """``minorAlarm``, ``minorException``, ``minorOperation``, ``minorEvent``."""


@dataclass(frozen=True, slots=True, kw_only=True)
class DoorParam:
    """``Door/param/<n>``: a door's name and settings (NEVER its passwords)."""

    door_no: int
    name: str | None
    open_duration: int | None = None
    """Seconds the lock stays open after an access."""


class LockStatus(IntEnum):
    """``doorLockStatus``: the lock relay."""

    UNKNOWN = -1
    LOCKED = 0
    UNLOCKED = 1
    SHORT_CIRCUIT = 2
    OPEN_CIRCUIT = 3
    EXCEPTION = 4


class MagneticStatus(IntEnum):
    """``magneticStatus``: the door contact."""

    UNKNOWN = -1
    CLOSED = 0
    OPEN = 1
    SHORT_CIRCUIT = 2
    OPEN_CIRCUIT = 3
    EXCEPTION = 4


class DoorMode(IntEnum):
    """``doorStatus``: the door's work mode."""

    UNKNOWN = -1
    SLEEP = 1
    REMAIN_OPEN = 2
    REMAIN_CLOSED = 3
    NORMAL = 4


@dataclass(frozen=True, slots=True, kw_only=True)
class DoorStatus:
    """The live state of one door (one entry of the ``AcsWorkStatus`` arrays)."""

    door_no: int
    lock: LockStatus
    magnetic: MagneticStatus
    mode: DoorMode


@dataclass(frozen=True, slots=True, kw_only=True)
class WorkStatus:
    """``AcsWorkStatus``: the doors (only the real ones) and device-wide fields."""

    doors: tuple[DoorStatus, ...]
    power_supply: str | None = None
    host_tamper: str | None = None
    """``hostAntiDismantleStatus`` (``open``: the case is open)."""
    card_readers_online: tuple[int, ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class IsapiEvent:
    """An access-control event, from the search or from the alert stream.

    ``time`` is the device's time (naive when it sent no offset);
    ``current_verify_mode`` is the reader's CONFIGURED mode, raw: it does not
    say how this person was verified (the minor code does).
    """

    major: int
    minor: int
    serial_no: int | None
    time: datetime | None
    door_no: int | None = None
    card_reader_no: int | None = None
    card_no: str | None = None
    card_type: int | None = None
    employee_no: str | None = None
    name: str | None = None
    user_type: str | None = None
    current_verify_mode: str | None = None
    current_event: bool | None = None
    """Stream only: False for history the device re-sends on connect."""
    front_serial_no: int | None = None
    picture_url: str | None = None
    pictures_number: int | None = None
    net_user: str | None = None
    remote_host: str | None = None


class SearchStatus(StrEnum):
    """``responseStatusStrg`` of a search page."""

    OK = "OK"
    MORE = "MORE"
    NO_MATCH = "NO MATCH"


@dataclass(frozen=True, slots=True, kw_only=True)
class EventPage:
    """One page of an event search."""

    status: SearchStatus
    num_of_matches: int
    total_matches: int | None
    events: tuple[IsapiEvent, ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class User:
    """A person (``UserInfo``); ``employee_no`` is the person's number."""

    employee_no: str
    name: str | None = None
    user_type: str | None = None
    valid_enabled: bool | None = None
    valid_from: datetime | None = None
    valid_to: datetime | None = None
    door_right: str | None = None
    num_of_card: int | None = None
    num_of_face: int | None = None
    num_of_fp: int | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class UserPage:
    """One page of a user search."""

    status: SearchStatus
    num_of_matches: int
    total_matches: int | None
    users: tuple[User, ...]


class StreamItemKind(StrEnum):
    """What an alert-stream part was."""

    EVENT = "event"
    HEARTBEAT = "heartbeat"


@dataclass(frozen=True, slots=True, kw_only=True)
class StreamItem:
    """One useful part of the alert stream."""

    kind: StreamItemKind
    event: IsapiEvent | None
    received_at: datetime
    """When the part was complete, aware UTC (this host's clock, not the device's)."""
