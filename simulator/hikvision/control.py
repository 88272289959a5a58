"""The control API under /_sim/ (no authentication, never faulted).

Bodies are JSON objects; answers are JSON. Bad input gets HTTP 400, an
unknown person or setting 404, each with ``{"error": "..."}``.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import asdict
import json
from typing import TYPE_CHECKING, Any

from aiohttp import web

from .device import DeviceError
from .events import HikEvent
from .render import search_item

if TYPE_CHECKING:
    from .core import HikSimulator

type Body = dict[str, Any]
type Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


class BadRequestError(Exception):
    """Bad control input: HTTP 400."""


def reply(data: Any, status: int = 200) -> web.Response:
    """Answer JSON."""
    return web.json_response(
        data,
        status=status,
        dumps=lambda v: json.dumps(v, ensure_ascii=False, default=str),
    )


async def _body(request: web.Request) -> Body:
    text = await request.text()
    if not text.strip():
        return {}
    try:
        body = json.loads(text)
    except ValueError as err:
        raise BadRequestError(f"body is not JSON: {err}") from None
    if not isinstance(body, dict):
        raise BadRequestError("body must be a JSON object")
    return body


def _int(body: Body, key: str, default: int | None = None) -> int:
    value = body.get(key, default)
    if value is None:
        raise BadRequestError(f"missing {key!r}")
    if isinstance(value, bool) or not isinstance(value, int):
        raise BadRequestError(f"{key!r} must be an integer")
    return value


def _bool(body: Body, key: str, default: bool | None = None) -> bool:
    value = body.get(key, default)
    if not isinstance(value, bool):
        raise BadRequestError(f"{key!r} must be true or false")
    return value


def _opt_str(body: Body, key: str) -> str | None:
    value = body.get(key)
    return None if value is None else str(value)


def _num(body: Body, key: str) -> float:
    value = body.get(key)
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise BadRequestError(f"{key!r} must be a number")
    return float(value)


def event_json(event: HikEvent, sim: HikSimulator) -> dict[str, Any]:
    """Return an event as the search would show it."""
    return search_item(event, sim.config)


def _guard(handler: Handler) -> Handler:
    async def wrapped(request: web.Request) -> web.StreamResponse:
        try:
            return await handler(request)
        except (BadRequestError, DeviceError, ValueError, TypeError) as err:
            return reply({"error": str(err)}, 400)
        except KeyError as err:
            return reply({"error": str(err.args[0] if err.args else err)}, 404)

    return wrapped


def add_control_routes(app: web.Application, sim: HikSimulator) -> None:
    """Register /_sim/ on ``app``."""
    device = sim.device

    async def swipe(request: web.Request) -> web.StreamResponse:
        b = await _body(request)
        minor = b.get("minor")
        event = device.swipe(
            _int(b, "door", 1),
            str(b.get("method", "card")),
            granted=_bool(b, "granted", True),
            employee_no=_opt_str(b, "employee_no"),
            card_no=_opt_str(b, "card_no"),
            minor=None if minor is None else _int(b, "minor"),
            reader=_int(b, "reader", 1),
        )
        return reply(event_json(event, sim))

    async def door_contact(request: web.Request) -> web.StreamResponse:
        b = await _body(request)
        device.set_contact(
            _int(b, "door", 1), _bool(b, "open"), forced=_bool(b, "forced", False)
        )
        return reply(door_state())

    async def door_event(request: web.Request) -> web.StreamResponse:
        b = await _body(request)
        door, kind = _int(b, "door", 1), str(b.get("kind", ""))
        match kind:
            case "opened" | "closed":
                device.set_contact(door, kind == "opened")
            case "forced":
                device.set_contact(door, True, forced=True)
            case "held_open":
                device.held_open(door)
            case "doorbell" | "exit_button":
                code = (5, 37) if kind == "doorbell" else (5, 23)
                device.emit(code, door_no=device.door(door).no, reader=1)
            case _:
                raise BadRequestError(
                    "'kind' must be opened, closed, forced, held_open, doorbell or exit_button"
                )
        return reply(door_state())

    async def tamper(request: web.Request) -> web.StreamResponse:
        b = await _body(request)
        event = device.tamper(
            reader=_bool(b, "reader", False), active=_bool(b, "active", True)
        )
        return reply(event_json(event, sim))

    async def duress(request: web.Request) -> web.StreamResponse:
        b = await _body(request)
        event = device.duress(_int(b, "door", 1), _opt_str(b, "employee_no"))
        return reply(event_json(event, sim))

    async def event(request: web.Request) -> web.StreamResponse:
        b = await _body(request)
        made = device.emit(
            (_int(b, "major"), _int(b, "minor")),
            door_no=_int(b, "door", 0),
            reader=_int(b, "reader", 0),
            card_no=str(b.get("card_no", "")),
        )
        return reply(event_json(made, sim))

    def door_state() -> Any:
        return [
            {
                "door": d.no,
                "name": d.name,
                "lock": d.lock,
                "contact": d.contact,
                "mode": d.mode,
                "open_duration": d.open_duration,
            }
            for d in device.doors
        ]

    async def state(request: web.Request) -> web.StreamResponse:
        return reply(
            {
                "url": sim.url,
                "device_time": device.now().isoformat(),
                "offline": sim.offline,
                "doors": door_state(),
                "commands": device.commands,
                "device_tamper": device.device_tamper,
                "reader_tamper": device.reader_tamper,
                "people": [asdict(p) for p in device.people],
            }
        )

    async def fault(request: web.Request) -> web.StreamResponse:
        b = await _body(request)
        options: dict[str, Any] = {}
        if "count" in b and b["count"] is not None:
            options["count"] = _int(b, "count")
        if "path" in b:
            options["path"] = _opt_str(b, "path")
        if "delay" in b:
            options["delay"] = _num(b, "delay")
        if "http_status" in b:
            options["http_status"] = _int(b, "http_status")
        if "status_code" in b:
            options["status_code"] = _int(b, "status_code")
        if "sub_status" in b:
            options["sub_status"] = str(b["sub_status"])
        sim.fault(str(b.get("kind", "")), **options)
        return reply({"ok": True, "active": len(sim.faults.faults)})

    async def faults_clear(request: web.Request) -> web.StreamResponse:
        sim.clear_faults()
        return reply({"ok": True})

    def stream_action(name: str) -> Handler:
        async def act(request: web.Request) -> web.StreamResponse:
            match name:
                case "stall":
                    n = sim.hub.stall(True)
                case "resume":
                    n = sim.hub.stall(False)
                case "drop" | "truncate" | "malformed" | "heartbeat":
                    n = sim.hub.act(name)
                case _:  # pragma: no cover
                    raise BadRequestError(name)
            return reply({"streams": n})

        return act

    async def streams(request: web.Request) -> web.StreamResponse:
        return reply(sim.hub.info())

    async def log_info(request: web.Request) -> web.StreamResponse:
        log = device.log
        return reply(
            {
                "size": len(log),
                "capacity": log.capacity,
                "first_serial": log.first_serial,
                "last_serial": log.last_serial,
                "next_serial": log.next_serial,
                "dropped": log.dropped,
                "restarts": log.restarts,
            }
        )

    async def events(request: web.Request) -> web.StreamResponse:
        try:
            since = int(request.query.get("since", "0") or 0)
        except ValueError:
            raise BadRequestError("'since' must be an integer") from None
        return reply([event_json(e, sim) for e in device.log if e.serial_no > since])

    async def log_restart(request: web.Request) -> web.StreamResponse:
        b = await _body(request)
        sim.restart_serial(drop_streams=_bool(b, "drop_streams", True))
        return await log_info(request)

    async def log_fill(request: web.Request) -> web.StreamResponse:
        b = await _body(request)
        count = _int(b, "count", device.log.capacity)
        if count < 0:
            raise BadRequestError("'count' must not be negative")
        device.fill(count)
        return await log_info(request)

    def auth_state() -> Any:
        s = sim.auth.status()
        return {
            "failures": s.failures,
            "attempts_left": s.attempts_left,
            "locked": s.locked,
            "unlock_seconds": s.unlock_seconds,
            "counted_total": sim.auth.counted,
        }

    async def auth(request: web.Request) -> web.StreamResponse:
        return reply(auth_state())

    async def auth_reset(request: web.Request) -> web.StreamResponse:
        sim.auth.reset()
        return reply(auth_state())

    async def auth_lock(request: web.Request) -> web.StreamResponse:
        b = await _body(request)
        sim.auth.lock(_num(b, "seconds") if "seconds" in b else None)
        return reply(auth_state())

    async def auth_expire(request: web.Request) -> web.StreamResponse:
        sim.auth.expire_nonces()
        return reply(auth_state())

    async def online(request: web.Request) -> web.StreamResponse:
        b = await _body(request)
        sim.set_online(_bool(b, "online"))
        return reply({"online": not sim.offline})

    async def config_get(request: web.Request) -> web.StreamResponse:
        return reply(sim.config.as_dict())

    async def config_set(request: web.Request) -> web.StreamResponse:
        sim.configure(**await _body(request))
        return reply(sim.config.as_dict())

    async def advance(request: web.Request) -> web.StreamResponse:
        b = await _body(request)
        sim.advance(_num(b, "seconds"))
        return reply({"device_time": device.now().isoformat()})

    async def tick(request: web.Request) -> web.StreamResponse:
        sim.tick()
        return reply({"ok": True})

    async def requests(request: web.Request) -> web.StreamResponse:
        return reply([asdict(r) for r in sim.requests])

    async def stats(request: web.Request) -> web.StreamResponse:
        outcomes: dict[str, int] = {}
        for r in sim.requests:
            outcomes[r.outcome] = outcomes.get(r.outcome, 0) + 1
        return reply(
            {
                "requests": len(sim.requests),
                "by_outcome": outcomes,
                "faults": dict(sim.fault_counts),
                "streams": len(sim.hub.subscribers),
            }
        )

    async def demo(request: web.Request) -> web.StreamResponse:
        b = await _body(request)
        if _bool(b, "on", True):
            sim.start_demo(_num(b, "rate") if "rate" in b else 0.3)
        else:
            await sim.stop_demo()
        return reply({"demo": sim.demo_running})

    posts: dict[str, Handler] = {
        "swipe": swipe,
        "door/contact": door_contact,
        "door/event": door_event,
        "tamper": tamper,
        "duress": duress,
        "event": event,
        "fault": fault,
        "faults/clear": faults_clear,
        "log/restart": log_restart,
        "log/fill": log_fill,
        "auth/reset": auth_reset,
        "auth/lock": auth_lock,
        "auth/expire_nonces": auth_expire,
        "online": online,
        "config": config_set,
        "advance": advance,
        "tick": tick,
        "demo": demo,
    }
    for action in ("drop", "stall", "resume", "truncate", "malformed", "heartbeat"):
        posts[f"stream/{action}"] = stream_action(action)
    gets: dict[str, Handler] = {
        "state": state,
        "streams": streams,
        "log": log_info,
        "events": events,
        "auth": auth,
        "config": config_get,
        "requests": requests,
        "stats": stats,
    }
    for name, handler in posts.items():
        app.router.add_post(f"/_sim/{name}", _guard(handler))
    for name, handler in gets.items():
        app.router.add_get(f"/_sim/{name}", _guard(handler))
