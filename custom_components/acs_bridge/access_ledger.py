"""The access ledger: which access events to deliver, each exactly once.

It knows nothing of Home Assistant, of the network or of the clock: the
access pipeline (``access_pipeline.py``) reads the server and hands the ledger
what it read, with the monotonic time each read started; the ledger answers
with the events to deliver.

Two sources feed it:

- real-time batches, de-duplicated by event id (the server's cache repeats an
  event for a couple of seconds; ids that start over mean the server
  restarted);
- records read after the cursor. A record is held until a real-time batch
  whose poll started after the record was read: had real time seen that swipe,
  it would have delivered it by then. A record that no real-time event matched
  (same door, card and time) is delivered late, marked ``replayed``.

Its state (the cursor and the keys of recent deliveries) is a plain dict, so a
restart neither loses nor repeats events.
"""

from __future__ import annotations

from collections import Counter, deque
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
import logging
from typing import Any, Final

from .adapters import AccessEvent, AccessReason, AccessRecord

_LOGGER = logging.getLogger(__package__)

# How long an event id is remembered: far longer than the cache keeps it.
SEEN_SECONDS: Final = 30.0
# How often the records are read when nothing went wrong.
RECONCILE_SECONDS: Final = 10.0
# Keys of deliveries kept to match records against (and across restarts).
DELIVERED_KEYS_MAX: Final = 5000

type MatchKey = tuple[str, str, str]


class AccessEventType(StrEnum):
    """The event types of a door's access event entity."""

    GRANTED = "granted"
    DENIED = "denied"
    ALARM = "alarm"


def access_event_type(reason: str | None, is_alarm: bool) -> AccessEventType:
    """Return the event type of an access event: denied, else alarm, else granted."""
    if reason != AccessReason.GRANTED:
        return AccessEventType.DENIED
    if is_alarm:
        return AccessEventType.ALARM
    return AccessEventType.GRANTED


def match_key(event: AccessEvent) -> MatchKey:
    """Return what a real-time event and its record have in common."""
    when = event.time.replace(microsecond=0).isoformat() if event.time else ""
    return (event.door_id or "", event.card_no or "", when)


#: The fields of an access event that its door's event entity shows.
DISPATCHER_FIELDS: Final = (
    "user_name",
    "user_no",
    "org_name",
    "card_no",
    "reason",
    "direction",
    "name",
    "time",
    "replayed",
)


