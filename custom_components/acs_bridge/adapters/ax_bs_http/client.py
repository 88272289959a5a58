"""The client of AX-ACS BS-HTTP v1: the 30 calls of the specification, typed.

The calls that answer at once have a method each (``get_*``, the door
commands). The paged families (people #4/#5, swipes #11-#14, access records
#15-#18, passages #30) are each described by ONE query object, which builds
the query string of the family's count call and of its list call alike:
:meth:`AxBsHttpClient.count`, :meth:`~AxBsHttpClient.page` and
:meth:`~AxBsHttpClient.iterate` run it. Every answer is mapped onto the shared
models by :mod:`.parse`; the wire is :class:`~.transport.Transport`.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import AsyncIterator, Callable, Iterable, Sequence
from dataclasses import KW_ONLY, dataclass
from datetime import datetime, tzinfo
from typing import ClassVar, Final

import aiohttp

from .. import models  # noqa: TID252
from ..exceptions import AcsAuthenticationError  # noqa: TID252
from .decode import JsonObject
from .parse import (
    WORK_MODE_NUMBERS,
    parse_access_event,
    parse_access_record,
    parse_alarm,
    parse_area,
    parse_area_person,
    parse_card_group,
    parse_card_type,
    parse_controller,
    parse_door,
    parse_door_state,
    parse_organisation,
    parse_passage,
    parse_person,
    parse_person_type,
)
from .transport import MAX_URL_LENGTH, Query, Transport, path_segment

#: The server refuses a page of more than this many rows (status 101).
MAX_ROWS: Final = 1000

#: #29, in two places: the call and the measure of its URL.
_REALTIME_SWIPES: Final = "acs/device/eventcache/swipecard"

_ISALARM: Final[dict[models.AlarmFilter, int]] = {
    models.AlarmFilter.EXCLUDE: 0,
    models.AlarmFilter.ONLY: 1,
    models.AlarmFilter.INCLUDE: -1,
}


def _isalarm(alarms: models.AlarmFilter) -> int:
    """Return the ``isalarm`` parameter: 0 normal only, 1 alarms only, -1 both."""
    return _ISALARM[models.AlarmFilter(alarms)]


def _rows(rows: int | None, default: int) -> int:
    """Return a page size the server accepts (1..1000)."""
    value = default if rows is None else rows
    if not 1 <= value <= MAX_ROWS:
        raise ValueError(f"A page holds 1 to {MAX_ROWS} rows, not {value}")
    return value


# --- the paged families ------------------------------------------------------------


class PagedQuery[T](ABC):
    """A family of paged calls, with its filter: the one query builder of its calls."""

    #: The list call; the rows come back one page (``offset``, ``rows``) at a time.
    list_endpoint: ClassVar[str]

    @abstractmethod
    def params(self, paging: Query = ()) -> Query:
        """Return the query string, with ``paging`` where the call wants it."""

    @abstractmethod
    def parse(self, obj: JsonObject, time_zone: tzinfo) -> T:
        """Map one row of the list call."""


class CountedQuery[T](PagedQuery[T]):
    """A paged family that also has a count call (the same query, no paging)."""

    count_endpoint: ClassVar[str]


@dataclass(frozen=True, slots=True, kw_only=True)
class UsersQuery(CountedQuery[models.Person]):
    """#4 ``users/count``, #5 ``users``: people of a type, in an organisation."""

    count_endpoint: ClassVar[str] = "users/count"
    list_endpoint: ClassVar[str] = "users"

    person_type_id: int | None = None
    org_name: str | None = None

    def params(self, paging: Query = ()) -> Query:
        """Return ``usertype``, ``orgname`` (0 and empty: all)."""
        return [
            ("usertype", self.person_type_id or 0),
            ("orgname", self.org_name),
            *paging,
        ]

    def parse(self, obj: JsonObject, time_zone: tzinfo) -> models.Person:
        """Map a user."""
        return parse_person(obj, time_zone)


class _RecordQuery(CountedQuery[models.AccessEvent]):
    """A family of records (#11-#18): rows are swipe or access records."""

    def parse(self, obj: JsonObject, time_zone: tzinfo) -> models.AccessEvent:
        """Map a record."""
        return parse_access_record(obj, time_zone)


@dataclass(frozen=True, slots=True)
class SwipeRecordsQuery(_RecordQuery):
    """#11 ``swipecardrecords/count``, #12 ``swipecardrecords``: swipes between two times."""

    count_endpoint: ClassVar[str] = "swipecardrecords/count"
    list_endpoint: ClassVar[str] = "swipecardrecords"

    begin: datetime
    end: datetime
    _: KW_ONLY
    alarms: models.AlarmFilter = models.AlarmFilter.INCLUDE
    person_type_id: int | None = None
    user_no: str | None = None

    def params(self, paging: Query = ()) -> Query:
        """Return ``usertype``, ``isalarm``, ``begintime``, ``endtime``, ``userno``."""
        return [
            ("usertype", self.person_type_id or 0),
            ("isalarm", _isalarm(self.alarms)),
            ("begintime", self.begin),
            ("endtime", self.end),
            ("userno", self.user_no),
            *paging,
        ]


