"""Map the decoded JSON of AX-ACS BS-HTTP v1 onto the shared models.

The mappers take the objects :mod:`.decode` made (repeated keys kept, see
:class:`~.decode.JsonObject`) and smooth over what the protocol gets wrong,
here and nowhere else:

* numbers may come as strings and the reverse (``parentId: "0"``, card group
  ``id: "1"``, controller ``areaId`` as a string, ``areaName`` as a number);
* users repeat ``userId``: the first is the user's, the last the person type's;
* times are naive server-local ``yyyy-MM-dd HH:mm:ss``, sometimes with a
  ``.0`` suffix, sometimes an empty string: they become aware datetimes in the
  server's zone, or ``None``;
* optional text sent as an empty string or ``null`` becomes ``None``;
* one field may have two spellings (``gmtAcsevttime``/``gmtAcsevertime``,
  ``areaId``/``areaid``, ``typeName``/``userName``/``userTypeName``).

An id of ``0`` for a parent, user or organisation means "none" and becomes
``None``.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime, tzinfo
import re
from typing import Any, Final

from ..exceptions import AcsResponseError  # noqa: TID252
from ..models import (  # noqa: TID252
    AccessEvent,
    AccessMethod,
    AccessReason,
    AccessType,
    Alarm,
    Area,
    AreaPerson,
    CardGroup,
    CardState,
    CardType,
    Controller,
    Direction,
    Door,
    DoorState,
    Organisation,
    Passage,
    Person,
    PersonType,
    WorkMode,
)
from .decode import JsonObject, to_bool, to_int, to_text

__all__ = [
    "direction_from",
    "parse_access_event",
    "parse_access_record",
    "parse_alarm",
    "parse_area",
    "parse_area_person",
    "parse_card_group",
    "parse_card_type",
    "parse_controller",
    "parse_door",
    "parse_door_state",
    "parse_organisation",
    "parse_passage",
    "parse_person",
    "parse_person_type",
    "reason_from",
    "to_time",
]


# --- values --------------------------------------------------------------------

_TIME_RE: Final = re.compile(
    r"(\d{4})-(\d{1,2})-(\d{1,2})"
    r"(?:[ T+](\d{1,2}):(\d{1,2})(?::(\d{1,2}))?(?:\.(\d{1,9}))?)?"
)


def _id(value: Any) -> int | None:
    """Return a positive id; 0, negative or missing mean "none"."""
    number = to_int(value)
    return number if number is not None and number > 0 else None


def _required_int(value: Any, what: str) -> int:
    number = to_int(value)
    if number is None:
        raise AcsResponseError(f"The server sent an object without a valid {what}")
    return number


def _flag(value: Any, *, default: bool) -> bool:
    """Return a flag, or ``default`` when the server left it out."""
    return default if value is None else to_bool(value)


def _required_text(value: Any, what: str) -> str:
    text = to_text(value)
    if text is None:
        raise AcsResponseError(f"The server sent an object without a {what}")
    return text


def to_time(value: Any, time_zone: tzinfo) -> datetime | None:
    """Return an aware datetime from a server-local time, or None.

    Accepts ``yyyy-MM-dd HH:mm:ss`` with an optional fraction (``.0``), a bare
    date, and epoch seconds or milliseconds; anything else is None.
    """
    if isinstance(value, int | float) and not isinstance(value, bool):
        seconds = value / 1000 if abs(value) >= 100_000_000_000 else value
        try:
            return datetime.fromtimestamp(seconds, UTC).astimezone(time_zone)
        except (OverflowError, OSError, ValueError):
            return None
    if not isinstance(value, str):
        return None
    match = _TIME_RE.fullmatch(value.strip())
    if match is None:
        return None
    year, month, day, hour, minute, second, fraction = match.groups()
    try:
        return datetime(
            int(year),
            int(month),
            int(day),
            int(hour or 0),
            int(minute or 0),
            int(second or 0),
            int((fraction or "0")[:6].ljust(6, "0")),
            tzinfo=time_zone,
        )
    except ValueError:  # 0000-00-00 00:00:00 and other impossible dates
        return None


def _first(obj: Mapping[str, Any], *keys: str) -> Any:
    """Return the value of the first key present with a non-null value."""
    for key in keys:
        value = obj.get(key)
        if value is not None:
            return value
    return None


# --- codes -------------------------------------------------------------------

_REASONS: Final[dict[int, AccessReason]] = {
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

#: Reader names: an outside reader sees people coming in, an inside one
#: sees people going out (外部刷卡开门 / 内部刷卡开门, 外部无效卡 / 内部无效卡).
_OUTSIDE_PREFIX: Final = "外部"
#: The event value of a door forced open (非法开门).
DOOR_FORCED_CODE: Final = 25
#: Event values that the specification's examples pair with a name. The
#: real-time cache sends only the name; these are filled in from it, any other
#: name keeps no code (the list of values is not closed).
KNOWN_EVENT_CODES: Final[dict[str, int]] = {
    "外部刷卡开门": 3,
    "外部无效卡": 22,
    "非法开门": DOOR_FORCED_CODE,
}
_INSIDE_PREFIX: Final = "内部"


def reason_from(value: Any) -> tuple[AccessReason, int]:
    """Return the named reason and the server's code (missing: granted, 0)."""
    code = to_int(value)
    if code is None:
        return AccessReason.GRANTED, 0
    return _REASONS.get(code, AccessReason.UNKNOWN), code


