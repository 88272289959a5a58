"""Run the simulator: ``python -m simulator --host 127.0.0.1 --port 6500``."""

from __future__ import annotations

import argparse
import sys

from .core import Simulator
from .serving import run, serve_until_signal
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
    await serve_until_signal(
        sim, args, ready="AX-ACS simulator ready at", path="/api/v1/"
    )


def main(argv: list[str] | None = None) -> int:
    """Entry point; returns the exit status."""
    return run(parse_args(argv), serve)


if __name__ == "__main__":
    sys.exit(main())
