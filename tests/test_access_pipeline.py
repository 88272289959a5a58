"""Access events against the simulator: exactly once, gap-free, honest about lateness."""

from __future__ import annotations

import asyncio
from datetime import timedelta
import json
import time
from typing import Any
from unittest.mock import patch

from homeassistant.core import HomeAssistant
from homeassistant.helpers import device_registry as dr, issue_registry as ir
import pytest
from pytest_homeassistant_custom_component.common import async_capture_events

from custom_components.acs_bridge.const import EVENT_ACCESS

from .helpers import door_device, entity_id
from .sim_fixtures import SimSetup, poll


def swipe_keys(events: list[Any]) -> list[tuple[str, str, str]]:
    return sorted(
        (e.data["door_id"], e.data["card_no"], e.data["time"]) for e in events
    )


def sim_keys(swipes: list[Any]) -> list[tuple[str, str, str]]:
    return sorted(
        (s.door_id, s.card_no, s.time.replace(microsecond=0).isoformat())
        for s in swipes
    )


async def test_bus_event_fields(
    hass: HomeAssistant, sim_setup: SimSetup, device_registry: dr.DeviceRegistry
) -> None:
    """A granted and a denied swipe, each with every field of the bus event."""
    sim = sim_setup.sim
    events = async_capture_events(hass, EVENT_ACCESS)
    door = sim.site.doors[0]
    granted = sim.swipe(door.id, reader="outside")
    denied = sim.swipe(door.id, "99999999", reader="inside")
    await poll(hass, sim_setup)

    assert len(events) == 2
    first, second = (e.data for e in events)
    device = door_device(hass, sim_setup.entry.entry_id, door.id)
    assert device is not None
    assert set(first) == {
        "entry_id",
        "device_id",
        "entity_id",
        "door_id",
        "door_name",
        "controller_id",
        "event_id",
        "record_id",
        "time",
        "code",
        "name",
        "granted",
        "reason",
        "reason_code",
        "method",
        "card_no",
        "user_no",
        "user_name",
        "org_name",
        "direction",
        "is_alarm",
        "forced",
        "replayed",
    }
    assert first["method"] == second["method"] == "card"
    assert first["entry_id"] == sim_setup.entry.entry_id
    assert first["device_id"] == device.id
    assert first["entity_id"] == entity_id(
        hass, "event", f"door_{door.id}_access", sim_setup.entry.entry_id
    )
    assert first["door_id"] == door.id
    assert first["door_name"] == device.name
    assert first["controller_id"] == door.controller_id
    assert first["event_id"] == granted.event_id
    assert first["time"] == granted.time.replace(microsecond=0).isoformat()
    assert first["time"].endswith("+08:00")
    assert first["name"] == "外部刷卡开门"
    assert first["granted"] is True
    assert first["reason"] == "granted"
    assert first["reason_code"] == 0
    assert first["card_no"] == granted.card_no
    assert first["user_no"] == granted.user_no
    assert first["user_name"]
    assert first["direction"] == "in"
    assert first["is_alarm"] is False
    assert first["forced"] is False
    assert first["replayed"] is False

    assert second["event_id"] == denied.event_id
    assert second["granted"] is False
    assert second["reason"] == "card_not_found"
    assert second["reason_code"] == 100
    assert second["direction"] == "out"
    assert second["card_no"] == "99999999"


async def test_burst_exactly_once(hass: HomeAssistant, sim_setup: SimSetup) -> None:
    """A burst of 300 swipes, polled several times, arrives as 300 events."""
    sim = sim_setup.sim
    events = async_capture_events(hass, EVENT_ACCESS)
    swipes = sim.burst(300)
    await poll(hass, sim_setup, times=3)
    sim_setup.clock.advance(3)
    await poll(hass, sim_setup, times=2)
    # The records are read again at once: nothing is replayed twice.
    sim_setup.runtime.events.source.ledger.reconcile_due = True
    await poll(hass, sim_setup, times=2)

    assert len(events) == 300
    assert swipe_keys(events) == sim_keys(swipes)
    assert not any(e.data["replayed"] for e in events)
    assert len({e.data["event_id"] for e in events}) == 300


