"""The interface every access-control adapter implements.

The Home Assistant side asks only these questions. An adapter describes
itself (its label, manufacturer, default port and TLS, whether its event feed
polls and at which intervals), and once connected says what this server or
device can do (``capabilities``, each door's work modes); a method of a
capability it does not offer raises ``AcsNotSupportedError``.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
import asyncio
from collections.abc import AsyncIterator, Iterable
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, ClassVar

from .events import EventPolling, EventSink, EventSource
from .exceptions import AcsNotSupportedError
from .models import (
    AccessEvent,
    AdapterConfig,
    Alarm,
    AlarmFilter,
    Area,
    AreaPerson,
    Capability,
    CardGroup,
    CardType,
    Controller,
    DeviceDescription,
    Door,
    DoorState,
    Organisation,
    Passage,
    Person,
    PersonType,
    RecordKind,
    WorkMode,
)

if TYPE_CHECKING:
    from aiohttp import ClientSession


def _unsupported(capability: Capability) -> AcsNotSupportedError:
    return AcsNotSupportedError(f"This adapter does not support {capability}")


class AcsAdapter(ABC):
    """An access-control server, seen through one protocol."""

    #: Registry key, stored in the config entry.
    key: ClassVar[str]
    #: The protocol's label, as the config flow lists it.
    name: ClassVar[str]
    #: Who makes the servers or devices this protocol reaches.
    manufacturer: ClassVar[str]
    #: The port the protocol listens on by default, and whether it is HTTPS.
    default_port: ClassVar[int]
    default_ssl: ClassVar[bool] = False
    #: The event feed's poll interval bounds (None: the feed does not poll).
    event_polling: ClassVar[EventPolling | None] = None
    #: Whether door commands may need a password of their own (an option).
    uses_command_password: ClassVar[bool] = False
    #: Whether the device's own id (:meth:`identity`), not its address,
    #: identifies the entry.
    identified_by_device: ClassVar[bool] = False

    def __init__(self, session: ClientSession, config: AdapterConfig) -> None:
        """Keep the injected session and the connection settings."""
        self.session = session
        self.config = config
        #: What this server or device can do; filled by :meth:`connect`.
        self.capabilities: frozenset[Capability] = frozenset()

    def supports(self, capability: Capability) -> bool:
        """Return whether the connected server or device offers a capability."""
        return capability in self.capabilities

    # --- connection -----------------------------------------------------

    async def connect(self) -> None:  # noqa: B027 - optional hook
        """Learn what the server or device can do (fills ``capabilities``).

        Reads only; raises ``AcsAuthenticationError`` or ``AcsConnectionError``
        like any read.
        """

    def identity(self) -> str | None:
        """Return the server's or device's own id (a serial number), once known.

        The config flow makes it the entry's unique id; None: the host and
        port identify the server.
        """
        return None

    def login_state(self) -> dict[str, Any] | None:
        """Return what to keep of refused logins across restarts (None: nothing).

        The Home Assistant side stores it and hands it back in
        ``AdapterConfig.login_state``, so restarts cannot add up to a lock-out.
        """
        return None

    def describe(self) -> DeviceDescription:
        """Return the server or device as the hub device shows it."""
        return DeviceDescription(manufacturer=self.manufacturer, model=self.name)

    def event_source(
        self, sink: EventSink, *, interval: float, replay: timedelta
    ) -> EventSource | None:
        """Return the feed of access events (None: the adapter has none).

        ``interval`` is the poll interval for a polling feed; ``replay`` how
        far back events missed while the feed was down are replayed.
        """
        return None

    @abstractmethod
    async def check_credentials(self) -> None:
        """Prove the server answers and accepts the account, moving nothing.

        Raises ``AcsAuthenticationError`` for a bad account and
        ``AcsConnectionError`` when the server cannot be reached.
        """

    async def close(self) -> None:  # noqa: B027 - optional hook
        """Release what the adapter holds (not the injected session)."""

    # --- site -----------------------------------------------------------

    async def areas(self) -> list[Area]:
        """Return every area."""
        raise _unsupported(Capability.AREAS)

    @abstractmethod
    async def controllers(self) -> list[Controller]:
        """Return every controller, with its online state."""

    @abstractmethod
    async def doors(self, area_id: int | None = None) -> list[Door]:
        """Return every door, or the doors of one area."""

    async def door_state(self, door_id: str) -> DoorState:
        """Return the live state of one door."""
        raise _unsupported(Capability.DOOR_STATE)

    async def door_states(self, door_ids: Iterable[str]) -> dict[str, DoorState]:
        """Return the live state of several doors, concurrently but bounded.

        A door whose state cannot be read is left out of the answer; if every
        door fails, the first error is raised.
        """
        ids = list(dict.fromkeys(door_ids))
        if not ids:
            return {}
        limit = asyncio.Semaphore(max(1, self.config.max_concurrent_requests))

        async def read(door_id: str) -> DoorState:
            async with limit:
                return await self.door_state(door_id)

        results = await asyncio.gather(
            *(read(door_id) for door_id in ids), return_exceptions=True
        )
        states: dict[str, DoorState] = {}
        first_error: BaseException | None = None
        for result in results:
            if isinstance(result, DoorState):
                states[result.door_id] = result
            elif first_error is None:
                first_error = result
        if not states and first_error is not None:
            raise first_error
        return states

    async def open_door(self, door_id: str) -> None:
        """Open (unlock) a door."""
        raise _unsupported(Capability.DOOR_COMMANDS)

    async def close_door(self, door_id: str) -> None:
        """Close (lock) a door."""
        raise _unsupported(Capability.DOOR_COMMANDS)

    async def set_work_mode(self, door_id: str, mode: WorkMode) -> None:
        """Set a door's working mode."""
        raise _unsupported(Capability.WORK_MODE)

    # --- events, records, alarms -----------------------------------------

    def records_after(
        self,
        record_id: int,
        *,
        kind: RecordKind = RecordKind.ACCESS,
        alarms: AlarmFilter = AlarmFilter.INCLUDE,
        person_type_id: int | None = None,
    ) -> AsyncIterator[AccessEvent]:
        """Iterate over the records whose id is greater than ``record_id``."""
        raise _unsupported(Capability.RECORDS)

    async def count_records_after(
        self,
        record_id: int,
        *,
        kind: RecordKind = RecordKind.ACCESS,
        alarms: AlarmFilter = AlarmFilter.INCLUDE,
        person_type_id: int | None = None,
    ) -> int:
        """Count the records whose id is greater than ``record_id``."""
        raise _unsupported(Capability.RECORDS)

    async def latest_record_id(
        self, *, kind: RecordKind = RecordKind.ACCESS
    ) -> int | None:
        """Return the id of the newest record (None when there is none)."""
        raise _unsupported(Capability.RECORDS)

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
        """Iterate over the records made between two times."""
        raise _unsupported(Capability.RECORDS)

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
        """Count the records made between two times."""
        raise _unsupported(Capability.RECORDS)

    def passages(
        self,
        start: datetime | None = None,
        end: datetime | None = None,
        *,
        user_no: str | None = None,
    ) -> AsyncIterator[Passage]:
        """Iterate over passages by card, face or plate (today when no start)."""
        raise _unsupported(Capability.PASSAGES)

    async def alarms(self) -> list[Alarm]:
        """Return the alarms not yet acknowledged and not cleared."""
        raise _unsupported(Capability.ALARMS)

    # --- people and directory ---------------------------------------------

    async def person(
        self, *, user_no: str | None = None, user_id: int | None = None
    ) -> Person | None:
        """Return one person by staff number or id, or None."""
        raise _unsupported(Capability.PEOPLE)

    def people(
        self, *, person_type_id: int | None = None, org_name: str | None = None
    ) -> AsyncIterator[Person]:
        """Iterate over people, page by page."""
        raise _unsupported(Capability.PEOPLE)

    async def count_people(
        self, *, person_type_id: int | None = None, org_name: str | None = None
    ) -> int:
        """Count people."""
        raise _unsupported(Capability.PEOPLE)

    async def area_people(
        self,
        area_id: int | None = None,
        start: datetime | None = None,
        end: datetime | None = None,
    ) -> list[AreaPerson]:
        """Return the people inside an area (all areas when None)."""
        raise _unsupported(Capability.AREA_PEOPLE)

    async def person_types(self) -> list[PersonType]:
        """Return the types of person."""
        raise _unsupported(Capability.DIRECTORY)

    async def organisations(self) -> list[Organisation]:
        """Return every organisation."""
        raise _unsupported(Capability.DIRECTORY)

    async def organisation(self, name: str) -> Organisation | None:
        """Return one organisation by name, or None."""
        raise _unsupported(Capability.DIRECTORY)

    async def card_groups(self) -> list[CardGroup]:
        """Return the card groups."""
        raise _unsupported(Capability.DIRECTORY)

    async def card_types(self) -> list[CardType]:
        """Return the card types."""
        raise _unsupported(Capability.DIRECTORY)
