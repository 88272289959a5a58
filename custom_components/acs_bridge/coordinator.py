"""Coordinator of the door, controller, area and alarm state of one server."""

from __future__ import annotations

import asyncio
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta, tzinfo
from typing import TYPE_CHECKING

from homeassistant.config_entries import ConfigEntry
from homeassistant.const import (
    CONF_HOST,
    CONF_PASSWORD,
    CONF_PORT,
    CONF_SSL,
    CONF_USERNAME,
    CONF_VERIFY_SSL,
)
from homeassistant.core import CALLBACK_TYPE, HomeAssistant, callback
from homeassistant.exceptions import ConfigEntryAuthFailed
from homeassistant.helpers import device_registry as dr
from homeassistant.helpers.aiohttp_client import async_get_clientsession
from homeassistant.helpers.update_coordinator import DataUpdateCoordinator, UpdateFailed
from homeassistant.util import dt as dt_util

from .adapters import (
    AcsAdapter,
    AcsAuthenticationError,
    AcsError,
    AdapterConfig,
    Alarm,
    Area,
    Capability,
    Controller,
    Door,
    DoorState,
    get_adapter,
)
from .const import (
    CONF_ADAPTER,
    CONF_STATE_INTERVAL,
    DEFAULT_ADAPTER,
    DEFAULT_PORT,
    DEFAULT_STATE_INTERVAL,
    DOMAIN,
    DOOR_STATE_REQUESTS_PER_SECOND,
    LOGGER,
    MANUFACTURER,
    STRUCTURE_REFRESH_EVERY,
)
from .identifiers import controller_identifier, door_identifier, hub_identifier

if TYPE_CHECKING:
    # Only the types of what the runtime data holds: both modules import this
    # one (see tests/validation/test_structure.py).
    from .access_pipeline import AccessEventPipeline
    from .alarms import AlarmNotifier


@dataclass(slots=True)
class AcsRuntimeData:
    """What a loaded entry holds; the adapter is ``coordinator.adapter``."""

    coordinator: AcsCoordinator
    events: AccessEventPipeline
    alarms: AlarmNotifier


type AcsConfigEntry = ConfigEntry[AcsRuntimeData]


def create_adapter(
    hass: HomeAssistant, data: dict[str, object], time_zone: tzinfo | None = None
) -> AcsAdapter:
    """Build the adapter an entry's data names, on Home Assistant's HTTP session.

    The server's naive times are read in ``time_zone`` (Home Assistant's own
    when None).
    """
    adapter_cls = get_adapter(str(data.get(CONF_ADAPTER, DEFAULT_ADAPTER)))
    verify_ssl = bool(data.get(CONF_VERIFY_SSL, True))
    config = AdapterConfig(
        host=str(data[CONF_HOST]),
        port=int(str(data.get(CONF_PORT, DEFAULT_PORT))),
        username=str(data.get(CONF_USERNAME, "")),
        password=str(data.get(CONF_PASSWORD, "")),
        ssl=bool(data.get(CONF_SSL, False)),
        verify_ssl=verify_ssl,
        time_zone=time_zone or dt_util.get_default_time_zone(),
    )
    return adapter_cls(async_get_clientsession(hass, verify_ssl=verify_ssl), config)


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


def async_get_entry_device(
    hass: HomeAssistant, entry: AcsConfigEntry, identifier: str
) -> dr.DeviceEntry | None:
    """Return this entry's device with an identifier."""
    registry = dr.async_get(hass)
    # Home Assistant 2026.9 made identifiers unique per config entry and
    # deprecated the lookup by identifiers alone; 2025.4 has only that one.
    if hasattr(registry, "async_get_device_by_identifier"):
        device: dr.DeviceEntry | None = registry.async_get_device_by_identifier(
            (DOMAIN, identifier), entry.entry_id
        )
        return device
    return registry.async_get_device(identifiers={(DOMAIN, identifier)})


def async_get_door_device_id(
    hass: HomeAssistant, entry: AcsConfigEntry, door_id: str | None
) -> str | None:
    """Return the id of this entry's device of a door, if there is one."""
    if not door_id:
        return None
    device = async_get_entry_device(
        hass, entry, door_identifier(entry.entry_id, door_id)
    )
    return device.id if device else None


