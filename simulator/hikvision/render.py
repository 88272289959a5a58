"""Rendering ISAPI bodies: XML and JSON documents, ResponseStatus, userCheck, events."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
import json
from typing import Any
from xml.etree import ElementTree as ET
from xml.sax.saxutils import escape, quoteattr

from aiohttp import web

from .config import HikConfig
from .events import HikEvent

XML_TYPE = "application/xml"
JSON_TYPE = "application/json"

STATUS_STRINGS = {
    1: "OK",
    2: "Device Busy",
    3: "Device Error",
    4: "Invalid Operation",
    5: "Invalid Format",
    6: "Invalid Content",
    7: "Reboot Required",
}
#: subStatusCode → errorCode (the common ISAPI error table).
ERROR_CODES = {
    "ok": 0x1,
    "noMemory": 0x20000001,
    "deviceBusy": 0x20000004,
    "deviceError": 0x30000001,
    "notSupport": 0x40000001,
    "lowPrivilege": 0x40000002,
    "badAuthorization": 0x40000003,
    "methodNotAllowed": 0x40000004,
    "invalidOperation": 0x4000000C,
    "badXmlFormat": 0x50000001,
    "badJsonFormat": 0x50000002,
    "badURLFormat": 0x50000003,
    "badParameters": 0x60000001,
    "invalidID": 0x60000006,
    "MessageParametersLack": 0x60000019,
    "beyondARGSRangeLimit": 0x60000025,
}


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return escape(str(value))


def xml_element(name: str, value: Any) -> str:
    """Render one element.

    A mapping gives children (``@x`` keys are attributes), a list repeats the
    element, anything else is text.
    """
    if isinstance(value, list):
        return "".join(xml_element(name, item) for item in value)
    if isinstance(value, Mapping):
        attrs = "".join(
            f" {k[1:]}={quoteattr(_text(v))}" for k, v in value.items() if k[0] == "@"
        )
        children = "".join(
            xml_element(k, v) for k, v in value.items() if not k.startswith("@")
        )
        if not children:
            return f"<{name}{attrs}/>"
        return f"<{name}{attrs}>{children}</{name}>"
    return f"<{name}>{_text(value)}</{name}>"


def xml_document(root: str, body: Mapping[str, Any], namespace: str) -> str:
    """Render a whole document: ``<root version="2.0" xmlns=...>`` and its children."""
    head = {"@version": "2.0", "@xmlns": namespace}
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + xml_element(
        root, {**head, **body}
    )


def xml_response(
    root: str, body: Mapping[str, Any], config: HikConfig, status: int = 200
) -> web.Response:
    """Answer an XML document."""
    return web.Response(
        status=status,
        text=xml_document(root, body, config.namespace),
        content_type=XML_TYPE,
        charset="UTF-8",
    )


def json_response(data: Any, status: int = 200) -> web.Response:
    """Answer a JSON document."""
    return web.Response(
        status=status,
        text=json.dumps(data, ensure_ascii=False),
        content_type=JSON_TYPE,
        charset="UTF-8",
    )


def as_xml_fallback(data: Mapping[str, Any], config: HikConfig) -> web.Response:
    """Answer a JSON answer's content as XML: what some firmware sends to ``?format=json``."""
    root: str = "ResponseStatus"
    body: Any = data
    if len(data) == 1:
        root, body = next(iter(data.items()))
    if not isinstance(body, Mapping):
        body = {"value": body}
    return xml_response(root, body, config)


def status_body(
    url: str, code: int, sub: str, message: str | None = None
) -> dict[str, Any]:
    """Return the fields of a ResponseStatus."""
    body: dict[str, Any] = {
        "requestURL": url,
        "statusCode": code,
        "statusString": STATUS_STRINGS.get(code, "Device Error"),
        "subStatusCode": sub,
    }
    if code != 1:
        body["errorCode"] = ERROR_CODES.get(sub, (code << 28) | 1)
        body["errorMsg"] = message or sub
    return body


def response_status(
    request: web.Request,
    config: HikConfig,
    code: int = 1,
    sub: str = "ok",
    *,
    http_status: int = 200,
    message: str | None = None,
    as_json: bool | None = None,
) -> web.Response:
    """Answer a ResponseStatus in the form the request asked for (JSON for ``format=json``)."""
    body = status_body(request.path, code, sub, message)
    if as_json is None:
        as_json = wants_json(request)
    if as_json:
        return json_response(body, http_status)  # JSON ResponseStatus has no root
    return xml_response("ResponseStatus", body, config, http_status)


def wants_json(request: web.Request) -> bool:
    """Tell whether the URL asks for JSON."""
    return request.query.get("format", "").lower() == "json"


def user_check(
    config: HikConfig, attempts_left: int, locked: bool, unlock_seconds: int
) -> str:
    """Render the XML body of a 401."""
    return xml_document(
        "userCheck",
        {
            "statusValue": 401,
            "statusString": "Unauthorized",
            "isIllegalLogin": True,
            "retryLoginTime": attempts_left,
            "lockStatus": "lock" if locked else "unlock",
            "unlockTime": unlock_seconds,
        },
        config.namespace,
    )


# --- times ---------------------------------------------------------------------------


def format_time(moment: datetime, config: HikConfig) -> str:
    """ISO 8601 device time, with or without the UTC offset."""
    text = moment.replace(microsecond=0).isoformat()
    if config.times_with_offset:
        return text
    return text[:19]


# --- events -----------------------------------------------------------------------------


