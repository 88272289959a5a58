"""``HikSimulator``: the device, its digest account, streams and the aiohttp server."""

from __future__ import annotations

import asyncio
from collections import Counter, deque
from collections.abc import Callable
import contextlib
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
import logging
import time
from typing import Any

from aiohttp import web

from .app import IsapiApi
from .auth import DigestAuth
from .config import HikConfig
from .device import Device
from .faults import Fault, FaultSet
from .stream import StreamHub

_LOGGER = logging.getLogger(__name__)

#: Seconds between two runs of the timers (relocks, heartbeats) in real time.
TICK_INTERVAL = 0.05


@dataclass(frozen=True, slots=True)
class RequestRecord:
    """One ISAPI request as the simulator saw it (never its credentials)."""

    method: str
    path: str
    query: str
    status: int
    outcome: str
    """``ok``, ``challenge``, ``stale``, ``failed``, ``locked``, ``busy`` or ``fault:<kind>``."""
    with_credentials: bool


class HikSimulator:
    """A simulated Hikvision ISAPI access-control device.

    ``sim.app`` can be served by ``start``/``stop`` or by aiohttp's
    ``TestServer``. Time: ``base_clock`` (monotonic) and ``base_wall`` (UTC)
    may be replaced; ``advance(seconds)`` moves both at once and runs what is
    due, so tests never wait for a relock or a heartbeat. State changes are
    synchronous and must be made on the loop that serves the app.
    """

    def __init__(self, config: HikConfig | None = None) -> None:
        """Build the device of ``config`` (defaults: a one-door face terminal)."""
        self.config = config or HikConfig()
        self.config.validate()
        self.base_clock: Callable[[], float] = time.monotonic
        self.base_wall: Callable[[], datetime] = lambda: datetime.now(UTC)
        self.skew = 0.0
        """Seconds added to both clocks by ``advance``."""
        self.device = Device(self.config, self.clock, self.wall)
        self.auth = DigestAuth(self.config, self.clock)
        self.faults = FaultSet()
        self.fault_counts: Counter[str] = Counter()
        self.requests: deque[RequestRecord] = deque(maxlen=10_000)
        self.stopping = asyncio.Event()
        self.offline = False
        self.hub = StreamHub(self)
        self.api = IsapiApi(self)
        self.app = self._build_app()
        self.host = "127.0.0.1"
        self.port = 0
        self._runner: web.AppRunner | None = None
        self._ticker: asyncio.Task[None] | None = None
        self._demo: asyncio.Task[None] | None = None

    # --- time ------------------------------------------------------------------------

    def clock(self) -> float:
        """Monotonic seconds (relock timers, heartbeats, nonces, lock-out)."""
        return self.base_clock() + self.skew

    def wall(self) -> datetime:
        """UTC now (the device clock adds ``clock_offset_seconds``)."""
        return self.base_wall() + timedelta(seconds=self.skew)

    def tick(self) -> None:
        """Run the timers that are due and queue the heartbeats that are due."""
        self.device.run_due()
        self.hub.tick(self.clock())

    def advance(self, seconds: float) -> None:
        """Move both clocks forward and run what became due."""
        if seconds < 0:
            raise ValueError("seconds must not be negative")
        self.skew += seconds
        self.tick()

    # --- server ---------------------------------------------------------------------------

    def _build_app(self) -> web.Application:
        from .control import add_control_routes

        app = web.Application(middlewares=[self.api.middleware])
        add_control_routes(app, self)
        self.api.add_routes(app)

        async def on_startup(_app: web.Application) -> None:
            self.stopping.clear()
            self._ticker = asyncio.get_running_loop().create_task(
                self._tick_forever(), name="hik-simulator-ticker"
            )

        async def on_shutdown(_app: web.Application) -> None:
            self.stopping.set()
            self.hub.close_all()
            await self.stop_demo()

        async def on_cleanup(_app: web.Application) -> None:
            task, self._ticker = self._ticker, None
            if task is not None:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task

        app.on_startup.append(on_startup)  # type: ignore[arg-type]  # aiosignal typing
        app.on_shutdown.append(on_shutdown)  # type: ignore[arg-type]
        app.on_cleanup.append(on_cleanup)  # type: ignore[arg-type]
        return app

    async def _tick_forever(self) -> None:
        while True:
            try:
                self.tick()
            except Exception:
                _LOGGER.exception("simulator tick failed")
            await asyncio.sleep(TICK_INTERVAL)

    @property
    def url(self) -> str:
        """The base URL, e.g. ``http://127.0.0.1:41234`` (the API is under /ISAPI/)."""
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}"

    async def start(self, host: str = "127.0.0.1", port: int = 0) -> None:
        """Serve on ``host``:``port`` (0 = a free port); sets ``port`` and ``url``."""
        if self._runner is not None:
            raise RuntimeError("simulator already started")
        runner = web.AppRunner(self.app, access_log=None, shutdown_timeout=1.0)
        await runner.setup()
        site = web.TCPSite(runner, host, port)
        try:
            await site.start()
        except BaseException:
            await runner.cleanup()
            raise
        self._runner = runner
        self.host = host
        self.port = int(runner.addresses[0][1])
        _LOGGER.info("Hikvision simulator serving %s/ISAPI/", self.url)

    async def stop(self) -> None:
        """Stop serving: open streams end, hanging requests are released."""
        runner, self._runner = self._runner, None
        if runner is not None:
            await runner.cleanup()

    # --- demo -------------------------------------------------------------------------------

    def start_demo(self, rate: float = 0.3) -> None:
        """Generate plausible traffic in the background (``rate`` events per second)."""
        from .demo import run_demo

        if self._demo is None or self._demo.done():
            self._demo = asyncio.get_running_loop().create_task(
                run_demo(self, rate), name="hik-simulator-demo"
            )

    async def stop_demo(self) -> None:
        """Stop the demo traffic, if running."""
        task, self._demo = self._demo, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    @property
    def demo_running(self) -> bool:
        """Whether demo traffic is being generated."""
        return self._demo is not None and not self._demo.done()

    # --- control ------------------------------------------------------------------------------

    def record(self, request: web.Request, status: int, outcome: str) -> None:
        """Log an ISAPI request (called by the HTTP layer)."""
        self.requests.append(
            RequestRecord(
                request.method,
                request.path,
                request.query_string,
                status,
                outcome,
                "Authorization" in request.headers,
            )
        )

    def configure(self, **values: Any) -> list[str]:
        """Change settings (see ``HikConfig``); doors and log capacity apply at once."""
        changed = self.config.update(values)
        self.device.resize_doors()
        if self.device.log.capacity != self.config.log_capacity:
            self.device.log.resize(self.config.log_capacity)
        return changed

    def fault(self, kind: str, **options: Any) -> Fault:
        """Make ISAPI requests misbehave (see ``faults.FAULT_KINDS``)."""
        return self.faults.add(kind, **options)

    def clear_faults(self) -> None:
        """Remove every request fault and un-stall the streams."""
        self.faults.clear()
        self.hub.stall(False)

    def set_online(self, online: bool) -> None:
        """Take the device off the network (streams drop, requests get no answer) or back."""
        if not online and not self.offline:
            self.hub.act("drop")
        self.offline = not online

    def restart_serial(self, *, drop_streams: bool = True) -> None:
        """Wipe the log (factory reset): serialNo starts at 1; streams drop by default."""
        if drop_streams:
            self.hub.act("drop")
        self.device.wipe_log()
