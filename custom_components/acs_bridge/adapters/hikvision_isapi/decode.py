"""Decode ISAPI answers by their content: JSON or XML, into plain dicts and lists.

The URL does not decide the format: some firmware answers XML where
``?format=json`` asked for JSON. :func:`parse_document` looks at the body:

* ``{`` starts JSON;
* ``<`` starts XML, parsed by LOCAL name (both
  ``http://www.isapi.org/ver20/XMLSchema`` and
  ``http://www.hikvision.com/ver20/XMLSchema`` occur) into the shape the JSON
  form has: ``{"Root": {"child": "text", "list": [..]}}``; attributes become
  ``"@name"`` keys (the JSON capabilities use the same ``@min``/``@max``/``@opt``
  keys), the text of an element that also has attributes ``"#text"``; a
  repeated child becomes a list. XML values are all strings: the mappers read
  numbers from strings and strings from numbers alike;
* an HTML page, an empty or truncated body, anything else:
  ``AcsResponseError``.

XML safety: no ``defusedxml`` is installed in either Home Assistant version,
so the standard parser is used with two guards: the body is size-capped by the
transport, and a body with a ``<!DOCTYPE`` or ``<!ENTITY`` is refused before
parsing (ISAPI never sends one; refusing them rules out entity expansion).
Python's expat never fetches external entities.

:func:`check_status` turns a ``ResponseStatus`` (XML or JSON, wrapped or at the
top level) whose ``statusCode`` is not 1 into the exception tree, even on an
HTTP 200; :func:`user_check` reads the ``userCheck`` of a 401.
"""

from __future__ import annotations

from dataclasses import dataclass
import json
import ssl
from typing import Any, Final
from xml.etree import ElementTree as ET

import aiohttp

from ..exceptions import (  # noqa: TID252
    AcsAuthenticationError,
    AcsCertificateError,
    AcsConnectionError,
    AcsError,
    AcsInvalidRequestError,
    AcsNotFoundError,
    AcsNotSupportedError,
    AcsPermissionError,
    AcsResponseError,
    AcsServerError,
    AcsTimeoutError,
)

__all__ = [
    "BodyTooLargeError",
    "DeviceBusyError",
    "UserCheck",
    "check_status",
    "decode_answer",
    "local_name",
    "parse_document",
    "to_bool",
    "to_int",
    "to_text",
    "user_check",
    "wire_error",
]

#: ISAPI status codes (``statusCode``).
STATUS_OK: Final = 1
STATUS_BUSY: Final = 2

_INVALID_SUBSTATUS: Final = frozenset(
    {
        "badparameters",
        "badxmlformat",
        "badjsonformat",
        "badxmlcontent",
        "badjsoncontent",
        "messageparameterslack",
        "invalidcontent",
        "invalidoperation",
        "badurlformat",
        "methodnotallowed",
    }
)


class DeviceBusyError(AcsServerError):
    """The device stayed busy (``statusCode`` 2, ``deviceBusy``, HTTP 503)."""


class BodyTooLargeError(Exception):
    """An answer passed the transport's size limit (internal)."""


def wire_error(err: Exception, what: str, timeout: float) -> AcsError:
    """Return the adapter error for a failure on the wire (no URL in it).

    The result is raised outside the ``except`` block that caught ``err``,
    so the aiohttp error (which names the URL) is never chained to it.
    """
    if isinstance(err, AcsError):
        return err
    if isinstance(err, BodyTooLargeError):
        return AcsResponseError(f"{what}: the answer is too large")
    if isinstance(err, TimeoutError):
        return AcsTimeoutError(f"{what}: no answer within {timeout:g} s")
    if isinstance(
        err, aiohttp.ClientConnectorCertificateError | ssl.SSLCertVerificationError
    ):
        return AcsCertificateError(
            f"{what}: the device's certificate cannot be verified "
            f"({type(err).__name__})"
        )
    if isinstance(err, aiohttp.ClientError | OSError):
        return AcsConnectionError(
            f"{what}: cannot talk to the device ({type(err).__name__})"
        )
    raise err


