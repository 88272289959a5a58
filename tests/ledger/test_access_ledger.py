"""The access ledger on its own: plain calls, times as numbers, no Home Assistant."""

from __future__ import annotations

import ast
from datetime import UTC, datetime, timedelta
import json
from pathlib import Path
import sys
from typing import Any

import pytest

import custom_components.acs_bridge as integration
from custom_components.acs_bridge.adapters import (
    AccessEvent,
    AccessMethod,
    AccessReason,
    Direction,
    SourceEvent,
)
from custom_components.acs_bridge.adapters.ax_bs_http import ledger as access_ledger
from custom_components.acs_bridge.adapters.ax_bs_http.ledger import (
    DELIVERED_KEYS_MAX,
    RECONCILE_SECONDS,
    SEEN_SECONDS,
    AccessLedger,
    match_key,
)
from custom_components.acs_bridge.delivered import (
    DISPATCHER_FIELDS,
    AccessEventType,
    DeliveredAccess,
    access_event_type,
)
from tests.adapters.test_spec_payloads import RECORD_29

EN_JSON = Path(integration.__file__).parent / "translations" / "en.json"
NOW = datetime(2026, 11, 29, 9, 30, 0, tzinfo=UTC)
REPLAY = timedelta(minutes=10)


def swipe_time(second: int) -> datetime:
    return NOW - timedelta(minutes=1) + timedelta(seconds=second, microseconds=250)


def event(event_id: int, card: str = "1001", second: int = 0, **kw: Any) -> AccessEvent:
    return AccessEvent(
        event_id=event_id,
        time=kw.pop("time", swipe_time(second)),
        name="外部刷卡开门",
        door_id=kw.pop("door_id", "d1"),
        card_no=card,
        **kw,
    )


def record(
    record_id: int, card: str = "1001", second: int = 0, **kw: Any
) -> AccessEvent:
    return AccessEvent(
        record_id=record_id,
        time=kw.pop("time", swipe_time(second)),
        name="外部刷卡开门",
        door_id=kw.pop("door_id", "d1"),
        card_no=card,
        **kw,
    )


class Changes:
    """Count the ledger's change notifications."""

    def __init__(self) -> None:
        self.count = 0

    def __call__(self) -> None:
        self.count += 1


@pytest.fixture
def changes() -> Changes:
    return Changes()


@pytest.fixture
def ledger(changes: Changes) -> AccessLedger:
    """A ledger following the records after 100, nothing delivered yet."""
    ledger = AccessLedger(cache_seconds=2.0, replay=REPLAY, on_change=changes)
    ledger.set_cursor(100)
    return ledger


def cards(deliveries: list[SourceEvent]) -> list[str | None]:
    return [d.event.card_no for d in deliveries]


# --- imports -------------------------------------------------------------------


def test_imports_only_the_standard_library_and_the_adapters() -> None:
    """The ledger stands without Home Assistant (and without the rest of the integration)."""
    path = Path(access_ledger.__file__)
    tree = ast.parse(path.read_text(encoding="utf-8"))
    outside: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                if node.level > 2 or node.module not in {"events", "models"}:
                    outside.add("." * node.level + (node.module or ""))
                continue
            names = [node.module or ""]
        else:
            continue
        outside.update(
            name for name in names if name.split(".")[0] not in sys.stdlib_module_names
        )
    assert outside == set()


# --- real time -----------------------------------------------------------------


def test_realtime_delivers_each_event_once(ledger: AccessLedger) -> None:
    """The cache repeats an event for a couple of seconds: it is delivered once."""
    first = ledger.realtime_batch([event(2, "b", 1), event(1, "a")], 10.0)
    assert cards(first) == ["a", "b"]
    assert not any(d.replayed for d in first)
    again = ledger.realtime_batch(
        [event(1, "a"), event(2, "b", 1), event(3, "c", 2)], 11.0
    )
    assert cards(again) == ["c"]
    assert ledger.realtime_batch([], 12.0) == []


def test_reused_event_id_means_the_server_restarted(ledger: AccessLedger) -> None:
    """A known id with another swipe is a new event, and the records are read now."""
    ledger.realtime_batch([event(1, "a"), event(2, "b")], 10.0)
    ledger.reconcile_due = False
    assert cards(ledger.realtime_batch([event(1, "c", 5)], 11.0)) == ["c"]
    assert ledger.reconcile_due