def direction_from(code: Any, name: Any = None) -> Direction | None:
    """Return the direction from ``inOrOut``/``inOut``, else from an event name."""
    number = to_int(code)
    if number == 1:
        return Direction.IN
    if number == 2:
        return Direction.OUT
    if isinstance(name, str):
        text = name.strip()
        if text.startswith(_OUTSIDE_PREFIX):
            return Direction.IN
        if text.startswith(_INSIDE_PREFIX):
            return Direction.OUT
    return None


def _card_state(value: Any) -> CardState:
    number = to_int(value)
    if number is not None and number in CardState:
        return CardState(number)
    return CardState.UNKNOWN


def _access_type(value: Any) -> AccessType:
    number = to_int(value)
    if number is not None and number in AccessType:
        return AccessType(number)
    return AccessType.UNKNOWN


def _card_nos(value: Any) -> tuple[str, ...]:
    text = to_text(value)
    if text is None:
        return ()
    return tuple(part.strip() for part in re.split(r"[,，;]", text) if part.strip())


# --- site ----------------------------------------------------------------------


def parse_area(obj: Mapping[str, Any]) -> Area:
    """Map an area (#21)."""
    return Area(
        id=_required_int(_first(obj, "areaId", "areaid", "id"), "area id"),
        name=to_text(obj.get("areaName")) or "",
        code=to_text(obj.get("areaCode")),
        parent_id=_id(obj.get("parentId")),
    )


def parse_controller(obj: Mapping[str, Any]) -> Controller:
    """Map a controller (#22); ``areaId`` is a string, ``areaName`` may be a number."""
    return Controller(
        id=_required_text(obj.get("deviceId"), "controller id"),
        name=to_text(obj.get("deviceName")) or "",
        area_id=_id(_first(obj, "areaId", "areaid")),
        area_name=to_text(obj.get("areaName")),
        serial=to_text(obj.get("deviceSn")),
        address=to_text(obj.get("commAddr")),
        online=_flag(obj.get("isOnline"), default=True),
        comm_error=to_text(obj.get("commErrorMsg")),
    )


#: The door work modes of the protocol (#28), by their number: every AX door
#: offers all seven.
WORK_MODE_NUMBERS: Final[dict[WorkMode, int]] = {
    WorkMode.AUTO: 0,
    WorkMode.CARD: 1,
    WorkMode.CARD_AND_PASSWORD: 2,
    WorkMode.CARD_OR_PASSWORD: 3,
    WorkMode.NORMALLY_OPEN: 4,
    WorkMode.NORMALLY_CLOSED: 5,
    WorkMode.CARD_DATA: 6,
}
DOOR_WORK_MODES: Final = tuple(WORK_MODE_NUMBERS)

#: How a person identified themself, from the words of the event's name
#: (the real-time cache sends only the name). The first match wins.
_METHOD_WORDS: Final[tuple[tuple[str, AccessMethod], ...]] = (
    ("人脸", AccessMethod.FACE),
    ("指纹", AccessMethod.FINGERPRINT),
    ("二维码", AccessMethod.QR),
    ("密码", AccessMethod.PASSWORD),
    ("按钮", AccessMethod.BUTTON),
    ("远程", AccessMethod.REMOTE),
    ("软件", AccessMethod.REMOTE),
    ("卡", AccessMethod.CARD),
)


def method_from(name: str, card_no: str | None) -> AccessMethod | None:
    """Return how the person identified themself: from the event's name, else a card."""
    for word, method in _METHOD_WORDS:
        if word in name:
            return method
    return AccessMethod.CARD if card_no else None


