"""Whether access events arrive as they happen: the event feed.

The event source says when it read its feed (``read_ok``) and, for a feed
that reports it, when the feed broke (``read_failed``). For a source with a
``window`` (a poll of a cache that keeps events that long), the feed is also
down while no good read came for longer than the window: events may then be
missed live (the source replays them later). A timer turns it on, so a hanging
request shows as soon as the window is over, not when the request finally
fails; the next good read turns it off. One log line when it goes down, one
when it recovers.
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

    def __init__(self, hass: HomeAssistant, window: float | None, name: str) -> None:
        """Watch a feed that is down after ``window`` seconds without a good read.

        With no window, only ``read_failed`` puts the feed down.
        """
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
    def read_failed(self) -> None:
        """Note that the feed broke (the source knows it at once)."""
        self.stop()
        self._go_down()

    @callback
    def _arm(self) -> None:
        self.stop()
        if self.window is not None:
            self._unsub = async_call_later(self.hass, self.window, self._expired)

    @callback
    def _expired(self, _now: datetime) -> None:
        self._unsub = None
        self._go_down()

    @callback
    def _go_down(self) -> None:
        if self.down:
            return
        self.down = True
        LOGGER.warning(
            "Event feed of %s is down: access events are not arriving as they"
            " happen; those made meanwhile will be replayed",
            self.name,
        )
        self._tell()

    def _tell(self) -> None:
        for listener in list(self._listeners):
            listener()