def test_lower_event_ids_mean_the_server_restarted(ledger: AccessLedger) -> None:
    ledger.realtime_batch([event(7, "a")], 10.0)
    ledger.reconcile_due = False
    ledger.realtime_batch([event(3, "b", 1)], 11.0)
    assert ledger.reconcile_due


def test_failed_or_late_poll_reads_the_records(ledger: AccessLedger) -> None:
    ledger.realtime_batch([], 10.0)
    ledger.reconcile_due = False
    ledger.realtime_batch([], 12.0)  # within the cache's 2 s
    assert not ledger.reconcile_due
    ledger.realtime_batch([], 14.5)  # later than the cache keeps events
    assert ledger.reconcile_due
    ledger.reconcile_due = False
    ledger.realtime_failed(20.0)
    assert ledger.reconcile_due


def test_event_ids_are_forgotten_after_a_while(ledger: AccessLedger) -> None:
    """Ids are kept far longer than the cache keeps an event, then forgotten."""
    ledger.realtime_batch([event(1, "a")], 10.0)
    assert ledger.realtime_batch([event(1, "a")], 10.0 + SEEN_SECONDS - 1) == []
    later = 10.0 + 2 * SEEN_SECONDS + 1
    assert cards(ledger.realtime_batch([event(1, "a")], later)) == ["a"]


# --- records -------------------------------------------------------------------


def test_matched_record_is_not_delivered_again(ledger: AccessLedger) -> None:
    """A record of a swipe real time delivered is dropped; the cursor passes it."""
    ledger.realtime_batch([event(1, "a")], 10.0)
    assert ledger.record_batch([record(101, "a")], 10.5) == []
    assert ledger.held_records == 1
    assert ledger.realtime_batch([], 11.0) == []
    assert ledger.held_records == 0
    assert ledger.cursor == 101


def test_missed_record_is_replayed_after_the_next_poll(ledger: AccessLedger) -> None:
    """A record is declared missed only by a poll that started after it was read."""
    ledger.record_batch([record(101, "a")], 10.5)
    # This poll started before the record was read: it proves nothing.
    assert ledger.realtime_batch([], 10.0) == []
    assert ledger.held_records == 1
    assert ledger.cursor == 100
    replayed = ledger.realtime_batch([], 11.0)
    assert cards(replayed) == ["a"]
    assert replayed[0].replayed
    assert replayed[0].event.record_id == 101
    assert ledger.cursor == 101


def test_swipe_seen_live_after_its_record_was_read(ledger: AccessLedger) -> None:
    """Real time may deliver a swipe after its record was read: it still matches."""
    ledger.record_batch([record(101, "a")], 10.0)
    delivered = ledger.realtime_batch([event(1, "a")], 11.0)
    assert cards(delivered) == ["a"]
    assert not delivered[0].replayed


def test_cursor_stops_at_the_first_record_still_held(ledger: AccessLedger) -> None:
    ledger.record_batch([record(101, "a")], 10.0)
    ledger.record_batch([record(102, "b", 1)], 12.0)
    assert ledger.read_after == 102
    assert cards(ledger.release_due(11.0)) == ["a"]
    assert ledger.cursor == 101
    assert cards(ledger.release_due(12.0)) == ["b"]
    assert ledger.cursor == 102


def test_records_up_to_the_cursor_are_ignored(ledger: AccessLedger) -> None:
    ledger.record_batch([record(99, "x"), record(100, "y"), record(101, "a")], 10.0)
    assert cards(ledger.release_due(10.0)) == ["a"]


def test_records_older_than_the_replay_window(ledger: AccessLedger) -> None:
    """Too old to replay: returned to be reported, never delivered, cursor past them.

    Older, that is, than the newest time the server reported, in the first
    read after a gap (here: the first read).
    """
    old = record(101, "a", time=swipe_time(0) - REPLAY - timedelta(seconds=1))
    recent = record(102, "b")
    assert ledger.record_batch([old, recent], 10.0) == [old]
    assert ledger.cursor == 101
    assert cards(ledger.release_due(10.0)) == ["b"]
    assert ledger.cursor == 102


