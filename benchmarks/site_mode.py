"""Section 5: site mode — every door switched at once, the event poll meanwhile.

For each site size, one simulator and one Home Assistant process: a stream of
swipes runs; two seconds in, the driver asks Home Assistant for a lockdown of
the whole site (``acs_bridge.set_site_mode``, blocking, with its response),
then, once the stream is over, for normal. Figures: the time from the call to
the simulator's acceptance of the last door's command (every door switched),
to the call's return; the doors in the mode at the simulator afterwards; the
real-time event poll's period and round trip around the switch, against the
two seconds before it; the swipes' bus-event latency; Home Assistant's CPU time.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from pathlib import Path
import random
import sys
import time
from typing import TYPE_CHECKING, Any

from .analysis import delivery_stats, match, poll_stats
from .procs import SimProcess
from .report import Check, mark, ms, s, table
from .run import (
    CODE,
    load_between,
    log,
    snapshot,
    start_pair,
    stop_pair,
    window,
)

if TYPE_CHECKING:
    from .procs import HaProcess
    from .run import Plan

SITE_DOORS = (100, 1000)
SITE_RATE = 5.0  # swipes/s during each switch
SITE_LEAD = 2.0  # s of stream before the call
SITE_AFTER = 4.0  # s of stream after the call returned
SWITCH_TARGET = 20.0  # s, every door at 1000 doors
PERIOD_TARGET = 1.5  # s, the longest real-time poll period around a switch
TARGET_DOORS = 1000
# The work mode every door has after each switch (normal: back to automatic).
WORK_MODES = {"lockdown": 5, "evacuation": 4, "normal": 0}


async def stream_until(
    sim: SimProcess, stop: asyncio.Event, phase: str, rng: random.Random
) -> list[dict[str, Any]]:
    """Swipe valid cards at random doors, SITE_RATE per second, until ``stop``."""
    swipes: list[dict[str, Any]] = []
    while True:
        try:
            await asyncio.wait_for(stop.wait(), rng.expovariate(SITE_RATE))
        except TimeoutError:
            pass
        else:
            return swipes
        door_id = sim.door_ids[rng.randrange(len(sim.door_ids))]
        sent = time.time()
        try:
            result = await sim.swipe(door_id)
        except ValueError:  # nobody may pass this door
            continue
        result.update(sent=sent, answered=time.time(), phase=phase)
        swipes.append(result)


async def switch(
    sim: SimProcess, ha: HaProcess, mode: str, rng: random.Random
) -> dict[str, Any]:
    """Switch the whole site to ``mode`` during a swipe stream; return its figures."""
    requests_before = int((await sim.get("/_sim/requests", since=10**9))["total"])
    snap_a = await snapshot(sim, ha)
    stream_start = time.time()
    stop = asyncio.Event()
    stream = asyncio.create_task(stream_until(sim, stop, mode, rng))
    await asyncio.sleep(SITE_LEAD)
    call = await ha.post("/site_mode", {"mode": mode})
    await asyncio.sleep(SITE_AFTER)
    stop.set()
    swipes = await stream
    await asyncio.sleep(2.0)  # every event of the stream is out by now
    snap_b = await snapshot(sim, ha)
    # The simulator's log of requests as received (its accepted commands are
    # stamped to the second only).
    requests = (await sim.get("/_sim/requests", since=requests_before))["requests"]
    site_after = [d["work_mode"] for d in (await sim.get("/_sim/site"))["doors"]]
    workmode = [r for r in requests if "/acs/device/door/workmode/" in r["path"]]
    times = [datetime.fromisoformat(r["time"]).timestamp() for r in workmode]
    called = call["called"]
    first = min(times, default=called)
    last = max(times, default=called)
    polls = await ha.polls()
    events = await ha.events()
    around = window(polls, called - 1.5, max(last, call["returned"]) + 1.5)
    before = window(polls, stream_start, called)
    return {
        "mode": mode,
        "call": call,
        "commands": len(workmode),
        "doors_commanded": len({r["path"].rsplit("/", 2)[1] for r in workmode}),
        "first_command_seconds": first - called,
        "switch_seconds": last - called,
        "call_seconds": call["returned"] - called,
        "doors_in_mode": sum(
            1 for mode_now in site_after if mode_now == WORK_MODES[mode]
        ),
        "commands_per_second": len(workmode) / max(1e-6, last - first),
        "polls_around": poll_stats(around),
        "polls_before": poll_stats(before),
        "events": delivery_stats(match(swipes, events).deliveries),
        "load": load_between(snap_a, snap_b),
    }


async def run_site_mode(plan: Plan, log_dir: Path) -> dict[str, Any]:
    """Lockdown and normal at each site size; return the rows and the run's identity."""
    started = datetime.now(UTC).isoformat(timespec="seconds")
    rows = []
    machine_ha: dict[str, Any] = {}
    for doors in SITE_DOORS:
        controllers = doors // plan.doors_per_controller
        log(f"site mode: {doors} doors ({controllers} controllers)")
        sim, ha = await start_pair(
            f"site{doors}", log_dir, controllers, plan.doors_per_controller, 400
        )
        rng = random.Random(doors + 1)
        try:
            machine_ha = await ha.get("/info")
            setup = await ha.setup_entry(sim)
            await asyncio.sleep(plan.scale_settle)
            for mode in ("lockdown", "normal"):
                row = await switch(sim, ha, mode, rng)
                row["doors"] = setup["doors"]
                row["controllers"] = setup["controllers"]
                rows.append(row)
                log(
                    f"site mode: {mode} of {setup['doors']} doors: every door in "
                    f"{row['switch_seconds']:.2f} s, call returned in "
                    f"{row['call_seconds']:.2f} s, failed {row['call']['failed']}"
                )
                await asyncio.sleep(1.0)
        finally:
            await stop_pair(sim, ha)
    return {
        "rows": rows,
        "run": {
            "command": " ".join(["scripts/bench", *sys.argv[1:]]),
            "started": started,
            "code": {name: CODE[name] for name in CODE if name.startswith("site")},
            "ha": machine_ha,
        },
    }


