"""Section 6: a Hikvision ISAPI device, events pushed (issue 18, item 9).

One simulated device (``python -m simulator.hikvision``, its own process on a
free loopback port) and Home Assistant with a ``hikvision_isapi`` entry
(``python -m benchmarks.hik_worker``, its own process). The driver makes the
device log events through the simulator's control API (``POST /_sim/swipe``,
``/_sim/tamper``) and takes it off line or stalls its alert stream; Home
Assistant records each ``acs_bridge_access`` and ``acs_bridge_alarm`` with the
wall-clock time it was fired. An event is matched to its swipe by the device's
serial number (the bus event's ``event_id``).

Phases, in this order, on the one device and Home Assistant:

1. CPU: Home Assistant idle (before the entry), then a window with one swipe a
   second (evenly spaced), and the requests the device answered in it;
2. latency: swipes at 5, 20 and 100 a second (Poisson arrivals);
3. alarms: tamper raised and ended a few times → ``acs_bridge_alarm``;
4. outage: a 10 s outage (``/_sim/online`` false: streams drop, every ISAPI
   connection is closed unanswered) inside a 5 swipes/s stream;
5. stall: the alert stream stalls (TCP open, nothing sent, events lost from
   the stream) inside a 2 swipes/s stream, until the source notices the
   silence and reconnects.

``scripts/bench --only hikvision`` runs this section alone and writes
``benchmarks/results_hikvision.json`` (``hikvision_report.py`` renders it).
"""

from __future__ import annotations

import asyncio
import contextlib
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
import os
from pathlib import Path
import random
import time
from typing import Any

from custom_components.acs_bridge.adapters.hikvision_isapi.source import (
    STALL_TIMEOUT as PRODUCTION_STALL_TIMEOUT,
)

from .analysis import Delivery, delivery_stats, summary
from .procs import Child

USERNAME = "admin"
PASSWORD = "Hik12345!"  # the simulator's default account
DOORS = 2


@dataclass(frozen=True)
class HikPlan:
    """Durations and sizes of the Hikvision section."""

    mode: str
    rates: tuple[float, ...] = (5.0, 20.0, 100.0)
    swipes: tuple[int, ...] = (500, 1000, 1000)  # per rate
    baseline: float = 5.0
    settle: float = 3.0
    cpu_rate: float = 1.0
    cpu_window: float = 30.0
    alarms: int = 10
    outage_rate: float = 5.0
    outage_before: float = 3.0
    outage: float = 10.0
    outage_after: float = 5.0
    stall_rate: float = 2.0
    stall_before: float = 3.0
    stall_after: float = 5.0
    stall_timeout: float | None = None  # None: the production 90 s
    drain_limit: float = 60.0


HIK_FULL = HikPlan(mode="full")
HIK_QUICK = HikPlan(
    mode="quick",
    swipes=(200, 200, 200),
    cpu_window=20.0,
    alarms=5,
    stall_timeout=15.0,
)


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", flush=True)


class HikSimProcess(Child):
    """``python -m simulator.hikvision`` on a free loopback port."""

    ready_word = "simulator ready at"

    def __init__(self, name: str, log_dir: Path) -> None:
        super().__init__(
            name,
            [
                "-m",
                "simulator.hikvision",
                "--host",
                "127.0.0.1",
                "--port",
                "0",
                "--doors",
                str(DOORS),
                "--log-level",
                "WARNING",
            ],
            log_dir,
        )
        self.port = 0

    def parse_ready(self, line: str) -> str:
        url = line.split("ready at", 1)[1].strip()
        base = url.split("/ISAPI/", 1)[0]
        self.port = int(base.rsplit(":", 1)[1])
        return base

    async def requests(self) -> list[dict[str, Any]]:
        requests: list[dict[str, Any]] = await self.get("/_sim/requests")
        return requests


class HikHaProcess(Child):
    """``python -m benchmarks.hik_worker``: Home Assistant with a Hikvision entry."""

    ready_word = "READY"

    def __init__(self, name: str, log_dir: Path) -> None:
        super().__init__(name, ["-m", "benchmarks.hik_worker"], log_dir)

    def parse_ready(self, line: str) -> str:
        return f"http://127.0.0.1:{int(line.split()[1])}"

    async def listed(self, what: str) -> list[dict[str, Any]]:
        data = await self.get(f"/{what}", since=0)
        items: list[dict[str, Any]] = data[what]
        return items


# --- streams of events ----------------------------------------------------------------