def test_when_the_records_are_read(ledger: AccessLedger) -> None:
    """At once after a gap, else every RECONCILE_SECONDS."""
    assert ledger.records_due(0.0)
    assert ledger.records_reading(5.0) is True  # fills a gap
    ledger.record_batch([], 5.0)
    assert not ledger.records_due(5.0 + RECONCILE_SECONDS - 1)
    assert ledger.records_due(5.0 + RECONCILE_SECONDS)
    assert ledger.records_reading(20.0) is False
    ledger.records_failed()
    assert ledger.records_due(20.0)


def test_record_ids_starting_over(ledger: AccessLedger) -> None:
    """An empty read after swipes may mean a restored database; a lower newest id says so."""
    assert not ledger.may_have_started_over(after_gap=False)
    assert ledger.may_have_started_over(after_gap=True)
    ledger.record_batch([record(101, "a"), record(102, "b", 1)], 10.0)
    ledger.realtime_batch([event(1, "c", 5)], 9.0)
    assert ledger.may_have_started_over(after_gap=False)
    assert ledger.read_after == 102
    assert not ledger.records_started_over(102)
    assert ledger.held_records == 2
    assert ledger.records_started_over(3)
    assert ledger.held_records == 0
    ledger.set_cursor(1)
    assert (ledger.cursor, ledger.read_after) == (1, 1)
    ledger.record_batch([], 11.0)
    assert not ledger.may_have_started_over(after_gap=False)


# --- state ---------------------------------------------------------------------


def test_snapshot_and_restore_across_a_restart(changes: Changes) -> None:
    """After a restart, what the cache still holds is not delivered twice."""
    before = AccessLedger(cache_seconds=2.0, replay=REPLAY, on_change=changes)
    before.set_cursor(100)
    before.realtime_batch([event(1, "a"), event(2, "b", 1)], 10.0)
    before.record_batch([record(101, "a")], 10.0)
    before.release_due(11.0)
    snapshot = before.snapshot(12.0, 1_000_000.0)
    key_a, key_b = match_key(event(1, "a")), match_key(event(2, "b", 1))
    assert snapshot == {
        "cursor": 101,
        "unmatched": [list(key_b)],
        "delivered_at": [999_998.0],
        "seen": [[1, *key_a, 999_998.0], [2, *key_b, 999_998.0]],
    }

    after = AccessLedger(cache_seconds=2.0, replay=REPLAY)
    after.restore(snapshot, 0.0, 1_000_000.5)
    assert after.cursor == 101
    assert after.snapshot(0.0, 1_000_000.5) == snapshot
    # The cache still has b (delivered before the restart) and a new swipe c.
    assert cards(after.realtime_batch([event(2, "b", 1), event(3, "c", 2)], 0.5)) == [
        "c"
    ]
    # b's record matches the delivery from before the restart.
    after.record_batch([record(102, "b", 1)], 1.0)
    assert after.release_due(1.5) == []
    assert after.cursor == 102


def test_matched_swipe_still_in_the_cache_after_a_restart() -> None:
    """A swipe whose record already matched it is not delivered again after a restart.

    The record read and the proving poll may both come within the cache's 2 s
    before Home Assistant restarts: the cache still holds the swipe then.
    """
    before = AccessLedger(cache_seconds=2.0, replay=REPLAY)
    before.set_cursor(100)
    before.realtime_batch([event(1, "a")], 10.0)
    before.record_batch([record(101, "a")], 10.2)
    assert before.realtime_batch([event(1, "a")], 10.4) == []  # matched
    snapshot = before.snapshot(10.5, 1_000_000.0)
    assert snapshot["unmatched"] == []  # a's record matched it: no delivery kept
    after = AccessLedger(cache_seconds=2.0, replay=REPLAY)
    after.restore(snapshot, 0.0, 1_000_001.0)
    assert after.realtime_batch([event(1, "a"), event(2, "b", 1)], 0.5) == [
        SourceEvent(event(2, "b", 1))
    ]


def test_restore_of_nothing() -> None:
    ledger = AccessLedger(cache_seconds=2.0, replay=REPLAY)
    ledger.restore({})
    assert ledger.cursor is None
    assert ledger.snapshot() == {
        "cursor": None,
        "unmatched": [],
        "delivered_at": [],
        "seen": [],
    }
    ledger.set_cursor(None)
    assert ledger.cursor == 0


