"""Hold-open and site modes: work modes set for a while, or for a whole site.

A **hold** puts a door in normally open until a deadline, then returns it to
the mode Home Assistant last knew for it (auto when unknown). The deadline is
stored: a hold that expired while Home Assistant was down ends once it has
started. A failed end is retried with a backoff, then notified.

A **site mode** (lockdown, evacuation) puts every door of the site, or of an
area and its sub-areas, in normally closed or normally open; normal returns
each door to the layer below (its hold, else its mode). It covers holds: a hold
ending during it sends nothing. The commands go straight to the adapter,
concurrently within a bound that leaves room for the real-time event poll —
never through the coordinator's polling budget — and a refused or unreachable
door is retried, then reported.

Every command goes through ``commands.async_run_door_command`` (audited).
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import partial
from typing import Any, Final

from homeassistant.components import persistent_notification
from homeassistant.config_entries import ConfigEntry
from homeassistant.core import CALLBACK_TYPE, Context, HomeAssistant, callback
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers.event import async_track_point_in_utc_time
from homeassistant.helpers.start import async_at_started
from homeassistant.helpers.translation import async_get_translations
from homeassistant.util import dt as dt_util

from .adapters import AcsAuthenticationError, AcsError, Area
from .commands import (
    CommandOutcome,
    DoorCommand,
    async_run_door_command,
    raise_for_outcome,
)
from .const import DOMAIN, LOGGER
from .coordinator import AcsCoordinator, AcsData
from .door_modes import (
    MODE_NORMALLY_OPEN,
    SITE_WORK_MODES,
    WORK_MODE_OPTIONS,
    DoorModes,
    SiteMode,
)

#: Pauses before the retries of a hold's end (it runs unattended).
HOLD_END_RETRY_DELAYS: tuple[float, ...] = (5.0, 30.0, 120.0)
#: Pauses before the retries of a site mode's door commands (an emergency).
SITE_RETRY_DELAYS: tuple[float, ...] = (0.5, 2.0)
#: Requests of the real-time poll and the state polls that door commands leave
#: free, of the adapter's concurrent requests.
FREE_REQUESTS: Final = 2


class CommandSupersededError(AcsError):
    """A later command for the same door took over: this one stops retrying."""


def area_subtree(areas: dict[int, Area], area_id: int) -> set[int]:
    """Return an area's id and those of all its sub-areas."""
    children: dict[int, list[int]] = {}
    for area in areas.values():
        if area.parent_id is not None:
            children.setdefault(area.parent_id, []).append(area.id)
    found = {area_id}
    stack = [area_id]
    while stack:
        for child in children.get(stack.pop(), ()):
            if child not in found:
                found.add(child)
                stack.append(child)
    return found


def find_area(data: AcsData, text: str) -> Area | None:
    """Return the area named ``text`` (case-insensitive), or with that id."""
    wanted = text.strip().casefold()
    for area in data.areas.values():
        if area.name.strip().casefold() == wanted:
            return area
    if wanted.isdigit():
        return data.areas.get(int(wanted))
    return None


@dataclass(frozen=True, slots=True)
class SitePlan:
    """What a site mode will do: the work mode to send to each door."""

    mode: SiteMode
    area: Area | None
    area_ids: frozenset[int]
    doors: dict[str, str]