def _match_part(door_id: str | None, card_no: str | None, when: datetime | None) -> str:
    """Return what a live event and its record share, for their keys."""
    stamp = when.replace(microsecond=0).isoformat() if when else ""
    return f"{door_id or ''}|{card_no or ''}|{stamp}"


def parse_door(obj: Mapping[str, Any]) -> Door:
    """Map a door (#23, #24)."""
    return Door(
        work_modes=DOOR_WORK_MODES,
        id=_required_text(obj.get("doorId"), "door id"),
        name=to_text(obj.get("doorName")) or "",
        controller_id=to_text(obj.get("deviceId")) or "",
        controller_name=to_text(obj.get("deviceName")),
        area_id=_id(_first(obj, "areaId", "areaid")),
        area_name=to_text(obj.get("areaName")),
        address=to_text(obj.get("doorAddr")),
    )


def parse_door_state(door_id: str, envelope: Mapping[str, Any]) -> DoorState:
    """Map a door state (#25): the flags sit beside ``status``, not in ``data``.

    A ``data`` object carrying the flags is accepted too.
    """
    source: Mapping[str, Any] = envelope
    if "isOnline" not in envelope and "isOpen" not in envelope:
        data = envelope.get("data")
        if not (isinstance(data, Mapping) and ("isOnline" in data or "isOpen" in data)):
            raise AcsResponseError("The door state has neither isOnline nor isOpen")
        source = data
    return DoorState(
        door_id=door_id,
        online=to_bool(source.get("isOnline")),
        is_open=to_bool(source.get("isOpen")),
    )


# --- events and records ----------------------------------------------------------


def parse_access_event(obj: Mapping[str, Any], time_zone: tzinfo) -> AccessEvent:
    """Map a real-time event (#29).

    It has no ``inOrOut`` and no event value: the direction comes from the
    reader named in ``eventName`` (外部… in, 内部… out), else None.
    """
    name = to_text(obj.get("eventName")) or ""
    reason, reason_code = reason_from(obj.get("accessBlockedReason"))
    code = to_int(
        _first(obj, "eventType", "acsEventValue", "eventValue")
    ) or KNOWN_EVENT_CODES.get(name)
    event_id = _required_int(obj.get("eventId"), "event id")
    when = to_time(obj.get("eventTime"), time_zone)
    door_id = to_text(_first(obj, "subDeviceId", "subdeviceId", "doorId"))
    card_no = to_text(obj.get("cardNo"))
    return AccessEvent(
        key=f"e{event_id}|{_match_part(door_id, card_no, when)}",
        event_id=event_id,
        time=when,
        name=name,
        method=method_from(name, card_no),
        controller_id=to_text(obj.get("deviceId")),
        controller_name=to_text(obj.get("deviceName")),
        door_id=door_id,
        door_name=to_text(_first(obj, "subDeviceName", "subdeviceName", "doorName")),
        area_name=to_text(obj.get("areaName")),
        event_code=code,
        forced=code == DOOR_FORCED_CODE,
        direction=direction_from(_first(obj, "inOrOut", "inOut"), name),
        is_alarm=to_bool(obj.get("isAlarm")),
        reason=reason,
        reason_code=reason_code,
        card_no=card_no,
        card_name=to_text(obj.get("cardName")),
        card_state=_card_state(obj.get("cardState")),
        card_group=to_text(obj.get("cardGroup")),
        card_type=to_text(obj.get("cardType")),
        user_no=to_text(obj.get("userNo")),
        user_name=to_text(obj.get("userName")),
        user_type_id=_id(obj.get("userType")),
        org_name=to_text(obj.get("orgName")),
        plate_number=to_text(obj.get("plateNumber")),
        alarm_class=to_text(obj.get("alarmClass")),
    )


