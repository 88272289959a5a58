"""Injected faults: which requests misbehave, and how."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

FAULT_KINDS = frozenset(
    {"http500", "malformed_json", "html", "slow", "timeout", "drop", "status", "hold"}
)


@dataclass(slots=True, eq=False)
class Fault:
    """A fault for the next ``count`` matching requests (None: until cleared)."""

    kind: str
    count: int | None = None
    path: str | None = None
    delay: float = 5.0
    status: int = 1

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
        #: Set by ``release_held``: the requests a ``hold`` fault keeps are answered.
        self.released = asyncio.Event()
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
        return fault

    def clear(self) -> None:
        """Remove every fault."""
        self.faults.clear()

    def release_held(self) -> None:
        """Answer the requests held by ``hold`` faults (normally); new ones wait again."""
        self.released.set()
        self.released = asyncio.Event()

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
