"""Controllers, doors and areas kept through blips in the server's listings.

An access-control server sometimes answers a listing with nothing: status 102,
``data: null`` or an empty list, for one read. Taking that at its word would
remove every device, and with them the names, areas and entity ids a user gave
them. So an object the server stops listing is kept until it has been missing
from ``GONE_AFTER_READS`` reads in a row that span at least ``GONE_AFTER``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Final

GONE_AFTER_READS: Final = 3
GONE_AFTER: Final = timedelta(minutes=10)


@dataclass(slots=True)
class _Absence:
    """How long an object has been missing from the listings."""

    reads: int = 0
    since: datetime | None = None


class Keeper[K, T]:
    """The objects of one kind, kept until they have been gone long enough."""

    def __init__(self) -> None:
        """Start knowing nothing."""
        self._objects: dict[K, T] = {}
        self._absent: dict[K, _Absence] = {}

    def expect(self, keys: Iterable[K]) -> None:
        """Know of objects from before (their devices), not yet listed.

        They count as missing from the next read on, like a listed object that
        disappears; their devices stay until then.
        """
        for key in keys:
            if key not in self._objects:
                self._absent.setdefault(key, _Absence())

    def update(self, listed: Mapping[K, T], now: datetime) -> dict[K, T]:
        """Take one successful read; return the objects kept, listed ones first."""
        for key in listed:
            self._absent.pop(key, None)
        missing = (self._objects.keys() | self._absent.keys()) - listed.keys()
        for key in missing:
            absence = self._absent.setdefault(key, _Absence())
            absence.reads += 1
            if absence.since is None:
                absence.since = now
            if absence.reads >= GONE_AFTER_READS and now - absence.since >= GONE_AFTER:
                self.forget(key)
        kept = {key: obj for key, obj in self._objects.items() if key not in listed}
        self._objects = {**listed, **kept}
        return dict(self._objects)

    def forget(self, key: K) -> None:
        """Drop an object at once (its device was removed)."""
        self._objects.pop(key, None)
        self._absent.pop(key, None)

    @property
    def absent(self) -> frozenset[K]:
        """Return the objects the last read did not list (but still kept)."""
        return frozenset(self._absent)

    @property
    def kept(self) -> frozenset[K]:
        """Return every object kept: listed, or missing for too short a time."""
        return frozenset(self._objects.keys() | self._absent.keys())