async def test_lost_poll_is_replayed(hass: HomeAssistant, sim_setup: SimSetup) -> None:
    """Swipes whose poll failed and that left the cache come from the records."""
    sim = sim_setup.sim
    events = async_capture_events(hass, EVENT_ACCESS)
    sim.fault("http500", count=1, path="acs/device/eventcache")
    swipes = sim.burst(5)
    await poll(hass, sim_setup)  # the real-time poll fails
    assert events == []
    sim_setup.clock.advance(3)  # the cache forgets them
    await poll(hass, sim_setup, times=2)

    assert swipe_keys(events) == sim_keys(swipes)
    assert all(e.data["replayed"] for e in events)
    assert all(e.data["event_id"] is None and e.data["record_id"] for e in events)


async def test_failed_poll_caught_up_by_cache(
    hass: HomeAssistant, sim_setup: SimSetup
) -> None:
    """After one failed poll the cache still has the swipes: real time, once each."""
    sim = sim_setup.sim
    events = async_capture_events(hass, EVENT_ACCESS)
    sim.fault("malformed_json", count=1, path="acs/device/eventcache")
    swipes = sim.burst(5)
    await poll(hass, sim_setup, times=3)

    assert swipe_keys(events) == sim_keys(swipes)
    assert not any(e.data["replayed"] for e in events)


async def test_outage_longer_than_cache(
    hass: HomeAssistant, sim_setup: SimSetup
) -> None:
    """Swipes made while the server was down for 10 s arrive after, once each."""
    sim = sim_setup.sim
    events = async_capture_events(hass, EVENT_ACCESS)
    before = sim.burst(3)
    await poll(hass, sim_setup)
    sim.fault("http500")
    during = []
    for _ in range(10):
        during += sim.burst(2)
        sim_setup.clock.advance(1)
        await poll(hass, sim_setup)
    sim.clear_faults()
    await poll(hass, sim_setup, times=2)

    assert len(events) == 3 + 20
    assert swipe_keys(events) == sim_keys(before + during)
    # Those still in the 2 s cache when the server came back arrive in real
    # time; the others come from the records, marked replayed.
    replayed = [e for e in events if e.data["replayed"]]
    assert set(swipe_keys(replayed)) <= set(sim_keys(during))
    assert len(replayed) >= 16


async def test_server_restart_ids_start_over(
    hass: HomeAssistant, sim_setup: SimSetup
) -> None:
    """After the server restarts, reused event ids are new events."""
    sim = sim_setup.sim
    events = async_capture_events(hass, EVENT_ACCESS)
    first = sim.burst(4)
    await poll(hass, sim_setup)
    sim.restart()
    second = sim.burst(4)
    assert {s.event_id for s in second} & {s.event_id for s in first}
    await poll(hass, sim_setup, times=2)
    sim_setup.clock.advance(3)
    await poll(hass, sim_setup, times=2)

    assert swipe_keys(events) == sim_keys(first + second)


async def test_home_assistant_restart_mid_traffic(
    hass: HomeAssistant, sim_setup: SimSetup
) -> None:
    """Swipes across an entry restart: none lost, none repeated."""
    sim = sim_setup.sim
    events = async_capture_events(hass, EVENT_ACCESS)
    delivered = sim.burst(5)
    await poll(hass, sim_setup)
    missed = sim.burst(5)  # made while Home Assistant is down
    await hass.config_entries.async_reload(sim_setup.entry.entry_id)
    await hass.async_block_till_done()
    await poll(hass, sim_setup, times=2)  # the cache still has both bursts
    sim_setup.clock.advance(3)
    late = sim.burst(2)
    await poll(hass, sim_setup, times=2)
    sim_setup.runtime.events.source.ledger.reconcile_due = True
    await poll(hass, sim_setup, times=2)

    assert swipe_keys(events) == sim_keys(delivered + missed + late)


