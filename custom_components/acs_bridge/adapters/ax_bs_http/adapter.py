"""The AX-ACS BS-HTTP v1 adapter: one method per endpoint, the interface on top.

The endpoint methods (``get_*``, ``count_*``, ``*_raw``) map the 30 calls of
the specification one to one and return typed models; the ``iter_*`` methods
page through the paged ones; the methods of :class:`AcsAdapter` are built on
them.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Sequence
from datetime import datetime
import logging
from typing import TYPE_CHECKING, ClassVar, Final

from ..base import AcsAdapter  # noqa: TID252
from ..exceptions import AcsAuthenticationError, AcsNotFoundError  # noqa: TID252
from ..models import (  # noqa: TID252
    AccessEvent,
    AccessRecord,
    AdapterConfig,
    Alarm,
    AlarmFilter,
    Area,
    AreaPerson,
    Capability,
    CardGroup,
    CardType,
    Controller,
    Door,
    DoorState,
    Organisation,
    Passage,
    Person,
    PersonType,
    RecordKind,
    WorkMode,
)
from .client import MAX_ROWS, MAX_URL_LENGTH, AxBsHttpClient, path_segment
from .parse import (
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

if TYPE_CHECKING:
    from aiohttp import ClientSession

_LOGGER = logging.getLogger(__name__)

#: How many of the newest records latest_record_id reads to find the highest id.
_LATEST_WINDOW: Final = 20

_ALARM_FILTER: Final[dict[AlarmFilter, int]] = {
    AlarmFilter.EXCLUDE: 0,
    AlarmFilter.ONLY: 1,
    AlarmFilter.INCLUDE: -1,
}

# Endpoints, by their number in the specification's index (NOTES.md).
USER_TYPES: Final = "usertypes"  # 1
ORGS: Final = "orgs"  # 2
ORG_BY_NAME: Final = "org/name"  # 3
USERS_COUNT: Final = "users/count"  # 4
USERS: Final = "users"  # 5
USER: Final = "user"  # 6
USER_BY_USERNO: Final = "user/userno"  # 7
USER_BY_USERID: Final = "user/userid"  # 8
CARD_GROUPS: Final = "cardgroups"  # 9
CARD_TYPES: Final = "cardtypes"  # 10
SWIPES_COUNT: Final = "swipecardrecords/count"  # 11
SWIPES: Final = "swipecardrecords"  # 12
SWIPES_BY_ID_COUNT: Final = "swipecardrecords/byid/count"  # 13
SWIPES_BY_ID: Final = "swipecardrecords/byid/"  # 14 (slash before the query)
ACS_RECORDS_COUNT: Final = "acsrecords/count"  # 15
ACS_RECORDS: Final = "acsrecords"  # 16
ACS_RECORDS_BY_ID_COUNT: Final = "acsrecords/byid/count"  # 17
ACS_RECORDS_BY_ID: Final = "acsrecords/byid/"  # 18 (slash before the query)
ALARMS: Final = "acs/alarmevent/notconfirmandclear"  # 19
AREA_USERS: Final = "acsrecords/areausers"  # 20
AREAS: Final = "areas"  # 21
DEVICES: Final = "acs/devices"  # 22
DOORS: Final = "acs/device/doors"  # 23
DOORS_BY_AREA: Final = "acs/device/doors/areaid"  # 24
DOOR_STATE: Final = "acs/device/door/state"  # 25
DOOR_OPEN: Final = "acs/device/door/open"  # 26
DOOR_CLOSE: Final = "acs/device/door/close"  # 27
DOOR_WORK_MODE: Final = "acs/device/door/workmode"  # 28
REALTIME_SWIPES: Final = "acs/device/eventcache/swipecard"  # 29
USER_ACCESS_RECORDS: Final = "useraccessrecords"  # 30


def _rows(rows: int | None, default: int) -> int:
    """Return a page size the server accepts (1..1000)."""
    value = default if rows is None else rows
    if not 1 <= value <= MAX_ROWS:
        raise ValueError(f"A page holds 1 to {MAX_ROWS} rows, not {value}")
    return value


async def _where[T](
    items: AsyncIterator[T], keep: Callable[[T], bool]
) -> AsyncIterator[T]:
    async for item in items:
        if keep(item):
            yield item


def _record_filter(
    user_no: str | None, person_type_id: int | None
) -> Callable[[AccessRecord], bool] | None:
    """Return the client-side filter for the calls that cannot filter (#15-#18)."""
    if user_no is None and not person_type_id:
        return None

    def keep(record: AccessRecord) -> bool:
        return (user_no is None or record.user_no == user_no) and (
            not person_type_id or record.user_type_id == person_type_id
        )

    return keep


class AxBsHttpV1Adapter(AcsAdapter):
    """An AX-ACS server through its BS-HTTP v1 API (``/api/v1``)."""

    key: ClassVar[str] = "ax_bs_http_v1"
    name: ClassVar[str] = "AX-ACS BS-HTTP v1"
    capabilities: ClassVar[frozenset[Capability]] = frozenset(Capability)
    realtime_cache_seconds: ClassVar[float | None] = 2.0

    #: The door the credentials check sends CLOSE to; no real door has this id.
    CREDENTIALS_CHECK_DOOR_ID: ClassVar[str] = "acs-bridge-credentials-check-0000"
    #: The server answers HTTP 414 above this URL length.
    max_url_length: int = MAX_URL_LENGTH

    def __init__(
        self,
        session: ClientSession,
        config: AdapterConfig,
        *,
        page_size: int = MAX_ROWS,
    ) -> None:
        """Keep the session and settings; ``page_size`` is 1 to 1000 rows."""
        super().__init__(session, config)
        self.page_size = _rows(page_size, MAX_ROWS)
        self.api = AxBsHttpClient(session, config)
        # The last split of controller ids for the real-time cache (#29).
        self._batches: tuple[tuple[str, ...], list[list[str]]] | None = None

    def __repr__(self) -> str:
        """Name the server, never the password."""
        return f"{type(self).__name__}({self.config!r})"

    def _isalarm(self, alarms: AlarmFilter) -> int:
        return _ALARM_FILTER[AlarmFilter(alarms)]

    def _credentials(self) -> list[str]:
        """Return the encoded ``{user}/{psw}`` segments of a door command."""
        if not self.config.username or not self.config.password:
            raise AcsAuthenticationError(
                "A door command needs the server account's user name and password"
            )
        return [path_segment(self.config.username), path_segment(self.config.password)]

    async def _pages[T](
        self,
        fetch: Callable[[int, int], Awaitable[list[T]]],
        page_size: int | None,
    ) -> AsyncIterator[T]:
        """Yield every row of a paged call; stop on a short page (or 102)."""
        rows = _rows(page_size, self.page_size)
        offset = 0
        while True:
            page = await fetch(offset, rows)
            for item in page:
                yield item
            # A short page is the last; a longer one means the server ignored
            # the paging (and sent everything): asking again would repeat it.
            if len(page) != rows:
                return
            offset += rows

    # ============================================================================
    # The 30 endpoints, one method each
    # ============================================================================

    # --- 2.1.1 person types, 2.1.2 organisations ---------------------------------

    async def get_user_types(self) -> list[PersonType]:
        """#1 ``usertypes``: the types of person."""
        return [parse_person_type(o) for o in await self.api.get_list(USER_TYPES)]

    async def get_orgs(self) -> list[Organisation]:
        """#2 ``orgs``: every organisation."""
        tz = self.config.time_zone
        return [parse_organisation(o, tz) for o in await self.api.get_list(ORGS)]

    async def get_org_by_name(self, name: str) -> Organisation | None:
        """#3 ``org/name/{name}``: one organisation, or None."""
        obj = await self.api.get_object(ORG_BY_NAME, [path_segment(name)])
        return None if obj is None else parse_organisation(obj, self.config.time_zone)

    # --- 2.1.3 users and cards -----------------------------------------------------

    async def count_users(
        self, *, person_type_id: int | None = None, org_name: str | None = None
    ) -> int:
        """#4 ``users/count``: how many people (of a type, in an organisation)."""
        return await self.api.get_count(
            USERS_COUNT,
            query=[("usertype", person_type_id or 0), ("orgname", org_name)],
        )

    async def get_users(
        self,
        *,
        person_type_id: int | None = None,
        org_name: str | None = None,
        offset: int = 0,
        rows: int | None = None,
    ) -> list[Person]:
        """#5 ``users``: one page of people."""
        objs = await self.api.get_list(
            USERS,
            query=[
                ("usertype", person_type_id or 0),
                ("orgname", org_name),
                ("offset", offset),
                ("rows", _rows(rows, self.page_size)),
            ],
        )
        return [parse_person(o, self.config.time_zone) for o in objs]

    async def get_user(
        self, user_no: str, *, person_type_id: int | None = None
    ) -> Person | None:
        """#6 ``user?usertype&userno``: one person by staff number or ID-card keyword."""
        obj = await self.api.get_object(
            USER, query=[("usertype", person_type_id or 0), ("userno", user_no)]
        )
        return None if obj is None else parse_person(obj, self.config.time_zone)

    async def get_user_by_userno(self, user_no: str) -> Person | None:
        """#7 ``user/userno/{userno}``: one person by staff or ID-card number."""
        obj = await self.api.get_object(USER_BY_USERNO, [path_segment(user_no)])
        return None if obj is None else parse_person(obj, self.config.time_zone)

    async def get_user_by_userid(self, user_id: int) -> Person | None:
        """#8 ``user/userid/{userid}``: one person by id."""
        obj = await self.api.get_object(USER_BY_USERID, [str(int(user_id))])
        return None if obj is None else parse_person(obj, self.config.time_zone)

    async def get_card_groups(self) -> list[CardGroup]:
        """#9 ``cardgroups``: the card groups."""
        return [parse_card_group(o) for o in await self.api.get_list(CARD_GROUPS)]

    async def get_card_types(self) -> list[CardType]:
        """#10 ``cardtypes``: the card types."""
        return [parse_card_type(o) for o in await self.api.get_list(CARD_TYPES)]

    # --- 2.1.4 records ---------------------------------------------------------------

    async def count_swipe_records(
        self,
        begin: datetime,
        end: datetime,
        *,
        alarms: AlarmFilter = AlarmFilter.INCLUDE,
        person_type_id: int | None = None,
        user_no: str | None = None,
    ) -> int:
        """#11 ``swipecardrecords/count``: swipes between two times."""
        return await self.api.get_count(
            SWIPES_COUNT,
            query=[
                ("usertype", person_type_id or 0),
                ("isalarm", self._isalarm(alarms)),
                ("begintime", begin),
                ("endtime", end),
                ("userno", user_no),
            ],
        )

    async def get_swipe_records(
        self,
        begin: datetime,
        end: datetime,
        *,
        alarms: AlarmFilter = AlarmFilter.INCLUDE,
        person_type_id: int | None = None,
        user_no: str | None = None,
        offset: int = 0,
        rows: int | None = None,
    ) -> list[AccessRecord]:
        """#12 ``swipecardrecords``: one page of swipes between two times."""
        objs = await self.api.get_list(
            SWIPES,
            query=[
                ("usertype", person_type_id or 0),
                ("isalarm", self._isalarm(alarms)),
                ("begintime", begin),
                ("endtime", end),
                ("userno", user_no),
                ("offset", offset),
                ("rows", _rows(rows, self.page_size)),
            ],
        )
        return [parse_access_record(o, self.config.time_zone) for o in objs]

    async def count_swipe_records_by_id(
        self,
        record_id: int,
        *,
        alarms: AlarmFilter = AlarmFilter.INCLUDE,
        person_type_id: int | None = None,
    ) -> int:
        """#13 ``swipecardrecords/byid/count``: swipes with an id above ``record_id``."""
        return await self.api.get_count(
            SWIPES_BY_ID_COUNT,
            query=[
                ("id", record_id),
                ("usertype", person_type_id or 0),
                ("isalarm", self._isalarm(alarms)),
            ],
        )

    async def get_swipe_records_by_id(
        self,
        record_id: int,
        *,
        alarms: AlarmFilter = AlarmFilter.INCLUDE,
        person_type_id: int | None = None,
        offset: int = 0,
        rows: int | None = None,
    ) -> list[AccessRecord]:
        """#14 ``swipecardrecords/byid/?id=``: one page of swipes above ``record_id``."""
        objs = await self.api.get_list(
            SWIPES_BY_ID,
            query=[
                ("id", record_id),
                ("usertype", person_type_id or 0),
                ("isalarm", self._isalarm(alarms)),
                ("offset", offset),
                ("rows", _rows(rows, self.page_size)),
            ],
        )
        return [parse_access_record(o, self.config.time_zone) for o in objs]

    async def count_acs_records(
        self,
        begin: datetime,
        end: datetime,
        *,
        alarms: AlarmFilter = AlarmFilter.INCLUDE,
    ) -> int:
        """#15 ``acsrecords/count``: access events (swipes included) between two times."""
        return await self.api.get_count(
            ACS_RECORDS_COUNT,
            query=[
                ("isalarm", self._isalarm(alarms)),
                ("begintime", begin),
                ("endtime", end),
            ],
        )

    async def get_acs_records(
        self,
        begin: datetime,
        end: datetime,
        *,
        alarms: AlarmFilter = AlarmFilter.INCLUDE,
        offset: int = 0,
        rows: int | None = None,
    ) -> list[AccessRecord]:
        """#16 ``acsrecords``: one page of access events between two times."""
        objs = await self.api.get_list(
            ACS_RECORDS,
            query=[
                ("isalarm", self._isalarm(alarms)),
                ("begintime", begin),
                ("endtime", end),
                ("offset", offset),
                ("rows", _rows(rows, self.page_size)),
            ],
        )
        return [parse_access_record(o, self.config.time_zone) for o in objs]

    async def count_acs_records_by_id(
        self, record_id: int, *, alarms: AlarmFilter = AlarmFilter.INCLUDE
    ) -> int:
        """#17 ``acsrecords/byid/count``: access events with an id above ``record_id``."""
        return await self.api.get_count(
            ACS_RECORDS_BY_ID_COUNT,
            query=[("id", record_id), ("isalarm", self._isalarm(alarms))],
        )

    async def get_acs_records_by_id(
        self,
        record_id: int,
        *,
        alarms: AlarmFilter = AlarmFilter.INCLUDE,
        offset: int = 0,
        rows: int | None = None,
    ) -> list[AccessRecord]:
        """#18 ``acsrecords/byid/?id=``: one page of access events above ``record_id``."""
        objs = await self.api.get_list(
            ACS_RECORDS_BY_ID,
            query=[
                ("id", record_id),
                ("isalarm", self._isalarm(alarms)),
                ("offset", offset),
                ("rows", _rows(rows, self.page_size)),
            ],
        )
        return [parse_access_record(o, self.config.time_zone) for o in objs]

    async def get_unconfirmed_alarms(self) -> list[Alarm]:
        """#19 ``acs/alarmevent/notconfirmandclear``: open alarms (at most 1000)."""
        tz = self.config.time_zone
        return [parse_alarm(o, tz) for o in await self.api.get_list(ALARMS)]

    async def get_area_users(
        self,
        area_id: int | None = None,
        begin: datetime | None = None,
        end: datetime | None = None,
    ) -> list[AreaPerson]:
        """#20 ``acsrecords/areausers``: people inside an area (0/None: all areas)."""
        objs = await self.api.get_list(
            AREA_USERS,
            query=[("areaid", area_id or 0), ("begintime", begin), ("endtime", end)],
        )
        return [parse_area_person(o, self.config.time_zone) for o in objs]

    # --- 2.1.5 site and doors -----------------------------------------------------------

    async def get_areas(self) -> list[Area]:
        """#21 ``areas``: every area (a tree through ``parent_id``)."""
        return [parse_area(o) for o in await self.api.get_list(AREAS)]

    async def get_devices(self) -> list[Controller]:
        """#22 ``acs/devices``: every controller with its online state."""
        return [parse_controller(o) for o in await self.api.get_list(DEVICES)]

    async def get_doors(self) -> list[Door]:
        """#23 ``acs/device/doors``: every door."""
        return [parse_door(o) for o in await self.api.get_list(DOORS)]

    async def get_doors_by_area(self, area_id: int) -> list[Door]:
        """#24 ``acs/device/doors/areaid/{areaid}``: the doors of one area."""
        objs = await self.api.get_list(DOORS_BY_AREA, [str(int(area_id))])
        return [parse_door(o) for o in objs]

    async def get_door_state(self, door_id: str) -> DoorState:
        """#25 ``acs/device/door/state/{doorid}``: flags at the envelope's top level.

        Raises ``AcsNotFoundError`` for an unknown door (102).
        """
        body = await self.api.get_body(DOOR_STATE, [path_segment(door_id)])
        return parse_door_state(door_id, body)

    async def open_door_raw(self, door_id: str) -> None:
        """#26 ``acs/device/door/open/{user}/{psw}/{doorid}``.

        Raises ``AcsNotFoundError`` for an unknown door (102) and
        ``AcsAuthenticationError``/``AcsAccountLockedError`` for the account.
        """
        await self.api.get_body(
            DOOR_OPEN, [*self._credentials(), path_segment(door_id)]
        )

    async def close_door_raw(self, door_id: str) -> None:
        """#27 ``acs/device/door/close/{user}/{psw}/{doorid}`` (errors as #26)."""
        await self.api.get_body(
            DOOR_CLOSE, [*self._credentials(), path_segment(door_id)]
        )

    async def set_work_mode_raw(self, door_id: str, mode: WorkMode | int) -> None:
        """#28 ``acs/device/door/workmode/{user}/{psw}/{doorid}/{mode}`` (errors as #26)."""
        await self.api.get_body(
            DOOR_WORK_MODE,
            [*self._credentials(), path_segment(door_id), str(int(WorkMode(mode)))],
        )

    async def get_realtime_swipes(
        self, controller_ids: Sequence[str]
    ) -> list[AccessEvent]:
        """#29 ``acs/device/eventcache/swipecard/{ids}``: one request, ids comma-joined.

        See :meth:`poll_events` for the version that splits a long id list.
        """
        objs = await self.api.get_list(
            REALTIME_SWIPES, [",".join(path_segment(i) for i in controller_ids)]
        )
        return [parse_access_event(o, self.config.time_zone) for o in objs]

    # --- 2.1.6 other ----------------------------------------------------------------------

    async def get_user_access_records(
        self,
        begin: datetime | None = None,
        end: datetime | None = None,
        *,
        user_no: str | None = None,
        offset: int = 0,
        rows: int | None = None,
    ) -> list[Passage]:
        """#30 ``useraccessrecords``: one page of passages (no begin: today).

        ``rows`` is 1 to 1000: ``rows=0`` (everything at once) is never sent.
        """
        objs = await self.api.get_list(
            USER_ACCESS_RECORDS,
            query=[
                ("begintime", begin),
                ("endtime", end),
                ("offset", offset),
                ("rows", _rows(rows, self.page_size)),
                ("userno", user_no),
            ],
        )
        return [parse_passage(o, self.config.time_zone) for o in objs]

    # ============================================================================
    # Paging
    # ============================================================================

    def iter_users(
        self,
        *,
        person_type_id: int | None = None,
        org_name: str | None = None,
        page_size: int | None = None,
    ) -> AsyncIterator[Person]:
        """Page through #5."""
        return self._pages(
            lambda offset, rows: self.get_users(
                person_type_id=person_type_id,
                org_name=org_name,
                offset=offset,
                rows=rows,
            ),
            page_size,
        )

    def iter_swipe_records(
        self,
        begin: datetime,
        end: datetime,
        *,
        alarms: AlarmFilter = AlarmFilter.INCLUDE,
        person_type_id: int | None = None,
        user_no: str | None = None,
        page_size: int | None = None,
    ) -> AsyncIterator[AccessRecord]:
        """Page through #12."""
        return self._pages(
            lambda offset, rows: self.get_swipe_records(
                begin,
                end,
                alarms=alarms,
                person_type_id=person_type_id,
                user_no=user_no,
                offset=offset,
                rows=rows,
            ),
            page_size,
        )

    def iter_swipe_records_by_id(
        self,
        record_id: int,
        *,
        alarms: AlarmFilter = AlarmFilter.INCLUDE,
        person_type_id: int | None = None,
        page_size: int | None = None,
    ) -> AsyncIterator[AccessRecord]:
        """Page through #14."""
        return self._pages(
            lambda offset, rows: self.get_swipe_records_by_id(
                record_id,
                alarms=alarms,
                person_type_id=person_type_id,
                offset=offset,
                rows=rows,
            ),
            page_size,
        )

    def iter_acs_records(
        self,
        begin: datetime,
        end: datetime,
        *,
        alarms: AlarmFilter = AlarmFilter.INCLUDE,
        page_size: int | None = None,
    ) -> AsyncIterator[AccessRecord]:
        """Page through #16."""
        return self._pages(
            lambda offset, rows: self.get_acs_records(
                begin, end, alarms=alarms, offset=offset, rows=rows
            ),
            page_size,
        )

    def iter_acs_records_by_id(
        self,
        record_id: int,
        *,
        alarms: AlarmFilter = AlarmFilter.INCLUDE,
        page_size: int | None = None,
    ) -> AsyncIterator[AccessRecord]:
        """Page through #18."""
        return self._pages(
            lambda offset, rows: self.get_acs_records_by_id(
                record_id, alarms=alarms, offset=offset, rows=rows
            ),
            page_size,
        )

    def iter_user_access_records(
        self,
        begin: datetime | None = None,
        end: datetime | None = None,
        *,
        user_no: str | None = None,
        page_size: int | None = None,
    ) -> AsyncIterator[Passage]:
        """Page through #30 (never with ``rows=0``)."""
        return self._pages(
            lambda offset, rows: self.get_user_access_records(
                begin, end, user_no=user_no, offset=offset, rows=rows
            ),
            page_size,
        )

    # ============================================================================
    # The interface
    # ============================================================================

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
        await self.get_devices()
        try:
            await self.close_door_raw(self.CREDENTIALS_CHECK_DOOR_ID)
        except AcsNotFoundError:
            return
        _LOGGER.warning(
            "The credentials check sent CLOSE to door %s and the server says it "
            "exists; the account is valid",
            self.CREDENTIALS_CHECK_DOOR_ID,
        )

    async def areas(self) -> list[Area]:
        """Return every area."""
        return await self.get_areas()

    async def controllers(self) -> list[Controller]:
        """Return every controller, with its online state."""
        return await self.get_devices()

    async def doors(self, area_id: int | None = None) -> list[Door]:
        """Return every door, or the doors of one area."""
        if area_id is None:
            return await self.get_doors()
        return await self.get_doors_by_area(area_id)

    async def door_state(self, door_id: str) -> DoorState:
        """Return the live state of one door."""
        return await self.get_door_state(door_id)

    async def open_door(self, door_id: str) -> None:
        """Open (unlock) a door."""
        await self.open_door_raw(door_id)

    async def close_door(self, door_id: str) -> None:
        """Close (lock) a door."""
        await self.close_door_raw(door_id)

    async def set_work_mode(self, door_id: str, mode: WorkMode) -> None:
        """Set a door's working mode."""
        await self.set_work_mode_raw(door_id, mode)

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
        room = self.max_url_length - len(str(self.api.build_url(REALTIME_SWIPES, [""])))
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

    async def poll_events(self, controller_ids: Iterable[str]) -> list[AccessEvent]:
        """Return the real-time cache of these controllers, sorted by event id.

        The ids go in the URL path: they are split over several concurrent
        requests when one URL would pass 4096 bytes (HTTP 414). If one request
        fails, its error is raised once all are done. The cache keeps an event
        for :attr:`realtime_cache_seconds`; keeping the highest event id seen
        is the caller's job.
        """
        batches = self.realtime_batches(controller_ids)
        results = await asyncio.gather(
            *(self.get_realtime_swipes(batch) for batch in batches),
            return_exceptions=True,
        )
        events: dict[int, AccessEvent] = {}
        for result in results:
            if isinstance(result, BaseException):
                raise result
            for event in result:
                events.setdefault(event.event_id, event)
        return [events[event_id] for event_id in sorted(events)]

    def records_after(
        self,
        record_id: int,
        *,
        kind: RecordKind = RecordKind.ACCESS,
        alarms: AlarmFilter = AlarmFilter.INCLUDE,
        person_type_id: int | None = None,
    ) -> AsyncIterator[AccessRecord]:
        """Iterate over the records whose id is greater than ``record_id``.

        Access records (#18) cannot be filtered by person type on the server:
        that filter is applied here.
        """
        if kind == RecordKind.SWIPE:
            return self.iter_swipe_records_by_id(
                record_id, alarms=alarms, person_type_id=person_type_id
            )
        records = self.iter_acs_records_by_id(record_id, alarms=alarms)
        keep = _record_filter(None, person_type_id)
        return records if keep is None else _where(records, keep)

    async def count_records_after(
        self,
        record_id: int,
        *,
        kind: RecordKind = RecordKind.ACCESS,
        alarms: AlarmFilter = AlarmFilter.INCLUDE,
        person_type_id: int | None = None,
    ) -> int:
        """Count the records whose id is greater than ``record_id``.

        With a person type, access records are read and counted here.
        """
        if kind == RecordKind.SWIPE:
            return await self.count_swipe_records_by_id(
                record_id, alarms=alarms, person_type_id=person_type_id
            )
        if not person_type_id:
            return await self.count_acs_records_by_id(record_id, alarms=alarms)
        return await _count(
            self.records_after(
                record_id, kind=kind, alarms=alarms, person_type_id=person_type_id
            )
        )

    async def latest_record_id(
        self, *, kind: RecordKind = RecordKind.ACCESS
    ) -> int | None:
        """Return the id of the newest record (None when there is none).

        The API has no such call: count the records above id 0 (#13/#17),
        then read the last few of them (#14/#18) and keep the highest id. A
        record added in between is left for :meth:`records_after`.
        """
        swipe = kind == RecordKind.SWIPE
        total = await (
            self.count_swipe_records_by_id(0)
            if swipe
            else self.count_acs_records_by_id(0)
        )
        if total == 0:
            return None
        window = min(_LATEST_WINDOW, self.page_size)
        offset = max(0, total - window)
        page = await (
            self.get_swipe_records_by_id(0, offset=offset, rows=window)
            if swipe
            else self.get_acs_records_by_id(0, offset=offset, rows=window)
        )
        return max((record.record_id for record in page), default=None)

    def records_between(
        self,
        start: datetime,
        end: datetime,
        *,
        kind: RecordKind = RecordKind.ACCESS,
        alarms: AlarmFilter = AlarmFilter.INCLUDE,
        user_no: str | None = None,
        person_type_id: int | None = None,
    ) -> AsyncIterator[AccessRecord]:
        """Iterate over the records made between two times.

        Access records (#16) cannot be filtered by staff number or person type
        on the server: those filters are applied here.
        """
        if kind == RecordKind.SWIPE:
            return self.iter_swipe_records(
                start,
                end,
                alarms=alarms,
                person_type_id=person_type_id,
                user_no=user_no,
            )
        records = self.iter_acs_records(start, end, alarms=alarms)
        keep = _record_filter(user_no, person_type_id)
        return records if keep is None else _where(records, keep)

    async def count_records_between(
        self,
        start: datetime,
        end: datetime,
        *,
        kind: RecordKind = RecordKind.ACCESS,
        alarms: AlarmFilter = AlarmFilter.INCLUDE,
        user_no: str | None = None,
        person_type_id: int | None = None,
    ) -> int:
        """Count the records made between two times (filtered here if need be)."""
        if kind == RecordKind.SWIPE:
            return await self.count_swipe_records(
                start,
                end,
                alarms=alarms,
                person_type_id=person_type_id,
                user_no=user_no,
            )
        if _record_filter(user_no, person_type_id) is None:
            return await self.count_acs_records(start, end, alarms=alarms)
        return await _count(
            self.records_between(
                start,
                end,
                kind=kind,
                alarms=alarms,
                user_no=user_no,
                person_type_id=person_type_id,
            )
        )

    def passages(
        self,
        start: datetime | None = None,
        end: datetime | None = None,
        *,
        user_no: str | None = None,
    ) -> AsyncIterator[Passage]:
        """Iterate over passages by card, face or plate (today when no start)."""
        return self.iter_user_access_records(start, end, user_no=user_no)

    async def alarms(self) -> list[Alarm]:
        """Return the alarms not yet acknowledged and not cleared."""
        return await self.get_unconfirmed_alarms()

    async def person(
        self, *, user_no: str | None = None, user_id: int | None = None
    ) -> Person | None:
        """Return one person by id (preferred) or staff number, or None."""
        if user_id is not None:
            return await self.get_user_by_userid(user_id)
        if user_no is not None:
            return await self.get_user_by_userno(user_no)
        raise ValueError("Give a user_no or a user_id")

    def people(
        self, *, person_type_id: int | None = None, org_name: str | None = None
    ) -> AsyncIterator[Person]:
        """Iterate over people, page by page."""
        return self.iter_users(person_type_id=person_type_id, org_name=org_name)

    async def count_people(
        self, *, person_type_id: int | None = None, org_name: str | None = None
    ) -> int:
        """Count people."""
        return await self.count_users(person_type_id=person_type_id, org_name=org_name)

    async def area_people(
        self,
        area_id: int | None = None,
        start: datetime | None = None,
        end: datetime | None = None,
    ) -> list[AreaPerson]:
        """Return the people inside an area and its sub-areas (all when None)."""
        return await self.get_area_users(area_id, start, end)

    async def person_types(self) -> list[PersonType]:
        """Return the types of person."""
        return await self.get_user_types()

    async def organisations(self) -> list[Organisation]:
        """Return every organisation."""
        return await self.get_orgs()

    async def organisation(self, name: str) -> Organisation | None:
        """Return one organisation by name, or None."""
        return await self.get_org_by_name(name)

    async def card_groups(self) -> list[CardGroup]:
        """Return the card groups."""
        return await self.get_card_groups()

    async def card_types(self) -> list[CardType]:
        """Return the card types."""
        return await self.get_card_types()


async def _count(items: AsyncIterator[object]) -> int:
    count = 0
    async for _ in items:
        count += 1
    return count
