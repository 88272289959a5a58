"""Coordinator of the door, controller, area and alarm state of one server."""

from __future__ import annotations

import asyncio
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
import itertools
from typing import Any

from homeassistant.config_entries import ConfigEntry
from homeassistant.core import CALLBACK_TYPE, HomeAssistant, callback
from homeassistant.exceptions import ConfigEntryAuthFailed, ConfigEntryError
from homeassistant.helpers import device_registry as dr
from homeassistant.helpers.update_coordinator import DataUpdateCoordinator, UpdateFailed
from homeassistant.util import dt as dt_util

from .adapters import (
    AcsAdapter,
    AcsAuthenticationError,
    AcsCertificateError,
    AcsError,
    AcsPermissionError,
    Alarm,
    Area,
    Capability,
    Controller,
    Door,
    DoorChange,
    DoorState,
)
from .const import (
    CONF_STATE_INTERVAL,
    DEFAULT_STATE_INTERVAL,
    DOMAIN,
    DOOR_READ_FAILURES_UNAVAILABLE,
    DOOR_STATE_REQUESTS_PER_SECOND,
    LOGGER,
    STRUCTURE_REFRESH_EVERY,
)
from .devices import (
    CONTROLLER,
    async_entry_device_objects,
    async_sync_devices,
    device_object,
)
from .structure import Keeper


@dataclass(frozen=True, slots=True)
class AcsData:
    """What the integration knows of the server at one moment."""

    controllers: dict[str, Controller]
    doors: dict[str, Door]
    areas: dict[int, Area]
    door_states: dict[str, DoorState]
    area_people: dict[int, int]
    alarms: dict[int, Alarm]
    last_success: datetime
    door_names: dict[str, str] = field(default_factory=dict)
    # Kept, but missing from the server's last listing.
    absent_controllers: frozenset[str] = frozenset()


def door_display_names(
    doors: Iterable[Door], controllers: dict[str, Controller]
) -> dict[str, str]:
    """Name each door; doors that share a name get their controller's name first."""
    doors = list(doors)
    counts: dict[str, int] = {}
    for door in doors:
        counts[door.name] = counts.get(door.name, 0) + 1
    names: dict[str, str] = {}
    for door in doors:
        if counts[door.name] > 1:
            controller = controllers.get(door.controller_id)
            prefix = (
                controller.name
                if controller
                else (door.controller_name or door.controller_id)
            )
            names[door.id] = f"{prefix} {door.name}"
        else:
            names[door.id] = door.name
    return names


def area_head_counts(areas: dict[int, Area], direct: dict[int, int]) -> dict[int, int]:
    """Count the people of each area, sub-areas included."""
    totals = dict.fromkeys(areas, 0)
    for area_id, count in direct.items():
        seen: set[int] = set()
        current: int | None = area_id
        while current is not None and current not in seen:
            seen.add(current)
            if current in totals:
                totals[current] += count
            parent = areas.get(current)
            current = parent.parent_id if parent and parent.parent_id else None
    return totals