def picture_url(event: HikEvent, config: HikConfig) -> str:
    """Return where the device says an event's picture is."""
    return (
        f"http://{config.ip_address}/LOCALS/pic/acsLinkCap/"
        f"{event.serial_no:08d}.jpeg@{event.picture_token}"
    )


def search_item(event: HikEvent, config: HikConfig) -> dict[str, Any]:
    """Return one ``InfoList`` item of the event search."""
    item: dict[str, Any] = {
        "major": event.major,
        "minor": event.minor,
        "time": format_time(event.time, config),
        "netUser": event.net_user,
        "remoteHostAddr": event.remote_host or "0.0.0.0",  # noqa: S104
        "cardNo": event.card_no,
        "cardType": event.card_type,
        "name": event.name,
        "reportChannel": 0,
        "cardReaderKind": 1 if event.card_reader_no else 0,
        "cardReaderNo": event.card_reader_no,
        "doorNo": event.door_no,
        "verifyNo": 0,
        "alarmInNo": 0,
        "alarmOutNo": 0,
        "caseSensorNo": 0,
        "RS485No": 0,
        "multiCardGroupNo": 0,
        "deviceNo": 0,
        "employeeNoString": event.employee_no,
        "InternetAccess": 0,
        "type": 0,
        "MACAddr": "",
        "swipeCardType": 0,
        "serialNo": event.serial_no,
        "userType": event.user_type,
        "currentVerifyMode": event.verify_mode,
        "attendanceStatus": "undefined",
        "statusValue": 0,
    }
    if event.pictures:
        item["pictureURL"] = picture_url(event, config)
        item["picturesNumber"] = event.pictures
    return item


def alert_body(
    event: HikEvent, config: HikConfig, *, current: bool, front_serial: int
) -> dict[str, Any]:
    """Return the ``EventNotificationAlert`` of an event on the stream."""
    pictures = event.pictures if config.face_pictures else 0
    nested: dict[str, Any] = {
        "deviceName": config.device_name,
        "majorEventType": event.major,
        "subEventType": event.minor,
        "cardNo": event.card_no,
        "cardType": event.card_type,
        "name": event.name,
        "cardReaderKind": 1 if event.card_reader_no else 0,
        "cardReaderNo": event.card_reader_no,
        "doorNo": event.door_no,
        "verifyNo": 0,
        "employeeNoString": event.employee_no,
        "serialNo": event.serial_no,
        "frontSerialNo": front_serial,
        "userType": event.user_type,
        "currentVerifyMode": event.verify_mode,
        "currentEvent": current,
        "attendanceStatus": "undefined",
        "label": "",
        "statusValue": 0,
        "mask": "no",
        "picturesNumber": pictures,
        "purePwdVerifyEnable": True,
    }
    if event.net_user:
        nested["netUser"] = event.net_user
        nested["remoteHostAddr"] = event.remote_host
    return {
        "ipAddress": config.ip_address,
        "portNo": 80,
        "protocol": "HTTP",
        "macAddress": config.mac_address,
        "channelID": 1,
        "dateTime": format_time(event.time, config),
        "activePostCount": 1,
        "eventType": "AccessControllerEvent",
        "eventState": "active",
        "eventDescription": "Access Controller Event",
        "AccessControllerEvent": nested,
    }


def heartbeat_body(config: HikConfig, now: datetime) -> dict[str, Any]:
    """Return the stream's heartbeat: ``videoloss`` / ``inactive``."""
    return {
        "ipAddress": config.ip_address,
        "portNo": 80,
        "protocol": "HTTP",
        "macAddress": config.mac_address,
        "channelID": 1,
        "dateTime": format_time(now, config),
        "activePostCount": 0,
        "eventType": "videoloss",
        "eventState": "inactive",
        "eventDescription": "videoloss alarm",
    }


def alert_part(body: Mapping[str, Any], config: HikConfig) -> tuple[str, bytes]:
    """Return (Content-Type, bytes) of an alert in the firmware's part format."""
    if config.part_format == "xml":
        text = xml_document("EventNotificationAlert", body, config.namespace)
        return f'{XML_TYPE}; charset="UTF-8"', text.encode()
    indent = "\t" if config.json_tabs else None
    text = json.dumps(body, ensure_ascii=False, indent=indent)
    return f'{JSON_TYPE}; charset="UTF-8"', text.encode()


# --- parsing request bodies ---------------------------------------------------------------


class BodyError(Exception):
    """A request body the device would refuse: (statusCode, subStatusCode)."""

    def __init__(self, code: int, sub: str, message: str) -> None:
        """Remember the ResponseStatus fields."""
        super().__init__(message)
        self.code = code
        self.sub = sub


def parse_xml_fields(text: str) -> tuple[str, dict[str, str]]:
    """Return the root's local name and its direct children's texts, by local name."""
    try:
        root = ET.fromstring(text)  # noqa: S314 (a simulator parsing its test clients)
    except ET.ParseError as err:
        raise BodyError(5, "badXmlFormat", f"XML: {err}") from None
    fields = {
        child.tag.rsplit("}", 1)[-1]: (child.text or "").strip() for child in root
    }
    return root.tag.rsplit("}", 1)[-1], fields


def parse_json_root(text: str, root: str) -> dict[str, Any]:
    """Return the object under ``root``; MessageParametersLack when the root is missing."""
    try:
        data = json.loads(text)
    except ValueError as err:
        raise BodyError(5, "badJsonFormat", f"JSON: {err}") from None
    if not isinstance(data, dict):
        raise BodyError(5, "badJsonFormat", "JSON body is not an object")
    body = data.get(root)
    if not isinstance(body, dict):
        raise BodyError(6, "MessageParametersLack", f"{root} is missing")
    return body