def parse_access_record(obj: Mapping[str, Any], time_zone: tzinfo) -> AccessEvent:
    """Map a swipe record (#12, #14) or an access record (#16, #18)."""
    name = to_text(obj.get("acsEventName")) or ""
    reason, reason_code = reason_from(obj.get("accessBlockedReason"))
    code = to_int(obj.get("acsEventValue"))
    record_id = _required_int(obj.get("recordId"), "record id")
    when = to_time(obj.get("gmtSwipeCardTime"), time_zone)
    door_id = to_text(obj.get("doorId"))
    card_no = to_text(obj.get("cardNo"))
    return AccessEvent(
        key=f"r{record_id}|{_match_part(door_id, card_no, when)}",
        record_id=record_id,
        time=when,
        name=name,
        method=method_from(name, card_no),
        event_code=code,
        forced=code == DOOR_FORCED_CODE,
        controller_id=to_text(obj.get("deviceId")),
        controller_name=to_text(obj.get("deviceName")),
        door_id=door_id,
        door_name=to_text(obj.get("doorName")),
        area_id=_id(_first(obj, "areaId", "areaid")),
        area_name=to_text(obj.get("areaName")),
        is_swipe=to_bool(obj.get("isSwipeCard")),
        is_door_open=to_bool(obj.get("isOpenDoor")),
        direction=direction_from(_first(obj, "inOrOut", "inOut"), name),
        is_alarm=to_bool(obj.get("isAlarm")),
        reason=reason,
        reason_code=reason_code,
        card_no=card_no,
        card_state=_card_state(obj.get("cardState")),
        user_id=_id(obj.get("userId")),
        user_no=to_text(obj.get("userNo")),
        user_name=to_text(obj.get("userName")),
        org_id=_id(obj.get("userOrgId")),
        org_name=to_text(obj.get("userOrgName")),
        plate_number=to_text(obj.get("plateNumber")),
        user_type_id=_id(obj.get("userType")),
    )


def parse_passage(obj: Mapping[str, Any], time_zone: tzinfo) -> Passage:
    """Map a passage by card, face or plate (#30)."""
    name = to_text(obj.get("evName")) or ""
    return Passage(
        time=to_time(obj.get("evTime"), time_zone),
        name=name,
        event_code=to_int(obj.get("evValue")),
        controller_id=to_text(obj.get("deviceId")),
        controller_name=to_text(obj.get("deviceName")),
        area_id=_id(_first(obj, "areaId", "areaid")),
        area_name=to_text(obj.get("areaName")),
        direction=direction_from(_first(obj, "inOut", "inOrOut"), name),
        access_type=_access_type(obj.get("accessType")),
        credential=to_text(obj.get("accessPassport")),
        user_id=_id(obj.get("userId")),
        user_no=to_text(obj.get("userNo")),
        user_name=to_text(obj.get("userName")),
        org_name=to_text(obj.get("orgName")),
    )


def parse_alarm(obj: Mapping[str, Any], time_zone: tzinfo) -> Alarm:
    """Map an alarm not yet acknowledged nor cleared (#19); many fields are null."""
    reason, reason_code = reason_from(obj.get("accessBlockedReason"))
    code = to_int(_first(obj, "eventType", "acsEventValue"))
    return Alarm(
        alarm_id=_required_int(
            _first(obj, "alarmEventTroubleId", "eventId"), "alarm id"
        ),
        event_id=to_int(obj.get("eventId")),
        time=to_time(obj.get("eventTime"), time_zone),
        name=to_text(obj.get("eventName")) or "",
        event_code=code,
        forced=code == DOOR_FORCED_CODE,
        controller_id=to_text(obj.get("deviceId")),
        controller_name=to_text(obj.get("deviceName")),
        door_id=to_text(_first(obj, "subDeviceId", "subdeviceId")),
        door_name=to_text(_first(obj, "subDeviceName", "subdeviceName")),
        area_id=_id(_first(obj, "areaId", "areaid")),
        area_name=to_text(obj.get("areaName")),
        level=to_text(obj.get("alarmClass")),
        priority=to_int(obj.get("alarmClassPriority")),
        reason=reason,
        reason_code=reason_code,
        card_no=to_text(obj.get("cardNo")),
        user_id=_id(obj.get("userId")),
        user_no=to_text(obj.get("userNo")),
        user_name=to_text(obj.get("userName")),
        org_name=to_text(obj.get("orgName")),
        acknowledged=to_bool(obj.get("alarmStatus")),
        cleared=to_bool(obj.get("alarmClearStatus")),
        recovered=to_bool(obj.get("alarmRecoverStatus")),
    )


# --- people and directory ----------------------------------------------------------


def _person_type_id(obj: Mapping[str, Any]) -> int | None:
    """Return a user's person-type id.

    #8 names it ``userTypeId``; #5-#7 repeat ``userId`` (the second one is the
    type). A plain dict has no repeats, hence no type id.
    """
    explicit = obj.get("userTypeId")
    if explicit is not None:
        return _id(explicit)
    if isinstance(obj, JsonObject) and "userId" in obj.repeated:
        return _id(obj.repeated["userId"][-1])
    return None


