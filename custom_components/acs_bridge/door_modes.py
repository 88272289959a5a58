"""The work modes Home Assistant set on doors, kept across restarts.

The protocol can set a door's work mode but cannot read it, so what Home
Assistant knows of a door's mode is what it set. One store per server keeps,
for each door:

- its **mode**: the last work mode set through Home Assistant (the work-mode
  select, or the mode a hold or a site mode returned it to) — the mode a door
  goes back to;
- its **hold**: the deadline of a hold-open (the door is normally open until
  then);
- its **site mode**: lockdown or evacuation, and the area (or the whole site)
  that put it there.

These are layers: a site mode covers a hold, a hold covers the mode. The door
is in the mode of its top layer (``effective``); when a layer ends the door
returns to the one below. The select, the lock, holds and site modes all read
and write this one store.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any, Final

from homeassistant.core import CALLBACK_TYPE, HomeAssistant, callback
from homeassistant.helpers.storage import Store
from homeassistant.util import dt as dt_util

from .adapters import WorkMode
from .const import LOGGER, store_key

STORAGE_VERSION: Final = 1
STORE_NAME: Final = "doors"
SAVE_DELAY: Final = 1.0

#: The work modes by the option names the select and the actions use.
WORK_MODE_OPTIONS: Final[dict[str, WorkMode]] = {mode.value: mode for mode in WorkMode}
MODE_AUTO: Final = "auto"
MODE_NORMALLY_OPEN: Final = "normally_open"
MODE_NORMALLY_CLOSED: Final = "normally_closed"


class SiteMode(StrEnum):
    """The mode of a whole site, or of an area of it."""

    NORMAL = "normal"
    LOCKDOWN = "lockdown"
    EVACUATION = "evacuation"


#: The work mode each site mode puts a door in.
SITE_WORK_MODES: Final[dict[SiteMode, str]] = {
    SiteMode.LOCKDOWN: MODE_NORMALLY_CLOSED,
    SiteMode.EVACUATION: MODE_NORMALLY_OPEN,
}


@dataclass(frozen=True, slots=True)
class SiteDoor:
    """A door in a site mode: which mode, and the area (None: the site) that set it."""

    mode: SiteMode
    area_id: int | None


def _scope_key(area_id: int | None) -> str:
    return "site" if area_id is None else str(area_id)


def _scope_id(key: str) -> int | None:
    return None if key == "site" else int(key)


async def async_remove_store(hass: HomeAssistant, entry_id: str) -> None:
    """Remove what an entry stored of its doors' modes, holds and site modes."""
    await Store[dict[str, Any]](
        hass, STORAGE_VERSION, store_key(entry_id, STORE_NAME)
    ).async_remove()