class DoorControl:
    """Run the holds and site modes of one server's doors."""

    def __init__(
        self,
        hass: HomeAssistant,
        entry: ConfigEntry,
        coordinator: AcsCoordinator,
        modes: DoorModes,
    ) -> None:
        """Keep what the commands need; nothing runs before ``async_start``."""
        self.hass = hass
        self.entry = entry
        self.coordinator = coordinator
        self.adapter = coordinator.adapter
        self.modes = modes
        self._timers: dict[str, CALLBACK_TYPE] = {}
        self._ending: dict[str, asyncio.Task[None]] = {}
        self._texts: dict[str, str] = {}
        self._limit: asyncio.Semaphore | None = None
        # Commands to one door go one at a time, in order; a later one takes
        # over from an earlier one still retrying (its generation is stale).
        self._door_locks: dict[str, asyncio.Lock] = {}
        self._generations: dict[str, int] = {}

    # --- lifecycle -------------------------------------------------------------

    async def async_start(self) -> None:
        """Arm the stored holds; those that expired end once Home Assistant started."""
        self._texts = await async_get_translations(
            self.hass, self.hass.config.language, "exceptions", [DOMAIN]
        )
        now = dt_util.utcnow()
        expired: list[str] = []
        for door_id, until in self.modes.holds.items():
            if until > now:
                self._arm(door_id, until)
            else:
                expired.append(door_id)
        if expired:

            @callback
            def _started(_hass: HomeAssistant) -> None:
                for door_id in expired:
                    self._start_end(door_id)

            self.entry.async_on_unload(async_at_started(self.hass, _started))

    async def async_stop(self) -> None:
        """Stop the timers (the entry cancels its tasks) and store the modes now."""
        for unsub in self._timers.values():
            unsub()
        self._timers.clear()
        await self.modes.async_save()

    def door_name(self, door_id: str) -> str:
        """Return a door's name as the user sees it."""
        data = self.coordinator.data
        door = data.doors.get(door_id)
        return data.door_names.get(door_id, door.name if door else door_id)

    # --- sending ---------------------------------------------------------------

    @property
    def limit(self) -> asyncio.Semaphore:
        """Bound the door commands, leaving requests free for the polls."""
        if self._limit is None:
            total = int(self.adapter.config.max_concurrent_requests)
            self._limit = asyncio.Semaphore(max(1, total - FREE_REQUESTS))
        return self._limit

    @callback
    def _claim(self, door_id: str) -> int:
        """Make the next command the door's latest; return its generation."""
        generation = self._generations.get(door_id, 0) + 1
        self._generations[door_id] = generation
        return generation

    async def _send(
        self, door_id: str, option: str, retry_delays: Iterable[float], generation: int
    ) -> None:
        """Set a work mode; a failure other than the account's is retried.

        It stops when a later command for the door took over.
        """
        mode = WORK_MODE_OPTIONS[option]
        delays = list(retry_delays)
        lock = self._door_locks.setdefault(door_id, asyncio.Lock())
        while True:
            async with lock:
                if self._generations.get(door_id) != generation:
                    raise CommandSupersededError(
                        "A later command for the door took over"
                    )
                try:
                    async with self.limit:
                        await self.adapter.set_work_mode(door_id, mode)
                except AcsAuthenticationError:
                    # Another try with a refused account counts toward a lock-out.
                    raise
                except AcsError as err:
                    if not delays:
                        raise
                    LOGGER.debug(
                        "Door %s: work mode failed, retrying: %s", door_id, err
                    )
                else:
                    return
            # The pause is outside the lock: a later command need not wait.
            await asyncio.sleep(delays.pop(0))

    async def _command(
        self,
        door_id: str,
        command: DoorCommand,
        option: str,
        context: Context | None,
        *,
        retry_delays: Iterable[float] = (),
        mode: str | None = None,
        generation: int | None = None,
    ) -> tuple[CommandOutcome, bool]:
        """Send one audited work-mode command (with its retries).

        Also return whether it is still the door's latest command: the outcome
        of one a later command took over must not be recorded. ``generation``
        is the door's claim when the caller made it already.
        """
        if generation is None:
            generation = self._claim(door_id)
        outcome = await async_run_door_command(
            self.coordinator,
            door_id,
            command,
            partial(self._send, door_id, option, retry_delays, generation),
            context=context,
            mode=mode or option,
        )
        return outcome, self._generations.get(door_id) == generation

    def _refresh(self, door_ids: list[str]) -> None:
        """Read the commanded doors' states the normal way: a budget now, the rest soon."""
        if not door_ids:
            return
        coordinator = self.coordinator
        coordinator.mark_doors_dirty(door_ids)
        self.entry.async_create_background_task(
            self.hass,
            coordinator.async_refresh_doors(door_ids[: coordinator.door_state_budget]),
            f"{DOMAIN} door refresh",
        )

    def _failure(self, door_ids: list[str], outcomes: list[CommandOutcome]) -> str:
        failed = [
            (door_id, outcome)
            for door_id, outcome in zip(door_ids, outcomes, strict=True)
            if not outcome.ok
        ]
        names = ", ".join(self.door_name(door_id) for door_id, _ in failed)
        error = failed[0][1].error
        return f"{names}: {error or failed[0][1].result.value}"

    # --- holds -----------------------------------------------------------------

    async def async_hold_open(
        self, door_ids: list[str], duration: timedelta, context: Context | None
    ) -> None:
        """Put doors in normally open until ``duration`` from now.

        A door in a site mode only records the hold (the site mode covers it).
        A door already held gets the new deadline. Raises a translated error
        naming the doors the server did not switch.
        """
        until = dt_util.utcnow() + duration
        for door_id in door_ids:
            self._cancel(door_id)
        covered = [d for d in door_ids if self.modes.site(d) is not None]
        to_send = [d for d in door_ids if d not in covered]
        claims = {door_id: self._claim(door_id) for door_id in to_send}
        sent = await asyncio.gather(
            *(
                self._command(
                    d,
                    DoorCommand.HOLD_OPEN,
                    MODE_NORMALLY_OPEN,
                    context,
                    generation=claims[d],
                )
                for d in to_send
            )
        )
        outcomes = [outcome for outcome, _current in sent]
        for door_id, (outcome, current) in zip(to_send, sent, strict=True):
            if not current:
                continue
            if outcome.ok:
                covered.append(door_id)
            elif self.modes.hold_until(door_id) is not None:
                # A running hold whose extension failed keeps its deadline.
                self._arm(door_id, self.modes.hold_until(door_id) or until)
        for door_id in covered:
            self.modes.start_hold(door_id, until)
            self._arm(door_id, until)
        self._refresh(to_send)
        if any(not outcome.ok for outcome in outcomes):
            raise HomeAssistantError(
                translation_domain=DOMAIN,
                translation_key="hold_open_failed",
                translation_placeholders={"doors": self._failure(to_send, outcomes)},
            )

    @callback
    def _arm(self, door_id: str, until: datetime) -> None:
        self._cancel_timer(door_id)
        self._timers[door_id] = async_track_point_in_utc_time(
            self.hass, partial(self._deadline, door_id), until
        )

    @callback
    def _cancel_timer(self, door_id: str) -> None:
        if (unsub := self._timers.pop(door_id, None)) is not None:
            unsub()

    @callback
    def _cancel(self, door_id: str) -> None:
        """Stop a door's hold timer and any running end of its hold."""
        self._cancel_timer(door_id)
        if (task := self._ending.pop(door_id, None)) is not None:
            task.cancel()

    @callback
    def _deadline(self, door_id: str, _now: datetime) -> None:
        self._timers.pop(door_id, None)
        self._start_end(door_id)

    @callback
    def _start_end(self, door_id: str) -> None:
        """End a hold in the background (its retries take minutes)."""
        if door_id in self._ending:
            return
        task = self.entry.async_create_background_task(
            self.hass, self._async_end_hold(door_id), f"{DOMAIN} end of hold {door_id}"
        )
        if not task.done():
            self._ending[door_id] = task
            task.add_done_callback(partial(self._ended, door_id))

    @callback
    def _ended(self, door_id: str, task: asyncio.Task[None]) -> None:
        if self._ending.get(door_id) is task:
            del self._ending[door_id]

    async def _async_end_hold(self, door_id: str) -> None:
        """Return a door whose hold reached its deadline to its mode."""
        until = self.modes.hold_until(door_id)
        if until is None:
            return
        if door_id not in self.coordinator.data.doors:
            LOGGER.debug("Door %s is gone from the server: its hold ends", door_id)
            self.modes.end_hold(door_id)
            return
        if self.modes.site(door_id) is not None:
            # A site mode covers the hold: its end changes nothing.
            self.modes.end_hold(door_id)
            return
        option = self.modes.after_hold(door_id)
        outcome, current = await self._command(
            door_id,
            DoorCommand.HOLD_END,
            option,
            Context(),
            retry_delays=HOLD_END_RETRY_DELAYS,
        )
        if not current:
            return
        if outcome.ok:
            self.modes.end_hold(door_id, option)
            self._dismiss(door_id)
            self._refresh([door_id])
            return
        LOGGER.warning(
            "The hold-open of %s could not end: %s",
            self.door_name(door_id),
            outcome.error or outcome.result.value,
        )
        self._notify_hold_end_failed(door_id, option, outcome)

    async def async_end_hold_for_lock(
        self, door_id: str, context: Context | None
    ) -> None:
        """End a door's hold before a lock command: return it to its mode now."""
        until = self.modes.hold_until(door_id)
        if until is None:
            return
        self._cancel(door_id)
        if self.modes.site(door_id) is not None:
            self.modes.end_hold(door_id)
            return
        option = self.modes.after_hold(door_id)
        outcome, current = await self._command(
            door_id, DoorCommand.HOLD_END, option, context
        )
        if not current:
            return
        if not outcome.ok:
            self._arm(door_id, until)
            raise_for_outcome(outcome, self.door_name(door_id))
        self.modes.end_hold(door_id, option)
        self._dismiss(door_id)

    @callback
    def async_mode_set(self, door_id: str, option: str) -> None:
        """Record a work mode set on a door (the select): it replaces a hold."""
        self._cancel(door_id)
        self._claim(door_id)
        self.modes.set_mode(door_id, option)
        self._dismiss(door_id)

    # --- notifications ---------------------------------------------------------

    def _notification_id(self, door_id: str) -> str:
        return f"{DOMAIN}_{self.entry.entry_id}_hold_{door_id}"

    def _text(self, key: str, **placeholders: str) -> str:
        template = self._texts.get(
            f"component.{DOMAIN}.exceptions.{key}.message", "{door}: {error}"
        )
        try:
            return template.format(**placeholders)
        except (KeyError, IndexError):
            return template

    def _notify_hold_end_failed(
        self, door_id: str, option: str, outcome: CommandOutcome
    ) -> None:
        door = self.door_name(door_id)
        error = str(outcome.error or outcome.result.value)
        persistent_notification.async_create(
            self.hass,
            self._text(
                "hold_end_failed_message",
                door=door,
                mode=option,
                error=error,
            ),
            title=self._text("hold_end_failed_title", door=door),
            notification_id=self._notification_id(door_id),
        )

    def _dismiss(self, door_id: str) -> None:
        persistent_notification.async_dismiss(self.hass, self._notification_id(door_id))

    # --- site modes ------------------------------------------------------------

    def plan_site_mode(self, mode: SiteMode, area: Area | None) -> SitePlan:
        """Return the doors a site mode switches, and the mode each one gets.

        Lockdown and evacuation switch every door of the site or of the area
        (its sub-areas included); normal switches those of them in a site mode
        back to the layer below.
        """
        data = self.coordinator.data
        area_ids = frozenset(area_subtree(data.areas, area.id)) if area else frozenset()
        names = {data.areas[a].name for a in area_ids if a in data.areas}
        door_ids = [
            door_id
            for door_id, door in data.doors.items()
            if area is None
            or door.area_id in area_ids
            or (door.area_id is None and door.area_name in names)
        ]
        if mode is SiteMode.NORMAL:
            doors = {
                door_id: self.modes.after_site(door_id)
                for door_id in door_ids
                if self.modes.site(door_id) is not None
            }
        else:
            doors = dict.fromkeys(door_ids, SITE_WORK_MODES[mode])
        return SitePlan(mode=mode, area=area, area_ids=area_ids, doors=doors)

    async def async_run_site_mode(
        self, plan: SitePlan, context: Context | None
    ) -> dict[str, Any]:
        """Switch the planned doors at once; return every door's result."""
        mode = plan.mode
        door_ids = list(plan.doors)
        if mode is not SiteMode.NORMAL:
            for door_id in door_ids:
                if door_id in self._ending:
                    # An expired hold still ending: the site mode covers it.
                    self._cancel(door_id)
                    self.modes.end_hold(door_id)
        # Claimed now, in the order of the calls: a later site mode, hold or
        # work mode takes over each door from this one.
        claims = {door_id: self._claim(door_id) for door_id in door_ids}
        self.modes.set_scope(
            mode,
            plan.area.id if plan.area else None,
            plan.area_ids - {plan.area.id} if plan.area else (),
        )
        sent = await asyncio.gather(
            *(
                self._command(
                    door_id,
                    DoorCommand.SITE_MODE,
                    option,
                    context,
                    retry_delays=SITE_RETRY_DELAYS,
                    mode=mode.value,
                    generation=claims[door_id],
                )
                for door_id, option in plan.doors.items()
            )
        )
        outcomes = [outcome for outcome, _current in sent]
        # A door a later command took over keeps what that command records.
        ok = [
            door_id
            for door_id, (outcome, current) in zip(door_ids, sent, strict=True)
            if outcome.ok and current
        ]
        if mode is SiteMode.NORMAL:
            self.modes.leave_site({door_id: plan.doors[door_id] for door_id in ok})
        else:
            self.modes.enter_site(ok, mode, plan.area.id if plan.area else None)
        self._refresh(door_ids)
        results = [
            {
                "door_id": door_id,
                "door_name": self.door_name(door_id),
                "result": outcome.result.value,
            }
            for door_id, outcome in zip(door_ids, outcomes, strict=True)
        ]
        failed = sum(1 for outcome in outcomes if not outcome.ok)
        if failed:
            LOGGER.warning(
                "Site mode %s: %s of %s doors did not switch: %s",
                mode.value,
                failed,
                len(door_ids),
                self._failure(door_ids, outcomes),
            )
        return {"mode": mode.value, "doors": results, "failed": failed}
