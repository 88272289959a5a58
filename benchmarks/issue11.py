"""Issue 11 measurements, in one process: alarm latency, start-up delivery, recovery.

Run: ``.venv/bin/python -m benchmarks.issue11`` (about 2 minutes). Home Assistant's
core (``async_test_home_assistant``, as ``ha_worker.py``) and the simulator run in
the same process and event loop, on real time and real HTTP over loopback; the
integration's timers are not patched. Writes ``benchmarks/results_issue11.json``
and prints the Markdown of results.md's issue 11 section.
"""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
import random
import statistics
import tempfile
import time
from typing import Any
from unittest.mock import patch

SIM_USER, SIM_PASS = "admin", "admin"
RATE = 2.0  # swipes per second, as in the issue


def pct(values: list[float], q: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def summary(values: list[float]) -> dict[str, Any]:
    return {
        "n": len(values),
        "p50": pct(values, 0.5),
        "p99": pct(values, 0.99),
        "max": max(values, default=None),
        "mean": statistics.fmean(values) if values else None,
    }


async def swipe_stream(sim: Any, doors: list[Any], stop: asyncio.Event, out: list):
    rng = random.Random(11)
    while not stop.is_set():
        swipe = sim.swipe(rng.choice(doors).id)
        out.append((swipe, time.time()))
        await asyncio.sleep(1 / RATE)


async def main() -> dict[str, Any]:
    from aiohttp.resolver import AsyncResolver
    from homeassistant import loader
    from homeassistant.components import automation, persistent_notification
    from homeassistant.const import (
        CONF_HOST,
        CONF_PASSWORD,
        CONF_PORT,
        CONF_SSL,
        CONF_USERNAME,
        CONF_VERIFY_SSL,
    )
    from homeassistant.core import CoreState, ServiceCall
    from homeassistant.setup import async_setup_component
    from pytest_homeassistant_custom_component.common import (
        MockConfigEntry,
        async_test_home_assistant,
    )

    from custom_components.acs_bridge.alarms import notification_id
    from custom_components.acs_bridge.const import (
        CONF_ADAPTER,
        DOMAIN,
        EVENT_ACCESS,
        EVENT_ALARM,
    )
    from simulator import Simulator, SiteSpec

    patch(
        "homeassistant.helpers.aiohttp_client._async_make_resolver",
        return_value=AsyncResolver(),
    ).start()
    sim = Simulator(
        SiteSpec(
            seed=1,
            controllers=10,
            doors_per_controller=4,
            people=200,
            username=SIM_USER,
            password=SIM_PASS,
            time_zone="Asia/Shanghai",
        )
    )
    await sim.start(host="127.0.0.1", port=0)
    doors = list(sim.site.doors)
    results: dict[str, Any] = {}
    config_dir = tempfile.mkdtemp(prefix="acs-i11-")
    counter = {
        "trigger": {"platform": "event", "event_type": EVENT_ACCESS},
        "action": {
            "service": "bench.count",
            "data": {
                "key": "{{ trigger.event.data.door_id }}|"
                "{{ trigger.event.data.card_no }}|{{ trigger.event.data.time }}"
            },
        },
    }
    # automation.reload reads it (JSON is YAML).
    Path(config_dir, "configuration.yaml").write_text(  # noqa: ASYNC240 (set-up)
        json.dumps({"automation": [counter]})
    )
    async with async_test_home_assistant(config_dir=config_dir) as hass:
        hass.data.pop(loader.DATA_CUSTOM_COMPONENTS, None)
        await hass.config.async_set_time_zone("Asia/Shanghai")
        hass.set_state(CoreState.not_running)
        runs: list[tuple[str, float]] = []

        async def count(call: ServiceCall) -> None:
            runs.append((str(call.data["key"]), time.time()))

        hass.services.async_register("bench", "count", count)
        assert await async_setup_component(
            hass, automation.DOMAIN, {automation.DOMAIN: [counter]}
        )
        fired: list[tuple[dict[str, Any], float]] = []
        hass.bus.async_listen(
            EVENT_ACCESS, lambda e: fired.append((e.data, time.time()))
        )
        alarms: list[tuple[int, float]] = []
        hass.bus.async_listen(
            EVENT_ALARM, lambda e: alarms.append((e.data["alarm_id"], time.time()))
        )
        entry = MockConfigEntry(
            domain=DOMAIN,
            title="bench",
            unique_id="bench",
            data={
                CONF_HOST: "127.0.0.1",
                CONF_PORT: sim.port,
                CONF_USERNAME: SIM_USER,
                CONF_PASSWORD: SIM_PASS,
                CONF_SSL: False,
                CONF_VERIFY_SSL: True,
                CONF_ADAPTER: "ax_bs_http_v1",
            },
        )
        entry.add_to_hass(hass)

        # --- start-up: swipes at 2/s before, during and after two starts -------
        stop = asyncio.Event()
        swipes: list[tuple[Any, float]] = []
        stream = asyncio.create_task(swipe_stream(sim, doors, stop, swipes))
        await asyncio.sleep(1.0)
        assert await hass.config_entries.async_setup(entry.entry_id)
        await asyncio.sleep(3.0)  # Home Assistant is still starting
        starts = []
        await hass.async_start()
        starts.append(time.time())
        await asyncio.sleep(8.0)
        # A restart: the entry goes, Home Assistant stops, 3 s later it starts again.
        assert await hass.config_entries.async_unload(entry.entry_id)
        hass.set_state(CoreState.not_running)
        await hass.services.async_call("automation", "reload", blocking=True)
        await asyncio.sleep(3.0)
        assert await hass.config_entries.async_setup(entry.entry_id)
        await asyncio.sleep(3.0)
        await hass.async_start()
        starts.append(time.time())
        await asyncio.sleep(8.0)
        stop.set()
        await stream
        await asyncio.sleep(15.0)  # the records catch up what the restart missed
        keys = [
            f"{s.door_id}|{s.card_no}|{s.time.replace(microsecond=0).isoformat()}"
            for s, _ in swipes
        ]
        seen: dict[str, list[float]] = {}
        for key, at in runs:
            seen.setdefault(key, []).append(at)
        lost = [k for k in keys if k not in seen]
        dup = [k for k in keys if len(seen.get(k, [])) > 1]
        before_start = [
            (k, sent)
            for (s, sent), k in zip(swipes, keys, strict=True)
            if any(start - 10 < sent < start for start in starts)
        ]
        early_runs = [at for _k, at in runs if any(at < st for st in starts[:1])]
        held_arrival = [
            min(seen[k]) - next(st for st in starts if st > sent)
            for k, sent in before_start
            if k in seen
        ]
        results["startup"] = {
            "swipes": len(keys),
            "automation_runs": len(runs),
            "lost": len(lost),
            "duplicated": len(dup),
            "runs_before_start": len(early_runs),
            "swipes_read_before_a_start": len(before_start),
            "arrival_after_start": summary([max(0.0, a) for a in held_arrival]),
        }
        print("startup", results["startup"], flush=True)

        # --- alarms: server lists an alarm -> acs_bridge_alarm; clear -> dismissed
        pipeline = entry.runtime_data.events
        latency, dismiss = [], []
        rng = random.Random(3)
        for _ in range(40):
            await asyncio.sleep(rng.uniform(0.2, 1.2))
            listed = time.time()
            alarm_id = sim.raise_alarm(rng.choice(doors).id)
            while not any(a == alarm_id for a, _ in alarms):  # noqa: ASYNC110
                await asyncio.sleep(0.005)
            latency.append(next(at for a, at in alarms if a == alarm_id) - listed)
            nid = notification_id(entry.entry_id, alarm_id)
            cleared = time.time()
            sim.clear_alarm(alarm_id)
            shown = persistent_notification._async_get_or_create_notifications  # noqa: SLF001
            while nid in shown(hass):  # noqa: ASYNC110
                await asyncio.sleep(0.005)
            dismiss.append(time.time() - cleared)
        results["alarms"] = {
            "listed_to_event": summary(latency),
            "cleared_to_dismissed": summary(dismiss),
        }
        print("alarms", results["alarms"], flush=True)

        # --- outage recovery: 10 s of HTTP 500, swipes at 2/s, three times ------
        answers: list[tuple[float, bool]] = []
        adapter = pipeline.adapter
        original = adapter.poll_events

        async def timed_poll(ids: list[str]) -> Any:
            try:
                result = await original(ids)
            except Exception:
                answers.append((time.time(), False))
                raise
            answers.append((time.time(), True))
            return result

        adapter.poll_events = timed_poll  # type: ignore[method-assign]
        from_answer, from_return, lost_n, dup_n, n = [], [], 0, 0, 0
        for _ in range(3):
            fired.clear()
            swipes = []
            stop = asyncio.Event()
            stream = asyncio.create_task(swipe_stream(sim, doors, stop, swipes))
            await asyncio.sleep(3.0)
            sim.fault("http500")
            out_start = time.time()
            await asyncio.sleep(10.0)
            sim.clear_faults()
            back = time.time()
            await asyncio.sleep(3.0)
            stop.set()
            await stream
            await asyncio.sleep(12.0)
            first_ok = min(at for at, ok in answers if ok and at > back)
            got: dict[str, list[float]] = {}
            for data, at in fired:
                key = f"{data['door_id']}|{data['card_no']}|{data['time']}"
                got.setdefault(key, []).append(at)
            for s, sent in swipes:
                key = f"{s.door_id}|{s.card_no}|{s.time.replace(microsecond=0).isoformat()}"
                if out_start <= sent <= back:
                    n += 1
                    if key not in got:
                        lost_n += 1
                        continue
                    from_answer.append(min(got[key]) - first_ok)
                    from_return.append(min(got[key]) - back)
                dup_n += len(got.get(key, [])) > 1
        results["recovery"] = {
            "outages": 3,
            "swipes_during": n,
            "lost": lost_n,
            "duplicated": dup_n,
            "from_first_good_answer": summary(from_answer),
            "from_server_return": summary(from_return),
            "event_interval": pipeline.interval,
        }
        print("recovery", results["recovery"], flush=True)
        await hass.config_entries.async_unload(entry.entry_id)
        await hass.async_stop(force=True)
    await sim.stop()
    return results


if __name__ == "__main__":
    from homeassistant import runner as ha_runner

    asyncio.set_event_loop_policy(ha_runner.HassEventLoopPolicy(False))
    out = asyncio.run(main())
    Path(__file__).with_name("results_issue11.json").write_text(
        json.dumps(out, indent=2, default=str) + "\n"
    )