@dataclass(frozen=True, slots=True)
class SwipeRecordsByIdQuery(_RecordQuery):
    """#13 ``swipecardrecords/byid/count``, #14 ``swipecardrecords/byid/``: swipes above an id."""

    count_endpoint: ClassVar[str] = "swipecardrecords/byid/count"
    list_endpoint: ClassVar[str] = "swipecardrecords/byid/"  # slash before the "?"

    record_id: int
    _: KW_ONLY
    alarms: models.AlarmFilter = models.AlarmFilter.INCLUDE
    person_type_id: int | None = None

    def params(self, paging: Query = ()) -> Query:
        """Return ``id``, ``usertype``, ``isalarm``."""
        return [
            ("id", self.record_id),
            ("usertype", self.person_type_id or 0),
            ("isalarm", _isalarm(self.alarms)),
            *paging,
        ]


@dataclass(frozen=True, slots=True)
class AcsRecordsQuery(_RecordQuery):
    """#15 ``acsrecords/count``, #16 ``acsrecords``: access events between two times.

    Swipes are included; the server filters these calls by alarm flag only.
    """

    count_endpoint: ClassVar[str] = "acsrecords/count"
    list_endpoint: ClassVar[str] = "acsrecords"

    begin: datetime
    end: datetime
    _: KW_ONLY
    alarms: models.AlarmFilter = models.AlarmFilter.INCLUDE

    def params(self, paging: Query = ()) -> Query:
        """Return ``isalarm``, ``begintime``, ``endtime``."""
        return [
            ("isalarm", _isalarm(self.alarms)),
            ("begintime", self.begin),
            ("endtime", self.end),
            *paging,
        ]


@dataclass(frozen=True, slots=True)
class AcsRecordsByIdQuery(_RecordQuery):
    """#17 ``acsrecords/byid/count``, #18 ``acsrecords/byid/``: access events above an id."""

    count_endpoint: ClassVar[str] = "acsrecords/byid/count"
    list_endpoint: ClassVar[str] = "acsrecords/byid/"  # slash before the "?"

    record_id: int
    _: KW_ONLY
    alarms: models.AlarmFilter = models.AlarmFilter.INCLUDE

    def params(self, paging: Query = ()) -> Query:
        """Return ``id``, ``isalarm``."""
        return [("id", self.record_id), ("isalarm", _isalarm(self.alarms)), *paging]


@dataclass(frozen=True, slots=True)
class UserAccessRecordsQuery(PagedQuery[models.Passage]):
    """#30 ``useraccessrecords``: passages by card, face or plate (no begin: today).

    There is no count call. ``rows=0`` (everything at once) is never sent.
    """

    list_endpoint: ClassVar[str] = "useraccessrecords"

    begin: datetime | None = None
    end: datetime | None = None
    _: KW_ONLY
    user_no: str | None = None

    def params(self, paging: Query = ()) -> Query:
        """Return ``begintime``, ``endtime``, the paging, then ``userno``."""
        return [
            ("begintime", self.begin),
            ("endtime", self.end),
            *paging,
            ("userno", self.user_no),
        ]

    def parse(self, obj: JsonObject, time_zone: tzinfo) -> models.Passage:
        """Map a passage."""
        return parse_passage(obj, time_zone)


# --- the client -------------------------------------------------------------------