# --- values ---------------------------------------------------------------------


def to_text(value: Any) -> str | None:
    """Return text; empty, None and containers are None."""
    if isinstance(value, dict):
        value = value.get("#text")
    if value is None or isinstance(value, list | dict):
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    text = str(value).strip()
    return text or None


def to_int(value: Any) -> int | None:
    """Return an int from a number or a numeric string; else None."""
    if isinstance(value, dict):
        value = value.get("#text")
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return int(value) if value.is_integer() else None
    if isinstance(value, str):
        text = value.strip()
        try:
            return int(text, 10)
        except ValueError:
            try:
                number = float(text)
            except ValueError:
                return None
            return int(number) if number.is_integer() else None
    return None


def to_bool(value: Any) -> bool | None:
    """Return a flag from ``true``/``false``, 1/0 or a bool; else None."""
    if isinstance(value, dict):
        value = value.get("#text")
    if isinstance(value, bool):
        return value
    if isinstance(value, int):
        return value != 0
    if isinstance(value, str):
        text = value.strip().lower()
        if text in {"true", "1", "yes", "on"}:
            return True
        if text in {"false", "0", "no", "off"}:
            return False
    return None


# --- documents ------------------------------------------------------------------


def local_name(tag: str) -> str:
    """Return a tag or attribute name without its ``{namespace}``."""
    return tag.rpartition("}")[2]


def _element_value(element: ET.Element) -> Any:
    """Return an element as text, or a dict of attributes and children.

    A child that occurs once is a value, one that repeats a list of values
    (the mappers accept a value where they expect a list).
    """
    children = list(element)
    attributes = {f"@{local_name(k)}": v for k, v in element.attrib.items()}
    text = (element.text or "").strip()
    if not children and not attributes:
        return text
    grouped: dict[str, list[Any]] = {}
    for child in children:
        grouped.setdefault(local_name(child.tag), []).append(_element_value(child))
    result: dict[str, Any] = attributes
    for name, values in grouped.items():
        result[name] = values[0] if len(values) == 1 else values
    if text and not children:
        result["#text"] = text
    return result


def _looks_like_html(text: str) -> bool:
    head = text[:512].lower()
    return "<html" in head or "<!doctype html" in head or "<body" in head


def parse_document(body: bytes, what: str) -> dict[str, Any]:
    """Return the body as a dict (XML: ``{root local name: value}``).

    An empty body is an empty dict. ``what`` names the call in errors (never
    a URL).
    """
    try:
        text = body.decode("utf-8-sig").strip()
    except UnicodeDecodeError:
        raise AcsResponseError(f"{what}: the answer is not UTF-8 text") from None
    if not text:
        return {}
    if text.startswith(("{", "[")):
        try:
            document = json.loads(text)
        except ValueError:
            raise AcsResponseError(f"{what}: the answer is not valid JSON") from None
        if not isinstance(document, dict):
            raise AcsResponseError(f"{what}: the answer is not a JSON object")
        return document
    if text.startswith("<"):
        if _looks_like_html(text):
            raise AcsResponseError(f"{what}: the device answered an HTML page")
        if "<!DOCTYPE" in text or "<!ENTITY" in text:
            raise AcsResponseError(f"{what}: the answer declares a DTD (refused)")
        try:
            root = ET.fromstring(text)  # noqa: S314 - size-capped, DTDs refused above
        except ET.ParseError:
            raise AcsResponseError(f"{what}: the answer is not valid XML") from None
        return {local_name(root.tag): _element_value(root)}
    raise AcsResponseError(f"{what}: the answer is neither JSON nor XML")


# --- ResponseStatus and userCheck -----------------------------------------------


