"""Run every benchmark and write benchmarks/results.md and benchmarks/results.json.

Usage: ``scripts/bench [--quick] [--profile] [--only main|scale|site|hikvision]
[--report-only]``.

Three kinds of process, so that each one's CPU time is its own:

- this driver: swipes cards and injects faults through the simulator's control
  API, reads Home Assistant's recordings, computes the figures;
- the simulator (``python -m simulator``), one per site;
- Home Assistant with ACS Bridge (``python -m benchmarks.ha_worker``), one per
  site, which records each ``acs_bridge_access`` bus event with the wall-clock
  time it was fired. All processes share the machine's clock.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
import hashlib
import json
import os
from pathlib import Path
import platform
import random
import subprocess
import sys
import time
from typing import Any

from .analysis import Matched, delivery_stats, match, poll_stats, summary
from .procs import ROOT, HaProcess, SimProcess, swipe_stream
from .report import write_markdown

HERE = Path(__file__).resolve().parent
EVENT_INTERVAL = 1.0  # the integration's default real-time poll interval
CPU_TARGET = 0.03  # of one core, steady state at 1000 doors: profiled when above
TARGET_DOORS = 1000
STATE_INTERVAL = 10.0  # the integration's default state poll interval
LOAD_AT_START = os.getloadavg()
CODE: dict[str, dict[str, Any]] = {}  # the code each site's processes loaded


@dataclass(frozen=True)
class Plan:
    """Durations and sizes of one run."""

    mode: str
    latency_swipes: int = 1000
    rates: tuple[float, ...] = (5.0, 20.0, 100.0)
    latency_site: tuple[int, int, int] = (25, 4, 400)  # controllers, doors each, people
    fault_rate: float = 20.0
    poll_fault_seconds: float = 30.0
    poll_fault_share: float = 0.10
    outage_before: float = 3.0
    outage: float = 10.0
    outage_after: float = 5.0
    restart_before: float = 5.0
    restart_after: float = 5.0
    restore_before: float = 3.0
    restore_to_blackout: float = 0.5
    cache_blackout: float = 4.0  # after a database restore: > the 2 s cache
    restore_after: float = 4.0
    drain: float = 12.0  # > the 10 s record reconciliation, so replays show
    gap: float = 1.0
    commands: int = 200
    scale_doors: tuple[int, ...] = (100, 1000, 2000)
    doors_per_controller: int = 4
    scale_rate: float = 2.0
    burst_rate: float = 20.0  # beyond the issue: the cost of a swipe at scale
    burst_seconds: float = 8.0  # swipes, within a 10 s span
    scale_settle: float = 2.0
    scale_window: float = 30.0
    baseline: float = 5.0
    profile_seconds: float = 20.0


FULL = Plan(mode="full")
QUICK = Plan(
    mode="quick",
    latency_swipes=200,
    poll_fault_seconds=15.0,
    commands=50,
    scale_window=20.0,
    burst_seconds=5.0,
    profile_seconds=10.0,
)


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", flush=True)


# --- machine ---------------------------------------------------------------------


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def git(*args: str) -> str:
    try:
        return subprocess.run(
            ["git", *args], cwd=ROOT, capture_output=True, text=True, check=True
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return ""


def code_state() -> dict[str, Any]:
    """Return the commit and a hash of the integration's and simulator's files now.

    Others may edit the working tree while the benchmarks run; a Home Assistant
    or simulator process loads the files as they are when it starts.
    """
    digest = hashlib.sha256()
    for folder in ("custom_components/acs_bridge", "simulator"):
        for path in sorted((ROOT / folder).rglob("*")):
            if path.is_file() and path.suffix in {".py", ".json", ".yaml"}:
                digest.update(str(path.relative_to(ROOT)).encode())
                digest.update(path.read_bytes())
    dirty = git("status", "--porcelain", "--", "custom_components", "simulator")
    return {
        "commit": git("rev-parse", "--short", "HEAD"),
        "uncommitted_changes": bool(dirty),
        "files_sha256": digest.hexdigest()[:12],
    }


def machine_info(ha: dict[str, Any]) -> dict[str, Any]:
    mem_kb = 0
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                mem_kb = int(line.split()[1])
    except OSError:
        pass
    return {
        "cores": os.cpu_count(),
        "cpu": cpu_model(),
        "memory_gib": round(mem_kb / 1024 / 1024, 1),
        "os": f"{platform.system()} {platform.release()}",
        "python": ha.get("python", platform.python_version()),
        "home_assistant": ha.get("ha_version", "?"),
        "load_average_at_start": LOAD_AT_START[0],
    }


# --- helpers ---------------------------------------------------------------------


async def start_pair(
    name: str, log_dir: Path, controllers: int, doors: int, people: int
) -> tuple[SimProcess, HaProcess]:
    sim = SimProcess(
        f"{name}-simulator",
        log_dir,
        controllers=controllers,
        doors=doors,
        people=people,
    )
    ha = HaProcess(f"{name}-home-assistant", log_dir)
    CODE[name] = code_state()
    await asyncio.gather(sim.start(), ha.start())
    return sim, ha


async def stop_pair(sim: SimProcess, ha: HaProcess) -> None:
    with contextlib.suppress(Exception):  # it is being stopped anyway
        await ha.post("/quit")
    await asyncio.sleep(0.5)
    await asyncio.gather(ha.stop(), sim.stop())


async def snapshot(sim: SimProcess, ha: HaProcess) -> dict[str, Any]:
    """Return the CPU times of both processes and the simulator's request counts."""
    cpu = await ha.cpu()
    stats = await sim.stats()
    return {"ha": cpu, "sim_cpu": sim.cpu_seconds(), "by_kind": stats["by_kind"]}


