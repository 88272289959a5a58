"""Every shape the sources report, mapped by content and by local name."""

from __future__ import annotations

from dataclasses import fields
from datetime import UTC, datetime, timedelta, timezone
import json

import pytest

from custom_components.acs_bridge.adapters.exceptions import AcsResponseError
from custom_components.acs_bridge.adapters.hikvision_isapi.decode import parse_document
from custom_components.acs_bridge.adapters.hikvision_isapi.events import (
    is_heartbeat,
    parse_event_page,
    parse_stream_event,
)
from custom_components.acs_bridge.adapters.hikvision_isapi.models import (
    DoorMode,
    LockStatus,
    MagneticStatus,
    SearchStatus,
)
from custom_components.acs_bridge.adapters.hikvision_isapi.parse import (
    parse_access_control_capabilities,
    parse_count,
    parse_device_info,
    parse_door_capabilities,
    parse_door_param,
    parse_event_capabilities,
    parse_user_page,
    parse_work_status,
    to_time,
)

from .conftest import DEVICE_INFO_XML, HIK_NS, ISAPI_NS

CST = timezone(timedelta(hours=8))


def naive(*args: int) -> datetime:
    """A device time sent without an offset."""
    return datetime(*args)  # noqa: DTZ001


def doc(text: str) -> dict:
    return parse_document(text.encode(), "test")


@pytest.mark.parametrize("ns", [ISAPI_NS, HIK_NS])
def test_device_info_in_both_namespaces(ns: str) -> None:
    info = parse_device_info(doc(DEVICE_INFO_XML.replace(ISAPI_NS, ns)))
    assert info.name == "Front door"
    assert info.model == "DS-K1T341AMF"
    assert info.serial == "DS-K1T341AMF20220311V030230ENJ70368704"
    assert info.mac == "44:a6:42:1c:6b:2e"
    assert info.firmware == "V1.9.1"
    assert info.device_type == "ACS"
    assert info.electro_lock_num == 1


def test_device_info_as_json() -> None:
    info = parse_device_info(
        {
            "DeviceInfo": {
                "model": "DS-K2702WX",
                "serialNumber": "S",
                "electroLockNum": "2",
            }
        }
    )
    assert (info.model, info.electro_lock_num, info.name) == ("DS-K2702WX", 2, None)


def test_access_control_capabilities_flags() -> None:
    caps = parse_access_control_capabilities(
        doc(
            f'<AccessControl version="2.0" xmlns="{ISAPI_NS}"><isSupportRemoteControlDoor>true</isSupportRemoteControlDoor>'
            "<isSupportAcsEvent>true</isSupportAcsEvent><isSupportAcsEventTotalNum>false</isSupportAcsEventTotalNum>"
            "<isSupportRemoteControlPWChcek>true</isSupportRemoteControlPWChcek></AccessControl>"
        )
    )
    assert caps.supports("AcsEvent")
    assert caps.supports("isSupportRemoteControlDoor")
    assert not caps.supports("AcsEventTotalNum")
    assert caps.remote_control_password_check


@pytest.mark.parametrize(
    "text",
    [
        f'<RemoteControlDoor version="2.0" xmlns="{ISAPI_NS}"><doorNo min="1" max="2"/>'
        '<cmd opt="open,close,alwaysOpen,alwaysClose,visitorCallLadder,householdCallLadder"/>'
        '<password min="4" max="16"/></RemoteControlDoor>',
        json.dumps(
            {
                "RemoteControlDoor": {
                    "doorNo": {"@min": 1, "@max": 2},
                    "cmd": {
                        "@opt": "open,close,alwaysOpen,alwaysClose,visitorCallLadder,householdCallLadder"
                    },
                    "password": {"@min": 4, "@max": 16},
                }
            }
        ),
        json.dumps(
            {
                "doorNo": {"min": "1", "max": "2"},
                "cmd": {
                    "opt": [
                        "open",
                        "close",
                        "alwaysOpen",
                        "alwaysClose",
                        "visitorCallLadder",
                        "householdCallLadder",
                    ]
                },
                "password": {"min": 4, "max": 16},
            }
        ),
    ],
    ids=["xml_attributes", "json_at_keys", "json_plain_keys"],
)
def test_door_capabilities(text: str) -> None:
    caps = parse_door_capabilities(doc(text))
    assert caps.door_count == 2
    assert caps.commands[:4] == ("open", "close", "alwaysOpen", "alwaysClose")
    assert "resume" not in caps.commands
    assert caps.password_supported
    assert caps.password_required
    assert (caps.password_min, caps.password_max) == (4, 16)