def _status_object(document: dict[str, Any]) -> dict[str, Any] | None:
    wrapped = document.get("ResponseStatus")
    if isinstance(wrapped, dict):
        return wrapped
    if "statusCode" in document:
        return document
    return None


def status_error(
    status: dict[str, Any], what: str, *, default: type[AcsError] = AcsServerError
) -> AcsError:
    """Return the exception of a failed ``ResponseStatus`` (no URL in it)."""
    code = to_int(status.get("statusCode"))
    text = to_text(status.get("statusString")) or "failed"
    sub = to_text(status.get("subStatusCode")) or ""
    error_code = to_int(status.get("errorCode"))
    message = f"{what}: {text}"
    if sub:
        message += f" ({sub})"
    if error_code is not None and error_code not in {0, 1}:
        message += f" [error 0x{error_code & 0xFFFFFFFF:08x}]"
    lowered = sub.lower()
    kind: type[AcsError]
    if code == STATUS_BUSY or lowered == "devicebusy":
        kind = DeviceBusyError
    elif lowered == "notsupport":
        kind = AcsNotSupportedError
    elif lowered == "lowprivilege":
        kind = AcsPermissionError
    elif lowered in {"invalidid", "nosuchresource", "notexist"}:
        kind = AcsNotFoundError
    elif lowered == "badauthorization":
        kind = AcsAuthenticationError
    elif (
        code in {5, 6}
        or lowered in _INVALID_SUBSTATUS
        or "param" in lowered
        or lowered.startswith("invalid")
    ):
        kind = AcsInvalidRequestError
    else:
        kind = default
    return kind(message, code=code)


def check_status(document: dict[str, Any], what: str) -> None:
    """Raise the mapped error when the document is a failed ``ResponseStatus``."""
    status = _status_object(document)
    if status is None:
        return
    code = to_int(status.get("statusCode"))
    if code == STATUS_OK:
        return
    raise status_error(status, what)


def decode_answer(status: int, data: bytes, what: str) -> dict[str, Any]:
    """Return the document of an HTTP answer (not a 401), or raise its error.

    2xx: the document, unless its ``ResponseStatus`` says failure. 403 is a
    missing permission, 503 a busy device, 404 a call the device lacks; other
    statuses take the error of their ``ResponseStatus`` when there is one.
    """
    if 200 <= status < 300:
        document = parse_document(data, what)
        check_status(document, what)
        return document
    try:
        status_object = _status_object(parse_document(data, what))
    except AcsResponseError:
        status_object = None
    if status == 503:
        raise DeviceBusyError(f"{what}: the device is busy (HTTP 503)", code=503)
    if status == 403:
        raise AcsPermissionError(
            f"{what}: the account lacks the permission (HTTP 403)", code=403
        )
    default: type[AcsError] = AcsServerError
    if status == 404:
        default = AcsNotSupportedError
    elif 400 <= status < 500:
        default = AcsInvalidRequestError
    elif 300 <= status < 400:
        default = AcsResponseError
    if status_object is not None:
        raise status_error(status_object, what, default=default)
    raise default(f"{what}: the device answered HTTP {status}", code=status)


@dataclass(frozen=True, slots=True)
class UserCheck:
    """The ``userCheck`` body of a 401."""

    locked: bool
    unlock_seconds: int | None = None
    retries_left: int | None = None
    illegal_login: bool | None = None


def user_check(document: dict[str, Any]) -> UserCheck | None:
    """Return the ``userCheck`` of a document, if it has one."""
    check = document.get("userCheck") or document.get("UserCheck")
    if not isinstance(check, dict):
        return None
    lock = (to_text(check.get("lockStatus")) or "").lower()
    return UserCheck(
        locked=lock == "lock",
        unlock_seconds=to_int(check.get("unlockTime")),
        retries_left=to_int(check.get("retryLoginTime")),
        illegal_login=to_bool(check.get("isIllegalLogin")),
    )