def load_between(a: dict[str, Any], b: dict[str, Any]) -> dict[str, Any]:
    """Return CPU shares and request rates between two snapshots."""
    wall = b["ha"]["wall"] - a["ha"]["wall"]
    by_kind = {
        kind: (count - a["by_kind"].get(kind, 0)) / wall
        for kind, count in sorted(b["by_kind"].items())
        if count != a["by_kind"].get(kind, 0)
    }
    return {
        "seconds": wall,
        "ha_cpu_share": (b["ha"]["process"] - a["ha"]["process"]) / wall,
        "ha_loop_share": (b["ha"]["thread"] - a["ha"]["thread"]) / wall,
        "simulator_cpu_share": (b["sim_cpu"] - a["sim_cpu"]) / wall,
        "requests_per_second": sum(by_kind.values()),
        "requests_by_kind": by_kind,
    }


def window(
    polls: list[dict[str, Any]], start: float, end: float
) -> list[dict[str, Any]]:
    return [p for p in polls if start <= p["start"] <= end]


def rate_row(
    name: str,
    matched: Matched,
    polls: list[dict[str, Any]],
    span: tuple[float, float],
    extra: dict[str, Any] | None = None,
) -> dict[str, Any]:
    row = {"phase": name, **delivery_stats(matched.phase(name))}
    row["polls"] = poll_stats(window(polls, *span))
    row["seconds"] = span[1] - span[0]
    if extra:
        row.update(extra)
    return row


# --- 1, 2 and 4: latency, faults, commands on one site -----------------------------