async def test_restart_after_cache_window_replays(
    hass: HomeAssistant, sim_setup: SimSetup
) -> None:
    """Swipes made while Home Assistant was down longer than the cache are replayed."""
    sim = sim_setup.sim
    events = async_capture_events(hass, EVENT_ACCESS)
    await poll(hass, sim_setup)
    assert await hass.config_entries.async_unload(sim_setup.entry.entry_id)
    missed = sim.burst(6)
    sim_setup.clock.advance(30)
    assert await hass.config_entries.async_setup(sim_setup.entry.entry_id)
    await hass.async_block_till_done()
    await poll(hass, sim_setup, times=2)

    assert swipe_keys(events) == sim_keys(missed)
    assert all(e.data["replayed"] for e in events)


async def test_granted_swipe_refreshes_the_door(
    hass: HomeAssistant, sim_setup: SimSetup
) -> None:
    """A granted swipe reads its door's state at once."""
    sim = sim_setup.sim
    door = sim.site.doors[0]
    await poll(hass, sim_setup)
    before = len([r for r in sim.requests if "door/state" in r.path])
    sim.swipe(door.id)
    await poll(hass, sim_setup)
    after = [r for r in sim.requests if "door/state" in r.path][before:]
    assert [r.path.rsplit("/", 1)[-1] for r in after] == [door.id]


async def test_record_ids_start_over(hass: HomeAssistant, sim_setup: SimSetup) -> None:
    """After the server's database is restored, the cursor follows the new ids."""
    sim = sim_setup.sim
    events = async_capture_events(hass, EVENT_ACCESS)
    first = sim.burst(8)
    await poll(hass, sim_setup)
    sim_setup.clock.advance(3)
    sim_setup.runtime.events.source.ledger.reconcile_due = True
    await poll(hass, sim_setup, times=2)
    assert sim_setup.runtime.events.source.ledger.cursor == max(
        s.record_id for s in first
    )

    sim.restart(clear_records=True)
    second = sim.burst(2)
    await poll(hass, sim_setup)
    sim_setup.runtime.events.source.ledger.reconcile_due = True
    await poll(hass, sim_setup)
    assert sim_setup.runtime.events.source.ledger.cursor == max(
        s.record_id for s in second
    )
    # Swipes lost after that are replayed from the new ids.
    sim.fault("http500", count=1, path="acs/device/eventcache")
    third = sim.burst(3)
    await poll(hass, sim_setup)
    sim_setup.clock.advance(3)
    await poll(hass, sim_setup, times=2)
    assert swipe_keys(events) == sim_keys(first + second + third)


async def test_gap_older_than_replay_window(
    hass: HomeAssistant, sim_setup: SimSetup, issue_registry: ir.IssueRegistry
) -> None:
    """Swipes older than replay_minutes by the server's clock: a repair, no replay."""
    sim = sim_setup.sim
    events = async_capture_events(hass, EVENT_ACCESS)
    pipeline = sim_setup.runtime.events
    await poll(hass, sim_setup)
    assert await hass.config_entries.async_unload(sim_setup.entry.entry_id)
    sim.burst(4)  # while Home Assistant is down ...
    sim.clock_offset = timedelta(minutes=11)  # ... for 11 minutes
    sim_setup.clock.advance(3)
    recent = sim.burst(1)
    assert await hass.config_entries.async_setup(sim_setup.entry.entry_id)
    await hass.async_block_till_done()
    await poll(hass, sim_setup, times=2)

    assert swipe_keys(events) == sim_keys(recent)
    issue = issue_registry.async_get_issue(
        "acs_bridge", f"events_gap_{sim_setup.entry.entry_id}"
    )
    assert issue is not None
    assert issue.translation_placeholders["count"] == "4"
    assert sim_setup.runtime.events.source.ledger.cursor == recent[0].record_id
    assert pipeline is not sim_setup.runtime.events


