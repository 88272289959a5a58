"""Access events, exactly once and gap-free.

One pipeline, two sources:

- the real-time cache, polled every ``event_interval`` (the server keeps an
  event for only a couple of seconds), de-duplicated by event id;
- the swipe records after a stored cursor, read every few seconds and at once
  after a failed or late poll or a restart. A record that no real-time event
  matched (same door, card and time) is delivered late, marked ``replayed``.

A record is only declared missed once a real-time poll that started after the
record was read has completed: had the real-time path seen that swipe, it would
have delivered it by then. The cursor and the keys of recent deliveries are
stored, so a restart neither loses nor repeats events.
"""

from __future__ import annotations

import asyncio
from collections import Counter, deque
from dataclasses import dataclass
from datetime import datetime, timedelta
import time
from typing import TYPE_CHECKING, Any

from homeassistant.core import CALLBACK_TYPE, HomeAssistant, callback
from homeassistant.helpers import entity_registry as er, issue_registry as ir
from homeassistant.helpers.dispatcher import async_dispatcher_send
from homeassistant.helpers.event import async_call_later
from homeassistant.helpers.storage import Store
from homeassistant.util import dt as dt_util

from .adapters import (
    AccessEvent,
    AccessReason,
    AccessRecord,
    AcsAdapter,
    AcsError,
    AlarmFilter,
    Capability,
    Direction,
    RecordKind,
)
from .const import (
    CONF_EVENT_INTERVAL,
    CONF_REPLAY_MINUTES,
    DEFAULT_EVENT_INTERVAL,
    DEFAULT_REPLAY_MINUTES,
    DOMAIN,
    DOOR_STATE_REQUESTS_PER_SECOND,
    EVENT_ACCESS,
    EVENT_TYPE_ALARM,
    EVENT_TYPE_DENIED,
    EVENT_TYPE_GRANTED,
    LOGGER,
    door_signal,
    store_key,
)
from .coordinator import AcsCoordinator, async_get_door_device_id
from .identifiers import door_key, entity_unique_id

if TYPE_CHECKING:
    from . import AcsConfigEntry

STORAGE_VERSION = 1
SAVE_DELAY = 2.0
# How long an event id is remembered: far longer than the cache keeps it.
SEEN_SECONDS = 30.0
# How often the records are read when nothing went wrong.
RECONCILE_SECONDS = 10.0
# Keys of deliveries kept to match records against (and across restarts).
DELIVERED_KEYS_MAX = 5000
DEFAULT_CACHE_SECONDS = 2.0
# After the server's records start over, look this far before the last good
# real-time poll for records it may have missed (clocks may differ a little).
RESTORE_LOOKBACK = timedelta(seconds=60)
# The description key of a door's access event entity (event.py).
ACCESS_EVENT_KEY = "access"

type MatchKey = tuple[str, str, str]


@dataclass(frozen=True, slots=True, kw_only=True)
class Access:
    """One access event as it is delivered, from either source."""

    event_id: int | None
    record_id: int | None
    time: datetime | None
    door_id: str | None
    controller_id: str | None
    name: str
    code: int | None
    granted: bool
    reason: AccessReason
    reason_code: int
    card_no: str | None
    user_no: str | None
    user_name: str | None
    org_name: str | None
    direction: Direction | None
    is_alarm: bool
    replayed: bool

    @property
    def key(self) -> MatchKey:
        """Return what a real-time event and its record have in common."""
        when = self.time.replace(microsecond=0).isoformat() if self.time else ""
        return (self.door_id or "", self.card_no or "", when)

    @property
    def event_type(self) -> str:
        """Return the door event entity's event type."""
        if self.reason is not AccessReason.GRANTED:
            return EVENT_TYPE_DENIED
        if self.is_alarm:
            return EVENT_TYPE_ALARM
        return EVENT_TYPE_GRANTED

    @classmethod
    def from_event(cls, event: AccessEvent) -> Access:
        """Build from a real-time event."""
        return cls(
            event_id=event.event_id,
            record_id=None,
            time=event.time,
            door_id=event.door_id,
            controller_id=event.controller_id,
            name=event.name,
            code=event.event_code,
            granted=event.granted,
            reason=event.reason,
            reason_code=event.reason_code,
            card_no=event.card_no,
            user_no=event.user_no,
            user_name=event.user_name,
            org_name=event.org_name,
            direction=event.direction,
            is_alarm=event.is_alarm,
            replayed=False,
        )

    @classmethod
    def from_record(cls, record: AccessRecord) -> Access:
        """Build from a stored record, delivered late."""
        return cls(
            event_id=None,
            record_id=record.record_id,
            time=record.time,
            door_id=record.door_id,
            controller_id=record.controller_id,
            name=record.name,
            code=record.event_code,
            granted=record.granted,
            reason=record.reason,
            reason_code=record.reason_code,
            card_no=record.card_no,
            user_no=record.user_no,
            user_name=record.user_name,
            org_name=record.org_name,
            direction=record.direction,
            is_alarm=record.is_alarm,
            replayed=True,
        )


