"""The control API under /_sim/: drive the simulator from another process.

Control requests are not logged in ``sim.requests`` and faults never touch
them. Errors are answered with HTTP 400 (bad input) or 404 (unknown id) and a
JSON body ``{"error": "..."}``.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import fields, is_dataclass
from datetime import datetime, timedelta
import json
from typing import TYPE_CHECKING, Any

from aiohttp import web

if TYPE_CHECKING:
    from .core import Simulator

type Body = dict[str, Any]

#: The orders the record pages can come in (``Simulator.record_order``).
RECORD_ORDERS = ("id", "newest_first", "shuffled")
type Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


class BadRequestError(Exception):
    """Bad control input: HTTP 400."""


def to_json(value: Any) -> Any:
    """Convert dataclasses, datetimes and sets to plain JSON values."""
    if is_dataclass(value) and not isinstance(value, type):
        return {
            f.name: to_json(getattr(value, f.name))
            for f in fields(value)
            if not f.name.startswith("_")
        }
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, (set, frozenset)):
        return sorted(value)
    if isinstance(value, (list, tuple)):
        return [to_json(v) for v in value]
    if isinstance(value, dict):
        return {str(k): to_json(v) for k, v in value.items()}
    return value


def reply(data: Any, status: int = 200) -> web.Response:
    """Answer JSON as UTF-8 text."""
    return web.json_response(
        to_json(data),
        status=status,
        dumps=lambda v: json.dumps(v, ensure_ascii=False),
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


def _str(body: Body, key: str, default: str | None = None) -> str:
    value = body.get(key, default)
    if value is None:
        raise BadRequestError(f"missing {key!r}")
    return str(value)


def _opt_int(body: Body, key: str) -> int | None:
    value = body.get(key)
    if value is None:
        return None
    if isinstance(value, bool):
        raise BadRequestError(f"{key!r} must be an integer")
    try:
        return int(value)
    except (TypeError, ValueError):
        raise BadRequestError(f"{key!r} must be an integer") from None


def _int_or(body: Body, key: str, default: int) -> int:
    value = _opt_int(body, key)
    return default if value is None else value


def _bool(body: Body, key: str) -> bool:
    if key not in body:
        raise BadRequestError(f"missing {key!r}")
    value = body[key]
    if isinstance(value, str):
        return value.strip().lower() in ("1", "true", "yes", "on")
    return bool(value)


def _guard(handler: Handler) -> Handler:
    async def wrapped(request: web.Request) -> web.StreamResponse:
        try:
            return await handler(request)
        except BadRequestError as err:
            return reply({"error": str(err)}, 400)
        except KeyError as err:
            return reply({"error": str(err.args[0] if err.args else err)}, 404)
        except (ValueError, TypeError) as err:
            return reply({"error": str(err)}, 400)

    return wrapped


def add_control_routes(app: web.Application, sim: Simulator) -> None:
    """Register the /_sim/ routes of ``sim`` on ``app``."""

    async def swipe(request: web.Request) -> web.StreamResponse:
        body = await _body(request)
        door_id = body.get("door_id") or sim.state.rng.choice(sim.site.doors).id
        card = body.get("card_no")
        result = sim.swipe(
            str(door_id),
            None if card is None else str(card),
            reader=_str(body, "reader", "outside"),
            reason=_opt_int(body, "reason"),
        )
        return reply(result)

    async def burst(request: web.Request) -> web.StreamResponse:
        body = await _body(request)
        n = _opt_int(body, "n")
        if n is None:
            raise BadRequestError("missing 'n'")
        door_ids = body.get("door_ids")
        if door_ids is not None and not isinstance(door_ids, list):
            raise BadRequestError("'door_ids' must be a list")
        swipes = sim.burst(n, [str(d) for d in door_ids] if door_ids else None)
        return reply(swipes)

    async def alarm(request: web.Request) -> web.StreamResponse:
        body = await _body(request)
        alarm_id = sim.raise_alarm(
            _str(body, "door_id"),
            name=_str(body, "name", "非法开门"),
            event_type=_int_or(body, "event_type", 25),
            level=_str(body, "level", "1"),
            priority=_int_or(body, "priority", 254),
        )
        return reply({"alarm_id": alarm_id})

    async def alarm_clear(request: web.Request) -> web.StreamResponse:
        body = await _body(request)
        alarm_id = _opt_int(body, "alarm_id")
        if alarm_id is None:
            raise BadRequestError("missing 'alarm_id'")
        sim.clear_alarm(alarm_id)
        return reply({"ok": True})

    async def door_open_state(request: web.Request) -> web.StreamResponse:
        body = await _body(request)
        sim.set_door_open(_str(body, "door_id"), _bool(body, "is_open"))
        return reply({"ok": True})

    async def door_online(request: web.Request) -> web.StreamResponse:
        body = await _body(request)
        sim.set_door_online(_str(body, "door_id"), _bool(body, "online"))
        return reply({"ok": True})

    async def controller_online(request: web.Request) -> web.StreamResponse:
        body = await _body(request)
        sim.set_controller_online(
            _str(body, "controller_id"),
            _bool(body, "online"),
            _str(body, "error", ""),
        )
        return reply({"ok": True})

    async def fault(request: web.Request) -> web.StreamResponse:
        body = await _body(request)
        delay = body.get("delay", 5.0)
        if not isinstance(delay, (int, float)) or isinstance(delay, bool):
            raise BadRequestError("'delay' must be a number")
        path = body.get("path")
        sim.fault(
            _str(body, "kind"),
            count=_opt_int(body, "count"),
            path=None if path is None else str(path),
            delay=float(delay),
            status=_int_or(body, "status", 1),
        )
        return reply({"ok": True, "active": len(sim.fault_set.faults)})

    async def faults_clear(request: web.Request) -> web.StreamResponse:
        sim.clear_faults()
        return reply({"ok": True})

    async def faults_release(request: web.Request) -> web.StreamResponse:
        sim.release_faults()
        return reply({"ok": True})

    async def settings(request: web.Request) -> web.StreamResponse:
        body = await _body(request)
        if "clock_offset_seconds" in body:
            offset = body["clock_offset_seconds"]
            if not isinstance(offset, (int, float)) or isinstance(offset, bool):
                raise BadRequestError("'clock_offset_seconds' must be a number")
            sim.clock_offset = timedelta(seconds=offset)
        if "record_order" in body:
            order = _str(body, "record_order")
            if order not in RECORD_ORDERS:
                raise BadRequestError(f"'record_order' must be one of {RECORD_ORDERS}")
            sim.record_order = order
        return reply(
            {
                "clock_offset_seconds": sim.clock_offset.total_seconds(),
                "record_order": sim.record_order,
                "now": sim.now(),
            }
        )

    async def restart(request: web.Request) -> web.StreamResponse:
        body = await _body(request)
        sim.restart(clear_records=bool(body.get("clear_records", False)))
        return reply({"ok": True})

    async def site(request: web.Request) -> web.StreamResponse:
        sim.state.settle()
        s = sim.site
        return reply(
            {
                "url": sim.url,
                "time_zone": sim.spec.time_zone,
                "areas": s.areas,
                "controllers": s.controllers,
                "doors": [
                    {**to_json(d), "effective_online": s.door_online(d)}
                    for d in s.doors
                ],
                "people": s.people,
                "person_types": s.person_types,
                "orgs": s.orgs,
                "card_groups": s.card_groups,
                "card_types": s.card_types,
            }
        )

    async def requests(request: web.Request) -> web.StreamResponse:
        try:
            since = max(0, int(request.query.get("since", "0") or 0))
        except ValueError:
            raise BadRequestError("'since' must be an integer") from None
        start = max(0, since - sim.requests_dropped)
        return reply(
            {
                "total": sim.requests_dropped + len(sim.requests),
                "requests": sim.requests[start:],
            }
        )

    async def stats(request: web.Request) -> web.StreamResponse:
        return reply(sim.stats.as_dict())

    async def door_commands(request: web.Request) -> web.StreamResponse:
        return reply(sim.door_commands)

    posts: dict[str, Handler] = {
        "swipe": swipe,
        "burst": burst,
        "alarm": alarm,
        "alarm/clear": alarm_clear,
        "door/open_state": door_open_state,
        "door/online": door_online,
        "controller/online": controller_online,
        "fault": fault,
        "faults/clear": faults_clear,
        "faults/release": faults_release,
        "restart": restart,
        "settings": settings,
    }
    gets: dict[str, Handler] = {
        "site": site,
        "requests": requests,
        "stats": stats,
        "door_commands": door_commands,
    }
    for name, handler in posts.items():
        app.router.add_post(f"/_sim/{name}", _guard(handler))
    for name, handler in gets.items():
        app.router.add_get(f"/_sim/{name}", _guard(handler))