async def test_late_poll_reads_the_records(
    hass: HomeAssistant, sim_setup: SimSetup
) -> None:
    """A poll that comes later than the cache window reads the records at once."""
    pipeline = sim_setup.runtime.events
    await poll(hass, sim_setup)
    pipeline.source.ledger.reconcile_due = False
    pipeline.source.ledger._last_poll_ok = (
        pipeline.source.ledger._last_poll_ok or 0
    ) - 10
    await pipeline.source._poll_realtime()
    assert pipeline.source.ledger.reconcile_due


async def test_server_restart_reads_the_records_at_once(
    hass: HomeAssistant, sim_setup: SimSetup
) -> None:
    """Swipes the restart emptied from the cache arrive in the next rounds."""
    sim = sim_setup.sim
    events = async_capture_events(hass, EVENT_ACCESS)
    before = sim.burst(6)
    await poll(hass, sim_setup)
    pipeline = sim_setup.runtime.events
    pipeline.source.ledger._last_reconcile = time.monotonic()  # no periodic read is due
    lost_in_cache = sim.burst(3)
    sim.restart()
    after = sim.burst(2)
    await poll(hass, sim_setup, times=2)

    assert swipe_keys(events) == sim_keys(before + lost_in_cache + after)
    replayed = [e for e in events if e.data["replayed"]]
    assert swipe_keys(replayed) == sim_keys(lost_in_cache)


async def test_one_state_read_per_door_per_poll(
    hass: HomeAssistant, sim_setup: SimSetup
) -> None:
    """A burst of granted swipes reads each door's state once, not once a swipe."""
    sim = sim_setup.sim
    await poll(hass, sim_setup)
    before = len(sim.requests)
    swipes = sim.burst(40)
    await poll(hass, sim_setup)
    reads = [r.path for r in sim.requests[before:] if "door/state" in r.path]
    doors = {s.door_id for s in swipes if s.granted}
    assert sorted(path.rsplit("/", 1)[-1] for path in reads) == sorted(doors)


async def test_database_restore_during_a_gap(
    hass: HomeAssistant, sim_setup: SimSetup
) -> None:
    """Swipes made after a database restore, while the cache was unreachable, arrive."""
    sim = sim_setup.sim
    events = async_capture_events(hass, EVENT_ACCESS)
    before = sim.burst(8)
    await poll(hass, sim_setup)
    sim_setup.clock.advance(3)
    sim_setup.runtime.events.source.ledger.reconcile_due = True
    await poll(hass, sim_setup, times=2)  # the cursor is past the 8 records

    sim.restart(clear_records=True)
    sim.fault("http500", path="acs/device/eventcache")
    missed = sim.burst(3)  # record ids 1..3, below the cursor
    await poll(hass, sim_setup)
    sim_setup.clock.advance(3)
    sim.clear_faults()
    await poll(hass, sim_setup, times=2)

    assert swipe_keys(events) == sim_keys(before + missed)
    assert all(e.data["replayed"] for e in events[len(before) :])


async def test_cursor_save_not_pushed_back_by_swipes(
    hass: HomeAssistant, sim_setup: SimSetup
) -> None:
    """A stream of swipes schedules one delayed save, not one per swipe.

    Re-arming the delayed save on every swipe would postpone it for as long as
    swipes keep coming.
    """
    from unittest.mock import patch

    pipeline = sim_setup.runtime.events
    await hass.async_block_till_done()
    pipeline._save_scheduled = False
    with patch.object(pipeline._store, "async_delay_save") as delay_save:
        for _ in range(3):
            sim_setup.sim.burst(5)
            await poll(hass, sim_setup)
        assert delay_save.call_count == 1
        data = delay_save.call_args.args[0]()  # the write happens
        assert json.loads(data["cursor"])["unmatched"]  # the source's own state
        sim_setup.sim.burst(1)
        await poll(hass, sim_setup)
        assert delay_save.call_count == 2


