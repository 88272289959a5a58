"""The JSON shapes of the protocol, quirks included, as the specification's examples show them.

User objects carry the key ``userId`` twice, so they are written as raw JSON
text from (key, value) pairs; everything else is a plain dict.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
import json
from typing import Any

from .site import Area, Controller, Door, Org, Person, Site
from .state import AccessRecord, Alarm, CacheEvent, Presence

type Json = dict[str, Any]
type Pairs = list[tuple[str, Any]]

TIME_FORMAT = "%Y-%m-%d %H:%M:%S"


def fmt_time(value: datetime) -> str:
    """Format a naive local time the way the server does."""
    return value.strftime(TIME_FORMAT)


def dumps(value: Any) -> str:
    """Serialise like the server: UTF-8 text, no ASCII escaping."""
    return json.dumps(value, ensure_ascii=False)


def dumps_pairs(pairs: Pairs) -> str:
    """Serialise an object from pairs, keeping duplicate keys."""
    return "{" + ", ".join(f"{dumps(k)}: {dumps(v)}" for k, v in pairs) + "}"


def envelope_text(status: int, msg: str, data_text: str | None) -> str:
    """Return an envelope whose ``data`` is already serialised (None: no data key)."""
    head = f'{{"status": {status}, "msg": {dumps(msg)}'
    if data_text is None:
        return head + "}"
    return f'{head}, "data": {data_text}}}'


# --- directory ---------------------------------------------------------------


def person_types(site: Site) -> list[Json]:
    """#1: the example's keys are ``userId``/``userName``."""
    return [{"userId": t.id, "userName": t.name} for t in site.person_types]


def org(site: Site, item: Org) -> Json:
    """#2: an organisation of the list."""
    parent = site.org(item.parent_id)
    return {
        "orgId": item.id,
        "orgName": item.name,
        "orgCode": item.code,
        "parentId": item.parent_id,
        "parentName": parent.name if parent else "",
        "gmtCreate": item.gmt_create,
        "gmtModify": item.gmt_modify,
    }


def org_by_name(site: Site, item: Org) -> Json:
    """#3: ``parentId`` is a string here."""
    parent = site.org(item.parent_id)
    return {
        "orgId": item.id,
        "orgName": item.name,
        "orgCode": item.code,
        "parentId": str(item.parent_id),
        "parentName": parent.name if parent else "",
    }


def user_text(person: Person, style: str) -> str:
    """Write a user object as raw JSON.

    ``style`` is ``"list"`` (#5: ``userId`` twice, then ``userTypeName``),
    ``"single"`` (#6/#7: ``userId`` twice, then ``typeName``) or ``"byid"``
    (#8: ``userTypeId``/``userTypeName``).
    """
    pairs: Pairs = [
        ("userId", person.user_id),
        ("userNo", person.user_no),
        ("userName", person.name),
        ("sex", person.sex),
        ("orgId", person.org_id),
        ("orgName", person.org_name),
        ("email", person.email),
        ("mobile", person.mobile),
        ("status", person.status),
        ("idCard", person.id_card),
    ]
    if style == "byid":
        pairs += [("userTypeId", person.type_id), ("userTypeName", person.type_name)]
    elif style == "list":
        pairs += [("userId", person.type_id), ("userTypeName", person.type_name)]
    else:
        pairs += [("userId", person.type_id), ("typeName", person.type_name)]
    pairs += [
        ("gmtBirthday", ""),
        ("jobPosition", person.job_position),
        ("plateNumber", person.plate_number),
        ("address", ""),
        ("company", person.company),
        ("registeredResidence", ""),
        ("gmtExpireDate", ""),
        ("educatingPerson", ""),
        ("gmtEducate", ""),
        ("gmtSafetyEducateStart", ""),
        ("gmtSafetyEducateEnd", ""),
        ("constructionProjectName", ""),
        ("constructionLocation", ""),
        ("gmtConstructionStart", ""),
        ("gmtConstructionEnd", ""),
        ("constructionPersonInCharge", ""),
        ("safetyPersonInCharge", ""),
        ("mobilePersonInCharge", ""),
        ("phonePersonInCharge", ""),
        ("carDriverName", ""),
        ("carDriverPassport", ""),
        ("carTypeName", ""),
        ("carName", ""),
        ("carRatedLoad", ""),
        ("carServiceTypeName", ""),
        ("remark", ""),
        ("gmtCreate", person.gmt_create),
        ("gmtModify", person.gmt_modify),
        ("cardState", person.card_state),
        ("cardCount", len(person.cards)),
        ("cardNos", ",".join(person.cards)),
        ("gmtCardExpireDate", person.card_expire),
        ("cardTypeId", person.card_type_id),
        ("cardGroupId", person.card_group_id),
        ("cardPassword", ""),
        ("cardData", person.card_data),
        ("photoUrl", person.photo_url),
    ]
    return dumps_pairs(pairs)