def test_delivered_keys_are_bounded(ledger: AccessLedger) -> None:
    events = [event(i, str(i)) for i in range(1, DELIVERED_KEYS_MAX + 11)]
    assert len(ledger.realtime_batch(events, 10.0)) == DELIVERED_KEYS_MAX + 10
    unmatched = ledger.snapshot()["unmatched"]
    assert len(unmatched) == DELIVERED_KEYS_MAX
    assert unmatched[0] == list(match_key(events[10]))


def test_two_swipes_in_one_second(ledger: AccessLedger) -> None:
    """Two live swipes with the same door, card and second match two records."""
    assert len(ledger.realtime_batch([event(1, "a"), event(2, "a")], 10.0)) == 2
    ledger.record_batch([record(101, "a"), record(102, "a"), record(103, "a")], 10.0)
    replayed = ledger.release_due(10.0)
    assert [d.event.record_id for d in replayed] == [103]


def test_oldest_keys_go_first_matched_or_not(ledger: AccessLedger) -> None:
    """Past the bound the oldest deliveries are forgotten, one occurrence at a time."""
    twice = [event(1, "twice"), event(2, "twice")]
    matched = event(3, "matched", 1)
    ledger.realtime_batch([*twice, matched], 10.0)
    ledger.record_batch([record(101, "matched", 1)], 10.0)
    assert ledger.release_due(10.0) == []
    keys = ledger.snapshot()["unmatched"]
    assert keys == [list(match_key(twice[0]))] * 2
    others = [event(10 + i, str(i)) for i in range(DELIVERED_KEYS_MAX - 2)]
    ledger.realtime_batch(others, 11.0)
    # One occurrence of "twice" was pushed out, the other is still unmatched.
    assert ledger.snapshot()["unmatched"][0] == list(match_key(twice[0]))
    ledger.realtime_batch([event(9000, "last")], 12.0)
    ledger.realtime_batch([event(9001, "last", 1)], 12.5)
    unmatched = ledger.snapshot()["unmatched"]
    assert list(match_key(twice[0])) not in unmatched
    assert list(match_key(matched)) not in unmatched
    assert len(unmatched) == DELIVERED_KEYS_MAX


def test_every_change_is_announced(ledger: AccessLedger, changes: Changes) -> None:
    """Deliveries and cursor moves tell the owner to store the snapshot."""
    start = changes.count
    ledger.realtime_batch([event(1, "a")], 10.0)
    assert changes.count == start + 1
    ledger.realtime_batch([event(1, "a")], 10.5)
    assert changes.count == start + 1
    ledger.record_batch([record(101, "z")], 11.0)
    ledger.release_due(11.0)
    assert changes.count == start + 2


# --- the delivered shape -------------------------------------------------------


@pytest.mark.parametrize(
    ("reason", "is_alarm", "expected"),
    [
        (AccessReason.GRANTED, False, AccessEventType.GRANTED),
        (AccessReason.GRANTED, True, AccessEventType.ALARM),
        (AccessReason.CARD_NOT_FOUND, False, AccessEventType.DENIED),
        (AccessReason.CARD_NOT_FOUND, True, AccessEventType.DENIED),
    ],
)
def test_event_type(reason: AccessReason, is_alarm: bool, expected: str) -> None:
    """The entity's event type; the same from the bus data (the logbook's way)."""
    delivered = DeliveredAccess(event(1, reason=reason, is_alarm=is_alarm))
    assert delivered.event_type == expected
    data = delivered.bus_data(
        entry_id="e", device_id=None, entity_id=None, door_name=None
    )
    assert access_event_type(data["reason"], data["is_alarm"]) == expected
    assert data["granted"] is (expected == AccessEventType.GRANTED)


