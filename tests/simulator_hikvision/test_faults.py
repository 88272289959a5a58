"""Injected faults of ISAPI requests, small-device limits and being off line."""

from __future__ import annotations

import asyncio

import aiohttp
import pytest

from simulator.hikvision import HikSimulator

from .conftest import Digest, control, open_stream, xml_fields

INFO = "/ISAPI/System/deviceInfo"
STATUS = "/ISAPI/AccessControl/AcsWorkStatus?format=json"


async def test_busy_and_failure_statuses(
    sim: HikSimulator, digest: Digest, session: aiohttp.ClientSession
) -> None:
    await control(session, sim, "fault", {"kind": "busy", "count": 1})
    busy = await digest.get(STATUS)
    assert busy.status == 503
    body = busy.json()
    assert (body["statusCode"], body["statusString"]) == (2, "Device Busy")
    assert body["subStatusCode"] == "deviceBusy"
    assert (await digest.get(STATUS)).status == 200  # used up

    sim.fault("status", count=1, status_code=4, sub_status="notSupport")
    answer = await digest.get(INFO)
    assert answer.status == 200  # a 200 whose body says failure
    root, _, fields = xml_fields(answer.text)
    assert root == "ResponseStatus"
    assert fields["statusCode"].text == "4"
    assert fields["errorCode"].text == str(0x40000001)
    assert sim.fault_counts == {"busy": 1, "status": 1}


async def test_bodies_that_do_not_parse(sim: HikSimulator, digest: Digest) -> None:
    sim.fault("html", count=1)
    html = await digest.get(STATUS)
    assert html.status == 200
    assert html.headers["Content-Type"].startswith("text/html")
    sim.fault("http500", count=1)
    assert (await digest.get(STATUS)).status == 500
    sim.fault("malformed_json", count=1)
    with pytest.raises(ValueError, match=r"Unterminated|Expecting"):
        (await digest.get(STATUS)).json()


async def test_xml_where_json_was_asked(sim: HikSimulator, digest: Digest) -> None:
    sim.device.swipe(1)
    sim.fault("xml_for_json", path="AccessControl/AcsEvent")
    page = await digest.post_json(
        "/ISAPI/AccessControl/AcsEvent?format=json",
        {
            "AcsEventCond": {
                "searchID": "1",
                "searchResultPosition": 0,
                "maxResults": 5,
                "major": 0,
                "minor": 0,
            }
        },
    )
    assert page.headers["Content-Type"].startswith("application/xml")
    root, _, fields = xml_fields(page.text)
    assert root == "AcsEvent"
    assert fields["responseStatusStrg"].text == "OK"
    assert fields["numOfMatches"].text == "2"
    assert (
        (await digest.get(STATUS))
        .headers["Content-Type"]
        .startswith("application/json")
    )  # the path filter spares the rest


async def test_permission_refusals_are_not_failures(
    sim: HikSimulator, digest: Digest
) -> None:
    assert (await digest.get(INFO)).status == 200
    sim.fault("unauthorized", count=1, path="AccessControl/AcsEvent")
    sim.fault("forbidden", count=1, path="AccessControl/UserInfo")
    refused = await digest.post_json("/ISAPI/AccessControl/AcsEvent?format=json", {})
    assert refused.status == 401
    forbidden = await digest.get("/ISAPI/AccessControl/UserInfo/Count?format=json")
    assert forbidden.status == 403
    assert forbidden.json()["subStatusCode"] == "lowPrivilege"
    assert sim.auth.counted == 0


async def test_timeout_slow_and_drop(sim: HikSimulator, digest: Digest) -> None:
    assert (await digest.get(INFO)).status == 200
    sim.fault("timeout", count=1)
    with pytest.raises(asyncio.TimeoutError):
        await asyncio.wait_for(digest.signed("GET", INFO), 0.3)
    sim.fault("slow", count=1, delay=0.05)
    assert (await digest.signed("GET", INFO)).status == 200
    sim.fault("drop", count=2)  # (aiohttp retries an idempotent GET once)
    with pytest.raises(aiohttp.ClientError):
        await digest.signed("GET", INFO)
    assert (await digest.signed("GET", INFO)).status == 200


async def test_hanging_request_ends_with_the_app(
    sim: HikSimulator, digest: Digest
) -> None:
    await digest.get(INFO)
    fault = sim.fault("timeout")
    pending = asyncio.ensure_future(digest.signed("GET", INFO))
    await asyncio.wait_for(fault.arrived.wait(), 5)
    await asyncio.wait_for(sim.stop(), 5)
    with pytest.raises(aiohttp.ClientError):
        await asyncio.wait_for(pending, 5)


async def test_connection_limits(sim: HikSimulator, digest: Digest) -> None:
    sim.configure(max_requests=1, max_streams=1)
    await digest.get(INFO)
    fault = sim.fault("timeout", count=1)
    hanging = asyncio.ensure_future(digest.signed("GET", INFO))
    await asyncio.wait_for(fault.arrived.wait(), 5)
    busy = await digest.signed("GET", INFO)
    assert busy.status == 503
    assert busy.xml()["subStatusCode"] == "deviceBusy"
    hanging.cancel()

    response, stream = await open_stream(digest)
    assert stream is not None
    second, refused = await open_stream(digest)
    assert refused is None
    assert second.status == 503
    second.close()
    response.close()


async def test_offline_and_back(
    sim: HikSimulator, digest: Digest, session: aiohttp.ClientSession
) -> None:
    assert (await digest.get(INFO)).status == 200
    response, stream = await open_stream(digest)
    assert stream is not None
    await stream.part()
    await control(session, sim, "online", {"online": False})
    with pytest.raises((EOFError, aiohttp.ClientPayloadError, ConnectionError)):
        await stream.part()
    response.close()
    with pytest.raises(aiohttp.ClientError):
        await digest.signed("GET", INFO)
    sim.device.swipe(1)  # the device keeps logging while unreachable
    await control(session, sim, "online", {"online": True})
    assert (await digest.get(INFO)).status == 200
    assert (await digest.search(major=5, minor=1))["totalMatches"] == 1


async def test_unknown_url_and_bad_fault(
    sim: HikSimulator, digest: Digest, session: aiohttp.ClientSession
) -> None:
    answer = await digest.get("/ISAPI/Nothing/here")
    assert answer.status == 404
    assert answer.xml()["subStatusCode"] == "notSupport"
    async with session.post(f"{sim.url}/_sim/fault", json={"kind": "boom"}) as resp:
        assert resp.status == 400
    stats = await control(session, sim, "stats")
    assert stats["by_outcome"]["challenge"] >= 1