async def swipe_stream(
    sim: HikSimProcess,
    *,
    rate: float,
    phase: str,
    rng: random.Random,
    count: int | None = None,
    seconds: float | None = None,
    even: bool = False,
) -> list[dict[str, Any]]:
    """Swipe a card at a random door, ``rate`` a second (Poisson unless ``even``).

    ``sent`` is the wall-clock time just before the control request: a latency
    includes that request's own round trip (a fraction of a millisecond).
    """
    swipes: list[dict[str, Any]] = []
    start = due = time.time() + 0.05
    end = start + seconds if seconds is not None else float("inf")
    while count is None or len(swipes) < count:
        due += 1 / rate if even else rng.expovariate(rate)
        if due >= end:
            await asyncio.sleep(max(0.0, end - time.time()))
            break
        delay = due - time.time()
        if delay > 0:
            await asyncio.sleep(delay)
        sent = time.time()
        item = await sim.post(
            "/_sim/swipe", {"door": rng.randint(1, DOORS), "method": "card"}
        )
        swipes.append(
            {
                "serial": int(item["serialNo"]),
                "sent": sent,
                "answered": time.time(),
                "phase": phase,
            }
        )
    return swipes


def match(
    swipes: list[dict[str, Any]], events: list[dict[str, Any]]
) -> tuple[list[Delivery], int]:
    """Pair each access event with its swipe by serial; return the others' count."""
    deliveries = {s["serial"]: Delivery(s) for s in swipes}
    other = 0
    for event in sorted(events, key=lambda e: e["fired"]):
        target = deliveries.get(int(event["event_id"] or -1))
        if target is None:
            other += 1
        elif target.first is None:
            target.first = event["fired"]
            target.replayed = bool(event.get("replayed"))
        else:
            target.copies += 1
    return list(deliveries.values()), other


def phase(deliveries: list[Delivery], name: str) -> list[Delivery]:
    return [d for d in deliveries if d.swipe["phase"] == name]


# --- load ----------------------------------------------------------------------------


async def load_snapshot(sim: HikSimProcess, ha: HikHaProcess) -> dict[str, Any]:
    return {
        "ha": await ha.get("/cpu"),
        "sim_cpu": sim.cpu_seconds(),
        "requests": await sim.requests(),
    }


def load_between(
    a: dict[str, Any], b: dict[str, Any], idle: dict[str, float]
) -> dict[str, Any]:
    """CPU shares and the device's requests per second between two snapshots."""
    wall = b["ha"]["wall"] - a["ha"]["wall"]
    by_path: dict[str, int] = {}
    by_outcome: dict[str, int] = {}
    for request in b["requests"][len(a["requests"]) :]:
        path = request["path"].removeprefix("/ISAPI/")
        by_path[path] = by_path.get(path, 0) + 1
        by_outcome[request["outcome"]] = by_outcome.get(request["outcome"], 0) + 1
    process = (b["ha"]["process"] - a["ha"]["process"]) / wall
    loop = (b["ha"]["thread"] - a["ha"]["thread"]) / wall
    return {
        "seconds": wall,
        "ha_cpu_share": process,
        "ha_loop_share": loop,
        "integration_cpu_share": process - idle["process_share"],
        "integration_loop_share": loop - idle["loop_share"],
        "simulator_cpu_share": (b["sim_cpu"] - a["sim_cpu"]) / wall,
        "requests": sum(by_path.values()),
        "requests_per_second": sum(by_path.values()) / wall,
        "requests_by_path": dict(sorted(by_path.items())),
        "requests_by_outcome": dict(sorted(by_outcome.items())),
    }


async def quiet_after(sim: HikSimProcess, since: float, limit: float = 60.0) -> float:
    """Seconds from ``since`` to the device's last request before 1.5 s without one.

    After a stream of swipes: how long the integration kept the device busy
    (door reads queued behind its serial requests would show here).
    """
    last_count = -1
    last_change = since
    deadline = since + limit
    while time.time() - last_change < 1.5 and time.time() < deadline:
        count = (await sim.get("/_sim/stats"))["requests"]
        if count != last_count:
            if last_count >= 0:
                last_change = time.time()
            last_count = count
        await asyncio.sleep(0.05)
    return max(0.0, last_change - since)


async def wait_delivered(
    ha: HikHaProcess, serials: set[int], limit: float
) -> list[dict[str, Any]]:
    """Wait until every serial has an access event (or ``limit`` s); return events."""
    deadline = time.time() + limit
    while True:
        events = await ha.listed("events")
        seen = {e["event_id"] for e in events}
        if serials <= seen or time.time() >= deadline:
            return events
        await asyncio.sleep(0.25)


async def source_figures(ha: HikHaProcess) -> dict[str, Any]:
    data: dict[str, Any] = await ha.get("/source")
    return data


# --- the phases ------------------------------------------------------------------------


