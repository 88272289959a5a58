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
