"""Nothing lost, nothing twice: a Hikvision stream that drops, stalls, goes away
or is restarted with Home Assistant."""

from __future__ import annotations

from collections.abc import Callable
from unittest.mock import patch

from homeassistant.const import STATE_OFF, STATE_ON
from homeassistant.core import HomeAssistant
from homeassistant.helpers import issue_registry as ir

from custom_components.acs_bridge.access_pipeline import gap_issue_id
from custom_components.acs_bridge.const import DOMAIN, EVENT_ACCESS
from simulator.hikvision import HikSimulator

from .hik_fixtures import (
    SOURCE,
    BusWatcher,
    HikSetup,
    async_setup_hik,
    async_wait_connected,
    async_wait_state,
    hik_entity_id,
    hik_entry_for,
)


def swipes(setup: HikSetup, count: int, door: int = 1) -> list[int]:
    """Swipe ``count`` cards on the device; return their serial numbers."""
    device = setup.sim.device
    return [
        device.swipe(door, method="card", employee_no=str(1 + i % 5)).serial_no
        for i in range(count)
    ]


async def marker(setup: HikSetup, access: BusWatcher) -> int:
    """Swipe once more and wait for it live: what came before has been handed over
    (the stream and the catch-up deliver in serial order)."""
    fresh = BusWatcher(access.hass, EVENT_ACCESS)
    try:
        (serial,) = swipes(setup, 1, door=2)
        await fresh.wait(lambda d: d["event_id"] == serial and not d["replayed"])
    finally:
        fresh.close()
    return serial


def delivered(access: BusWatcher) -> list[tuple[int, bool]]:
    return [(d["event_id"], d["replayed"]) for d in access.data]


def feed_entity(hass: HomeAssistant, setup: HikSetup) -> str:
    return hik_entity_id(
        hass, "binary_sensor", "hub", "event_feed", setup.entry.entry_id
    )


async def test_stream_drop_replays_once(
    hass: HomeAssistant, hik_setup: HikSetup, bus: Callable[[str], BusWatcher]
) -> None:
    """Events made while the stream was down come once, replayed; the history the
    device re-sends on connect and our own 3/121 and 3/122 never come."""
    access = bus(EVENT_ACCESS)
    before = swipes(hik_setup, 3)
    await access.wait(count=3)
    hik_setup.sim.hub.act("drop")
    missed = swipes(hik_setup, 4)
    await async_wait_connected(hik_setup, connects=2)
    last = await marker(hik_setup, access)
    assert delivered(access) == [
        *((serial, False) for serial in before),
        *((serial, True) for serial in missed),
        (last, False),
    ]
    assert not [d for d in access.data if d["code"] in ("3/121", "3/122")]


async def test_whole_log_resent_on_connect_is_not_delivered(
    hass: HomeAssistant,
    hik_sim: HikSimulator,
    fast_stream: None,
    bus: Callable[[str], BusWatcher],
) -> None:
    """A device that re-sends its whole log on every connect: nothing twice."""
    hik_sim.configure(history_mode="all")
    for _ in range(3):
        hik_sim.device.swipe(1, method="face", employee_no="2")  # before us
    setup = await async_setup_hik(hass, hik_sim)
    access = bus(EVENT_ACCESS)
    first = swipes(setup, 2)
    await access.wait(count=2)
    for connects in (2, 3):
        hik_sim.hub.act("drop")
        await async_wait_connected(setup, connects=connects)
    last = await marker(setup, access)
    assert delivered(access) == [*((s, False) for s in first), (last, False)]


async def test_stall_is_detected_and_replayed(
    hass: HomeAssistant, hik_setup: HikSetup, bus: Callable[[str], BusWatcher]
) -> None:
    """A stream that keeps TCP open but sends nothing is dead after the stall
    timeout; what happened meanwhile is replayed once."""
    access = bus(EVENT_ACCESS)
    source = hik_setup.runtime.events.source
    assert source is not None
    source.stall_timeout = 1.0  # type: ignore[attr-defined]
    hik_setup.sim.hub.stall(True)
    missed = swipes(hik_setup, 3)
    await async_wait_connected(hik_setup, connects=2)
    assert source.stalls >= 1  # type: ignore[attr-defined]
    last = await marker(hik_setup, access)
    assert delivered(access) == [*((s, True) for s in missed), (last, False)]


async def test_device_offline_feed_sensor_and_replay(
    hass: HomeAssistant, hik_setup: HikSetup, bus: Callable[[str], BusWatcher]
) -> None:
    """The Event feed sensor is on while the device is away, off after; what it
    logged meanwhile is replayed once."""
    access = bus(EVENT_ACCESS)
    feed = feed_entity(hass, hik_setup)
    assert hass.states.get(feed).state == STATE_OFF  # type: ignore[union-attr]
    hik_setup.sim.set_online(False)
    await async_wait_state(hass, feed, STATE_ON)
    missed = swipes(hik_setup, 2)
    hik_setup.sim.set_online(True)
    await async_wait_state(hass, feed, STATE_OFF)
    await async_wait_connected(hik_setup, connects=2)
    last = await marker(hik_setup, access)
    assert delivered(access) == [*((s, True) for s in missed), (last, False)]