async def poll_fault_injector(
    sim: SimProcess, share: float, rng: random.Random, stop: asyncio.Event
) -> int:
    """Fail a random ``share`` of the real-time polls, exactly.

    The driver watches the simulator's count of event-cache requests (20 times
    a second; polls come once a second) and, when the poll before a chosen one
    has been answered, arms a fault for the next event-cache request only.
    Consecutive failures happen when the draw picks neighbours, as with any
    random loss.
    """
    chosen: set[int] = set()
    armed: set[int] = set()
    first = (await sim.stats())["by_kind"].get("eventcache", 0)
    block = round(1 / share)  # one failure in each block of this many polls
    while not stop.is_set():
        # The index of the next event-cache request.
        upcoming = (await sim.stats())["by_kind"].get("eventcache", 0) - first
        block_start = upcoming - upcoming % block
        if not any(block_start <= c < block_start + block for c in chosen):
            chosen.add(block_start + rng.randrange(block))
        if upcoming in chosen and upcoming not in armed:
            await sim.post(
                "/_sim/fault",
                {"kind": "http500", "count": 1, "path": "acs/device/eventcache"},
            )
            armed.add(upcoming)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), 0.05)
    return len(armed)


async def run_main_site(
    plan: Plan, log_dir: Path, first_stream: asyncio.Event | None = None
) -> dict[str, Any]:
    """Run sections 1, 4 and 2 on one site; set ``first_stream`` when 1 begins."""
    controllers, per_controller, people = plan.latency_site
    sim, ha = await start_pair("main", log_dir, controllers, per_controller, people)
    rng = random.Random(5)
    try:
        info = await ha.get("/info")
        setup = await ha.setup_entry(sim)
        log(f"main site: {setup['doors']} doors loaded in {setup['seconds']:.2f} s")
        await asyncio.sleep(3)
        swipes: list[dict[str, Any]] = []
        spans: dict[str, tuple[float, float]] = {}

        # 1. latency at three rates, back to back; the drain is at the very end
        loads: dict[str, dict[str, Any]] = {}
        for rate in plan.rates:
            name = f"rate_{rate:g}"
            log(f"latency: {plan.latency_swipes} swipes at {rate:g}/s")
            before_load = await snapshot(sim, ha)
            if first_stream is not None:
                first_stream.set()
            start = time.time()
            swipes += await swipe_stream(
                sim, rate=rate, count=plan.latency_swipes, phase=name, rng=rng
            )
            await asyncio.sleep(2.0)  # every event of the stream is out by now
            spans[name] = (start, time.time())
            loads[name] = load_between(before_load, await snapshot(sim, ha))
            await asyncio.sleep(max(0.0, plan.gap - 2.0))

        # 4. commands (late replays of section 1 would still show: all events are
        # read after the final drain)
        log(f"commands: {plan.commands} unlock/lock round trips")
        before = await sim.get("/_sim/requests", since=10**9)
        since = int(before["total"])
        start = time.time()
        commands = await ha.post("/commands", {"count": plan.commands})
        spans["commands"] = (start, time.time())
        requests = (await sim.get("/_sim/requests", since=since))["requests"]
        command_result = command_figures(commands["results"], requests)
        await asyncio.sleep(plan.gap)

        # 2. faults, at the middle rate
        rate = fault_rate = plan.fault_rate
        log(f"faults: {plan.poll_fault_share:.0%} of event polls fail")
        stop = asyncio.Event()
        injector = asyncio.create_task(
            poll_fault_injector(sim, plan.poll_fault_share, random.Random(7), stop)
        )
        start = time.time()
        swipes += await swipe_stream(
            sim,
            rate=rate,
            seconds=plan.poll_fault_seconds,
            phase="poll_failures",
            rng=rng,
        )
        stop.set()
        armed = await injector
        await sim.post("/_sim/faults/clear")
        spans["poll_failures"] = (start, time.time() + 2.0)
        await asyncio.sleep(plan.gap)

        log(f"faults: a {plan.outage:g} s outage (every request answers HTTP 500)")
        total = plan.outage_before + plan.outage + plan.outage_after
        start = time.time()
        stream = asyncio.create_task(
            swipe_stream(sim, rate=rate, seconds=total, phase="outage", rng=rng)
        )
        await asyncio.sleep(plan.outage_before)
        await sim.post("/_sim/fault", {"kind": "http500"})
        outage_start = time.time()
        await asyncio.sleep(plan.outage)
        await sim.post("/_sim/faults/clear")
        outage_end = time.time()
        swipes += await stream
        spans["outage"] = (start, time.time() + 2.0)
        await asyncio.sleep(plan.gap)

        log("faults: the server restarts (event ids start over)")
        start = time.time()
        stream = asyncio.create_task(
            swipe_stream(
                sim,
                rate=rate,
                seconds=plan.restart_before + plan.restart_after,
                phase="restart",
                rng=rng,
            )
        )
        await asyncio.sleep(plan.restart_before)
        await sim.post("/_sim/restart", {})
        restart_at = time.time()
        swipes += await stream
        spans["restart"] = (start, time.time() + 2.0)
        await asyncio.sleep(plan.gap)

        # Beyond the issue: the server's database is restored (record ids start
        # over too), then the event cache cannot be read for a few seconds.
        log(
            "faults: database restored (record ids start over), then "
            f"{plan.cache_blackout:g} s without the event cache"
        )
        start = time.time()
        total = plan.restore_before + plan.cache_blackout + plan.restore_after
        stream = asyncio.create_task(
            swipe_stream(sim, rate=rate, seconds=total, phase="restart_db", rng=rng)
        )
        await asyncio.sleep(plan.restore_before)
        await sim.post("/_sim/restart", {"clear_records": True})
        restart_db_at = time.time()
        await asyncio.sleep(plan.restore_to_blackout)
        await sim.post(
            "/_sim/fault", {"kind": "http500", "path": "acs/device/eventcache"}
        )
        blackout_start = time.time()
        await asyncio.sleep(plan.cache_blackout)
        await sim.post("/_sim/faults/clear")
        blackout_end = time.time()
        swipes += await stream
        spans["restart_db"] = (start, time.time() + 2.0)

        log(f"faults: draining {plan.drain:g} s")
        await asyncio.sleep(plan.drain)

        events = await ha.events()
        polls = await ha.polls()
        pipeline = await ha.get("/pipeline")
        stats = await sim.stats()
    finally:
        await stop_pair(sim, ha)

    matched = match(swipes, events)
    latency_rows = []
    for each_rate in plan.rates:
        name = f"rate_{each_rate:g}"
        row = rate_row(
            name,
            matched,
            polls,
            spans[name],
            {"rate": each_rate, "load": loads[name]},
        )
        rtt = row["polls"]["rtt"]["p50"] or 0.0
        row["floor"] = EVENT_INTERVAL / 2 + rtt
        p50 = row["latency"]["p50"]
        row["p50_over_floor"] = None if p50 is None else p50 / row["floor"]
        latency_rows.append(row)

    fault_rows = []
    row = rate_row(
        "poll_failures",
        matched,
        polls,
        spans["poll_failures"],
        {"rate": fault_rate, "faults_armed": armed},
    )
    fault_rows.append(row)
    row = rate_row(
        "outage",
        matched,
        polls,
        spans["outage"],
        {
            "rate": fault_rate,
            "outage_start": outage_start,
            "outage_end": outage_end,
            "outage_seconds": outage_end - outage_start,
        },
    )
    during = [
        d
        for d in matched.phase("outage")
        if outage_start <= d.swipe["sent"] <= outage_end
    ]
    after_return = [d.first - outage_end for d in during if d.first is not None]
    row["during_outage"] = {
        "swipes": len(during),
        "lost": sum(1 for d in during if d.first is None),
        "replayed": sum(1 for d in during if d.replayed),
        "after_return": summary(after_return),
    }
    fault_rows.append(row)
    row = rate_row("restart", matched, polls, spans["restart"], {"rate": fault_rate})
    around = [
        d
        for d in matched.phase("restart")
        if restart_at - 2.0 <= d.swipe["sent"] <= restart_at
    ]
    row["restart_at"] = restart_at
    row["just_before_restart"] = {
        "swipes": len(around),
        "replayed": sum(1 for d in around if d.replayed),
        "latency": summary([d.latency for d in around if d.latency is not None]),
    }
    fault_rows.append(row)
    row = rate_row(
        "restart_db",
        matched,
        polls,
        spans["restart_db"],
        {
            "rate": fault_rate,
            "informational": True,
            "restart_at": restart_db_at,
            "blackout_start": blackout_start,
            "blackout_end": blackout_end,
        },
    )
    during = [
        d
        for d in matched.phase("restart_db")
        if blackout_start <= d.swipe["sent"] <= blackout_end
    ]
    row["during_blackout"] = {
        "swipes": len(during),
        "lost": sum(1 for d in during if d.first is None),
    }
    # Swipes made after the last good poll before the restore were in the cache
    # and in the records only: the restore erased both, no client can see them.
    last_poll = max(
        (p["start"] for p in polls if p["ok"] and p["start"] < restart_db_at),
        default=restart_db_at,
    )
    erased = [
        d
        for d in matched.phase("restart_db")
        if d.first is None and last_poll - 0.01 <= d.swipe["sent"] <= restart_db_at
    ]
    row["erased_by_restore"] = len(erased)
    row["lost_by_integration"] = row["lost"] - len(erased)
    lost_after = [
        d
        for d in matched.phase("restart_db")
        if d.first is None and d.swipe["sent"] > restart_db_at
    ]
    row["lost_after_restore"] = {
        "swipes": len(lost_after),
        "record_ids": sorted(d.swipe["record_id"] for d in lost_after),
        "first_sent_after_restore": min(
            (d.swipe["sent"] - restart_db_at for d in lost_after), default=None
        ),
        "last_sent_after_restore": max(
            (d.swipe["sent"] - restart_db_at for d in lost_after), default=None
        ),
    }
    fault_rows.append(row)

    return {
        "ha": info,
        "site": {
            "controllers": controllers,
            "doors": setup["doors"],
            "people": people,
            "entities": setup["entities"],
        },
        "setup": setup,
        "latency": latency_rows,
        "faults": fault_rows,
        "commands": command_result,
        "spans": spans,
        "unmatched_events": len(matched.unmatched_events),
        "unmatched_sample": matched.unmatched_events[:5],
        "pipeline": pipeline,
        "simulator_requests": stats,
    }


