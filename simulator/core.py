"""The ``Simulator``: a site, its runtime state and the aiohttp server around them."""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Callable, Sequence
import contextlib
from datetime import UTC, datetime, timedelta, tzinfo
import logging
import random
import time
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from aiohttp import web

from .app import build_app
from .faults import Fault, FaultSet
from .site import Site, SiteSpec, generate_site
from .state import OUTSIDE, DoorCommand, LoggedRequest, SimState, SimSwipe

_LOGGER = logging.getLogger(__name__)

# The real server takes request targets up to 4096 bytes and answers 414 above;
# the parser must accept longer lines so that the 414 comes from the simulator.
_MAX_LINE = 65536


def load_time_zone(name: str) -> tzinfo:
    """Return the time zone called ``name``; ValueError when unknown."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"unknown time zone {name!r}") from None


class Stats:
    """Request counts of the protocol API, for ``/_sim/stats``."""

    def __init__(self) -> None:
        """Start at zero."""
        self.by_kind: Counter[str] = Counter()
        self.by_status: Counter[str] = Counter()
        self.faults: Counter[str] = Counter()

    def count_request(self, kind: str) -> None:
        """Count a request of an endpoint kind."""
        self.by_kind[kind] += 1

    def count_status(self, status: int | str) -> None:
        """Count an answer by its envelope status (or ``httpNNN``)."""
        self.by_status[str(status)] += 1

    def count_fault(self, kind: str) -> None:
        """Count an injected fault."""
        self.faults[kind] += 1

    def as_dict(self) -> dict[str, Any]:
        """Return the counts as JSON values."""
        return {
            "total": sum(self.by_kind.values()),
            "by_kind": dict(self.by_kind),
            "by_status": dict(self.by_status),
            "faults": dict(self.faults),
        }


class Simulator:
    """A simulated AX-ACS server speaking BS-HTTP v1.

    ``sim.app`` is built at once and can be served by ``start``/``stop`` or by
    aiohttp's ``TestServer``. All state changes are synchronous and must be
    made from the event loop that serves the app.
    """

    def __init__(self, spec: SiteSpec | None = None) -> None:
        """Generate the site of ``spec`` and build the application."""
        self.spec = spec or SiteSpec()
        self.tz = load_time_zone(self.spec.time_zone)
        self.site: Site = generate_site(self.spec)
        self.clock: Callable[[], float] = time.monotonic
        """Monotonic seconds for the 2 s cache expiry; tests may replace it."""
        self.requests: list[LoggedRequest] = []
        self.max_logged_requests: int | None = None
        """None keeps every request; a number keeps about that many, dropping the oldest."""
        self.requests_dropped = 0
        self.clock_offset = timedelta()
        """Added to the server's wall clock: a server that runs behind or ahead."""
        self.record_order = "id"
        """Order of the record pages: ``id`` (oldest first), ``newest_first`` or
        ``shuffled`` (the specification does not say; some servers differ)."""
        self.stats = Stats()
        self.fault_set = FaultSet()
        self.stopping = asyncio.Event()
        self.state = SimState(
            self.site,
            username=self.spec.username,
            password=self.spec.password,
            rng=random.Random(self.spec.seed * 7919 + 17),
            clock=lambda: self.clock(),  # noqa: PLW0108 (sim.clock may be replaced)
            now=self.now,
        )
        self.app: web.Application = build_app(self)
        self.host = "127.0.0.1"
        self.port = 0
        self._runner: web.AppRunner | None = None
        self._demo_task: asyncio.Task[None] | None = None

    # --- server ------------------------------------------------------------------

    @property
    def url(self) -> str:
        """The base URL, e.g. ``http://127.0.0.1:41234`` (the API is under /api/v1/)."""
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}"

    async def start(self, host: str = "127.0.0.1", port: int = 0) -> None:
        """Serve on ``host``:``port`` (0 = a free port); sets ``port`` and ``url``."""
        if self._runner is not None:
            raise RuntimeError("simulator already started")
        self.stopping = asyncio.Event()
        runner = web.AppRunner(
            self.app,
            access_log=None,  # the access log would show passwords of door commands
            shutdown_timeout=1.0,
            max_line_size=_MAX_LINE,
            max_field_size=_MAX_LINE,
        )
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
        _LOGGER.info("simulator serving %s/api/v1/", self.url)

    async def stop(self) -> None:
        """Stop serving; pending slow and hanging requests are released."""
        await self.stop_demo()
        self.stopping.set()
        runner, self._runner = self._runner, None
        if runner is not None:
            await runner.cleanup()

    # --- demo ----------------------------------------------------------------------

    def start_demo(self, rate: float = 0.5) -> None:
        """Produce plausible traffic in the background (``rate`` swipes per second)."""
        from .demo import run_demo

        if self._demo_task is None or self._demo_task.done():
            self._demo_task = asyncio.get_running_loop().create_task(
                run_demo(self, rate), name="acs-simulator-demo"
            )

    async def stop_demo(self) -> None:
        """Stop the demo traffic, if running."""
        task, self._demo_task = self._demo_task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    # --- time and logs ---------------------------------------------------------------

    def now(self) -> datetime:
        """Return the server's time: an aware datetime in the site's time zone.

        It is the real time moved by :attr:`clock_offset` (in absolute time,
        so an offset can carry it across a change of daylight saving time).
        """
        if not self.clock_offset:
            return datetime.now(self.tz)
        return (datetime.now(UTC) + self.clock_offset).astimezone(self.tz)

    def order_records[T](self, records: list[T]) -> list[T]:
        """Return record rows in the order of :attr:`record_order` (stable per list)."""
        if self.record_order == "newest_first":
            return records[::-1]
        if self.record_order == "shuffled":
            shuffled = list(records)
            random.Random(len(records)).shuffle(shuffled)
            return shuffled
        return records

    @property
    def door_commands(self) -> list[DoorCommand]:
        """Door commands that the server accepted, oldest first."""
        return self.state.door_commands

    def log_request(self, entry: LoggedRequest, kind: str) -> None:
        """Record a protocol request (called by the HTTP layer)."""
        self.requests.append(entry)
        self.stats.count_request(kind)
        limit = self.max_logged_requests
        if limit is not None and len(self.requests) > limit:
            drop = len(self.requests) - limit // 2
            del self.requests[:drop]
            self.requests_dropped += drop

    # --- scenario control -------------------------------------------------------------

    def swipe(
        self,
        door_id: str,
        card_no: str | None = None,
        *,
        reader: str = OUTSIDE,
        reason: int | None = None,
    ) -> SimSwipe:
        """Swipe a card at a door's ``"outside"`` or ``"inside"`` reader.

        ``card_no`` None picks a valid card of someone allowed at the door. An
        unknown card is refused with reason 100, an expired one with 101, a lost
        one or a person without permission with 102. ``reason`` forces the
        accessBlockedReason (0 = granted). The swipe is put in the real-time
        cache and appended to both record logs; the door's state does not change.
        """
        return self.state.swipe(door_id, card_no, reader=reader, reason=reason)

    def burst(self, n: int, door_ids: Sequence[str] | None = None) -> list[SimSwipe]:
        """Make ``n`` granted swipes at once, spread over the doors."""
        return self.state.burst(n, door_ids)

    def raise_alarm(
        self,
        door_id: str,
        name: str = "非法开门",
        event_type: int = 25,
        level: str = "1",
        priority: int = 254,
    ) -> int:
        """Raise an alarm at a door; returns its alarmEventTroubleId.

        The alarm is listed by acs/alarmevent/notconfirmandclear until cleared
        and an access record with isAlarm=1 is appended.
        """
        return self.state.raise_alarm(door_id, name, event_type, level, priority)

    def clear_alarm(self, alarm_id: int) -> None:
        """Clear an alarm (KeyError when unknown)."""
        self.state.clear_alarm(alarm_id)

    def set_door_open(self, door_id: str, is_open: bool) -> None:
        """Open or close a door physically (e.g. forced); appends an access record."""
        self.state.set_door_open(door_id, is_open)

    def set_door_online(self, door_id: str, online: bool) -> None:
        """Take a door on or off line."""
        self.state.set_door_online(door_id, online)

    def set_controller_online(
        self, controller_id: str, online: bool, error: str = ""
    ) -> None:
        """Take a controller on or off line; its doors report isOnline 0 while off."""
        self.state.set_controller_online(controller_id, online, error)

    def fault(
        self,
        kind: str,
        *,
        count: int | None = None,
        path: str | None = None,
        delay: float = 5.0,
        status: int = 1,
    ) -> Fault:
        """Make protocol requests misbehave.

        ``kind``: ``http500``, ``malformed_json``, ``html`` (200 text/html),
        ``slow`` (answers after ``delay`` s), ``timeout`` (never answers),
        ``drop`` (closes the connection), ``status`` (envelope with
        ``status`` and ``data: null``), ``empty`` (status 0 with an empty
        list) or ``hold`` (the answer of the moment the request arrived, sent
        when ``release_faults`` or ``Fault.release`` is called). ``count`` None
        lasts until ``clear_faults``; ``path`` limits the fault to paths
        (after /api/v1/) starting with it.
        """
        return self.fault_set.add(
            kind, count=count, path=path, delay=delay, status=status
        )

    def clear_faults(self) -> None:
        """Remove every fault (held answers are sent)."""
        self.fault_set.clear()

    def release_faults(self) -> None:
        """Send every answer a ``hold`` fault holds."""
        self.fault_set.release()

    release_held = release_faults

    def restart(self, clear_records: bool = False) -> None:
        """Restart the server: empty cache, event ids from 1, account unlocked.

        With ``clear_records`` the database is restored too: records, alarms
        and area occupancy are gone and record ids start over at 1.
        """
        self.state.restart(clear_records)