def test_door_capabilities_without_count_or_password() -> None:
    caps = parse_door_capabilities(
        doc('<RemoteControlDoor><cmd opt="open,resume"/></RemoteControlDoor>')
    )
    assert caps.door_count is None
    assert caps.commands == ("open", "resume")
    assert not caps.password_supported
    assert not caps.password_required


OBS_EVENT_CAPS = {
    "AcsEvent": {
        "AcsEventCond": {
            "searchID": {"@min": 1, "@max": 64},
            "searchResultPosition": {"@min": 0, "@max": 300000},
            "maxResults": {"@min": 1, "@max": 30},
            "major": {"@opt": "0,1,2,3,5"},
            "minorAlarm": {"@opt": "1024,1028,1029,1034"},
            "minorException": {"@opt": "39,1031"},
            "minorOperation": {"@opt": "121,122,1024,1025"},
            "minorEvent": {"@opt": "1,21,22,75"},
            "startTime": {},
            "endTime": {},
            "cardNo": {"@min": 1, "@max": 32},
            "name": {"@min": 1, "@max": 32},
            "beginSerialNo": {"@min": 1, "@max": 3000000000},
            "endSerialNo": {"@min": 1, "@max": 3000000000},
            "timeReverseOrder": {"@opt": [True, False]},
            "employeeNoString": {"@min": 1, "@max": 32},
        },
        "InfoList": {"maxSize": 30},
    }
}


def test_event_capabilities_json() -> None:
    caps = parse_event_capabilities(OBS_EVENT_CAPS)
    assert caps.max_results == 30
    assert caps.serial_range
    assert caps.time_reverse_order
    assert caps.card_no
    assert caps.name
    assert caps.employee_no
    assert caps.minors["minorOperation"] == (121, 122, 1024, 1025)


def test_event_capabilities_xml_without_serial_range() -> None:
    caps = parse_event_capabilities(
        doc(
            f'<AcsEvent xmlns="{HIK_NS}"><AcsEventCond><searchID min="1" max="64"/>'
            '<maxResults min="1" max="20"/><minorEvent opt="1,75"/></AcsEventCond></AcsEvent>'
        )
    )
    assert caps.max_results == 20
    assert not caps.serial_range
    assert not caps.time_reverse_order
    assert caps.minors == {"minorEvent": (1, 75)}


def test_door_param_never_keeps_a_password() -> None:
    text = (
        f'<DoorParam xmlns="{ISAPI_NS}"><doorName>Front</doorName><openDuration>5</openDuration>'
        "<superPassword>111111</superPassword><dismissPassword>222222</dismissPassword>"
        "<stressPassword>333333</stressPassword><magneticType>alwaysClose</magneticType></DoorParam>"
    )
    param = parse_door_param(doc(text), 1)
    assert (param.door_no, param.name, param.open_duration) == (1, "Front", 5)
    assert not any("password" in f.name.lower() for f in fields(param))
    for secret in ("111111", "222222", "333333"):
        assert secret not in repr(param)


def test_work_status_reads_only_the_real_doors() -> None:
    padded = {
        "AcsWorkStatus": {
            "doorLockStatus": [1, "0"] + [0] * 124,
            "doorStatus": [1, 3] + [0] * 124,
            "magneticStatus": [4, 1] + [0] * 124,
            "cardReaderOnlineStatus": [1],
            "powerSupplyStatus": "ACPowerSupply",
            "hostAntiDismantleStatus": "close",
        }
    }
    status = parse_work_status(padded, 2)
    assert [(d.door_no, d.lock, d.magnetic, d.mode) for d in status.doors] == [
        (1, LockStatus.UNLOCKED, MagneticStatus.EXCEPTION, DoorMode.SLEEP),
        (2, LockStatus.LOCKED, MagneticStatus.OPEN, DoorMode.REMAIN_CLOSED),
    ]
    assert status.power_supply == "ACPowerSupply"
    assert status.host_tamper == "close"
    assert status.card_readers_online == (1,)