def users_text(people: Iterable[Person]) -> str:
    """#5: a list of raw user objects."""
    return "[" + ", ".join(user_text(p, "list") for p in people) + "]"


def card_groups(site: Site) -> list[Json]:
    """#9: ids as strings."""
    return [{"id": g.id, "name": g.name} for g in site.card_groups]


def card_types(site: Site) -> list[Json]:
    """#10: ids as strings."""
    return [{"id": t.id, "name": t.name} for t in site.card_types]


# --- records -----------------------------------------------------------------


def record(r: AccessRecord) -> Json:
    """#12/#14/#16/#18: a swipe or access record."""
    p = r.person
    return {
        "recordId": r.record_id,
        "gmtSwipeCardTime": fmt_time(r.time),
        "areaId": r.area.id,
        "areaName": r.area.name,
        "deviceId": r.controller.id,
        "deviceName": r.controller.name,
        "doorId": r.door.id,
        "doorName": r.door.name,
        "acsEventValue": r.event_value,
        "acsEventName": r.event_name,
        "isSwipeCard": int(r.is_swipe),
        "isOpenDoor": int(r.is_open_door),
        "inOrOut": r.in_or_out,
        "isAlarm": int(r.is_alarm),
        "accessBlockedReason": r.reason,
        "cardNo": r.card_no,
        "cardState": r.card_state,
        "userId": p.user_id if p else 0,
        "userNo": p.user_no if p else "",
        "userName": p.name if p else "",
        "userOrgId": p.org_id if p else 0,
        "userOrgName": p.org_name if p else "",
        "plateNumber": p.plate_number if p else "",
        "userType": p.type_id if p else 0,
    }


def cache_event(site: Site, e: CacheEvent) -> Json:
    """#29: no inOrOut, no event value, only the event name."""
    r = e.record
    p = r.person
    return {
        "eventId": e.event_id,
        "deviceId": r.controller.id,
        "subDeviceId": r.door.id,
        "areaName": r.area.name,
        "deviceName": r.controller.name,
        "subDeviceName": r.door.name,
        "eventTime": fmt_time(r.time),
        "eventName": r.event_name,
        "orgName": p.org_name if p else "",
        "userNo": p.user_no if p else "",
        "userName": p.name if p else "",
        "userType": p.type_id if p else None,
        "cardNo": r.card_no,
        "cardName": "",
        "plateNumber": (p.plate_number or None) if p else None,
        "cardState": r.card_state,
        "cardGroup": site.card_group_name(p.card_group_id) if p else None,
        "cardType": site.card_type_name(p.card_type_id) if p else None,
        "isAlarm": int(r.is_alarm),
        "alarmClass": "",
        "accessBlockedReason": r.reason,
    }


