"""Unconfirmed alarms as bus events and persistent notifications.

The alarm list has its own poll, every ``ALARM_INTERVAL`` (one request a
second), apart from the coordinator's state poll: a forced door must be a
notification within about a second, not at the next 10 s state poll. The
coordinator no longer reads the alarms; the list read here is its ``alarms``
(the unconfirmed alarms sensor), so nothing is read twice. An access event
that is itself an alarm asks for a read at once (``async_request_poll``).

Each list is compared with the alarms already announced (a set that is stored,
so a restart does not announce them again): a new alarm fires
``acs_bridge_alarm`` and, when the option is on, a persistent notification; an
alarm the server no longer lists has its notification dismissed.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import partial
from typing import Any

from homeassistant.components import persistent_notification
from homeassistant.config_entries import ConfigEntry
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers.storage import Store
from homeassistant.helpers.translation import async_get_translations

from .adapters import AcsError, AcsNotSupportedError, Alarm, Capability, EventBatch
from .const import (
    CONF_ALARM_NOTIFICATIONS,
    DEFAULT_ALARM_NOTIFICATIONS,
    DOMAIN,
    EVENT_ALARM,
    LOGGER,
    store_key,
)
from .coordinator import AcsCoordinator
from .delivery_gate import DeliveryGate
from .devices import async_get_door_device_id
from .identifiers import server_key
from .poller import Poller

STORAGE_VERSION = 1
# Seconds between two reads of the alarm list: one request a second.
ALARM_INTERVAL = 1.0


def notification_id(entry_id: str, alarm_id: int) -> str:
    """Return the persistent notification id of an alarm."""
    return f"{DOMAIN}_{entry_id}_alarm_{alarm_id}"


@callback
def async_dismiss_notifications(
    hass: HomeAssistant, entry_id: str, alarm_ids: Iterable[int]
) -> None:
    """Dismiss the notifications of these alarms of an entry."""
    for alarm_id in alarm_ids:
        persistent_notification.async_dismiss(hass, notification_id(entry_id, alarm_id))


async def async_dismiss_stored_notifications(
    hass: HomeAssistant, entry_id: str
) -> None:
    """Dismiss the notifications of every alarm an entry stored as announced."""
    store: Store[dict[str, Any]] = Store(
        hass, STORAGE_VERSION, store_key(entry_id, "alarms")
    )
    stored = await store.async_load() or {}
    async_dismiss_notifications(
        hass, entry_id, (int(alarm_id) for alarm_id in stored.get("announced", []))
    )


class AlarmNotifier:
    """Announce new alarms once and dismiss cleared ones."""

    def __init__(
        self,
        hass: HomeAssistant,
        entry: ConfigEntry,
        coordinator: AcsCoordinator,
        gate: DeliveryGate | None = None,
    ) -> None:
        """Read the option; nothing runs before ``async_start``.

        ``gate`` holds the bus events while Home Assistant starts.
        """
        self.hass = hass
        self.gate = gate or DeliveryGate(hass, entry)
        self.entry = entry
        self.coordinator = coordinator
        self.notify = bool(
            entry.options.get(CONF_ALARM_NOTIFICATIONS, DEFAULT_ALARM_NOTIFICATIONS)
        )
        self._store: Store[dict[str, Any]] = Store(
            hass, STORAGE_VERSION, store_key(entry.entry_id, "alarms")
        )
        self.announced: set[int] = set()
        # Fixed now: a reconfigure updates the entry before the unload stores.
        self._server = server_key(entry.data)
        self._texts: dict[str, str] = {}
        self.enabled = coordinator.adapter.supports(Capability.ALARMS)
        self._restoring = True
        self._poller = Poller(
            hass, entry, f"{DOMAIN} alarm poll", ALARM_INTERVAL, self.async_poll
        )
        self._failed = False
        self.polls = 0
        # Alarms the event feed reported, for an adapter without an alarm list.
        self._pushed: dict[int, Alarm] = {}

    async def async_start(self) -> None:
        """Load the announced alarms, read the current list and start polling."""
        stored = await self._store.async_load() or {}
        self.announced = {int(alarm_id) for alarm_id in stored.get("announced", [])}
        if stored.get("server", self._server) != self._server:
            # Reconfigured to another server: the announced ids were the old
            # server's. Its notifications go; the new server's unconfirmed
            # alarms are announced as at a first start (a user who points
            # Home Assistant at a server wants to know what is open there).
            for alarm_id in self.announced:
                persistent_notification.async_dismiss(
                    self.hass, notification_id(self.entry.entry_id, alarm_id)
                )
            self.announced = set()
        self._texts = await async_get_translations(
            self.hass, self.hass.config.language, "exceptions", [DOMAIN]
        )
        if not self.enabled:
            return
        await self._poller.async_run()

    async def async_stop(self) -> None:
        """Stop polling and store the announced alarms now."""
        self._poller.async_stop()
        await self._store.async_save(self._data_to_store())

    # --- polling -----------------------------------------------------------

    @callback
    def async_request_poll(self) -> None:
        """Read the alarm list now (an access event was an alarm).

        The read replaces the next scheduled one, so the rate stays one a second.
        """
        if self.enabled:
            self._poller.async_poll_now()

    @callback
    def async_take_batch(self, batch: EventBatch) -> None:
        """Take the alarms the event feed reported raised or ended.

        With an alarm list, the list is read now (it stays the one truth);
        without, the reported alarms are the list.
        """
        if self.enabled:
            self.async_request_poll()
            return
        # Raised first, then ended: an alarm raised and ended in one batch (a
        # replay) is still announced on the bus, then its notification goes.
        if batch.alarms_raised:
            for alarm in batch.alarms_raised:
                self._pushed[alarm.alarm_id] = alarm
            self._update(dict(self._pushed))
        if batch.alarms_ended:
            for alarm_id in batch.alarms_ended:
                self._pushed.pop(alarm_id, None)
            self._update(dict(self._pushed))
        self.coordinator.async_set_alarms(dict(self._pushed))

    async def async_poll(self) -> None:
        """Read the alarm list once and announce or dismiss what changed."""
        self.polls += 1
        try:
            alarms = await self.coordinator.adapter.alarms()
        except AcsNotSupportedError:
            alarms = []
        except AcsError as err:
            # Keep what is shown: a failed read clears nothing.
            LOGGER.debug("Cannot read the alarms: %s", err)
            self._failed = True
            return
        current = {alarm.alarm_id: alarm for alarm in alarms}
        self.coordinator.async_set_alarms(current)
        # An alarm first seen after failed reads may be as old as the outage.
        self._update(current, restoring=self._restoring, replayed=self._failed)
        self._restoring = False
        self._failed = False

    def _data_to_store(self) -> dict[str, Any]:
        return {"announced": sorted(self.announced), "server": self._server}

    def _text(self, key: str, **placeholders: str) -> str:
        template = self._texts.get(
            f"component.{DOMAIN}.exceptions.{key}.message", "{door}: {alarm}"
        )
        try:
            return template.format(**placeholders)
        except (KeyError, IndexError):
            return template

    @callback
    def _update(
        self, current: dict[int, Alarm], restoring: bool = False, replayed: bool = False
    ) -> None:
        changed = False
        for alarm_id in self.announced - set(current):
            persistent_notification.async_dismiss(
                self.hass, notification_id(self.entry.entry_id, alarm_id)
            )
            self.announced.discard(alarm_id)
            changed = True
        for alarm_id, alarm in sorted(current.items()):
            if alarm_id in self.announced:
                if restoring and self.notify:
                    # Notifications do not survive a restart; show it again
                    # without firing the event a second time.
                    self._notify(alarm)
                continue
            self.announced.add(alarm_id)
            changed = True
            # Held while Home Assistant starts, so automations see it.
            self.gate.run(partial(self._fire, alarm, replayed))
            if self.notify:
                self._notify(alarm)
        if changed:
            self._store.async_delay_save(self._data_to_store, 1.0)

    def _door_name(self, alarm: Alarm) -> str:
        data = self.coordinator.data
        if data and alarm.door_id and alarm.door_id in data.door_names:
            return data.door_names[alarm.door_id]
        return alarm.door_name or alarm.controller_name or ""

    def _fire(self, alarm: Alarm, replayed: bool = False) -> None:
        device_id = async_get_door_device_id(self.hass, self.entry, alarm.door_id)
        self.hass.bus.async_fire(
            EVENT_ALARM,
            {
                "entry_id": self.entry.entry_id,
                "alarm_id": alarm.alarm_id,
                "door_id": alarm.door_id,
                "door_name": self._door_name(alarm),
                "device_id": device_id,
                "name": alarm.name,
                "code": alarm.event_code,
                "time": alarm.time.isoformat() if alarm.time else None,
                "level": alarm.level,
                "priority": alarm.priority,
                "forced": alarm.forced,
                "replayed": replayed,
            },
        )

    def _notify(self, alarm: Alarm) -> None:
        door = self._door_name(alarm)
        when = alarm.time.isoformat(sep=" ") if alarm.time else ""
        persistent_notification.async_create(
            self.hass,
            self._text(
                "alarm_notification_message",
                door=door,
                alarm=alarm.name,
                time=when,
                level=alarm.level or "",
                area=alarm.area_name or "",
            ),
            title=self._text("alarm_notification_title", door=door, alarm=alarm.name),
            notification_id=notification_id(self.entry.entry_id, alarm.alarm_id),
        )