def test_bus_data_of_a_live_event() -> None:
    live = DeliveredAccess(
        event(
            42,
            "17435103",
            controller_id="c1",
            event_code=3,
            reason_code=0,
            user_no="007",
            user_name="张三",
            org_name="研发部",
            direction=Direction.IN,
            method=AccessMethod.CARD,
        )
    )
    data = live.bus_data(
        entry_id="entry",
        device_id="dev",
        entity_id="event.dong_men_access",
        door_name="东门",
    )
    assert data == {
        "entry_id": "entry",
        "device_id": "dev",
        "entity_id": "event.dong_men_access",
        "door_id": "d1",
        "door_name": "东门",
        "controller_id": "c1",
        "event_id": 42,
        "record_id": None,
        "time": "2026-11-29T09:29:00.000250+00:00",
        "code": 3,
        "name": "外部刷卡开门",
        "granted": True,
        "reason": "granted",
        "reason_code": 0,
        "method": "card",
        "card_no": "17435103",
        "user_no": "007",
        "user_name": "张三",
        "org_name": "研发部",
        "direction": "in",
        "is_alarm": False,
        "forced": False,
        "replayed": False,
    }
    assert live.dispatcher_payload() == {key: data[key] for key in DISPATCHER_FIELDS}
    # Each is an attribute of the event entity, with its name translated.
    translations = json.loads(EN_JSON.read_text(encoding="utf-8"))
    attributes = translations["entity"]["event"]["access"]["state_attributes"]
    assert set(DISPATCHER_FIELDS) == set(attributes) - {"event_type"}


def test_bus_data_of_a_replayed_record() -> None:
    """A record has no real-time id: event_id is null, record_id set, replayed true."""
    stored = record(
        7,
        "1",
        event_code=25,
        forced=True,
        is_alarm=True,
        reason=AccessReason.NO_PERMISSION,
        reason_code=102,
        time=None,
    )
    data = DeliveredAccess(stored, replayed=True).bus_data(
        entry_id="entry", device_id=None, entity_id=None, door_name=None
    )
    assert (data["event_id"], data["record_id"]) == (None, 7)
    assert (data["time"], data["direction"], data["code"]) == (None, None, 25)
    assert (data["forced"], data["replayed"], data["granted"]) == (True, True, False)
    assert (data["reason"], data["reason_code"]) == ("no_permission", 102)


def test_a_record_is_an_event_with_its_record_id() -> None:
    """One shape: a record is an access event with a record id and no live id."""
    assert RECORD_29.record_id is not None
    assert RECORD_29.event_id is None
    assert RECORD_29.key.startswith(f"r{RECORD_29.record_id}|")
    assert match_key(RECORD_29) == (
        RECORD_29.door_id,
        RECORD_29.card_no,
        "2019-04-04T18:52:46+08:00",
    )


# --- the age of a record (issue 10, item 2) --------------------------------------


def test_a_record_read_in_time_is_never_too_old(ledger: AccessLedger) -> None:
    """A record that appears in a read soon after the last one is new, whatever its time."""
    ledger.record_batch([record(101, "a")], 10.0)
    assert ledger.release_due(10.0)
    skewed = record(102, "b", time=swipe_time(0) - 2 * REPLAY)
    assert ledger.record_batch([skewed], 20.0) == []
    assert cards(ledger.release_due(20.0)) == ["b"]


def test_age_by_the_servers_own_clock(ledger: AccessLedger) -> None:
    """After a gap, ages count from the newest time the server reported, not ours."""
    hours_behind = timedelta(hours=5)
    ledger.realtime_batch(
        [event(1, "live", 30, time=swipe_time(30) - hours_behind)], 9.0
    )
    recent = record(101, "b", time=swipe_time(0) - hours_behind)
    old = record(102, "c", time=swipe_time(0) - hours_behind - REPLAY)
    assert ledger.record_batch([recent, old], 10.0) == [old]
    assert cards(ledger.release_due(10.0)) == ["b"]


def test_a_live_match_comes_before_the_age_cut(ledger: AccessLedger) -> None:
    """A record of a swipe delivered live is matched, not reported as too old."""
    ledger.realtime_batch([event(1, "a")], 9.0)
    newer = record(102, "b", time=swipe_time(0) + REPLAY + timedelta(minutes=1))
    assert ledger.record_batch([record(101, "a"), newer], 10.0) == []
    assert cards(ledger.release_due(10.0)) == ["b"]
    assert ledger.cursor == 102


def test_the_repeated_hour_when_clocks_go_back() -> None:
    """02:55 after the change (read as 02:55 before it) is 7 minutes old, not 67."""
    from zoneinfo import ZoneInfo

    berlin = ZoneInfo("Europe/Berlin")
    ledger = AccessLedger(cache_seconds=2.0, replay=REPLAY)
    ledger.set_cursor(100)
    # A naive 02:55 on 2026-10-25 is parsed as summer time (fold 0), as the
    # adapter does; it really is the second 02:55, in winter time.
    repeated = record(101, "a", time=datetime(2026, 10, 25, 2, 55, tzinfo=berlin))
    newest = record(102, "b", time=datetime(2026, 10, 25, 3, 2, tzinfo=berlin))
    assert ledger.record_batch([repeated, newest], 10.0) == []
    assert cards(ledger.release_due(10.0)) == ["a", "b"]


