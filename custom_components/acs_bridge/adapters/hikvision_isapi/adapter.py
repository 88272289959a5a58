"""The Hikvision ISAPI adapter: the adapter interface on the client.

One device (a DS-K1T terminal or a DS-K26xx controller) is one entry: its
serial number identifies it, it is the one controller, and its doors are
numbered from 1 (the count from the remote-control capabilities, else
``electroLockNum``; never from the padded status arrays). Events are pushed
(``source.py``). Requests are serial and paced, and a refused login stops
every request until the user signs in again (``guard.py``).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterable
from datetime import datetime, timedelta
import logging
from typing import TYPE_CHECKING, Any, ClassVar, Final

from ..base import AcsAdapter  # noqa: TID252
from ..events import EventSink, EventSource  # noqa: TID252
from ..exceptions import AcsError, AcsNotFoundError, AcsNotSupportedError  # noqa: TID252
from ..models import (  # noqa: TID252
    AccessEvent,
    AdapterConfig,
    AlarmFilter,
    Capability,
    Controller,
    DeviceDescription,
    Door,
    DoorState,
    Person,
    RecordKind,
    WorkMode,
)
from .client import HikvisionIsapiClient
from .codes import describe
from .guard import LoginGuard
from .mapping import (
    ACCESS_KINDS,
    DOOR_WORK_MODES,
    access_event,
    door_state,
    work_mode_command,
)
from .models import DeviceInfo, DoorCapabilities, IsapiEvent
from .source import HikvisionEventSource

if TYPE_CHECKING:
    from aiohttp import ClientSession

_LOGGER = logging.getLogger(__name__)

#: What every device offers through this adapter.
CAPABILITIES: Final = frozenset(
    {
        Capability.DOOR_STATE,
        Capability.DOOR_COMMANDS,
        Capability.WORK_MODE,
        Capability.WORK_MODE_STATE,
        Capability.REALTIME_EVENTS,
        Capability.RECORDS,
        Capability.PEOPLE,
    }
)
#: The major type of access events in the event search.
EVENT_MAJOR: Final = 5


class HikvisionIsapiAdapter(AcsAdapter):
    """A Hikvision access-control device through ISAPI."""

    key: ClassVar[str] = "hikvision_isapi"
    name: ClassVar[str] = "Hikvision ISAPI (access-control terminal or controller)"
    manufacturer: ClassVar[str] = "Hikvision"
    default_port: ClassVar[int] = 80
    default_ssl: ClassVar[bool] = False
    uses_command_password: ClassVar[bool] = True
    identified_by_device: ClassVar[bool] = True

    def __init__(self, session: ClientSession, config: AdapterConfig) -> None:
        """Build the client; the guard resumes the refused logins counted before."""
        super().__init__(session, config)
        guard = (
            LoginGuard.from_dict(dict(config.login_state))
            if config.login_state
            else LoginGuard()
        )
        self.client = HikvisionIsapiClient(
            session,
            host=config.host,
            port=config.port,
            username=config.username,
            password=config.password,
            ssl=config.ssl,
            verify_ssl=config.verify_ssl,
            request_timeout=config.request_timeout,
            guard=guard,
        )
        self.info: DeviceInfo | None = None
        self.door_caps: DoorCapabilities | None = None
        self.door_count = 0
        self._door_names: dict[int, str] = {}
        self._source: HikvisionEventSource | None = None

    def __repr__(self) -> str:
        """Name the device, never the password."""
        return f"{type(self).__name__}({self.config!r})"

    # --- connection ------------------------------------------------------------

    async def check_credentials(self) -> None:
        """Read deviceInfo: proves the account, moves nothing."""
        self.info = await self.client.device_info()

    def identity(self) -> str | None:
        """Return the device's serial number, once read."""
        return self.info.serial if self.info else None

    def login_state(self) -> dict[str, Any] | None:
        """Return the refused-login bookkeeping (kept across restarts)."""
        state = self.client.guard.to_dict()
        return state if state != LoginGuard().to_dict() else None

    async def connect(self) -> None:
        """Read the device, its door count and what its doors accept."""
        self.info = await self.client.device_info()
        try:
            self.door_caps = await self.client.door_capabilities()
        except (AcsNotSupportedError, AcsNotFoundError):
            self.door_caps = None
        count = self.door_caps.door_max if self.door_caps else None
        self.door_count = count or self.info.electro_lock_num or 1
        self.capabilities = CAPABILITIES

    def describe(self) -> DeviceDescription:
        """Return the device as the hub shows it."""
        info = self.info
        return DeviceDescription(
            manufacturer=self.manufacturer,
            model=(info.model if info else None) or "ISAPI device",
            serial=info.serial if info else None,
            firmware=info.firmware if info else None,
            mac=info.mac if info else None,
        )

    def _controller_id(self) -> str | None:
        return self.info.serial if self.info else None

    async def close(self) -> None:
        """Nothing to release: the session is Home Assistant's."""

    # --- site --------------------------------------------------------------------

    async def controllers(self) -> list[Controller]:
        """Return the device itself (reading deviceInfo proves it online)."""
        self.info = await self.client.device_info()
        self._answered()
        info = self.info
        return [
            Controller(
                id=info.serial or self.config.host,
                name=info.name or info.model or self.config.host,
                model=info.model or "ISAPI device",
                serial=info.serial,
                address=self.config.host,
            )
        ]

    async def doors(self, area_id: int | None = None) -> list[Door]:
        """Return the doors, named as on the device (``Door/param``)."""
        controller = self._controller_id() or self.config.host
        doors: list[Door] = []
        for number in range(1, self.door_count + 1):
            try:
                param = await self.client.door_param(number)
            except AcsError as err:
                _LOGGER.debug("Cannot read the name of door %d: %s", number, err)
            else:
                if param.name:
                    self._door_names[number] = param.name
            doors.append(
                Door(
                    id=str(number),
                    name=self._door_names.get(number, f"Door {number}"),
                    controller_id=controller,
                    work_modes=DOOR_WORK_MODES,
                )
            )
        return doors

    async def door_states(self, door_ids: Iterable[str]) -> dict[str, DoorState]:
        """Return the state of doors: one status read for all."""
        wanted = set(door_ids)
        status = await self.client.work_status(self.door_count)
        self._answered()
        return {
            state.door_id: state
            for state in map(door_state, status.doors)
            if state.door_id in wanted
        }

    async def door_state(self, door_id: str) -> DoorState:
        """Return the state of one door."""
        states = await self.door_states([door_id])
        if door_id not in states:
            raise AcsNotFoundError(f"No door {door_id}")
        return states[door_id]

    # --- commands ----------------------------------------------------------------

    def _door_no(self, door_id: str) -> int:
        try:
            number = int(door_id)
        except ValueError:
            raise AcsNotFoundError(f"No door {door_id}") from None
        if not 1 <= number <= max(self.door_count, 1):
            raise AcsNotFoundError(f"No door {door_id}")
        return number

    async def _command(self, door_id: str, cmd: str) -> None:
        password = self.config.command_password or None
        await self.client.remote_control(self._door_no(door_id), cmd, password)

    async def open_door(self, door_id: str) -> None:
        """Open (unlock) a door."""
        await self._command(door_id, "open")

    async def close_door(self, door_id: str) -> None:
        """Close (lock) a door."""
        await self._command(door_id, "close")

    async def set_work_mode(self, door_id: str, mode: WorkMode) -> None:
        """Set a door to normal, remain open or remain closed."""
        commands = self.door_caps.commands if self.door_caps else ()
        cmd = work_mode_command(mode, commands)
        if cmd is None:
            raise AcsNotSupportedError(f"A door of this device has no mode {mode}")
        await self._command(door_id, cmd)

    # --- events --------------------------------------------------------------------

    def event_source(
        self, sink: EventSink, *, interval: float, replay: timedelta
    ) -> EventSource:
        """Return the alert stream with a search after every reconnect."""
        self._source = HikvisionEventSource(
            self.client,
            sink,
            interval=interval,
            replay=replay,
            time_zone=self.config.time_zone,
            controller_id=self._controller_id,
        )
        return self._source

    def _answered(self) -> None:
        """Tell the stream the device answered (one that is down reconnects now)."""
        if self._source is not None:
            self._source.device_answered()

    def _access_events(
        self, events: AsyncIterator[IsapiEvent]
    ) -> AsyncIterator[AccessEvent]:
        return _access_only(events, self)

    def records_after(
        self,
        record_id: int,
        *,
        kind: RecordKind = RecordKind.ACCESS,
        alarms: AlarmFilter = AlarmFilter.INCLUDE,
        person_type_id: int | None = None,
    ) -> AsyncIterator[AccessEvent]:
        """Iterate over the access events after a serial number."""
        return _filtered(
            self._access_events(
                self.client.search_events(after_serial=record_id, major=EVENT_MAJOR)
            ),
            alarms,
            None,
        )

    def records_between(
        self,
        start: datetime,
        end: datetime,
        *,
        kind: RecordKind = RecordKind.ACCESS,
        alarms: AlarmFilter = AlarmFilter.INCLUDE,
        user_no: str | None = None,
        person_type_id: int | None = None,
    ) -> AsyncIterator[AccessEvent]:
        """Iterate over the access events between two times (the device's clock)."""
        return _filtered(
            self._access_events(
                self.client.search_events(start=start, end=end, major=EVENT_MAJOR)
            ),
            alarms,
            user_no,
        )

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
        """Count the access events between two times."""
        count = 0
        async for _ in self.records_between(
            start, end, kind=kind, alarms=alarms, user_no=user_no
        ):
            count += 1
        return count

    # --- people -----------------------------------------------------------------------

    async def person(
        self, *, user_no: str | None = None, user_id: int | None = None
    ) -> Person | None:
        """Return one person by employee number."""
        async for person in self.people():
            if user_no is not None and person.user_no == user_no:
                return person
        return None

    async def people(
        self, *, person_type_id: int | None = None, org_name: str | None = None
    ) -> AsyncIterator[Person]:
        """Iterate over the people the device knows."""
        async for user in self.client.search_users():
            yield Person(
                user_id=None,
                user_no=user.employee_no,
                name=user.name or user.employee_no,
                enabled=user.valid_enabled is not False,
                expires=user.valid_to,
                card_count=user.num_of_card or 0,
            )

    async def count_people(
        self, *, person_type_id: int | None = None, org_name: str | None = None
    ) -> int:
        """Count the people."""
        return await self.client.count_users()


async def _access_only(
    events: AsyncIterator[IsapiEvent], adapter: HikvisionIsapiAdapter
) -> AsyncIterator[AccessEvent]:
    """Map the search's events to access events, leaving out door and system ones."""
    async for event in events:
        info = describe(event.major, event.minor, event.card_no)
        if info.kind in ACCESS_KINDS:
            yield access_event(
                event, info, adapter.config.time_zone, adapter.identity()
            )


async def _filtered(
    events: AsyncIterator[AccessEvent], alarms: AlarmFilter, user_no: str | None
) -> AsyncIterator[AccessEvent]:
    async for event in events:
        if alarms is AlarmFilter.EXCLUDE and event.is_alarm:
            continue
        if alarms is AlarmFilter.ONLY and not event.is_alarm:
            continue
        if user_no is not None and event.user_no != user_no:
            continue
        yield event
