"""Run the simulator: ``python -m simulator --host 127.0.0.1 --port 6500``."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import signal
import sys

from .core import Simulator
from .site import SiteSpec


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """Parse the command line."""
    parser = argparse.ArgumentParser(
        prog="python -m simulator",
        description="Simulated AX-ACS access-control server (BS-HTTP v1).",
    )
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=6500)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--controllers", type=int, default=4)
    parser.add_argument("--doors-per-controller", type=int, default=2)
    parser.add_argument("--people", type=int, default=40)
    parser.add_argument("--username", default="admin")
    parser.add_argument("--password", default="admin")
    parser.add_argument("--time-zone", default="Asia/Shanghai")
    parser.add_argument(
        "--demo", action="store_true", help="generate plausible traffic"
    )
    parser.add_argument(
        "--demo-rate", type=float, default=0.5, help="demo swipes per second"
    )
    parser.add_argument("--log-level", default="INFO")
    return parser.parse_args(argv)


async def serve(args: argparse.Namespace) -> None:
    """Serve until SIGINT or SIGTERM."""
    sim = Simulator(
        SiteSpec(
            seed=args.seed,
            controllers=args.controllers,
            doors_per_controller=args.doors_per_controller,
            people=args.people,
            username=args.username,
            password=args.password,
            time_zone=args.time_zone,
        )
    )
    sim.max_logged_requests = 100_000  # a long demo run must not grow without end
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError):
            loop.add_signal_handler(sig, stop.set)
    await sim.start(host=args.host, port=args.port)
    try:
        if args.demo:
            sim.start_demo(args.demo_rate)
        print(f"AX-ACS simulator ready at {sim.url}/api/v1/", flush=True)  # noqa: T201
        await stop.wait()
    finally:
        await sim.stop()
    logging.getLogger(__name__).info("simulator stopped")


def main(argv: list[str] | None = None) -> int:
    """Entry point; returns the exit status."""
    args = parse_args(argv)
    logging.basicConfig(
        level=args.log_level.upper(),
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    try:
        asyncio.run(serve(args))
    except (ValueError, OSError) as err:
        print(f"simulator: {err}", file=sys.stderr)  # noqa: T201
        return 2
    except KeyboardInterrupt:
        return 0
    return 0


if __name__ == "__main__":
    sys.exit(main())