async def test_reload_replays_what_happened_meanwhile(
    hass: HomeAssistant, hik_setup: HikSetup, bus: Callable[[str], BusWatcher]
) -> None:
    """Home Assistant restarts (the entry unloads and loads): the stored cursor
    resumes the search; nothing before it comes again."""
    access = bus(EVENT_ACCESS)
    before = swipes(hik_setup, 2)
    await access.wait(count=2)
    entry_id = hik_setup.entry.entry_id
    assert await hass.config_entries.async_unload(entry_id)
    await hass.async_block_till_done()
    missed = swipes(hik_setup, 3)
    assert await hass.config_entries.async_setup(entry_id)
    await hass.async_block_till_done()
    await async_wait_connected(hik_setup)
    last = await marker(hik_setup, access)
    assert delivered(access) == [
        *((s, False) for s in before),
        *((s, True) for s in missed),
        (last, False),
    ]


async def test_serial_restart_keeps_delivering(
    hass: HomeAssistant, hik_setup: HikSetup, bus: Callable[[str], BusWatcher]
) -> None:
    """The device's log is wiped (serials start at 1 again): events go on."""
    access = bus(EVENT_ACCESS)
    swipes(hik_setup, 5)
    await access.wait(count=5)
    # A later second: a reused serial with the same code and time would be
    # the same event (the key is serial, code and device time).
    hik_setup.sim.advance(2)
    hik_setup.sim.restart_serial()
    after = swipes(hik_setup, 2)
    assert after[0] < 5
    await async_wait_connected(hik_setup, connects=2)
    last = await marker(hik_setup, access)
    assert delivered(access)[5:] == [*((s, True) for s in after), (last, False)]
    assert not [d for d in access.data if d["code"] in ("3/121", "3/122")]


async def test_wrapped_log_raises_the_gap_issue(
    hass: HomeAssistant, hik_setup: HikSetup, bus: Callable[[str], BusWatcher]
) -> None:
    """The log wrapped past our cursor while we were away: the events-gap repair
    issue says so, and delivery goes on."""
    access = bus(EVENT_ACCESS)
    swipes(hik_setup, 1)
    await access.wait()
    hik_setup.sim.configure(log_capacity=20)
    hik_setup.sim.hub.act("drop")
    hik_setup.sim.device.fill(40)
    missed = swipes(hik_setup, 2)
    await async_wait_connected(hik_setup, connects=2)
    last = await marker(hik_setup, access)
    issue = ir.async_get(hass).async_get_issue(
        DOMAIN, gap_issue_id(hik_setup.entry.entry_id)
    )
    assert issue is not None
    assert [s for s, _ in delivered(access)[1:]] == [*missed, last]


async def test_stream_forbidden_is_not_a_login_failure(
    hass: HomeAssistant, hik_sim: HikSimulator, bus: Callable[[str], BusWatcher]
) -> None:
    """An account without the notification permission: the feed is down, no
    re-authentication starts, nothing locks."""
    hik_sim.configure(stream_forbidden=True)
    with patch(f"{SOURCE}.PERMISSION_RETRY", 3600.0):
        entry_setup = await _setup_no_wait(hass, hik_sim)
    feed = feed_entity(hass, entry_setup)
    await async_wait_state(hass, feed, STATE_ON)
    assert not hass.config_entries.flow.async_progress_by_handler(DOMAIN)
    assert hik_sim.auth.counted == 0


async def _setup_no_wait(hass: HomeAssistant, sim: HikSimulator) -> HikSetup:
    entry = hik_entry_for(sim)
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    return HikSetup(sim=sim, entry=entry)


async def test_a_state_read_reconnects_the_stream_at_once(
    hass: HomeAssistant, hik_sim: HikSimulator, bus: Callable[[str], BusWatcher]
) -> None:
    """Back from an outage, the device answers the state poll: the stream
    reconnects then, not after its retry delay, and replays what it missed."""
    await hass.config.async_set_time_zone("Asia/Shanghai")
    with patch(f"{SOURCE}.RETRY_DELAYS", (3600.0,)):
        setup = await async_setup_hik(hass, hik_sim)
        access = bus(EVENT_ACCESS)
        feed = feed_entity(hass, setup)
        hik_sim.set_online(False)
        await async_wait_state(hass, feed, STATE_ON)
        missed = swipes(setup, 2)
        hik_sim.set_online(True)
        # The next state poll proves the device back.
        await setup.runtime.coordinator.async_refresh()
        await async_wait_state(hass, feed, STATE_OFF)
        await async_wait_connected(setup, connects=2)
        last = await marker(setup, access)
    assert delivered(access) == [*((s, True) for s in missed), (last, False)]
