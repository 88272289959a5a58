"""Write results.md from the results of a run."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .events_section import events_section
from .hikvision_report import hikvision_section

# Targets of issue 5.
P50_TARGET = 0.6
P99_TARGET = 1.2
OUTAGE_RETURN_TARGET = 5.0
SETUP_TARGET = 10.0
CPU_TARGET = 0.03
REQUESTS_TARGET = 60.0
SCALE_P99_TARGET = 1.5
TARGET_DOORS = 1000


@dataclass
class Check:
    """One figure against its target."""

    what: str
    value: float | None
    target: float
    unit: str = "s"
    scale: float = 1.0

    @property
    def ok(self) -> bool:
        return self.value is not None and self.value <= self.target

    def text(self) -> str:
        if self.value is None:
            return f"{self.what}: no value (target ≤ {self.fmt(self.target)})"
        verdict = "met" if self.ok else "MISSED"
        line = f"{self.what}: {self.fmt(self.value)} (target ≤ {self.fmt(self.target)}) {verdict}"
        if not self.ok:
            over = self.value - self.target
            share = f", {over / self.target:.0%} over" if self.target else ""
            line += f" by {self.fmt(over)}{share}"
        return line

    def fmt(self, value: float) -> str:
        if self.unit == "%":
            return f"{value * 100:.2f} %"
        if self.unit == "s":
            return f"{value:.3f} s"
        if self.unit == "req/s":
            return f"{value:.1f} req/s"
        return f"{value:g}{(' ' + self.unit) if self.unit else ''}"


def id_ranges(ids: list[int]) -> str:
    """Return ``1-5, 9`` for ``[1, 2, 3, 4, 5, 9]``."""
    parts: list[str] = []
    for value in ids:
        if parts and value == int(parts[-1].rsplit("-", 1)[-1]) + 1:
            parts[-1] = f"{parts[-1].split('-', 1)[0]}-{value}"
        else:
            parts.append(str(value))
    return ", ".join(parts) or "none"


def s(value: float | None, digits: int = 3) -> str:
    return "–" if value is None else f"{value:.{digits}f}"


def ms(value: float | None) -> str:
    return "–" if value is None else f"{value * 1000:.1f}"


def mark(ok: bool) -> str:
    return "✅" if ok else "❌"


def table(header: list[str], rows: list[list[str]]) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return lines


def code_line(results: dict[str, Any]) -> str:
    states = list(results.get("code", {}).values())
    if not states:
        return "commit ?"
    first = states[0]
    text = f"commit {first['commit']}"
    if first["uncommitted_changes"]:
        text += f" + uncommitted changes (files {first['files_sha256']})"
    if any(state["files_sha256"] != first["files_sha256"] for state in states[1:]):
        text += " — **the integration or simulator changed during the run**: " + (
            ", ".join(
                f"{name}: {state['commit']}/{state['files_sha256']}"
                for name, state in results["code"].items()
            )
        )
    return text


def machine_line(results: dict[str, Any]) -> str:
    m = results["machine"]
    return (
        f"{m['cores']} cores ({m['cpu']}), {m['memory_gib']} GiB, {m['os']}; "
        f"Python {m['python']}; Home Assistant {m['home_assistant']}; "
        + code_line(results)
    )


PHASE_NAMES = {
    "rate_5": "the 5/s stream",
    "rate_20": "the 20/s stream",
    "rate_100": "the 100/s stream",
    "commands": "the commands",
    "poll_failures": "the failing polls",
    "outage": "the outage",
    "restart": "the restart",
    "restart_db": "the database restore",
}


def order_text(results: dict[str, Any]) -> str:
    if not results.get("concurrent"):
        return "one section after the other (sections 1, 4, 2, then 3)."
    beside = results.get("beside_scale", [])
    names = ", ".join(PHASE_NAMES.get(name, name) for name in beside) or "nothing"
    return (
        "sections 1, 4 and 2 run one after the other on one site; section 3 (its own "
        "simulator and Home Assistant processes, one site at a time) runs beside "
        f"section 1's first stream, so that everything fits in 10 minutes — it "
        f"overlapped {names}; rows marked † ran beside it. CPU times are per process, "
        "so neither section's CPU figures include the other's. Together the four "
        "processes use well under one of the two cores, except for a second or two at "
        "each scale set-up. `scripts/bench --serial` runs section 3 afterwards "
        "instead (about 3 minutes longer)."
    )


def dagger(results: dict[str, Any], phase: str) -> str:
    return " †" if phase in results.get("beside_scale", []) else ""


def measured_by(results: dict[str, Any]) -> str:
    return (
        f"*Measured on {machine_line(results)} — by `{results['command']}` "
        f"({results['mode']} mode, {results['started']}).*"
    )


def write_markdown(results: dict[str, Any], path: Path) -> None:
    lines: list[str] = []
    checks: list[Check] = []
    add = lines.append
    add("# ACS Bridge benchmarks")
    add("")
    add(
        "Written by `scripts/bench` (see `benchmarks/README.md`); the raw figures are "
        "in `results.json`. Every figure below comes from this one run:"
    )
    add("")
    add(f"- **Machine:** {machine_line(results)}")
    add(f"- **Command:** `{results['command']}` ({results['mode']} mode)")
    add(
        f"- **Run:** {results['started']}, {results['duration_seconds']:.0f} s in all; "
        f"load average {results['machine']['load_average_at_start']:.2f} at the start "
        "(the machine is shared)"
    )
    add(f"- **Event interval:** {results['event_interval']:g} s (the default)")
    add(f"- **Order:** {order_text(results)}")
    site_run = results.get("site_mode", {}).get("run")
    if site_run and site_run["started"] != results["started"]:
        add(
            f"- **Section 5** (site mode) comes from a run of its own: "
            f"`{site_run['command']}` at {site_run['started']}; load average "
            f"{site_run['machine']['load_average_at_start']:.2f} at its start"
        )
    add("")
    body: list[str] = []
    if "main" in results:
        body += latency_section(results, checks)
        body += fault_section(results, checks)
        body += events_section(checks, Check)
    if "scale" in results:
        body += scale_section(results, checks)
    if "main" in results:
        body += command_section(results)
    if "site_mode" in results:
        from .site_mode import site_mode_section

        site_run = results["site_mode"]["run"]
        body += site_mode_section(
            results,
            checks,
            f"*Measured on {machine_line({**results, **site_run})} — by "
            f"`{site_run['command']}` ({site_run['mode']} mode, "
            f"{site_run['started']}).*",
        )
    body += hikvision_section(results, checks, Check)
    add("## Targets")
    add("")
    missed = [c for c in checks if not c.ok]
    add(
        f"{len(checks) - len(missed)} of {len(checks)} targets met."
        + (" Missed:" if missed else "")
    )
    add("")
    lines += [f"- {c.text()}" for c in missed]
    if missed:
        add("")
        add("Why, and the proposed fixes: see *Findings* at the end.")
    add("")
    lines += body
    lines += method_section(results)
    lines += findings_section(results, missed)
    path.write_text("\n".join(lines) + "\n")


# --- sections ----------------------------------------------------------------------


def latency_section(results: dict[str, Any], checks: list[Check]) -> list[str]:
    main = results["main"]
    site = main["site"]
    out = [
        "## 1. Latency: swipe → `acs_bridge_access` bus event",
        "",
        measured_by(results),
        "",
        f"Site: {site['doors']} doors on {site['controllers']} controllers, "
        f"{site['people']} people ({site['entities']} entities). Each swipe is a valid "
        "card at a random door. Latency: from just before the swipe request to the "
        "simulator until the bus event is fired in Home Assistant. Floor = half the "
        "poll interval + the median round trip of the event-cache call in that run.",
        "",
    ]
    rows = []
    for row in main["latency"]:
        lat = row["latency"]
        polls = row["polls"]
        ok = (
            (lat["p50"] or 99) <= P50_TARGET
            and (lat["p99"] or 99) <= P99_TARGET
            and row["lost"] == 0
            and row["duplicated"] == 0
        )
        rate = f"{row['rate']:g}/s"
        label = rate + dagger(results, row["phase"])
        checks += [
            Check(f"latency p50 at {rate}", lat["p50"], P50_TARGET),
            Check(f"latency p99 at {rate}", lat["p99"], P99_TARGET),
            Check(f"lost at {rate}", row["lost"], 0, ""),
            Check(f"duplicated at {rate}", row["duplicated"], 0, ""),
        ]
        rows.append(
            [
                label,
                str(row["swipes"]),
                str(row["lost"]),
                str(row["duplicated"]),
                str(row["replayed"]),
                s(lat["p50"]),
                s(lat["p95"]),
                s(lat["p99"]),
                s(lat["max"]),
                ms(polls["rtt"]["p50"]),
                s(row["floor"]),
                s(row["p50_over_floor"], 2),
                s(polls["period"]["p50"]),
                str(polls["events_per_poll_max"]),
                f"{row['load']['ha_cpu_share'] * 100:.1f} %",
                f"{row['load']['requests_per_second']:.0f}"
                f" ({row['load']['requests_by_kind'].get('door_state', 0):.0f})",
                mark(ok),
            ]
        )
    out += table(
        [
            "rate",
            "swipes",
            "lost",
            "dup",
            "replayed",
            "p50 s",
            "p95 s",
            "p99 s",
            "max s",
            "RTT ms",
            "floor s",
            "p50/floor",
            "poll period s",
            "max events/poll",
            "HA CPU",
            "req/s (door state)",
            "targets",
        ],
        rows,
    )
    out += [
        "",
        "*HA CPU*: the Home Assistant process's CPU time over the stream (+2 s), as a "
        "share of one core. *req/s*: requests per second the simulator received over "
        "the same span, all kinds, and in brackets the door-state reads among them "
        "(the integration reads a door's state after each granted swipe at it).",
        "",
        f"Targets: p50 ≤ {P50_TARGET} s, p99 ≤ {P99_TARGET} s, 0 lost, 0 duplicated at "
        "every rate. *replayed*: delivered from the swipe records instead of the "
        "real-time cache (late, marked `replayed`).",
        "",
    ]
    return out


def fault_section(results: dict[str, Any], checks: list[Check]) -> list[str]:
    main = results["main"]
    rows = []
    notes = []
    for row in main["faults"]:
        lat = row["latency"]
        polls = row["polls"]
        name = row["phase"]
        extra = ""
        ok = row["lost"] == 0 and row["duplicated"] == 0
        if not row.get("informational"):
            checks += [
                Check(f"lost ({name})", row["lost"], 0, ""),
                Check(f"duplicated ({name})", row["duplicated"], 0, ""),
            ]
        if name == "poll_failures":
            label = "10 % of event polls fail (HTTP 500)"
            share = polls["failed"] / polls["polls"] if polls["polls"] else 0
            extra = f"{polls['failed']} of {polls['polls']} polls failed ({share:.0%})"
        elif name == "outage":
            label = f"{row['outage_seconds']:.1f} s outage (all requests HTTP 500)"
            during = row["during_outage"]
            worst = during["after_return"]["max"]
            check = Check(
                "outage: last swipe of the outage delivered after the return",
                worst,
                OUTAGE_RETURN_TARGET,
            )
            if during["lost"]:
                check.value = None
            checks.append(check)
            ok = ok and check.ok
            extra = (
                f"{during['swipes']} swipes during the outage, {during['lost']} lost; "
                f"delivered {s(during['after_return']['p50'], 2)} s (p50) / "
                f"{s(worst, 2)} s (max) after the server returned"
            )
        elif name == "restart_db":
            blackout = row["blackout_end"] - row["blackout_start"]
            label = (
                "*beyond the issue:* database restored (record ids start over too), "
                f"then {blackout:.1f} s without the event cache"
            )
            during = row["during_blackout"]
            after = row["lost_after_restore"]
            ok = row["lost_by_integration"] == 0 and row["duplicated"] == 0
            extra = (
                f"lost: {row['erased_by_restore']} erased by the restore itself (made "
                "after the last poll: gone from both cache and records, no client can "
                f"see them), {after['swipes']} made after the restore"
            )
            if after["swipes"]:
                extra += (
                    f" (record ids {id_ranges(after['record_ids'])}, all in its first "
                    f"{s(after['last_sent_after_restore'], 1)} s)"
                )
            extra += (
                f"; {during['swipes']} swipes while the cache was unreachable, "
                f"{during['lost']} of them lost"
            )
        else:
            label = "server restart (event ids start over)"
            before = row["just_before_restart"]
            extra = (
                f"{before['swipes']} swipes in the 2 s before the restart: "
                f"{before['replayed']} replayed, max {s(before['latency']['max'], 2)} s"
            )
        rows.append(
            [
                label + dagger(results, name),
                str(row["swipes"]),
                str(row["lost"]),
                str(row["duplicated"]),
                str(row["replayed"]),
                s(lat["p50"]),
                s(lat["p99"]),
                s(lat["max"]),
                extra,
                "info " + mark(ok) if row.get("informational") else mark(ok),
            ]
        )
        notes.append(name)
    out = [
        "## 2. Faults",
        "",
        measured_by(results),
        "",
        f"The same kind of stream ({main['faults'][0]['rate']:g} swipes/s, random "
        "doors) on the same site and Home Assistant as section 1, one fault after "
        "the other. Failing polls: one real-time poll at random in every ten fails "
        "(the driver watches the simulator's count of event-cache requests and arms "
        "`/_sim/fault` http500 with count 1, path `acs/device/eventcache`, for the "
        "chosen one; neighbours across two blocks fail back to back); the table gives "
        "the polls that failed inside Home Assistant. Outage: `/_sim/fault` http500 on "
        "every path, cleared 10 s later. Restart: `/_sim/restart` (cache emptied, event "
        "ids from 1, records kept). The last row goes beyond the issue: "
        "`/_sim/restart` with `clear_records` (the server's database restored: record "
        "ids start over too), and half a second later the event cache starts "
        "answering HTTP 500 for a few seconds, longer than it keeps an event; it has no "
        "target.",
        "",
    ]
    out += table(
        [
            "fault",
            "swipes",
            "lost",
            "dup",
            "replayed",
            "p50 s",
            "p99 s",
            "max s",
            "detail",
            "targets",
        ],
        rows,
    )
    out += [
        "",
        "Targets: 0 lost, 0 duplicated; every swipe made during the outage delivered "
        f"within {OUTAGE_RETURN_TARGET:g} s of the server's return.",
        "",
    ]
    if main["unmatched_events"]:
        out += [
            f"**{main['unmatched_events']} bus events matched no swipe** (sample in "
            "results.json).",
            "",
        ]
    return out


def scale_section(results: dict[str, Any], checks: list[Check]) -> list[str]:
    rows_in = results["scale"]
    baseline = rows_in[0]["baseline"]
    window = results["plan"]["scale_window"]
    out = [
        "## 3. Scale",
        "",
        measured_by(results),
        "",
        f"One simulator and one Home Assistant process per site "
        f"({results['plan']['doors_per_controller']} doors per controller). Set-up: "
        "from `async_setup` of the entry until Home Assistant is idle (every entity "
        f"added, every door read once). Steady state: a {window:.0f} s window starting "
        f"{results['plan']['scale_settle']:g} s after set-up, with "
        f"{results['plan']['scale_rate']:g} swipes/s at random doors; CPU is the Home "
        "Assistant process's CPU time (all threads) per minute (see below) minus an "
        "idle Home "
        f"Assistant's ({baseline['process_share'] * 100:.3f} % of a core, measured "
        f"over {baseline['seconds']:.0f} s before any entry was loaded); *loop* is the "
        "event loop thread alone. Requests: `/_sim/stats` deltas over the window. "
        "Memory: RSS after the window minus RSS before set-up.",
        "",
    ]
    rows = []
    for row in rows_in:
        ev = row["events"]
        lat = ev["latency"]
        at_target = row["doors"] == TARGET_DOORS
        if at_target:
            checks += [
                Check("set-up at 1000 doors", row["setup_seconds"], SETUP_TARGET),
                Check(
                    "steady CPU at 1000 doors",
                    row["cpu_share_process"],
                    CPU_TARGET,
                    "%",
                ),
                Check(
                    "requests to the server at 1000 doors",
                    row["requests_per_second"],
                    REQUESTS_TARGET,
                    "req/s",
                ),
                Check("event p99 at 1000 doors", lat["p99"], SCALE_P99_TARGET),
                Check("lost at 1000 doors", ev["lost"], 0, ""),
            ]
        ok = (
            row["setup_seconds"] <= SETUP_TARGET
            and row["cpu_share_process"] <= CPU_TARGET
            and row["requests_per_second"] <= REQUESTS_TARGET
            and (lat["p99"] or 99) <= SCALE_P99_TARGET
            and ev["lost"] == 0
        )
        rows.append(
            [
                f"**{row['doors']}**" if at_target else str(row["doors"]),
                str(row["controllers"]),
                str(row["entities"]),
                s(row["setup_seconds"], 2),
                f"{row['window_seconds']:.0f}",
                f"{row['cpu_share_process'] * 100:.2f} %",
                f"{row['cpu_share_loop'] * 100:.2f} %",
                s(row["cpu_seconds_per_minute"], 2),
                f"{row['requests_per_second']:.1f}",
                f"{row['rss_added_bytes'] / 2**20:.0f}",
                f"{ev['swipes']}/{ev['lost']}",
                s(lat["p50"]),
                s(lat["p99"]),
                s(lat["max"]),
                f"{row['simulator_cpu_share'] * 100:.1f} %",
                mark(ok) if at_target else "–",
            ]
        )
    out += table(
        [
            "doors",
            "controllers",
            "entities",
            "set-up s",
            "window s",
            "CPU (process)",
            "CPU (loop, window)",
            "CPU s/min",
            "req/s",
            "RSS added MiB",
            "swipes/lost",
            "event p50 s",
            "event p99 s",
            "event max s",
            "simulator CPU",
            "targets (1000)",
        ],
        rows,
    )
    out += ["", "Requests per second by kind (window average):", ""]
    kinds = sorted({k for row in rows_in for k in row["requests_by_kind"]})
    out += table(
        ["kind", *[f"{row['doors']} doors" for row in rows_in]],
        [
            [kind, *[f"{row['requests_by_kind'].get(kind, 0):.2f}" for row in rows_in]]
            for kind in kinds
        ],
    )
    first, last = rows_in[0], rows_in[-1]

    def growth(get: Callable[[dict[str, Any]], float]) -> str:
        a, b = get(first), get(last)
        return "–" if not a else f"×{b / a:.1f}"

    out += [
        "",
        f"Growth from {first['doors']} to {last['doors']} doors (×"
        f"{last['doors'] / first['doors']:.0f}): set-up "
        f"{growth(lambda r: r['setup_seconds'])}, CPU "
        f"{growth(lambda r: r['cpu_share_process'])}, requests "
        f"{growth(lambda r: r['requests_per_second'])}, memory "
        f"{growth(lambda r: r['rss_added_bytes'])}, entities "
        f"{growth(lambda r: r['entities'])}.",
        "",
        f"Targets at {TARGET_DOORS} doors: set-up ≤ {SETUP_TARGET:g} s, ≤ "
        f"{CPU_TARGET:.0%} of one core, ≤ {REQUESTS_TARGET:g} requests/s, event p99 ≤ "
        f"{SCALE_P99_TARGET} s.",
        "",
        f"CPU s/min and *CPU (process)*: the window is {window:.0f} s, not a minute, "
        "and holds only ordinary state polls (every 10 s); once a minute the "
        "coordinator's poll also re-reads controllers, doors and areas and syncs the "
        "devices. So per minute = the window's rate × 60 + what one structure poll "
        "costs over an ordinary one, both timed on their own after the window "
        "(`coordinator.async_refresh()`, the poll counter set for the kind wanted). "
        "*window CPU*: the window's rate alone. Structure re-reads that fell in the "
        "window (then nothing is added): "
        + ", ".join(
            f"{row['doors']} doors: {row['structure_polls_in_window']}"
            for row in rows_in
        )
        + ".",
        "",
    ]
    plan = results["plan"]
    out += [
        f"*Beyond the issue*: what one swipe costs at scale. After the window, "
        f"{plan['burst_seconds']:g} s of {plan['burst_rate']:g} swipes/s (random "
        "doors) in a 10 s span that, like the window, holds one state poll per 10 s; "
        "CPU per swipe = (the span's CPU time − the window's rate × 10 s) / swipes "
        "(a fraction of a millisecond is within the noise).",
        "",
    ]
    out += table(
        [
            "doors",
            "burst CPU",
            "CPU ms per swipe",
            "req/s (door state)",
            "swipes/lost/dup",
            "event p50 s",
            "event p99 s",
        ],
        [
            [
                str(row["doors"]),
                f"{row['burst']['cpu_share'] * 100:.1f} %",
                f"{row['burst']['cpu_ms_per_swipe']:.1f}",
                f"{row['burst']['requests_per_second']:.0f} "
                f"({row['burst']['requests_by_kind'].get('door_state', 0):.0f})",
                f"{row['burst']['events']['swipes']}/{row['burst']['events']['lost']}/"
                f"{row['burst']['events']['duplicated']}",
                s(row["burst"]["events"]["latency"]["p50"]),
                s(row["burst"]["events"]["latency"]["p99"]),
            ]
            for row in rows_in
        ],
    )
    out += [""]
    out += table(
        [
            "doors",
            "window CPU",
            "one state poll: CPU ms (loop) / wall ms",
            "one structure poll: CPU ms (loop) / wall ms",
            "added per minute",
        ],
        [
            [
                str(row["doors"]),
                f"{row['window_cpu_share_process'] * 100:.2f} %",
                poll_cell(row["state_poll"]),
                poll_cell(row["structure_poll"]),
                f"{row['structure_extra_cpu_seconds'] * 1000:.0f} ms",
            ]
            for row in rows_in
        ],
    )
    out += [""]
    for row in rows_in:
        if row.get("profile"):
            out += [
                f"<details><summary>cProfile of the event loop, {row['doors']} doors "
                "(after the window)</summary>",
                "",
                "```",
                row["profile"]["tottime"].strip(),
                "```",
                "",
                "```",
                row["profile"]["cumulative"].strip(),
                "```",
                "</details>",
                "",
            ]
    return out


def poll_cell(poll: dict[str, Any]) -> str:
    return (
        f"{poll['cpu_seconds'] * 1000:.0f} ({poll['loop_cpu_seconds'] * 1000:.0f}) / "
        f"{poll['seconds'] * 1000:.0f}"
    )


def command_section(results: dict[str, Any]) -> list[str]:
    c = results["main"]["commands"]
    rows = [
        [
            "`lock.unlock` call → open request at the simulator",
            ms(c["call_to_request"]["p50"]),
            ms(c["call_to_request"]["p99"]),
            ms(c["call_to_request"]["max"]),
        ],
        [
            "`lock.unlock` call → lock state `open`",
            ms(c["call_to_state"]["p50"]),
            ms(c["call_to_state"]["p99"]),
            ms(c["call_to_state"]["max"]),
        ],
        [
            "`lock.unlock` call → call returns (blocking)",
            ms(c["call_to_return"]["p50"]),
            ms(c["call_to_return"]["p99"]),
            ms(c["call_to_return"]["max"]),
        ],
        [
            "`lock.lock` call → lock state `locked`",
            ms(c["lock_call_to_state"]["p50"]),
            ms(c["lock_call_to_state"]["p99"]),
            ms(c["lock_call_to_state"]["max"]),
        ],
    ]
    out = [
        "## 4. Command latency",
        "",
        measured_by(results),
        "",
        f"{c['commands']} `lock.unlock` service calls (blocking) on {c['doors']} doors "
        "of the section 1 site, each followed by `lock.lock`; the integration's polling "
        "runs as usual. The request time is the simulator's receive time "
        "(`/_sim/requests`); the state time is when `state_changed` was fired. "
        f"Failed or unmatched: {c['failed']}."
        + (" † Ran beside section 3." if dagger(results, "commands") else ""),
        "",
    ]
    out += table(["step", "p50 ms", "p99 ms", "max ms"], rows)
    out += [""]
    return out


def method_section(results: dict[str, Any]) -> list[str]:
    return [
        "## Method and limits",
        "",
        "- Three kinds of process on one machine and one clock: the driver "
        "(`benchmarks/run.py`, swipes and faults through the simulator's `/_sim/` "
        "control API), the simulator (`python -m simulator`, one per site) and Home "
        "Assistant (`benchmarks/ha_worker.py`, one per site). The Home Assistant "
        "process runs nothing but Home Assistant and the integration, so its CPU time "
        "is theirs.",
        "- Home Assistant is the core of the pinned test stack started the way the "
        "test suite starts it (`async_test_home_assistant`, Home Assistant's event loop "
        "policy): bus, state machine, entity platforms, device and entity registries. "
        "There is no recorder, frontend, HTTP API or automation, and the registries are "
        "not written to disk; the integration's own storage (event cursor) is. A "
        "production instance would spend more CPU per state change (the recorder).",
        "- Each bus event is matched to its swipe: a real-time event by the server's "
        "event id together with door, card and second (event ids start over when the "
        "server restarts); a replayed one by its record id. A swipe with no event "
        "after the drain is *lost*; any second event of a swipe is a *duplicate*.",
        "- Sections 1, 4 and 2 run in that order in one Home Assistant, back to back; "
        f"the events are read after a final drain of {results['plan']['drain']:g} s "
        "(longer than the 10 s record reconciliation), so a late replay or a duplicate "
        "of any phase shows.",
        "- Arrivals are a Poisson process at the nominal rate: evenly spaced swipes "
        "would keep one phase against the 1 s poll and sample only a few points of the "
        "latency distribution.",
        "- Real-time polls are timed inside Home Assistant (the adapter's "
        "`poll_events`, wrapped by the worker): that is the round trip used for the "
        "floor, and the poll period in the tables.",
        "- The machine is shared with other work; figures vary by a few per cent from "
        "run to run, tails more.",
        "",
    ]


def findings_section(results: dict[str, Any], missed: list[Check]) -> list[str]:
    out = ["## Findings", ""]
    if not missed:
        out += ["Every target was met in this run.", ""]
    else:
        out += [f"- {c.text()}" for c in missed]
        out += [""]
    notes_path = Path(__file__).with_name("FINDINGS.md")
    if notes_path.exists():
        out += notes_path.read_text().strip().splitlines()
        out += [""]
    return out
