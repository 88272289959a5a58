"""The controller's door cycle: a door opened by command locks again by itself.

A real controller drives the lock for the door's *open time* (a few seconds,
set per door) after an *open door* command, then relocks; the door closes
behind whoever walked through. A door held by the *normally open* work mode
stays open until the mode changes.

The deadlines run on ``sim.clock`` (monotonic seconds that tests may replace),
and doors are closed when the server next looks at them (every protocol
request and every step of the demo traffic), so a client sees the door close
within one state read, and tests move a fake clock instead of sleeping.
"""

from __future__ import annotations

from collections.abc import Callable

from .site import Door

NORMALLY_OPEN = 4
"""The work mode that holds a door open."""
NORMALLY_CLOSED = 5
"""The work mode that keeps a door closed."""


class Relocks:
    """Doors that are open by command and when each locks again."""

    def __init__(self, clock: Callable[[], float]) -> None:
        """Keep deadlines on ``clock`` (monotonic seconds)."""
        self._clock = clock
        self._due: dict[str, float] = {}

    def opened(self, door: Door) -> None:
        """Start (or restart) a door's open time; a held-open door is not timed."""
        if door.work_mode == NORMALLY_OPEN:
            self._due.pop(door.id, None)
        else:
            self._due[door.id] = self._clock() + door.open_time

    def cancel(self, door_id: str) -> None:
        """Forget a door's deadline (closed by command, or held by a mode)."""
        self._due.pop(door_id, None)

    def pending(self, door_id: str) -> float | None:
        """Seconds until the door relocks, None when it is not timed."""
        due = self._due.get(door_id)
        return None if due is None else max(0.0, due - self._clock())

    def take_due(self) -> list[str]:
        """Return and forget the doors whose open time is over, earliest first."""
        if not self._due:
            return []
        now = self._clock()
        due = sorted((t, d) for d, t in self._due.items() if t <= now)
        for _t, door_id in due:
            del self._due[door_id]
        return [door_id for _t, door_id in due]

    def clear(self) -> None:
        """Forget every deadline."""
        self._due.clear()