def test_work_status_unknown_and_short_values() -> None:
    status = parse_work_status({"doorLockStatus": [9], "doorStatus": ["x"]}, 2)
    assert status.doors[0].lock is LockStatus.UNKNOWN
    assert status.doors[0].mode is DoorMode.UNKNOWN
    assert status.doors[1].magnetic is MagneticStatus.UNKNOWN
    single = parse_work_status(
        doc("<AcsWorkStatus><doorLockStatus>1</doorLockStatus></AcsWorkStatus>"), 1
    )
    assert single.doors[0].lock is LockStatus.UNLOCKED


OBS_SEARCH = {
    "AcsEvent": {
        "searchID": "abc",
        "responseStatusStrg": "MORE",
        "numOfMatches": 2,
        "totalMatches": 40,
        "InfoList": [
            {
                "major": 5,
                "minor": 75,
                "time": "2024-05-01T10:00:00+08:00",
                "cardType": 1,
                "name": "Alice",
                "cardReaderNo": 1,
                "doorNo": 1,
                "employeeNoString": "1001",
                "serialNo": 41,
                "userType": "normal",
                "currentVerifyMode": "cardOrFaceOrPw",
                "mask": "no",
                "pictureURL": "http://192.168.1.64/LOCALS/pic/acsLinkCap/1.jpeg@WEB000000000020",
                "picturesNumber": 1,
            },
            {
                "major": 2,
                "minor": 39,
                "time": "2024-05-01T10:01:00",
                "serialNo": "42",
                "currentVerifyMode": "faceOrFpOrCardOrPw",
                "netUser": "admin",
                "remoteHostAddr": "192.168.1.10",
            },
            {"minor": 1, "serialNo": 43},
        ],
    }
}


def test_search_page_json() -> None:
    page = parse_event_page(OBS_SEARCH)
    assert page.status is SearchStatus.MORE
    assert (page.num_of_matches, page.total_matches) == (2, 40)
    face, network = page.events  # the item without a major is dropped
    assert face.serial_no == 41
    assert face.time == datetime(2024, 5, 1, 10, 0, tzinfo=CST)
    assert face.card_no is None
    assert face.employee_no == "1001"
    assert face.picture_url is not None
    assert face.pictures_number == 1
    assert face.current_verify_mode == "cardOrFaceOrPw"
    assert network.time == naive(2024, 5, 1, 10, 1)  # naive stays naive
    assert network.time.tzinfo is None
    assert network.serial_no == 42
    assert network.remote_host == "192.168.1.10"


def test_search_page_xml_single_item_and_no_match() -> None:
    page = parse_event_page(
        doc(
            f'<AcsEvent xmlns="{ISAPI_NS}"><searchID>x</searchID><responseStatusStrg>OK</responseStatusStrg>'
            "<numOfMatches>1</numOfMatches><totalMatches>1</totalMatches><InfoList><Info><major>5</major>"
            "<minor>1</minor><time>2024-05-01 10:00:00</time><cardNo>12345</cardNo><serialNo>7</serialNo>"
            "</Info></InfoList></AcsEvent>"
        )
    )
    [event] = page.events
    assert (event.major, event.minor, event.card_no, event.serial_no) == (
        5,
        1,
        "12345",
        7,
    )
    assert event.time == naive(2024, 5, 1, 10)
    empty = parse_event_page(
        {"AcsEvent": {"responseStatusStrg": "NO MATCH", "numOfMatches": 0}}
    )
    assert empty.status is SearchStatus.NO_MATCH
    assert empty.events == ()


STREAM_JSON = """{
\t"ipAddress":\t"192.168.1.64",
\t"portNo":\t80,
\t"protocol":\t"HTTP",
\t"macAddress":\t"44:a6:42:1c:6b:2e",
\t"channelID":\t1,
\t"dateTime":\t"2024-05-01T10:00:05+08:00",
\t"activePostCount":\t1,
\t"eventType":\t"AccessControllerEvent",
\t"eventState":\t"active",
\t"eventDescription":\t"Access Controller Event",
\t"AccessControllerEvent":\t{
\t\t"deviceName":\t"Access Controller",
\t\t"majorEventType":\t5,
\t\t"subEventType":\t1,
\t\t"cardNo":\t"3527301936",
\t\t"cardType":\t1,
\t\t"cardReaderNo":\t1,
\t\t"doorNo":\t1,
\t\t"employeeNoString":\t"1002",
\t\t"serialNo":\t57,
\t\t"frontSerialNo":\t56,
\t\t"userType":\t"normal",
\t\t"currentVerifyMode":\t"cardOrFaceOrPw",
\t\t"currentEvent":\ttrue,
\t\t"mask":\t"no"
\t}
}"""


