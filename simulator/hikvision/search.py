"""The searches: events (``AcsEvent``), event count, people and cards, paged."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, tzinfo
from typing import Any

from .config import HikConfig
from .device import Device
from .events import HikEvent
from .render import BodyError, search_item

OPTIONAL_FIELDS = ("cardNo", "name", "employeeNoString", "timeReverseOrder")
SERIAL_FIELDS = ("beginSerialNo", "endSerialNo")


def parse_time(text: Any, tz: tzinfo, key: str) -> datetime:
    """Parse an ISO 8601 time; without an offset it is device time."""
    if not isinstance(text, str):
        raise BodyError(6, "badParameters", f"{key} must be a string")
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise BodyError(6, "badParameters", f"{key} is not a time") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=tz)


def _int(cond: dict[str, Any], key: str, *, required: bool = True) -> int | None:
    value = cond.get(key)
    if value is None:
        if required:
            raise BodyError(6, "MessageParametersLack", f"{key} is missing")
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise BodyError(6, "badParameters", f"{key} must be an integer")
    return value


def _paging(cond: dict[str, Any], cap: int) -> tuple[str, int, int]:
    search_id = cond.get("searchID")
    if search_id is None:
        raise BodyError(6, "MessageParametersLack", "searchID is missing")
    if not isinstance(search_id, str) or not 1 <= len(search_id) <= 64:
        raise BodyError(6, "badParameters", "searchID must be 1 to 64 characters")
    position = _int(cond, "searchResultPosition")
    wanted = _int(cond, "maxResults")
    assert position is not None
    assert wanted is not None
    if position < 0 or wanted < 1:
        raise BodyError(6, "badParameters", "bad searchResultPosition or maxResults")
    return search_id, position, min(wanted, cap)


def page[T](items: Sequence[T], position: int, size: int) -> tuple[str, list[T]]:
    """Return (responseStatusStrg, the page) for ``items`` from ``position``."""
    chunk = list(items[position : position + size])
    if not chunk:
        return "NO MATCH", []
    return ("MORE" if position + len(chunk) < len(items) else "OK"), chunk


def _check_optional(cond: dict[str, Any], config: HikConfig) -> bool:
    """Tell whether the serial range applies (rejecting it where the device has none)."""
    asked = [k for k in SERIAL_FIELDS if k in cond]
    if not asked or config.serial_search:
        return bool(asked)
    if config.unsupported_search_fields == "reject":
        raise BodyError(6, "badParameters", f"{asked[0]} is not supported")
    return False


def matching_events(
    cond: dict[str, Any], device: Device, *, serial_range: bool
) -> list[HikEvent]:
    """Return the events a condition selects, in the order asked."""
    major = _int(cond, "major")
    minor = _int(cond, "minor")
    tz = device.tz
    start = (
        parse_time(cond["startTime"], tz, "startTime") if "startTime" in cond else None
    )
    end = parse_time(cond["endTime"], tz, "endTime") if "endTime" in cond else None
    begin_serial = _int(cond, "beginSerialNo", required=False) if serial_range else None
    end_serial = _int(cond, "endSerialNo", required=False) if serial_range else None
    card = cond.get("cardNo") or None
    name = cond.get("name") or None
    employee = cond.get("employeeNoString") or None
    out = []
    for event in device.log:
        if major and event.major != major:
            continue
        if minor and event.minor != minor:
            continue
        if start is not None and event.time < start:
            continue
        if end is not None and event.time > end:
            continue
        if begin_serial is not None and event.serial_no < begin_serial:
            continue
        if end_serial is not None and event.serial_no > end_serial:
            continue
        if card is not None and event.card_no != card:
            continue
        if name is not None and event.name != name:
            continue
        if employee is not None and event.employee_no != employee:
            continue
        out.append(event)
    if cond.get("timeReverseOrder") is True:
        out.reverse()
    return out


def event_search(cond: dict[str, Any], device: Device) -> dict[str, Any]:
    """Answer an ``AcsEventCond``."""
    config = device.config
    search_id, position, size = _paging(cond, config.max_results)
    serial_range = _check_optional(cond, config)
    found = matching_events(cond, device, serial_range=serial_range)
    status, chunk = page(found, position, size)
    body: dict[str, Any] = {
        "searchID": search_id,
        "responseStatusStrg": status,
        "numOfMatches": len(chunk),
        "totalMatches": len(found),
    }
    if chunk:
        body["InfoList"] = [search_item(e, config) for e in chunk]
    return {"AcsEvent": body}


def event_total(cond: dict[str, Any], device: Device) -> dict[str, Any]:
    """Answer an ``AcsEventTotalNumCond``."""
    serial_range = _check_optional(cond, device.config)
    found = matching_events(cond, device, serial_range=serial_range)
    return {"AcsEventTotalNum": {"totalNum": len(found)}}


def _wanted_employees(cond: dict[str, Any]) -> set[str] | None:
    wanted = cond.get("EmployeeNoList")
    if not wanted:
        return None
    if not isinstance(wanted, list):
        raise BodyError(6, "badParameters", "EmployeeNoList must be a list")
    return {str(w.get("employeeNo")) for w in wanted if isinstance(w, dict)}


def user_search(cond: dict[str, Any], device: Device) -> dict[str, Any]:
    """Answer a ``UserInfoSearchCond``."""
    search_id, position, size = _paging(cond, device.config.max_results)
    wanted = _wanted_employees(cond)
    people = [p for p in device.people if wanted is None or p.employee_no in wanted]
    status, chunk = page(people, position, size)
    body: dict[str, Any] = {
        "searchID": search_id,
        "responseStatusStrg": status,
        "numOfMatches": len(chunk),
        "totalMatches": len(people),
    }
    if chunk:
        body["UserInfo"] = [
            {
                "employeeNo": p.employee_no,
                "name": p.name,
                "userType": p.user_type,
                "closeDelayEnabled": False,
                "Valid": {
                    "enable": True,
                    "beginTime": "2020-01-01T00:00:00",
                    "endTime": "2037-12-31T23:59:59",
                    "timeType": "local",
                },
                "belongGroup": "",
                "password": "",
                "doorRight": ",".join(
                    str(d) for d in p.doors if d <= device.config.doors
                ),
                "RightPlan": [
                    {"doorNo": d, "planTemplateNo": "1"}
                    for d in p.doors
                    if d <= device.config.doors
                ],
                "maxOpenDoorTime": 0,
                "openDoorTime": 0,
                "localUIRight": False,
                "gender": "unknown",
                "numOfCard": 1 if p.card_no else 0,
                "numOfFace": p.faces,
                "numOfFP": p.fingerprints,
            }
            for p in chunk
        ]
    return {"UserInfoSearch": body}


def user_count(device: Device) -> dict[str, Any]:
    """Answer ``UserInfo/Count``."""
    people = device.people
    return {
        "UserInfoCount": {
            "userNumber": len(people),
            "bindFaceUserNumber": sum(1 for p in people if p.faces),
            "bindCardUserNumber": sum(1 for p in people if p.card_no),
        }
    }


def card_search(cond: dict[str, Any], device: Device) -> dict[str, Any]:
    """Answer a ``CardInfoSearchCond``."""
    search_id, position, size = _paging(cond, device.config.max_results)
    wanted = _wanted_employees(cond)
    people = [
        p
        for p in device.people
        if p.card_no and (wanted is None or p.employee_no in wanted)
    ]
    status, chunk = page(people, position, size)
    body: dict[str, Any] = {
        "searchID": search_id,
        "responseStatusStrg": status,
        "numOfMatches": len(chunk),
        "totalMatches": len(people),
    }
    if chunk:
        body["CardInfo"] = [
            {
                "employeeNo": p.employee_no,
                "cardNo": p.card_no,
                "leaderCard": "",
                "cardType": "normalCard",
            }
            for p in chunk
        ]
    return {"CardInfoSearch": body}
