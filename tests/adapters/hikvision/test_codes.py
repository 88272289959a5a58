"""The (major, minor) table: method, result, kind; unknown codes."""

from __future__ import annotations

import pytest

from custom_components.acs_bridge.adapters.hikvision_isapi.codes import (
    CODES,
    CodeInfo,
    EventKind,
    Method,
    code_string,
    describe,
    register,
)
from custom_components.acs_bridge.adapters.models import AccessReason


@pytest.mark.parametrize(
    ("major", "minor", "kind", "method", "granted"),
    [
        (5, 1, EventKind.ACCESS, Method.CARD, True),
        (5, 9, EventKind.ACCESS, Method.CARD, False),
        (5, 38, EventKind.ACCESS, Method.FINGERPRINT, True),
        (5, 75, EventKind.ACCESS, Method.FACE, True),
        (5, 76, EventKind.ACCESS, Method.FACE, False),
        (5, 181, EventKind.ACCESS, Method.PASSWORD, True),
        (5, 156, EventKind.ACCESS, Method.QR, True),
        (3, 1024, EventKind.ACCESS, Method.REMOTE, True),
        (5, 21, EventKind.DOOR_UNLOCKED, None, None),
        (5, 22, EventKind.DOOR_LOCKED, None, None),
        (5, 25, EventKind.DOOR_OPENED, None, None),
        (5, 26, EventKind.DOOR_CLOSED, None, None),
        (5, 27, EventKind.FORCED_OPEN, None, None),
        (5, 28, EventKind.HELD_OPEN, None, None),
        (1, 1028, EventKind.TAMPER_DEVICE, None, None),
        (1, 1029, EventKind.TAMPER_DEVICE_END, None, None),
        (1, 1030, EventKind.TAMPER_READER, None, None),
        (1, 1031, EventKind.TAMPER_READER_END, None, None),
        (1, 1034, EventKind.DURESS, None, None),
        (2, 1031, EventKind.NETWORK, None, None),
        (3, 121, EventKind.SUBSCRIBER_CONNECTED, None, None),
        (3, 122, EventKind.SUBSCRIBER_LEFT, None, None),
    ],
)
def test_known_codes(
    major: int, minor: int, kind: EventKind, method: Method | None, granted: bool | None
) -> None:
    info = describe(major, minor, card_no="123")
    assert (info.kind, info.method, info.granted) == (kind, method, granted)


def test_minor_numbers_collide_across_majors() -> None:
    assert describe(3, 1024).method is Method.REMOTE
    assert describe(2, 1024).kind is EventKind.OTHER  # power on: not a remote open
    assert describe(1, 1024).kind is EventKind.OTHER
    assert describe(1, 1031).kind is EventKind.TAMPER_READER_END
    assert describe(2, 1031).kind is EventKind.NETWORK


def test_refusal_reasons() -> None:
    assert describe(5, 8).reason is AccessReason.CARD_EXPIRED
    assert describe(5, 7).reason is AccessReason.OUTSIDE_SCHEDULE
    assert describe(5, 10).reason is AccessReason.ANTI_PASSBACK
    assert describe(5, 1).reason is AccessReason.GRANTED
    assert all(i.granted is not False or i.reason is not None for i in CODES.values())


def test_unknown_code_method_from_card_number_only() -> None:
    info = describe(5, 9999, card_no="12345")
    assert (info.kind, info.method, info.granted, info.label) == (
        EventKind.OTHER,
        Method.CARD,
        None,
        "5/9999",
    )
    assert describe(5, 9999, card_no="").method is None
    assert describe(5, 9999, card_no="  ").method is None
    assert describe(5, 9999).method is None


def test_register_extends_per_firmware() -> None:
    saved = CODES.get((5, 9998))
    try:
        register(
            5,
            9998,
            CodeInfo(EventKind.ACCESS, Method.FACE, True, AccessReason.GRANTED, "x"),
        )
        assert describe(5, 9998).method is Method.FACE
    finally:
        CODES.pop((5, 9998), None)
        if saved is not None:
            CODES[(5, 9998)] = saved


def test_code_string() -> None:
    assert code_string(3, 1024) == "3/1024"
    assert {m.value for m in Method} == {
        "card",
        "face",
        "fingerprint",
        "password",
        "qr",
        "remote",
        "button",
        "other",
    }
