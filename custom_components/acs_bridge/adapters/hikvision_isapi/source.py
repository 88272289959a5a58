"""The Hikvision event source: the alert stream, and a search after each reconnect.

The stream is read continuously. On every (re)connect the device first sends
buffered history marked ``currentEvent: false`` (some models their whole log)
and our own subscription's 3/121: none of that is delivered live. Instead the
event search reads everything after the last delivered serial number and hands
it over marked replayed; live events that arrive meanwhile are held and follow
in serial order (``replay.py``). So a dropped stream, a stall, a device outage
or a restart of Home Assistant loses nothing and repeats nothing.

A stream silent for ``stall_timeout`` seconds (no heartbeat, no event) is
dead even if its TCP connection is open. Some firmware sends no heartbeat at
all: a cheap ``deviceInfo`` read then tells a quiet device from a dead one. A
live device's stream is reopened at once (the feed stays up; the search
covers the gap); a dead one is retried with a growing delay (the feed is down).

The cursor is the replay state as JSON: the last serial and its device time.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncGenerator, Callable
import contextlib
from datetime import timedelta, tzinfo
import json
import logging
from typing import Any, Final, cast

from ..events import (  # noqa: TID252
    DoorChange,
    EventBatch,
    EventGap,
    EventSink,
    EventSource,
    FeedHealth,
    SourceEvent,
)
from ..exceptions import (  # noqa: TID252
    AcsAuthenticationError,
    AcsError,
    AcsPermissionError,
    AcsTimeoutError,
)
from ..models import Alarm  # noqa: TID252
from .client import HikvisionIsapiClient
from .mapping import meaning
from .models import StreamItem, StreamItemKind
from .replay import GapNotice, ReplayStep, SerialReplay, SerialRestartNotice

_LOGGER = logging.getLogger(__name__)

#: No part (heartbeat or event) for this long: the stream is dead.
STALL_TIMEOUT: Final = 90.0
#: Reconnect delays after a failure, growing to the last.
RETRY_DELAYS: Final = (1.0, 2.0, 3.0, 5.0)
"""A failed attempt costs one connection (no login is refused): retrying every
5 s at most keeps the replay after an outage within seconds of the return. Any
other request that the device answers meanwhile (the state poll) wakes the
stream at once (:meth:`HikvisionEventSource.device_answered`)."""
#: After a missing permission (403 on the stream), try again this rarely.
PERMISSION_RETRY: Final = 600.0


class HikvisionEventSource(EventSource):
    """The events of one device: pushed, replayed by serial after a gap."""

    feed_timeout = None  # the stream says when it is down
    polls = False
    reports_doors = True  # 5/21-5/26: the lock and the contact move by themselves

    def __init__(
        self,
        client: HikvisionIsapiClient,
        sink: EventSink,
        *,
        interval: float,
        replay: timedelta,
        time_zone: tzinfo,
        controller_id: Callable[[], str | None],
        stall_timeout: float | None = None,
        retry_delays: tuple[float, ...] | None = None,
    ) -> None:
        """Nothing runs before ``async_start``.

        The stall timeout and retry delays default to the module's constants,
        read now (tests shorten them).
        """
        super().__init__(sink, interval=interval, replay=replay)
        self.client = client
        self.time_zone = time_zone
        self.stall_timeout = STALL_TIMEOUT if stall_timeout is None else stall_timeout
        self.retry_delays = RETRY_DELAYS if retry_delays is None else retry_delays
        self._controller_id = controller_id
        self.replay_state = SerialReplay()
        self._task: asyncio.Task[None] | None = None
        self._search: asyncio.Task[None] | None = None
        self._stopped = False
        self._down = False
        self._wake = asyncio.Event()
        # Open alarms: (kind, door or reader) -> alarm id.
        self._open_alarms: dict[tuple[str, str], int] = {}
        self.connects = 0
        self.stalls = 0

    # --- cursor --------------------------------------------------------------

    @property
    def cursor(self) -> str | None:
        """Return the last delivered serial and its device time, as JSON."""
        if self.replay_state.last_serial is None:
            return None
        return json.dumps(self.replay_state.to_dict(), separators=(",", ":"))

    def diagnostics(self) -> dict[str, Any]:
        """Return the stream's figures (no personal data)."""
        return {
            "last_serial": self.replay_state.last_serial,
            "catching_up": self.replay_state.catching_up,
            "connects": self.connects,
            "stalls": self.stalls,
            "open_alarms": len(self._open_alarms),
        }

    # --- lifecycle -------------------------------------------------------------

    async def async_start(self, resume: str | None) -> None:
        """Resume after the stored serial, and open the stream."""
        state: Any = None
        if resume:
            try:
                state = json.loads(resume)
            except ValueError:
                _LOGGER.warning("Ignoring an unreadable event cursor")
        self.replay_state = SerialReplay.from_dict(state)
        self._stopped = False
        self._task = self.sink.create_task(self._run(), "alert stream")

    async def async_stop(self) -> None:
        """Close the stream and stop searching."""
        self._stopped = True
        for task in (self._search, self._task):
            if task is not None and not task.done():
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task

    # --- the stream ------------------------------------------------------------

    def device_answered(self) -> None:
        """Reconnect now if the stream is down: the device answered another request."""
        if self._down:
            self._wake.set()

    async def _wait(self, delay: float) -> None:
        """Wait ``delay`` seconds before reconnecting, or until woken."""
        self._wake.clear()
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(delay):
                await self._wake.wait()

    async def _run(self) -> None:
        failures = 0
        while not self._stopped:
            delay: float
            try:
                await self._read_stream()
                delay = 0.0
            except AcsPermissionError as err:
                _LOGGER.warning("The device refuses the event stream: %s", err)
                self._health(FeedHealth.DOWN)
                delay = PERMISSION_RETRY
            except AcsTimeoutError:
                self.stalls += 1
                if await self._device_alive():
                    # A quiet device whose firmware sends no heartbeat: reopen.
                    _LOGGER.debug("Alert stream silent; the device answers: reopening")
                    failures, delay = 0, 0.0
                else:
                    failures += 1
                    delay = self._retry_delay(failures)
                    self._health(FeedHealth.DOWN)
            except AcsAuthenticationError as err:
                # The state poll starts re-authentication; keep retrying slowly.
                _LOGGER.debug("Alert stream refused: %s", err)
                self._health(FeedHealth.DOWN)
                failures += 1
                delay = self.retry_delays[-1]
            except AcsError as err:
                _LOGGER.debug("Alert stream broke: %s", err)
                failures += 1
                delay = self._retry_delay(failures)
                self._health(FeedHealth.DOWN)
            else:
                failures = 0
            if self._search is not None and not self._search.done():
                self._search.cancel()
            if delay:
                await self._wait(delay)

    def _retry_delay(self, failures: int) -> float:
        return self.retry_delays[min(failures, len(self.retry_delays)) - 1]

    async def _device_alive(self) -> bool:
        try:
            await self.client.device_info()
        except AcsError:
            return False
        return True

    async def _read_stream(self) -> None:
        """Read one connection of the stream until it fails (it never ends well)."""
        stream = self.client.alert_stream(self.stall_timeout)
        async with contextlib.aclosing(cast("AsyncGenerator[StreamItem]", stream)):
            first = True
            async for item in stream:
                if first:
                    first = False
                    self.connects += 1
                    self._health(FeedHealth.UP)
                    self.replay_state.connected()
                    self._start_search()
                if item.kind is not StreamItemKind.EVENT or item.event is None:
                    continue  # a heartbeat
                step = self.replay_state.stream_event(item.event)
                self._hand_over(step)
                if step.search_needed:
                    self._start_search()

    # --- the search --------------------------------------------------------------

    def _start_search(self) -> None:
        if self._search is None or self._search.done():
            self._search = self.sink.create_task(self._catch_up(), "event search")

    async def _catch_up(self) -> None:
        """Read what the stream missed, then release it with the held live events.

        Searched again when the release found the serials restarted (from 0).
        """
        replay = self.replay_state
        while True:
            after = replay.search_from
            try:
                if after is not None:
                    found = [
                        event
                        async for event in self.client.search_events(after_serial=after)
                    ]
                    replay.search_events(found)
            except AcsError as err:
                # The stream stays up; the next reconnect searches again.
                _LOGGER.debug("Event search after serial %s failed: %s", after, err)
                self._hand_over(replay.caught_up())
                return
            step = replay.caught_up()
            self._hand_over(step)
            if not step.search_needed:
                return

    # --- handing over --------------------------------------------------------------

    def _health(self, health: FeedHealth) -> None:
        self._down = health is FeedHealth.DOWN
        self.sink.deliver(EventBatch(health=health))

    def _hand_over(self, step: ReplayStep) -> None:
        """Turn a replay step into one batch: events, door changes, alarms, gaps."""
        if not step.deliveries and not step.notices:
            return
        events: list[SourceEvent] = []
        doors: list[DoorChange] = []
        raised: list[Alarm] = []
        ended: list[int] = []
        controller_id = self._controller_id()
        for delivery in step.deliveries:
            what = meaning(delivery.event, self.time_zone, controller_id)
            if what.access is not None:
                events.append(SourceEvent(what.access, delivery.replayed))
            if what.door is not None and not delivery.replayed:
                # Only what happens now moves a door (a replay is history).
                doors.append(what.door)
            if what.alarm_raised is not None and what.alarm_scope is not None:
                previous = self._open_alarms.get(what.alarm_scope)
                if previous is not None:
                    ended.append(previous)
                self._open_alarms[what.alarm_scope] = what.alarm_raised.alarm_id
                raised.append(what.alarm_raised)
            closed = (self._open_alarms.pop(scope, None) for scope in what.ends)
            ended.extend(alarm_id for alarm_id in closed if alarm_id is not None)
        gap: EventGap | None = None
        for notice in step.notices:
            if isinstance(notice, GapNotice):
                _LOGGER.warning(
                    "The device's log no longer holds %d events after serial %d",
                    notice.lost,
                    notice.after_serial,
                )
                lost = notice.lost + (gap.count if gap else 0)
                gap = EventGap(count=lost)
            elif isinstance(notice, SerialRestartNotice):
                _LOGGER.info(
                    "The device's event serials started over (%d after %d): "
                    "its log was cleared or it was reset",
                    notice.new_serial,
                    notice.previous_serial,
                )
        self.sink.deliver(
            EventBatch(
                events=tuple(events),
                cursor=self.cursor,
                gap=gap,
                door_changes=tuple(doors),
                alarms_raised=tuple(raised),
                alarms_ended=tuple(ended),
            )
        )
