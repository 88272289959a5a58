"""The AX event source: the 2-second real-time cache, reconciled with the records.

One source, two reads:

- the real-time cache, polled every ``interval`` (the server keeps an event
  for only 2 s);
- the swipe records after the cursor, read every few seconds and at once
  after a failed or late poll or a restart, in a task of its own beside the
  live poll, so a slow read never delays the next poll of the cache.

What to hand over is the access ledger's decision (``ledger.py``). The cursor
this source hands the Home Assistant side is the ledger's state as JSON: the
id of the last record handled, the recent live deliveries still to be matched
by their records, and the event ids the cache may still hold.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterable
from datetime import UTC, datetime, timedelta
import json
import logging
import time
from typing import Any, Final, Protocol

from ..events import (  # noqa: TID252
    EventBatch,
    EventGap,
    EventSink,
    EventSource,
    FeedHealth,
    SourceEvent,
)
from ..exceptions import AcsError  # noqa: TID252
from ..models import AccessEvent, AlarmFilter, RecordKind  # noqa: TID252
from .ledger import AccessLedger, record_id_of


class AxReads(Protocol):
    """What the source reads through the adapter."""

    @property
    def known_controller_ids(self) -> list[str]:
        """Return the controllers whose real-time cache is read."""

    async def poll_events(self, controller_ids: Iterable[str]) -> list[AccessEvent]:
        """Return the real-time cache of these controllers."""

    async def latest_record_id(self, *, kind: RecordKind = ...) -> int | None:
        """Return the id of the newest record."""

    def records_after(
        self, record_id: int, *, kind: RecordKind = ..., alarms: AlarmFilter = ...
    ) -> AsyncIterator[AccessEvent]:
        """Iterate over the records after an id."""

    def records_between(
        self,
        start: datetime,
        end: datetime,
        *,
        kind: RecordKind = ...,
        alarms: AlarmFilter = ...,
    ) -> AsyncIterator[AccessEvent]:
        """Iterate over the records between two times."""


_LOGGER = logging.getLogger(__name__)

#: How long the server keeps an event in its real-time cache.
CACHE_SECONDS: Final = 2.0
# After the server's records start over, look this far before the last good
# real-time poll for records it may have missed (clocks may differ a little).
RESTORE_LOOKBACK: Final = timedelta(seconds=60)


def parse_cursor(cursor: str | None) -> dict[str, Any]:
    """Return the ledger state a cursor holds (a bare record id is accepted too)."""
    if not cursor:
        return {}
    try:
        value = json.loads(cursor)
    except ValueError:
        _LOGGER.warning("Ignoring an unreadable event cursor")
        return {}
    if isinstance(value, int) and not isinstance(value, bool):
        return {"cursor": value}
    if isinstance(value, dict):
        return value
    _LOGGER.warning("Ignoring an unreadable event cursor")
    return {}


class AxEventSource(EventSource):
    """Poll, recover and hand over the access events of one AX server."""

    feed_timeout = CACHE_SECONDS
    polls = True

    def __init__(
        self,
        adapter: AxReads,
        sink: EventSink,
        *,
        interval: float,
        replay: timedelta,
    ) -> None:
        """Nothing runs before ``async_start``."""
        super().__init__(sink, interval=interval, replay=replay)
        self.adapter = adapter
        self.records = replay > timedelta()
        self.ledger = AccessLedger(
            cache_seconds=CACHE_SECONDS, replay=replay, on_change=self._changed
        )
        self._dirty = False
        self._records_task: asyncio.Task[None] | None = None
        # One real-time read at a time: the ledger takes the batches in the
        # order the server answered them (a recovery poll runs beside the
        # timer's).
        self._live_lock = asyncio.Lock()

    # --- cursor --------------------------------------------------------------

    @property
    def cursor(self) -> str | None:
        """Return the ledger's state, as the Home Assistant side stores it."""
        if self.ledger.cursor is None:
            return None
        return json.dumps(
            self.ledger.snapshot(time.monotonic(), time.time()),
            ensure_ascii=False,
            separators=(",", ":"),
        )

    @property
    def held_records(self) -> int:
        """Return how many records wait to be matched against real-time events."""
        return self.ledger.held_records

    def diagnostics(self) -> dict[str, Any]:
        """Return the record cursor and the records held for matching."""
        return {"record_id": self.ledger.cursor, "held_records": self.held_records}

    def _changed(self) -> None:
        self._dirty = True

    def _send(
        self,
        events: list[SourceEvent],
        *,
        health: FeedHealth | None = None,
        gap: EventGap | None = None,
    ) -> None:
        """Hand over what a read found, saying whether the cursor moved.

        The cursor (the ledger's state as JSON) is written out only when the
        integration stores it, not for every batch: at 100 swipes/s that JSON
        holds hundreds of recent deliveries.
        """
        moved, self._dirty = self._dirty, False
        if events or health or gap or moved:
            self.sink.deliver(
                EventBatch(
                    events=tuple(events), cursor_moved=moved, gap=gap, health=health
                )
            )

    # --- lifecycle -------------------------------------------------------------

    async def async_start(self, resume: str | None) -> None:
        """Load the cursor; with none, start at the newest record."""
        self.ledger.restore(parse_cursor(resume), time.monotonic(), time.time())
        if self.records and self.ledger.cursor is None:
            try:
                latest = await self.adapter.latest_record_id(kind=RecordKind.SWIPE)
            except AcsError as err:
                _LOGGER.debug("Cannot read the newest record id yet: %s", err)
            else:
                # No record yet: every record to come is after 0.
                self.ledger.set_cursor(latest)
        self._send([])

    async def async_stop(self) -> None:
        """Stop the record read still running."""
        if self._records_task and not self._records_task.done():
            self._records_task.cancel()

    # --- one round -------------------------------------------------------------

    async def async_poll(self) -> None:
        """Run one round: the real-time cache, and start a read of the records when due.

        After a failed or late poll, the read that fills the gap in the first
        round whose real-time poll succeeds is followed at once by one more
        read of the cache: a record that this poll, started after the records
        were read, does not match can no longer arrive live, so the ledger
        releases it now (marked replayed) rather than a whole interval later.
        That costs one extra request per recovery and reads no clock of the
        server's. While the real-time call fails, no such poll is made (it
        would fail too); the next round's poll, or the cache window, releases
        them.
        """
        started = time.monotonic()
        live_ok = await self._poll_realtime()
        if (
            self.records
            and self.ledger.records_due(started)
            and (self._records_task is None or self._records_task.done())
        ):
            self._records_task = self.sink.create_task(
                self._reconcile_and_recover(recover=live_ok), "record read"
            )

    async def _reconcile_and_recover(self, *, recover: bool) -> None:
        """Read the records; after a gap, poll the cache once more at once."""
        filled_gap = await self._reconcile()
        if filled_gap and recover:
            await self._poll_realtime(recovery=True)

    async def _poll_realtime(self, *, recovery: bool = False) -> bool:
        """Read the real-time cache; return whether the server answered.

        A ``recovery`` poll is skipped when a poll that started after the
        records were read has already released every held record.
        """
        async with self._live_lock:
            if recovery and not self.ledger.held_records:
                return True
            return await self._poll_realtime_locked(time.monotonic())

    async def _poll_realtime_locked(self, started: float) -> bool:
        controller_ids = self.adapter.known_controller_ids
        if not controller_ids:
            self._send([], health=FeedHealth.UP)  # no controller: no cache to miss
            return True
        try:
            async with asyncio.timeout(max(CACHE_SECONDS, self.interval) * 2):
                events = await self.adapter.poll_events(controller_ids)
        except (AcsError, TimeoutError) as err:
            _LOGGER.debug("Event poll failed: %s", err)
            # Records the cache can no longer deliver are released now.
            self._send(self.ledger.realtime_failed(time.monotonic()))
            return False
        self._send(self.ledger.realtime_batch(events, started), health=FeedHealth.UP)
        return True

    async def _reconcile(self) -> bool:
        """Read the records after the cursor and hand them to the ledger.

        Returns whether the read succeeded and filled a possible gap.
        """
        ledger = self.ledger
        after_gap = ledger.records_reading(time.monotonic())
        try:
            if ledger.cursor is None:
                ledger.set_cursor(
                    await self.adapter.latest_record_id(kind=RecordKind.SWIPE)
                )
                ledger.reconcile_due = False
                self._send([])
                return False
            records = await self._records_after(ledger.read_after)
            if not records and ledger.may_have_started_over(after_gap):
                latest = await self.adapter.latest_record_id(kind=RecordKind.SWIPE)
                if latest is not None and ledger.records_started_over(latest):
                    ledger.set_cursor(await self._first_record_after_last_poll(latest))
                    records = await self._records_after(ledger.read_after)
        except AcsError as err:
            _LOGGER.debug("Cannot read records after %s: %s", ledger.cursor, err)
            ledger.records_failed()
            return False
        # The read ended now: a poll that starts later would see any of these
        # swipes still in the cache.
        too_old = ledger.record_batch(records, time.monotonic())
        gap = None
        if too_old:
            gap = EventGap(
                count=len(too_old),
                since=min((r.time for r in too_old if r.time), default=None),
            )
        self._send([], gap=gap)
        return after_gap

    async def _records_after(self, record_id: int) -> list[AccessEvent]:
        """Read every swipe record after ``record_id``, alarms included."""
        return [record async for record in self._iterate_after(record_id)]

    def _iterate_after(self, record_id: int) -> AsyncIterator[AccessEvent]:
        return self.adapter.records_after(
            record_id, kind=RecordKind.SWIPE, alarms=AlarmFilter.INCLUDE
        )

    async def _first_record_after_last_poll(self, latest: int) -> int:
        """Return the cursor just before the records the real-time path may have missed.

        That is the first record made since a little before the last good
        real-time poll (what real time delivered since is matched and dropped).
        """
        # The server's own clock (the newest time it reported), not ours.
        now = self.ledger.server_time or datetime.now(UTC)
        since = now - RESTORE_LOOKBACK
        async for record in self.adapter.records_between(
            since,
            now + timedelta(days=1),
            kind=RecordKind.SWIPE,
            alarms=AlarmFilter.INCLUDE,
        ):
            return min(record_id_of(record) - 1, latest)
        return latest
