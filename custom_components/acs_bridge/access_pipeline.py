"""Access events, exactly once and gap-free: the reading and the delivery.

One pipeline, two sources:

- the real-time cache, polled every ``event_interval`` (the server keeps an
  event for only a couple of seconds);
- the swipe records after a stored cursor, read every few seconds and at once
  after a failed or late poll or a restart.

What to deliver is the access ledger's decision (``access_ledger.py``); this
module keeps its time, stores its state, calls the adapter, reports a gap too
old to replay, and delivers: the bus event, the door's event entity and a
refresh of the door a granted swipe opened.
"""

from __future__ import annotations

import asyncio
from datetime import timedelta
from functools import partial
import time
from typing import Any

from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers import entity_registry as er, issue_registry as ir
from homeassistant.helpers.dispatcher import async_dispatcher_send
from homeassistant.helpers.storage import Store
from homeassistant.util import dt as dt_util

from .access_ledger import AccessLedger, DeliveredAccess
from .adapters import (
    AccessRecord,
    AcsError,
    AlarmFilter,
    Capability,
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
    LOGGER,
    door_signal,
    store_key,
)
from .coordinator import AcsConfigEntry, AcsCoordinator, async_get_door_device_id
from .delivery_gate import DeliveryGate
from .event_feed import EventFeed
from .identifiers import door_key, entity_unique_id, server_key
from .poller import Poller

STORAGE_VERSION = 1
SAVE_DELAY = 2.0
DEFAULT_CACHE_SECONDS = 2.0
# After the server's records start over, look this far before the last good
# real-time poll for records it may have missed (clocks may differ a little).
RESTORE_LOOKBACK = timedelta(seconds=60)
# The description key of a door's access event entity (event.py).
ACCESS_EVENT_KEY = "access"


def gap_issue_id(entry_id: str) -> str:
    """Return the id of the repair issue of events too old to replay."""
    return f"events_gap_{entry_id}"


async def async_remove_stores(hass: HomeAssistant, entry_id: str) -> None:
    """Remove what an entry stored (its event cursor and announced alarms)."""
    for what in ("events", "alarms"):
        await Store[dict[str, Any]](
            hass, STORAGE_VERSION, store_key(entry_id, what)
        ).async_remove()


