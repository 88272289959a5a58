"""The recovery poll after a gap, beside the timer's rounds: each swipe once."""

from __future__ import annotations

import asyncio

from homeassistant.core import HomeAssistant
from pytest_homeassistant_custom_component.common import async_capture_events

from custom_components.acs_bridge.const import EVENT_ACCESS

from .sim_fixtures import SimSetup, poll


class WatchedLock(asyncio.Lock):
    """A lock that says when someone had to wait for it."""

    def __init__(self) -> None:
        super().__init__()
        self.contended = asyncio.Event()

    async def acquire(self) -> bool:
        if self.locked():
            self.contended.set()
        return await super().acquire()


async def test_recovery_poll_never_overtakes_a_live_poll_in_flight(
    hass: HomeAssistant, sim_setup: SimSetup
) -> None:
    """A swipe still in an earlier poll's answer is not also replayed.

    The record read that fills a gap runs beside the timer's rounds and is
    followed by one more cache read. Had that read gone out while a round's
    poll was still in flight, the later answer (the swipe gone from the cache)
    could reach the ledger first: the swipe would be replayed from its record,
    then delivered live again by the earlier answer.
    """
    sim = sim_setup.sim
    pipeline = sim_setup.runtime.events
    lock = pipeline.source._live_lock = WatchedLock()
    events = async_capture_events(hass, EVENT_ACCESS)
    await poll(hass, sim_setup)

    # Round 1: the cache is read before the swipe; its record read (a gap is
    # being filled) is held after the swipe.
    first_live = sim.fault("hold", count=1, path="acs/device/eventcache")
    pipeline.source.ledger.reconcile_due = True
    round_1 = hass.async_create_task(pipeline.async_poll())
    await first_live.arrived.wait()
    swipe = sim.burst(1)
    records = sim.fault("hold", count=1, path="swipecardrecords")
    first_live.release()
    await round_1
    await records.arrived.wait()

    # Round 2: its poll's answer holds the swipe, and stays in flight.
    second_live = sim.fault("hold", count=1, path="acs/device/eventcache")
    round_2 = hass.async_create_task(pipeline.async_poll())
    await second_live.arrived.wait()
    sim_setup.clock.advance(3)  # the cache forgets the swipe
    recovery = sim.fault("hold", count=1, path="acs/device/eventcache")
    records.release()  # the read returns the swipe's record: recover now
    # Either the recovery poll reaches the server beside round 2's, or it
    # waits for round 2's answer.
    beside = hass.async_create_task(recovery.arrived.wait())
    waits = hass.async_create_task(lock.contended.wait())
    await asyncio.wait([beside, waits], return_when=asyncio.FIRST_COMPLETED)
    beside.cancel()
    waits.cancel()
    if recovery.arrived.is_set():
        # The worst order: the later answer (no swipe) reaches the ledger first.
        recovery.release()
        assert pipeline.source._records_task is not None
        await pipeline.source._records_task
    sim.release_held()
    await round_2
    await hass.async_block_till_done(wait_background_tasks=True)
    await poll(hass, sim_setup, times=2)

    assert [e.data["card_no"] for e in events] == [swipe[0].card_no]
    assert events[0].data["replayed"] is False
