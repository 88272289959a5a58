"""Map decoded ISAPI documents (JSON or XML, see :mod:`.decode`) onto the models.

Tolerant by design, because firmware differs:

* a document may come with or without its root wrapper
  (``{"AcsWorkStatus": {...}}`` or the object itself);
* numbers may be strings (XML always, JSON sometimes) and the reverse;
* a list may be a list, a single object, or a container with one child name
  (``InfoList``: ``[{...}]``, ``{"Info": [...]}``, ``{"Info": {...}}``);
* capabilities carry their ranges as XML attributes or as JSON ``@min``/
  ``@max``/``@opt`` keys (``min``/``max``/``opt`` accepted too);
* times come with or without a UTC offset: naive times stay naive;
* missing fields are None.

A ``Door/param`` answer also carries door passwords: nothing of it but the
name and the open duration is read.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Any, Final

from ..exceptions import AcsResponseError  # noqa: TID252
from .decode import to_bool, to_int, to_text
from .models import (
    AccessControlCapabilities,
    DeviceInfo,
    DoorCapabilities,
    DoorMode,
    DoorParam,
    DoorStatus,
    EventSearchCapabilities,
    LockStatus,
    MagneticStatus,
    SearchStatus,
    User,
    UserPage,
    WorkStatus,
)

__all__ = [
    "find",
    "items",
    "parse_access_control_capabilities",
    "parse_count",
    "parse_device_info",
    "parse_door_capabilities",
    "parse_door_param",
    "parse_event_capabilities",
    "parse_user",
    "parse_user_page",
    "parse_work_status",
    "root",
    "search_status",
    "to_time",
]

_MINOR_KEYS: Final = ("minorAlarm", "minorException", "minorOperation", "minorEvent")


# --- helpers --------------------------------------------------------------------


def root(document: dict[str, Any], name: str) -> dict[str, Any]:
    """Return ``document[name]`` when it is an object, else the document itself."""
    inner = document.get(name)
    return inner if isinstance(inner, dict) else document


def find(value: Any, key: str) -> Any:
    """Return the first value under ``key`` anywhere in nested dicts and lists."""
    if isinstance(value, dict):
        if key in value:
            return value[key]
        for inner in value.values():
            found = find(inner, key)
            if found is not None:
                return found
    elif isinstance(value, list):
        for inner in value:
            found = find(inner, key)
            if found is not None:
                return found
    return None


def items(value: Any, child: str | None = None) -> Iterator[Any]:
    """Yield the entries of a list however it was sent (list, object, container)."""
    if value is None or value == "":
        return
    if isinstance(value, list):
        for entry in value:
            yield from items(entry) if isinstance(entry, list) else (entry,)
        return
    if isinstance(value, dict) and child is not None and child in value:
        yield from items(value[child])
        return
    yield value


def _attr(value: Any, name: str) -> Any:
    """Return the ``@name`` (or ``name``) of a capability entry."""
    if isinstance(value, dict):
        for key in (f"@{name}", name):
            if key in value:
                return value[key]
    return None


def _options(value: Any) -> tuple[str, ...]:
    """Return the options of an ``@opt`` (comma-separated text or a list)."""
    if isinstance(value, list):
        return tuple(t for t in (to_text(v) for v in value) if t)
    text = to_text(value)
    if text is None:
        return ()
    return tuple(part.strip() for part in text.split(",") if part.strip())


def to_time(value: Any) -> datetime | None:
    """Return a device time as sent: aware with an offset, naive without one."""
    text = to_text(value)
    if text is None:
        return None
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        pass
    try:
        return datetime.fromisoformat(text.replace(" ", "T", 1))
    except ValueError:
        return None


def search_status(value: Any) -> SearchStatus:
    """Return a page's ``responseStatusStrg`` (unknown: ``OK``, the last page)."""
    text = (to_text(value) or "").upper().replace("_", " ")
    for status in SearchStatus:
        if text == status.value:
            return status
    return SearchStatus.OK


# --- identity and capabilities ---------------------------------------------------


def parse_device_info(document: dict[str, Any]) -> DeviceInfo:
    """Map ``deviceInfo``; a document without serial and model is refused."""
    info = root(document, "DeviceInfo")
    result = DeviceInfo(
        name=to_text(info.get("deviceName")),
        model=to_text(info.get("model")),
        serial=to_text(info.get("serialNumber")),
        mac=to_text(info.get("macAddress")),
        firmware=to_text(info.get("firmwareVersion")),
        firmware_date=to_text(info.get("firmwareReleasedDate")),
        device_type=to_text(info.get("deviceType")),
        sub_device_type=to_text(info.get("subDeviceType")),
        electro_lock_num=to_int(info.get("electroLockNum")),
    )
    if result.serial is None and result.model is None:
        raise AcsResponseError("deviceInfo: the answer has no model or serial number")
    return result


def parse_access_control_capabilities(
    document: dict[str, Any],
) -> AccessControlCapabilities:
    """Map ``AccessControl/capabilities`` (flags, nested or not)."""
    flags: set[str] = set()

    def walk(value: Any) -> None:
        if isinstance(value, dict):
            for key, inner in value.items():
                if key.startswith("isSupport") and to_bool(inner):
                    flags.add(key)
                else:
                    walk(inner)

    walk(document)
    return AccessControlCapabilities(flags=frozenset(flags))


