"""Exactly-once, gap-free delivery by serial number: the pure replay logic."""

from __future__ import annotations

from datetime import datetime, timedelta
import random

from custom_components.acs_bridge.adapters.hikvision_isapi.models import IsapiEvent
from custom_components.acs_bridge.adapters.hikvision_isapi.replay import (
    GapNotice,
    ReplayStep,
    SerialReplay,
    SerialRestartNotice,
)

T0 = datetime.fromisoformat("2024-05-01T10:00:00+08:00")


def ev(
    serial: int | None,
    *,
    current: bool | None = True,
    minor: int = 1,
    major: int = 5,
    at: int | None = None,
) -> IsapiEvent:
    seconds = at if at is not None else (serial or 0)
    return IsapiEvent(
        major=major,
        minor=minor,
        serial_no=serial,
        time=T0 + timedelta(seconds=seconds),
        current_event=current,
    )


def serials(step: ReplayStep) -> list[int | None]:
    return [d.event.serial_no for d in step.deliveries]


def test_live_events_in_order_once() -> None:
    replay = SerialReplay(10)
    assert serials(replay.stream_event(ev(11))) == [11]
    assert serials(replay.stream_event(ev(11))) == []  # the same event again
    assert serials(replay.stream_event(ev(12))) == [12]
    assert replay.last_serial == 12
    assert not replay.stream_event(ev(12)).deliveries


def test_first_run_without_cursor_delivers_from_the_first_event() -> None:
    replay = SerialReplay()
    replay.connected()
    assert replay.search_from is None
    assert replay.stream_event(ev(500)).deliveries == ()
    step = replay.caught_up()
    assert serials(step) == [500]
    assert step.notices == ()
    assert serials(replay.stream_event(ev(501))) == [501]


def test_history_resent_on_connect_is_never_live() -> None:
    replay = SerialReplay(100)
    replay.connected()
    for serial in range(1, 106):  # a whole-log dump, some of it new to us
        replay.stream_event(ev(serial, current=False))
    replay.stream_event(ev(106))  # live, held during the catch-up
    replay.search_events([ev(s, current=None) for s in range(101, 106)])
    step = replay.caught_up()
    assert serials(step) == [101, 102, 103, 104, 105, 106]
    assert [d.replayed for d in step.deliveries] == [True] * 5 + [False]
    assert not replay.stream_event(ev(50, current=False)).deliveries


def test_our_subscription_events_are_consumed_not_delivered() -> None:
    replay = SerialReplay(10)
    assert serials(replay.stream_event(ev(11, major=3, minor=121))) == []
    assert replay.last_serial == 11
    assert serials(replay.stream_event(ev(12))) == [12]  # no hole: 11 was consumed
    replay.connected()
    replay.search_events([ev(13, major=3, minor=122), ev(14)])
    assert serials(replay.caught_up()) == [14]


def test_live_events_during_the_search_are_held_and_released_in_order() -> None:
    replay = SerialReplay(100)
    replay.connected()
    for serial in (108, 110, 109):
        assert replay.stream_event(ev(serial)).deliveries == ()
    replay.search_events(
        [ev(s, current=None) for s in (104, 101, 103, 102, 105, 106, 107, 108)]
    )
    step = replay.caught_up()
    assert serials(step) == list(range(101, 111))
    assert {d.event.serial_no: d.replayed for d in step.deliveries}[108] is False
    assert step.notices == ()
    assert not replay.catching_up


def test_wrapped_log_reports_the_gap() -> None:
    replay = SerialReplay(100)
    replay.connected()
    replay.search_events([ev(s, current=None) for s in range(151, 155)])
    step = replay.caught_up()
    assert serials(step) == [151, 152, 153, 154]
    assert step.notices == (GapNotice(100, 151),)
    assert step.notices[0].lost == 50


def test_live_hole_asks_for_a_search_and_fills_it() -> None:
    replay = SerialReplay(10)
    step = replay.stream_event(ev(13))
    assert step.search_needed
    assert step.deliveries == ()
    assert replay.catching_up
    assert replay.search_from == 10
    replay.search_events(
        [ev(11, current=None), ev(12, current=None), ev(13, current=None)]
    )
    step = replay.caught_up()
    assert serials(step) == [11, 12, 13]
    assert [d.replayed for d in step.deliveries] == [True, True, False]
    assert step.notices == ()


def test_live_hole_without_filling() -> None:
    replay = SerialReplay(10, fill_live_holes=False)
    assert serials(replay.stream_event(ev(13))) == [13]


def test_serial_restart_from_a_live_event_keeps_delivering() -> None:
    replay = SerialReplay(5000, T0 + timedelta(seconds=5000))
    step = replay.stream_event(ev(1, at=6000))
    assert serials(step) == [1]
    assert step.notices == (SerialRestartNotice(5000, 1),)
    assert serials(replay.stream_event(ev(2, at=6001))) == [2]


def test_serial_restart_with_a_wrong_clock_after_reset() -> None:
    """A reset device may also have lost its clock: a current event still counts.

    Serials 1 and 2 of the new numbering came while the stream was down: the
    step asks for a search from 0, which replays them before 3.
    """
    replay = SerialReplay(5000, T0 + timedelta(days=400))
    step = replay.stream_event(ev(3, at=0))
    assert step.deliveries == ()
    assert step.notices == (SerialRestartNotice(5000, 3),)
    assert step.search_needed
    assert replay.search_from == 0
    replay.search_events([ev(s, current=None, at=s - 3) for s in (1, 2, 3)])
    step = replay.caught_up()
    assert [(d.event.serial_no, d.replayed) for d in step.deliveries] == [
        (1, True),
        (2, True),
        (3, False),
    ]
    assert step.notices == ()
    assert serials(replay.stream_event(ev(4, at=1))) == [4]