class AcsCoordinator(DataUpdateCoordinator[AcsData]):
    """Poll controllers, doors, door states and area head counts."""

    config_entry: ConfigEntry

    def __init__(
        self,
        hass: HomeAssistant,
        config_entry: ConfigEntry,
        adapter: AcsAdapter,
    ) -> None:
        """Set up the coordinator for one server."""
        interval = float(
            config_entry.options.get(CONF_STATE_INTERVAL, DEFAULT_STATE_INTERVAL)
        )
        super().__init__(
            hass,
            LOGGER,
            config_entry=config_entry,
            name=f"{DOMAIN} {config_entry.title}",
            update_interval=timedelta(seconds=interval),
        )
        self.adapter = adapter
        self._polls = 0
        self._door_cursor = 0
        self._dirty_doors: set[str] = set()
        self._door_failures: dict[str, int] = {}
        # Door-state reads are numbered as they start; the number of the read
        # whose answer each door shows.
        self._door_reads = itertools.count()
        self._door_read_at: dict[str, int] = {}
        self._door_listeners: dict[str, list[CALLBACK_TYPE]] = {}
        self.door_state_budget = max(1, int(DOOR_STATE_REQUESTS_PER_SECOND * interval))
        self._structure: tuple[dict[int, Area], dict[str, Door]] | None = None
        self._controllers: Keeper[str, Controller] = Keeper()
        self._doors: Keeper[str, Door] = Keeper()
        self._areas_kept: Keeper[int, Area] = Keeper()
        self._devices_expected = False
        # The alarm list is read by the alarm notifier's own poll (alarms.py).
        self.alarms: dict[int, Alarm] = {}

    # --- polling ---------------------------------------------------------

    async def _async_update_data(self) -> AcsData:
        try:
            return await self._async_poll()
        except AcsAuthenticationError as err:
            if self.data is None:  # setup: it fails and asks to sign in again
                raise ConfigEntryAuthFailed(
                    translation_domain=DOMAIN,
                    translation_key="invalid_auth",
                ) from err
            # Later, ask to sign in again but keep polling: raising
            # ConfigEntryAuthFailed would stop the polls for good.
            self.config_entry.async_start_reauth(self.hass)
            raise UpdateFailed(
                translation_domain=DOMAIN,
                translation_key="invalid_auth",
            ) from err
        except AcsPermissionError as err:
            # The account works but may not read this: its own message, no
            # re-authentication, and at setup no endless retry as if the
            # server were unreachable.
            if self.data is None:
                raise ConfigEntryError(
                    translation_domain=DOMAIN,
                    translation_key="missing_permission",
                    translation_placeholders={"error": str(err)},
                ) from err
            raise UpdateFailed(
                translation_domain=DOMAIN,
                translation_key="missing_permission",
                translation_placeholders={"error": str(err)},
            ) from err
        except AcsCertificateError as err:
            # Its own message: "cannot connect" would send the user to the network.
            raise UpdateFailed(
                translation_domain=DOMAIN, translation_key="invalid_certificate"
            ) from err
        except AcsError as err:
            raise UpdateFailed(
                translation_domain=DOMAIN,
                translation_key="update_failed",
                translation_placeholders={"error": str(err)},
            ) from err

    async def _async_poll(self) -> AcsData:
        adapter = self.adapter
        previous = self.data
        refresh_structure = (
            self._structure is None or self._polls % STRUCTURE_REFRESH_EVERY == 0
        )
        self._polls += 1

        controllers_task = adapter.controllers()
        if refresh_structure or self._structure is None:
            controllers_list, areas, doors = await asyncio.gather(
                controllers_task, self._areas(), adapter.doors()
            )
        else:
            controllers_list = await controllers_task
        now = dt_util.utcnow()
        self._expect_devices()
        # A door, controller or area missing from one answer is kept: see
        # structure.py.
        if refresh_structure or self._structure is None:
            self._structure = (
                self._areas_kept.update({area.id: area for area in areas}, now),
                self._doors.update({door.id: door for door in doors}, now),
            )
        areas_by_id, doors_by_id = self._structure
        controllers = self._controllers.update(
            {controller.id: controller for controller in controllers_list}, now
        )

        door_ids = self._doors_to_poll(doors_by_id, previous)
        started = next(self._door_reads)
        states_task = self._read_door_states(door_ids)
        area_task = self._area_counts(areas_by_id)
        new_states, area_people = await asyncio.gather(states_task, area_task)
        for book in (self._door_failures, self._door_read_at):
            for door_id in [d for d in book if d not in doors_by_id]:
                del book[door_id]
        # Merged into the states known NOW: a door read after a swipe or a
        # command while this poll ran must not be overwritten by this older read.
        current = self.data
        door_states, _ = self._merge_door_states(
            {
                door_id: state
                for door_id, state in (current.door_states if current else {}).items()
                if door_id in doors_by_id
            },
            door_ids,
            new_states,
            started,
        )

        data = AcsData(
            controllers=controllers,
            doors=doors_by_id,
            areas=areas_by_id,
            door_states=door_states,
            area_people=area_people,
            alarms=self.alarms,
            last_success=dt_util.utcnow(),
            door_names=door_display_names(doors_by_id.values(), controllers),
            absent_controllers=self._controllers.absent,
        )
        if refresh_structure:
            self._sync_devices(data)
        return data

    def _doors_to_poll(
        self, doors: dict[str, Door], previous: AcsData | None
    ) -> list[str]:
        """Pick this poll's doors: touched ones first, then round-robin."""
        ids = list(doors)
        budget = self.door_state_budget
        if len(ids) <= budget or previous is None:
            # The first poll reads every door (bounded by the adapter's
            # concurrency), so no door starts unavailable.
            return ids
        chosen = [door_id for door_id in self._dirty_doors if door_id in doors][:budget]
        if previous is not None:
            # Doors never read yet come before a second reading of the others.
            unknown = [d for d in ids if d not in previous.door_states]
            chosen.extend(unknown[: budget - len(chosen)])
        picked = set(chosen)
        start = self._door_cursor % len(ids)
        index = start
        while len(chosen) < budget:
            door_id = ids[index]
            if door_id not in picked:
                chosen.append(door_id)
                picked.add(door_id)
            index = (index + 1) % len(ids)
            if index == start:
                break
        self._door_cursor = index
        return chosen

    async def _read_door_states(self, door_ids: list[str]) -> dict[str, DoorState]:
        """Read door states; a door left out of the answer was not read."""
        try:
            return await self.adapter.door_states(door_ids)
        except (AcsAuthenticationError, AcsPermissionError):
            raise
        except AcsError as err:
            LOGGER.debug("Cannot read the state of doors %s: %s", door_ids, err)
            return {}

    def _merge_door_states(
        self,
        door_states: dict[str, DoorState],
        door_ids: Iterable[str],
        read: dict[str, DoorState],
        started: int,
    ) -> tuple[dict[str, DoorState], list[str]]:
        """Merge one read of some doors, numbered ``started``, into the known states.

        Reads are numbered in the order they start: a read that started before
        the one whose answer is shown changes nothing, whenever it ends. A door
        whose read failed ``DOOR_READ_FAILURES_UNAVAILABLE`` times in a
        row loses its state (its entities go unavailable) until a read
        succeeds: it never shows an old "locked". Returns the merged states and
        the doors whose state changed.
        """
        merged = dict(door_states)
        changed: list[str] = []
        for door_id in door_ids:
            if started < self._door_read_at.get(door_id, -1):
                continue  # a newer read has answered for this door
            state = read.get(door_id)
            if state is not None:
                self._door_read_at[door_id] = started
                self._door_failures.pop(door_id, None)
                self._dirty_doors.discard(door_id)
                if merged.get(door_id) != state:
                    merged[door_id] = state
                    changed.append(door_id)
                continue
            failures = self._door_failures.get(door_id, 0) + 1
            self._door_failures[door_id] = failures
            if failures >= DOOR_READ_FAILURES_UNAVAILABLE and door_id in merged:
                LOGGER.debug("Door %s: %d failed reads in a row", door_id, failures)
                del merged[door_id]
                changed.append(door_id)
        return merged, changed

    async def _areas(self) -> list[Area]:
        if not self.adapter.supports(Capability.AREAS):
            return []
        return await self.adapter.areas()

    async def _area_counts(self, areas: dict[int, Area]) -> dict[int, int]:
        if not areas or not self.adapter.supports(Capability.AREA_PEOPLE):
            return {}
        people = await self.adapter.area_people()
        direct: dict[int, int] = {}
        seen: set[tuple[int | None, int | str | None]] = set()
        for person in people:
            if person.area_id is None:
                continue
            who = (person.area_id, person.user_id or person.card_no)
            if who in seen:
                continue
            seen.add(who)
            direct[person.area_id] = direct.get(person.area_id, 0) + 1
        return area_head_counts(areas, direct)

    @callback
    def async_set_alarms(self, alarms: dict[int, Alarm]) -> None:
        """Take the alarm list the alarm poll read; tell the entities if it changed.

        This does not move the next scheduled poll.
        """
        if alarms == self.alarms:
            return
        self.alarms = alarms
        if self.data is not None:
            self.data = replace(self.data, alarms=alarms)
            self.async_update_listeners()

    # --- targeted refreshes ----------------------------------------------

    def mark_doors_dirty(self, door_ids: Iterable[str]) -> None:
        """Read these doors first at the next poll."""
        self._dirty_doors.update(door_ids)

    async def async_refresh_doors(self, door_ids: Iterable[str]) -> None:
        """Read the state of some doors now and tell their entities.

        This does not move the next scheduled poll.
        """
        ids = [
            door_id for door_id in door_ids if self.data and door_id in self.data.doors
        ]
        if not ids:
            return
        started = next(self._door_reads)
        try:
            states = await self.adapter.door_states(ids)
        except AcsError as err:
            LOGGER.debug("Cannot refresh doors %s: %s", ids, err)
            states = {}
        self.mark_doors_dirty(d for d in ids if d not in states)
        door_states, changed = self._merge_door_states(
            self.data.door_states, ids, states, started
        )
        if not changed:
            return
        self.data = replace(self.data, door_states=door_states)
        self._tell_doors(changed)

    @callback
    def async_apply_door_changes(self, changes: Iterable[DoorChange]) -> None:
        """Take door changes the event feed reported, and tell those doors' entities.

        A pushed change counts as the newest read of that door.
        """
        data: AcsData | None = self.data
        if data is None:
            return
        door_states = dict(data.door_states)
        changed: list[str] = []
        for change in changes:
            current = door_states.get(change.door_id)
            if change.door_id not in data.doors or current is None:
                # Not read yet: the next read tells.
                self.mark_doors_dirty([change.door_id])
                continue
            updated = replace(
                current,
                is_open=current.is_open if change.is_open is None else change.is_open,
                locked=current.locked if change.locked is None else change.locked,
                contact_open=current.contact_open
                if change.contact_open is None
                else change.contact_open,
                work_mode=current.work_mode
                if change.work_mode is None
                else change.work_mode,
            )
            self._door_read_at[change.door_id] = next(self._door_reads)
            if updated != current:
                door_states[change.door_id] = updated
                changed.append(change.door_id)
        if not changed:
            return
        self.data = replace(data, door_states=door_states)
        self._tell_doors(dict.fromkeys(changed))

    def _tell_doors(self, door_ids: Iterable[str]) -> None:
        """Tell only the entities of these doors that their state changed.

        A swipe's refresh must not cost every entity of a large site a look at
        its state.
        """
        for door_id in door_ids:
            for listener in list(self._door_listeners.get(door_id, ())):
                listener()

    @callback
    def async_add_door_listener(
        self, door_id: str, listener: CALLBACK_TYPE
    ) -> CALLBACK_TYPE:
        """Call ``listener`` when a targeted refresh changes this door's state."""
        listeners = self._door_listeners.setdefault(door_id, [])
        listeners.append(listener)

        @callback
        def remove() -> None:
            listeners.remove(listener)
            if not listeners:
                self._door_listeners.pop(door_id, None)

        return remove

    # --- devices -----------------------------------------------------------

    def _object_of(self, device: dr.DeviceEntry) -> tuple[Keeper[str, Any], str] | None:
        """Return the keeper and id of a controller's or door's device."""
        found = device_object(self.config_entry.entry_id, device)
        if found is None:
            return None
        kind, object_id = found
        return (self._controllers if kind == CONTROLLER else self._doors), object_id

    @callback
    def _expect_devices(self) -> None:
        """Know the devices of an earlier run, so that one empty read keeps them."""
        if self._devices_expected:
            return
        self._devices_expected = True
        for kind, object_id in async_entry_device_objects(self.hass, self.config_entry):
            (self._controllers if kind == CONTROLLER else self._doors).expect(
                [object_id]
            )

    @callback
    def async_remove_stale_device(self, device: dr.DeviceEntry) -> bool:
        """Forget a device the server no longer lists; refuse any other."""
        found = self._object_of(device)
        if found is None:
            return False  # the hub, or not ours
        keeper, object_id = found
        listed = object_id in keeper.kept and object_id not in keeper.absent
        if listed:
            return False
        keeper.forget(object_id)
        return True

    @callback
    def _sync_devices(self, data: AcsData) -> None:
        """Write the hub, controller and door devices (devices.py)."""
        async_sync_devices(
            self.hass,
            self.config_entry,
            hub=self.adapter.describe(),
            controllers=data.controllers,
            doors=data.doors,
            door_names=data.door_names,
            kept_controllers=self._controllers.kept,
            kept_doors=self._doors.kept,
        )
