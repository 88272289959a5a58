"""The AX-ACS BS-HTTP v1 adapter: the adapter interface on top of the client.

Each method of :class:`~..base.AcsAdapter` is one or two calls of
:class:`~.client.AxBsHttpClient`. What the server cannot do is done here: the
access-record calls (#15-#18) cannot filter by staff number or person type, so
those filters are applied to the rows as they arrive; the server has no "newest
record" call; the real-time cache (#29) is read in as many requests as the
URL length allows.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable, Iterable
from datetime import datetime, timedelta
import logging
from typing import TYPE_CHECKING, ClassVar, Final

from .. import models  # noqa: TID252
from ..base import AcsAdapter  # noqa: TID252
from ..events import EventPolling, EventSink, EventSource  # noqa: TID252
from ..exceptions import AcsNotFoundError  # noqa: TID252
from .client import (
    MAX_ROWS,
    AcsRecordsByIdQuery,
    AcsRecordsQuery,
    AxBsHttpClient,
    CountedQuery,
    SwipeRecordsByIdQuery,
    SwipeRecordsQuery,
    UserAccessRecordsQuery,
    UsersQuery,
)
from .events import AxEventSource
from .ledger import event_id_of, record_id_of

if TYPE_CHECKING:
    from aiohttp import ClientSession

_LOGGER = logging.getLogger(__name__)

#: How many of the newest records latest_record_id reads to find the highest id.
_LATEST_WINDOW: Final = 20

type _Keep = Callable[[models.AccessEvent], bool]
#: A record query for the server, and the filter the server could not apply.
type _Records = tuple[CountedQuery[models.AccessEvent], _Keep | None]


def _record_filter(user_no: str | None, person_type_id: int | None) -> _Keep | None:
    """Return the client-side filter for the calls that cannot filter (#15-#18)."""
    if user_no is None and not person_type_id:
        return None

    def keep(record: models.AccessEvent) -> bool:
        return (user_no is None or record.user_no == user_no) and (
            not person_type_id or record.user_type_id == person_type_id
        )

    return keep


def _records_after(
    record_id: int,
    kind: models.RecordKind,
    alarms: models.AlarmFilter,
    person_type_id: int | None,
) -> _Records:
    """Return the query of the records above an id (#13/#14, #17/#18)."""
    if kind == models.RecordKind.SWIPE:
        swipes = SwipeRecordsByIdQuery(
            record_id, alarms=alarms, person_type_id=person_type_id
        )
        return swipes, None
    access = AcsRecordsByIdQuery(record_id, alarms=alarms)
    return access, _record_filter(None, person_type_id)


def _records_between(
    start: datetime,
    end: datetime,
    kind: models.RecordKind,
    alarms: models.AlarmFilter,
    user_no: str | None,
    person_type_id: int | None,
) -> _Records:
    """Return the query of the records between two times (#11/#12, #15/#16)."""
    if kind == models.RecordKind.SWIPE:
        swipes = SwipeRecordsQuery(
            start, end, alarms=alarms, person_type_id=person_type_id, user_no=user_no
        )
        return swipes, None
    access = AcsRecordsQuery(start, end, alarms=alarms)
    return access, _record_filter(user_no, person_type_id)


async def _where[T](
    items: AsyncIterator[T], keep: Callable[[T], bool]
) -> AsyncIterator[T]:
    async for item in items:
        if keep(item):
            yield item


async def _count(items: AsyncIterator[object]) -> int:
    count = 0
    async for _ in items:
        count += 1
    return count


class AxBsHttpV1Adapter(AcsAdapter):
    """An AX-ACS server through its BS-HTTP v1 API (``/api/v1``)."""

    key: ClassVar[str] = "ax_bs_http_v1"
    name: ClassVar[str] = "AX-ACS BS-HTTP v1"
    manufacturer: ClassVar[str] = "AX-ACS"
    default_port: ClassVar[int] = 6500
    default_ssl: ClassVar[bool] = False
    #: The real-time cache keeps an event for 2 s: every poll must come sooner.
    event_polling: ClassVar[EventPolling | None] = EventPolling(
        default=1.0, minimum=0.5, maximum=1.9
    )

    #: The door the credentials check sends CLOSE to; no real door has this id.
    CREDENTIALS_CHECK_DOOR_ID: ClassVar[str] = "acs-bridge-credentials-check-0000"

    def __init__(
        self,
        session: ClientSession,
        config: models.AdapterConfig,
        *,
        page_size: int = MAX_ROWS,
    ) -> None:
        """Build the client; ``page_size`` is 1 to 1000 rows."""
        super().__init__(session, config)
        self.client = AxBsHttpClient(session, config, page_size=page_size)
        #: The controllers of the last listing that named any: the real-time
        #: cache is read per controller.
        self.known_controller_ids: list[str] = []

    async def connect(self) -> None:
        """Every AX server offers the same capabilities; nothing to read.

        It does not report a door's work mode: Home Assistant keeps the last set.
        """
        self.capabilities = frozenset(models.Capability) - {
            models.Capability.WORK_MODE_STATE
        }

    def event_source(
        self, sink: EventSink, *, interval: float, replay: timedelta
    ) -> EventSource:
        """Return the real-time cache, reconciled with the swipe records."""
        return AxEventSource(self, sink, interval=interval, replay=replay)

    def __repr__(self) -> str:
        """Name the server, never the password."""
        return f"{type(self).__name__}({self.config!r})"

    def _records(self, records: _Records) -> AsyncIterator[models.AccessEvent]:
        """Iterate over a record query, filtered here if need be."""
        query, keep = records
        rows = self.client.iterate(query)
        return rows if keep is None else _where(rows, keep)

    async def _count_records(self, records: _Records) -> int:
        """Count with the server's count call, or here when it cannot filter."""
        query, keep = records
        if keep is None:
            return await self.client.count(query)
        return await _count(self._records(records))

    async def check_credentials(self) -> None:
        """Prove that the server answers and accepts the account, moving nothing.

        The API has no login call: only the door commands (#26-#28) check an
        account. So this first reads ``acs/devices`` (an unreachable server
        raises ``AcsConnectionError``, a server that is not AX-ACS v1 raises
        ``AcsResponseError``), then sends CLOSE, the least harmful command,
        to :attr:`CREDENTIALS_CHECK_DOOR_ID`, a door that cannot exist:

        * 102 "no such door": the account was accepted. The server checks the
          account before it looks the door up, so a valid account passes and
          a wrong one is refused;
        * 104/105: ``AcsAuthenticationError``; 106: ``AcsAccountLockedError``;
        * 0: a door with that id exists and took a CLOSE; the account is
          valid (impossible in practice; logged as a warning).

        What it cannot prove: a server that looked the door up before the
        account would answer 102 for any account; it says nothing about
        whether the account may open a particular door; and a wrong password
        counts as a failed attempt toward the server's lock-out.
        """
        await self.client.get_devices()
        try:
            await self.client.close_door(self.CREDENTIALS_CHECK_DOOR_ID)
        except AcsNotFoundError:
            return
        _LOGGER.warning(
            "The credentials check sent CLOSE to door %s and the server says it "
            "exists; the account is valid",
            self.CREDENTIALS_CHECK_DOOR_ID,
        )

    async def areas(self) -> list[models.Area]:
        """Return every area."""
        return await self.client.get_areas()

    async def controllers(self) -> list[models.Controller]:
        """Return every controller, with its online state."""
        controllers = await self.client.get_devices()
        if controllers:
            self.known_controller_ids = [c.id for c in controllers]
        return controllers

    async def doors(self, area_id: int | None = None) -> list[models.Door]:
        """Return every door, or the doors of one area."""
        if area_id is None:
            return await self.client.get_doors()
        return await self.client.get_doors_by_area(area_id)

    async def door_state(self, door_id: str) -> models.DoorState:
        """Return the live state of one door."""
        return await self.client.get_door_state(door_id)

    async def open_door(self, door_id: str) -> None:
        """Open (unlock) a door."""
        await self.client.open_door(door_id)

    async def close_door(self, door_id: str) -> None:
        """Close (lock) a door."""
        await self.client.close_door(door_id)

    async def set_work_mode(self, door_id: str, mode: models.WorkMode) -> None:
        """Set a door's working mode."""
        await self.client.set_work_mode(door_id, mode)

    async def poll_events(
        self, controller_ids: Iterable[str]
    ) -> list[models.AccessEvent]:
        """Return the real-time cache of these controllers, sorted by event id.

        The ids go in the URL path: they are split over several concurrent
        requests when one URL would pass 4096 bytes (HTTP 414). If one request
        fails, its error is raised once all are done. The cache keeps an event
        for :attr:`AxEventSource.feed_timeout`; keeping the highest event id seen
        is the caller's job.
        """
        batches = self.client.realtime_batches(controller_ids)
        results = await asyncio.gather(
            *(self.client.get_realtime_swipes(batch) for batch in batches),
            return_exceptions=True,
        )
        events: dict[int | str | None, models.AccessEvent] = {}
        for result in results:
            if isinstance(result, BaseException):
                raise result
            for event in result:
                events.setdefault(event.event_id, event)
        return sorted(events.values(), key=event_id_of)

    def records_after(
        self,
        record_id: int,
        *,
        kind: models.RecordKind = models.RecordKind.ACCESS,
        alarms: models.AlarmFilter = models.AlarmFilter.INCLUDE,
        person_type_id: int | None = None,
    ) -> AsyncIterator[models.AccessEvent]:
        """Iterate over the records whose id is greater than ``record_id``.

        Access records (#18) cannot be filtered by person type on the server:
        that filter is applied here.
        """
        return self._records(_records_after(record_id, kind, alarms, person_type_id))

    async def count_records_after(
        self,
        record_id: int,
        *,
        kind: models.RecordKind = models.RecordKind.ACCESS,
        alarms: models.AlarmFilter = models.AlarmFilter.INCLUDE,
        person_type_id: int | None = None,
    ) -> int:
        """Count the records whose id is greater than ``record_id``.

        With a person type, access records are read and counted here.
        """
        return await self._count_records(
            _records_after(record_id, kind, alarms, person_type_id)
        )

    async def latest_record_id(
        self, *, kind: models.RecordKind = models.RecordKind.ACCESS
    ) -> int | None:
        """Return the id of the newest record (None when there is none).

        The API has no such call, and the specification does not say in which
        order a page comes (oldest or newest first). So: count the records
        above id 0 (#13/#17), read the first and the last few (#14/#18) and
        keep the highest id, then read whatever is above that one (nothing,
        whichever way the server sorts; everything left, in any other order).
        A record added in between is left for :meth:`records_after`.
        """
        query, _ = _records_after(0, kind, models.AlarmFilter.INCLUDE, None)
        total = await self.client.count(query)
        if total == 0:
            return None
        window = min(_LATEST_WINDOW, self.client.page_size)
        offsets = {0, max(0, total - window)}
        highest = 0
        for offset in sorted(offsets):
            page = await self.client.page(query, offset=offset, rows=window)
            highest = max((record_id_of(r) for r in page), default=highest)
        above, _ = _records_after(highest, kind, models.AlarmFilter.INCLUDE, None)
        async for record in self.client.iterate(above):
            highest = max(highest, record_id_of(record))
        return highest or None

    def records_between(
        self,
        start: datetime,
        end: datetime,
        *,
        kind: models.RecordKind = models.RecordKind.ACCESS,
        alarms: models.AlarmFilter = models.AlarmFilter.INCLUDE,
        user_no: str | None = None,
        person_type_id: int | None = None,
    ) -> AsyncIterator[models.AccessEvent]:
        """Iterate over the records made between two times.

        Access records (#16) cannot be filtered by staff number or person type
        on the server: those filters are applied here.
        """
        return self._records(
            _records_between(start, end, kind, alarms, user_no, person_type_id)
        )

    async def count_records_between(
        self,
        start: datetime,
        end: datetime,
        *,
        kind: models.RecordKind = models.RecordKind.ACCESS,
        alarms: models.AlarmFilter = models.AlarmFilter.INCLUDE,
        user_no: str | None = None,
        person_type_id: int | None = None,
    ) -> int:
        """Count the records made between two times (filtered here if need be)."""
        return await self._count_records(
            _records_between(start, end, kind, alarms, user_no, person_type_id)
        )

    def passages(
        self,
        start: datetime | None = None,
        end: datetime | None = None,
        *,
        user_no: str | None = None,
    ) -> AsyncIterator[models.Passage]:
        """Iterate over passages by card, face or plate (today when no start)."""
        return self.client.iterate(UserAccessRecordsQuery(start, end, user_no=user_no))

    async def alarms(self) -> list[models.Alarm]:
        """Return the alarms not yet acknowledged and not cleared."""
        return await self.client.get_unconfirmed_alarms()

    async def person(
        self, *, user_no: str | None = None, user_id: int | None = None
    ) -> models.Person | None:
        """Return one person by id (preferred) or staff number, or None."""
        if user_id is not None:
            return await self.client.get_user_by_userid(user_id)
        if user_no is not None:
            return await self.client.get_user_by_userno(user_no)
        raise ValueError("Give a user_no or a user_id")

    def people(
        self, *, person_type_id: int | None = None, org_name: str | None = None
    ) -> AsyncIterator[models.Person]:
        """Iterate over people, page by page."""
        return self.client.iterate(
            UsersQuery(person_type_id=person_type_id, org_name=org_name)
        )

    async def count_people(
        self, *, person_type_id: int | None = None, org_name: str | None = None
    ) -> int:
        """Count people."""
        return await self.client.count(
            UsersQuery(person_type_id=person_type_id, org_name=org_name)
        )

    async def area_people(
        self,
        area_id: int | None = None,
        start: datetime | None = None,
        end: datetime | None = None,
    ) -> list[models.AreaPerson]:
        """Return the people inside an area and its sub-areas (all when None)."""
        return await self.client.get_area_users(area_id, start, end)

    async def person_types(self) -> list[models.PersonType]:
        """Return the types of person."""
        return await self.client.get_user_types()

    async def organisations(self) -> list[models.Organisation]:
        """Return every organisation."""
        return await self.client.get_orgs()

    async def organisation(self, name: str) -> models.Organisation | None:
        """Return one organisation by name, or None."""
        return await self.client.get_org_by_name(name)

    async def card_groups(self) -> list[models.CardGroup]:
        """Return the card groups."""
        return await self.client.get_card_groups()

    async def card_types(self) -> list[models.CardType]:
        """Return the card types."""
        return await self.client.get_card_types()
