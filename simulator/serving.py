"""Serving a simulator from the command line: until SIGINT or SIGTERM.

Shared by ``python -m simulator`` (AX) and ``python -m simulator.hikvision``.
"""

from __future__ import annotations

import argparse
import asyncio
from collections.abc import Callable, Coroutine
import contextlib
import logging
import signal
import sys
from typing import Protocol


class Servable(Protocol):
    """What a simulator offers to be served."""

    @property
    def url(self) -> str:
        """Return the simulator's base URL."""

    async def start(self, host: str = "127.0.0.1", port: int = 0) -> None:
        """Start serving."""

    async def stop(self) -> None:
        """Stop serving."""

    def start_demo(self, rate: float) -> None:
        """Produce plausible traffic."""


async def serve_until_signal(
    sim: Servable, args: argparse.Namespace, *, ready: str, path: str
) -> None:
    """Serve ``sim`` on ``args.host``/``args.port`` (with ``--demo``) until a signal."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError):
            loop.add_signal_handler(sig, stop.set)
    await sim.start(host=args.host, port=args.port)
    try:
        if args.demo:
            sim.start_demo(args.demo_rate)
        print(f"{ready} {sim.url}{path}", flush=True)  # noqa: T201
        await stop.wait()
    finally:
        await sim.stop()
    logging.getLogger(__name__).info("simulator stopped")


def run(
    args: argparse.Namespace,
    serve: Callable[[argparse.Namespace], Coroutine[object, object, None]],
) -> int:
    """Set up logging and run ``serve(args)``; return the exit status."""
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
