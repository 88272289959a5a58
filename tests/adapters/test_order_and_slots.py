"""The adapter against the simulator: record order and the real-time slots."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import pytest

from custom_components.acs_bridge.adapters import RecordKind
from custom_components.acs_bridge.adapters.ax_bs_http import AxBsHttpV1Adapter

type MakeAdapter = Callable[..., AxBsHttpV1Adapter]


@pytest.mark.parametrize("order", ["id", "newest_first", "shuffled"])
async def test_latest_record_id_whatever_the_order(
    sim: Any, make_adapter: MakeAdapter, order: str
) -> None:
    """The highest id is found whether pages come oldest first, newest first or mixed."""
    adapter = make_adapter(sim.port, page_size=10)
    swipes = sim.burst(57)
    sim.record_order = order
    expected = max(s.record_id for s in swipes)
    assert await adapter.latest_record_id(kind=RecordKind.SWIPE) == expected
    assert await adapter.latest_record_id() == expected


async def test_realtime_poll_never_queues_behind_other_requests(
    sim: Any, make_adapter: MakeAdapter
) -> None:
    """With every ordinary slot taken by a held door read, the cache is still read."""
    adapter = make_adapter(sim.port, max_concurrent_requests=1)
    sim.fault("hold", path="acs/device/door/state")
    door_read = asyncio.ensure_future(adapter.door_state(sim.site.doors[0].id))
    await asyncio.wait_for(sim.fault_set.wait_held(), 5)
    swipe = sim.swipe(sim.site.doors[0].id)
    events = await asyncio.wait_for(
        adapter.poll_events([c.id for c in sim.site.controllers]), 5
    )
    assert [e.event_id for e in events] == [swipe.event_id]
    assert not door_read.done()
    sim.release_held()
    assert (await door_read).door_id == sim.site.doors[0].id
