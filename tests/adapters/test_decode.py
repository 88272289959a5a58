"""JSON text to values: repeated keys kept, lenient ints, flags and text (quirks #3, #4)."""

from __future__ import annotations

from typing import Any

import pytest

from custom_components.acs_bridge.adapters import AcsResponseError
from custom_components.acs_bridge.adapters.ax_bs_http.decode import (
    JsonObject,
    loads,
    to_bool,
    to_int,
    to_text,
)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (0, 0),
        (162, 162),
        ("162", 162),
        (" 0 ", 0),
        ("-1", -1),
        ("3.0", 3),
        (3.0, 3),
        (3.5, None),
        (True, 1),
        ("", None),
        (None, None),
        ("abc", None),
        ([1], None),
    ],
)
def test_to_int(value: Any, expected: int | None) -> None:
    assert to_int(value) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (1, True),
        ("1", True),
        (0, False),
        ("0", False),
        (None, False),
        ("", False),
        (True, True),
        ("true", True),
        ("False", False),
    ],
)
def test_to_bool(value: Any, expected: bool) -> None:
    assert to_bool(value) is expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("", None),
        ("  ", None),
        (None, None),
        ("东门", "东门"),
        (162, "162"),
        (False, None),
        ({"a": 1}, None),
    ],
)
def test_to_text(value: Any, expected: str | None) -> None:
    assert to_text(value) == expected


def test_json_object_keeps_repeated_keys() -> None:
    obj = loads('{"userId": 289, "a": 1, "userId": 1897, "userId": 1900}')
    assert isinstance(obj, JsonObject)
    assert obj == {"userId": 289, "a": 1}
    assert obj.repeated == {"userId": [1897, 1900]}
    assert obj.last("userId") == 1900
    assert obj.last("missing") is None


def test_malformed_json_keeps_no_text() -> None:
    with pytest.raises(AcsResponseError) as err:
        loads('{"path": "/door/open/admin/secret/1", ')
    assert "secret" not in str(err.value)
    assert err.value.__context__ is None
    assert err.value.__cause__ is None