def test_stream_event_json_tab_indented() -> None:
    event = parse_stream_event(doc(STREAM_JSON))
    assert event is not None
    assert (event.major, event.minor, event.serial_no, event.front_serial_no) == (
        5,
        1,
        57,
        56,
    )
    assert event.time == datetime(2024, 5, 1, 10, 0, 5, tzinfo=CST)
    assert event.card_no == "3527301936"
    assert event.current_event is True


def test_stream_event_xml() -> None:
    event = parse_stream_event(
        doc(
            f'<EventNotificationAlert version="2.0" xmlns="{HIK_NS}"><dateTime>2024-05-01T10:00:05</dateTime>'
            "<eventType>AccessControllerEvent</eventType><eventState>active</eventState>"
            "<AccessControllerEvent><majorEventType>3</majorEventType><subEventType>121</subEventType>"
            "<serialNo>9</serialNo><currentEvent>false</currentEvent></AccessControllerEvent></EventNotificationAlert>"
        )
    )
    assert event is not None
    assert (event.major, event.minor, event.serial_no, event.current_event) == (
        3,
        121,
        9,
        False,
    )
    assert event.time == naive(2024, 5, 1, 10, 0, 5)


def test_heartbeats_and_other_alerts() -> None:
    assert is_heartbeat({"eventType": "videoloss", "eventState": "inactive"})
    assert is_heartbeat(
        doc(
            "<EventNotificationAlert><eventType>videoloss</eventType><eventState>inactive</eventState></EventNotificationAlert>"
        )
    )
    assert is_heartbeat({"eventType": "heartBeat"})
    assert not is_heartbeat({"eventType": "videoloss", "eventState": "active"})
    assert not is_heartbeat(doc(STREAM_JSON))
    assert (
        parse_stream_event({"eventType": "videoloss", "eventState": "inactive"}) is None
    )


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2024-05-01T10:00:00+08:00", datetime(2024, 5, 1, 10, tzinfo=CST)),
        ("2024-05-01T10:00:00+0800", datetime(2024, 5, 1, 10, tzinfo=CST)),
        ("2024-05-01T02:00:00Z", datetime(2024, 5, 1, 2, tzinfo=UTC)),
        ("2024-05-01T10:00:00", naive(2024, 5, 1, 10)),
        ("2024-05-01 10:00:00", naive(2024, 5, 1, 10)),
        ("", None),
        ("yesterday", None),
        (None, None),
    ],
)
def test_times(text: str | None, expected: datetime | None) -> None:
    assert to_time(text) == expected


def test_users_and_counts() -> None:
    page = parse_user_page(
        {
            "UserInfoSearch": {
                "searchID": "x",
                "responseStatusStrg": "OK",
                "numOfMatches": 2,
                "totalMatches": 2,
                "UserInfo": [
                    {
                        "employeeNo": "1001",
                        "name": "Alice",
                        "userType": "normal",
                        "Valid": {
                            "enable": True,
                            "beginTime": "2024-01-01T00:00:00",
                            "endTime": "2034-12-31T23:59:59",
                        },
                        "numOfCard": 1,
                        "numOfFace": 1,
                    },
                    {"name": "no number"},
                ],
            }
        }
    )
    [user] = page.users
    assert (user.employee_no, user.name, user.valid_enabled) == ("1001", "Alice", True)
    assert user.valid_to == naive(2034, 12, 31, 23, 59, 59)
    assert parse_count({"AcsEventTotalNum": {"totalNum": 7}}, "totalNum") == 7
    assert (
        parse_count(
            doc("<UserInfoCount><userNumber>12</userNumber></UserInfoCount>"),
            "userNumber",
        )
        == 12
    )
    with pytest.raises(AcsResponseError):
        parse_count({"AcsEventTotalNum": {}}, "totalNum")


def test_xml_attributes_text_and_repeats() -> None:
    parsed = doc('<a x="1"><b>1</b><b>2</b><c y="2">t</c><d/></a>')
    assert parsed == {
        "a": {"@x": "1", "b": ["1", "2"], "c": {"@y": "2", "#text": "t"}, "d": ""}
    }
    assert parse_document(b"", "x") == {}
    with pytest.raises(AcsResponseError, match="not a JSON object"):
        parse_document(b"[1]", "x")
