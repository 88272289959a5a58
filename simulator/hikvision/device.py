"""The device itself: doors, people, the event log and timed door changes.

Nothing here knows HTTP. Time comes from two replaceable callables: a
monotonic ``clock`` (relock timers, heartbeats, lock-out) and a ``wall`` clock
(UTC, moved by ``clock_offset_seconds`` into the device's time).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, timezone
import heapq
import itertools
import random
import secrets

from . import events as ev
from .config import HikConfig
from .events import EventLog, HikEvent

# AcsWorkStatus values (SDKG NET_DVR_ACS_WORK_STATUS_V50)
LOCKED, UNLOCKED = 0, 1
CLOSED, OPEN = 0, 1
SLEEP, REMAIN_OPEN, REMAIN_CLOSED, NORMAL = 1, 2, 3, 4
#: Entries in the padded work-status arrays (a 2-door DS-K2702WX sends 126).
PADDED = 126

_NAMES = [
    "Li Wei", "Wang Fang", "Zhang Min", "Liu Yang", "Chen Jing", "Anna Müller",
    "João Silva", "Maria Rossi", "Ahmed Khan", "Olga Ivanova", "Kenji Sato",
    "Sara Cohen", "Tom Baker", "Eva Novak", "Ravi Patel", "Nora Berg",
]  # fmt: skip


class DeviceError(Exception):
    """A request the device refuses: (statusCode, subStatusCode)."""

    def __init__(self, code: int, sub: str, message: str, http_status: int = 400):
        """Remember the ResponseStatus fields."""
        super().__init__(message)
        self.code = code
        self.sub = sub
        self.http_status = http_status


@dataclass(slots=True)
class Door:
    """One door: lock relay, contact, mode and its (secret) passwords."""

    no: int
    name: str
    open_duration: int
    lock: int = LOCKED
    contact: int = CLOSED
    mode: int = NORMAL
    super_password: str = "13572468"  # noqa: S105
    stress_password: str = "99887766"  # noqa: S105
    unlock_password: str = "24681357"  # noqa: S105
    relock_at: float | None = None


@dataclass(frozen=True, slots=True)
class Person:
    """Someone enrolled on the device."""

    employee_no: str
    name: str
    card_no: str
    user_type: str = "normal"
    faces: int = 1
    fingerprints: int = 1
    doors: tuple[int, ...] = field(default=(1,))


class Device:
    """State and behaviour of the simulated terminal or controller."""

    def __init__(
        self,
        config: HikConfig,
        clock: Callable[[], float],
        wall: Callable[[], datetime],
    ) -> None:
        """Build a device for ``config``; ``clock`` monotonic seconds, ``wall`` UTC now."""
        self.config = config
        self.clock = clock
        self.wall = wall
        self.log = EventLog(config.log_capacity)
        self.rng = random.Random(config.seed * 7919 + 18)
        self.doors: list[Door] = []
        self.resize_doors()
        self.people = self._make_people()
        self._timers: list[tuple[float, int, Callable[[], object]]] = []
        self._seq = itertools.count()
        self.device_tamper = False
        self.reader_tamper = False
        self.commands: list[tuple[int, str]] = []
        """Door commands accepted, oldest first: (door, cmd)."""

    # --- set-up -------------------------------------------------------------------------

    def resize_doors(self) -> None:
        """Have exactly ``config.doors`` doors (new ones locked and closed)."""
        count = self.config.doors
        del self.doors[count:]
        for no in range(len(self.doors) + 1, count + 1):
            self.doors.append(Door(no, f"Door {no}", self.config.open_duration))

    def _make_people(self) -> list[Person]:
        rng = random.Random(self.config.seed)
        return [
            Person(
                employee_no=str(i),
                name=_NAMES[(i - 1) % len(_NAMES)],
                card_no=str(rng.randrange(1_000_000_000, 4_000_000_000)),
                user_type="visitor" if i % 7 == 0 else "normal",
                faces=1 if i % 5 else 0,
                fingerprints=1 if i % 3 else 0,
                doors=tuple(range(1, 5)),
            )
            for i in range(1, self.config.people + 1)
        ]

    def door(self, no: int) -> Door:
        """Return door ``no`` (from 1); DeviceError(badParameters) when there is none."""
        if 1 <= no <= len(self.doors):
            return self.doors[no - 1]
        raise DeviceError(6, "badParameters", f"no door {no}")

    def person(self, employee_no: str) -> Person:
        """Return a person by employee number (KeyError when unknown)."""
        for person in self.people:
            if person.employee_no == employee_no:
                return person
        raise KeyError(f"no person {employee_no!r}")

    # --- time -----------------------------------------------------------------------------

    @property
    def tz(self) -> timezone:
        """Return the device's UTC offset."""
        return timezone(timedelta(minutes=self.config.utc_offset_minutes))

    def now(self) -> datetime:
        """Return device time: the wall clock, moved by the clock offset, in the device zone."""
        moment = self.wall().astimezone(UTC)
        moment += timedelta(seconds=self.config.clock_offset_seconds)
        return moment.astimezone(self.tz)

    def later(self, delay: float, action: Callable[[], object]) -> None:
        """Run ``action`` once the monotonic clock has moved ``delay`` seconds."""
        heapq.heappush(self._timers, (self.clock() + delay, next(self._seq), action))

    def run_due(self) -> int:
        """Run the timers that are due; return how many ran."""
        ran = 0
        now = self.clock()
        while self._timers and self._timers[0][0] <= now:
            _, _, action = heapq.heappop(self._timers)
            action()
            ran += 1
        return ran

    @property
    def pending_timers(self) -> int:
        """Count the timers not yet run."""
        return len(self._timers)

    # --- events -------------------------------------------------------------------------------

    def emit(
        self,
        code: tuple[int, int],
        *,
        door_no: int = 0,
        reader: int = 0,
        person: Person | None = None,
        card_no: str = "",
        net_user: str = "",
        remote_host: str = "",
        pictures: int = 0,
    ) -> HikEvent:
        """Log an event now (the streams hear of it at once)."""
        major, minor = code
        when = self.now()
        token = secrets.token_hex(6) if pictures else ""

        def make(serial: int) -> HikEvent:
            return HikEvent(
                serial_no=serial,
                major=major,
                minor=minor,
                time=when,
                door_no=door_no,
                card_reader_no=reader,
                card_no=card_no,
                card_type=1 if card_no else 0,
                employee_no=person.employee_no if person else "",
                name=person.name if person else "",
                user_type=person.user_type if person else "normal",
                net_user=net_user,
                remote_host=remote_host,
                pictures=pictures,
                picture_token=token,
            )

        return self.log.append(make)

    # --- doors ---------------------------------------------------------------------------------

    def _unlock(self, door: Door, duration: float | None) -> None:
        """Open the lock relay; relock after ``duration`` (None: stay unlocked)."""
        if door.lock != UNLOCKED:
            door.lock = UNLOCKED
            self.emit(ev.LOCK_OPEN, door_no=door.no)
        door.relock_at = None
        if duration is not None:
            due = self.clock() + duration
            door.relock_at = due
            self.later(duration, lambda: self._relock_if_due(door, due))

    def _relock_if_due(self, door: Door, due: float) -> None:
        if door.relock_at == due and door.mode == NORMAL:
            self._relock(door)

    def _relock(self, door: Door) -> None:
        door.relock_at = None
        if door.lock != LOCKED:
            door.lock = LOCKED
            self.emit(ev.LOCK_CLOSE, door_no=door.no)

    def _to_normal(self, door: Door) -> None:
        """End remain-open or remain-closed; the door locks."""
        if door.mode == REMAIN_OPEN:
            self.emit(ev.REMAIN_OPEN_END, door_no=door.no)
        elif door.mode == REMAIN_CLOSED:
            self.emit(ev.REMAIN_CLOSED_END, door_no=door.no)
        door.mode = NORMAL
        self._relock(door)

    def command(
        self,
        door_no: int,
        cmd: str,
        *,
        password: str | None = None,
        user: str = "admin",
        host: str = "",
    ) -> None:
        """Carry out a remote door command as the device would (or raise DeviceError)."""
        cfg = self.config
        if cmd not in cfg.cmd_options:
            raise DeviceError(4, "notSupport", f"cmd {cmd!r} not in cmd@opt")
        if cfg.remote_password is not None and password != cfg.remote_password:
            raise DeviceError(
                4, "badAuthorization", "remote control password", http_status=403
            )
        doors = self.doors if door_no == 65535 else [self.door(door_no)]
        for door in doors:
            self._command_door(door, cmd, user, host)

    def _command_door(self, door: Door, cmd: str, user: str, host: str) -> None:
        op = {
            "open": ev.REMOTE_OPEN,
            "alwaysOpen": ev.REMOTE_ALWAYS_OPEN,
            "alwaysClose": ev.REMOTE_ALWAYS_CLOSE,
        }.get(cmd, ev.REMOTE_CLOSE)  # close, resume, reset: "remote close (controlled)"
        self.commands.append((door.no, cmd))
        self.emit(op, door_no=door.no, net_user=user, remote_host=host)
        match cmd:
            case "open":
                if door.mode == REMAIN_CLOSED:
                    return  # a disabled door stays shut
                self._unlock(
                    door, None if door.mode == REMAIN_OPEN else door.open_duration
                )
            case "alwaysOpen":
                if door.mode == REMAIN_CLOSED:
                    self.emit(ev.REMAIN_CLOSED_END, door_no=door.no)
                if door.mode != REMAIN_OPEN:
                    door.mode = REMAIN_OPEN
                    self.emit(ev.REMAIN_OPEN_START, door_no=door.no)
                self._unlock(door, None)
            case "alwaysClose":
                if door.mode == REMAIN_OPEN:
                    self.emit(ev.REMAIN_OPEN_END, door_no=door.no)
                if door.mode != REMAIN_CLOSED:
                    door.mode = REMAIN_CLOSED
                    self.emit(ev.REMAIN_CLOSED_START, door_no=door.no)
                self._relock(door)
            case "close" | "resume" | "reset":
                self._to_normal(door)
            case _:
                pass  # elevator calls: logged, nothing moves

    def swipe(
        self,
        door_no: int,
        method: str = "card",
        *,
        granted: bool = True,
        employee_no: str | None = None,
        card_no: str | None = None,
        minor: int | None = None,
        reader: int = 1,
    ) -> HikEvent:
        """Someone presents a card, face, finger, password or QR code at a reader.

        Granted: the access event, then the lock opens for ``open_duration``.
        Refused: the method's refusal minor (a stranger's when no person is given).
        ``minor`` forces the code (major 5).
        """
        door = self.door(door_no)
        if method not in ev.METHOD_CODES:
            raise ValueError(f"method must be one of {sorted(ev.METHOD_CODES)}")
        ok_code, refused, stranger = ev.METHOD_CODES[method]
        person = None
        if employee_no is not None:
            person = self.person(employee_no)
        elif granted:
            person = self.rng.choice(self.people)
        code = ok_code if granted else (refused if person else stranger)
        if minor is not None:
            code = (ev.EVENT, minor)
        uses_card = method in ("card", "card_password", "qr")
        if uses_card:
            card = (
                card_no if card_no is not None else (person.card_no if person else "")
            )
            if not card:
                card = str(self.rng.randrange(1_000_000_000, 4_000_000_000))
        else:
            card = ""  # face, fingerprint and password events carry no card
        pictures = 1 if method == "face" else 0
        event = self.emit(
            code,
            door_no=door.no,
            reader=reader,
            person=person,
            card_no=card,
            pictures=pictures,
        )
        if granted and door.mode == NORMAL:
            self._unlock(door, door.open_duration)
        return event

    def set_contact(self, door_no: int, is_open: bool, *, forced: bool = False) -> None:
        """Open or close the door contact; ``forced`` logs 5/27 too."""
        door = self.door(door_no)
        new = OPEN if is_open else CLOSED
        if new == door.contact and not forced:
            return
        door.contact = new
        self.emit(ev.DOOR_OPENED if is_open else ev.DOOR_CLOSED, door_no=door.no)
        if is_open and forced:
            self.emit(ev.DOOR_FORCED, door_no=door.no)

    def held_open(self, door_no: int) -> None:
        """Report the door held open too long: 5/28 (opening the contact first if shut)."""
        door = self.door(door_no)
        if door.contact != OPEN:
            self.set_contact(door_no, True)
        self.emit(ev.DOOR_HELD_OPEN, door_no=door.no)

    def tamper(self, *, reader: bool = False, active: bool = True) -> HikEvent:
        """Device or reader tamper starts or ends (1/1028..1031)."""
        if reader:
            self.reader_tamper = active
            code = ev.READER_TAMPER if active else ev.READER_TAMPER_END
            return self.emit(code, reader=1)
        self.device_tamper = active
        return self.emit(ev.DEVICE_TAMPER if active else ev.DEVICE_TAMPER_END)

    def duress(self, door_no: int = 1, employee_no: str | None = None) -> HikEvent:
        """Report a duress code or finger: 1/1034."""
        door = self.door(door_no)
        person = self.person(employee_no) if employee_no else None
        return self.emit(ev.DURESS, door_no=door.no, reader=1, person=person)

    def fill(self, count: int) -> None:
        """Log ``count`` routine events (lock cycles on door 1): makes the log wrap."""
        for i in range(count):
            self.emit(ev.LOCK_OPEN if i % 2 == 0 else ev.LOCK_CLOSE, door_no=1)

    def wipe_log(self) -> None:
        """Wipe the log (a factory reset): serial numbers start at 1 again."""
        self.log.restart()

    # --- status -----------------------------------------------------------------------------

    def work_status(self) -> dict[str, object]:
        """Return the AcsWorkStatus JSON, with the arrays padded."""

        def padded(values: list[int], fill: int) -> list[int]:
            return values + [fill] * (PADDED - len(values))

        return {
            "AcsWorkStatus": {
                "doorLockStatus": padded([d.lock for d in self.doors], 0),
                "doorStatus": padded([d.mode for d in self.doors], 1),
                "magneticStatus": padded([d.contact for d in self.doors], 0),
                "caseStatus": [],
                "batteryVoltage": 0,
                "batteryLowVoltage": False,
                "powerSupplyStatus": "ACPowerSupply",
                "multiDoorInterlockStatus": "close",
                "antiSneakStatus": "close",
                "hostAntiDismantleStatus": "open" if self.device_tamper else "close",
                "cardReaderOnlineStatus": [1],
                "cardReaderAntiDismantleStatus": [1 if self.reader_tamper else 0],
                "cardReaderVerifyMode": [1],
                "cardNum": sum(1 for p in self.people if p.card_no),
            }
        }
