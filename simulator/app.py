"""HTTP layer of the protocol: the 30 GET endpoints under /api/v1/.

Paths are matched on the raw request target and each segment is unquoted
here, so a percent-encoded ``/`` inside a password stays inside its segment.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Mapping
import contextlib
from datetime import datetime
from functools import partial
import logging
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote

from aiohttp import web

from . import render
from .control import add_control_routes
from .faults import Fault
from .state import (
    ACCOUNT_LOCKED,
    INVALID_PARAMETER,
    MESSAGES,
    NO_DATA,
    OK,
    SERVER_ERROR,
    LoggedRequest,
)

if TYPE_CHECKING:
    from .core import Simulator

_LOGGER = logging.getLogger(__name__)

API_PREFIX = "/api/v1/"
MAX_URI_BYTES = 4096
MAX_ROWS = 1000
MIN_KEYWORD = 6
JSON_TYPE = "application/json"
MASK = "***"
STATUS_KEY = "acs_status"


class ApiError(Exception):
    """A protocol error answered as an envelope with this status."""

    def __init__(self, status: int, msg: str | None = None) -> None:
        """Remember the status and the message."""
        super().__init__(msg or MESSAGES.get(status, ""))
        self.status = status
        self.msg = msg or MESSAGES.get(status, "一般错误")


def json_response(text: str, api_status: int = OK) -> web.Response:
    """Answer UTF-8 JSON as the server does (``api_status`` feeds the stats)."""
    response = web.Response(text=text, content_type=JSON_TYPE, charset="utf-8")
    response[STATUS_KEY] = api_status
    return response


def envelope(status: int, msg: str | None = None, data: Any = None) -> web.Response:
    """Answer an envelope with ``data`` (None: ``"data": null``)."""
    text = render.dumps(data)
    return json_response(
        render.envelope_text(status, msg or MESSAGES.get(status, ""), text), status
    )


def ok(data: Any) -> web.Response:
    """Answer success; an empty list is answered 102 like the server does."""
    if isinstance(data, list) and not data:
        raise ApiError(NO_DATA)
    return envelope(OK, "success", data)


def ok_text(data_text: str) -> web.Response:
    """Answer success with data that is already raw JSON text."""
    return json_response(render.envelope_text(OK, "success", data_text))


# --- parameters ----------------------------------------------------------------


def _int(query: Mapping[str, str], name: str, default: int | None = None) -> int:
    """Read an integer parameter; missing or empty gives ``default`` (None: required)."""
    text = query.get(name, "").strip()
    if not text:
        if default is None:
            raise ApiError(INVALID_PARAMETER)
        return default
    try:
        return int(text)
    except ValueError:
        raise ApiError(INVALID_PARAMETER) from None


def _isalarm(query: Mapping[str, str]) -> int:
    value = _int(query, "isalarm", 0)
    if value not in (-1, 0, 1):
        raise ApiError(INVALID_PARAMETER)
    return value


def _paging(query: Mapping[str, str], *, allow_all: bool = False) -> tuple[int, int]:
    """``offset`` and ``rows``, both required; rows 1..1000 (0 with ``allow_all``)."""
    offset = _int(query, "offset")
    rows = _int(query, "rows")
    if offset < 0 or rows < 0 or rows > MAX_ROWS or (rows == 0 and not allow_all):
        raise ApiError(INVALID_PARAMETER)
    return offset, rows


def parse_time(text: str) -> datetime:
    """Parse ``yyyy-MM-dd HH:mm:ss`` (the space may arrive as ``+``)."""
    try:
        return datetime.strptime(  # noqa: DTZ007 (server-local naive time)
            text.strip().replace("+", " "), render.TIME_FORMAT
        )
    except ValueError:
        raise ApiError(INVALID_PARAMETER) from None


def _time(query: Mapping[str, str], name: str, *, required: bool) -> datetime | None:
    text = query.get(name, "").strip()
    if not text:
        if required:
            raise ApiError(INVALID_PARAMETER)
        return None
    return parse_time(text)


def _page[T](items: list[T], offset: int, rows: int) -> list[T]:
    return items[offset : offset + rows] if rows else items[offset:]


# --- path handling -------------------------------------------------------------


def split_api_path(request: web.Request) -> list[str]:
    """Return the unquoted segments after /api/v1/ (one trailing slash ignored)."""
    raw = request.raw_path.split("?", 1)[0]
    if raw.startswith(API_PREFIX):
        tail = raw[len(API_PREFIX) :]
    else:  # an unusual request target; fall back to the router's view
        tail = request.match_info.get("tail", "")
    segments = [unquote(s) for s in tail.split("/")]
    if len(segments) > 1 and segments[-1] == "":
        segments.pop()
    return segments


def mask_segments(segments: list[str]) -> list[str]:
    """Replace the password segment(s) of a door command by ``***``."""
    if (
        len(segments) >= 6
        and segments[:3] == ["acs", "device", "door"]
        and segments[3] in ("open", "close", "workmode")
    ):
        end = len(segments) - (2 if segments[3] == "workmode" else 1)
        if end < 6:
            end = len(segments)
        return [*segments[:5], MASK, *segments[end:]]
    return segments


def query_dict(request: web.Request) -> dict[str, str]:
    """Return the decoded query, first value of each name."""
    return {k: request.query.get(k, "") for k in request.query}


def request_uri_bytes(request: web.Request) -> int:
    """Return the length of the raw path and query in bytes."""
    return len(request.raw_path.encode("utf-8", "surrogateescape"))


@web.middleware
async def uri_length_middleware(
    request: web.Request, handler: Callable[[web.Request], Any]
) -> web.StreamResponse:
    """Answer 414 to any request target longer than the real server accepts."""
    if request_uri_bytes(request) > MAX_URI_BYTES:
        sim: Simulator = request.app[SIM_KEY]
        if request.path.startswith(API_PREFIX):
            path = API_PREFIX + "/".join(mask_segments(split_api_path(request)))
            sim.log_request(
                LoggedRequest(request.method, path, query_dict(request), sim.now()),
                "uri_too_long",
            )
            sim.stats.count_status("http414")
        return web.Response(status=414, text="414 Request-URI Too Long")
    response: web.StreamResponse = await handler(request)
    return response


SIM_KEY: web.AppKey[Simulator] = web.AppKey("simulator")


# --- the protocol ------------------------------------------------------------------

type Route = tuple[str, Callable[[], web.Response]]


class ProtocolApi:
    """Routes and answers the protocol's GET requests for one simulator."""

    def __init__(self, sim: Simulator) -> None:
        """Serve ``sim``."""
        self.sim = sim
        self.state = sim.state
        self.site = sim.site

    async def handle(self, request: web.Request) -> web.StreamResponse:
        """Log, apply faults, dispatch; never raises."""
        sim = self.sim
        segments = split_api_path(request)
        masked = mask_segments(segments)
        api_path = "/".join(masked)
        query = query_dict(request)
        kind, answer = self.route(segments, query)
        sim.log_request(
            LoggedRequest(request.method, API_PREFIX + api_path, query, sim.now()),
            kind,
        )
        fault = sim.fault_set.take(api_path)
        if fault is not None:
            sim.stats.count_fault(fault.kind)
            if fault.kind == "hold":
                # What is true now, sent only when the test releases it.
                held = self._answer(answer, api_path)
                fault.arrived.set()
                sim.fault_set.hold_started()
                try:
                    await self._hold(fault)
                finally:
                    sim.fault_set.hold_ended()
                return held
            response = await self._apply_fault(request, fault)
            if response is not None:
                return response
        return self._answer(answer, api_path)

    def _answer(
        self, answer: Callable[[], web.Response], api_path: str
    ) -> web.Response:
        """Answer a request normally; never raises."""
        sim = self.sim
        sim.state.settle()  # doors whose open time is over have relocked
        try:
            response = answer()
        except ApiError as err:
            response = envelope(err.status, err.msg)
            sim.stats.count_status(err.status)
            return response
        except Exception:
            _LOGGER.exception("simulator failed on %s", API_PREFIX + api_path)
            sim.stats.count_status(SERVER_ERROR)
            return envelope(SERVER_ERROR)
        sim.stats.count_status(response.get(STATUS_KEY, f"http{response.status}"))
        return response

    async def _hold(self, fault: Fault) -> None:
        """Wait until the fault is released or the server stops."""
        waits = [
            asyncio.ensure_future(fault.released.wait()),
            asyncio.ensure_future(self.sim.stopping.wait()),
        ]
        try:
            await asyncio.wait(waits, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for wait in waits:
                wait.cancel()

    async def _apply_fault(
        self, request: web.Request, fault: Fault
    ) -> web.StreamResponse | None:
        """Answer according to a fault; None means "answer normally" (after a delay)."""
        stopping = self.sim.stopping
        match fault.kind:
            case "http500":
                return web.Response(
                    status=500,
                    text="<html><body><h1>HTTP Status 500 - Internal Server Error</h1>"
                    "</body></html>",
                    content_type="text/html",
                )
            case "malformed_json":
                return json_response(
                    '{"status": 0, "msg": "success", "data": [{"eventId": 1, "devic'
                )
            case "html":
                return web.Response(
                    text="<!DOCTYPE html><html><head><title>错误</title></head>"
                    "<body><h1>系统繁忙，请稍后再试</h1></body></html>",
                    content_type="text/html",
                    charset="utf-8",
                )
            case "status":
                return envelope(
                    fault.status, MESSAGES.get(fault.status, "一般错误"), None
                )
            case "empty":
                return envelope(OK, "success", [])
            case "slow":
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(stopping.wait(), fault.delay)
                return None
            case "timeout":
                # hold the request until the client gives up or the server stops
                while not stopping.is_set():
                    transport = request.transport
                    if transport is None or transport.is_closing():
                        break
                    with contextlib.suppress(TimeoutError):
                        await asyncio.wait_for(stopping.wait(), 0.05)
                return _drop(request)
            case _:  # "drop"
                return _drop(request)

    def route(self, segments: list[str], query: Mapping[str, str]) -> Route:
        """Return (endpoint kind, answer) for a request."""
        q = query
        match segments:
            case ["usertypes"]:
                return "usertypes", lambda: ok(render.person_types(self.site))
            case ["orgs"]:
                return "orgs", self.orgs
            case ["org", "name", name]:
                return "org_by_name", partial(self.org_by_name, name)
            case ["users", "count"]:
                return "users_count", partial(self.users_count, q)
            case ["users"]:
                return "users", partial(self.users, q)
            case ["user"]:
                return "user", partial(self.user_by_no, q.get("userno", ""), q)
            case ["user", "userno", userno]:
                return "user_by_userno", partial(self.user_by_no, userno, {})
            case ["user", "userid", userid]:
                return "user_by_userid", partial(self.user_by_id, userid)
            case ["cardgroups"]:
                return "cardgroups", lambda: ok(render.card_groups(self.site))
            case ["cardtypes"]:
                return "cardtypes", lambda: ok(render.card_types(self.site))
            case ["swipecardrecords" | "acsrecords" as log, *rest] if rest in (
                [],
                ["count"],
                ["byid"],
                ["byid", "count"],
            ):
                kind = "_".join([log, *rest])
                return kind, partial(self.records, log == "swipecardrecords", rest, q)
            case ["acs", "alarmevent", "notconfirmandclear"]:
                return "alarms", self.alarms
            case ["acsrecords", "areausers"]:
                return "areausers", partial(self.area_users, q)
            case ["areas"]:
                return "areas", lambda: ok([render.area(a) for a in self.site.areas])
            case ["acs", "devices"]:
                return "devices", lambda: ok(
                    [render.device(self.site, c) for c in self.site.controllers]
                )
            case ["acs", "device", "doors"]:
                return "doors", lambda: ok(
                    [render.door(self.site, d) for d in self.site.doors]
                )
            case ["acs", "device", "doors", "areaid", area_id]:
                return "doors_by_area", partial(self.doors_by_area, area_id)
            case ["acs", "device", "door", "state", door_id]:
                return "door_state", partial(self.door_state, door_id)
            case ["acs", "device", "door", "open" | "close" as action, user, psw, door]:
                return f"door_{action}", partial(
                    self.command, action, user, psw, door, None
                )
            case ["acs", "device", "door", "workmode", user, psw, door, mode]:
                return "door_workmode", partial(
                    self.command, "workmode", user, psw, door, mode
                )
            case ["acs", "device", "eventcache", "swipecard", ids]:
                return "eventcache", partial(self.event_cache, ids)
            case ["useraccessrecords"]:
                return "useraccessrecords", partial(self.passages, q)
        return "unknown", _not_found

    # --- directory -------------------------------------------------------------

    def orgs(self) -> web.Response:
        """#2."""
        return ok([render.org(self.site, o) for o in self.site.orgs])

    def org_by_name(self, name: str) -> web.Response:
        """#3."""
        org = self.site.org_by_name(name)
        if org is None:
            raise ApiError(NO_DATA)
        return ok(render.org_by_name(self.site, org))

    def _people(self, q: Mapping[str, str]) -> list[Any]:
        usertype = _int(q, "usertype", 0)
        orgname = q.get("orgname", "").strip()
        people = list(self.site.people)
        if usertype:
            people = [p for p in people if p.type_id == usertype]
        if orgname:
            org = self.site.org_by_name(orgname)
            orgs = self.site.org_subtree(org.id) if org else set()
            people = [p for p in people if p.org_id in orgs]
        return people

    def users_count(self, q: Mapping[str, str]) -> web.Response:
        """#4."""
        return ok(len(self._people(q)))

    def users(self, q: Mapping[str, str]) -> web.Response:
        """#5: raw JSON, ``userId`` twice."""
        offset, rows = _paging(q)
        people = _page(self._people(q), offset, rows)
        if not people:
            raise ApiError(NO_DATA)
        return ok_text(render.users_text(people))

    def user_by_no(self, userno: str, q: Mapping[str, str]) -> web.Response:
        """#6/#7: the exact staff number or ID card, else an ID-card keyword.

        A keyword (6 characters or more) matches the first ID card containing it.
        """
        usertype = _int(q, "usertype", 0)
        userno = userno.strip()
        if not userno:
            raise ApiError(INVALID_PARAMETER)
        people = [p for p in self.site.people if not usertype or p.type_id == usertype]
        person = next((p for p in people if userno in (p.user_no, p.id_card)), None)
        if person is None and len(userno) >= MIN_KEYWORD:
            person = next((p for p in people if userno in p.id_card), None)
        if person is None:
            raise ApiError(NO_DATA)
        return ok_text(render.user_text(person, "single"))

    def user_by_id(self, text: str) -> web.Response:
        """#8: ``userTypeId``/``userTypeName``."""
        try:
            user_id = int(text)
        except ValueError:
            raise ApiError(INVALID_PARAMETER) from None
        person = next((p for p in self.site.people if p.user_id == user_id), None)
        if person is None:
            raise ApiError(NO_DATA)
        return ok_text(render.user_text(person, "byid"))

    # --- records -----------------------------------------------------------------

    def records(
        self, swipe_only: bool, rest: list[str], q: Mapping[str, str]
    ) -> web.Response:
        """#11-#18: the swipe and access logs, by time or by id, count or page."""
        by_id = rest[:1] == ["byid"]
        counting = rest[-1:] == ["count"]
        isalarm = _isalarm(q)
        usertype = _int(q, "usertype", 0) if swipe_only else 0
        userno = q.get("userno", "").strip() if swipe_only and not by_id else ""
        after_id: int | None = None
        begin = end = None
        if by_id:
            after_id = _int(q, "id")
        else:
            begin = _time(q, "begintime", required=True)
            end = _time(q, "endtime", required=True)
        paging = None if counting else _paging(q)
        found = self.state.select_records(
            swipe_only=swipe_only,
            after_id=after_id,
            begin=begin,
            end=end,
            isalarm=isalarm,
            usertype=usertype,
            userno=userno,
        )
        if paging is None:
            return ok(len(found))
        found = self.sim.order_records(found)
        return ok([render.record(r) for r in _page(found, *paging)])

    def alarms(self) -> web.Response:
        """#19."""
        return ok([render.alarm(a) for a in self.state.pending_alarms()])

    def area_users(self, q: Mapping[str, str]) -> web.Response:
        """#20: empty times mean no time filter, as the specification says."""
        area_id = _int(q, "areaid", 0)
        if area_id and self.site.area(area_id) is None:
            raise ApiError(NO_DATA)
        begin = _time(q, "begintime", required=False)
        end = _time(q, "endtime", required=False)
        found = self.state.area_users(area_id, begin, end)
        return ok([render.area_user(self.site, p) for p in found])

    def passages(self, q: Mapping[str, str]) -> web.Response:
        """#30: empty begintime means today; rows=0 returns everything."""
        offset, rows = _paging(q, allow_all=True)
        begin = _time(q, "begintime", required=False)
        if begin is None:
            begin = self.state.local_now().replace(hour=0, minute=0, second=0)
        end = _time(q, "endtime", required=False)
        found = self.state.passages(begin, end, q.get("userno", "").strip())
        if rows == 0:
            _LOGGER.warning(
                "useraccessrecords called with rows=0: returning all %d records "
                "without paging (a client must never do this)",
                len(found),
            )
        return ok([render.passage(r) for r in _page(found, offset, rows)])

    # --- devices ---------------------------------------------------------------------

    def doors_by_area(self, text: str) -> web.Response:
        """#24."""
        try:
            area_id = int(text)
        except ValueError:
            raise ApiError(INVALID_PARAMETER) from None
        doors = [d for d in self.site.doors if d.area_id == area_id]
        return ok([render.door(self.site, d) for d in doors])

    def door_state(self, door_id: str) -> web.Response:
        """#25: ``isOnline``/``isOpen`` at the top level, no data."""
        door = self.site.door(door_id)
        if door is None:
            raise ApiError(NO_DATA)
        return json_response(
            render.dumps(
                {
                    "status": OK,
                    "msg": "success",
                    "isOnline": int(self.site.door_online(door)),
                    "isOpen": int(door.is_open),
                }
            )
        )

    def command(
        self, action: str, user: str, psw: str, door_id: str, mode: str | None
    ) -> web.Response:
        """#26-#28: the account first, then the door, the mode, the door's link."""
        status = self.state.check_account(user, psw)
        msg = MESSAGES[status]
        if status == OK:
            status, msg = self.state.door_command(action, door_id, mode)
        elif status == ACCOUNT_LOCKED:
            _LOGGER.info("door command refused: account locked")
        return json_response(render.envelope_text(status, msg, None), status)

    def event_cache(self, ids: str) -> web.Response:
        """#29: events of the last 2 s of these controllers."""
        wanted = [i.strip() for i in ids.split(",") if i.strip()]
        if not wanted:
            raise ApiError(INVALID_PARAMETER)
        events = self.state.cache_events(wanted)
        return ok([render.cache_event(self.site, e) for e in events])


def _not_found() -> web.Response:
    return web.Response(status=404, text="404 Not Found")


def _drop(request: web.Request) -> web.Response:
    """Close the connection without answering."""
    transport = request.transport
    if transport is not None:
        transport.abort()
    return web.Response(status=500)  # never written: the transport is gone


def build_app(sim: Simulator) -> web.Application:
    """Build the aiohttp application of a simulator (protocol and control API)."""
    app = web.Application(middlewares=[uri_length_middleware])
    app[SIM_KEY] = sim
    add_control_routes(app, sim)
    api = ProtocolApi(sim)
    app.router.add_get(API_PREFIX + "{tail:.*}", api.handle)

    async def _on_shutdown(_app: web.Application) -> None:
        sim.stopping.set()

    app.on_shutdown.append(_on_shutdown)  # type: ignore[arg-type]  # aiosignal typing
    return app


__all__ = ["SIM_KEY", "ApiError", "ProtocolApi", "build_app", "parse_time"]
