"""The event source: one ordered, gap-free feed of access events per adapter.

The Home Assistant side builds one source per connected adapter with
:meth:`AcsAdapter.event_source`, starts it from the cursor it stored, and
takes what the source hands its sink in :class:`EventBatch` objects: the events
(each marked live or replayed), the cursor after them, a notice when events
were lost for good, the feed's health, and door and alarm changes the feed
reported. How the events are obtained (polling a cache and reconciling it with
the stored records, or a pushed stream plus a search after a reconnect) is the
plugin's business.

The integration delivers each event once (de-duplicated by ``AccessEvent.key``
as well), after automations listen, and stores the cursor it was given after
delivering the batch. The cursor is opaque: only the plugin that made it
reads it.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
import asyncio
from collections.abc import Coroutine
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any, Protocol

from .models import AccessEvent, Alarm, WorkMode


class FeedHealth(StrEnum):
    """Whether events arrive as they happen."""

    UP = "up"
    DOWN = "down"


@dataclass(frozen=True, slots=True)
class SourceEvent:
    """One access event as the source hands it over: live, or replayed."""

    event: AccessEvent
    replayed: bool = False


@dataclass(frozen=True, slots=True, kw_only=True)
class EventGap:
    """Events the source knows were lost: too old to replay, or gone from the log."""

    count: int
    """How many (at least); 0 when the source cannot tell."""
    since: datetime | None = None
    """When the first of them happened, when known."""


@dataclass(frozen=True, slots=True, kw_only=True)
class DoorChange:
    """What the feed reported about a door; None leaves a field as it was."""

    door_id: str
    is_open: bool | None = None
    locked: bool | None = None
    contact_open: bool | None = None
    work_mode: WorkMode | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class EventBatch:
    """What a source hands over at once, in order."""

    events: tuple[SourceEvent, ...] = ()
    cursor: str | None = None
    """Where to resume after these events (None: unchanged)."""
    cursor_moved: bool = False
    """The cursor moved, but is costly to write out: the integration reads
    :attr:`EventSource.cursor` when it stores it (every few seconds, and at
    stop) instead of the source serialising it for every batch."""
    gap: EventGap | None = None
    health: FeedHealth | None = None
    """None: no news about the feed's health."""
    door_changes: tuple[DoorChange, ...] = ()
    alarms_raised: tuple[Alarm, ...] = ()
    """Alarms the feed reported (for adapters without an alarm list, or sooner)."""
    alarms_ended: tuple[int, ...] = ()
    """Ids of alarms the feed reported as over."""


@dataclass(frozen=True, slots=True, kw_only=True)
class EventPolling:
    """The poll interval a polling source accepts, in seconds."""

    default: float
    minimum: float
    maximum: float


class EventSink(Protocol):
    """Where a source hands its batches; given by the Home Assistant side."""

    def deliver(self, batch: EventBatch) -> None:
        """Take one batch (called in the event loop, in order)."""

    def create_task(
        self, coro: Coroutine[Any, Any, None], name: str
    ) -> asyncio.Task[None]:
        """Run work of the source beside the poll (tracked and cancelled on stop)."""


class EventSource(ABC):
    """One adapter's feed of access events.

    A polling source is driven by the Home Assistant side, which calls
    :meth:`async_poll` every ``interval`` seconds (one round at a time); a
    pushing source starts its own reading in :meth:`async_start`. Either way,
    what it finds goes to the sink in order.
    """

    #: The feed is down when no batch said ``UP`` for this many seconds
    #: (None: the source reports ``DOWN`` itself).
    feed_timeout: float | None = None
    #: Whether the Home Assistant side must call :meth:`async_poll`.
    polls: bool = False
    #: Whether the feed reports doors unlocking, locking, opening and closing
    #: (``EventBatch.door_changes``): then a granted event needs no door read.
    reports_doors: bool = False

    def __init__(self, sink: EventSink, *, interval: float, replay: timedelta) -> None:
        """Keep the sink; ``replay`` is how far back lost events are replayed."""
        self.sink = sink
        self.interval = interval
        self.replay = replay

    @abstractmethod
    async def async_start(self, resume: str | None) -> None:
        """Start from a stored cursor (None: from now on)."""

    async def async_poll(self) -> None:  # noqa: B027 - polling sources only
        """Run one round of a polling source."""

    @abstractmethod
    async def async_stop(self) -> None:
        """Stop reading; the last cursor stays readable in :attr:`cursor`."""

    @property
    @abstractmethod
    def cursor(self) -> str | None:
        """Return where to resume after everything handed over so far."""

    def diagnostics(self) -> dict[str, Any]:
        """Return figures for the diagnostics download (no secret, no personal data)."""
        return {}
