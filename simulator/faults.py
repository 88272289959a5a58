"""Injected faults: which requests misbehave, and how."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field

FAULT_KINDS = frozenset(
    {
        "http500",
        "malformed_json",
        "html",
        "slow",
        "timeout",
        "drop",
        "status",
        "empty",
        "hold",
    }
)


@dataclass(slots=True, eq=False)
class Fault:
    """A fault for the next ``count`` matching requests (None: until cleared).

    A ``hold`` fault answers what was true when the request arrived, but only
    once it is released: ``arrived`` is set when a request is held.
    """

    kind: str
    count: int | None = None
    path: str | None = None
    delay: float = 5.0
    status: int = 1
    arrived: asyncio.Event = field(default_factory=asyncio.Event)
    released: asyncio.Event = field(default_factory=asyncio.Event)

    def release(self) -> None:
        """Send the answers this fault holds."""
        self.released.set()

    def matches(self, api_path: str) -> bool:
        """Whether a request to ``api_path`` (after /api/v1/) is affected."""
        return self.path is None or api_path.startswith(self.path)


def normalise_prefix(path: str | None) -> str | None:
    """Accept a prefix with or without a leading ``/`` or ``/api/v1/``."""
    if path is None:
        return None
    path = path.lstrip("/")
    return path.removeprefix("api/v1/")


class FaultSet:
    """The active faults, consulted in the order they were added."""

    def __init__(self) -> None:
        """Start with no fault."""
        self.faults: list[Fault] = []
        self._holds: list[Fault] = []
        #: How many requests a ``hold`` fault keeps now.
        self.held = 0
        self._held_changed = asyncio.Event()

    def hold_started(self) -> None:
        """Count a request a ``hold`` fault keeps."""
        self.held += 1
        self._held_changed.set()

    def hold_ended(self) -> None:
        """Count a held request answered."""
        self.held -= 1

    async def wait_held(self, count: int = 1) -> None:
        """Return once ``count`` requests are held."""
        while self.held < count:
            self._held_changed.clear()
            await self._held_changed.wait()

    def add(
        self,
        kind: str,
        *,
        count: int | None = None,
        path: str | None = None,
        delay: float = 5.0,
        status: int = 1,
    ) -> Fault:
        """Add a fault; see ``Simulator.fault``."""
        if kind not in FAULT_KINDS:
            raise ValueError(
                f"unknown fault kind {kind!r}; one of {sorted(FAULT_KINDS)}"
            )
        if count is not None and count < 1:
            raise ValueError("count must be a positive number or None")
        if delay < 0:
            raise ValueError("delay must not be negative")
        fault = Fault(kind, count, normalise_prefix(path), float(delay), int(status))
        self.faults.append(fault)
        if kind == "hold":
            self._holds.append(fault)
        return fault

    def release(self) -> None:
        """Send every held answer now."""
        for fault in self._holds:
            fault.release()
        self._holds.clear()

    def clear(self) -> None:
        """Remove every fault and send every held answer."""
        self.faults.clear()
        self.release()

    def take(self, api_path: str) -> Fault | None:
        """Return the fault for this request, using up one of its count."""
        for fault in self.faults:
            if fault.matches(api_path):
                if fault.count is not None:
                    fault.count -= 1
                    if fault.count <= 0:
                        self.faults.remove(fault)
                return fault
        return None
