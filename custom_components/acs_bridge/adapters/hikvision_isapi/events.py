"""Map search pages and alert-stream parts onto :class:`~.models.IsapiEvent`.

The two shapes of one event:

* search (``AcsEvent`` ``InfoList`` items): ``major``, ``minor``, ``time``;
* stream (``EventNotificationAlert``): the nested ``AccessControllerEvent``
  with ``majorEventType``/``subEventType``, ``currentEvent``,
  ``frontSerialNo``; the time is the alert's top-level ``dateTime``.

Both carry ``serialNo``, ``doorNo``, ``cardReaderNo``, ``cardNo`` (empty for
face or fingerprint), ``employeeNoString`` (or ``employeeNo``), ``name``,
``userType``, ``currentVerifyMode`` (kept raw: the reader's configured mode).
"""

from __future__ import annotations

from typing import Any

from .decode import to_bool, to_int, to_text
from .models import EventPage, IsapiEvent
from .parse import items, root, search_status, to_time

__all__ = [
    "is_heartbeat",
    "parse_event_page",
    "parse_search_event",
    "parse_stream_event",
]


def _event(
    info: dict[str, Any], major: Any, minor: Any, time: Any
) -> IsapiEvent | None:
    major_no, minor_no = to_int(major), to_int(minor)
    if major_no is None or minor_no is None:
        return None
    employee = info.get("employeeNoString")
    if to_text(employee) is None:
        employee = info.get("employeeNo")
    return IsapiEvent(
        major=major_no,
        minor=minor_no,
        serial_no=to_int(info.get("serialNo")),
        time=to_time(time),
        door_no=to_int(info.get("doorNo")),
        card_reader_no=to_int(info.get("cardReaderNo")),
        card_no=to_text(info.get("cardNo")),
        card_type=to_int(info.get("cardType")),
        employee_no=to_text(employee),
        name=to_text(info.get("name")),
        user_type=to_text(info.get("userType")),
        current_verify_mode=to_text(info.get("currentVerifyMode")),
        current_event=to_bool(info.get("currentEvent")),
        front_serial_no=to_int(info.get("frontSerialNo")),
        picture_url=to_text(info.get("pictureURL")),
        pictures_number=to_int(info.get("picturesNumber")),
        net_user=to_text(info.get("netUser")),
        remote_host=to_text(info.get("remoteHostAddr")),
    )


def parse_search_event(info: Any) -> IsapiEvent | None:
    """Map one ``InfoList`` item of a search; None without major or minor."""
    if not isinstance(info, dict):
        return None
    return _event(info, info.get("major"), info.get("minor"), info.get("time"))


def parse_event_page(document: dict[str, Any]) -> EventPage:
    """Map one page of ``AcsEvent`` (items without major or minor are dropped)."""
    page = root(document, "AcsEvent")
    events = tuple(
        event
        for event in (
            parse_search_event(i) for i in items(page.get("InfoList"), "Info")
        )
        if event is not None
    )
    status = search_status(page.get("responseStatusStrg"))
    return EventPage(
        status=status,
        num_of_matches=to_int(page.get("numOfMatches")) or len(events),
        total_matches=to_int(page.get("totalMatches")),
        events=events,
    )


def _alert(document: dict[str, Any]) -> dict[str, Any]:
    return root(document, "EventNotificationAlert")


def is_heartbeat(document: dict[str, Any]) -> bool:
    """Return whether a stream part is a heartbeat.

    ``videoloss`` + ``inactive`` on the alert stream; ``heartBeat`` in push mode.
    """
    alert = _alert(document)
    event_type = (to_text(alert.get("eventType")) or "").lower()
    state = (to_text(alert.get("eventState")) or "").lower()
    return event_type == "heartbeat" or (
        event_type == "videoloss" and state == "inactive"
    )


def parse_stream_event(document: dict[str, Any]) -> IsapiEvent | None:
    """Map an ``EventNotificationAlert`` with an ``AccessControllerEvent``.

    ``majorEventType``/``subEventType`` are the codes; the time is the
    top-level ``dateTime``. Another kind of alert is None.
    """
    alert = _alert(document)
    info = alert.get("AccessControllerEvent")
    if not isinstance(info, dict):
        return None
    major = info.get("majorEventType", info.get("major"))
    minor = info.get("subEventType", info.get("minor"))
    time = alert.get("dateTime") or info.get("time")
    return _event(info, major, minor, time)
