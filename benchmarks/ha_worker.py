"""The Home Assistant process of the benchmarks.

Runs Home Assistant's core in this process (the same harness the test suite
uses: ``async_test_home_assistant``, no recorder, no frontend, no HTTP API),
loads ACS Bridge against a simulator on loopback when told to, and records
every ``acs_bridge_access`` bus event with the wall-clock time it was fired.
Nothing else runs here, so this process's CPU time is Home Assistant's plus the
integration's.

The benchmark driver (``benchmarks.run``) talks to it over a small HTTP API on
127.0.0.1 (requests are rare: a few per phase):

    GET  /info            Home Assistant and Python versions
    GET  /cpu             process and event-loop CPU seconds, RSS, wall time
    POST /setup           {"host", "port", "username", "password"}: load the entry
    GET  /events?since=N  the bus events recorded from index N
    GET  /polls?since=N   the real-time polls (start, duration, ok) from index N
    GET  /pipeline        the event pipeline's counters
    POST /commands        {"count"}: lock.unlock / lock.lock round trips
    POST /site_mode       {"mode"}: acs_bridge.set_site_mode for the whole site
    POST /measure_refresh {"structure"}: one coordinator poll now, its CPU time
    POST /profile/start   cProfile the event loop thread
    POST /profile/stop    {"top"}: the profile as text
    POST /unload          unload the entry
    POST /quit            stop Home Assistant and exit

Start: ``python -m benchmarks.ha_worker`` prints ``READY <port>``.
"""

from __future__ import annotations

import argparse
import asyncio
from collections.abc import Awaitable, Callable
import cProfile
import io
import logging
from pathlib import Path
import pstats
import sys
import tempfile
import time
from typing import Any

from aiohttp import web

SERVER_TIME_ZONE = "Asia/Shanghai"
ENTRY_ID = "01JACSBRIDGEBENCHMARK00001"

type Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def rss_bytes() -> int:
    """Return this process's resident set size."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    return 0


class Worker:
    """Home Assistant with ACS Bridge, driven over HTTP."""

    def __init__(self, hass: Any) -> None:
        self.hass = hass
        self.entry: Any = None
        self.events: list[dict[str, Any]] = []
        self.polls: list[dict[str, Any]] = []
        self.structure_polls = 0
        self.stop = asyncio.Event()
        self.profiler: cProfile.Profile | None = None
        self._state_waiters: dict[str, tuple[asyncio.Future[float], set[str]]] = {}

    # --- recording -------------------------------------------------------------

    def start_recording(self) -> None:
        from homeassistant.core import Event, callback

        from custom_components.acs_bridge.const import EVENT_ACCESS

        @callback
        def on_access(event: Event) -> None:
            data = event.data
            self.events.append(
                {
                    "fired": event.time_fired_timestamp,
                    "event_id": data.get("event_id"),
                    "record_id": data.get("record_id"),
                    "door_id": data.get("door_id"),
                    "card_no": data.get("card_no"),
                    "time": data.get("time"),
                    "replayed": data.get("replayed"),
                }
            )

        self.hass.bus.async_listen(EVENT_ACCESS, on_access)

    def instrument_polls(self) -> None:
        """Time every real-time poll of the pipeline (the adapter's poll_events)."""
        adapter = self.entry.runtime_data.coordinator.adapter
        original = adapter.poll_events

        async def timed(controller_ids: Any) -> Any:
            wall = time.time()
            started = time.perf_counter()
            try:
                events = await original(controller_ids)
            except BaseException as err:
                self.polls.append(
                    {
                        "start": wall,
                        "seconds": time.perf_counter() - started,
                        "ok": False,
                        "events": 0,
                        "error": type(err).__name__,
                    }
                )
                raise
            self.polls.append(
                {
                    "start": wall,
                    "seconds": time.perf_counter() - started,
                    "ok": True,
                    "events": len(events),
                    "error": "",
                }
            )
            return events

        adapter.poll_events = timed

        # Count the structure re-reads (the only calls of adapter.doors()).
        doors = adapter.doors

        async def counted_doors(*args: Any, **kwargs: Any) -> Any:
            self.structure_polls += 1
            return await doors(*args, **kwargs)

        adapter.doors = counted_doors

    # --- handlers --------------------------------------------------------------

    async def info(self, request: web.Request) -> web.Response:
        from homeassistant.const import __version__ as ha_version

        return web.json_response(
            {"ha_version": ha_version, "python": sys.version.split()[0]}
        )

    async def cpu(self, request: web.Request) -> web.Response:
        # This handler runs on the event loop's thread: thread_time is the loop's.
        return web.json_response(
            {
                "process": time.process_time(),
                "thread": time.thread_time(),
                "wall": time.time(),
                "rss": rss_bytes(),
            }
        )

    async def setup(self, request: web.Request) -> web.Response:
        from homeassistant.const import (
            CONF_HOST,
            CONF_PASSWORD,
            CONF_PORT,
            CONF_SSL,
            CONF_USERNAME,
            CONF_VERIFY_SSL,
        )
        from homeassistant.helpers import (
            device_registry as dr,
            entity_registry as er,
        )
        from pytest_homeassistant_custom_component.common import MockConfigEntry

        from custom_components.acs_bridge.const import CONF_ADAPTER, DOMAIN

        body = await request.json()
        hass = self.hass
        entry = MockConfigEntry(
            domain=DOMAIN,
            title=f"{body['host']}:{body['port']}",
            unique_id=f"{body['host']}:{body['port']}",
            data={
                CONF_HOST: body["host"],
                CONF_PORT: int(body["port"]),
                CONF_USERNAME: body.get("username", "admin"),
                CONF_PASSWORD: body.get("password", "admin"),
                CONF_SSL: False,
                CONF_VERIFY_SSL: True,
                CONF_ADAPTER: "ax_bs_http_v1",
            },
            options=body.get("options") or {},
            entry_id=ENTRY_ID,
        )
        entry.add_to_hass(hass)
        self.entry = entry
        cpu0, thread0 = time.process_time(), time.thread_time()
        started = time.perf_counter()
        ok = await hass.config_entries.async_setup(entry.entry_id)
        setup_returned = time.perf_counter() - started
        await hass.async_block_till_done()
        done = time.perf_counter() - started
        cpu1, thread1 = time.process_time(), time.thread_time()
        if ok:
            self.instrument_polls()
        entities = er.async_entries_for_config_entry(er.async_get(hass), entry.entry_id)
        devices = dr.async_entries_for_config_entry(dr.async_get(hass), entry.entry_id)
        data = entry.runtime_data.coordinator.data if ok else None
        return web.json_response(
            {
                "ok": ok,
                "state": str(entry.state),
                "seconds_until_setup_returned": setup_returned,
                "seconds": done,
                "cpu_seconds": cpu1 - cpu0,
                "loop_cpu_seconds": thread1 - thread0,
                "entities": len(entities),
                "devices": len(devices),
                "states": len(hass.states.async_all()),
                "doors": len(data.doors) if data else 0,
                "door_states": len(data.door_states) if data else 0,
                "controllers": len(data.controllers) if data else 0,
            }
        )

    async def get_events(self, request: web.Request) -> web.Response:
        since = int(request.query.get("since", "0"))
        return web.json_response(
            {"events": self.events[since:], "next": len(self.events)}
        )

    async def get_polls(self, request: web.Request) -> web.Response:
        since = int(request.query.get("since", "0"))
        return web.json_response({"polls": self.polls[since:], "next": len(self.polls)})

    async def pipeline(self, request: web.Request) -> web.Response:
        events = self.entry.runtime_data.events
        coordinator = self.entry.runtime_data.coordinator
        return web.json_response(
            {
                "delivered": events.delivered,
                "replayed": events.replayed,
                "cursor": events.cursor,
                "door_state_budget": coordinator.door_state_budget,
                "last_update_success": coordinator.last_update_success,
                "structure_polls": self.structure_polls,
            }
        )

    async def commands(self, request: web.Request) -> web.Response:
        """Unlock a door, wait for its lock to show it, lock it again; repeat."""
        from homeassistant.const import EVENT_STATE_CHANGED
        from homeassistant.core import Event, callback
        from homeassistant.helpers import entity_registry as er

        from custom_components.acs_bridge.const import DOMAIN

        body = await request.json()
        count = int(body.get("count", 200))
        hass = self.hass
        registry = er.async_get(hass)
        coordinator = self.entry.runtime_data.coordinator
        doors = []
        for door_id, state in coordinator.data.door_states.items():
            entity_id = registry.async_get_entity_id(
                "lock", DOMAIN, f"{self.entry.entry_id}_door_{door_id}_lock"
            )
            if entity_id and state.online:
                doors.append((door_id, entity_id))
        doors.sort()

        @callback
        def on_state(event: Event) -> None:
            waiter = self._state_waiters.get(event.data["entity_id"])
            new_state = event.data.get("new_state")
            if waiter is None or new_state is None:
                return
            future, wanted = waiter
            if new_state.state in wanted and not future.done():
                future.set_result(event.time_fired_timestamp)

        unsub = hass.bus.async_listen(EVENT_STATE_CHANGED, on_state)
        results = []
        try:
            for index in range(count):
                door_id, entity_id = doors[index % len(doors)]
                result: dict[str, Any] = {"door_id": door_id, "entity_id": entity_id}
                for service, wanted in (
                    ("unlock", {"unlocked", "open"}),
                    ("lock", {"locked"}),
                ):
                    future: asyncio.Future[float] = hass.loop.create_future()
                    self._state_waiters[entity_id] = (future, wanted)
                    called = time.time()
                    error = ""
                    try:
                        await hass.services.async_call(
                            "lock", service, {"entity_id": entity_id}, blocking=True
                        )
                    except Exception as err:  # noqa: BLE001 - reported, not raised
                        error = f"{type(err).__name__}: {err}"
                    returned = time.time()
                    try:
                        shown: float | None = await asyncio.wait_for(future, 5.0)
                    except TimeoutError:
                        shown = None
                    self._state_waiters.pop(entity_id, None)
                    result[service] = {
                        "called": called,
                        "returned": returned,
                        "shown": shown,
                        "error": error,
                    }
                results.append(result)
                await asyncio.sleep(0.02)
        finally:
            unsub()
        return web.json_response({"results": results})

    async def site_mode(self, request: web.Request) -> web.Response:
        """Call acs_bridge.set_site_mode (blocking, with its response), timed."""
        from custom_components.acs_bridge.const import DOMAIN

        body = await request.json()
        cpu0, thread0 = time.process_time(), time.thread_time()
        called = time.time()
        error = ""
        response: Any = None
        try:
            response = await self.hass.services.async_call(
                DOMAIN,
                "set_site_mode",
                {"mode": body["mode"]},
                blocking=True,
                return_response=True,
            )
        except Exception as err:  # noqa: BLE001 - reported, not raised
            error = f"{type(err).__name__}: {err}"
        returned = time.time()
        cpu1, thread1 = time.process_time(), time.thread_time()
        results: dict[str, int] = {}
        for door in (response or {}).get("doors", []):
            results[door["result"]] = results.get(door["result"], 0) + 1
        return web.json_response(
            {
                "called": called,
                "returned": returned,
                "cpu_seconds": cpu1 - cpu0,
                "loop_cpu_seconds": thread1 - thread0,
                "doors": len((response or {}).get("doors", [])),
                "failed": (response or {}).get("failed"),
                "results": results,
                "error": error,
            }
        )

    async def measure_refresh(self, request: web.Request) -> web.Response:
        """Run one state poll of the coordinator now and return its CPU time.

        With ``structure`` the poll is the once-a-minute one that also re-reads
        controllers, doors and areas and syncs the devices: the coordinator does
        that when its poll counter is a multiple of STRUCTURE_REFRESH_EVERY, so
        the counter is set accordingly (benchmark instrumentation).
        """
        from custom_components.acs_bridge.const import STRUCTURE_REFRESH_EVERY

        body = await request.json()
        coordinator = self.entry.runtime_data.coordinator
        every = STRUCTURE_REFRESH_EVERY
        polls = coordinator._polls  # noqa: SLF001 - benchmark instrumentation
        if body.get("structure"):
            polls = -(-polls // every) * every
        elif polls % every == 0:
            polls += 1
        coordinator._polls = polls  # noqa: SLF001
        structure_before = self.structure_polls
        cpu0, thread0 = time.process_time(), time.thread_time()
        started = time.perf_counter()
        await coordinator.async_refresh()
        await self.hass.async_block_till_done()
        seconds = time.perf_counter() - started
        cpu1, thread1 = time.process_time(), time.thread_time()
        return web.json_response(
            {
                "structure": self.structure_polls > structure_before,
                "ok": coordinator.last_update_success,
                "seconds": seconds,
                "cpu_seconds": cpu1 - cpu0,
                "loop_cpu_seconds": thread1 - thread0,
            }
        )

    async def profile_start(self, request: web.Request) -> web.Response:
        self.profiler = cProfile.Profile()
        self.profiler.enable()
        return web.json_response({"ok": True})

    async def profile_stop(self, request: web.Request) -> web.Response:
        body = await request.json() if request.can_read_body else {}
        top = int(body.get("top", 25))
        profiler, self.profiler = self.profiler, None
        if profiler is None:
            return web.json_response({"error": "not profiling"}, status=400)
        profiler.disable()
        texts = {}
        for key, restrict in (
            ("tottime", ()),
            ("cumulative", ("acs_bridge|update_coordinator|entity",)),
        ):
            out = io.StringIO()
            stats = pstats.Stats(profiler, stream=out).strip_dirs().sort_stats(key)
            stats.print_stats(*restrict, top)
            texts[key] = out.getvalue()
        return web.json_response(texts)

    async def unload(self, request: web.Request) -> web.Response:
        ok = await self.hass.config_entries.async_unload(self.entry.entry_id)
        await self.hass.async_block_till_done()
        return web.json_response({"ok": ok})

    async def quit(self, request: web.Request) -> web.Response:
        self.stop.set()
        return web.json_response({"ok": True})


def routes(worker: Worker) -> tuple[dict[str, Handler], dict[str, Handler]]:
    """Return the AX worker's GET and POST handlers by path."""
    gets: dict[str, Handler] = {
        "/info": worker.info,
        "/cpu": worker.cpu,
        "/events": worker.get_events,
        "/polls": worker.get_polls,
        "/pipeline": worker.pipeline,
    }
    posts: dict[str, Handler] = {
        "/setup": worker.setup,
        "/commands": worker.commands,
        "/site_mode": worker.site_mode,
        "/measure_refresh": worker.measure_refresh,
        "/profile/start": worker.profile_start,
        "/profile/stop": worker.profile_stop,
        "/unload": worker.unload,
        "/quit": worker.quit,
    }
    return gets, posts


async def serve(
    port: int,
    make_worker: Callable[[Any], Any] = Worker,
    make_routes: Callable[
        [Any], tuple[dict[str, Handler], dict[str, Handler]]
    ] = routes,
    prefix: str = "acs-bench-ha-",
) -> None:
    """Start Home Assistant's core and a worker on it; answer the driver until /quit.

    ``make_worker(hass)`` builds the worker (it records events from
    ``start_recording()`` on and stops on its ``stop`` event);
    ``make_routes(worker)`` gives its handlers. ``hik_worker.py`` uses this too.
    """
    from unittest.mock import patch

    from aiohttp.resolver import AsyncResolver
    from homeassistant import loader
    from pytest_homeassistant_custom_component.common import async_test_home_assistant

    # Home Assistant resolves names through zeroconf, which this bare core does
    # not load; the server is an IP address, so nothing is resolved anyway.
    # (The test suite patches the same function the same way.)
    patch(
        "homeassistant.helpers.aiohttp_client._async_make_resolver",
        return_value=AsyncResolver(),
    ).start()
    config_dir = tempfile.mkdtemp(prefix=prefix)
    async with async_test_home_assistant(config_dir=config_dir) as hass:
        # Let the loader find custom_components/ on sys.path (as the tests do).
        hass.data.pop(loader.DATA_CUSTOM_COMPONENTS, None)
        await hass.config.async_set_time_zone(SERVER_TIME_ZONE)
        worker = make_worker(hass)
        worker.start_recording()

        app = web.Application()
        gets, posts = make_routes(worker)
        for path, handler in gets.items():
            app.router.add_get(path, handler)
        for path, handler in posts.items():
            app.router.add_post(path, handler)
        runner = web.AppRunner(app, access_log=None)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", port)
        await site.start()
        bound = runner.addresses[0][1]
        print(f"READY {bound}", flush=True)
        try:
            await worker.stop.wait()
        finally:
            await runner.cleanup()
            await hass.async_stop(force=True)


def main(
    prog: str = "python -m benchmarks.ha_worker",
    run: Callable[[int], Awaitable[None]] = serve,
) -> None:
    """Parse the command line and run a worker with Home Assistant's loop policy."""
    from homeassistant import runner as ha_runner

    parser = argparse.ArgumentParser(prog=prog)
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--log-level", default="WARNING")
    args = parser.parse_args()
    logging.basicConfig(
        level=args.log_level.upper(),
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    # Home Assistant's own loop policy, as `hass` uses.
    asyncio.set_event_loop_policy(ha_runner.HassEventLoopPolicy(False))
    asyncio.run(run(args.port))


if __name__ == "__main__":
    main()