class AccessEventPipeline:
    """Poll, recover and deliver the access events of one server."""

    def __init__(
        self,
        hass: HomeAssistant,
        entry: AcsConfigEntry,
        coordinator: AcsCoordinator,
        gate: DeliveryGate | None = None,
    ) -> None:
        """Read the options; nothing runs before ``async_start``.

        ``gate`` holds deliveries while Home Assistant starts.
        """
        self.hass = hass
        self.entry = entry
        self.gate = gate or DeliveryGate(hass, entry)
        self.adapter = adapter = coordinator.adapter
        self.coordinator = coordinator
        self.interval = float(
            entry.options.get(CONF_EVENT_INTERVAL, DEFAULT_EVENT_INTERVAL)
        )
        replay = timedelta(
            minutes=int(entry.options.get(CONF_REPLAY_MINUTES, DEFAULT_REPLAY_MINUTES))
        )
        self.realtime = adapter.supports(Capability.REALTIME_EVENTS)
        self.records = adapter.supports(Capability.RECORDS) and replay > timedelta()
        self.ledger = AccessLedger(
            cache_seconds=adapter.realtime_cache_seconds or DEFAULT_CACHE_SECONDS,
            replay=replay,
            on_change=self._save,
        )
        self.feed = EventFeed(hass, self.ledger.cache_seconds, entry.title)
        self._store: Store[dict[str, Any]] = Store(
            hass, STORAGE_VERSION, store_key(entry.entry_id, "events")
        )
        # The server the cursor belongs to (fixed now: a reconfigure updates
        # the entry before this pipeline stores its state on unload).
        self._server = server_key(entry.data)
        self._save_scheduled = False
        self._poller = Poller(
            hass, entry, f"{DOMAIN} event poll", self.interval, self.async_poll
        )
        self._device_ids: dict[str, str] = {}
        self._entity_ids: dict[str, str] = {}
        self._touched_doors: dict[str, None] = {}
        self._records_task: asyncio.Task[None] | None = None
        # One real-time read at a time: the ledger takes the batches in the
        # order the server answered them (a recovery poll runs beside the
        # timer's).
        self._live_lock = asyncio.Lock()
        self.delivered = 0
        self.replayed = 0

    @property
    def cursor(self) -> int | None:
        """Return the id of the last record handled."""
        return self.ledger.cursor

    @property
    def held_records(self) -> int:
        """Return how many records wait to be matched against real-time events."""
        return self.ledger.held_records

    # --- lifecycle ---------------------------------------------------------

    async def async_start(self) -> None:
        """Load the cursor and start polling."""
        stored = await self._store.async_load() or {}
        if stored.get("server", self._server) != self._server:
            # Reconfigured to another server: its record ids are not ours.
            # Start at its newest record (no false gap, no replay of its past).
            LOGGER.info("The server changed: following its records from now on")
            stored = {}
        self.ledger.restore(stored, time.monotonic(), time.time())
        if self.records and self.ledger.cursor is None:
            try:
                latest = await self.adapter.latest_record_id(kind=RecordKind.SWIPE)
            except AcsError as err:
                LOGGER.debug("Cannot read the newest record id yet: %s", err)
            else:
                # No record yet: every record to come is after 0.
                self.ledger.set_cursor(latest)
            self._save()
        if self.realtime:
            self.feed.start()
        self._poller.async_schedule(0)

    async def async_stop(self) -> None:
        """Stop polling and store the cursor."""
        self._poller.async_stop()
        self.feed.stop()
        if self._records_task and not self._records_task.done():
            self._records_task.cancel()
        await self._store.async_save(self._data_to_store())

    # --- one round ---------------------------------------------------------

    async def async_poll(self) -> None:
        """Run one round: the real-time cache, and start a read of the records when due.

        The records are read beside the real-time polls, one read at a time,
        so a slow read never delays the next poll of the 2 s cache. After a
        failed or late poll, the read that fills the gap in the first round
        whose real-time poll succeeds is followed at once by one more read of
        the cache: a record that this poll, started after the records were
        read, does not match can no longer arrive live, so the ledger releases
        it now (marked replayed) rather than a whole interval later. That costs
        one extra request per recovery and reads no clock of the server's.
        While the real-time call fails, no such poll is made (it would fail
        too); the next round's poll, or the cache window, releases them.
        """
        started = time.monotonic()
        live_ok = True
        if self.realtime:
            live_ok = await self._poll_realtime()
        if (
            self.records
            and self.ledger.records_due(started)
            and (self._records_task is None or self._records_task.done())
        ):
            self._records_task = self.entry.async_create_background_task(
                self.hass,
                self._reconcile_and_recover(recover=live_ok),
                f"{DOMAIN} record read",
            )

    async def _reconcile_and_recover(self, *, recover: bool) -> None:
        """Read the records; after a gap, poll the cache once more at once.

        ``recover``: the real-time poll of the round that started this read
        succeeded.
        """
        filled_gap = await self._reconcile()
        if filled_gap and recover and self.realtime:
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
        data = self.coordinator.data
        controller_ids = list(data.controllers) if data else []
        if not controller_ids:
            self.feed.read_ok()  # no controller: no cache to miss
            return True
        cache_seconds = self.ledger.cache_seconds
        try:
            async with asyncio.timeout(max(cache_seconds, self.interval) * 2):
                events = await self.adapter.poll_events(controller_ids)
        except (AcsError, TimeoutError) as err:
            LOGGER.debug("Event poll failed: %s", err)
            # Records the cache can no longer deliver are released now.
            self._deliver_all(self.ledger.realtime_failed(time.monotonic()))
            return False
        self.feed.read_ok()
        self._deliver_all(self.ledger.realtime_batch(events, started))
        self._refresh_touched_doors()
        return True

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
                return False
            records = await self._records_after(ledger.read_after)
            if not records and ledger.may_have_started_over(after_gap):
                latest = await self.adapter.latest_record_id(kind=RecordKind.SWIPE)
                if latest is not None and ledger.records_started_over(latest):
                    ledger.set_cursor(await self._first_record_after_last_poll(latest))
                    records = await self._records_after(ledger.read_after)
        except AcsError as err:
            LOGGER.debug("Cannot read records after %s: %s", ledger.cursor, err)
            ledger.records_failed()
            return False
        # The read ended now: a poll that starts later would see any of these
        # swipes still in the cache.
        too_old = ledger.record_batch(records, time.monotonic())
        if too_old:
            self._report_old_gap(too_old)
        if not self.realtime:
            self._deliver_all(ledger.release_due(time.monotonic()))
        return after_gap

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
        # The server's own clock (the newest time it reported), not ours.
        now = self.ledger.server_time or dt_util.utcnow()
        since = now - RESTORE_LOOKBACK
        async for record in self.adapter.records_between(
            since,
            now + timedelta(days=1),
            kind=RecordKind.SWIPE,
            alarms=AlarmFilter.INCLUDE,
        ):
            return min(record.record_id - 1, latest)
        return latest

    def _report_old_gap(self, records: list[AccessRecord]) -> None:
        first = min((r.time for r in records if r.time), default=None)
        minutes = int(self.ledger.replay.total_seconds() // 60)
        LOGGER.warning(
            "%d access events since %s are older than %d minutes and were not replayed",
            len(records),
            first.isoformat() if first else "?",
            minutes,
        )
        ir.async_create_issue(
            self.hass,
            DOMAIN,
            gap_issue_id(self.entry.entry_id),
            # Acknowledged in its repair flow (Home Assistant's confirm step).
            is_fixable=True,
            is_persistent=False,
            severity=ir.IssueSeverity.WARNING,
            translation_key="events_gap",
            translation_placeholders={
                "count": str(len(records)),
                "since": first.isoformat() if first else "?",
                "minutes": str(minutes),
            },
        )

    # --- delivery ----------------------------------------------------------

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
    def _deliver_all(self, deliveries: list[DeliveredAccess]) -> None:
        for access in deliveries:
            if not access.replayed and (access.event.is_alarm or access.event.forced):
                # The swipe is an alarm: read the alarm list now, not in a second.
                self.entry.runtime_data.alarms.async_request_poll()
            # Held while Home Assistant starts, so automations see them.
            self.gate.run(partial(self._deliver, access))

    @callback
    def _deliver(self, access: DeliveredAccess) -> None:
        """Deliver one access event: bus event, door event entity, door refresh."""
        self.delivered += 1
        if access.replayed:
            self.replayed += 1
        door_id = access.event.door_id
        data = self.coordinator.data
        self.hass.bus.async_fire(
            EVENT_ACCESS,
            access.bus_data(
                entry_id=self.entry.entry_id,
                device_id=self._device_id(door_id),
                entity_id=self._entity_id(door_id),
                door_name=data.door_names.get(door_id) if data and door_id else None,
            ),
        )
        if door_id:
            async_dispatcher_send(
                self.hass,
                door_signal(self.entry.entry_id, door_id),
                access.event_type,
                access.dispatcher_payload(),
            )
            if access.event.granted and not access.replayed:
                # A granted swipe opens the door: its state is read after the poll.
                self._touched_doors[door_id] = None

    # --- storage -----------------------------------------------------------

    def _data_to_store(self) -> dict[str, Any]:
        self._save_scheduled = False
        return {
            **self.ledger.snapshot(time.monotonic(), time.time()),
            "server": self._server,
        }

    def _save(self) -> None:
        # Scheduled once per SAVE_DELAY: calling async_delay_save on every swipe
        # would push the write back for as long as swipes keep coming.
        if not self._save_scheduled:
            self._save_scheduled = True
            self._store.async_delay_save(self._data_to_store, SAVE_DELAY)
