"""Profile Home Assistant's event loop while swipes arrive on a big site.

``.venv/bin/python -m benchmarks.profile_burst --doors 1000 --rate 20 --seconds 10``

Starts a simulator and a Home Assistant process as ``scripts/bench`` does, loads
the entry, measures 10 s without swipes, then cProfiles the event loop while
swipes arrive (CPU figures of that part are inflated by the profiler) and
prints the profile, cumulative, restricted to the integration and the
coordinator machinery. Not part of ``scripts/bench``: it backs the findings.
"""

from __future__ import annotations

import argparse
import asyncio
from pathlib import Path
import random

from .analysis import delivery_stats, match
from .procs import swipe_stream
from .run import load_between, snapshot, start_pair, stop_pair

HERE = Path(__file__).resolve().parent


async def run(doors: int, rate: float, seconds: float) -> None:
    log_dir = HERE / "logs"
    log_dir.mkdir(exist_ok=True)
    sim, ha = await start_pair("profile", log_dir, doors // 4, 4, max(400, doors))
    try:
        await ha.setup_entry(sim)
        await asyncio.sleep(3)
        a = await snapshot(sim, ha)
        await asyncio.sleep(10)
        quiet = load_between(a, await snapshot(sim, ha))
        await ha.post("/profile/start")
        a = await snapshot(sim, ha)
        swipes = await swipe_stream(
            sim, rate=rate, seconds=seconds, phase="profile", rng=random.Random(1)
        )
        await asyncio.sleep(1)
        busy = load_between(a, await snapshot(sim, ha))
        profile = await ha.post("/profile/stop", {"top": 25})
        await asyncio.sleep(2)
        events = await ha.events()
    finally:
        await stop_pair(sim, ha)
    print(
        f"{doors} doors: {quiet['ha_cpu_share']:.1%} of a core without swipes, "
        f"{busy['ha_cpu_share']:.1%} with {rate:g} swipes/s (profiled), "
        f"{busy['requests_per_second']:.0f} requests/s"
    )
    print(delivery_stats(match(swipes, events).deliveries))
    print(profile["cumulative"])


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.profile_burst")
    parser.add_argument("--doors", type=int, default=1000)
    parser.add_argument("--rate", type=float, default=20.0)
    parser.add_argument("--seconds", type=float, default=10.0)
    args = parser.parse_args()
    asyncio.run(run(args.doors, args.rate, args.seconds))


if __name__ == "__main__":
    main()
