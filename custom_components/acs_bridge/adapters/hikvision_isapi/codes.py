"""What an event's (major, minor) code means: method, result, kind.

Keyed by BOTH numbers: a minor number means different things under different
majors (1024 is remote open under 3, power on under 2, alarm-input short
under 1). The method (how the person proved who they are) comes from the code,
never from ``currentVerifyMode`` (the reader's configured mode, present even on
records that are not access events). An unknown code is normal (firmware adds
codes): it is kind ``other``, and its method is ``card`` when the event has a
card number, else None.

The table is the one of the reading notes (HEOP ``EventType.kt``, ADDON
``acsalarminfo.py``; LOKY checked 5/1, 5/181, 5/21, 5/22, 3/1024, 3/121,
3/122 on a device). :func:`register` extends it, per firmware.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Final

from ..models import AccessMethod, AccessReason  # noqa: TID252

__all__ = [
    "CODES",
    "CodeInfo",
    "EventKind",
    "Method",
    "code_string",
    "describe",
    "register",
]


#: How a person identified themself: the interface's own enum.
Method = AccessMethod


class EventKind(StrEnum):
    """What an event is about."""

    ACCESS = "access"
    DOOR_UNLOCKED = "door_unlocked"
    DOOR_LOCKED = "door_locked"
    DOOR_OPENED = "door_opened"
    DOOR_CLOSED = "door_closed"
    FORCED_OPEN = "forced_open"
    HELD_OPEN = "held_open"
    REMAIN_OPEN_START = "remain_open_start"
    REMAIN_OPEN_END = "remain_open_end"
    REMAIN_CLOSED_START = "remain_closed_start"
    REMAIN_CLOSED_END = "remain_closed_end"
    TAMPER_DEVICE = "tamper_device"
    TAMPER_DEVICE_END = "tamper_device_end"
    TAMPER_READER = "tamper_reader"
    TAMPER_READER_END = "tamper_reader_end"
    DURESS = "duress"
    SUBSCRIBER_CONNECTED = "subscriber_connected"
    SUBSCRIBER_LEFT = "subscriber_left"
    NETWORK = "network"
    OTHER = "other"


@dataclass(frozen=True, slots=True)
class CodeInfo:
    """The meaning of one (major, minor) code."""

    kind: EventKind
    method: Method | None = None
    granted: bool | None = None
    """True granted, False refused, None not an access attempt."""
    reason: AccessReason | None = None
    """Why access was refused (or ``GRANTED``); None when not an access attempt."""
    label: str = ""


def _granted(method: Method, label: str) -> CodeInfo:
    return CodeInfo(EventKind.ACCESS, method, True, AccessReason.GRANTED, label)


def _refused(method: Method, reason: AccessReason, label: str) -> CodeInfo:
    return CodeInfo(EventKind.ACCESS, method, False, reason, label)


def _kind(kind: EventKind, label: str, method: Method | None = None) -> CodeInfo:
    return CodeInfo(kind, method, None, None, label)


_CARD, _FACE, _FP = Method.CARD, Method.FACE, Method.FINGERPRINT
_PW, _QR, _REMOTE = Method.PASSWORD, Method.QR, Method.REMOTE
_R = AccessReason

#: (major, minor) → meaning. Majors: 1 alarm, 2 exception, 3 operation, 5 event.
CODES: Final[dict[tuple[int, int], CodeInfo]] = {
    # access attempts (major 5)
    (5, 1): _granted(_CARD, "card granted"),
    (5, 2): _granted(_CARD, "card and password granted"),
    (5, 3): _refused(_CARD, _R.WRONG_PASSWORD, "card and password refused"),
    (5, 6): _refused(_CARD, _R.NO_PERMISSION, "card has no permission"),
    (5, 7): _refused(_CARD, _R.OUTSIDE_SCHEDULE, "card outside its schedule"),
    (5, 8): _refused(_CARD, _R.CARD_EXPIRED, "card expired"),
    (5, 9): _refused(_CARD, _R.CARD_NOT_FOUND, "no such card"),
    (5, 10): _refused(_CARD, _R.ANTI_PASSBACK, "anti-passback"),
    (5, 38): _granted(_FP, "fingerprint granted"),
    (5, 39): _refused(_FP, _R.UNKNOWN, "fingerprint refused"),
    (5, 49): _refused(_FP, _R.CARD_NOT_FOUND, "fingerprint not enrolled"),
    (5, 75): _granted(_FACE, "face granted"),
    (5, 76): _refused(_FACE, _R.UNKNOWN, "face refused"),
    (5, 80): _refused(_FACE, _R.CARD_NOT_FOUND, "face not recognised"),
    (5, 150): _refused(_PW, _R.WRONG_PASSWORD, "password refused"),
    (5, 151): _refused(_PW, _R.WRONG_PASSWORD, "password mismatch"),
    (5, 181): _granted(_PW, "password granted"),
    (5, 156): _granted(_QR, "QR code granted"),
    (5, 157): _refused(_QR, _R.UNKNOWN, "QR code refused"),
    # door events (major 5)
    (5, 19): _kind(EventKind.REMAIN_OPEN_START, "remain open started"),
    (5, 20): _kind(EventKind.REMAIN_OPEN_END, "remain open ended"),
    (5, 21): _kind(EventKind.DOOR_UNLOCKED, "door unlocked"),
    (5, 22): _kind(EventKind.DOOR_LOCKED, "door locked"),
    (5, 23): _granted(Method.BUTTON, "exit button pressed"),
    (5, 24): _kind(EventKind.OTHER, "exit button released", Method.BUTTON),
    (5, 25): _kind(EventKind.DOOR_OPENED, "door opened"),
    (5, 26): _kind(EventKind.DOOR_CLOSED, "door closed"),
    (5, 27): _kind(EventKind.FORCED_OPEN, "door forced open"),
    (5, 28): _kind(EventKind.HELD_OPEN, "door held open"),
    (5, 31): _kind(EventKind.REMAIN_CLOSED_START, "remain closed started"),
    (5, 32): _kind(EventKind.REMAIN_CLOSED_END, "remain closed ended"),
    (5, 37): _kind(EventKind.OTHER, "doorbell ringing"),
    (5, 92): _kind(EventKind.FORCED_OPEN, "lock opened abnormally"),
    (5, 93): _kind(EventKind.OTHER, "lock open timeout"),
    # alarms (major 1)
    (1, 1028): _kind(EventKind.TAMPER_DEVICE, "device tamper"),
    (1, 1029): _kind(EventKind.TAMPER_DEVICE_END, "device tamper ended"),
    (1, 1030): _kind(EventKind.TAMPER_READER, "reader tamper"),
    (1, 1031): _kind(EventKind.TAMPER_READER_END, "reader tamper ended"),
    (1, 1034): _kind(EventKind.DURESS, "duress"),
    # exceptions (major 2)
    (2, 39): _kind(EventKind.NETWORK, "network lost"),
    (2, 1031): _kind(EventKind.NETWORK, "network restored"),
    # operations (major 3)
    (3, 121): _kind(EventKind.SUBSCRIBER_CONNECTED, "event subscriber connected"),
    (3, 122): _kind(EventKind.SUBSCRIBER_LEFT, "event subscriber left"),
    # the audit of remote commands: 3/1024 is an access (method remote); the
    # lock and the modes move with their own events (5/21, 5/19, 5/31)
    (3, 1024): _granted(_REMOTE, "remote open"),
    (3, 1025): _kind(EventKind.OTHER, "remote close", _REMOTE),
    (3, 1026): _kind(EventKind.OTHER, "remote always open", _REMOTE),
    (3, 1027): _kind(EventKind.OTHER, "remote always close", _REMOTE),
}


def register(major: int, minor: int, info: CodeInfo) -> None:
    """Add or replace the meaning of a code (per firmware)."""
    CODES[(major, minor)] = info


def code_string(major: int, minor: int) -> str:
    """Return the code as ``major/minor`` (decimal)."""
    return f"{major}/{minor}"


def describe(major: int, minor: int, card_no: str | None = None) -> CodeInfo:
    """Return the meaning of a code; an unknown code is kind ``other``.

    For an unknown code the method is ``card`` when ``card_no`` is not empty,
    else None (``currentVerifyMode`` is never consulted).
    """
    info = CODES.get((major, minor))
    if info is not None:
        return info
    return CodeInfo(
        EventKind.OTHER,
        Method.CARD if card_no and card_no.strip() else None,
        None,
        None,
        code_string(major, minor),
    )
