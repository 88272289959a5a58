"""Gap-free, exactly-once delivery of a device's events by serial number (pure).

No I/O and no clock: the event source of the adapter drives a
:class:`SerialReplay` with what the stream and the search give it, and
delivers what it returns. The state worth keeping across restarts is
:meth:`SerialReplay.to_dict` (the last serial delivered and its device time).

The protocol of the driver::

    replay.connected()                      # the stream (re)connected
    for item in stream:                     # live events: deliver what comes back
        step = replay.stream_event(event)
        ...                                 # while catching up, events are held
    # meanwhile, once per connect (and whenever a step says search_needed):
    if replay.search_from is not None:      # None: nothing to replay (first run)
        replay.search_events(client.search_events(after_serial=replay.search_from))
    step = replay.caught_up()               # replayed + held events, in serial order

Rules:

* every serial number is delivered once; events the device re-sends on
  connect (``currentEvent: false``: buffered history, or a whole-log dump)
  are never delivered from the stream: the search is what replays history;
* our own subscription's 3/121 and 3/122 advance the cursor but are never
  delivered;
* while catching up, live events are held and released after the search
  results, merged in serial order; search results are flagged ``replayed``;
* a first serial past ``cursor + 1`` after a catch-up means the device log no
  longer holds ``cursor + 1`` (it wrapped): a :class:`GapNotice` says how many
  serials were lost; a live event past ``cursor + 1`` asks for a search first
  (``search_needed``), so a stream that dropped an event never loses it;
* a serial at or below the cursor is a duplicate when it was delivered with
  the same code and time, or when nothing says otherwise; it is a SERIAL
  RESTART (log wipe, factory reset) when the same serial came with another
  code or time, when it is a current live event that was never delivered, or
  when it is newer by device time than the cursor's event: the cursor is
  reset (:class:`SerialRestartNotice`) and delivery goes on, never stalls;
  a restart first seen at serial N > 1 puts the cursor back to 0 and asks
  for a search (``search_needed``), so events 1 .. N-1 of the new numbering
  (logged while the stream was down) are replayed, not lost.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Final

from .models import IsapiEvent

__all__ = [
    "Delivery",
    "GapNotice",
    "ReplayStep",
    "SerialReplay",
    "SerialRestartNotice",
]

#: Our own subscription's events (subscriber connected / left).
SUBSCRIPTION_CODES: Final = frozenset({(3, 121), (3, 122)})

type _Identity = tuple[int, int, datetime | None]


@dataclass(frozen=True, slots=True)
class Delivery:
    """An event to deliver; ``replayed`` when it came from the search."""

    event: IsapiEvent
    replayed: bool


@dataclass(frozen=True, slots=True)
class GapNotice:
    """Serials after ``after_serial`` and before ``resumed_at`` are not in the log."""

    after_serial: int
    resumed_at: int

    @property
    def lost(self) -> int:
        """Return how many serial numbers were lost."""
        return self.resumed_at - self.after_serial - 1


@dataclass(frozen=True, slots=True)
class SerialRestartNotice:
    """The device restarted its serial numbers (log wipe, reset)."""

    previous_serial: int
    new_serial: int


type Notice = GapNotice | SerialRestartNotice


@dataclass(frozen=True, slots=True)
class ReplayStep:
    """What one input produced: deliveries in order, notices, and a request."""

    deliveries: tuple[Delivery, ...] = ()
    notices: tuple[Notice, ...] = ()
    search_needed: bool = False
    """A live event skipped serials: search from ``search_from``, then
    call :meth:`SerialReplay.caught_up`."""


def _identity(event: IsapiEvent) -> _Identity:
    return (event.major, event.minor, event.time)


def _later(time: datetime | None, than: datetime | None) -> bool:
    """Return whether ``time`` is strictly later (False when not comparable)."""
    if time is None or than is None:
        return False
    if (time.utcoffset() is None) != (than.utcoffset() is None):
        return False
    return time > than


class SerialReplay:
    """The cursor of one device's event log and the catch-up around it."""

    def __init__(
        self,
        last_serial: int | None = None,
        last_time: datetime | None = None,
        *,
        fill_live_holes: bool = True,
        memory: int = 2048,
        max_held: int = 10_000,
    ) -> None:
        """Start from a stored cursor (None: deliver from the first event seen)."""
        self._cursor = last_serial
        self._cursor_time = last_time
        self._fill_live_holes = fill_live_holes
        self._memory = memory
        self._max_held = max_held
        self._seen: OrderedDict[int, _Identity] = OrderedDict()
        self._catching_up = False
        self._held: dict[int, IsapiEvent] = {}
        self._held_unnumbered: list[IsapiEvent] = []
        self._found: dict[int, IsapiEvent] = {}
        self._found_unnumbered: list[IsapiEvent] = []

    # --- state ----------------------------------------------------------------

    @property
    def last_serial(self) -> int | None:
        """Return the serial of the last event consumed (the cursor)."""
        return self._cursor

    @property
    def catching_up(self) -> bool:
        """Return whether live events are held for a search replay."""
        return self._catching_up

    @property
    def search_from(self) -> int | None:
        """Return the serial to search after (None: nothing to replay)."""
        return self._cursor

    def to_dict(self) -> dict[str, Any]:
        """Return the state to keep across restarts."""
        return {
            "last_serial": self._cursor,
            "last_time": self._cursor_time.isoformat() if self._cursor_time else None,
        }

    @classmethod
    def from_dict(cls, data: Any, **options: Any) -> SerialReplay:
        """Rebuild from :meth:`to_dict` (bad values: start without a cursor)."""
        serial: int | None = None
        time: datetime | None = None
        if isinstance(data, dict):
            value = data.get("last_serial")
            if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
                serial = value
            text = data.get("last_time")
            if isinstance(text, str):
                try:
                    time = datetime.fromisoformat(text)
                except ValueError:
                    time = None
        return cls(serial, time, **options)

    # --- inputs -----------------------------------------------------------------

    def connected(self) -> None:
        """Start a catch-up (the stream connected): hold live events until caught up."""
        self._catching_up = True

    def stream_event(self, event: IsapiEvent) -> ReplayStep:
        """Take an event from the stream."""
        if event.current_event is False:
            return ReplayStep()  # re-sent history: the search replays it
        serial = event.serial_no
        if self._catching_up:
            self._hold(event)
            return ReplayStep()
        if (
            self._fill_live_holes
            and serial is not None
            and self._cursor is not None
            and serial > self._cursor + 1
        ):
            self._catching_up = True
            self._hold(event)
            return ReplayStep(search_needed=True)
        notices: list[Notice] = []
        if self._restart_with_unseen_start(event, notices):
            # Serials 1 .. this one - 1 of the new numbering were never seen.
            self._catching_up = True
            self._hold(event)
            return ReplayStep(notices=tuple(notices), search_needed=True)
        delivery = self._consume(event, replayed=False, notices=notices, gaps=False)
        return ReplayStep(
            deliveries=(delivery,) if delivery else (), notices=tuple(notices)
        )

    def search_events(self, events: Iterable[IsapiEvent]) -> None:
        """Take search results (any order, any number of pages) for the catch-up."""
        self._catching_up = True
        for event in events:
            if event.serial_no is None:
                self._found_unnumbered.append(event)
            else:
                self._found.setdefault(event.serial_no, event)

    def caught_up(self) -> ReplayStep:
        """End the catch-up: deliver the search results and held events in order."""
        merged: dict[int, tuple[IsapiEvent, bool]] = {
            serial: (event, True) for serial, event in self._found.items()
        }
        for serial, event in self._held.items():
            if serial not in merged or event.current_event is True:
                merged[serial] = (event, False)
        notices: list[Notice] = []
        deliveries = [Delivery(event, True) for event in self._found_unnumbered]
        self._found.clear()
        self._found_unnumbered.clear()
        ordered = sorted(merged)
        for index, serial in enumerate(ordered):
            event, replayed = merged[serial]
            if self._restart_with_unseen_start(event, notices):
                # Search the new numbering from its start; the live events
                # from here on wait for it (the search finds the rest again).
                self._held = {
                    s: merged[s][0] for s in ordered[index:] if not merged[s][1]
                }
                return ReplayStep(
                    deliveries=tuple(deliveries),
                    notices=tuple(notices),
                    search_needed=True,
                )
            delivery = self._consume(
                event, replayed=replayed, notices=notices, gaps=True
            )
            if delivery is not None:
                deliveries.append(delivery)
        deliveries.extend(Delivery(e, False) for e in self._held_unnumbered)
        self._catching_up = False
        self._held.clear()
        self._held_unnumbered.clear()
        return ReplayStep(deliveries=tuple(deliveries), notices=tuple(notices))

    # --- the rules ---------------------------------------------------------------

    def _hold(self, event: IsapiEvent) -> None:
        if event.serial_no is None:
            self._held_unnumbered.append(event)
            return
        self._held.setdefault(event.serial_no, event)
        if len(self._held) > self._max_held:
            del self._held[min(self._held)]  # the oldest; the search has it

    def _remember(self, event: IsapiEvent, serial: int) -> None:
        self._cursor = serial
        self._cursor_time = event.time
        self._seen[serial] = _identity(event)
        self._seen.move_to_end(serial)
        while len(self._seen) > self._memory:
            self._seen.popitem(last=False)

    def _is_restart(self, event: IsapiEvent, serial: int) -> bool:
        """Return whether an event at or below the cursor restarts the serials."""
        seen = self._seen.get(serial)
        if seen is not None:
            return seen != _identity(event)
        if event.current_event is True:
            return True  # a live event never delivered
        return _later(event.time, self._cursor_time)

    def _restart_with_unseen_start(
        self, event: IsapiEvent, notices: list[Notice]
    ) -> bool:
        """Return whether ``event`` restarts the serials past serial 1.

        Then the events numbered before it in the new numbering were never
        seen: the cursor goes back to 0 (a search from there finds them) and
        the restart is noticed. A restart found at serial 1 is ``_consume``'s.
        """
        serial, cursor = event.serial_no, self._cursor
        if serial is None or serial <= 1 or cursor is None or serial > cursor:
            return False
        if not self._is_restart(event, serial):
            return False
        notices.append(SerialRestartNotice(cursor, serial))
        self._seen.clear()
        self._cursor = 0
        self._cursor_time = None
        return True

    def _consume(
        self,
        event: IsapiEvent,
        *,
        replayed: bool,
        notices: list[Notice],
        gaps: bool,
    ) -> Delivery | None:
        """Apply the rules to one event; return its delivery, if any."""
        serial = event.serial_no
        if serial is None:
            return Delivery(event, replayed)
        cursor = self._cursor
        if cursor is not None and serial <= cursor:
            if not self._is_restart(event, serial):
                return None
            notices.append(SerialRestartNotice(cursor, serial))
            self._seen.clear()
        elif cursor is not None and gaps and serial > cursor + 1:
            notices.append(GapNotice(cursor, serial))
        self._remember(event, serial)
        if (event.major, event.minor) in SUBSCRIPTION_CODES:
            return None
        return Delivery(event, replayed)