async def measure_alarms(
    sim: HikSimProcess, ha: HikHaProcess, count: int
) -> dict[str, Any]:
    """Raise and end the device's tamper ``count`` times: → acs_bridge_alarm."""
    raised: list[tuple[int, float]] = []
    for _ in range(count):
        sent = time.time()
        item = await sim.post("/_sim/tamper", {"active": True})
        raised.append((int(item["serialNo"]), sent))
        await asyncio.sleep(0.7)
        await sim.post("/_sim/tamper", {"active": False})
        await asyncio.sleep(0.5)
    await asyncio.sleep(2.0)
    fired: dict[int, list[float]] = {}
    for alarm in await ha.listed("alarms"):
        fired.setdefault(int(alarm["alarm_id"]), []).append(alarm["fired"])
    latencies = [fired[s][0] - sent for s, sent in raised if s in fired]
    return {
        "raised": len(raised),
        "fired": len(latencies),
        "lost": sum(1 for s, _ in raised if s not in fired),
        "duplicated": sum(len(fired[s]) - 1 for s, _ in raised if s in fired),
        "latency": summary(latencies),
    }


async def run_outage(
    plan: HikPlan, sim: HikSimProcess, rng: random.Random
) -> tuple[list[dict[str, Any]], dict[str, float]]:
    total = plan.outage_before + plan.outage + plan.outage_after
    stream = asyncio.create_task(
        swipe_stream(sim, rate=plan.outage_rate, seconds=total, phase="outage", rng=rng)
    )
    await asyncio.sleep(plan.outage_before)
    await sim.post("/_sim/online", {"online": False})
    down = time.time()
    await asyncio.sleep(plan.outage)
    await sim.post("/_sim/online", {"online": True})
    back = time.time()
    return await stream, {"down": down, "back": back}


async def run_stall(
    plan: HikPlan, sim: HikSimProcess, ha: HikHaProcess, rng: random.Random
) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """Stall the stream inside a swipe stream until the source reconnects."""
    timeout = plan.stall_timeout or PRODUCTION_STALL_TIMEOUT
    before = (await source_figures(ha))["source"]
    stop = asyncio.Event()

    async def stream() -> list[dict[str, Any]]:
        swipes: list[dict[str, Any]] = []
        while not stop.is_set():
            swipes += await swipe_stream(
                sim, rate=plan.stall_rate, seconds=1.0, phase="stall", rng=rng
            )
        return swipes

    task = asyncio.create_task(stream())
    await asyncio.sleep(plan.stall_before)
    streams = (await sim.post("/_sim/stream/stall"))["streams"]
    stalled = time.time()
    deadline = stalled + timeout + 30.0
    reconnected = None
    while time.time() < deadline:
        now = (await source_figures(ha))["source"]
        if now["connects"] > before["connects"]:
            reconnected = time.time()  # within 0.2 s of the reconnect
            break
        await asyncio.sleep(0.2)
    after = (await source_figures(ha))["source"]
    await asyncio.sleep(plan.stall_after)
    stop.set()
    swipes = await task
    return swipes, {
        "stalled": stalled,
        "reconnected": reconnected,
        "streams_stalled": streams,
        "stalls_counted": after["stalls"] - before["stalls"],
        "stall_timeout": timeout,
    }


def replay_row(
    deliveries: list[Delivery], start: float, end: float, back: float | None
) -> dict[str, Any]:
    """The swipes made in [start, end): delivered once, replayed, when."""
    inside = [d for d in deliveries if start <= d.swipe["sent"] < end]
    stats = delivery_stats(inside)
    last = max((d.first for d in inside if d.first is not None), default=None)
    stats["back_to_last_delivered"] = (
        None if last is None or back is None else last - back
    )
    stats["replayed_marked"] = sum(1 for d in inside if d.replayed)
    return stats