def alarm(a: Alarm) -> Json:
    """#19: an alarm not yet acknowledged nor cleared, full of nulls."""
    return {
        "eventId": a.event_id,
        "deviceId": a.controller.id,
        "subDeviceId": a.door.id,
        "areaName": a.area.name,
        "deviceName": a.controller.name,
        "subDeviceName": a.door.name,
        "eventTime": fmt_time(a.time),
        "eventName": a.name,
        "orgName": "",
        "userNo": "",
        "userName": "",
        "userType": None,
        "cardNo": "0",
        "cardName": None,
        "plateNumber": None,
        "cardState": 0,
        "cardGroup": None,
        "cardType": None,
        "isAlarm": 1,
        "alarmClass": a.level,
        "accessBlockedReason": 0,
        "alarmEventTroubleId": a.alarm_id,
        "bkColor": "#ea5353",
        "tColor": "#4f4a4a",
        "photoUrl": None,
        "userTypeName": None,
        "confirmOpenDoorId": None,
        "isAlarmTop": 0,
        "userId": 0,
        "areaId": a.area.id,
        "field1": None,
        "field2": None,
        "field3": None,
        "field4": None,
        "field5": None,
        "confirmState": 0,
        "alarmClassPriority": a.priority,
        "alarmClearStatus": 0,
        "alarmStatus": 0,
        "alarmRecoverStatus": 1,
        "eventType": a.event_type,
    }


def area_user(site: Site, presence: Presence) -> Json:
    """#20: ``gmtAcsevttime`` and ``areaId`` as in the example."""
    r = presence.record
    p = r.person
    assert p is not None
    return {
        "uaid": presence.uaid,
        "gmtAcsevttime": fmt_time(r.time),
        "deviceId": r.controller.id,
        "deviceName": r.controller.name,
        "subdeviceId": r.door.id,
        "subdeviceName": r.door.name,
        "areaId": r.area.id,
        "areaName": r.area.name,
        "acsevValue": r.event_value,
        "acsevName": r.event_name,
        "cardNo": r.card_no,
        "cardState": r.card_state,
        "userId": p.user_id,
        "userNo": p.user_no,
        "userName": p.name,
        "userOrgId": p.org_id,
        "userOrgName": p.org_name,
        "gmtCreatetime": fmt_time(r.time),
        "cardname": None,
        "cardtype": site.card_type_name(p.card_type_id),
        "cardgroup": site.card_group_name(p.card_group_id),
        "userType": p.type_id,
        "flag": 0,
        "handleState": 0,
        "deviceSource": "acs",
        "field1": "",
        "field2": "",
        "field3": "",
        "option1": 0,
        "option2": 0,
        "option3": 0,
        "userTypeName": p.type_name,
        "phone": p.mobile,
    }


def passage(r: AccessRecord) -> Json:
    """#30: a passage; ``deviceName`` is "<controller> <door>", ``deviceId`` the door."""
    p = r.person
    assert p is not None
    return {
        "deviceName": f"{r.controller.name} {r.door.name}",
        "deviceId": r.door.id,
        "areaId": r.area.id,
        "areaName": r.area.name,
        "evValue": r.event_value,
        "evName": r.event_name,
        "userId": p.user_id,
        "userName": p.name,
        "userNo": p.user_no,
        "accessPassport": r.card_no,
        "orgName": p.org_name or None,
        "evTime": fmt_time(r.time),
        "inOut": r.in_or_out,
        "accessType": 1,
    }


# --- devices -----------------------------------------------------------------


def area(item: Area) -> Json:
    """#21: sub-areas of even id send ``parentId`` as a string."""
    parent: int | str = item.parent_id
    if item.parent_id and item.id % 2 == 0:
        parent = str(item.parent_id)
    return {
        "areaId": item.id,
        "areaName": item.name,
        "areaCode": item.code,
        "parentId": parent,
    }


def device(site: Site, c: Controller) -> Json:
    """#22: ``areaId`` as a string."""
    a = site.area(c.area_id)
    return {
        "deviceId": c.id,
        "deviceName": c.name,
        "areaId": str(c.area_id),
        "areaName": a.name if a else "",
        "deviceSn": c.serial,
        "commAddr": c.address,
        "isOnline": int(c.online),
        "commErrorMsg": "" if c.online else c.comm_error,
    }


def door(site: Site, d: Door) -> Json:
    """#23/#24: a door."""
    a = site.area(d.area_id)
    c = site.door_controller(d)
    return {
        "doorId": d.id,
        "doorName": d.name,
        "doorAddr": d.addr,
        "areaId": d.area_id,
        "areaName": a.name if a else "",
        "deviceId": c.id,
        "deviceName": c.name,
    }
