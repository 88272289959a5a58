"""The access ledger: which access events to deliver, each exactly once.

It knows nothing of the network or of the clock: the event source
(``events.py``) reads the server and hands the ledger what it read, with the
monotonic time each read started; the ledger answers with the events to
deliver.

Two sources feed it:

- real-time batches, de-duplicated by event id (the server's cache repeats an
  event for a couple of seconds; ids that start over mean the server
  restarted);
- records read after the cursor. A record is held until a real-time batch
  whose poll started after the record was read: had real time seen that swipe,
  it would have delivered it by then. A record that no real-time event matched
  (same door, card and time) is delivered late, marked ``replayed``.

A record is too old to replay only when it shows up in the first read after
a gap (a restart, or records unread for longer than the replay window) and is
older than the newest time the server itself reported by more than the replay
window; a record read in time is never too old. Home Assistant's clock is
never compared with the server's naive times (a skewed server clock, or the
repeated hour when clocks go back, would lose swipes).

Its state (the cursor, the recent live deliveries with their age, and the
event ids still in the cache) is a plain dict, so a reload neither loses nor
repeats events; after a crash, the deliveries of the last seconds before it
may be repeated, never lost.
"""

from __future__ import annotations

from collections import Counter, deque
from collections.abc import Callable, Iterable, Mapping
from datetime import UTC, datetime, timedelta
import logging
import math
from typing import Any, Final

from ..events import SourceEvent  # noqa: TID252
from ..models import AccessEvent  # noqa: TID252

_LOGGER = logging.getLogger(__name__)

# How long an event id is remembered: far longer than the cache keeps it.
SEEN_SECONDS: Final = 30.0
# How often the records are read when nothing went wrong.
RECONCILE_SECONDS: Final = 10.0
# Live deliveries are remembered (to match their records, across restarts)
# until their records are read, at most the replay window once the records
# can be read; this bound only caps memory in a records outage lasting hours.
DELIVERED_KEYS_MAX: Final = 20000
# Records held for matching; past this, the oldest are released at once.
HELD_RECORDS_MAX: Final = 5000

type MatchKey = tuple[str, str, str]


def record_id_of(record: AccessEvent) -> int:
    """Return the id of an event read from the records (every one has an id)."""
    assert record.record_id is not None
    return record.record_id


def event_id_of(event: AccessEvent) -> int:
    """Return the real-time cache's id of a live event (an integer on AX)."""
    assert isinstance(event.event_id, int)
    return event.event_id


def _utc_youngest(when: datetime) -> datetime:
    """Return a server time in UTC, read as late as it can be.

    In the hour that repeats when clocks go back, a naive time means two
    instants; taking the later one never makes a record look older than it is.
    """
    later = when.replace(fold=1)
    if later.utcoffset() != when.utcoffset():
        when = later
    return when.astimezone(UTC)


def match_key(event: AccessEvent) -> MatchKey:
    """Return what a real-time event and its record have in common."""
    when = event.time.replace(microsecond=0).isoformat() if event.time else ""
    return (event.door_id or "", event.card_no or "", when)


def _nothing() -> None:
    """Do nothing (the default change listener)."""


