"""The client of a Hikvision ISAPI access-control device: one method per call.

Every call goes through the one request helper of :class:`~.transport.Transport`
(serial, paced, digest, lock-out safe); the alert stream has its own
connection. Answers are mapped by :mod:`.parse`, whatever their format.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from datetime import datetime
import json
import re
import time
from typing import Any, Final
import uuid
from xml.sax.saxutils import escape

import aiohttp

from ..exceptions import AcsNotSupportedError  # noqa: TID252
from .events import parse_event_page
from .guard import LoginGuard
from .models import (
    AccessControlCapabilities,
    DeviceInfo,
    DoorCapabilities,
    DoorParam,
    EventSearchCapabilities,
    IsapiEvent,
    SearchStatus,
    StreamItem,
    User,
    WorkStatus,
)
from .parse import (
    parse_access_control_capabilities,
    parse_count,
    parse_device_info,
    parse_door_capabilities,
    parse_door_param,
    parse_event_capabilities,
    parse_user_page,
    parse_work_status,
)
from .stream import DEFAULT_STALL_TIMEOUT, read_alert_stream
from .transport import IDENTITY_PATH, Transport, TransportSettings

__all__ = ["DEFAULT_PAGE_SIZE", "HikvisionIsapiClient"]

#: Results per search page unless the device allows fewer (30 on the terminals seen).
DEFAULT_PAGE_SIZE: Final = 30
#: ``searchResultPosition`` tops out at 300000 (capabilities of one terminal).
_MAX_POSITION: Final = 300_000
_JSON: Final = {"format": "json"}
_CMD_RE: Final = re.compile(r"[A-Za-z]{1,32}")
ISAPI_NS: Final = "http://www.isapi.org/ver20/XMLSchema"

DEVICE_INFO: Final = IDENTITY_PATH
ACS_CAPABILITIES: Final = "/ISAPI/AccessControl/capabilities"
DOOR_CAPABILITIES: Final = "/ISAPI/AccessControl/RemoteControl/door/capabilities"
EVENT_CAPABILITIES: Final = "/ISAPI/AccessControl/AcsEvent/capabilities"
DOOR_PARAM: Final = "/ISAPI/AccessControl/Door/param/"
WORK_STATUS: Final = "/ISAPI/AccessControl/AcsWorkStatus"
REMOTE_CONTROL: Final = "/ISAPI/AccessControl/RemoteControl/door/"
EVENT_SEARCH: Final = "/ISAPI/AccessControl/AcsEvent"
EVENT_COUNT: Final = "/ISAPI/AccessControl/AcsEventTotalNum"
USER_SEARCH: Final = "/ISAPI/AccessControl/UserInfo/Search"
USER_COUNT: Final = "/ISAPI/AccessControl/UserInfo/Count"
ALERT_STREAM: Final = "/ISAPI/Event/notification/alertStream"


def format_time(value: datetime) -> str:
    """Return an ISAPI time: ISO 8601 with the offset an aware time has."""
    return value.replace(microsecond=0).isoformat()


class HikvisionIsapiClient:
    """One Hikvision access-control device through ISAPI, on an injected session."""

    def __init__(
        self,
        session: aiohttp.ClientSession,
        *,
        host: str,
        port: int = 80,
        username: str,
        password: str,
        ssl: bool = False,
        verify_ssl: bool = True,
        request_timeout: float = 10.0,
        guard: LoginGuard | None = None,
        settings: TransportSettings | None = None,
        page_size: int = DEFAULT_PAGE_SIZE,
        clock: Callable[[], float] = time.time,
    ) -> None:
        """Keep the settings; nothing is sent yet.

        ``guard`` holds the refused-login count (persist it; see
        :class:`~.guard.LoginGuard`); ``clock`` is wall-clock epoch seconds.
        """
        if settings is None:
            settings = TransportSettings(request_timeout=request_timeout)
        self.transport = Transport(
            session,
            host=host,
            port=port,
            username=username,
            password=password,
            ssl=ssl,
            verify_ssl=verify_ssl,
            guard=guard,
            settings=settings,
            clock=clock,
        )
        self._page_size = max(1, page_size)
        self._event_caps: EventSearchCapabilities | None = None

    def __repr__(self) -> str:
        """Never show the password."""
        return f"HikvisionIsapiClient(url={self.transport.url('/')!s})"

    @property
    def guard(self) -> LoginGuard:
        """Return the login guard (persist ``guard.to_dict()`` after each call)."""
        return self.transport.guard

    async def _get(self, path: str, *, json_format: bool = False) -> dict[str, Any]:
        return await self.transport.request(
            "GET", path, query=_JSON if json_format else None
        )

    async def _post_json(self, path: str, body: dict[str, Any]) -> dict[str, Any]:
        return await self.transport.request(
            "POST",
            path,
            query=_JSON,
            body=json.dumps(body).encode(),
            content_type="application/json",
        )

    # --- identity, capabilities, doors --------------------------------------

    async def device_info(self) -> DeviceInfo:
        """Return the device's identity; the credential check (moves nothing)."""
        document = await self.transport.request("GET", DEVICE_INFO, identity=True)
        return parse_device_info(document)

    async def access_control_capabilities(self) -> AccessControlCapabilities:
        """Return the access-control feature flags."""
        return parse_access_control_capabilities(await self._get(ACS_CAPABILITIES))

    async def door_capabilities(self) -> DoorCapabilities:
        """Return the door numbers, commands and remote-control password limits."""
        return parse_door_capabilities(await self._get(DOOR_CAPABILITIES))

    async def event_capabilities(
        self, *, refresh: bool = False
    ) -> EventSearchCapabilities:
        """Return what the event search accepts (read once, then cached)."""
        if self._event_caps is None or refresh:
            self._event_caps = parse_event_capabilities(
                await self._get(EVENT_CAPABILITIES, json_format=True)
            )
        return self._event_caps

    async def door_param(self, door_no: int) -> DoorParam:
        """Return a door's name and open duration (never its passwords)."""
        document = await self._get(f"{DOOR_PARAM}{int(door_no)}")
        return parse_door_param(document, door_no)

    async def work_status(self, door_count: int) -> WorkStatus:
        """Return the live state of the first ``door_count`` doors."""
        document = await self._get(WORK_STATUS, json_format=True)
        return parse_work_status(document, door_count)

    async def remote_control(
        self,
        door_no: int,
        cmd: str,
        password: str | None = None,
        *,
        namespaced: bool = True,
    ) -> None:
        """Send a door command (``open``, ``close``, ``alwaysOpen``, ``resume``...).

        The XML body carries ``password`` when given; it is never logged.
        ``namespaced=False`` sends the bare ``<RemoteControlDoor>`` many
        clients use.
        """
        if _CMD_RE.fullmatch(cmd) is None:
            raise ValueError("A door command is a single word")
        opening = (
            f'<RemoteControlDoor version="2.0" xmlns="{ISAPI_NS}">'
            if namespaced
            else "<RemoteControlDoor>"
        )
        secret = f"<password>{escape(password)}</password>" if password else ""
        body = (
            '<?xml version="1.0" encoding="UTF-8"?>'
            f"{opening}<cmd>{cmd}</cmd>{secret}</RemoteControlDoor>"
        )
        await self.transport.request(
            "PUT",
            f"{REMOTE_CONTROL}{int(door_no)}",
            body=body.encode(),
            content_type="application/xml; charset=UTF-8",
        )

    # --- events -------------------------------------------------------------

    async def _search_caps(self) -> EventSearchCapabilities:
        try:
            return await self.event_capabilities()
        except AcsNotSupportedError:
            self._event_caps = EventSearchCapabilities()
            return self._event_caps

    async def search_events(
        self,
        *,
        after_serial: int | None = None,
        start: datetime | None = None,
        end: datetime | None = None,
        major: int = 0,
        minor: int = 0,
    ) -> AsyncIterator[IsapiEvent]:
        """Yield the events of the log, oldest first as the device pages them.

        ``after_serial``: only events with a greater ``serialNo``. Where the
        capabilities list ``beginSerialNo`` the device is asked for them (no
        time window unless given: the device clock may be wrong); elsewhere
        the time window (``start``/``end``; none: the whole log) is searched
        and the serials at or below ``after_serial`` are dropped here. Every
        ``serialNo`` is yielded once per search.
        """
        caps = await self._search_caps()
        size = min(self._page_size, caps.max_results or self._page_size)
        cond: dict[str, Any] = {
            "searchID": uuid.uuid4().hex,
            "maxResults": size,
            "major": major,
            "minor": minor,
        }
        if after_serial is not None and caps.serial_range:
            cond["beginSerialNo"] = after_serial + 1
        if start is not None:
            cond["startTime"] = format_time(start)
        if end is not None:
            cond["endTime"] = format_time(end)
        if caps.time_reverse_order:
            cond["timeReverseOrder"] = False
        seen: set[int] = set()
        position = 0
        while position <= _MAX_POSITION:
            cond["searchResultPosition"] = position
            page = parse_event_page(
                await self._post_json(EVENT_SEARCH, {"AcsEventCond": cond})
            )
            for event in page.events:
                serial = event.serial_no
                if serial is not None:
                    if after_serial is not None and serial <= after_serial:
                        continue
                    if serial in seen:
                        continue
                    seen.add(serial)
                yield event
            if page.status is not SearchStatus.MORE or page.num_of_matches <= 0:
                return
            position += page.num_of_matches

    async def count_events(
        self,
        *,
        start: datetime | None = None,
        end: datetime | None = None,
        major: int = 0,
        minor: int = 0,
    ) -> int:
        """Return the number of events (root ``AcsEventTotalNumCond``)."""
        cond: dict[str, Any] = {"major": major, "minor": minor}
        if start is not None:
            cond["startTime"] = format_time(start)
        if end is not None:
            cond["endTime"] = format_time(end)
        document = await self._post_json(EVENT_COUNT, {"AcsEventTotalNumCond": cond})
        return parse_count(document, "totalNum")

    async def alert_stream(
        self, stall_timeout: float = DEFAULT_STALL_TIMEOUT
    ) -> AsyncIterator[StreamItem]:
        """Yield events and heartbeats of the alert stream until it fails.

        Ends only by raising: ``AcsConnectionError`` (closed, broken),
        ``AcsTimeoutError`` (nothing for ``stall_timeout`` seconds),
        ``AcsPermissionError`` (403). Close it with ``contextlib.aclosing``.
        """
        async with self.transport.open_stream(ALERT_STREAM) as response:
            async for item in read_alert_stream(response, stall_timeout=stall_timeout):
                yield item

    # --- people -------------------------------------------------------------

    async def search_users(self) -> AsyncIterator[User]:
        """Yield every person, paged like the event search."""
        cond: dict[str, Any] = {
            "searchID": uuid.uuid4().hex,
            "maxResults": self._page_size,
        }
        position = 0
        seen: set[str] = set()
        while position <= _MAX_POSITION:
            cond["searchResultPosition"] = position
            page = parse_user_page(
                await self._post_json(USER_SEARCH, {"UserInfoSearchCond": cond})
            )
            for user in page.users:
                if user.employee_no not in seen:
                    seen.add(user.employee_no)
                    yield user
            if page.status is not SearchStatus.MORE or page.num_of_matches <= 0:
                return
            position += page.num_of_matches

    async def count_users(self) -> int:
        """Return the number of people (``userNumber``)."""
        return parse_count(await self._get(USER_COUNT, json_format=True), "userNumber")
