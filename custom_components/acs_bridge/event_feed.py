"""Whether the server's real-time event cache is being read: the event feed.

The cache keeps an event for ``window`` seconds (2 s on AX). The feed is down
while the cache has not been read successfully for longer than that: swipes
may then be missed live (the records bring them back later, marked replayed).
A timer turns it on, so a hanging request shows as soon as the window is over,
not when the request finally fails; the next good read turns it off. One log
line when it goes down, one when it recovers.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
import time

from homeassistant.core import CALLBACK_TYPE, HomeAssistant, callback
from homeassistant.helpers.event import async_call_later

from .const import LOGGER


class EventFeed:
    """Track the last good read of the real-time cache."""

    def __init__(self, hass: HomeAssistant, window: float, name: str) -> None:
        """Watch reads of a cache that keeps events for ``window`` seconds."""
        self.hass = hass
        self.window = window
        self.name = name
        self.down = False
        self.last_ok: float | None = None
        self._unsub: CALLBACK_TYPE | None = None
        self._listeners: list[Callable[[], None]] = []

    @callback
    def start(self) -> None:
        """Give the first read one window to succeed."""
        self._arm()

    @callback
    def stop(self) -> None:
        """Stop the timer."""
        if self._unsub:
            self._unsub()
            self._unsub = None

    @callback
    def async_add_listener(self, listener: Callable[[], None]) -> CALLBACK_TYPE:
        """Call ``listener`` when the feed goes down or comes back."""
        self._listeners.append(listener)

        @callback
        def remove() -> None:
            self._listeners.remove(listener)

        return remove

    @callback
    def read_ok(self) -> None:
        """Note a good read of the cache."""
        self.last_ok = time.monotonic()
        if self.down:
            self.down = False
            LOGGER.info("Event feed of %s is back: swipes arrive live again", self.name)
            self._tell()
        self._arm()

    @callback
    def _arm(self) -> None:
        self.stop()
        self._unsub = async_call_later(self.hass, self.window, self._expired)

    @callback
    def _expired(self, _now: datetime) -> None:
        self._unsub = None
        if self.down:
            return
        self.down = True
        LOGGER.warning(
            "Event feed of %s is down: the event cache has not been read for %.0f s;"
            " swipes made meanwhile will be replayed from the records",
            self.name,
            self.window,
        )
        self._tell()

    def _tell(self) -> None:
        for listener in list(self._listeners):
            listener()
