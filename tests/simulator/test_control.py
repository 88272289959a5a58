"""The HTTP control API and the command line."""

from __future__ import annotations

import asyncio
from pathlib import Path
import signal
import sys

import aiohttp
from aiohttp.test_utils import TestServer
import pytest

from simulator import LoggedRequest, Simulator

ROOT = Path(__file__).resolve().parents[2]


async def test_control_api(sim: Simulator, session: aiohttp.ClientSession) -> None:
    door = sim.site.doors[0]

    async def post(name: str, body: dict[str, object]) -> tuple[int, object]:
        async with session.post(f"{sim.url}/_sim/{name}", json=body) as response:
            return response.status, await response.json()

    status, swipe = await post("swipe", {"door_id": door.id, "reader": "inside"})
    assert status == 200
    assert isinstance(swipe, dict)
    assert swipe["event_id"] == 1
    assert swipe["event_name"] == "内部刷卡开门"
    status, burst = await post("burst", {"n": 3})
    assert status == 200
    assert isinstance(burst, list)
    assert len(burst) == 3
    status, alarm = await post("alarm", {"door_id": door.id})
    assert status == 200
    assert isinstance(alarm, dict)
    assert (await post("alarm/clear", alarm))[0] == 200
    assert (await post("door/open_state", {"door_id": door.id, "is_open": True}))[
        0
    ] == 200
    assert door.is_open
    assert (await post("door/online", {"door_id": door.id, "online": False}))[0] == 200
    assert not door.online
    controller = sim.site.controllers[1]
    body = {"controller_id": controller.id, "online": False, "error": "超时"}
    assert (await post("controller/online", body))[0] == 200
    assert controller.comm_error == "超时"
    assert (await post("fault", {"kind": "status", "status": 500, "count": 1}))[
        0
    ] == 200
    assert len(sim.fault_set.faults) == 1
    assert (await post("faults/clear", {}))[0] == 200
    assert sim.fault_set.faults == []
    assert (await post("restart", {"clear_records": True}))[0] == 200
    assert sim.state.records == []

    assert (await post("swipe", {"door_id": "nope"}))[0] == 404
    assert (await post("fault", {"kind": "nope"}))[0] == 400
    assert (await post("burst", {}))[0] == 400
    async with session.post(f"{sim.url}/_sim/swipe", data=b"{not json") as response:
        assert response.status == 400

    async with session.get(f"{sim.url}/api/v1/areas") as response:
        assert response.status == 200
    async with session.get(f"{sim.url}/_sim/site") as response:
        site = await response.json()
    assert len(site["doors"]) == len(sim.site.doors)
    assert site["doors"][0]["is_open"] is True
    async with session.get(f"{sim.url}/_sim/requests?since=0") as response:
        log = await response.json()
    assert [r["path"] for r in log["requests"]] == ["/api/v1/areas"]
    async with session.get(f"{sim.url}/_sim/stats") as response:
        stats = await response.json()
    assert stats["by_kind"] == {"areas": 1}


async def test_command_line_serves_and_stops() -> None:
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "simulator",
        "--port",
        "0",
        "--people",
        "5",
        "--log-level",
        "WARNING",
        cwd=ROOT,
        stdout=asyncio.subprocess.PIPE,
    )
    try:
        assert process.stdout is not None
        line = (await asyncio.wait_for(process.stdout.readline(), 10)).decode()
        url = line.split(" at ")[1].strip()
        assert url.startswith("http://127.0.0.1:")
        assert url.endswith("/api/v1/")
        async with (
            aiohttp.ClientSession() as session,
            session.get(url + "areas") as response,
        ):
            assert (await response.json())["status"] == 0
        process.send_signal(signal.SIGTERM)
        assert await asyncio.wait_for(process.wait(), 5) == 0
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()


async def test_app_under_aiohttp_test_server(session: aiohttp.ClientSession) -> None:
    sim = Simulator()
    loop = asyncio.get_running_loop()
    async with TestServer(sim.app) as server:
        async with session.get(server.make_url("/api/v1/areas")) as response:
            assert (await response.json())["status"] == 0
        sim.fault("timeout")
        hanging = asyncio.ensure_future(session.get(server.make_url("/api/v1/areas")))
        await asyncio.sleep(0.05)
        started = loop.time()
    assert loop.time() - started < 1.0  # the hanging request did not hold the server
    with pytest.raises(aiohttp.ClientError):
        await hanging


def test_request_log_is_bounded() -> None:
    sim = Simulator()
    sim.max_logged_requests = 10
    for i in range(25):
        sim.log_request(LoggedRequest("GET", f"/api/v1/{i}", {}, sim.now()), "unknown")
    assert len(sim.requests) <= 10
    assert sim.requests_dropped + len(sim.requests) == 25
    assert sim.requests[-1].path == "/api/v1/24"


async def test_settings_move_the_clock_and_order_the_records(
    sim: Simulator, session: aiohttp.ClientSession
) -> None:
    """A server clock 15 minutes behind, and record pages newest first."""
    from datetime import UTC, datetime, timedelta

    async def post(body: dict[str, object]) -> tuple[int, dict[str, object]]:
        async with session.post(f"{sim.url}/_sim/settings", json=body) as response:
            return response.status, await response.json()

    status, answer = await post({"clock_offset_seconds": -900})
    assert status == 200
    assert answer["clock_offset_seconds"] == -900
    behind = datetime.now(UTC) - sim.now()
    assert timedelta(minutes=14) < behind < timedelta(minutes=16)
    swipe = sim.swipe(sim.site.doors[0].id)
    assert datetime.now(UTC) - swipe.time > timedelta(minutes=14)

    sim.burst(3)
    status, answer = await post({"record_order": "newest_first"})
    assert (status, answer["record_order"]) == (200, "newest_first")
    url = f"{sim.url}/api/v1/swipecardrecords/byid/?id=0&isalarm=-1&offset=0&rows=10"
    async with session.get(url) as response:
        ids = [r["recordId"] for r in (await response.json())["data"]]
    assert ids == sorted(ids, reverse=True)

    assert (await post({"record_order": "sideways"}))[0] == 400
    assert (await post({"clock_offset_seconds": "soon"}))[0] == 400
    assert (await post({}))[0] == 200
