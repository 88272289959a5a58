"""The simulated device's settings: identity, doors, protocol variants and limits."""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from typing import Any

#: The two XML namespaces real firmware uses (both seen on ``userCheck``).
NAMESPACES = {
    "isapi": "http://www.isapi.org/ver20/XMLSchema",
    "hikvision": "http://www.hikvision.com/ver20/XMLSchema",
}
#: What a device re-sends on every stream connect.
HISTORY_MODES = ("last", "all", "none")
PART_FORMATS = ("json", "xml")
MULTIPART_SUBTYPES = ("mixed", "form-data")
DOOR_COUNTS = (1, 2, 4)
#: Every command Hikvision's own enum knows (HEOP ``RemoteControlDoorType.kt``).
KNOWN_COMMANDS = (
    "open",
    "close",
    "alwaysOpen",
    "alwaysClose",
    "reset",
    "resume",
    "visitorCallLadder",
    "householdCallLadder",
)


@dataclass(slots=True)
class HikConfig:
    """Everything a test, benchmark or demo may want to vary.

    The defaults are a one-door face terminal that lists no ``resume`` (like a
    DS-K1T805MBFWX), searches by serial range, caps searches at 30 results,
    sends a heartbeat every 10 s and re-sends its last 5 events on connect.
    """

    model: str = "DS-K1T341AMF"
    device_name: str = "Access Controller"
    serial_suffix: str = "20220311V030230ENJ70368704"
    device_id: str = "fd3c8ad2-5e43-4c64-9d4e-44a6f0b8f1a0"
    mac_address: str = "44:a6:42:1c:6b:2e"
    ip_address: str = "192.168.1.64"
    firmware_version: str = "V1.9.1"
    firmware_released: str = "build 240909"
    doors: int = 1
    username: str = "admin"
    password: str = "Hik12345!"  # noqa: S105 (the simulated account)
    realm: str = "DS-K1T341AMF"
    seed: int = 1
    people: int = 12

    # door commands
    cmd_options: list[str] = field(
        default_factory=lambda: ["open", "close", "alwaysOpen", "alwaysClose"]
    )
    remote_password: str | None = None
    """When set, door commands must carry ``<password>`` with this value."""
    open_duration: int = 5
    """Seconds a door stays unlocked after ``open`` or a granted swipe."""

    # event search
    serial_search: bool = True
    """Whether ``AcsEvent/capabilities`` lists ``beginSerialNo``/``endSerialNo``."""
    unsupported_search_fields: str = "reject"
    """What a search with a field the capabilities do not list gets: ``reject``
    (400 badParameters) or ``ignore`` (the field has no effect)."""
    max_results: int = 30
    log_capacity: int = 5000
    """Events the device keeps; older ones are dropped (the log wraps)."""

    # alert stream
    heartbeat_period: float | None = 10.0
    """Seconds between heartbeats on the stream; None sends none."""
    history_mode: str = "last"
    """``last``: the last ``history_count`` events on connect; ``all``: the
    whole log (DS-K1T342MWX); ``none``."""
    history_count: int = 5
    boundary: str = "MIME_boundary"
    multipart_subtype: str = "mixed"
    part_format: str = "json"
    """``xml`` sends ``EventNotificationAlert`` as XML (older firmware)."""
    json_tabs: bool = False
    """Send stream JSON tab-indented (a DS-K1T323 does)."""
    face_pictures: bool = True
    """A JPEG part follows the JSON part of a face event."""
    stream_forbidden: bool = False
    """The account lacks the notification permission: the stream answers 403."""

    # time
    times_with_offset: bool = True
    utc_offset_minutes: int = 480
    clock_offset_seconds: float = 0.0
    """The device clock runs this many seconds ahead (negative: behind)."""

    # XML
    xml_namespace: str = "isapi"

    # authentication
    lock_enabled: bool = True
    max_attempts: int = 5
    lock_seconds: int = 1800
    nonce_ttl: float = 300.0
    """Seconds a nonce stays good; an older one gets ``stale=true``."""

    # small-device limits (None: unlimited)
    max_requests: int | None = None
    max_streams: int | None = None

    @property
    def serial_number(self) -> str:
        """Return the long serial number, which begins with the model."""
        return self.model + self.serial_suffix

    @property
    def namespace(self) -> str:
        """Return the XML namespace URI of this firmware."""
        return NAMESPACES[self.xml_namespace]

    def validate(self) -> None:
        """Raise ValueError for a setting the simulator cannot honour."""
        if self.doors not in DOOR_COUNTS:
            raise ValueError(f"doors must be one of {DOOR_COUNTS}")
        if self.history_mode not in HISTORY_MODES:
            raise ValueError(f"history_mode must be one of {HISTORY_MODES}")
        if self.part_format not in PART_FORMATS:
            raise ValueError(f"part_format must be one of {PART_FORMATS}")
        if self.multipart_subtype not in MULTIPART_SUBTYPES:
            raise ValueError(f"multipart_subtype must be one of {MULTIPART_SUBTYPES}")
        if self.xml_namespace not in NAMESPACES:
            raise ValueError(f"xml_namespace must be one of {sorted(NAMESPACES)}")
        if self.unsupported_search_fields not in ("reject", "ignore"):
            raise ValueError("unsupported_search_fields must be reject or ignore")
        unknown = [c for c in self.cmd_options if c not in KNOWN_COMMANDS]
        if unknown or not self.cmd_options:
            raise ValueError(f"cmd_options must be some of {KNOWN_COMMANDS}")
        if self.heartbeat_period is not None and self.heartbeat_period <= 0:
            raise ValueError("heartbeat_period must be positive or None")
        if self.log_capacity < 1 or self.max_results < 1 or self.max_attempts < 1:
            raise ValueError("log_capacity, max_results, max_attempts must be >= 1")
        if self.history_count < 0 or self.open_duration < 1:
            raise ValueError("history_count must be >= 0, open_duration >= 1")
        if not self.boundary or any(c in self.boundary for c in '\r\n"; '):
            raise ValueError("boundary must be a plain token")

    def update(self, values: dict[str, Any]) -> list[str]:
        """Set the given fields (validated as a whole); return the names changed.

        Raises KeyError for an unknown name, ValueError/TypeError for a bad value;
        on error nothing changes.
        """
        names = {f.name: f for f in fields(self)}
        unknown = [key for key in values if key not in names]
        if unknown:
            raise KeyError(f"unknown setting {unknown[0]!r}")
        old = {name: getattr(self, name) for name in names}
        try:
            for key, value in values.items():
                setattr(self, key, _coerce(key, value, old[key]))
            self.validate()
        except BaseException:
            for name, value in old.items():
                setattr(self, name, value)
            raise
        return list(values)

    def as_dict(self) -> dict[str, Any]:
        """Return the settings as JSON values, passwords left out."""
        hidden = {"password", "remote_password"}
        out = {
            f.name: getattr(self, f.name) for f in fields(self) if f.name not in hidden
        }
        out["serial_number"] = self.serial_number
        out["remote_password_set"] = self.remote_password is not None
        return out


_OPTIONAL = {"remote_password", "heartbeat_period", "max_requests", "max_streams"}


def _coerce(key: str, value: Any, current: Any) -> Any:
    """Check a control-API value against the type of the current one."""
    if value is None:
        if key in _OPTIONAL:
            return None
        raise TypeError(f"{key!r} must not be null")
    if key == "cmd_options":
        if isinstance(value, str):
            value = [v.strip() for v in value.split(",") if v.strip()]
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise TypeError("'cmd_options' must be a list of strings")
        return list(value)
    if key in {"heartbeat_period", "nonce_ttl", "clock_offset_seconds"}:
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise TypeError(f"{key!r} must be a number")
        return float(value)
    if key in {"max_requests", "max_streams", "remote_password"} and current is None:
        return int(value) if key != "remote_password" else str(value)
    if isinstance(current, bool):
        if not isinstance(value, bool):
            raise TypeError(f"{key!r} must be true or false")
        return value
    if isinstance(current, int):
        if isinstance(value, bool) or not isinstance(value, int):
            raise TypeError(f"{key!r} must be an integer")
        return value
    if isinstance(current, str):
        if not isinstance(value, str):
            raise TypeError(f"{key!r} must be a string")
        return value
    return value
