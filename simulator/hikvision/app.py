"""The ISAPI endpoints and the middleware in front of them (limits, digest, faults)."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
import contextlib
import logging
from typing import TYPE_CHECKING, Any

from aiohttp import web

from . import search
from .auth import Verdict
from .config import KNOWN_COMMANDS
from .device import DeviceError
from .events import (
    MINORS_ALARM,
    MINORS_EVENT,
    MINORS_EXCEPTION,
    MINORS_OPERATION,
)
from .faults import Fault
from .render import (
    XML_TYPE,
    BodyError,
    as_xml_fallback,
    json_response,
    parse_json_root,
    parse_xml_fields,
    response_status,
    user_check,
    wants_json,
    xml_response,
)

if TYPE_CHECKING:
    from .core import HikSimulator

_LOGGER = logging.getLogger(__name__)

STREAM_PATH = "/ISAPI/Event/notification/alertStream"
_XML_FOR_JSON = "hik_xml_for_json"
type Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def drop(request: web.Request) -> web.Response:
    """Close the connection without answering."""
    transport = request.transport
    if transport is not None:
        transport.abort()
    return web.Response(status=500)  # never written: the transport is gone


class IsapiApi:
    """The protocol side of one simulator."""

    def __init__(self, sim: HikSimulator) -> None:
        """Serve ``sim``."""
        self.sim = sim
        self.active_requests = 0
        self.active_streams = 0

    # --- answers ----------------------------------------------------------------------

    def doc(
        self, request: web.Request, root: str, body: dict[str, Any]
    ) -> web.Response:
        """Answer ``body`` under ``root`` as JSON (``format=json``) or XML."""
        cfg = self.sim.config
        if wants_json(request) and not request.get(_XML_FOR_JSON):
            return json_response({root: body})
        return xml_response(root, body, cfg)

    def json_doc(self, request: web.Request, data: dict[str, Any]) -> web.Response:
        """Answer JSON only (XML when the ``xml_for_json`` fault is on)."""
        if request.get(_XML_FOR_JSON):
            return as_xml_fallback(data, self.sim.config)
        return json_response(data)

    def status(
        self, request: web.Request, code: int, sub: str, http: int, msg: str
    ) -> web.Response:
        """Answer a ResponseStatus error in the request's format."""
        return response_status(
            request, self.sim.config, code, sub, http_status=http, message=msg
        )

    # --- middleware ---------------------------------------------------------------------

    @web.middleware
    async def middleware(
        self, request: web.Request, handler: Handler
    ) -> web.StreamResponse:
        """Limits, digest, faults and errors for every /ISAPI/ request."""
        if not request.path.startswith("/ISAPI/"):
            return await handler(request)
        sim = self.sim
        if sim.offline:
            return drop(request)
        is_stream = request.path == STREAM_PATH
        limit = sim.config.max_streams if is_stream else sim.config.max_requests
        active = self.active_streams if is_stream else self.active_requests
        if limit is not None and active >= limit:
            sim.record(request, 503, "busy")
            return self.status(request, 2, "deviceBusy", 503, "too many connections")
        if is_stream:
            self.active_streams += 1
        else:
            self.active_requests += 1
        try:
            response = await self._checked(request, handler)
        finally:
            if is_stream:
                self.active_streams -= 1
            else:
                self.active_requests -= 1
        return response

    async def _checked(
        self, request: web.Request, handler: Handler
    ) -> web.StreamResponse:
        sim = self.sim
        verdict = sim.auth.check(request.method, request.headers.get("Authorization"))
        if verdict is not Verdict.OK:
            sim.record(request, 401, verdict.value)
            return self.unauthorized(stale=verdict is Verdict.STALE)
        sim.tick()
        fault = sim.faults.take(request.path)
        if fault is not None:
            sim.fault_counts[fault.kind] += 1
            response = await self._apply(request, fault)
            if response is not None:
                sim.record(request, response.status, f"fault:{fault.kind}")
                return response
            if fault.kind == "xml_for_json":
                request[_XML_FOR_JSON] = True
        try:
            response = await handler(request)
        except (DeviceError, BodyError) as err:
            http = err.http_status if isinstance(err, DeviceError) else 400
            response = self.status(request, err.code, err.sub, http, str(err))
        except web.HTTPNotFound:
            response = self.status(request, 4, "notSupport", 404, "no such URL")
        except web.HTTPMethodNotAllowed:
            response = self.status(request, 4, "methodNotAllowed", 405, "method")
        sim.record(request, response.status, "ok")
        return response

    def unauthorized(self, *, stale: bool) -> web.Response:
        """Answer 401: a digest challenge and the ``userCheck`` body."""
        auth, cfg = self.sim.auth, self.sim.config
        state = auth.status()
        return web.Response(
            status=401,
            text=user_check(
                cfg, state.attempts_left, state.locked, state.unlock_seconds
            ),
            content_type=XML_TYPE,
            charset="UTF-8",
            headers={"WWW-Authenticate": auth.challenge(stale=stale)},
        )

    async def _apply(
        self, request: web.Request, fault: Fault
    ) -> web.StreamResponse | None:
        """Answer as the fault says; None: answer normally (after a delay, or as XML)."""
        stopping = self.sim.stopping
        match fault.kind:
            case "busy":
                return self.status(
                    request, 2, "deviceBusy", fault.http_status or 503, "device busy"
                )
            case "status":
                return self.status(
                    request,
                    fault.status_code,
                    fault.sub_status,
                    fault.http_status or 200,
                    fault.sub_status,
                )
            case "html" | "http500":
                status = fault.http_status or (500 if fault.kind == "http500" else 200)
                return web.Response(
                    status=status,
                    text="<!DOCTYPE html><html><head><title>Error</title></head>"
                    f"<body><h1>{status} Internal Server Error</h1></body></html>",
                    content_type="text/html",
                )
            case "malformed_json":
                return web.Response(
                    text='{"AcsEvent": {"searchID": "1", "responseStatusStrg": "MO',
                    content_type="application/json",
                )
            case "unauthorized":
                return self.unauthorized(stale=False)
            case "forbidden":
                return self.status(request, 4, "lowPrivilege", 403, "low privilege")
            case "slow":
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(stopping.wait(), fault.delay)
                return None
            case "timeout":
                while not stopping.is_set():
                    transport = request.transport
                    if transport is None or transport.is_closing():
                        break
                    with contextlib.suppress(TimeoutError):
                        await asyncio.wait_for(stopping.wait(), 0.05)
                return drop(request)
            case "drop":
                return drop(request)
            case _:  # xml_for_json
                return None

    # --- endpoints -------------------------------------------------------------------------

    async def device_info(self, request: web.Request) -> web.Response:
        """``GET /ISAPI/System/deviceInfo``."""
        cfg = self.sim.config
        return self.doc(
            request,
            "DeviceInfo",
            {
                "deviceName": cfg.device_name,
                "deviceID": cfg.device_id,
                "model": cfg.model,
                "serialNumber": cfg.serial_number,
                "macAddress": cfg.mac_address,
                "firmwareVersion": cfg.firmware_version,
                "firmwareReleasedDate": cfg.firmware_released,
                "encoderVersion": "V2.0",
                "encoderReleasedDate": "build 200101",
                "deviceType": "ACS",
                "subDeviceType": "accessControlTerminal",
                "telecontrolID": 255,
                "localZoneNum": 0,
                "alarmOutNum": 0,
                "relayNum": cfg.doors,
                "electroLockNum": cfg.doors,
                "RS485Num": 1,
                "manufacturer": "hikvision",
                "OEMCode": 1,
                "marketType": 2,
            },
        )

    async def acs_capabilities(self, request: web.Request) -> web.Response:
        """``GET /ISAPI/AccessControl/capabilities``: flags only, no door count."""
        pw = self.sim.config.remote_password is not None
        return self.doc(
            request,
            "AccessControl",
            {
                "isSupportRemoteControlDoor": True,
                "isSupportAcsEvent": True,
                "isSupportAcsEventTotalNum": True,
                "isSupportAcsWorkStatus": True,
                "isSupportDoorCfg": True,
                "isSupportCardReaderCfg": True,
                "isSupportUserInfo": True,
                "isSupportCardInfo": True,
                "isSupportFDLib": True,
                "isSupportRemoteControlPWChcek": pw,
                "isSupportRemoteControlPWCfg": pw,
                "isSupportDeployInfo": True,
            },
        )

    async def door_capabilities(self, request: web.Request) -> web.Response:
        """``GET /ISAPI/AccessControl/RemoteControl/door/capabilities``."""
        cfg = self.sim.config
        return self.doc(
            request,
            "RemoteControlDoor",
            {
                "doorNo": {"@min": 1, "@max": cfg.doors},
                "cmd": {"@opt": ",".join(cfg.cmd_options)},
                "password": {"@min": 0, "@max": 16},
            },
        )

    async def event_capabilities(self, request: web.Request) -> web.Response:
        """``GET /ISAPI/AccessControl/AcsEvent/capabilities``."""
        cfg = self.sim.config
        cond: dict[str, Any] = {
            "searchID": {"@min": 1, "@max": 64},
            "searchResultPosition": {"@min": 0, "@max": 300000},
            "maxResults": {"@min": 1, "@max": cfg.max_results},
            "major": {"@opt": "0,1,2,3,5"},
            "minorAlarm": {"@opt": MINORS_ALARM},
            "minorException": {"@opt": MINORS_EXCEPTION},
            "minorOperation": {"@opt": MINORS_OPERATION},
            "minorEvent": {"@opt": MINORS_EVENT},
            "startTime": {"@min": 1, "@max": 32},
            "endTime": {"@min": 1, "@max": 32},
            "cardNo": {"@min": 0, "@max": 32},
            "name": {"@min": 0, "@max": 128},
        }
        if cfg.serial_search:
            cond["beginSerialNo"] = {"@min": 1, "@max": 3000000000}
            cond["endSerialNo"] = {"@min": 1, "@max": 3000000000}
        cond["employeeNoString"] = {"@min": 0, "@max": 32}
        cond["timeReverseOrder"] = True
        info = {
            "maxSize": cfg.max_results,
            "attendanceStatus": {
                "@opt": "undefined,checkIn,checkOut,breakOut,breakIn,overtimeIn,overtimeOut"
            },
            "statusValue": {"@min": 0, "@max": 255},
        }
        return self.doc(request, "AcsEvent", {"AcsEventCond": cond, "InfoList": info})

    async def door_param(self, request: web.Request) -> web.Response:
        """``GET /ISAPI/AccessControl/Door/param/<n>``: carries door passwords."""
        cfg = self.sim.config
        door = self.sim.device.door(_door_no(request))
        return self.doc(
            request,
            "DoorParam",
            {
                "doorName": door.name,
                "magneticType": "alwaysClose",
                "openButtonType": "alwaysOpen",
                "openDuration": door.open_duration,
                "disabledOpenDuration": 10,
                "magneticAlarmTimeout": 30,
                "enableDoorLock": True,
                "enableLeaderCard": False,
                "leaderCardMode": "disable",
                "leaderCardOpenDuration": 0,
                "stressPassword": door.stress_password,
                "superPassword": door.super_password,
                "unlockPassword": door.unlock_password,
                "remoteControlPassword": cfg.remote_password or "",
                "useLocalController": False,
                "localControllerID": 0,
                "localControllerDoorNumber": 0,
                "localControllerStatus": 0,
                "lockInputCheck": False,
                "lockInputType": "alwaysOpen",
                "doorTerminalMode": "preventCutAndShort",
                "openButton": True,
                "ladderControlDelayTime": 5,
            },
        )

    async def work_status(self, request: web.Request) -> web.Response:
        """``GET /ISAPI/AccessControl/AcsWorkStatus``."""
        data = self.sim.device.work_status()
        ((root, body),) = data.items()
        assert isinstance(body, dict)
        return self.doc(request, root, body)

    async def door_command(self, request: web.Request) -> web.Response:
        """``PUT /ISAPI/AccessControl/RemoteControl/door/<n>`` (XML; JSON with format=json)."""
        door_no = _door_no(request)
        text = await request.text()
        if wants_json(request):
            body = parse_json_root(text, "RemoteControlDoor")
            cmd, password = body.get("cmd"), body.get("password")
        else:
            root, fields = parse_xml_fields(text)
            if root != "RemoteControlDoor":
                raise BodyError(6, "badXmlContent", f"root {root}")
            cmd, password = fields.get("cmd"), fields.get("password")
        if not cmd:
            raise BodyError(6, "MessageParametersLack", "cmd is missing")
        if cmd not in KNOWN_COMMANDS:
            raise BodyError(6, "badParameters", f"unknown cmd {cmd!r}")
        self.sim.device.command(
            door_no,
            str(cmd),
            password=None if password is None else str(password),
            user=self.sim.config.username,
            host=request.remote or "",
        )
        return response_status(request, self.sim.config)

    async def event_search(self, request: web.Request) -> web.Response:
        """``POST /ISAPI/AccessControl/AcsEvent?format=json``."""
        cond = parse_json_root(await request.text(), "AcsEventCond")
        return self.json_doc(request, search.event_search(cond, self.sim.device))

    async def event_total(self, request: web.Request) -> web.Response:
        """``POST /ISAPI/AccessControl/AcsEventTotalNum?format=json``."""
        cond = parse_json_root(await request.text(), "AcsEventTotalNumCond")
        return self.json_doc(request, search.event_total(cond, self.sim.device))

    async def user_search(self, request: web.Request) -> web.Response:
        """``POST /ISAPI/AccessControl/UserInfo/Search?format=json``."""
        cond = parse_json_root(await request.text(), "UserInfoSearchCond")
        return self.json_doc(request, search.user_search(cond, self.sim.device))

    async def user_count(self, request: web.Request) -> web.Response:
        """``GET /ISAPI/AccessControl/UserInfo/Count?format=json``."""
        return self.json_doc(request, search.user_count(self.sim.device))

    async def card_search(self, request: web.Request) -> web.Response:
        """``POST /ISAPI/AccessControl/CardInfo/Search?format=json``."""
        cond = parse_json_root(await request.text(), "CardInfoSearchCond")
        return self.json_doc(request, search.card_search(cond, self.sim.device))

    async def illegal_login_lock(self, request: web.Request) -> web.Response:
        """``GET /ISAPI/Security/illegalLoginLock``."""
        cfg = self.sim.config
        return self.doc(
            request,
            "IllegalLoginLock",
            {
                "enabled": cfg.lock_enabled,
                "maxIllegalLoginTimes": cfg.max_attempts,
                "maxIllegalLoginLockTime": cfg.lock_seconds,
            },
        )

    def add_routes(self, app: web.Application) -> None:
        """Register the ISAPI routes."""
        acs = "/ISAPI/AccessControl"
        r = app.router
        r.add_get("/ISAPI/System/deviceInfo", self.device_info)
        r.add_get("/ISAPI/Security/illegalLoginLock", self.illegal_login_lock)
        r.add_get(f"{acs}/capabilities", self.acs_capabilities)
        r.add_get(f"{acs}/RemoteControl/door/capabilities", self.door_capabilities)
        r.add_put(f"{acs}/RemoteControl/door/{{door}}", self.door_command)
        r.add_get(f"{acs}/AcsEvent/capabilities", self.event_capabilities)
        r.add_post(f"{acs}/AcsEvent", self.event_search)
        r.add_post(f"{acs}/AcsEventTotalNum", self.event_total)
        r.add_get(f"{acs}/Door/param/{{door}}", self.door_param)
        r.add_get(f"{acs}/AcsWorkStatus", self.work_status)
        r.add_post(f"{acs}/UserInfo/Search", self.user_search)
        r.add_get(f"{acs}/UserInfo/Count", self.user_count)
        r.add_post(f"{acs}/CardInfo/Search", self.card_search)
        r.add_get(STREAM_PATH, self.sim.hub.handle)
        r.add_route("*", "/ISAPI/{tail:.*}", _not_supported)


async def _not_supported(request: web.Request) -> web.StreamResponse:
    raise web.HTTPNotFound


def _door_no(request: web.Request) -> int:
    try:
        return int(request.match_info["door"])
    except ValueError:
        raise BodyError(6, "badParameters", "door number") from None