async def run_hikvision(plan: HikPlan, log_dir: Path) -> dict[str, Any]:
    """Run section 6; return its figures."""
    sim = HikSimProcess("hikvision-simulator", log_dir)
    ha = HikHaProcess("hikvision-home-assistant", log_dir)
    await asyncio.gather(sim.start(), ha.start())
    rng = random.Random(18)
    started = time.time()
    try:
        info = await ha.get("/info")
        log(f"hikvision: idle Home Assistant baseline, {plan.baseline:g} s")
        a = await ha.get("/cpu")
        await asyncio.sleep(plan.baseline)
        b = await ha.get("/cpu")
        wall = b["wall"] - a["wall"]
        idle = {
            "seconds": wall,
            "process_share": (b["process"] - a["process"]) / wall,
            "loop_share": (b["thread"] - a["thread"]) / wall,
        }
        setup = await ha.post(
            "/setup",
            {
                "host": "127.0.0.1",
                "port": sim.port,
                "username": USERNAME,
                "password": PASSWORD,
                "stall_timeout": plan.stall_timeout,
            },
        )
        if not setup.get("ok"):
            raise RuntimeError(f"the Hikvision entry did not load: {setup}")
        log(f"hikvision: entry loaded in {setup['seconds']:.2f} s")
        await asyncio.sleep(plan.settle)
        swipes: list[dict[str, Any]] = []
        spans: dict[str, tuple[float, float]] = {}

        log(f"hikvision: CPU, {plan.cpu_rate:g} swipe/s for {plan.cpu_window:g} s")
        snap_a = await load_snapshot(sim, ha)
        swipes += await swipe_stream(
            sim,
            rate=plan.cpu_rate,
            seconds=plan.cpu_window,
            phase="cpu",
            rng=rng,
            even=True,
        )
        cpu = load_between(snap_a, await load_snapshot(sim, ha), idle)

        loads: dict[str, dict[str, Any]] = {}
        for rate, count in zip(plan.rates, plan.swipes, strict=True):
            name = f"rate_{rate:g}"
            log(f"hikvision: latency, {count} swipes at {rate:g}/s")
            snap_a = await load_snapshot(sim, ha)
            start = time.time()
            swipes += await swipe_stream(
                sim, rate=rate, count=count, phase=name, rng=rng
            )
            ended = time.time()
            busy_after = await quiet_after(sim, ended)
            await asyncio.sleep(max(0.0, ended + 2.0 - time.time()))
            spans[name] = (start, time.time())
            loads[name] = load_between(snap_a, await load_snapshot(sim, ha), idle)
            loads[name]["device_busy_after"] = busy_after

        log(f"hikvision: alarms, device tamper raised and ended {plan.alarms} times")
        alarms = await measure_alarms(sim, ha, plan.alarms)

        log(f"hikvision: a {plan.outage:g} s outage")
        outage_swipes, outage = await run_outage(plan, sim, rng)
        swipes += outage_swipes
        await wait_delivered(ha, {s["serial"] for s in outage_swipes}, plan.drain_limit)

        timeout = plan.stall_timeout or PRODUCTION_STALL_TIMEOUT
        log(f"hikvision: a stalled stream ({timeout:g} s silence limit)")
        stall_swipes, stall = await run_stall(plan, sim, ha, rng)
        swipes += stall_swipes
        events = await wait_delivered(
            ha, {s["serial"] for s in swipes}, plan.drain_limit
        )
        await asyncio.sleep(1.0)
        events = await ha.listed("events")
        figures = await source_figures(ha)
    finally:
        with contextlib.suppress(Exception):  # it is being stopped anyway
            await ha.post("/quit")
        await asyncio.sleep(0.5)
        await asyncio.gather(ha.stop(), sim.stop())

    deliveries, other = match(swipes, events)
    latency = []
    for rate in plan.rates:
        name = f"rate_{rate:g}"
        latency.append(
            {
                "phase": name,
                "rate": rate,
                "arrivals": "poisson",
                **delivery_stats(phase(deliveries, name)),
                "load": loads[name],
            }
        )
    outage_rows = {
        "during": replay_row(
            phase(deliveries, "outage"),
            outage["down"],
            outage["back"],
            outage["back"],
        ),
        "all": delivery_stats(phase(deliveries, "outage")),
        **outage,
    }
    stall_end = stall["reconnected"] or time.time()
    stall_rows = {
        "during": replay_row(
            phase(deliveries, "stall"),
            stall["stalled"],
            stall_end,
            stall["reconnected"],
        ),
        "all": delivery_stats(phase(deliveries, "stall")),
        "detected_after": None
        if stall["reconnected"] is None
        else stall["reconnected"] - stall["stalled"],
        **stall,
    }
    return {
        "mode": plan.mode,
        "plan": asdict(plan),
        "started": datetime.fromtimestamp(started, UTC).isoformat(timespec="seconds"),
        "duration_seconds": time.time() - started,
        "ha": info,
        "load_average_at_start": os.getloadavg()[0],
        "setup": setup,
        "idle": idle,
        "cpu": {
            "rate": plan.cpu_rate,
            "arrivals": "even",
            **cpu,
            "events": delivery_stats(phase(deliveries, "cpu")),
        },
        "latency": latency,
        "alarms": alarms,
        "outage": outage_rows,
        "stall": stall_rows,
        "production_stall_timeout": PRODUCTION_STALL_TIMEOUT,
        "other_events": other,
        "source": figures,
    }