@dataclass(frozen=True, slots=True)
class DeliveredAccess:
    """One access event as it is delivered: live, or replayed from the records."""

    event: AccessEvent
    replayed: bool = False

    @property
    def event_type(self) -> str:
        """Return the door event entity's event type."""
        return access_event_type(self.event.reason, self.event.is_alarm).value

    def fields(self) -> dict[str, Any]:
        """Return the event's public fields, as the bus event and the entity give them."""
        event = self.event
        return {
            "door_id": event.door_id,
            "controller_id": event.controller_id,
            # An event read from the records has no real-time id.
            "event_id": event.event_id if event.record_id is None else None,
            "record_id": event.record_id,
            "time": event.time.isoformat() if event.time else None,
            "code": event.event_code,
            "name": event.name,
            "granted": event.granted,
            "reason": event.reason.value,
            "reason_code": event.reason_code,
            "card_no": event.card_no,
            "user_no": event.user_no,
            "user_name": event.user_name,
            "org_name": event.org_name,
            "direction": event.direction.value if event.direction else None,
            "is_alarm": event.is_alarm,
            "forced": event.forced,
            "replayed": self.replayed,
        }

    def bus_data(
        self,
        *,
        entry_id: str,
        device_id: str | None,
        entity_id: str | None,
        door_name: str | None,
    ) -> dict[str, Any]:
        """Return the data of the ``acs_bridge_access`` bus event."""
        return {
            "entry_id": entry_id,
            "device_id": device_id,
            "entity_id": entity_id,
            "door_name": door_name,
            **self.fields(),
        }

    def dispatcher_payload(self) -> dict[str, Any]:
        """Return the attributes the door's event entity shows."""
        fields = self.fields()
        return {key: fields[key] for key in DISPATCHER_FIELDS}


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
        self._delivered_order: deque[MatchKey] = deque()
        # Keys delivered before a restart: the cache may still hold them.
        self._restored: set[MatchKey] = set()
        # records read but not yet declared missed: (monotonic time read, record)
        self._pending: dict[int, tuple[float, AccessRecord]] = {}
        self._last_reconcile = 0.0
        self._realtime_since_reconcile = 0

    @property
    def held_records(self) -> int:
        """Return how many records wait to be matched against real-time events."""
        return len(self._pending)

    # --- state -------------------------------------------------------------

    def snapshot(self) -> dict[str, Any]:
        """Return the state to store: the cursor, the unmatched and recent deliveries.

        ``recent`` are the swipes seen in real time lately, matched or not: the
        cache may still hold them after a restart, and they must not be
        delivered again then.
        """
        return {
            "cursor": self.cursor,
            "unmatched": [
                list(key) for key in self._delivered_order if self._unmatched[key] > 0
            ][-DELIVERED_KEYS_MAX:],
            "recent": [list(key) for key, _seen_at in self._seen.values()][
                -DELIVERED_KEYS_MAX:
            ],
        }

    def restore(self, data: Mapping[str, Any]) -> None:
        """Load a snapshot stored before a restart."""
        self.cursor = data.get("cursor")
        for item in data.get("unmatched", []):
            key: MatchKey = (str(item[0]), str(item[1]), str(item[2]))
            self._remember_delivery(key)
            self._restored.add(key)
        for item in data.get("recent", []):
            self._restored.add((str(item[0]), str(item[1]), str(item[2])))

    def set_cursor(self, record_id: int | None) -> None:
        """Follow the records after ``record_id`` (None: no record yet, so 0)."""
        self.cursor = record_id or 0
        self._on_change()

    # --- real time ---------------------------------------------------------

    def realtime_failed(self) -> None:
        """Note a failed real-time poll: the cache may drop events meanwhile."""
        self.reconcile_due = True

    def realtime_batch(
        self, events: Iterable[AccessEvent], started: float
    ) -> list[DeliveredAccess]:
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
        ordered = sorted(events, key=lambda e: e.event_id)
        if (
            ordered
            and self._max_event_id is not None
            and ordered[-1].event_id < self._max_event_id
        ):
            self._server_restarted()
        if ordered:
            self._max_event_id = ordered[-1].event_id
        deliver: list[DeliveredAccess] = []
        for event in ordered:
            key = match_key(event)
            seen = self._seen.get(event.event_id)
            if seen is not None and seen[0] == key:
                continue
            if seen is not None:
                # A known id with another swipe: the server restarted.
                self._server_restarted()
            self._seen[event.event_id] = (key, started)
            if key in self._restored:
                # Delivered before Home Assistant restarted; still in the cache.
                continue
            self._remember_delivery(key)
            self._realtime_since_reconcile += 1
            deliver.append(DeliveredAccess(event))
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

    def _remember_delivery(self, key: MatchKey) -> None:
        self._unmatched[key] += 1
        self._delivered_order.append(key)
        while len(self._delivered_order) > DELIVERED_KEYS_MAX:
            old = self._delivered_order.popleft()
            if self._unmatched[old] > 0:
                self._unmatched[old] -= 1
            if self._unmatched[old] <= 0:
                del self._unmatched[old]
        self._on_change()

    # --- records -----------------------------------------------------------

    def records_due(self, now: float) -> bool:
        """Return whether the records are to be read now."""
        return self.reconcile_due or now - self._last_reconcile >= RECONCILE_SECONDS

    def records_reading(self, started: float) -> bool:
        """Note a read of the records; return whether it fills a gap."""
        self._last_reconcile = started
        return self.reconcile_due

    @property
    def read_after(self) -> int:
        """Return the record id the next read starts after (held ones are read)."""
        return max([self.cursor or 0, *self._pending])

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
        return True

    def records_failed(self) -> None:
        """Note a failed read of the records: read them again at once."""
        self.reconcile_due = True

    def record_batch(
        self, records: Iterable[AccessRecord], read_at: float, now: datetime
    ) -> list[AccessRecord]:
        """Hold the records read after the cursor at ``read_at``.

        Returns those older than the replay window: they are not delivered, the
        cursor passes them.
        """
        self._realtime_since_reconcile = 0
        self.reconcile_due = False
        batch = list(records)
        if batch and self.cursor is not None and batch[0].record_id <= self.cursor:
            batch = [r for r in batch if r.record_id > self.cursor]
        too_old: list[AccessRecord] = []
        oldest = now - self.replay
        for record in batch:
            if record.time is not None and record.time < oldest:
                too_old.append(record)
            else:
                self._pending[record.record_id] = (read_at, record)
        if too_old:
            self._advance_cursor(max(r.record_id for r in too_old))
        return too_old

    def release_due(self, poll_started: float) -> list[DeliveredAccess]:
        """Return the held records read by ``poll_started`` that nothing matched."""
        ready = sorted(
            (
                record
                for read_at, record in self._pending.values()
                if read_at <= poll_started
            ),
            key=lambda r: r.record_id,
        )
        if not ready:
            return []
        deliver: list[DeliveredAccess] = []
        for record in ready:
            del self._pending[record.record_id]
            event = record.to_event()
            key = match_key(event)
            if self._unmatched[key] > 0:
                self._unmatched[key] -= 1
                continue
            deliver.append(DeliveredAccess(event, replayed=True))
        # Everything up to the first record still held has been handled.
        held = min(self._pending, default=None)
        done = [r.record_id for r in ready if held is None or r.record_id < held]
        if done:
            self._advance_cursor(max(done))
        return deliver

    def _advance_cursor(self, record_id: int) -> None:
        if self.cursor is None or record_id > self.cursor:
            self.cursor = record_id
            self._on_change()