class AccessLedger:
    """Decide which access events to deliver: each once, none lost.

    Times are arguments: ``started``, ``read_at`` and ``poll_started`` are
    monotonic seconds, ``now`` is the wall-clock time. ``on_change`` is called
    whenever :meth:`snapshot` would return something new.
    """

    def __init__(
        self,
        *,
        cache_seconds: float,
        replay: timedelta,
        on_change: Callable[[], None] = _nothing,
    ) -> None:
        """Start empty; :meth:`restore` loads a snapshot."""
        self.cache_seconds = cache_seconds
        self.replay = replay
        self._on_change = on_change
        self.cursor: int | None = None
        # The records must be read at once: a gap may have opened.
        self.reconcile_due = True
        # event id -> (match key, monotonic time first seen)
        self._seen: dict[int, tuple[MatchKey, float]] = {}
        self._next_prune = 0.0
        self._max_event_id: int | None = None
        self._last_poll_ok: float | None = None
        # keys delivered by the real-time path, not yet matched by a record
        self._unmatched: Counter[MatchKey] = Counter()
        # (key, monotonic time delivered), oldest first
        self._delivered_order: deque[tuple[MatchKey, float]] = deque()
        # Keys delivered before a restart: the cache may still hold them.
        self._restored: set[MatchKey] = set()
        # records read but not yet declared missed: (monotonic time read, record)
        self._pending: dict[int, tuple[float, AccessEvent]] = {}
        self._last_reconcile = 0.0
        self._realtime_since_reconcile = 0
        # ids handled (released, matched or cut) but above a record still held
        self._handled: set[int] = set()
        self._cut: set[int] = set()
        # monotonic time of the last read of the records that succeeded
        self._last_records_ok: float | None = None
        # the newest time the server reported (its own clock)
        self.server_time: datetime | None = None

    @property
    def held_records(self) -> int:
        """Return how many records wait to be matched against real-time events."""
        return len(self._pending)

    # --- state -------------------------------------------------------------

    def snapshot(self, now: float = 0.0, epoch: float = 0.0) -> dict[str, Any]:
        """Return the state to store at monotonic ``now``, Unix time ``epoch``.

        ``unmatched`` keeps the format of older versions (so they can still
        read it); ``delivered_at`` gives each of those keys its Unix time;
        ``seen`` holds the event ids the server's cache may still hold.
        """
        unmatched = [
            (key, at) for key, at in self._delivered_order if self._unmatched[key] > 0
        ][-DELIVERED_KEYS_MAX:]
        return {
            "cursor": self.cursor,
            "unmatched": [list(key) for key, _ in unmatched],
            "delivered_at": [round(epoch - (now - at), 3) for _, at in unmatched],
            "seen": [
                [event_id, *key, round(epoch - (now - at), 3)]
                for event_id, (key, at) in self._seen.items()
                if now - at < SEEN_SECONDS
            ],
        }

    def restore(
        self, data: Mapping[str, Any], now: float = 0.0, epoch: float = 0.0
    ) -> None:
        """Load a snapshot stored before a restart (any version's format)."""
        self.cursor = data.get("cursor")
        unmatched = data.get("unmatched", [])
        stamps = data.get("delivered_at") or []
        for index, item in enumerate(unmatched):
            key: MatchKey = (str(item[0]), str(item[1]), str(item[2]))
            # Older stores have no time: count the key as delivered now.
            at = now - max(0.0, epoch - stamps[index]) if index < len(stamps) else now
            self._remember_delivery(key, at)
            self._restored.add(key)
        for event_id, door, card, when, stamp in data.get("seen", []):
            self._seen[int(event_id)] = (
                (str(door), str(card), str(when)),
                now - max(0.0, epoch - float(stamp)),
            )
        if self._seen:
            self._max_event_id = max(self._seen)

    def set_cursor(self, record_id: int | None) -> None:
        """Follow the records after ``record_id`` (None: no record yet, so 0)."""
        self.cursor = record_id or 0
        self._on_change()

    # --- real time ---------------------------------------------------------

    def realtime_failed(self, now: float) -> list[SourceEvent]:
        """Note a real-time poll that failed at ``now``; return the records to release.

        The cache may drop events meanwhile, so the records are read. A record
        read more than the cache window ago can no longer come from the cache:
        it is released now instead of waiting for a poll that succeeds.
        """
        self.reconcile_due = True
        return self.release_due(now - self.cache_seconds)

    def realtime_batch(
        self, events: Iterable[AccessEvent], started: float
    ) -> list[SourceEvent]:
        """Take one real-time poll that started at ``started``; return what to deliver.

        That is every new event, then the held records the poll proves missed.
        """
        if (
            self._last_poll_ok is not None
            and started - self._last_poll_ok > self.cache_seconds
        ):
            # Late: the cache may have dropped events since the last good poll.
            _LOGGER.debug("Event poll came %.1f s late", started - self._last_poll_ok)
            self.reconcile_due = True
        self._last_poll_ok = started
        self._prune_seen(started)
        self._prune_deliveries(started)
        ordered = sorted(events, key=event_id_of)
        if (
            ordered
            and self._max_event_id is not None
            and event_id_of(ordered[-1]) < self._max_event_id
        ):
            self._server_restarted()
        if ordered:
            self._max_event_id = event_id_of(ordered[-1])
            self._note_server_time(e.time for e in ordered)
        deliver: list[SourceEvent] = []
        for event in ordered:
            key = match_key(event)
            seen = self._seen.get(event_id_of(event))
            if seen is not None and seen[0] == key:
                continue
            if seen is not None:
                # A known id with another swipe: the server restarted.
                self._server_restarted()
            self._seen[event_id_of(event)] = (key, started)
            if key in self._restored:
                # Delivered before Home Assistant restarted; still in the cache.
                continue
            self._remember_delivery(key, started)
            self._realtime_since_reconcile += 1
            deliver.append(SourceEvent(event))
        self._restored.clear()
        # Records read before this poll started and still unmatched were missed.
        deliver.extend(self.release_due(started))
        return deliver

    def _server_restarted(self) -> None:
        """Event ids started over: the cache lost what it held, read the records now."""
        if not self.reconcile_due:
            _LOGGER.debug("Event ids started over: the server restarted")
        self.reconcile_due = True

    def _prune_seen(self, now: float) -> None:
        """Forget event ids seen long ago; at most once per SEEN_SECONDS."""
        if now < self._next_prune:
            return
        self._next_prune = now + SEEN_SECONDS
        limit = now - SEEN_SECONDS
        self._seen = {k: v for k, v in self._seen.items() if v[1] >= limit}

    def _remember_delivery(self, key: MatchKey, at: float) -> None:
        self._unmatched[key] += 1
        self._delivered_order.append((key, at))
        while len(self._delivered_order) > DELIVERED_KEYS_MAX:
            self._forget_oldest_delivery()
        self._on_change()

    def _forget_oldest_delivery(self) -> None:
        old, _ = self._delivered_order.popleft()
        if self._unmatched[old] > 0:
            self._unmatched[old] -= 1
        if self._unmatched[old] <= 0:
            del self._unmatched[old]

    def _prune_deliveries(self, now: float) -> None:
        """Forget deliveries older than the replay window that a read has passed.

        While the records cannot be read, deliveries are kept (up to
        DELIVERED_KEYS_MAX): forgetting them would replay their records.
        """
        read = self._last_records_ok
        if read is None:
            return
        limit = min(now - self.replay.total_seconds(), read)
        changed = False
        while self._delivered_order and self._delivered_order[0][1] < limit:
            self._forget_oldest_delivery()
            changed = True
        if changed:
            self._on_change()

    def _note_server_time(self, times: Iterable[datetime | None]) -> None:
        """Keep the newest time the server reported: its own clock."""
        newest = max((t for t in times if t is not None), default=None)
        if newest is not None and (
            self.server_time is None or newest.astimezone(UTC) > self.server_time
        ):
            self.server_time = newest.astimezone(UTC)

    # --- records -----------------------------------------------------------

    def records_due(self, now: float) -> bool:
        """Return whether the records are to be read now."""
        return self.reconcile_due or now - self._last_reconcile >= RECONCILE_SECONDS

    def records_reading(self, started: float) -> bool:
        """Note a read of the records; return whether it fills a gap.

        A gap noted while the read runs asks for another read.
        """
        self._last_reconcile = started
        after_gap = self.reconcile_due
        self.reconcile_due = False
        return after_gap

    @property
    def read_after(self) -> int:
        """Return the record id the next read starts after (held ones are read)."""
        return max([self.cursor or 0, *self._pending, *self._handled, *self._cut])

    def may_have_started_over(self, after_gap: bool) -> bool:
        """Return whether an empty read may mean the record ids started over.

        Swipes arrived, or a gap is being filled, but no record is after the
        cursor: the server's database may have been restored.
        """
        return bool(self._realtime_since_reconcile or after_gap)

    def records_started_over(self, latest: int) -> bool:
        """Return whether ``latest`` shows the record ids started over.

        If so, the held records (of the old ids) are forgotten; the caller
        then sets the cursor where the new records begin.
        """
        if latest >= self.read_after:
            return False
        _LOGGER.info(
            "Record ids started over (%s < %s): following the new ones",
            latest,
            self.read_after,
        )
        self._pending.clear()
        self._handled.clear()
        self._cut.clear()
        return True

    def records_failed(self) -> None:
        """Note a failed read of the records: read them again at once."""
        self.reconcile_due = True

    def record_batch(
        self, records: Iterable[AccessEvent], read_at: float
    ) -> list[AccessEvent]:
        """Hold the records a read that ended at monotonic ``read_at`` returned.

        Returns those too old to replay: not delivered, the cursor passes
        them. A record is too old only in the first read after a gap (start,
        or no read for longer than the replay window), when it is older than
        the newest time the server reported by more than the replay window,
        and when no live delivery matches it.
        """
        self._realtime_since_reconcile = 0
        batch = list(records)
        if self.cursor is not None:
            batch = [r for r in batch if record_id_of(r) > self.cursor]
        replay = self.replay.total_seconds()
        timely = (
            self._last_records_ok is not None
            and read_at - self._last_records_ok <= replay
        )
        self._last_records_ok = read_at
        self._note_server_time(r.time for r in batch)
        too_old: list[AccessEvent] = []
        oldest = None if timely or self.server_time is None else self.server_time
        for record in batch:
            if (
                oldest is not None
                and record.time is not None
                and (oldest - _utc_youngest(record.time)).total_seconds() > replay
                and self._unmatched[match_key(record)] <= 0
            ):
                too_old.append(record)
            else:
                self._pending[record_id_of(record)] = (read_at, record)
        # The cursor never passes a record still held (a crash must not lose
        # it): cut records above one are passed when it is released.
        self._cut.update(record_id_of(r) for r in too_old)
        self._pass_handled()
        if len(self._pending) > HELD_RECORDS_MAX:
            # Release the oldest at the next poll: at worst one is repeated
            # should the cache still deliver it, none is dropped.
            excess = sorted(self._pending)[: len(self._pending) - HELD_RECORDS_MAX]
            _LOGGER.warning(
                "%d records wait for the real-time events; releasing the oldest %d",
                len(self._pending),
                len(excess),
            )
            for record_id in excess:
                self._pending[record_id] = (-math.inf, self._pending[record_id][1])
        return too_old

    def release_due(self, poll_started: float) -> list[SourceEvent]:
        """Return the held records read by ``poll_started`` that nothing matched."""
        ready = sorted(
            (
                record
                for read_at, record in self._pending.values()
                if read_at <= poll_started
            ),
            key=record_id_of,
        )
        if not ready:
            return []
        deliver: list[SourceEvent] = []
        for record in ready:
            del self._pending[record_id_of(record)]
            event = record
            key = match_key(event)
            if self._unmatched[key] > 0:
                self._unmatched[key] -= 1
                continue
            deliver.append(SourceEvent(event, replayed=True))
        self._handled.update(record_id_of(r) for r in ready)
        self._pass_handled()
        return deliver

    def _pass_handled(self) -> None:
        """Move the cursor past everything up to the first record still held."""
        held = min(self._pending, default=math.inf)
        done = [i for i in (*self._handled, *self._cut) if i < held]
        self._handled = {i for i in self._handled if i >= held}
        self._cut = {i for i in self._cut if i >= held}
        if done:
            self._advance_cursor(max(done))

    def _advance_cursor(self, record_id: int) -> None:
        if self.cursor is None or record_id > self.cursor:
            self.cursor = record_id
            self._on_change()
