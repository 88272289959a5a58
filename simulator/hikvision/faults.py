"""Injected faults of ISAPI requests (the alert stream has its own, in ``StreamHub``)."""

from __future__ import annotations

from dataclasses import dataclass

FAULT_KINDS = frozenset(
    {
        "busy",  # HTTP 503 (or http_status) + ResponseStatus 2 deviceBusy
        "status",  # HTTP 200 whose ResponseStatus says statusCode != 1
        "html",  # an HTML error page
        "http500",  # HTTP 500 with an HTML body
        "malformed_json",  # 200 application/json that does not parse
        "xml_for_json",  # the right answer, in XML although JSON was asked
        "unauthorized",  # 401 for a missing permission (not a counted failure)
        "forbidden",  # 403 ResponseStatus lowPrivilege
        "slow",  # answers after ``delay`` seconds
        "timeout",  # never answers (until the client gives up or the app stops)
        "drop",  # closes the connection without an answer
    }
)


@dataclass(slots=True, eq=False)
class Fault:
    """A fault for the next ``count`` matching requests (None: until cleared)."""

    kind: str
    count: int | None = None
    path: str | None = None
    """Only requests whose path (after ``/ISAPI/``) starts with this."""
    delay: float = 5.0
    http_status: int | None = None
    status_code: int = 3
    sub_status: str = "deviceError"

    def matches(self, path: str) -> bool:
        """Whether a request to ``path`` is affected."""
        if self.path is None:
            return True
        return path.removeprefix("/ISAPI/").startswith(self.path)


def normalise_path(path: str | None) -> str | None:
    """Accept a prefix with or without ``/ISAPI/``."""
    if path is None:
        return None
    return path.lstrip("/").removeprefix("ISAPI/")


class FaultSet:
    """The active faults, consulted in the order they were added."""

    def __init__(self) -> None:
        """No fault."""
        self.faults: list[Fault] = []

    def add(
        self,
        kind: str,
        *,
        count: int | None = None,
        path: str | None = None,
        delay: float = 5.0,
        http_status: int | None = None,
        status_code: int = 3,
        sub_status: str = "deviceError",
    ) -> Fault:
        """Add a fault (ValueError for a bad kind or value)."""
        if kind not in FAULT_KINDS:
            raise ValueError(f"unknown fault {kind!r}; one of {sorted(FAULT_KINDS)}")
        if count is not None and count < 1:
            raise ValueError("count must be positive or null")
        if delay < 0:
            raise ValueError("delay must not be negative")
        fault = Fault(
            kind,
            count,
            normalise_path(path),
            float(delay),
            http_status,
            status_code,
            sub_status,
        )
        self.faults.append(fault)
        return fault

    def clear(self) -> None:
        """Remove every fault."""
        self.faults.clear()

    def take(self, path: str) -> Fault | None:
        """Return the fault for a request to ``path``, using up one of its count."""
        for fault in self.faults:
            if fault.matches(path):
                if fault.count is not None:
                    fault.count -= 1
                    if fault.count <= 0:
                        self.faults.remove(fault)
                return fault
        return None