async def async_remove_stores(hass: HomeAssistant, entry_id: str) -> None:
    """Remove what an entry stored (its event cursor and announced alarms)."""
    for what in ("events", "alarms"):
        await Store[dict[str, Any]](
            hass, STORAGE_VERSION, store_key(entry_id, what)
        ).async_remove()


class AccessEventPipeline:
    """Poll, de-duplicate, recover and deliver the access events of one server."""

    def __init__(
        self,
        hass: HomeAssistant,
        entry: AcsConfigEntry,
        adapter: AcsAdapter,
        coordinator: AcsCoordinator,
    ) -> None:
        """Read the options; nothing runs before ``async_start``."""
        self.hass = hass
        self.entry = entry
        self.adapter = adapter
        self.coordinator = coordinator
        self.interval = float(
            entry.options.get(CONF_EVENT_INTERVAL, DEFAULT_EVENT_INTERVAL)
        )
        self.replay = timedelta(
            minutes=int(entry.options.get(CONF_REPLAY_MINUTES, DEFAULT_REPLAY_MINUTES))
        )
        self.cache_seconds = adapter.realtime_cache_seconds or DEFAULT_CACHE_SECONDS
        self.realtime = adapter.supports(Capability.REALTIME_EVENTS)
        self.records = (
            adapter.supports(Capability.RECORDS) and self.replay > timedelta()
        )
        self._store: Store[dict[str, Any]] = Store(
            hass, STORAGE_VERSION, store_key(entry.entry_id, "events")
        )
        self.cursor: int | None = None
        self._save_scheduled = False
        # event id -> (match key, monotonic time first seen)
        self._seen: dict[int, tuple[MatchKey, float]] = {}
        self._next_prune = 0.0
        # keys delivered by the real-time path, not yet matched by a record
        self._unmatched: Counter[MatchKey] = Counter()
        self._delivered_order: deque[MatchKey] = deque()
        # records read but not yet declared missed: (monotonic time read, record)
        self._pending: dict[int, tuple[float, AccessRecord]] = {}
        self._last_poll_ok: float | None = None
        # Keys delivered before a restart: the cache may still hold them.
        self._restored: set[MatchKey] = set()
        self._last_reconcile = 0.0
        self._reconcile_due = True
        self._realtime_since_reconcile = 0
        self._unsub: CALLBACK_TYPE | None = None
        self._stopped = False
        self._task: asyncio.Task[None] | None = None
        self._device_ids: dict[str, str] = {}
        self._touched_doors: dict[str, None] = {}
        self._max_event_id: int | None = None
        self._last_poll_ok_wall: datetime | None = None
        self._entity_ids: dict[str, str] = {}
        self.delivered = 0
        self.replayed = 0

    @property
    def held_records(self) -> int:
        """Return how many records wait to be matched against real-time events."""
        return len(self._pending)

    # --- lifecycle ---------------------------------------------------------

    async def async_start(self) -> None:
        """Load the cursor and start polling."""
        stored = await self._store.async_load() or {}
        self.cursor = stored.get("cursor")
        for item in stored.get("unmatched", []):
            key: MatchKey = (str(item[0]), str(item[1]), str(item[2]))
            self._remember_delivery(key)
            self._restored.add(key)
        if self.records and self.cursor is None:
            try:
                # No record yet: every record to come is after 0.
                latest = await self.adapter.latest_record_id(kind=RecordKind.SWIPE)
                self.cursor = latest or 0
            except AcsError as err:
                LOGGER.debug("Cannot read the newest record id yet: %s", err)
            self._save()
        self._schedule(0)

    async def async_stop(self) -> None:
        """Stop polling and store the cursor."""
        self._stopped = True
        if self._unsub:
            self._unsub()
            self._unsub = None
        if self._task and not self._task.done():
            self._task.cancel()
        await self._store.async_save(self._data_to_store())

    @callback
    def _schedule(self, delay: float) -> None:
        if self._stopped:
            return
        self._unsub = async_call_later(self.hass, delay, self._async_timer)

    @callback
    def _async_timer(self, _now: datetime) -> None:
        self._unsub = None
        self._task = self.entry.async_create_background_task(
            self.hass, self._async_run_once(), f"{DOMAIN} event poll"
        )

    async def _async_run_once(self) -> None:
        started = time.monotonic()
        try:
            await self.async_poll()
        finally:
            elapsed = time.monotonic() - started
            self._schedule(max(0.0, self.interval - elapsed))

    # --- one round ---------------------------------------------------------

    async def async_poll(self) -> None:
        """Run one round: the real-time cache, then the records when due."""
        started = time.monotonic()
        if self.realtime:
            await self._poll_realtime(started)
        if self.records and (
            self._reconcile_due or started - self._last_reconcile >= RECONCILE_SECONDS
        ):
            await self._reconcile(started)

    async def _poll_realtime(self, started: float) -> None:
        data = self.coordinator.data
        controller_ids = list(data.controllers) if data else []
        if not controller_ids:
            return
        if (
            self._last_poll_ok is not None
            and started - self._last_poll_ok > self.cache_seconds
        ):
            # Late: the cache may have dropped events since the last good poll.
            LOGGER.debug("Event poll came %.1f s late", started - self._last_poll_ok)
            self._reconcile_due = True
        try:
            async with asyncio.timeout(max(self.cache_seconds, self.interval) * 2):
                events = await self.adapter.poll_events(controller_ids)
        except (AcsError, TimeoutError) as err:
            LOGGER.debug("Event poll failed: %s", err)
            self._reconcile_due = True
            return
        self._last_poll_ok = started
        self._last_poll_ok_wall = dt_util.utcnow()
        self._prune_seen(started)
        events = sorted(events, key=lambda e: e.event_id)
        if (
            events
            and self._max_event_id is not None
            and (events[-1].event_id < self._max_event_id)
        ):
            self._server_restarted()
        if events:
            self._max_event_id = events[-1].event_id
        for event in events:
            access = Access.from_event(event)
            seen = self._seen.get(event.event_id)
            if seen is not None and seen[0] == access.key:
                continue
            if seen is not None:
                # A known id with another swipe: the server restarted.
                self._server_restarted()
            self._seen[event.event_id] = (access.key, started)
            if access.key in self._restored:
                # Delivered before Home Assistant restarted; still in the cache.
                continue
            self._remember_delivery(access.key)
            self._realtime_since_reconcile += 1
            self._deliver(access)
        self._restored.clear()
        # Records read before this poll started and still unmatched were missed.
        self._release_pending(started)
        self._refresh_touched_doors()

    def _refresh_touched_doors(self) -> None:
        """Read the doors that granted swipes opened, once each, within a budget.

        Doors past the budget are read first at the next state poll.
        """
        if not self._touched_doors:
            return
        doors = list(self._touched_doors)
        self._touched_doors.clear()
        self.coordinator.mark_doors_dirty(doors)
        budget = max(1, int(DOOR_STATE_REQUESTS_PER_SECOND * self.interval))
        self.entry.async_create_background_task(
            self.hass,
            self.coordinator.async_refresh_doors(doors[:budget]),
            f"{DOMAIN} door refresh",
        )

    def _server_restarted(self) -> None:
        """Event ids started over: the cache lost what it held, read the records now."""
        if not self._reconcile_due:
            LOGGER.debug("Event ids started over: the server restarted")
        self._reconcile_due = True

    def _prune_seen(self, now: float) -> None:
        """Forget event ids seen long ago; at most once per SEEN_SECONDS."""
        if now < self._next_prune:
            return
        self._next_prune = now + SEEN_SECONDS
        limit = now - SEEN_SECONDS
        self._seen = {k: v for k, v in self._seen.items() if v[1] >= limit}

    async def _reconcile(self, started: float) -> None:
        """Read the records after the cursor and hold them for matching."""
        self._last_reconcile = started
        after_gap = self._reconcile_due
        try:
            if self.cursor is None:
                latest = await self.adapter.latest_record_id(kind=RecordKind.SWIPE)
                self.cursor = latest or 0
                self._save()
                self._reconcile_due = False
                return
            cursor = max([self.cursor, *self._pending])
            records = await self._records_after(cursor)
            if not records and (self._realtime_since_reconcile or after_gap):
                # Swipes arrived, or a gap is being filled, but no record is
                # after the cursor: the server's database may have been
                # restored, its record ids starting over.
                latest = await self.adapter.latest_record_id(kind=RecordKind.SWIPE)
                if latest is not None and latest < cursor:
                    LOGGER.info(
                        "Record ids started over (%s < %s): following the new ones",
                        latest,
                        cursor,
                    )
                    self._pending.clear()
                    self.cursor = await self._first_record_after_last_poll(latest)
                    self._save()
                    records = await self._records_after(self.cursor)
            self._realtime_since_reconcile = 0
        except AcsError as err:
            LOGGER.debug("Cannot read records after %s: %s", self.cursor, err)
            self._reconcile_due = True
            return
        self._reconcile_due = False
        if records and self.cursor is not None and records[0].record_id <= self.cursor:
            records = [r for r in records if r.record_id > self.cursor]
        too_old: list[AccessRecord] = []
        oldest = dt_util.utcnow() - self.replay
        for record in records:
            if record.time is not None and record.time < oldest:
                too_old.append(record)
            else:
                self._pending[record.record_id] = (started, record)
        if too_old:
            self._report_old_gap(too_old)
            self._advance_cursor(max(r.record_id for r in too_old))
        if not self.realtime:
            self._release_pending(time.monotonic())

    async def _records_after(self, record_id: int) -> list[AccessRecord]:
        """Read every swipe record after ``record_id``, alarms included."""
        return [
            record
            async for record in self.adapter.records_after(
                record_id, kind=RecordKind.SWIPE, alarms=AlarmFilter.INCLUDE
            )
        ]

    async def _first_record_after_last_poll(self, latest: int) -> int:
        """Return the cursor just before the records the real-time path may have missed.

        That is the first record made since a little before the last good
        real-time poll (what real time delivered since is matched and dropped).
        """
        now = dt_util.utcnow()
        since = (self._last_poll_ok_wall or now) - RESTORE_LOOKBACK
        async for record in self.adapter.records_between(
            since,
            now + RESTORE_LOOKBACK,
            kind=RecordKind.SWIPE,
            alarms=AlarmFilter.INCLUDE,
        ):
            return min(record.record_id - 1, latest)
        return latest

    def _release_pending(self, poll_started: float) -> None:
        """Deliver held records that no real-time event matched."""
        ready = sorted(
            (
                record
                for read_at, record in self._pending.values()
                if read_at <= poll_started
            ),
            key=lambda r: r.record_id,
        )
        if not ready:
            return
        for record in ready:
            del self._pending[record.record_id]
            access = Access.from_record(record)
            if self._unmatched[access.key] > 0:
                self._unmatched[access.key] -= 1
                continue
            self.replayed += 1
            self._deliver(access)
        # Everything up to the first record still held has been handled.
        held = min(self._pending, default=None)
        done = [r.record_id for r in ready if held is None or r.record_id < held]
        if done:
            self._advance_cursor(max(done))

    def _advance_cursor(self, record_id: int) -> None:
        if self.cursor is None or record_id > self.cursor:
            self.cursor = record_id
            self._save()

    def _report_old_gap(self, records: list[AccessRecord]) -> None:
        first = min((r.time for r in records if r.time), default=None)
        LOGGER.warning(
            "%d access events since %s are older than %d minutes and were not replayed",
            len(records),
            first.isoformat() if first else "?",
            int(self.replay.total_seconds() // 60),
        )
        ir.async_create_issue(
            self.hass,
            DOMAIN,
            f"events_gap_{self.entry.entry_id}",
            is_fixable=False,
            is_persistent=False,
            severity=ir.IssueSeverity.WARNING,
            translation_key="events_gap",
            translation_placeholders={
                "count": str(len(records)),
                "since": first.isoformat() if first else "?",
                "minutes": str(int(self.replay.total_seconds() // 60)),
            },
        )

    # --- delivery ----------------------------------------------------------

    def _remember_delivery(self, key: MatchKey) -> None:
        self._unmatched[key] += 1
        self._delivered_order.append(key)
        while len(self._delivered_order) > DELIVERED_KEYS_MAX:
            old = self._delivered_order.popleft()
            if self._unmatched[old] > 0:
                self._unmatched[old] -= 1
            if self._unmatched[old] <= 0:
                del self._unmatched[old]
        self._save()

    def _entity_id(self, door_id: str | None) -> str | None:
        """Return the door's access event entity, which the logbook files it under."""
        if door_id is None:
            return None
        if door_id not in self._entity_ids:
            entity_id = er.async_get(self.hass).async_get_entity_id(
                "event",
                DOMAIN,
                entity_unique_id(
                    self.entry.entry_id, door_key(door_id), ACCESS_EVENT_KEY
                ),
            )
            if entity_id is None:
                return None
            self._entity_ids[door_id] = entity_id
        return self._entity_ids[door_id]

    def _device_id(self, door_id: str | None) -> str | None:
        if door_id is None:
            return None
        if door_id not in self._device_ids:
            device_id = async_get_door_device_id(self.hass, self.entry, door_id)
            if device_id is None:
                return None
            self._device_ids[door_id] = device_id
        return self._device_ids[door_id]

    @callback
    def _deliver(self, access: Access) -> None:
        """Deliver one access event: bus event, door event entity, door refresh."""
        self.delivered += 1
        data = self.coordinator.data
        door_name = (
            data.door_names.get(access.door_id) if data and access.door_id else None
        )
        event_data = {
            "entry_id": self.entry.entry_id,
            "device_id": self._device_id(access.door_id),
            "entity_id": self._entity_id(access.door_id),
            "door_id": access.door_id,
            "door_name": door_name,
            "controller_id": access.controller_id,
            "event_id": access.event_id,
            "record_id": access.record_id,
            "time": access.time.isoformat() if access.time else None,
            "code": access.code,
            "name": access.name,
            "granted": access.granted,
            "reason": access.reason.value,
            "reason_code": access.reason_code,
            "card_no": access.card_no,
            "user_no": access.user_no,
            "user_name": access.user_name,
            "org_name": access.org_name,
            "direction": access.direction.value if access.direction else None,
            "is_alarm": access.is_alarm,
            "replayed": access.replayed,
        }
        self.hass.bus.async_fire(EVENT_ACCESS, event_data)
        if access.door_id:
            async_dispatcher_send(
                self.hass,
                door_signal(self.entry.entry_id, access.door_id),
                access.event_type,
                {
                    key: event_data[key]
                    for key in (
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
                },
            )
            if access.granted and not access.replayed:
                # A granted swipe opens the door: its state is read after the poll.
                self._touched_doors[access.door_id] = None

    # --- storage -----------------------------------------------------------

    def _data_to_store(self) -> dict[str, Any]:
        self._save_scheduled = False
        return {
            "cursor": self.cursor,
            "unmatched": [
                list(key) for key in self._delivered_order if self._unmatched[key] > 0
            ][-DELIVERED_KEYS_MAX:],
        }

    def _save(self) -> None:
        # Scheduled once per SAVE_DELAY: calling async_delay_save on every swipe
        # would push the write back for as long as swipes keep coming.
        if not self._save_scheduled:
            self._save_scheduled = True
            self._store.async_delay_save(self._data_to_store, SAVE_DELAY)