@pytest.mark.parametrize("minutes", [-15, 15])
async def test_server_clock_behind_or_ahead(
    hass: HomeAssistant,
    sim_setup: SimSetup,
    issue_registry: ir.IssueRegistry,
    minutes: int,
) -> None:
    """A server clock 15 minutes off loses no swipe and raises no repair."""
    sim = sim_setup.sim
    sim.clock_offset = timedelta(minutes=minutes)
    events = async_capture_events(hass, EVENT_ACCESS)
    await poll(hass, sim_setup)
    live = sim.burst(3)
    await poll(hass, sim_setup)
    sim.fault("http500", count=1, path="acs/device/eventcache")
    lost = sim.burst(3)
    await poll(hass, sim_setup)  # fails: these leave the cache unseen
    sim_setup.clock.advance(3)
    await poll(hass, sim_setup, times=2)

    assert swipe_keys(events) == sim_keys(live + lost)
    assert [e.data["replayed"] for e in events] == [False] * 3 + [True] * 3
    assert not issue_registry.async_get_issue(
        "acs_bridge", f"events_gap_{sim_setup.entry.entry_id}"
    )


async def test_records_released_while_the_live_feed_keeps_failing(
    hass: HomeAssistant, sim_setup: SimSetup
) -> None:
    """Real time keeps failing, records work: swipes arrive after the cache window."""
    sim = sim_setup.sim
    events = async_capture_events(hass, EVENT_ACCESS)
    await poll(hass, sim_setup)
    sim.fault("http500", path="acs/device/eventcache")
    swipes = sim.burst(4)
    now = [time.monotonic()]
    with patch(
        "custom_components.acs_bridge.adapters.ax_bs_http.events.time.monotonic",
        side_effect=lambda: now[0],
    ):
        sim_setup.runtime.events.source.ledger.reconcile_due = True
        await poll(hass, sim_setup)  # fails; the records are read and held
        assert events == []
        now[0] += 3  # longer than the cache keeps an event
        await poll(hass, sim_setup)
    assert swipe_keys(events) == sim_keys(swipes)
    assert all(e.data["replayed"] for e in events)


async def test_reload_mid_stream_repeats_nothing(
    hass: HomeAssistant, sim_setup: SimSetup
) -> None:
    """A reload (an options change) in a stream of swipes: none repeated, none lost."""
    sim = sim_setup.sim
    events = async_capture_events(hass, EVENT_ACCESS)
    first = sim.burst(5)
    await poll(hass, sim_setup)
    sim_setup.runtime.events.source.ledger.reconcile_due = True
    await poll(hass, sim_setup, times=2)  # their records are read and matched
    second = sim.burst(3)  # not yet polled
    await hass.config_entries.async_reload(sim_setup.entry.entry_id)
    await hass.async_block_till_done()
    third = sim.burst(2)
    await poll(hass, sim_setup, times=2)  # the cache still holds all three
    sim_setup.clock.advance(3)
    sim_setup.runtime.events.source.ledger.reconcile_due = True
    await poll(hass, sim_setup, times=2)

    ids = [e.data["event_id"] or e.data["record_id"] for e in events]
    assert len(ids) == len(set(ids)) == 10
    assert swipe_keys(events) == sim_keys(first + second + third)


