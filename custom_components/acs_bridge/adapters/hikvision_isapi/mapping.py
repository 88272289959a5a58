"""ISAPI models to the interface's: events, door states, work modes, alarms.

What an event means comes from its (major, minor) code (``codes.py``), never
from ``currentVerifyMode`` (the reader's configured mode). The vendor code goes
out as ``"major/minor"``: minor numbers collide across majors.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, tzinfo
from typing import Final

from ..events import DoorChange  # noqa: TID252
from ..models import (  # noqa: TID252
    AccessEvent,
    AccessReason,
    Alarm,
    DoorState,
    WorkMode,
)
from .codes import CodeInfo, EventKind, code_string, describe
from .models import DoorMode, DoorStatus, IsapiEvent, LockStatus, MagneticStatus

#: The work modes every door offers, and the commands they are.
DOOR_WORK_MODES: Final = (
    WorkMode.AUTO,
    WorkMode.NORMALLY_OPEN,
    WorkMode.NORMALLY_CLOSED,
)
MODE_COMMANDS: Final = {
    WorkMode.NORMALLY_OPEN: "alwaysOpen",
    WorkMode.NORMALLY_CLOSED: "alwaysClose",
}
#: ``doorStatus`` to a work mode; sleep and unknown are no mode.
_MODES: Final = {
    DoorMode.NORMAL: WorkMode.AUTO,
    DoorMode.REMAIN_OPEN: WorkMode.NORMALLY_OPEN,
    DoorMode.REMAIN_CLOSED: WorkMode.NORMALLY_CLOSED,
}
#: Kinds delivered as access events (the rest move doors or are internal).
ACCESS_KINDS: Final = frozenset(
    {
        EventKind.ACCESS,
        EventKind.FORCED_OPEN,
        EventKind.HELD_OPEN,
        EventKind.DURESS,
        EventKind.TAMPER_DEVICE,
        EventKind.TAMPER_READER,
        EventKind.OTHER,
    }
)
#: Kinds that are alarms.
ALARM_KINDS: Final = frozenset(
    {
        EventKind.FORCED_OPEN,
        EventKind.HELD_OPEN,
        EventKind.DURESS,
        EventKind.TAMPER_DEVICE,
        EventKind.TAMPER_READER,
    }
)


def work_mode_command(mode: WorkMode, commands: tuple[str, ...]) -> str | None:
    """Return the command that puts a door in ``mode`` (None: not offered).

    Back to normal is ``resume`` where the device lists it, else ``close``
    (the SDK's "remote close door (controlled)").
    """
    if mode is WorkMode.AUTO:
        return "resume" if "resume" in commands else "close"
    return MODE_COMMANDS.get(mode)


def door_state(status: DoorStatus) -> DoorState:
    """Return a door's state: the lock relay, the contact and the mode apart."""
    locked = {LockStatus.LOCKED: True, LockStatus.UNLOCKED: False}.get(status.lock)
    contact = {MagneticStatus.CLOSED: False, MagneticStatus.OPEN: True}.get(
        status.magnetic
    )
    return DoorState(
        door_id=str(status.door_no),
        online=True,
        is_open=locked is False,
        locked=locked,
        contact_open=contact,
        work_mode=_MODES.get(status.mode),
    )


def local_time(when: datetime | None, zone: tzinfo) -> datetime | None:
    """Return the device's time, aware (a time without offset is in ``zone``)."""
    if when is None or when.tzinfo is not None:
        return when
    return when.replace(tzinfo=zone)


def event_key(event: IsapiEvent) -> str:
    """Return the de-duplication key: serial, code and device time.

    A serial restart (a log wipe) reuses serials with other codes and times.
    """
    when = event.time.isoformat() if event.time else ""
    return f"{event.serial_no}|{code_string(event.major, event.minor)}|{when}"


def access_event(
    event: IsapiEvent, info: CodeInfo, zone: tzinfo, controller_id: str | None
) -> AccessEvent:
    """Return the interface's access event of an ISAPI event."""
    card_no = (event.card_no or "").strip() or None
    return AccessEvent(
        key=event_key(event),
        event_id=event.serial_no,
        time=local_time(event.time, zone),
        name=info.label,
        controller_id=controller_id,
        door_id=str(event.door_no) if event.door_no else None,
        event_code=code_string(event.major, event.minor),
        method=info.method,
        is_alarm=info.kind in ALARM_KINDS,
        forced=info.kind is EventKind.FORCED_OPEN,
        reason=info.reason or AccessReason.GRANTED,
        card_no=card_no,
        user_no=event.employee_no or None,
        user_name=event.name or None,
    )


@dataclass(frozen=True, slots=True)
class EventMeaning:
    """What one event does: an access event, a door change, an alarm raised or ended."""

    access: AccessEvent | None = None
    door: DoorChange | None = None
    alarm_raised: Alarm | None = None
    alarm_scope: tuple[str, str] | None = None
    """Which open alarm this raises or ends: (kind, door or reader)."""
    ends: tuple[tuple[str, str], ...] = ()


def _scope_of(info: CodeInfo, event: IsapiEvent) -> tuple[str, str] | None:
    kind = info.kind
    if kind in (EventKind.FORCED_OPEN, EventKind.HELD_OPEN):
        return (kind.value, str(event.door_no or ""))
    if kind in (EventKind.TAMPER_DEVICE, EventKind.TAMPER_DEVICE_END):
        return (EventKind.TAMPER_DEVICE.value, "")
    if kind in (EventKind.TAMPER_READER, EventKind.TAMPER_READER_END):
        return (EventKind.TAMPER_READER.value, str(event.card_reader_no or ""))
    if kind is EventKind.DURESS:
        return (kind.value, str(event.serial_no))
    return None


def meaning(event: IsapiEvent, zone: tzinfo, controller_id: str | None) -> EventMeaning:
    """Return what an event does."""
    info = describe(event.major, event.minor, event.card_no)
    door = str(event.door_no) if event.door_no else None
    access = (
        access_event(event, info, zone, controller_id)
        if info.kind in ACCESS_KINDS
        else None
    )
    change: DoorChange | None = None
    ends: tuple[tuple[str, str], ...] = ()
    kind = info.kind
    if door is not None:
        if kind is EventKind.DOOR_UNLOCKED:
            change = DoorChange(door_id=door, is_open=True, locked=False)
        elif kind is EventKind.DOOR_LOCKED:
            change = DoorChange(door_id=door, is_open=False, locked=True)
        elif kind is EventKind.DOOR_OPENED:
            change = DoorChange(door_id=door, contact_open=True)
        elif kind is EventKind.DOOR_CLOSED:
            change = DoorChange(door_id=door, contact_open=False)
            # The door is shut: forced and held open are over.
            ends = (
                (EventKind.FORCED_OPEN.value, door),
                (EventKind.HELD_OPEN.value, door),
            )
        elif kind in (EventKind.REMAIN_OPEN_START, EventKind.REMAIN_CLOSED_START):
            mode = (
                WorkMode.NORMALLY_OPEN
                if kind is EventKind.REMAIN_OPEN_START
                else WorkMode.NORMALLY_CLOSED
            )
            change = DoorChange(door_id=door, work_mode=mode)
        elif kind in (EventKind.REMAIN_OPEN_END, EventKind.REMAIN_CLOSED_END):
            change = DoorChange(door_id=door, work_mode=WorkMode.AUTO)
    scope = _scope_of(info, event)
    if kind in (EventKind.TAMPER_DEVICE_END, EventKind.TAMPER_READER_END) and scope:
        ends = (scope,)
    raised = None
    if kind in ALARM_KINDS and access is not None and scope is not None:
        raised = Alarm(
            alarm_id=event.serial_no or 0,
            event_id=event.serial_no,
            time=access.time,
            name=info.label,
            event_code=access.event_code,
            controller_id=controller_id,
            door_id=door,
            card_no=access.card_no,
            user_no=access.user_no,
            user_name=access.user_name,
            forced=access.forced,
        )
    return EventMeaning(
        access=access,
        door=change,
        alarm_raised=raised,
        alarm_scope=scope if raised else None,
        ends=ends,
    )