def parse_person(obj: Mapping[str, Any], time_zone: tzinfo) -> Person:
    """Map a user (#5-#8); the first ``userId`` is the user's own id."""
    status = to_int(obj.get("status"))
    return Person(
        user_id=_id(obj.get("userId")),
        user_no=to_text(obj.get("userNo")),
        name=to_text(obj.get("userName")) or "",
        sex=to_int(obj.get("sex")),
        org_id=_id(obj.get("orgId")),
        org_name=to_text(obj.get("orgName")),
        person_type_id=_person_type_id(obj),
        person_type_name=to_text(_first(obj, "userTypeName", "typeName", "userIdName")),
        enabled=status != 0,
        email=to_text(obj.get("email")),
        mobile=to_text(obj.get("mobile")),
        id_card=to_text(obj.get("idCard")),
        job_position=to_text(obj.get("jobPosition")),
        plate_number=to_text(obj.get("plateNumber")),
        company=to_text(obj.get("company")),
        remark=to_text(obj.get("remark")),
        created=to_time(obj.get("gmtCreate"), time_zone),
        modified=to_time(obj.get("gmtModify"), time_zone),
        expires=to_time(obj.get("gmtExpireDate"), time_zone),
        card_state=_card_state(obj.get("cardState")),
        card_count=to_int(obj.get("cardCount")) or 0,
        card_nos=_card_nos(obj.get("cardNos")),
        card_expires=to_time(obj.get("gmtCardExpireDate"), time_zone),
        card_type_id=_id(obj.get("cardTypeId")),
        card_group_id=_id(obj.get("cardGroupId")),
        photo_url=to_text(obj.get("photoUrl")),
        face_url=to_text(obj.get("cardData")),
    )


def parse_area_person(obj: Mapping[str, Any], time_zone: tzinfo) -> AreaPerson:
    """Map a person inside an area (#20); both time spellings, ``areaId``/``areaid``."""
    return AreaPerson(
        record_id=_required_int(obj.get("uaid"), "record id (uaid)"),
        time=to_time(
            _first(obj, "gmtAcsevttime", "gmtAcsevertime", "gmtAcsEventTime"),
            time_zone,
        ),
        area_id=_id(_first(obj, "areaId", "areaid")),
        area_name=to_text(obj.get("areaName")),
        controller_id=to_text(obj.get("deviceId")),
        controller_name=to_text(obj.get("deviceName")),
        door_id=to_text(_first(obj, "subdeviceId", "subDeviceId")),
        door_name=to_text(_first(obj, "subdeviceName", "subDeviceName")),
        event_code=to_int(obj.get("acsevValue")),
        event_name=to_text(obj.get("acsevName")),
        card_no=to_text(obj.get("cardNo")),
        card_state=_card_state(obj.get("cardState")),
        card_type=to_text(_first(obj, "cardtype", "cardType")),
        card_group=to_text(_first(obj, "cardgroup", "cardGroup")),
        user_id=_id(obj.get("userId")),
        user_no=to_text(obj.get("userNo")),
        user_name=to_text(obj.get("userName")),
        org_id=_id(obj.get("userOrgId")),
        org_name=to_text(obj.get("userOrgName")),
        person_type_id=_id(obj.get("userType")),
        person_type_name=to_text(obj.get("userTypeName")),
    )


def parse_person_type(obj: Mapping[str, Any]) -> PersonType:
    """Map a person type (#1): ``userId`` with ``userName`` or ``typeName``."""
    return PersonType(
        id=_required_int(
            _first(obj, "userId", "userTypeId", "typeId", "id"), "person type id"
        ),
        name=to_text(_first(obj, "typeName", "userName", "userTypeName", "name")) or "",
    )


def parse_organisation(obj: Mapping[str, Any], time_zone: tzinfo) -> Organisation:
    """Map an organisation (#2, #3); ``parentId`` may be a string."""
    return Organisation(
        id=_required_int(obj.get("orgId"), "organisation id"),
        name=to_text(obj.get("orgName")) or "",
        code=to_text(obj.get("orgCode")),
        parent_id=_id(obj.get("parentId")),
        parent_name=to_text(obj.get("parentName")),
        created=to_time(obj.get("gmtCreate"), time_zone),
        modified=to_time(obj.get("gmtModify"), time_zone),
    )


def parse_card_group(obj: Mapping[str, Any]) -> CardGroup:
    """Map a card group (#9); the id is a string."""
    return CardGroup(
        id=_required_int(obj.get("id"), "card group id"),
        name=to_text(obj.get("name")) or "",
    )


def parse_card_type(obj: Mapping[str, Any]) -> CardType:
    """Map a card type (#10); the id is a string."""
    return CardType(
        id=_required_int(obj.get("id"), "card type id"),
        name=to_text(obj.get("name")) or "",
    )
