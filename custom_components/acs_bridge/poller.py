"""A poll at a steady cadence: one round at a time, each started ``interval`` after the last began."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import datetime
import time

from homeassistant.config_entries import ConfigEntry
from homeassistant.core import CALLBACK_TYPE, HomeAssistant, callback
from homeassistant.helpers.event import async_call_later


class Poller:
    """Run ``poll`` every ``interval`` seconds as a background task of the entry.

    A round that takes longer than the interval is followed at once by the next;
    rounds never overlap. ``async_poll_now`` runs a round now instead of at the
    next tick (or right after the running one), so the rate stays the same.
    """

    def __init__(
        self,
        hass: HomeAssistant,
        entry: ConfigEntry,
        name: str,
        interval: float,
        poll: Callable[[], Awaitable[None]],
    ) -> None:
        """Set up; nothing runs before ``async_start`` or ``async_schedule``."""
        self.hass = hass
        self.entry = entry
        self.name = name
        self.interval = interval
        self._poll = poll
        self._unsub: CALLBACK_TYPE | None = None
        self.task: asyncio.Task[None] | None = None
        self._stopped = False
        self._again = False

    async def async_run(self) -> None:
        """Run one round now, then keep the cadence."""
        started = time.monotonic()
        try:
            await self._poll()
        finally:
            delay = 0.0 if self._again else self.interval
            self._again = False
            self.async_schedule(max(0.0, delay - (time.monotonic() - started)))

    @callback
    def async_schedule(self, delay: float) -> None:
        """Run the next round in ``delay`` seconds."""
        if not self._stopped:
            self._unsub = async_call_later(self.hass, delay, self._async_timer)

    @callback
    def async_poll_now(self) -> None:
        """Run a round now instead of at the next tick."""
        if self._stopped:
            return
        if self.task and not self.task.done():
            self._again = True  # once more when the running round ends
            return
        if self._unsub:
            self._unsub()
        self._async_timer(None)

    @callback
    def async_stop(self) -> None:
        """Stop: no further round; the running one is cancelled."""
        self._stopped = True
        if self._unsub:
            self._unsub()
            self._unsub = None
        if self.task and not self.task.done():
            self.task.cancel()

    @callback
    def _async_timer(self, _now: datetime | None) -> None:
        self._unsub = None
        self.task = self.entry.async_create_background_task(
            self.hass, self.async_run(), self.name
        )