def test_serial_restart_found_in_the_catch_up_searches_from_the_start() -> None:
    """A restart first seen among held live events (a serial-range search after
    the old cursor found nothing) asks for a search of the new numbering."""
    replay = SerialReplay(40, T0 + timedelta(seconds=40))
    replay.connected()
    replay.stream_event(ev(4, at=100))  # held; serials 1-3 were logged meanwhile
    replay.search_events([])
    step = replay.caught_up()
    assert step.search_needed
    assert step.notices == (SerialRestartNotice(40, 4),)
    assert replay.catching_up
    replay.search_events([ev(s, current=None, at=96 + s) for s in range(1, 5)])
    step = replay.caught_up()
    assert [(d.event.serial_no, d.replayed) for d in step.deliveries] == [
        (1, True),
        (2, True),
        (3, True),
        (4, False),
    ]
    assert not replay.catching_up


def test_serial_restart_found_by_the_search() -> None:
    replay = SerialReplay(40, T0 + timedelta(seconds=40))
    replay.connected()
    replay.search_events([ev(1, current=None, at=100), ev(2, current=None, at=101)])
    step = replay.caught_up()
    assert serials(step) == [1, 2]
    assert step.notices == (SerialRestartNotice(40, 1),)


def test_reused_serial_with_another_code_is_a_restart() -> None:
    replay = SerialReplay(0)
    for serial in range(1, 6):
        replay.stream_event(ev(serial))
    step = replay.stream_event(ev(3, minor=75, current=None, at=3))
    assert step.notices == (SerialRestartNotice(5, 3),)
    assert step.search_needed  # serials 1 and 2 of the new numbering
    replay.search_events([ev(s, minor=75, current=None, at=s) for s in (1, 2, 3)])
    assert serials(replay.caught_up()) == [1, 2, 3]


def test_old_search_results_are_duplicates_not_restarts() -> None:
    """A time-window search (no serial range) returns events already delivered."""
    replay = SerialReplay.from_dict(
        {"last_serial": 20, "last_time": (T0 + timedelta(seconds=20)).isoformat()}
    )
    replay.connected()
    replay.search_events([ev(s, current=None) for s in range(5, 24)])
    step = replay.caught_up()
    assert serials(step) == [21, 22, 23]
    assert step.notices == ()


def test_events_without_serial_are_delivered() -> None:
    replay = SerialReplay(1)
    assert serials(replay.stream_event(ev(None))) == [None]
    replay.connected()
    replay.stream_event(ev(None))
    assert serials(replay.caught_up()) == [None]


def test_state_round_trip_and_bad_state() -> None:
    replay = SerialReplay(7)
    replay.stream_event(ev(8))
    again = SerialReplay.from_dict(replay.to_dict())
    assert again.last_serial == 8
    assert again.to_dict() == replay.to_dict()
    assert (
        SerialReplay.from_dict({"last_serial": "8", "last_time": "x"}).last_serial
        is None
    )
    assert SerialReplay.from_dict(None).last_serial is None


def test_random_interleavings_deliver_each_serial_once_in_order() -> None:
    """Property: outages at random points, live events during catch-up, duplicates,
    history dumps. Every serial the device logged is delivered exactly once, in
    increasing order, whatever the interleaving."""
    rng = random.Random(20240501)
    for _ in range(300):
        log: list[IsapiEvent] = []
        replay = SerialReplay(0)
        delivered: list[int] = []
        connected = True
        stream_queue: list[IsapiEvent] = []

        def take(
            step: ReplayStep,
            replay: SerialReplay = replay,
            log: list[IsapiEvent] = log,
            delivered: list[int] = delivered,
        ) -> None:
            delivered.extend(d.event.serial_no for d in step.deliveries)
            if step.search_needed:
                replay.search_events(e for e in log if e.serial_no > replay.search_from)
                delivered.extend(
                    d.event.serial_no for d in replay.caught_up().deliveries
                )

        for _ in range(rng.randint(5, 60)):
            event = ev(len(log) + 1)
            log.append(event)
            roll = rng.random()
            if roll < 0.1 and connected:
                connected = False  # the stream drops: the event is not pushed
                continue
            if not connected and roll < 0.4:
                continue  # still down
            if not connected:
                connected = True
                replay.connected()
                for old in rng.sample(log, min(len(log), 3)):  # re-sent history
                    replay.stream_event(
                        IsapiEvent(
                            major=5,
                            minor=1,
                            serial_no=old.serial_no,
                            time=old.time,
                            current_event=False,
                        )
                    )
                replay.stream_event(event)  # live, during the catch-up
                replay.search_events(e for e in log if e.serial_no > replay.search_from)
                if rng.random() < 0.5:  # one more happens while the search runs
                    during = ev(len(log) + 1)
                    log.append(during)
                    replay.stream_event(during)
                take(replay.caught_up())
                continue
            if rng.random() < 0.2:
                stream_queue.append(event)  # delayed on the wire
                continue
            for queued in stream_queue:
                take(replay.stream_event(queued))
            stream_queue.clear()
            take(replay.stream_event(event))
            if rng.random() < 0.1:
                take(replay.stream_event(event))  # a duplicate push
        replay.connected()
        replay.search_events(e for e in log if e.serial_no > replay.search_from)
        take(replay.caught_up())
        assert delivered == [e.serial_no for e in log]
