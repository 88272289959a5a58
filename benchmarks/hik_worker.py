"""The Home Assistant process of the Hikvision benchmark (section 6).

As ``ha_worker.py`` (Home Assistant's core started as the test suite starts
it, ``async_test_home_assistant``; nothing else in the process), but the entry
is a ``hikvision_isapi`` one and both bus events are recorded:
``acs_bridge_access`` and ``acs_bridge_alarm``, each with the wall-clock time
it was fired. A file of its own so that the AX worker can change freely.

HTTP API on 127.0.0.1 for the driver (``benchmarks.hikvision``):

    GET  /info            Home Assistant and Python versions
    GET  /cpu             process and event-loop CPU seconds, RSS, wall time
    POST /setup           {"host", "port", "username", "password",
                           "stall_timeout"?}: load the entry
    GET  /events?since=N  the access events recorded from index N
    GET  /alarms?since=N  the alarm events recorded from index N
    GET  /source          the event source's figures (connects, stalls...)
    POST /quit            stop Home Assistant and exit

``stall_timeout`` replaces the event source's silence limit (90 s in
production) for this entry: benchmark instrumentation, reported as such.

Start: ``python -m benchmarks.hik_worker`` prints ``READY <port>``.
"""

from __future__ import annotations

import asyncio
import time
from typing import Any

from aiohttp import web

from . import ha_worker
from .ha_worker import Handler, Worker

SERVER_TIME_ZONE = "Asia/Shanghai"
ENTRY_ID = "01JACSBRIDGEBENCHHIKVISION"


class HikWorker:
    """Home Assistant with ACS Bridge on a Hikvision device, driven over HTTP."""

    def __init__(self, hass: Any) -> None:
        self.hass = hass
        self.entry: Any = None
        self.events: list[dict[str, Any]] = []
        self.alarms: list[dict[str, Any]] = []
        self.stop = asyncio.Event()

    def start_recording(self) -> None:
        from homeassistant.core import Event, callback

        from custom_components.acs_bridge.const import EVENT_ACCESS, EVENT_ALARM

        @callback
        def on_access(event: Event) -> None:
            data = event.data
            self.events.append(
                {
                    "fired": event.time_fired_timestamp,
                    "event_id": data.get("event_id"),
                    "door_id": data.get("door_id"),
                    "card_no": data.get("card_no"),
                    "code": data.get("code"),
                    "time": data.get("time"),
                    "replayed": data.get("replayed"),
                }
            )

        @callback
        def on_alarm(event: Event) -> None:
            data = event.data
            self.alarms.append(
                {
                    "fired": event.time_fired_timestamp,
                    "alarm_id": data.get("alarm_id"),
                    "code": data.get("code"),
                    "replayed": data.get("replayed"),
                }
            )

        self.hass.bus.async_listen(EVENT_ACCESS, on_access)
        self.hass.bus.async_listen(EVENT_ALARM, on_alarm)

    # --- handlers --------------------------------------------------------------

    # /info and /cpu: the AX worker's (ha_worker.py).
    info = Worker.info
    cpu = Worker.cpu

    async def setup(self, request: web.Request) -> web.Response:
        from homeassistant.const import (
            CONF_HOST,
            CONF_PASSWORD,
            CONF_PORT,
            CONF_SSL,
            CONF_USERNAME,
            CONF_VERIFY_SSL,
        )
        from pytest_homeassistant_custom_component.common import MockConfigEntry

        from custom_components.acs_bridge.adapters.hikvision_isapi import (
            adapter as hik_adapter,
        )
        from custom_components.acs_bridge.const import CONF_ADAPTER, DOMAIN

        body = await request.json()
        stall_timeout = body.get("stall_timeout")
        if stall_timeout is not None:
            # Benchmark instrumentation: a shorter silence limit, so that a
            # stall is detected within the run (the driver reports it).
            original = hik_adapter.HikvisionIsapiAdapter.event_source

            def event_source(adapter: Any, *args: Any, **kwargs: Any) -> Any:
                source = original(adapter, *args, **kwargs)
                source.stall_timeout = float(stall_timeout)
                return source

            hik_adapter.HikvisionIsapiAdapter.event_source = event_source  # type: ignore[method-assign]
        hass = self.hass
        entry = MockConfigEntry(
            domain=DOMAIN,
            title=f"{body['host']}:{body['port']}",
            unique_id=body.get("unique_id"),
            data={
                CONF_HOST: body["host"],
                CONF_PORT: int(body["port"]),
                CONF_USERNAME: body.get("username", "admin"),
                CONF_PASSWORD: body["password"],
                CONF_SSL: False,
                CONF_VERIFY_SSL: True,
                CONF_ADAPTER: "hikvision_isapi",
            },
            options=body.get("options") or {},
            entry_id=ENTRY_ID,
        )
        entry.add_to_hass(hass)
        self.entry = entry
        cpu0 = time.process_time()
        started = time.perf_counter()
        ok = await hass.config_entries.async_setup(entry.entry_id)
        await hass.async_block_till_done()
        done = time.perf_counter() - started
        source = entry.runtime_data.events.source if ok else None
        return web.json_response(
            {
                "ok": ok,
                "state": str(entry.state),
                "seconds": done,
                "cpu_seconds": time.process_time() - cpu0,
                "stall_timeout": getattr(source, "stall_timeout", None),
                "doors": len(entry.runtime_data.coordinator.data.doors) if ok else 0,
            }
        )

    async def get_events(self, request: web.Request) -> web.Response:
        since = int(request.query.get("since", "0"))
        return web.json_response(
            {"events": self.events[since:], "next": len(self.events)}
        )

    async def get_alarms(self, request: web.Request) -> web.Response:
        since = int(request.query.get("since", "0"))
        return web.json_response(
            {"alarms": self.alarms[since:], "next": len(self.alarms)}
        )

    async def source(self, request: web.Request) -> web.Response:
        events = self.entry.runtime_data.events
        return web.json_response(
            {
                "delivered": events.delivered,
                "replayed": events.replayed,
                "source": events.source.diagnostics() if events.source else None,
            }
        )

    async def quit(self, request: web.Request) -> web.Response:
        self.stop.set()
        return web.json_response({"ok": True})


def routes(worker: HikWorker) -> tuple[dict[str, Handler], dict[str, Handler]]:
    """Return the Hikvision worker's GET and POST handlers by path."""
    gets: dict[str, Handler] = {
        "/info": worker.info,
        "/cpu": worker.cpu,
        "/events": worker.get_events,
        "/alarms": worker.get_alarms,
        "/source": worker.source,
    }
    posts: dict[str, Handler] = {"/setup": worker.setup, "/quit": worker.quit}
    return gets, posts


async def serve(port: int) -> None:
    """Home Assistant's core with a Hikvision entry, as ha_worker.py serves the AX one."""
    await ha_worker.serve(port, HikWorker, routes, prefix="acs-bench-hik-")


if __name__ == "__main__":
    ha_worker.main("python -m benchmarks.hik_worker", serve)