class DoorModes:
    """The stored modes, holds and site modes of one server's doors."""

    def __init__(self, hass: HomeAssistant, entry_id: str) -> None:
        """Create the store; nothing is read before ``async_load``."""
        self.hass = hass
        self._store: Store[dict[str, Any]] = Store(
            hass, STORAGE_VERSION, store_key(entry_id, STORE_NAME)
        )
        self._modes: dict[str, str] = {}
        self._holds: dict[str, datetime] = {}
        self._site: dict[str, SiteDoor] = {}
        # The site modes in force: area id (None: the whole site) -> mode.
        self._scopes: dict[int | None, SiteMode] = {}
        self._listeners: dict[str | None, list[CALLBACK_TYPE]] = {}
        self._seeding = False

    # --- storage -----------------------------------------------------------------

    async def async_load(self) -> None:
        """Read the stored modes; anything unreadable is dropped."""
        loaded = await self._store.async_load()
        # Before this store existed, the work-mode select kept its own mode.
        self._seeding = loaded is None
        stored = loaded or {}
        for door_id, mode in dict(stored.get("modes", {})).items():
            if mode in WORK_MODE_OPTIONS:
                self._modes[str(door_id)] = str(mode)
        for door_id, until in dict(stored.get("holds", {})).items():
            when = dt_util.parse_datetime(str(until))
            if when is not None and when.tzinfo is not None:
                self._holds[str(door_id)] = when
        for door_id, item in dict(stored.get("site", {})).items():
            try:
                area = item.get("area_id")
                self._site[str(door_id)] = SiteDoor(
                    SiteMode(item["mode"]), None if area is None else int(area)
                )
            except (KeyError, TypeError, ValueError, AttributeError):
                LOGGER.debug("Dropping the stored site mode of door %s", door_id)
        for key, mode in dict(stored.get("scopes", {})).items():
            try:
                self._scopes[_scope_id(str(key))] = SiteMode(mode)
            except ValueError:
                LOGGER.debug("Dropping the stored site mode of %s", key)

    async def async_save(self) -> None:
        """Write the store now (on unload)."""
        await self._store.async_save(self._data_to_store())

    def as_dict(self) -> dict[str, Any]:
        """Return what is stored: modes, hold deadlines, site modes (diagnostics)."""
        return self._data_to_store()

    def _data_to_store(self) -> dict[str, Any]:
        return {
            "modes": dict(sorted(self._modes.items())),
            "holds": {
                door_id: until.isoformat()
                for door_id, until in sorted(self._holds.items())
            },
            "site": {
                door_id: {"mode": item.mode.value, "area_id": item.area_id}
                for door_id, item in sorted(self._site.items())
            },
            "scopes": {
                _scope_key(area_id): mode.value
                for area_id, mode in self._scopes.items()
            },
        }

    # --- reading -------------------------------------------------------------------

    def mode(self, door_id: str) -> str | None:
        """Return the mode a door returns to (None: Home Assistant never set one)."""
        return self._modes.get(door_id)

    def hold_until(self, door_id: str) -> datetime | None:
        """Return the deadline of a door's hold-open, if it is held."""
        return self._holds.get(door_id)

    @property
    def holds(self) -> dict[str, datetime]:
        """Return every hold-open deadline, by door."""
        return dict(self._holds)

    def site(self, door_id: str) -> SiteDoor | None:
        """Return the site mode a door is in, if any."""
        return self._site.get(door_id)

    @property
    def site_doors(self) -> dict[str, SiteDoor]:
        """Return the doors in a site mode."""
        return dict(self._site)

    @property
    def scopes(self) -> dict[int | None, SiteMode]:
        """Return the site modes in force: by area id, None for the whole site."""
        return dict(self._scopes)

    def effective(self, door_id: str) -> str | None:
        """Return the work mode a door is in, as far as Home Assistant knows."""
        if (site := self._site.get(door_id)) is not None:
            return SITE_WORK_MODES[site.mode]
        if door_id in self._holds:
            return MODE_NORMALLY_OPEN
        return self._modes.get(door_id)

    def after_hold(self, door_id: str) -> str:
        """Return the mode a hold returns its door to (auto when unknown)."""
        return self._modes.get(door_id, MODE_AUTO)

    def after_site(self, door_id: str) -> str:
        """Return the mode a site mode returns its door to: the layer below it."""
        if door_id in self._holds:
            return MODE_NORMALLY_OPEN
        return self.after_hold(door_id)

    # --- writing -------------------------------------------------------------------

    @callback
    def seed_mode(self, door_id: str, option: str) -> None:
        """Take a mode the select restored, when this store is new (an upgrade)."""
        if self._seeding and door_id not in self._modes and option in WORK_MODE_OPTIONS:
            self._modes[door_id] = option
            self._changed([door_id])

    @callback
    def set_mode(self, door_id: str, option: str) -> None:
        """Record a work mode set on a door; it replaces a hold or a site mode."""
        self._modes[door_id] = option
        self._holds.pop(door_id, None)
        self._site.pop(door_id, None)
        self._changed([door_id])

    @callback
    def start_hold(self, door_id: str, until: datetime) -> None:
        """Record that a door is held open until ``until``."""
        self._holds[door_id] = until
        self._changed([door_id])

    @callback
    def end_hold(self, door_id: str, restored: str | None = None) -> None:
        """Forget a door's hold; ``restored`` is the mode it was returned to."""
        self._holds.pop(door_id, None)
        if restored is not None:
            self._modes[door_id] = restored
        self._changed([door_id])

    @callback
    def enter_site(
        self, door_ids: Iterable[str], mode: SiteMode, area_id: int | None
    ) -> None:
        """Record that doors are in a site mode."""
        ids = list(door_ids)
        for door_id in ids:
            self._site[door_id] = SiteDoor(mode, area_id)
        self._changed(ids)

    @callback
    def leave_site(self, restored: dict[str, str]) -> None:
        """Record that doors left their site mode, returned to these modes.

        A door returned to normally open by a hold that still runs keeps its
        own mode.
        """
        for door_id, option in restored.items():
            self._site.pop(door_id, None)
            if door_id not in self._holds:
                self._modes[door_id] = option
        self._changed(restored)

    @callback
    def set_scope(
        self, mode: SiteMode, area_id: int | None, replaced: Iterable[int]
    ) -> None:
        """Record the site mode of an area (None: the whole site).

        The whole site's mode replaces every area's; an area's replaces those
        of its sub-areas (``replaced``). Normal is not kept: it is no mode.
        """
        if area_id is None:
            self._scopes.clear()
        for sub_area in replaced:
            self._scopes.pop(sub_area, None)
        self._scopes.pop(area_id, None)
        if mode is not SiteMode.NORMAL:
            self._scopes[area_id] = mode
        self._changed([])

    # --- listeners -----------------------------------------------------------------

    @callback
    def async_add_listener(
        self, door_id: str | None, listener: CALLBACK_TYPE
    ) -> Callable[[], None]:
        """Call ``listener`` when a door's record changes (None: any change)."""
        listeners = self._listeners.setdefault(door_id, [])
        listeners.append(listener)

        @callback
        def remove() -> None:
            listeners.remove(listener)
            if not listeners:
                self._listeners.pop(door_id, None)

        return remove

    @callback
    def _changed(self, door_ids: Iterable[str]) -> None:
        self._store.async_delay_save(self._data_to_store, SAVE_DELAY)
        for door_id in door_ids:
            for listener in list(self._listeners.get(door_id, ())):
                listener()
        for listener in list(self._listeners.get(None, ())):
            listener()