def command_figures(
    results: list[dict[str, Any]], requests: list[dict[str, Any]]
) -> dict[str, Any]:
    """Service call → request at the simulator → lock state, per unlock."""
    opened: dict[str, list[float]] = {}
    for request in requests:
        path = request["path"]
        if "/acs/device/door/open/" in path:
            door_id = path.rsplit("/", 1)[1]
            opened.setdefault(door_id, []).append(
                datetime.fromisoformat(request["time"]).timestamp()
            )
    to_request: list[float] = []
    to_state: list[float] = []
    to_return: list[float] = []
    failed = 0
    for result in results:
        unlock = result["unlock"]
        queue = opened.get(result["door_id"], [])
        seen_at = queue.pop(0) if queue else None
        if unlock["error"] or unlock["shown"] is None or seen_at is None:
            failed += 1
            continue
        to_request.append(seen_at - unlock["called"])
        to_state.append(unlock["shown"] - unlock["called"])
        to_return.append(unlock["returned"] - unlock["called"])
    lock_state = [
        r["lock"]["shown"] - r["lock"]["called"]
        for r in results
        if r["lock"]["shown"] is not None and not r["lock"]["error"]
    ]
    return {
        "commands": len(results),
        "failed": failed,
        "doors": len({r["door_id"] for r in results}),
        "call_to_request": summary(to_request),
        "call_to_state": summary(to_state),
        "call_to_return": summary(to_return),
        "lock_call_to_state": summary(lock_state),
    }


