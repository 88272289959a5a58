"""Runtime state of the simulated server: records, the real-time cache, alarms.

Everything here is synchronous and runs on the event loop of the server, so
there is no locking. Times are the server's naive local times.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
import logging
import random

from .relock import NORMALLY_CLOSED, NORMALLY_OPEN, Relocks
from .site import Area, Controller, Door, Person, Site

_LOGGER = logging.getLogger(__name__)

CACHE_TTL = 2.0
"""Seconds (of ``sim.clock``) an event stays in the real-time cache."""
MAX_LOGIN_FAILURES = 5
MAX_ALARMS = 1000

OUTSIDE = "outside"
INSIDE = "inside"

# (acsEventValue, acsEventName)
EVENT_GRANTED = {OUTSIDE: (3, "外部刷卡开门"), INSIDE: (4, "内部刷卡开门")}
EVENT_DENIED = {OUTSIDE: (22, "外部无效卡"), INSIDE: (23, "内部无效卡")}
EVENT_DOOR_OPENED = (30, "门打开")
EVENT_DOOR_CLOSED = (31, "门关闭")
EVENT_SOFTWARE_OPEN = (8, "软件开门")
EVENT_SOFTWARE_CLOSE = (9, "软件关门")
EVENT_WORK_MODE = {4: (11, "软件设置常开"), 5: (12, "软件设置常闭")}
EVENT_WORK_MODE_OTHER = (10, "软件设置工作模式")

REASON_GRANTED = 0
REASON_CARD_NOT_FOUND = 100
REASON_CARD_EXPIRED = 101
REASON_NO_PERMISSION = 102

# status codes of the protocol
OK = 0
GENERAL_ERROR = 1
INVALID_PARAMETER = 101
NO_DATA = 102
ACCOUNT_UNKNOWN = 104
ACCOUNT_WRONG_PASSWORD = 105
ACCOUNT_LOCKED = 106
SERVER_ERROR = 500

MESSAGES = {
    OK: "success",
    GENERAL_ERROR: "一般错误",
    INVALID_PARAMETER: "非法参数",
    NO_DATA: "数据不存在",
    103: "数据已经存在，不能重复添加",
    ACCOUNT_UNKNOWN: "登录帐号不存在",
    ACCOUNT_WRONG_PASSWORD: "帐号验证错误",
    ACCOUNT_LOCKED: "帐号已被锁定",
    SERVER_ERROR: "服务器发生异常",
}


@dataclass(frozen=True, slots=True)
class SimSwipe:
    """A swipe the simulator produced, with the ids the client will see."""

    event_id: int
    record_id: int
    door_id: str
    card_no: str
    user_no: str | None
    granted: bool
    reason: int
    time: datetime
    reader: str
    event_value: int
    event_name: str
    user_id: int | None


@dataclass(frozen=True, slots=True)
class LoggedRequest:
    """A protocol request as received (the password segment masked as ``***``)."""

    method: str
    path: str
    query: dict[str, str]
    time: datetime


@dataclass(frozen=True, slots=True)
class DoorCommand:
    """A door command that the server accepted and carried out."""

    action: str
    door_id: str
    mode: int | None
    time: datetime


@dataclass(frozen=True, slots=True, eq=False)
class AccessRecord:
    """One access-control event; swipes are the records with ``is_swipe``."""

    record_id: int
    time: datetime
    door: Door
    controller: Controller
    area: Area
    event_value: int
    event_name: str
    is_swipe: bool
    is_open_door: bool
    in_or_out: int
    is_alarm: bool
    reason: int
    card_no: str
    card_state: int
    person: Person | None


@dataclass(frozen=True, slots=True, eq=False)
class CacheEvent:
    """An entry of the real-time swipe cache."""

    event_id: int
    created: float
    record: AccessRecord


@dataclass(slots=True, eq=False)
class Alarm:
    """An alarm that is not yet acknowledged nor cleared until ``cleared``."""

    alarm_id: int
    event_id: int
    time: datetime
    door: Door
    controller: Controller
    area: Area
    name: str
    event_type: int
    level: str
    priority: int
    cleared: bool = False


@dataclass(frozen=True, slots=True, eq=False)
class Presence:
    """A person currently inside an area, with the record that put them there."""

    uaid: int
    record: AccessRecord


class SimState:
    """The mutable part of the server."""

    def __init__(
        self,
        site: Site,
        *,
        username: str,
        password: str,
        rng: random.Random,
        clock: Callable[[], float],
        now: Callable[[], datetime],
    ) -> None:
        """Create an empty state for ``site``; ``now`` returns an aware local time."""
        self.site = site
        self.username = username
        self.password = password
        self.rng = rng
        self._clock = clock
        self._now = now
        self.records: list[AccessRecord] = []
        self._record_ids: list[int] = []
        self.next_record_id = 1
        self.cache: list[CacheEvent] = []
        self.next_event_id = 1
        self.alarms: dict[int, Alarm] = {}
        self.next_alarm_id = 1
        self.next_alarm_event_id = 1
        self.presence: dict[int, Presence] = {}
        self.next_uaid = 1
        self.door_commands: list[DoorCommand] = []
        self.relocks = Relocks(clock)
        self.login_failures = 0
        self.locked = False

    # --- helpers -------------------------------------------------------------

    def _stamp(self) -> tuple[datetime, datetime]:
        """Return (aware, naive local) now, to the second."""
        aware = self._now().replace(microsecond=0)
        return aware, aware.replace(tzinfo=None)

    def door(self, door_id: str) -> Door:
        """Return a door or raise KeyError."""
        door = self.site.door(door_id)
        if door is None:
            raise KeyError(f"unknown door {door_id!r}")
        return door

    def _append(
        self,
        door: Door,
        *,
        time: datetime,
        event: tuple[int, str],
        is_swipe: bool = False,
        is_open_door: bool = False,
        in_or_out: int = 0,
        is_alarm: bool = False,
        reason: int = 0,
        card_no: str = "",
        card_state: int = 0,
        person: Person | None = None,
    ) -> AccessRecord:
        area = self.site.area(door.area_id)
        assert area is not None
        record = AccessRecord(
            record_id=self.next_record_id,
            time=time,
            door=door,
            controller=self.site.door_controller(door),
            area=area,
            event_value=event[0],
            event_name=event[1],
            is_swipe=is_swipe,
            is_open_door=is_open_door,
            in_or_out=in_or_out,
            is_alarm=is_alarm,
            reason=reason,
            card_no=card_no,
            card_state=card_state,
            person=person,
        )
        self.next_record_id += 1
        self.records.append(record)
        self._record_ids.append(record.record_id)
        return record

    # --- swipes --------------------------------------------------------------

    def valid_people(self, door: Door) -> list[Person]:
        """People whose cards are valid and who may pass ``door``."""
        return [
            p for p in self.site.people if p.can_pass and self.site.may_pass(p, door)
        ]

    def swipe(
        self,
        door_id: str,
        card_no: str | None = None,
        *,
        reader: str = OUTSIDE,
        reason: int | None = None,
    ) -> SimSwipe:
        """Simulate a card swipe at a door; see ``Simulator.swipe``."""
        if reader not in (OUTSIDE, INSIDE):
            raise ValueError(f"reader must be {OUTSIDE!r} or {INSIDE!r}")
        door = self.door(door_id)
        person: Person | None
        if card_no is None:
            candidates = self.valid_people(door)
            if not candidates:
                raise ValueError(f"nobody may pass door {door.name!r}")
            person = self.rng.choice(candidates)
            card_no = self.rng.choice(person.cards)
        else:
            card_no = str(card_no)
            person = self.site.person_by_card(card_no)
        if reason is None:
            if person is None:
                reason = REASON_CARD_NOT_FOUND
            elif person.expired:
                reason = REASON_CARD_EXPIRED
            elif not person.can_pass or not self.site.may_pass(person, door):
                reason = REASON_NO_PERMISSION
            else:
                reason = REASON_GRANTED
        granted = reason == REASON_GRANTED
        event = (EVENT_GRANTED if granted else EVENT_DENIED)[reader]
        aware, naive = self._stamp()
        record = self._append(
            door,
            time=naive,
            event=event,
            is_swipe=True,
            is_open_door=granted,
            in_or_out=1 if reader == OUTSIDE else 2,
            is_alarm=not granted,
            reason=reason,
            card_no=card_no,
            card_state=person.card_state if person else 0,
            person=person,
        )
        self._prune_cache()
        cached = CacheEvent(self.next_event_id, self._clock(), record)
        self.next_event_id += 1
        self.cache.append(cached)
        if granted and person is not None:
            if reader == OUTSIDE:
                self.presence[person.user_id] = Presence(self.next_uaid, record)
                self.next_uaid += 1
            else:
                self.presence.pop(person.user_id, None)
        return SimSwipe(
            event_id=cached.event_id,
            record_id=record.record_id,
            door_id=door.id,
            card_no=card_no,
            user_no=person.user_no if person else None,
            granted=granted,
            reason=reason,
            time=aware,
            reader=reader,
            event_value=event[0],
            event_name=event[1],
            user_id=person.user_id if person else None,
        )

    def burst(self, n: int, door_ids: Sequence[str] | None = None) -> list[SimSwipe]:
        """Make ``n`` granted swipes spread round-robin over the doors.

        A person already inside the door's area swipes out at the inside
        reader, everyone else swipes in.
        """
        if n < 0:
            raise ValueError("n must not be negative")
        doors = [self.door(d) for d in door_ids] if door_ids else list(self.site.doors)
        if not doors:
            raise ValueError("no doors")
        result = []
        for i in range(n):
            door = doors[i % len(doors)]
            candidates = self.valid_people(door)
            if not candidates:
                raise ValueError(f"nobody may pass door {door.name!r}")
            person = self.rng.choice(candidates)
            here = self.presence.get(person.user_id)
            inside = here is not None and here.record.area.id in self.site.area_subtree(
                door.area_id
            )
            result.append(
                self.swipe(
                    door.id,
                    self.rng.choice(person.cards),
                    reader=INSIDE if inside else OUTSIDE,
                )
            )
        return result

    # --- real-time cache -----------------------------------------------------

    def _prune_cache(self) -> None:
        now = self._clock()
        if self.cache and now - self.cache[0].created >= CACHE_TTL:
            self.cache = [e for e in self.cache if now - e.created < CACHE_TTL]

    def cache_events(self, controller_ids: Iterable[str]) -> list[CacheEvent]:
        """Return the cached events of these controllers (unknown ids ignored)."""
        wanted = set(controller_ids)
        now = self._clock()
        self.cache = [e for e in self.cache if now - e.created < CACHE_TTL]
        return [e for e in self.cache if e.record.controller.id in wanted]

    # --- alarms and door state -------------------------------------------------

    def raise_alarm(
        self,
        door_id: str,
        name: str = "非法开门",
        event_type: int = 25,
        level: str = "1",
        priority: int = 254,
    ) -> int:
        """Raise an alarm at a door; returns its alarmEventTroubleId."""
        door = self.door(door_id)
        _aware, naive = self._stamp()
        record = self._append(door, time=naive, event=(event_type, name), is_alarm=True)
        alarm = Alarm(
            alarm_id=self.next_alarm_id,
            event_id=self.next_alarm_event_id,
            time=naive,
            door=door,
            controller=record.controller,
            area=record.area,
            name=name,
            event_type=event_type,
            level=str(level),
            priority=priority,
        )
        self.next_alarm_id += 1
        self.next_alarm_event_id += 1
        self.alarms[alarm.alarm_id] = alarm
        return alarm.alarm_id

    def clear_alarm(self, alarm_id: int) -> None:
        """Clear an alarm; raises KeyError for an unknown id."""
        self.alarms[alarm_id].cleared = True

    def pending_alarms(self) -> list[Alarm]:
        """Alarms neither acknowledged nor cleared, newest first, at most 1000."""
        pending = [a for a in self.alarms.values() if not a.cleared]
        pending.sort(key=lambda a: a.alarm_id, reverse=True)
        return pending[:MAX_ALARMS]

    def set_door_open(self, door_id: str, is_open: bool) -> None:
        """Open or close a door physically (e.g. forced); appends a record."""
        door = self.door(door_id)
        door.is_open = bool(is_open)
        _aware, naive = self._stamp()
        self._append(
            door,
            time=naive,
            event=EVENT_DOOR_OPENED if is_open else EVENT_DOOR_CLOSED,
            is_open_door=bool(is_open),
        )

    def settle(self) -> None:
        """Relock the doors whose open time is over: each closes, with a record."""
        for door_id in self.relocks.take_due():
            door = self.site.door(door_id)
            if door is not None and door.is_open and door.work_mode != NORMALLY_OPEN:
                self.set_door_open(door_id, False)

    def set_door_online(self, door_id: str, online: bool) -> None:
        """Take a door on or off line."""
        self.door(door_id).online = bool(online)

    def set_controller_online(
        self, controller_id: str, online: bool, error: str = ""
    ) -> None:
        """Take a controller on or off line; its doors follow it."""
        controller = self.site.controller(controller_id)
        if controller is None:
            raise KeyError(f"unknown controller {controller_id!r}")
        controller.online = bool(online)
        if online:
            controller.comm_error = ""
        else:
            controller.comm_error = error or "通讯失败"

    # --- commands ------------------------------------------------------------

    def check_account(self, username: str, password: str) -> int:
        """Check the credentials of a door command; returns a status code."""
        if username != self.username:
            return ACCOUNT_UNKNOWN
        if self.locked:
            return ACCOUNT_LOCKED
        if password != self.password:
            self.login_failures += 1
            if self.login_failures >= MAX_LOGIN_FAILURES:
                self.locked = True
                _LOGGER.info("account %r locked after %d failures", username, 5)
            return ACCOUNT_WRONG_PASSWORD
        self.login_failures = 0
        return OK

    def door_command(
        self, action: str, door_id: str, mode_text: str | None = None
    ) -> tuple[int, str]:
        """Carry out an authenticated door command; returns (status, msg)."""
        door = self.site.door(door_id)
        if door is None:
            return NO_DATA, "门不存在"
        mode: int | None = None
        if action == "workmode":
            try:
                mode = int(mode_text or "")
            except ValueError:
                return INVALID_PARAMETER, MESSAGES[INVALID_PARAMETER]
            if not 0 <= mode <= 6:
                return INVALID_PARAMETER, MESSAGES[INVALID_PARAMETER]
        if not self.site.door_online(door):
            return GENERAL_ERROR, "设备不在线，操作失败"
        aware, naive = self._stamp()
        if action == "open":
            door.is_open = True
            self.relocks.opened(door)
            event = EVENT_SOFTWARE_OPEN
        elif action == "close":
            door.is_open = False
            self.relocks.cancel(door.id)
            event = EVENT_SOFTWARE_CLOSE
        else:
            assert mode is not None
            held, door.work_mode = door.work_mode == NORMALLY_OPEN, mode
            if mode in (NORMALLY_OPEN, NORMALLY_CLOSED):
                door.is_open = mode == NORMALLY_OPEN
                self.relocks.cancel(door.id)
            elif held and door.is_open:
                self.relocks.opened(door)  # released: it locks after its open time
            event = EVENT_WORK_MODE.get(mode, EVENT_WORK_MODE_OTHER)
        self._append(door, time=naive, event=event, is_open_door=action == "open")
        self.door_commands.append(DoorCommand(action, door.id, mode, aware))
        return OK, MESSAGES[OK]

    # --- queries -------------------------------------------------------------

    def select_records(
        self,
        *,
        swipe_only: bool,
        after_id: int | None = None,
        begin: datetime | None = None,
        end: datetime | None = None,
        isalarm: int = 0,
        usertype: int = 0,
        userno: str = "",
    ) -> list[AccessRecord]:
        """Return the records matching the record calls' filters, in id order."""
        records: Sequence[AccessRecord] = self.records
        if after_id is not None:
            records = self.records[bisect_right(self._record_ids, after_id) :]
        return [
            r
            for r in records
            if (not swipe_only or r.is_swipe)
            and (isalarm == -1 or r.is_alarm == (isalarm == 1))
            and (begin is None or r.time >= begin)
            and (end is None or r.time <= end)
            and (
                usertype == 0 or (r.person is not None and r.person.type_id == usertype)
            )
            and (not userno or (r.person is not None and r.person.user_no == userno))
        ]

    def passages(
        self, begin: datetime, end: datetime | None, userno: str
    ) -> list[AccessRecord]:
        """Granted card passages of known people (``useraccessrecords``)."""
        return [
            r
            for r in self.records
            if r.is_swipe
            and r.is_open_door
            and r.person is not None
            and r.time >= begin
            and (end is None or r.time <= end)
            and (not userno or r.person.user_no == userno)
        ]

    def area_users(
        self, area_id: int, begin: datetime | None, end: datetime | None
    ) -> list[Presence]:
        """People currently in an area (0 = all), sub-areas included."""
        areas = None if area_id == 0 else self.site.area_subtree(area_id)
        found = [
            p
            for p in self.presence.values()
            if (areas is None or p.record.area.id in areas)
            and (begin is None or p.record.time >= begin)
            and (end is None or p.record.time <= end)
        ]
        return sorted(found, key=lambda p: p.uaid)

    def local_now(self) -> datetime:
        """Return the server's naive local time."""
        return self._stamp()[1]

    # --- lifecycle -----------------------------------------------------------

    def restart(self, clear_records: bool = False) -> None:
        """Empty the cache, restart event ids and unlock the account.

        With ``clear_records`` the database is restored to empty too: records,
        alarms and area occupancy go, and their ids start over.
        """
        self.cache = []
        self.next_event_id = 1
        self.login_failures = 0
        self.locked = False
        if clear_records:
            self.records = []
            self._record_ids = []
            self.next_record_id = 1
            self.alarms = {}
            self.next_alarm_id = 1
            self.next_alarm_event_id = 1
            self.presence = {}
            self.next_uaid = 1