# --- results.md -------------------------------------------------------------------


def site_mode_section(
    results: dict[str, Any], checks: list[Check], measured: str
) -> list[str]:
    """Return section 5 of results.md."""
    block = results["site_mode"]
    out = [
        "## 5. Site mode: every door at once",
        "",
        measured,
        "",
        "One simulator and one Home Assistant process per site (4 doors per "
        f"controller). A stream of {SITE_RATE:g} swipes/s runs; {SITE_LEAD:g} s in, "
        "the driver calls `acs_bridge.set_site_mode` for the whole site (blocking, "
        "with its response) in Home Assistant — lockdown, then, in a second stream, "
        "normal (every door back to its mode before; here automatic). *Every door*: "
        "from the call until the simulator received the last door's work-mode command "
        "(`/_sim/requests`); "
        "*returned*: until the call returned with every door's result. *In mode*: doors "
        "whose work mode at the simulator is the site mode's afterwards (lockdown: "
        "normally closed). Poll period and round trip: the real-time event polls "
        "(timed inside Home Assistant) from 1.5 s before the call to 1.5 s after the "
        f"last command, against the {SITE_LEAD:g} s before the call. Events: the "
        "stream's swipes → `acs_bridge_access` bus events. CPU: the Home Assistant "
        "process over the stream.",
        "",
    ]
    rows = []
    for row in block["rows"]:
        around = row["polls_around"]
        before = row["polls_before"]
        ev = row["events"]
        at_target = row["doors"] == TARGET_DOORS
        row_checks = [
            Check(
                f"site mode {row['mode']} at {row['doors']} doors: every door switched",
                row["switch_seconds"],
                SWITCH_TARGET,
            ),
            Check(
                f"site mode {row['mode']} at {row['doors']} doors: the call returned",
                row["call_seconds"],
                SWITCH_TARGET,
            ),
            Check(
                f"site mode {row['mode']} at {row['doors']} doors: longest event-poll "
                "period",
                around["period"]["max"],
                PERIOD_TARGET,
            ),
            Check(
                f"site mode {row['mode']} at {row['doors']} doors: doors not switched",
                float(
                    row["doors"] - row["doors_in_mode"] + (row["call"]["failed"] or 0)
                ),
                0.0,
                "",
            ),
            Check(
                f"site mode {row['mode']} at {row['doors']} doors: events lost",
                float(ev["lost"] + ev["duplicated"]),
                0.0,
                "",
            ),
        ]
        if at_target:
            checks += row_checks
        rows.append(
            [
                f"**{row['doors']}**" if at_target else str(row["doors"]),
                row["mode"],
                f"{row['doors_in_mode']}/{row['doors']}",
                str(row["call"]["failed"]),
                s(row["first_command_seconds"]),
                s(row["switch_seconds"]),
                s(row["call_seconds"]),
                f"{row['commands_per_second']:.0f}",
                f"{s(before['period']['max'])} / {s(around['period']['max'])}",
                f"{ms(before['rtt']['max'])} / {ms(around['rtt']['max'])}",
                str(around["failed"]),
                f"{ev['swipes']}/{ev['lost']}",
                s(ev["latency"]["max"]),
                f"{row['load']['ha_cpu_share'] * 100:.1f} %",
                f"{row['call']['cpu_seconds']:.2f}",
                mark(all(c.ok for c in row_checks)),
            ]
        )
    out += table(
        [
            "doors",
            "mode",
            "doors in mode",
            "failed",
            "first command s",
            "every door s",
            "returned s",
            "commands/s",
            "poll period max s (before / around)",
            "poll RTT max ms (before / around)",
            "polls failed",
            "swipes/lost",
            "event max s",
            "HA CPU (stream)",
            "HA CPU s (call)",
            "targets",
        ],
        rows,
    )
    out += [
        "",
        f"Targets (at {TARGET_DOORS} doors): every door switched and the call returned "
        f"within {SWITCH_TARGET:g} s; no door left unswitched or failed; the longest "
        f"real-time poll period around the switch ≤ {PERIOD_TARGET:g} s (the interval "
        "is 1 s and the server keeps an event 2 s); no swipe lost or duplicated. The "
        "commands go straight to the adapter, at most its concurrent requests minus "
        "two at a time, not through the coordinator's door-state budget; door states "
        "are read afterwards within that budget.",
        "",
    ]
    return out