# --- 3: scale ----------------------------------------------------------------------


async def run_scale(
    plan: Plan, log_dir: Path, profile: bool, baseline: dict[str, float] | None
) -> list[dict[str, Any]]:
    rows = []
    for doors in plan.scale_doors:
        controllers = doors // plan.doors_per_controller
        people = max(400, doors)
        log(f"scale: {doors} doors ({controllers} controllers)")
        sim, ha = await start_pair(
            f"scale{doors}", log_dir, controllers, plan.doors_per_controller, people
        )
        rng = random.Random(doors)
        try:
            if baseline is None:
                log(f"scale: idle Home Assistant baseline, {plan.baseline:g} s")
                a = await ha.cpu()
                await asyncio.sleep(plan.baseline)
                b = await ha.cpu()
                wall = b["wall"] - a["wall"]
                baseline = {
                    "seconds": wall,
                    "process_share": (b["process"] - a["process"]) / wall,
                    "loop_share": (b["thread"] - a["thread"]) / wall,
                }
            idle = await ha.cpu()
            setup = await ha.setup_entry(sim)
            log(f"scale: set up in {setup['seconds']:.2f} s")
            await asyncio.sleep(plan.scale_settle)
            structure_before = (await ha.get("/pipeline"))["structure_polls"]
            snap_a = await snapshot(sim, ha)
            a = snap_a["ha"]
            swipes = await swipe_stream(
                sim,
                rate=plan.scale_rate,
                seconds=plan.scale_window,
                phase="scale",
                rng=rng,
            )
            snap_b = await snapshot(sim, ha)
            b = snap_b["ha"]
            await asyncio.sleep(3.0)
            events = await ha.events()
            polls = await ha.polls()
            after = await ha.cpu()
            structure_in_window = (await ha.get("/pipeline"))[
                "structure_polls"
            ] - structure_before
            # The cost of one state poll, and of the once-a-minute one that also
            # re-reads the structure (a short window may hold none).
            state_poll = await ha.post("/measure_refresh", {"structure": False})
            structure_poll = await ha.post("/measure_refresh", {"structure": True})
            # Beyond the issue: a burst of swipes, for the CPU time of one swipe.
            # Its span is one state interval (10 s), like the window's share of
            # state polls: the state poll after the refreshes above falls in it.
            await asyncio.sleep(1.0)
            burst_a = await snapshot(sim, ha)
            burst_swipes = await swipe_stream(
                sim,
                rate=plan.burst_rate,
                seconds=plan.burst_seconds,
                phase="burst",
                rng=rng,
            )
            await asyncio.sleep(
                max(0.0, burst_a["ha"]["wall"] + STATE_INTERVAL - time.time())
            )
            burst_load = load_between(burst_a, await snapshot(sim, ha))
            await asyncio.sleep(1.0)
            burst_events = await ha.events()
            profile_text = None
            share = (b["process"] - a["process"]) / (b["wall"] - a["wall"])
            missed = doors == TARGET_DOORS and share - baseline["process_share"] > (
                CPU_TARGET
            )
            if profile or missed:
                log(f"scale: cProfile of the event loop, {plan.profile_seconds:g} s")
                await ha.post("/profile/start")
                await asyncio.sleep(plan.profile_seconds)
                profile_text = await ha.post("/profile/stop", {"top": 30})
        finally:
            await stop_pair(sim, ha)
        load = load_between(snap_a, snap_b)
        wall = load["seconds"]
        process_share = load["ha_cpu_share"]
        loop_share = load["ha_loop_share"]
        by_kind: dict[str, float] = load["requests_by_kind"]
        matched = match(swipes, events)
        burst_matched = match(burst_swipes, burst_events)
        burst_cpu = burst_load["ha_cpu_share"] - process_share
        burst = {
            "rate": plan.burst_rate,
            "seconds": burst_load["seconds"],
            "swipes": len(burst_swipes),
            "cpu_share": burst_load["ha_cpu_share"] - baseline["process_share"],
            "cpu_ms_per_swipe": 1000
            * burst_cpu
            * burst_load["seconds"]
            / max(1, len(burst_swipes)),
            "requests_per_second": burst_load["requests_per_second"],
            "requests_by_kind": burst_load["requests_by_kind"],
            "events": delivery_stats(burst_matched.deliveries),
        }
        # Per minute: the window's rate, plus what the one structure re-read a
        # minute adds over an ordinary state poll (when the window held none).
        structure_extra = max(
            0.0, structure_poll["cpu_seconds"] - state_poll["cpu_seconds"]
        )
        per_minute = (process_share - baseline["process_share"]) * 60
        if not structure_in_window:
            per_minute += structure_extra
        rows.append(
            {
                "doors": setup["doors"],
                "controllers": setup["controllers"],
                "people": people,
                "entities": setup["entities"],
                "devices": setup["devices"],
                "setup_seconds": setup["seconds"],
                "setup_cpu_seconds": setup["cpu_seconds"],
                "window_seconds": wall,
                "structure_polls_in_window": structure_in_window,
                "state_poll": state_poll,
                "structure_poll": structure_poll,
                "structure_extra_cpu_seconds": structure_extra,
                "window_cpu_share_process": process_share - baseline["process_share"],
                "cpu_share_process": per_minute / 60,
                "cpu_share_loop": loop_share - baseline["loop_share"],
                "cpu_seconds_per_minute": per_minute,
                "simulator_cpu_share": load["simulator_cpu_share"],
                "requests_per_second": sum(by_kind.values()),
                "requests_by_kind": dict(sorted(by_kind.items())),
                "rss_idle_bytes": idle["rss"],
                "rss_bytes": after["rss"],
                "rss_added_bytes": after["rss"] - idle["rss"],
                "events": delivery_stats(matched.deliveries),
                "polls": poll_stats(window(polls, a["wall"], b["wall"])),
                "unmatched_events": len(matched.unmatched_events),
                "burst": burst,
                "profile": profile_text,
            }
        )
        log(
            f"scale: {doors} doors: {process_share * 100:.2f}% of a core, "
            f"{sum(by_kind.values()):.1f} req/s"
        )
    assert baseline is not None
    for row in rows:
        row["baseline"] = baseline
    return rows