# --- records without the live feed (issue 10, item 3) --------------------------


def test_records_released_while_the_live_feed_keeps_failing(
    ledger: AccessLedger,
) -> None:
    """Held records are released once the cache cannot have them any more."""
    ledger.record_batch([record(101, "a")], 10.0)
    assert ledger.realtime_failed(11.0) == []  # the cache may still hold it
    assert ledger.held_records == 1
    released = ledger.realtime_failed(12.5)
    assert cards(released) == ["a"]
    assert released[0].replayed
    assert ledger.cursor == 101


def test_held_records_are_bounded(ledger: AccessLedger) -> None:
    """Past the bound the oldest are released at the next poll: none is dropped."""
    from custom_components.acs_bridge.adapters.ax_bs_http.ledger import HELD_RECORDS_MAX

    many = [record(101 + i, str(i)) for i in range(HELD_RECORDS_MAX + 3)]
    ledger.record_batch(many, 10.0)
    assert ledger.held_records == HELD_RECORDS_MAX + 3
    assert cards(ledger.release_due(9.0)) == ["0", "1", "2"]
    assert ledger.held_records == HELD_RECORDS_MAX
    assert ledger.cursor == 103
    assert len(ledger.release_due(10.0)) == HELD_RECORDS_MAX


# --- exactly once across reloads (issue 10, item 4) ----------------------------


def test_a_matched_delivery_still_in_the_cache_is_not_repeated() -> None:
    """Its record matched before the reload; the cache still shows it after."""
    before = AccessLedger(cache_seconds=2.0, replay=REPLAY)
    before.set_cursor(100)
    assert cards(before.realtime_batch([event(1, "a")], 10.0)) == ["a"]
    before.record_batch([record(101, "a")], 10.2)
    assert before.realtime_batch([event(1, "a")], 10.5) == []
    assert before.snapshot(10.6, 5000.0)["unmatched"] == []

    after = AccessLedger(cache_seconds=2.0, replay=REPLAY)
    after.restore(before.snapshot(10.6, 5000.0), 3.0, 5000.4)
    assert cards(after.realtime_batch([event(1, "a"), event(2, "b", 1)], 3.1)) == ["b"]
    assert cards(after.realtime_batch([event(1, "a"), event(2, "b", 1)], 3.5)) == []


def test_a_long_records_outage_keeps_every_delivery(ledger: AccessLedger) -> None:
    """More deliveries than the old bound of 5000, records unread: none replayed."""
    events = [event(i, str(i)) for i in range(1, 6001)]
    assert len(ledger.realtime_batch(events, 10.0)) == 6000
    ledger.record_batch([record(100 + i, str(i)) for i in range(1, 6001)], 900.0)
    assert ledger.release_due(901.0) == []
    assert ledger.cursor == 6100


def test_deliveries_are_forgotten_by_age_once_the_records_were_read(
    ledger: AccessLedger,
) -> None:
    ledger.realtime_batch([event(1, "a")], 10.0)
    ledger.record_batch([], 20.0)
    replay = REPLAY.total_seconds()
    ledger.realtime_batch([], 10.0 + replay - 1)
    assert ledger.snapshot()["unmatched"] == [list(match_key(event(1, "a")))]
    ledger.realtime_batch([], 10.0 + replay + 1)
    assert ledger.snapshot()["unmatched"] == []


def test_restore_of_the_old_format() -> None:
    """A store written by an older version: cursor and unmatched keys, no times."""
    key = list(match_key(event(1, "a")))
    ledger = AccessLedger(cache_seconds=2.0, replay=REPLAY)
    ledger.restore({"cursor": 7, "unmatched": [key]}, 50.0, 9000.0)
    assert ledger.cursor == 7
    assert ledger.realtime_batch([event(1, "a")], 50.5) == []
    assert ledger.snapshot(51.0, 9001.0)["delivered_at"] == [9000.0]
