"""Match the swipes made at the simulator with the bus events Home Assistant fired."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
import itertools
import math
from typing import Any


def percentile(values: Sequence[float], q: float) -> float | None:
    """Return the q-th percentile (0-100) by linear interpolation; None if empty."""
    if not values:
        return None
    ordered = sorted(values)
    if len(ordered) == 1:
        return ordered[0]
    rank = (len(ordered) - 1) * q / 100.0
    low = math.floor(rank)
    high = math.ceil(rank)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


def summary(values: Sequence[float]) -> dict[str, float | None]:
    """Return p50, p95, p99 and max of some seconds."""
    return {
        "p50": percentile(values, 50),
        "p95": percentile(values, 95),
        "p99": percentile(values, 99),
        "max": max(values) if values else None,
        "mean": sum(values) / len(values) if values else None,
    }


@dataclass
class Delivery:
    """What became of one swipe."""

    swipe: dict[str, Any]
    first: float | None = None
    replayed: bool = False
    copies: int = 0

    @property
    def latency(self) -> float | None:
        """Seconds from the swipe request to the first bus event."""
        return None if self.first is None else self.first - self.swipe["sent"]


@dataclass
class Matched:
    """Swipes with their deliveries, and the events that matched no swipe."""

    deliveries: list[Delivery]
    unmatched_events: list[dict[str, Any]] = field(default_factory=list)

    def phase(self, name: str) -> list[Delivery]:
        """Return the deliveries of one phase's swipes."""
        return [d for d in self.deliveries if d.swipe["phase"] == name]


def _key(item: dict[str, Any]) -> tuple[str, str, str]:
    return (str(item["door_id"]), str(item["card_no"]), str(item["time"]))


def match(
    swipes: Iterable[dict[str, Any]], events: Iterable[dict[str, Any]]
) -> Matched:
    """Pair each bus event with the swipe it reports.

    A real-time event carries the server's event id (which starts over when the
    server restarts) and the swipe's door, card and second: all four must agree.
    A replayed event carries the record id (which starts over when the server's
    database is restored) and the same door, card and second.
    The first event of a swipe delivers it; any further one is a duplicate.
    """
    deliveries = [Delivery(swipe) for swipe in swipes]
    by_event: dict[tuple[int, tuple[str, str, str]], list[Delivery]] = {}
    by_record: dict[tuple[int, tuple[str, str, str]], Delivery] = {}
    for delivery in deliveries:
        swipe = delivery.swipe
        by_event.setdefault((int(swipe["event_id"]), _key(swipe)), []).append(delivery)
        by_record[int(swipe["record_id"]), _key(swipe)] = delivery
    matched = Matched(deliveries)
    for event in sorted(events, key=lambda e: e["fired"]):
        target: Delivery | None = None
        if event.get("record_id") is not None:
            target = by_record.get((int(event["record_id"]), _key(event)))
        elif event.get("event_id") is not None:
            candidates = by_event.get((int(event["event_id"]), _key(event)), [])
            target = next((d for d in candidates if d.first is None), None)
            if target is None and candidates:
                target = candidates[0]
        if target is None:
            matched.unmatched_events.append(event)
            continue
        if target.first is None:
            target.first = event["fired"]
            target.replayed = bool(event.get("replayed"))
        else:
            target.copies += 1
    return matched


def delivery_stats(deliveries: Sequence[Delivery]) -> dict[str, Any]:
    """Return counts and latency figures of some deliveries."""
    latencies = [d.latency for d in deliveries if d.latency is not None]
    return {
        "swipes": len(deliveries),
        "delivered": len(latencies),
        "lost": sum(1 for d in deliveries if d.first is None),
        "duplicated": sum(d.copies for d in deliveries),
        "replayed": sum(1 for d in deliveries if d.first is not None and d.replayed),
        "latency": summary(latencies),
    }


def poll_stats(polls: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """Return the real-time polls' round trips, period and failures."""
    ok = [p["seconds"] for p in polls if p["ok"]]
    starts = sorted(p["start"] for p in polls)
    periods = [b - a for a, b in itertools.pairwise(starts)]
    return {
        "polls": len(polls),
        "failed": sum(1 for p in polls if not p["ok"]),
        "rtt": summary(ok),
        "period": summary(periods),
        "events_per_poll_max": max((p["events"] for p in polls), default=0),
    }
