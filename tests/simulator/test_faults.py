"""Injected faults, and that none of them keeps the server from stopping."""

from __future__ import annotations

import asyncio
import json

import aiohttp
import pytest

from simulator import Simulator

from .conftest import Api


async def test_fault_kinds(sim: Simulator, api: Api) -> None:
    sim.fault("http500", count=1)
    assert (await api.raw("areas"))[0] == 500
    assert (await api.get("areas"))["status"] == 0  # used up

    sim.fault("malformed_json", count=1)
    status, text = await api.raw("areas")
    assert status == 200
    with pytest.raises(json.JSONDecodeError):
        json.loads(text)

    sim.fault("html", count=1)
    url = f"{sim.url}/api/v1/areas"
    async with api.session.get(url) as response:
        assert response.status == 200
        assert response.content_type == "text/html"

    sim.fault("status", count=2, status=500)
    assert (await api.get("areas"))["status"] == 500
    assert (await api.get("usertypes"))["status"] == 500
    assert (await api.get("areas"))["status"] == 0

    # (aiohttp retries an idempotent request once when a kept-alive connection drops)
    sim.fault("drop")
    with pytest.raises(aiohttp.ClientError):
        await api.raw("areas")
    sim.clear_faults()
    assert (await api.get("areas"))["status"] == 0


async def test_path_filter_and_clear(sim: Simulator, api: Api) -> None:
    sim.fault("status", path="acs/device/eventcache", status=1)
    ids = sim.site.controllers[0].id
    assert (await api.get(f"acs/device/eventcache/swipecard/{ids}"))["status"] == 1
    assert (await api.get(f"acs/device/eventcache/swipecard/{ids}"))["status"] == 1
    assert (await api.get("acs/devices"))["status"] == 0
    async with api.session.get(f"{sim.url}/_sim/stats") as response:
        assert response.status == 200  # control requests are never faulted
        stats = await response.json()
    assert stats["faults"] == {"status": 2}
    sim.clear_faults()
    assert (await api.get(f"acs/device/eventcache/swipecard/{ids}"))["status"] == 102


async def test_slow_answers_late(sim: Simulator, api: Api) -> None:
    sim.fault("slow", count=1, delay=0.2)
    loop = asyncio.get_running_loop()
    started = loop.time()
    assert (await api.get("areas"))["status"] == 0
    assert loop.time() - started >= 0.2


async def test_timeout_does_not_block_stop(api: Api) -> None:
    sim = Simulator()
    await sim.start(host="127.0.0.1", port=0)
    sim.fault("timeout")
    url = f"{sim.url}/api/v1/areas"
    with pytest.raises(TimeoutError):
        async with asyncio.timeout(0.2), api.session.get(url):
            pass
    # a request still hanging when the server stops
    pending = asyncio.ensure_future(api.session.get(url))
    await asyncio.sleep(0.05)
    loop = asyncio.get_running_loop()
    started = loop.time()
    await sim.stop()
    assert loop.time() - started < 1.0
    with pytest.raises(aiohttp.ClientError):
        await pending


async def test_empty_answers_an_empty_list(sim: Simulator, api: Api) -> None:
    sim.fault("empty", count=1, path="acs/device/doors")
    body = await api.get("acs/device/doors")
    assert body["status"] == 0
    assert body["data"] == []
    assert (await api.get("acs/device/doors"))["data"]  # used up


async def test_hold_answers_what_was_true_on_arrival(sim: Simulator, api: Api) -> None:
    door = sim.site.doors[0]
    fault = sim.fault("hold", count=1, path=f"acs/device/door/state/{door.id}")
    held = asyncio.ensure_future(api.get(f"acs/device/door/state/{door.id}"))
    await fault.arrived.wait()
    sim.set_door_open(door.id, True)
    fresh = await api.get(f"acs/device/door/state/{door.id}")  # not held
    assert not held.done()
    fault.release()
    assert (await held)["isOpen"] != fresh["isOpen"]


async def test_held_answers_are_sent_on_release_and_clear(
    sim: Simulator, session: aiohttp.ClientSession, api: Api
) -> None:
    fault = sim.fault("hold", count=1, path="areas")
    held = asyncio.ensure_future(api.get("areas"))
    await fault.arrived.wait()
    async with session.post(f"{sim.url}/_sim/faults/release") as response:
        assert response.status == 200
    assert (await held)["status"] == 0

    fault = sim.fault("hold", path="areas")  # until cleared
    held = asyncio.ensure_future(api.get("areas"))
    await fault.arrived.wait()
    sim.clear_faults()
    assert (await held)["status"] == 0
    assert (await api.get("areas"))["status"] == 0


async def test_hold_answers_once_released(sim: Simulator) -> None:
    """A held request waits for release_held, then gets its normal answer."""
    import asyncio

    import aiohttp

    sim.fault("hold", count=1, path="acs/devices")
    async with aiohttp.ClientSession() as session:
        request = asyncio.ensure_future(session.get(f"{sim.url}/api/v1/acs/devices"))
        await asyncio.wait_for(sim.fault_set.wait_held(), 5)
        assert not request.done()
        sim.release_held()
        async with await request as response:
            assert (await response.json())["status"] == 0
    assert sim.fault_set.held == 0