async def test_a_held_record_read_never_delays_the_live_poll(
    hass: HomeAssistant, sim_setup: SimSetup
) -> None:
    """The records are read beside the real-time polls, not inline."""
    sim = sim_setup.sim
    pipeline = sim_setup.runtime.events
    events = async_capture_events(hass, EVENT_ACCESS)
    await poll(hass, sim_setup)
    sim.fault("hold", path="swipecardrecords")
    pipeline.source.ledger.reconcile_due = True
    await asyncio.wait_for(pipeline.async_poll(), 5)  # starts the record read
    swipes = sim.burst(3)
    await asyncio.wait_for(pipeline.async_poll(), 5)
    await hass.async_block_till_done()
    assert swipe_keys(events) == sim_keys(swipes)
    assert sim.fault_set.held == 1  # the record read is still held
    sim.release_held()
    await hass.async_block_till_done(wait_background_tasks=True)
    assert len(events) == 3


async def test_outage_recovered_in_the_first_good_round(
    hass: HomeAssistant, sim_setup: SimSetup
) -> None:
    """The first round that reaches the server again delivers every missed swipe.

    The records are read at once and a second cache read proves them missed,
    rather than waiting for the next round's poll.
    """
    sim = sim_setup.sim
    events = async_capture_events(hass, EVENT_ACCESS)
    await poll(hass, sim_setup)
    sim.fault("http500")
    during = []
    for _ in range(5):
        during += sim.burst(2)
        sim_setup.clock.advance(1)
        await poll(hass, sim_setup)
    sim_setup.clock.advance(2)  # the cache forgets them all
    sim.clear_faults()
    await poll(hass, sim_setup)  # one round only

    assert swipe_keys(events) == sim_keys(during)
    assert all(e.data["replayed"] for e in events)
    await poll(hass, sim_setup, times=2)
    sim_setup.runtime.events.source.ledger.reconcile_due = True
    await poll(hass, sim_setup, times=2)
    assert len(events) == len(during)


async def test_recovery_keeps_live_swipes_live(
    hass: HomeAssistant, sim_setup: SimSetup
) -> None:
    """Swipes still in the cache when the server returns are live, not replayed."""
    sim = sim_setup.sim
    events = async_capture_events(hass, EVENT_ACCESS)
    await poll(hass, sim_setup)
    sim.fault("http500", count=2, path="acs/device/eventcache")
    lost = sim.burst(3)
    await poll(hass, sim_setup)
    sim_setup.clock.advance(3)
    await poll(hass, sim_setup)
    live = sim.burst(3)
    await poll(hass, sim_setup)

    assert swipe_keys(events) == sim_keys(lost + live)
    assert swipe_keys([e for e in events if e.data["replayed"]]) == sim_keys(lost)


async def test_gap_issue_is_acknowledged_in_its_repair_flow(
    hass: HomeAssistant, sim_setup: SimSetup, issue_registry: ir.IssueRegistry
) -> None:
    """The events-gap repair says what to do and goes once the user acknowledges it."""
    from homeassistant.components.repairs import repairs_flow_manager
    from homeassistant.setup import async_setup_component

    assert await async_setup_component(hass, "repairs", {})
    sim = sim_setup.sim
    await poll(hass, sim_setup)
    assert await hass.config_entries.async_unload(sim_setup.entry.entry_id)
    sim.burst(2)
    sim.clock_offset = timedelta(minutes=11)
    sim_setup.clock.advance(3)
    sim.burst(1)
    assert await hass.config_entries.async_setup(sim_setup.entry.entry_id)
    await hass.async_block_till_done()
    await poll(hass, sim_setup, times=2)
    issue_id = f"events_gap_{sim_setup.entry.entry_id}"
    issue = issue_registry.async_get_issue("acs_bridge", issue_id)
    assert issue is not None
    assert issue.is_fixable

    manager = repairs_flow_manager(hass)
    assert manager is not None
    flow = await manager.async_init("acs_bridge", data={"issue_id": issue_id})
    assert flow["step_id"] == "confirm"
    assert flow["description_placeholders"]["count"] == "2"
    result = await manager.async_configure(flow["flow_id"], {})
    assert result["type"] == "create_entry"
    assert issue_registry.async_get_issue("acs_bridge", issue_id) is None