class AcsCoordinator(DataUpdateCoordinator[AcsData]):
    """Poll controllers, doors, door states and area head counts."""

    config_entry: AcsConfigEntry

    def __init__(
        self,
        hass: HomeAssistant,
        config_entry: AcsConfigEntry,
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
        self._door_listeners: dict[str, list[CALLBACK_TYPE]] = {}
        self.door_state_budget = max(1, int(DOOR_STATE_REQUESTS_PER_SECOND * interval))
        self._structure: tuple[dict[int, Area], dict[str, Door]] | None = None
        # The alarm list is read by the alarm notifier's own poll (alarms.py).
        self.alarms: dict[int, Alarm] = {}

    # --- polling ---------------------------------------------------------

    async def _async_update_data(self) -> AcsData:
        try:
            return await self._async_poll()
        except AcsAuthenticationError as err:
            raise ConfigEntryAuthFailed(
                translation_domain=DOMAIN,
                translation_key="invalid_auth",
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
            self._structure = (
                {area.id: area for area in areas},
                {door.id: door for door in doors},
            )
        else:
            controllers_list = await controllers_task
        areas_by_id, doors_by_id = self._structure
        controllers = {controller.id: controller for controller in controllers_list}

        door_ids = self._doors_to_poll(doors_by_id, previous)
        states_task = adapter.door_states(door_ids)
        area_task = self._area_counts(areas_by_id)
        new_states, area_people = await asyncio.gather(states_task, area_task)
        door_states = {
            door_id: state
            for door_id, state in (previous.door_states if previous else {}).items()
            if door_id in doors_by_id
        }
        door_states.update(new_states)
        self._dirty_doors.difference_update(new_states)

        data = AcsData(
            controllers=controllers,
            doors=doors_by_id,
            areas=areas_by_id,
            door_states=door_states,
            area_people=area_people,
            alarms=self.alarms,
            last_success=dt_util.utcnow(),
            door_names=door_display_names(doors_by_id.values(), controllers),
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
        try:
            states = await self.adapter.door_states(ids)
        except AcsError as err:
            LOGGER.debug("Cannot refresh doors %s: %s", ids, err)
            self.mark_doors_dirty(ids)
            return
        self._dirty_doors.difference_update(states)
        previous = self.data.door_states
        changed = [d for d, state in states.items() if previous.get(d) != state]
        if not changed:
            return
        self.data = replace(self.data, door_states={**previous, **states})
        # Only the entities of doors that changed are told: a swipe's refresh
        # must not cost every entity of a large site a look at its state.
        for door_id in changed:
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

    @callback
    def _sync_devices(self, data: AcsData) -> None:
        """Create the hub, controller and door devices; remove those that are gone.

        Devices are linked with ``via_device_id`` after they exist: Home
        Assistant 2026 deprecates linking by identifiers (``via_device``), and
        2025.4 offers ``via_device_id`` only when updating a device.
        """
        entry = self.config_entry
        registry = dr.async_get(self.hass)
        hub = registry.async_get_or_create(
            config_entry_id=entry.entry_id,
            identifiers={(DOMAIN, hub_identifier(entry.entry_id))},
            manufacturer=MANUFACTURER,
            model=self.adapter.name,
            name=entry.title,
        )
        parents: dict[str, str] = {}
        for controller in data.controllers.values():
            device = registry.async_get_or_create(
                config_entry_id=entry.entry_id,
                identifiers={
                    (DOMAIN, controller_identifier(entry.entry_id, controller.id))
                },
                manufacturer=MANUFACTURER,
                model="Access controller",
                name=controller.name,
                serial_number=controller.serial,
                suggested_area=controller.area_name,
            )
            parents[controller.id] = device.id
            if device.via_device_id != hub.id:
                registry.async_update_device(device.id, via_device_id=hub.id)
        for door in data.doors.values():
            device = registry.async_get_or_create(
                config_entry_id=entry.entry_id,
                identifiers={(DOMAIN, door_identifier(entry.entry_id, door.id))},
                manufacturer=MANUFACTURER,
                model="Door",
                name=data.door_names.get(door.id, door.name),
                suggested_area=door.area_name,
            )
            via = parents.get(door.controller_id, hub.id)
            if device.via_device_id != via:
                registry.async_update_device(device.id, via_device_id=via)
        current = {hub_identifier(entry.entry_id)}
        current.update(
            controller_identifier(entry.entry_id, c) for c in data.controllers
        )
        current.update(door_identifier(entry.entry_id, d) for d in data.doors)
        for device in dr.async_entries_for_config_entry(registry, entry.entry_id):
            ids = {ident for domain, ident in device.identifiers if domain == DOMAIN}
            if ids and not ids & current:
                LOGGER.debug("Removing device %s: gone from the server", device.name)
                registry.async_remove_device(device.id)
