"""Events: the (major, minor) codes, the event record and the bounded device log."""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime

# majors
ALARM, EXCEPTION, OPERATION, EVENT = 1, 2, 3, 5

# (major, minor) codes the simulator produces (HEOP EventType.kt, ADDON acsalarminfo.py)
CARD_OK, CARD_PW_OK, CARD_PW_FAIL = (EVENT, 1), (EVENT, 2), (EVENT, 3)
CARD_NO_RIGHT, CARD_SCHEDULE, CARD_EXPIRED, CARD_UNKNOWN = (
    (EVENT, 6),
    (EVENT, 7),
    (EVENT, 8),
    (EVENT, 9),
)
REMAIN_OPEN_START, REMAIN_OPEN_END = (EVENT, 19), (EVENT, 20)
LOCK_OPEN, LOCK_CLOSE = (EVENT, 21), (EVENT, 22)
EXIT_BUTTON = (EVENT, 23)
DOOR_OPENED, DOOR_CLOSED = (EVENT, 25), (EVENT, 26)
DOOR_FORCED, DOOR_HELD_OPEN = (EVENT, 27), (EVENT, 28)
REMAIN_CLOSED_START, REMAIN_CLOSED_END = (EVENT, 31), (EVENT, 32)
DOORBELL = (EVENT, 37)
FP_OK, FP_FAIL, FP_UNKNOWN = (EVENT, 38), (EVENT, 39), (EVENT, 49)
FACE_OK, FACE_FAIL, FACE_UNKNOWN = (EVENT, 75), (EVENT, 76), (EVENT, 80)
PW_FAIL, PW_MISMATCH, PW_OK = (EVENT, 150), (EVENT, 151), (EVENT, 181)
QR_OK, QR_FAIL = (EVENT, 156), (EVENT, 157)
DEVICE_TAMPER, DEVICE_TAMPER_END = (ALARM, 1028), (ALARM, 1029)
READER_TAMPER, READER_TAMPER_END = (ALARM, 1030), (ALARM, 1031)
DURESS = (ALARM, 1034)
NETWORK_LOST, NETWORK_RESTORED = (EXCEPTION, 39), (EXCEPTION, 1031)
REMOTE_OPEN, REMOTE_CLOSE, REMOTE_ALWAYS_OPEN, REMOTE_ALWAYS_CLOSE = (
    (OPERATION, 1024),
    (OPERATION, 1025),
    (OPERATION, 1026),
    (OPERATION, 1027),
)
SUBSCRIBER_CONNECTED, SUBSCRIBER_LEFT = (OPERATION, 121), (OPERATION, 122)

#: Per verification method: (granted, refused for a known person, refused for a stranger).
METHOD_CODES: dict[str, tuple[tuple[int, int], tuple[int, int], tuple[int, int]]] = {
    "card": (CARD_OK, CARD_NO_RIGHT, CARD_UNKNOWN),
    "card_password": (CARD_PW_OK, CARD_PW_FAIL, CARD_UNKNOWN),
    "face": (FACE_OK, FACE_FAIL, FACE_UNKNOWN),
    "fingerprint": (FP_OK, FP_FAIL, FP_UNKNOWN),
    "password": (PW_OK, PW_FAIL, PW_MISMATCH),
    "qr": (QR_OK, QR_FAIL, CARD_UNKNOWN),
}

#: The minors listed by ``AcsEvent/capabilities`` (OBS capture of one terminal).
MINORS_ALARM = "1028,1029,1030,1031,1032,1033,1034,1035,1036"
MINORS_EXCEPTION = "39,1024,1031,1033,1034,1064,1065"
MINORS_OPERATION = (
    "90,93,94,112,113,121,122,123,126,134,135,1024,1025,1026,1027,1028,1029,"
    "1030,1031,1034,1035,1036,1038,1049,1050,1071,1072,1073,1074,1075,9728,9729"
)
MINORS_EVENT = (
    "1,2,3,6,7,8,9,10,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31,32,37,38,39,"
    "49,51,75,76,80,81,82,104,150,151,152,153,154,155,156,157,181"
)


@dataclass(frozen=True, slots=True)
class HikEvent:
    """One logged event, as the device keeps it."""

    serial_no: int
    major: int
    minor: int
    time: datetime
    """Device time (aware, in the device's UTC offset)."""
    door_no: int = 0
    card_reader_no: int = 0
    card_no: str = ""
    card_type: int = 0
    employee_no: str = ""
    name: str = ""
    user_type: str = "normal"
    verify_mode: str = "cardOrFaceOrPw"
    net_user: str = ""
    remote_host: str = ""
    pictures: int = 0
    picture_token: str = ""

    @property
    def code(self) -> tuple[int, int]:
        """(major, minor)."""
        return (self.major, self.minor)


type Listener = Callable[[HikEvent], None]


class EventLog:
    """The device's event log: increasing serial numbers, bounded, wrapping.

    When full, the oldest event is dropped (``dropped`` counts them). A wipe
    (``restart``) empties it and serial numbers start at 1 again.
    """

    def __init__(self, capacity: int) -> None:
        """Start an empty log keeping at most ``capacity`` events."""
        self._events: deque[HikEvent] = deque(maxlen=capacity)
        self.next_serial = 1
        self.dropped = 0
        self.restarts = 0
        self.listeners: list[Listener] = []

    def __len__(self) -> int:
        """Count the events kept now."""
        return len(self._events)

    def __iter__(self) -> Iterator[HikEvent]:
        """Iterate oldest first."""
        return iter(self._events)

    @property
    def capacity(self) -> int:
        """Return how many events are kept at most."""
        return self._events.maxlen or 0

    def resize(self, capacity: int) -> None:
        """Keep at most ``capacity`` events (the oldest beyond it are dropped)."""
        old = self._events
        self._events = deque(old, maxlen=capacity)
        self.dropped += max(0, len(old) - capacity)

    def append(self, make: Callable[[int], HikEvent]) -> HikEvent:
        """Log the event ``make(serial_no)`` and tell the listeners."""
        event = make(self.next_serial)
        self.next_serial += 1
        if len(self._events) == self.capacity:
            self.dropped += 1
        self._events.append(event)
        for listener in list(self.listeners):
            listener(event)
        return event

    def restart(self) -> None:
        """Wipe the log: serial numbers start at 1 again."""
        self._events.clear()
        self.next_serial = 1
        self.restarts += 1

    @property
    def first_serial(self) -> int | None:
        """Return the oldest serial number kept, if any."""
        return self._events[0].serial_no if self._events else None

    @property
    def last_serial(self) -> int | None:
        """Return the newest serial number, if any."""
        return self._events[-1].serial_no if self._events else None

    def last(self, n: int) -> list[HikEvent]:
        """Return the newest ``n`` events, oldest first."""
        if n <= 0:
            return []
        return list(self._events)[-n:]