def parse_door_capabilities(document: dict[str, Any]) -> DoorCapabilities:
    """Map ``RemoteControl/door/capabilities``."""
    door_no = find(document, "doorNo")
    password = find(document, "password")
    return DoorCapabilities(
        door_min=to_int(_attr(door_no, "min")) or 1,
        door_max=to_int(_attr(door_no, "max")),
        commands=_options(_attr(find(document, "cmd"), "opt")),
        password_supported=password is not None,
        password_min=to_int(_attr(password, "min")),
        password_max=to_int(_attr(password, "max")),
    )


def parse_event_capabilities(document: dict[str, Any]) -> EventSearchCapabilities:
    """Map ``AcsEvent/capabilities`` (JSON ``@``-keys or XML attributes)."""
    cond = find(document, "AcsEventCond")
    cond = cond if isinstance(cond, dict) else document
    max_results = to_int(_attr(cond.get("maxResults"), "max"))
    if max_results is None:
        max_results = to_int(_attr(find(document, "InfoList"), "maxSize"))
        if max_results is None:
            max_results = to_int(find(find(document, "InfoList"), "maxSize"))
    minors: dict[str, tuple[int, ...]] = {}
    for key in _MINOR_KEYS:
        entry = cond.get(key, find(document, key))
        if entry is None:
            continue
        options = _options(_attr(entry, "opt") if isinstance(entry, dict) else entry)
        minors[key] = tuple(n for n in (to_int(o) for o in options) if n is not None)
    return EventSearchCapabilities(
        max_results=max_results,
        serial_range="beginSerialNo" in cond and "endSerialNo" in cond,
        time_reverse_order="timeReverseOrder" in cond,
        card_no="cardNo" in cond,
        name="name" in cond,
        employee_no="employeeNoString" in cond,
        minors=minors,
    )


def parse_door_param(document: dict[str, Any], door_no: int) -> DoorParam:
    """Map ``Door/param/<n>``: name and open duration, never a password."""
    param = root(document, "DoorParam")
    return DoorParam(
        door_no=door_no,
        name=to_text(param.get("doorName")),
        open_duration=to_int(param.get("openDuration")),
    )


# --- state ----------------------------------------------------------------------


def _array(status: dict[str, Any], name: str) -> list[Any]:
    value = status.get(name)
    if value is None:
        value = status.get(f"{name}List")
    return list(items(value, name))


def _enum[E: (LockStatus, MagneticStatus, DoorMode)](kind: type[E], value: Any) -> E:
    number = to_int(value)
    try:
        return kind(number) if number is not None else kind(-1)
    except ValueError:
        return kind(-1)


def parse_work_status(document: dict[str, Any], door_count: int) -> WorkStatus:
    """Map ``AcsWorkStatus``, reading only the first ``door_count`` entries.

    The arrays are padded (126 entries on a 2-door controller): the door count
    comes from the capabilities, never from here.
    """
    status = root(document, "AcsWorkStatus")
    locks = _array(status, "doorLockStatus")
    contacts = _array(status, "magneticStatus")
    modes = _array(status, "doorStatus")

    def entry(values: list[Any], index: int) -> Any:
        return values[index] if index < len(values) else None

    doors = tuple(
        DoorStatus(
            door_no=index + 1,
            lock=_enum(LockStatus, entry(locks, index)),
            magnetic=_enum(MagneticStatus, entry(contacts, index)),
            mode=_enum(DoorMode, entry(modes, index)),
        )
        for index in range(max(0, door_count))
    )
    readers = tuple(
        n
        for n in (to_int(v) for v in _array(status, "cardReaderOnlineStatus"))
        if n is not None
    )
    return WorkStatus(
        doors=doors,
        power_supply=to_text(status.get("powerSupplyStatus")),
        host_tamper=to_text(status.get("hostAntiDismantleStatus")),
        card_readers_online=readers,
    )


# --- people and counts -----------------------------------------------------------


def parse_user(info: Any) -> User | None:
    """Map one ``UserInfo``; None without an ``employeeNo``."""
    if not isinstance(info, dict):
        return None
    employee = to_text(info.get("employeeNo")) or to_text(info.get("employeeNoString"))
    if employee is None:
        return None
    valid = info.get("Valid")
    valid = valid if isinstance(valid, dict) else {}
    return User(
        employee_no=employee,
        name=to_text(info.get("name")),
        user_type=to_text(info.get("userType")),
        valid_enabled=to_bool(valid.get("enable")),
        valid_from=to_time(valid.get("beginTime")),
        valid_to=to_time(valid.get("endTime")),
        door_right=to_text(info.get("doorRight")),
        num_of_card=to_int(info.get("numOfCard")),
        num_of_face=to_int(info.get("numOfFace")),
        num_of_fp=to_int(info.get("numOfFP")),
    )


def parse_user_page(document: dict[str, Any]) -> UserPage:
    """Map one page of ``UserInfo/Search``."""
    page = root(document, "UserInfoSearch")
    users = tuple(
        user
        for user in (parse_user(i) for i in items(page.get("UserInfo"), "UserInfo"))
        if user is not None
    )
    return UserPage(
        status=search_status(page.get("responseStatusStrg")),
        num_of_matches=to_int(page.get("numOfMatches")) or len(users),
        total_matches=to_int(page.get("totalMatches")),
        users=users,
    )


def parse_count(document: dict[str, Any], key: str) -> int:
    """Return a count (``totalNum``, ``userNumber``) found anywhere in the answer."""
    count = to_int(find(document, key))
    if count is None or count < 0:
        raise AcsResponseError(f"The answer has no valid {key}")
    return count