# --- main --------------------------------------------------------------------------


async def run(args: argparse.Namespace) -> dict[str, Any]:
    plan = QUICK if args.quick else FULL
    log_dir = HERE / "logs"
    log_dir.mkdir(exist_ok=True)
    only = (
        set(args.only.split(","))
        if args.only
        else {"main", "scale", "site", "hikvision"}
    )
    started = time.time()
    results: dict[str, Any] = {
        "command": " ".join(["scripts/bench", *sys.argv[1:]]),
        "mode": plan.mode,
        "plan": asdict(plan),
        "started": datetime.now(UTC).isoformat(timespec="seconds"),
        "event_interval": EVENT_INTERVAL,
    }
    ha_info: dict[str, Any] = {}
    concurrent = {"main", "scale"} <= only and not args.serial
    results["concurrent"] = concurrent
    if concurrent:
        # Section 3 runs in its own processes while section 1's first (slowest)
        # stream runs: see results.md.
        first_stream = asyncio.Event()
        main_task = asyncio.create_task(run_main_site(plan, log_dir, first_stream))
        await asyncio.wait(
            [main_task, asyncio.create_task(first_stream.wait())],
            return_when=asyncio.FIRST_COMPLETED,
        )
        if main_task.done():
            main_task.result()  # it failed before section 1: raise its error
        scale_start = time.time()
        results["scale"] = await run_scale(plan, log_dir, args.profile, None)
        results["scale_span"] = (scale_start, time.time())
        results["main"] = await main_task
        ha_info = results["main"]["ha"]
        results["beside_scale"] = [
            name
            for name, (begin, end) in results["main"]["spans"].items()
            if begin < results["scale_span"][1] and end > scale_start
        ]
    else:
        if "main" in only:
            main = await run_main_site(plan, log_dir)
            ha_info = main["ha"]
            results["main"] = main
        if "scale" in only:
            results["scale"] = await run_scale(plan, log_dir, args.profile, None)
    if "site" in only:
        from .site_mode import run_site_mode

        results["site_mode"] = await run_site_mode(plan, log_dir)
        site_run = results["site_mode"]["run"]
        site_run["machine"] = machine_info(site_run["ha"])
        site_run["mode"] = plan.mode
        ha_info = ha_info or site_run["ha"]
    if "hikvision" in only:
        from .hikvision import HIK_FULL, HIK_QUICK, run_hikvision

        hik = await run_hikvision(HIK_QUICK if args.quick else HIK_FULL, log_dir)
        hik.update(
            command=results["command"],
            machine=machine_info(hik["ha"]),
            code=code_state(),
        )
        results["hikvision"] = hik
        ha_info = ha_info or hik["ha"]
    if not ha_info:
        probe = HaProcess("probe-home-assistant", log_dir)
        await probe.start()
        ha_info = await probe.get("/info")
        await probe.post("/quit")
        await asyncio.sleep(0.5)
        await probe.stop()
    results["machine"] = machine_info(ha_info)
    results["code"] = CODE
    results["duration_seconds"] = time.time() - started
    return results