class AxBsHttpClient:
    """One AX-ACS server through its BS-HTTP v1 API, on an injected aiohttp session."""

    def __init__(
        self,
        session: aiohttp.ClientSession,
        config: models.AdapterConfig,
        *,
        page_size: int = MAX_ROWS,
    ) -> None:
        """Keep the settings; ``page_size`` (1 to 1000 rows) is the default page."""
        self.config = config
        self.page_size = _rows(page_size, MAX_ROWS)
        self.transport = Transport(session, config)
        #: The server answers HTTP 414 above this URL length.
        self.max_url_length: int = MAX_URL_LENGTH
        # The last split of controller ids for the real-time cache (#29).
        self._batches: tuple[tuple[str, ...], list[list[str]]] | None = None

    def __repr__(self) -> str:
        """Name the server, never the password."""
        return f"{type(self).__name__}({self.config!r})"

    def _zoned[T](
        self, mapper: Callable[[JsonObject, tzinfo], T]
    ) -> Callable[[JsonObject], T]:
        """Return the mapper with the server's zone for the times it maps."""
        zone = self.config.time_zone
        return lambda obj: mapper(obj, zone)

    async def _list[T](
        self,
        mapper: Callable[[JsonObject], T],
        endpoint: str,
        path: Sequence[str] = (),
        query: Query = (),
    ) -> list[T]:
        """Return the mapped ``data`` array of a call (102: empty)."""
        envelope = await self.transport.request(endpoint, path, query)
        return [mapper(obj) for obj in envelope.objects()]

    async def _one[T](
        self,
        mapper: Callable[[JsonObject], T],
        endpoint: str,
        path: Sequence[str] = (),
        query: Query = (),
    ) -> T | None:
        """Return the mapped ``data`` object of a call (102: None)."""
        obj = (await self.transport.request(endpoint, path, query)).object_or_none()
        return None if obj is None else mapper(obj)

    # --- the paged families (#4/#5, #11-#18, #30) --------------------------------------

    async def count(self, query: CountedQuery[object]) -> int:
        """Run the count call of a family: how many rows its list call has."""
        envelope = await self.transport.request(
            query.count_endpoint, query=query.params()
        )
        return envelope.count()

    async def page[T](
        self, query: PagedQuery[T], *, offset: int = 0, rows: int | None = None
    ) -> list[T]:
        """Run the list call of a family: one page of ``rows`` rows (1 to 1000)."""
        paging: Query = [("offset", offset), ("rows", _rows(rows, self.page_size))]
        return await self._list(
            self._zoned(query.parse), query.list_endpoint, query=query.params(paging)
        )

    async def iterate[T](
        self, query: PagedQuery[T], *, page_size: int | None = None
    ) -> AsyncIterator[T]:
        """Yield every row of a family, page by page; stop on a short page (or 102)."""
        rows = _rows(page_size, self.page_size)
        offset = 0
        while True:
            page = await self.page(query, offset=offset, rows=rows)
            for item in page:
                yield item
            # A short page is the last; a longer one means the server ignored
            # the paging (and sent everything): asking again would repeat it.
            if len(page) != rows:
                return
            offset += rows

    # --- 2.1.1 person types, 2.1.2 organisations -----------------------------------

    async def get_user_types(self) -> list[models.PersonType]:
        """#1 ``usertypes``: the types of person."""
        return await self._list(parse_person_type, "usertypes")

    async def get_orgs(self) -> list[models.Organisation]:
        """#2 ``orgs``: every organisation."""
        return await self._list(self._zoned(parse_organisation), "orgs")

    async def get_org_by_name(self, name: str) -> models.Organisation | None:
        """#3 ``org/name/{name}``: one organisation, or None."""
        return await self._one(
            self._zoned(parse_organisation), "org/name", [path_segment(name)]
        )

    # --- 2.1.3 users and cards (#4/#5: UsersQuery) -------------------------------------

    async def get_user(
        self, user_no: str, *, person_type_id: int | None = None
    ) -> models.Person | None:
        """#6 ``user?usertype&userno``: one person by staff number or ID-card keyword."""
        return await self._one(
            self._zoned(parse_person),
            "user",
            query=[("usertype", person_type_id or 0), ("userno", user_no)],
        )

    async def get_user_by_userno(self, user_no: str) -> models.Person | None:
        """#7 ``user/userno/{userno}``: one person by staff or ID-card number."""
        return await self._one(
            self._zoned(parse_person), "user/userno", [path_segment(user_no)]
        )

    async def get_user_by_userid(self, user_id: int) -> models.Person | None:
        """#8 ``user/userid/{userid}``: one person by id."""
        return await self._one(
            self._zoned(parse_person), "user/userid", [str(int(user_id))]
        )

    async def get_card_groups(self) -> list[models.CardGroup]:
        """#9 ``cardgroups``: the card groups."""
        return await self._list(parse_card_group, "cardgroups")

    async def get_card_types(self) -> list[models.CardType]:
        """#10 ``cardtypes``: the card types."""
        return await self._list(parse_card_type, "cardtypes")

    # --- 2.1.4 records (#11-#18: the record queries) -----------------------------------

    async def get_unconfirmed_alarms(self) -> list[models.Alarm]:
        """#19 ``acs/alarmevent/notconfirmandclear``: open alarms (at most 1000)."""
        return await self._list(
            self._zoned(parse_alarm), "acs/alarmevent/notconfirmandclear"
        )

    async def get_area_users(
        self,
        area_id: int | None = None,
        begin: datetime | None = None,
        end: datetime | None = None,
    ) -> list[models.AreaPerson]:
        """#20 ``acsrecords/areausers``: people inside an area (0/None: all areas)."""
        return await self._list(
            self._zoned(parse_area_person),
            "acsrecords/areausers",
            query=[("areaid", area_id or 0), ("begintime", begin), ("endtime", end)],
        )

    # --- 2.1.5 site and doors ------------------------------------------------------------

    async def get_areas(self) -> list[models.Area]:
        """#21 ``areas``: every area (a tree through ``parent_id``)."""
        return await self._list(parse_area, "areas")

    async def get_devices(self) -> list[models.Controller]:
        """#22 ``acs/devices``: every controller with its online state."""
        return await self._list(parse_controller, "acs/devices")

    async def get_doors(self) -> list[models.Door]:
        """#23 ``acs/device/doors``: every door."""
        return await self._list(parse_door, "acs/device/doors")

    async def get_doors_by_area(self, area_id: int) -> list[models.Door]:
        """#24 ``acs/device/doors/areaid/{areaid}``: the doors of one area."""
        return await self._list(
            parse_door, "acs/device/doors/areaid", [str(int(area_id))]
        )

    async def get_door_state(self, door_id: str) -> models.DoorState:
        """#25 ``acs/device/door/state/{doorid}``: flags at the envelope's top level.

        Raises ``AcsNotFoundError`` for an unknown door (102).
        """
        envelope = await self.transport.request(
            "acs/device/door/state", [path_segment(door_id)]
        )
        return parse_door_state(door_id, envelope.found())

    def _credentials(self) -> list[str]:
        """Return the encoded ``{user}/{psw}`` segments of a door command."""
        if not self.config.username or not self.config.password:
            raise AcsAuthenticationError(
                "A door command needs the server account's user name and password"
            )
        return [path_segment(self.config.username), path_segment(self.config.password)]

    async def _door_command(self, endpoint: str, door_id: str, *tail: str) -> None:
        """Send a door command (#26-#28): ``{endpoint}/{user}/{psw}/{doorid}/...``.

        Raises ``AcsNotFoundError`` for an unknown door (102) and
        ``AcsAuthenticationError``/``AcsAccountLockedError`` for the account.
        """
        path = [*self._credentials(), path_segment(door_id), *tail]
        (await self.transport.request(endpoint, path)).found()

    async def open_door(self, door_id: str) -> None:
        """#26 ``acs/device/door/open/{user}/{psw}/{doorid}``."""
        await self._door_command("acs/device/door/open", door_id)

    async def close_door(self, door_id: str) -> None:
        """#27 ``acs/device/door/close/{user}/{psw}/{doorid}``."""
        await self._door_command("acs/device/door/close", door_id)

    async def set_work_mode(self, door_id: str, mode: models.WorkMode | int) -> None:
        """#28 ``acs/device/door/workmode/{user}/{psw}/{doorid}/{mode}``.

        ``mode`` is a work mode, or the protocol's own number of one (0-6).
        """
        number = (
            WORK_MODE_NUMBERS[models.WorkMode(mode)]
            if isinstance(mode, str)
            else int(mode)
        )
        if number not in WORK_MODE_NUMBERS.values():
            raise ValueError(f"No AX work mode is numbered {number}")
        await self._door_command("acs/device/door/workmode", door_id, str(number))

    async def get_realtime_swipes(
        self, controller_ids: Sequence[str]
    ) -> list[models.AccessEvent]:
        """#29 ``acs/device/eventcache/swipecard/{ids}``: one request, ids comma-joined.

        :meth:`realtime_batches` splits a list of ids too long for one URL.
        """
        envelope = await self.transport.request(
            _REALTIME_SWIPES,
            [",".join(path_segment(i) for i in controller_ids)],
            realtime=True,
        )
        parse = self._zoned(parse_access_event)
        return [parse(obj) for obj in envelope.objects()]

    def realtime_batches(self, controller_ids: Iterable[str]) -> list[list[str]]:
        """Split controller ids so that no #29 URL passes :attr:`max_url_length`.

        Duplicates and empty ids are dropped. An id too long on its own still
        gets a request (the server will refuse it).
        """
        key = tuple(controller_ids)
        if self._batches is not None and self._batches[0] == key:
            # The controllers rarely change: poll after poll, reuse the split.
            return self._batches[1]
        ids = [i for i in dict.fromkeys(key) if i]
        used_by_url = len(str(self.transport.build_url(_REALTIME_SWIPES, [""])))
        room = self.max_url_length - used_by_url
        batches: list[list[str]] = []
        batch: list[str] = []
        used = 0
        for controller_id in ids:
            size = len(path_segment(controller_id))
            if batch and used + 1 + size > room:
                batches.append(batch)
                batch, used = [], 0
            used += size + (1 if batch else 0)
            batch.append(controller_id)
        if batch:
            batches.append(batch)
        self._batches = (key, batches)
        return batches
