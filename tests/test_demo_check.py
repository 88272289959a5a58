"""The browser check of the demo dashboard (demo.check): what it calls wrong."""

from __future__ import annotations

from typing import Any

import pytest

from demo.check import clock_seconds, examine, raw_values

RAW = raw_values()


def page(**changes: Any) -> dict[str, Any]:
    """A page as the browser reads it: one door, its access line, the logbook."""
    base: dict[str, Any] = {
        "text": "东门 December 4, 2026 at 4:48 PM ⸱ 张三 ⸱ Granted ⸱ In",
        "outside_logbook": "东门 December 4, 2026 at 4:48 PM ⸱ 张三 ⸱ Granted ⸱ In",
        "tiles": [
            {
                "entity": "event.dong_men_access",
                "name": "东门",
                "secondary": "December 4, 2026 at 4:48 PM ⸱ 张三 ⸱ Granted ⸱ In",
            }
        ],
        "logbook": [{"message": "东门 张三 access granted", "time": "4:48:40 PM"}],
        "events": [{"entity": "event.dong_men_access", "when": 0, "local": "16:48:40"}],
    }
    return {**base, **changes}


def test_raw_values_are_the_translated_keys() -> None:
    assert {"granted", "no_permission", "in", "out", "card_not_found"} <= RAW


@pytest.mark.parametrize(
    ("text", "seconds"),
    [
        ("4:48 PM", 16 * 3600 + 48 * 60),
        ("12:05:09 AM", 5 * 60 + 9),
        ("2026年12月4日 16:49", 16 * 3600 + 49 * 60),
        ("no time", None),
    ],
)
def test_clock_seconds(text: str, seconds: int | None) -> None:
    assert clock_seconds(text) == seconds


def test_a_translated_line_in_local_time_passes() -> None:
    report = examine(page(), RAW)
    assert (report.problems, report.compared) == ([], 1)


def test_raw_keys_fail() -> None:
    line = "December 4, 2026 at 4:48 PM ⸱ card 1234 ⸱ no_permission ⸱ in"
    report = examine(
        page(
            text=line,
            tiles=[
                {"entity": "event.dong_men_access", "name": "东门", "secondary": line}
            ],
        ),
        RAW,
    )
    assert report.problems == [
        "internal key on the screen: 'no_permission'",
        f"东门: raw value 'no_permission' in {line!r}",
        f"东门: raw value 'in' in {line!r}",
    ]


def test_the_servers_time_fails() -> None:
    """The server's clock (Shanghai) where the logbook shows the browser's."""
    table = "| 00:48:40 | 东门 | 张三 | in |"
    report = examine(page(outside_logbook=table), RAW)
    assert report.problems == ["the time '00:48:40' is no time of the logbook's"]
    line = "December 5, 2026 at 12:48 AM ⸱ 张三 ⸱ Granted ⸱ In"
    report = examine(
        page(
            tiles=[
                {"entity": "event.dong_men_access", "name": "东门", "secondary": line}
            ]
        ),
        RAW,
    )
    assert len(report.problems) == 1
    assert report.problems[0].startswith(f"东门: shows {line!r}")


def test_a_logbook_in_another_time_zone_fails() -> None:
    report = examine(page(logbook=[{"message": "东门", "time": "1:48:40 AM"}]), RAW)
    assert report.problems == [
        "the logbook shows '1:48:40 AM', not a local time of its events"
    ]