def main() -> None:
    parser = argparse.ArgumentParser(prog="scripts/bench", description=__doc__)
    parser.add_argument(
        "--quick", action="store_true", help="shorter runs (about 2.5 minutes)"
    )
    parser.add_argument(
        "--profile",
        action="store_true",
        help="cProfile the event loop after each scale window",
    )
    parser.add_argument(
        "--only",
        default="",
        help="comma-separated subset: main (1, 2, 4), scale (3), site (5), "
        "hikvision (6); --only site adds section 5 to the existing results; "
        "--only hikvision writes results_hikvision.json and re-renders results.md",
    )
    parser.add_argument(
        "--output",
        default=str(HERE / "results"),
        help="path of the results without suffix (default benchmarks/results)",
    )
    parser.add_argument(
        "--serial",
        action="store_true",
        help="run section 3 after sections 1, 2 and 4 instead of beside section 1's "
        "5 swipes/s stream (about 3 minutes longer)",
    )
    parser.add_argument(
        "--report-only",
        action="store_true",
        help="rewrite results.md from results.json (after editing FINDINGS.md)",
    )
    args = parser.parse_args()
    out = Path(args.output)
    out.parent.mkdir(parents=True, exist_ok=True)
    if args.report_only:
        results = json.loads(out.with_suffix(".json").read_text())
        write_markdown(results, out.with_suffix(".md"))
        log(f"rewrote {out.with_suffix('.md')}")
        return
    results = asyncio.run(run(args))
    duration = results["duration_seconds"]
    if args.only == "hikvision":
        # Section 6 alone: its own file; the other sections keep their figures.
        from .hikvision_report import RESULTS as HIK_RESULTS

        HIK_RESULTS.write_text(
            json.dumps(results["hikvision"], indent=1, default=str) + "\n"
        )
        if out.with_suffix(".json").exists():
            previous = json.loads(out.with_suffix(".json").read_text())
            previous.pop("hikvision", None)  # the file's figures are newer
            write_markdown(previous, out.with_suffix(".md"))
        log(f"done in {duration:.0f} s: {HIK_RESULTS}, {out.with_suffix('.md')}")
        return
    if args.only == "site" and out.with_suffix(".json").exists():
        # Section 5 alone: the other sections keep the figures of their own run.
        previous = json.loads(out.with_suffix(".json").read_text())
        previous["site_mode"] = results["site_mode"]
        results = previous
    out.with_suffix(".json").write_text(json.dumps(results, indent=1, default=str))
    write_markdown(results, out.with_suffix(".md"))
    log(
        f"done in {duration:.0f} s: "
        f"{out.with_suffix('.md')}, {out.with_suffix('.json')}"
    )


if __name__ == "__main__":
    main()
