"""Run the simulator: ``python -m simulator.hikvision --host 127.0.0.1 --port 8080``."""

from __future__ import annotations

import argparse
import sys

from simulator.serving import run, serve_until_signal

from .config import DOOR_COUNTS, HISTORY_MODES, HikConfig
from .core import HikSimulator


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """Parse the command line."""
    p = argparse.ArgumentParser(
        prog="python -m simulator.hikvision",
        description="Simulated Hikvision ISAPI access-control device.",
    )
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=8080)
    p.add_argument("--username", default="admin")
    p.add_argument("--password", default="Hik12345!")
    p.add_argument("--model", default="DS-K1T341AMF")
    p.add_argument("--name", default="Access Controller", help="device name")
    p.add_argument("--doors", type=int, choices=DOOR_COUNTS, default=1)
    p.add_argument(
        "--cmd-options",
        default="open,close,alwaysOpen,alwaysClose",
        help="cmd@opt of the door capabilities (add resume for door stations)",
    )
    p.add_argument(
        "--heartbeat",
        type=float,
        default=10.0,
        help="heartbeat period in seconds (0: none)",
    )
    p.add_argument("--history", choices=HISTORY_MODES, default="last")
    p.add_argument("--history-count", type=int, default=5)
    p.add_argument("--log-capacity", type=int, default=5000)
    p.add_argument("--no-serial-search", action="store_true")
    p.add_argument("--xml-parts", action="store_true", help="older firmware")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--demo", action="store_true", help="generate plausible traffic")
    p.add_argument("--demo-rate", type=float, default=0.3, help="events per second")
    p.add_argument(
        "--door-names",
        default="",
        help="comma-separated door names, door 1 first (default: Door 1, Door 2...)",
    )
    p.add_argument("--log-level", default="INFO")
    return p.parse_args(argv)


def config_from_args(args: argparse.Namespace) -> HikConfig:
    """Return the device settings of the command line (ValueError when inconsistent)."""
    config = HikConfig(
        model=args.model,
        realm=args.model,
        device_name=args.name,
        doors=args.doors,
        username=args.username,
        password=args.password,
        cmd_options=[c.strip() for c in args.cmd_options.split(",") if c.strip()],
        heartbeat_period=args.heartbeat or None,
        history_mode=args.history,
        history_count=args.history_count,
        log_capacity=args.log_capacity,
        serial_search=not args.no_serial_search,
        part_format="xml" if args.xml_parts else "json",
        seed=args.seed,
    )
    config.validate()
    return config


async def serve(args: argparse.Namespace) -> None:
    """Serve until SIGINT or SIGTERM."""
    sim = HikSimulator(config_from_args(args))
    names = [name.strip() for name in args.door_names.split(",") if name.strip()]
    for door, name in zip(sim.device.doors, names, strict=False):
        door.name = name
    await serve_until_signal(
        sim, args, ready="Hikvision simulator ready at", path="/ISAPI/"
    )


def main(argv: list[str] | None = None) -> int:
    """Entry point; returns the exit status."""
    return run(parse_args(argv), serve)


if __name__ == "__main__":
    sys.exit(main())
