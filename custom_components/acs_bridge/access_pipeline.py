"""Access events, exactly once and gap-free: the delivery of an adapter's event source.

The adapter's event source (``adapters/events.py``) decides what happened and
in which order; how it finds out is the plugin's business. This module runs it
(calling a polling source every ``event_interval``), and for each batch it is
handed:

- delivers each event once: the ``acs_bridge_access`` bus event, the door's
  event entity and a refresh of the door a granted event opened, through the
  start-up gate (events read while Home Assistant starts wait for automations);
  an event whose key was delivered recently is not delivered again;
- stores the cursor after the batch and the recently delivered keys, so a
  restart neither loses nor repeats an event;
- reports events lost for good with a repair issue;
- tells the event feed sensor whether events arrive;
- passes door changes to the coordinator and alarms to the alarm notifier.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine
from datetime import timedelta
from functools import partial
import json
import time
from typing import Any, Final

from homeassistant.config_entries import ConfigEntry
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers import entity_registry as er, issue_registry as ir
from homeassistant.helpers.dispatcher import async_dispatcher_send
from homeassistant.helpers.storage import Store

from .adapters import EventBatch, EventGap, EventSource, FeedHealth
from .const import (
    CONF_EVENT_INTERVAL,
    CONF_REPLAY_MINUTES,
    DEFAULT_REPLAY_MINUTES,
    DOMAIN,
    DOOR_STATE_REQUESTS_PER_SECOND,
    EVENT_ACCESS,
    LOGGER,
    door_signal,
    store_key,
)
from .coordinator import AcsCoordinator
from .delivered import DeliveredAccess
from .delivery_gate import DeliveryGate
from .devices import async_get_door_device_id
from .event_feed import EventFeed
from .identifiers import door_key, entity_unique_id, server_key
from .poller import Poller

STORAGE_VERSION: Final = 2
ALARMS_STORAGE_VERSION: Final = 1
SAVE_DELAY: Final = 2.0
# The description key of a door's access event entity (event.py).
ACCESS_EVENT_KEY: Final = "access"
# Delivered keys are remembered this long (at least the replay window) and at
# most this many: an event handed over again after a restart is not repeated.
RECENT_KEYS_SECONDS: Final = 600.0
RECENT_KEYS_MAX: Final = 5000

type AlarmSink = Callable[[EventBatch], None]


def gap_issue_id(entry_id: str) -> str:
    """Return the id of the repair issue of events too old to replay."""
    return f"events_gap_{entry_id}"


class _EventStore(Store[dict[str, Any]]):
    """The stored cursor and recent keys; version 1 had integer record ids."""

    async def _async_migrate_func(
        self,
        old_major_version: int,
        old_minor_version: int,
        old_data: dict[str, Any],
    ) -> dict[str, Any]:
        if old_major_version >= 2:
            return old_data
        # Version 1 kept the state of the one event source of its time (a
        # record id, the deliveries still to match, the live ids still
        # cached) as plain fields. Now a source's state is its opaque cursor:
        # the same fields, serialised, which that source reads back.
        state = {key: value for key, value in old_data.items() if key != "server"}
        migrated: dict[str, Any] = {
            "cursor": json.dumps(state, ensure_ascii=False) if state else None,
            "keys": [],
        }
        if "server" in old_data:
            migrated["server"] = old_data["server"]
        return migrated


def _event_store(hass: HomeAssistant, entry_id: str) -> _EventStore:
    return _EventStore(hass, STORAGE_VERSION, store_key(entry_id, "events"))


async def async_remove_stores(hass: HomeAssistant, entry_id: str) -> None:
    """Remove what an entry stored (its event cursor and announced alarms)."""
    await _event_store(hass, entry_id).async_remove()
    await Store[dict[str, Any]](
        hass, ALARMS_STORAGE_VERSION, store_key(entry_id, "alarms")
    ).async_remove()


class AccessEventPipeline:
    """Run one server's event source and deliver what it hands over."""

    def __init__(
        self,
        hass: HomeAssistant,
        entry: ConfigEntry,
        coordinator: AcsCoordinator,
        gate: DeliveryGate | None = None,
        *,
        on_alarm_event: Callable[[], None] | None = None,
        alarm_sink: AlarmSink | None = None,
    ) -> None:
        """Build the source from the options; nothing runs before ``async_start``.

        ``gate`` holds deliveries while Home Assistant starts;
        ``on_alarm_event`` is called when a live event is an alarm (read the
        alarm list now); ``alarm_sink`` takes the alarms a batch reports.
        """
        self.hass = hass
        self.entry = entry
        self.gate = gate or DeliveryGate(hass, entry)
        self.adapter = adapter = coordinator.adapter
        self.coordinator = coordinator
        self._on_alarm_event = on_alarm_event
        self._alarm_sink = alarm_sink
        polling = adapter.event_polling
        self.interval = float(
            entry.options.get(CONF_EVENT_INTERVAL, polling.default) if polling else 1.0
        )
        self.replay = timedelta(
            minutes=int(entry.options.get(CONF_REPLAY_MINUTES, DEFAULT_REPLAY_MINUTES))
        )
        self.source: EventSource | None = adapter.event_source(
            self, interval=self.interval, replay=self.replay
        )
        self.feed = EventFeed(
            hass, self.source.feed_timeout if self.source else None, entry.title
        )
        self._store = _event_store(hass, entry.entry_id)
        # The server the cursor belongs to (fixed now: a reconfigure updates
        # the entry before this pipeline stores its state on unload).
        self._server = server_key(entry.data)
        self._cursor: str | None = None
        # The source's cursor moved; read it when storing (EventBatch.cursor_moved).
        self._cursor_moved = False
        # key -> Unix time delivered, oldest first
        self._recent: dict[str, float] = {}
        self._save_scheduled = False
        self._poller = Poller(
            hass, entry, f"{DOMAIN} event poll", self.interval, self.async_poll
        )
        self._device_ids: dict[str, str] = {}
        self._entity_ids: dict[str, str] = {}
        self._touched_doors: dict[str, None] = {}
        self._read_doors = not (self.source and self.source.reports_doors)
        # Doors waiting for the refresh after the one in flight (at most one).
        self._doors_to_refresh: dict[str, None] = {}
        self._door_refresh: asyncio.Task[None] | None = None
        self._started = False
        self.delivered = 0
        self.replayed = 0

    @property
    def cursor(self) -> str | None:
        """Return the source's cursor after the last batch (opaque)."""
        if self._cursor_moved and self.source is not None:
            self._cursor_moved = False
            self._cursor = self.source.cursor
        return self._cursor

    # --- the sink the source hands its batches to ---------------------------

    def create_task(
        self, coro: Coroutine[Any, Any, None], name: str
    ) -> asyncio.Task[None]:
        """Run work of the source as a background task of the entry."""
        return self.entry.async_create_background_task(
            self.hass, coro, f"{DOMAIN} {name}"
        )

    @callback
    def deliver(self, batch: EventBatch) -> None:
        """Take one batch: deliver its events, store its cursor, report the rest."""
        now = time.time()
        self._prune_recent(now)
        for item in batch.events:
            key = item.event.key
            if key:
                if key in self._recent:
                    LOGGER.debug("Event %s was delivered already", key)
                    continue
                self._recent[key] = now
            access = DeliveredAccess(item.event, item.replayed)
            if (
                not access.replayed
                and (access.event.is_alarm or access.event.forced)
                and self._on_alarm_event
            ):
                # The event is an alarm: read the alarm list now, not in a second.
                self._on_alarm_event()
            # Held while Home Assistant starts, so automations see them.
            self.gate.run(partial(self._deliver, access))
        if batch.cursor is not None:
            self._cursor = batch.cursor
        if batch.cursor_moved:
            self._cursor_moved = True
        if batch.cursor is not None or batch.cursor_moved or batch.events:
            self._save()
        if batch.gap is not None:
            self._report_gap(batch.gap)
        if batch.health is FeedHealth.UP:
            self.feed.read_ok()
        elif batch.health is FeedHealth.DOWN:
            self.feed.read_failed()
        if batch.door_changes:
            self.coordinator.async_apply_door_changes(batch.door_changes)
        if (batch.alarms_raised or batch.alarms_ended) and self._alarm_sink:
            self._alarm_sink(batch)
        self._refresh_touched_doors()

    def _prune_recent(self, now: float) -> None:
        limit = now - max(RECENT_KEYS_SECONDS, self.replay.total_seconds())
        recent = self._recent
        while recent:
            key, at = next(iter(recent.items()))
            if at >= limit and len(recent) <= RECENT_KEYS_MAX:
                break
            del recent[key]

    # --- lifecycle ---------------------------------------------------------

    async def async_start(self) -> None:
        """Load the cursor, start the source and, if it polls, poll it."""
        stored = await self._store.async_load() or {}
        if stored.get("server", self._server) != self._server:
            # Reconfigured to another server: its cursor is not ours. Start
            # from now on (no false gap, no replay of its past).
            LOGGER.info("The server changed: following its events from now on")
            stored = {}
        cursor = stored.get("cursor")
        self._cursor = str(cursor) if cursor is not None else None
        for item in stored.get("keys", []):
            try:
                self._recent[str(item[0])] = float(item[1])
            except (TypeError, ValueError, IndexError):
                continue
        if self.source is None:
            return
        await self.source.async_start(self._cursor)
        self._save()
        self._started = True
        if self.source.feed_timeout is not None:
            self.feed.start()
        if self.source.polls:
            self._poller.async_schedule(0)

    async def async_stop(self) -> None:
        """Stop the source and store where it stopped."""
        self._poller.async_stop()
        self.feed.stop()
        if self.source is not None and self._started:
            await self.source.async_stop()
            self._cursor = self.source.cursor
        await self._store.async_save(self._data_to_store())

    async def async_poll(self) -> None:
        """Run one round of a polling source (what it finds is delivered)."""
        if self.source is not None:
            await self.source.async_poll()

    # --- delivery ----------------------------------------------------------

    def _refresh_touched_doors(self) -> None:
        """Read the doors that granted events opened, once each, within a budget.

        One refresh at a time: doors touched while one is in flight are read
        together by one more when it ends. (A pushing source hands over a batch
        per event: a read per batch would queue up behind the device's serial
        requests when events come faster than it answers, and hold back every
        other request, door commands included.) Doors past the budget are read
        first at the next state poll.
        """
        if not self._touched_doors:
            return
        doors = list(self._touched_doors)
        self._touched_doors.clear()
        self.coordinator.mark_doors_dirty(doors)
        self._doors_to_refresh.update(dict.fromkeys(doors))
        if self._door_refresh is None or self._door_refresh.done():
            self._door_refresh = self.entry.async_create_background_task(
                self.hass, self._refresh_doors(), f"{DOMAIN} door refresh"
            )

    async def _refresh_doors(self) -> None:
        budget = max(1, int(DOOR_STATE_REQUESTS_PER_SECOND * self.interval))
        while self._doors_to_refresh:
            doors = list(self._doors_to_refresh)
            self._doors_to_refresh.clear()
            await self.coordinator.async_refresh_doors(doors[:budget])

    def _report_gap(self, gap: EventGap) -> None:
        minutes = int(self.replay.total_seconds() // 60)
        since = gap.since.isoformat() if gap.since else "?"
        LOGGER.warning(
            "%d access events since %s are older than %d minutes and were not replayed",
            gap.count,
            since,
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
                "count": str(gap.count),
                "since": since,
                "minutes": str(minutes),
            },
        )

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
    def _deliver(self, access: DeliveredAccess) -> None:
        """Deliver one access event: bus event, door event entity, door refresh."""
        self.delivered += 1
        if access.replayed:
            self.replayed += 1
        door_id = access.event.door_id
        data = self.coordinator.data
        fields = access.fields()  # once for the bus event and the entity
        self.hass.bus.async_fire(
            EVENT_ACCESS,
            access.bus_data(
                entry_id=self.entry.entry_id,
                device_id=self._device_id(door_id),
                entity_id=self._entity_id(door_id),
                door_name=data.door_names.get(door_id) if data and door_id else None,
                fields=fields,
            ),
        )
        if door_id:
            async_dispatcher_send(
                self.hass,
                door_signal(self.entry.entry_id, door_id),
                access.event_type,
                access.dispatcher_payload(fields),
            )
            if access.event.granted and not access.replayed and self._read_doors:
                # A granted event opens the door: its state is read after the
                # batch (unless the feed itself reports the door moving).
                self._touched_doors[door_id] = None

    # --- storage -----------------------------------------------------------

    def diagnostics(self) -> dict[str, Any]:
        """Return the delivery figures and the source's own."""
        return {
            "delivered": self.delivered,
            "replayed": self.replayed,
            "recent_keys": len(self._recent),
            "source": self.source.diagnostics() if self.source else None,
        }

    def _data_to_store(self) -> dict[str, Any]:
        self._save_scheduled = False
        return {
            "cursor": self.cursor,
            "keys": [[key, round(at, 3)] for key, at in self._recent.items()],
            "server": self._server,
        }

    def _save(self) -> None:
        # Scheduled once per SAVE_DELAY: calling async_delay_save on every event
        # would push the write back for as long as events keep coming.
        if not self._save_scheduled:
            self._save_scheduled = True
            self._store.async_delay_save(self._data_to_store, SAVE_DELAY)
