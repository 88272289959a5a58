"""The raw-JSON to model mapping, value by value (quirks #2-#6, #10)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from custom_components.acs_bridge.adapters import (
    AccessReason,
    AccessType,
    AcsResponseError,
    CardState,
    Controller,
    Direction,
)
from custom_components.acs_bridge.adapters.ax_bs_http import parse
from custom_components.acs_bridge.adapters.ax_bs_http.parse import (
    direction_from,
    reason_from,
    to_time,
)

from .conftest import TIME_ZONE


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2018-03-23 11:33:24.0", datetime(2018, 3, 23, 11, 33, 24, tzinfo=TIME_ZONE)),
        ("2020-03-18 16:33:29", datetime(2020, 3, 18, 16, 33, 29, tzinfo=TIME_ZONE)),
        (
            "2020-03-18 16:33:29.123",
            datetime(2020, 3, 18, 16, 33, 29, 123000, tzinfo=TIME_ZONE),
        ),
        ("2020-03-18T16:33", datetime(2020, 3, 18, 16, 33, tzinfo=TIME_ZONE)),
        ("1990-01-02", datetime(1990, 1, 2, tzinfo=TIME_ZONE)),
        ("", None),
        (None, None),
        ("0000-00-00 00:00:00", None),
        ("yesterday", None),
        (1_577_836_800_000, datetime(2020, 1, 1, 8, tzinfo=TIME_ZONE)),
        (1_577_836_800, datetime(2020, 1, 1, 8, tzinfo=TIME_ZONE)),
        (10**20, None),
        (True, None),
    ],
)
def test_to_time(value: Any, expected: datetime | None) -> None:
    result = to_time(value, TIME_ZONE)
    assert result == expected
    if result is not None:
        assert result.utcoffset() is not None
        assert result.astimezone(UTC) == expected


def test_times_are_in_the_server_zone() -> None:
    result = to_time("2018-10-01 00:00:00", TIME_ZONE)
    assert result is not None
    assert result.astimezone(UTC) == datetime(2018, 9, 30, 16, tzinfo=UTC)


REASONS = {
    0: AccessReason.GRANTED,
    100: AccessReason.CARD_NOT_FOUND,
    101: AccessReason.CARD_EXPIRED,
    102: AccessReason.NO_PERMISSION,
    103: AccessReason.OUTSIDE_SCHEDULE,
    104: AccessReason.HOLIDAY,
    105: AccessReason.WRONG_PASSWORD,
    106: AccessReason.SUPER_PASSWORD_DISABLED,
    107: AccessReason.INTERLOCK,
    108: AccessReason.MULTI_CARD,
    109: AccessReason.ANTI_PASSBACK,
    110: AccessReason.NO_SWIPES_LEFT,
    111: AccessReason.CONTROLLER_ASLEEP,
}


@pytest.mark.parametrize(("code", "reason"), REASONS.items())
def test_reasons(code: int, reason: AccessReason) -> None:
    assert reason_from(code) == (reason, code)
    assert reason_from(str(code)) == (reason, code)


def test_unknown_reason_keeps_its_code() -> None:
    assert reason_from(112) == (AccessReason.UNKNOWN, 112)
    assert reason_from(None) == (AccessReason.GRANTED, 0)


@pytest.mark.parametrize(
    ("code", "name", "expected"),
    [
        (1, None, Direction.IN),
        ("2", None, Direction.OUT),
        (2, "外部刷卡开门", Direction.OUT),  # the flag wins over the name
        (None, "外部刷卡开门", Direction.IN),
        (None, "外部无效卡", Direction.IN),
        (None, "内部刷卡开门", Direction.OUT),
        (None, " 内部无效卡", Direction.OUT),
        (0, "非法开门", None),
        (None, None, None),
        (3, "门打开", None),
    ],
)
def test_direction(code: Any, name: Any, expected: Direction | None) -> None:
    assert direction_from(code, name) is expected


def test_person_variants() -> None:
    # #8: userTypeId/userTypeName; a plain dict has no repeated userId.
    by_id = parse.parse_person(
        {"userId": 7, "userTypeId": "1897", "userTypeName": "职工", "status": 0},
        TIME_ZONE,
    )
    assert (by_id.user_id, by_id.person_type_id, by_id.person_type_name) == (
        7,
        1897,
        "职工",
    )
    assert not by_id.enabled
    plain = parse.parse_person({"userId": 7, "userName": "x"}, TIME_ZONE)
    assert plain.person_type_id is None
    assert plain.enabled
    assert plain.card_nos == ()
    listed = parse.parse_person(
        {"userId": 7, "cardNos": " 22, 111 ,,10000033，9 ", "userIdName": "访客"},
        TIME_ZONE,
    )
    assert listed.card_nos == ("22", "111", "10000033", "9")
    assert listed.person_type_name == "访客"


def test_person_type_variants() -> None:
    assert parse.parse_person_type({"userId": 1, "typeName": "职工"}).name == "职工"
    assert parse.parse_person_type({"userId": "2", "userName": "车辆"}).id == 2


def test_controller_strings_and_numbers() -> None:
    controller = parse.parse_controller(
        {"deviceId": 42, "areaId": "162", "areaName": 7, "isOnline": "0"}
    )
    assert controller == Controller(
        id="42", name="", area_id=162, area_name="7", online=False
    )
    assert parse.parse_controller({"deviceId": "a"}).online  # unknown: online


def test_area_person_variants() -> None:
    person = parse.parse_area_person(
        {"uaid": "3", "gmtAcsevertime": "2022-09-02 12:26:04.0", "areaid": 9},
        TIME_ZONE,
    )
    assert person.area_id == 9
    assert person.time == datetime(2022, 9, 2, 12, 26, 4, tzinfo=TIME_ZONE)


def test_codes_out_of_range() -> None:
    record = parse.parse_access_record(
        {"recordId": 1, "cardState": 9, "areaid": "5", "inOrOut": 0}, TIME_ZONE
    )
    assert record.card_state is CardState.UNKNOWN
    assert record.area_id == 5
    assert record.direction is None
    passage = parse.parse_passage({"accessType": 7, "inOut": "2"}, TIME_ZONE)
    assert passage.access_type is AccessType.UNKNOWN
    assert passage.direction is Direction.OUT
    face = parse.parse_passage({"accessType": "2"}, TIME_ZONE)
    assert face.access_type is AccessType.FACE


def test_alarm_without_trouble_id_uses_the_event_id() -> None:
    alarm = parse.parse_alarm({"eventId": 5, "alarmStatus": 1}, TIME_ZONE)
    assert (alarm.alarm_id, alarm.event_id, alarm.acknowledged) == (5, 5, True)
    with pytest.raises(AcsResponseError):
        parse.parse_alarm({}, TIME_ZONE)


def test_realtime_event_code_from_known_names() -> None:
    """The cache sends only a name: the values the spec pairs with names fill the code."""
    from zoneinfo import ZoneInfo

    from custom_components.acs_bridge.adapters.ax_bs_http.parse import (
        parse_access_event,
    )

    zone = ZoneInfo("Asia/Shanghai")
    base = {"eventId": 1, "eventTime": "2020-02-25 11:52:14"}
    assert (
        parse_access_event({**base, "eventName": "外部无效卡"}, zone).event_code == 22
    )
    assert (
        parse_access_event({**base, "eventName": "外部刷卡开门"}, zone).event_code == 3
    )
    assert (
        parse_access_event({**base, "eventName": "内部刷卡开门"}, zone).event_code
        is None
    )
    assert (
        parse_access_event({**base, "eventName": "x", "eventType": 7}, zone).event_code
        == 7
    )


def test_door_forced_is_marked_on_every_model() -> None:
    """Door forced (value 25) is ``forced`` on events, records and alarms; others not."""
    base = {"eventId": 1, "eventTime": "2020-02-25 11:52:14"}
    assert parse.parse_access_event({**base, "eventName": "非法开门"}, TIME_ZONE).forced
    assert not parse.parse_access_event(
        {**base, "eventName": "外部无效卡"}, TIME_ZONE
    ).forced
    assert parse.parse_access_record(
        {"recordId": 1, "acsEventValue": "25"}, TIME_ZONE
    ).forced
    assert not parse.parse_access_record(
        {"recordId": 1, "acsEventValue": 3}, TIME_ZONE
    ).forced
    assert parse.parse_alarm({"eventId": 5, "eventType": 25}, TIME_ZONE).forced
    assert not parse.parse_alarm({"eventId": 5, "eventType": 28}, TIME_ZONE).forced
    assert not parse.parse_alarm({"eventId": 5}, TIME_ZONE).forced
