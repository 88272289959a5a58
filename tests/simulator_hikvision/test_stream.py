"""The alert stream: own 3/121, re-sent history, live parts, pictures, heartbeats,
variants of older firmware, and stream faults."""

from __future__ import annotations

import asyncio
import json

import aiohttp
import pytest

from simulator.hikvision import HikSimulator

from .conftest import Digest, Stream, control, open_stream, xml_fields

BROKEN = (
    EOFError,
    aiohttp.ClientPayloadError,
    asyncio.IncompleteReadError,
    ConnectionError,
)


async def connected(digest: Digest) -> tuple[aiohttp.ClientResponse, Stream]:
    response, stream = await open_stream(digest)
    assert stream is not None, response.status
    return response, stream


async def test_connect_sends_own_event_then_history(
    sim: HikSimulator, digest: Digest
) -> None:
    for _ in range(8):
        sim.device.emit((5, 26), door_no=1)
    response, stream = await connected(digest)
    assert response.headers["Content-Type"] == "multipart/mixed; boundary=MIME_boundary"
    first = await stream.part()
    assert (
        first.headers["Content-Disposition"]
        == 'form-data; name="AccessControllerEvent"'
    )
    assert first.headers["Content-Type"].startswith("application/json")
    own = first.event
    assert (own["majorEventType"], own["subEventType"]) == (3, 121)
    assert own["serialNo"] == 9
    assert own["currentEvent"] is True
    history = [(await stream.part()).event for _ in range(5)]
    assert [e["serialNo"] for e in history] == [4, 5, 6, 7, 8]
    assert all(e["currentEvent"] is False for e in history)
    assert [e["frontSerialNo"] for e in history] == [3, 4, 5, 6, 7]

    sim.hub.disconnected.clear()
    response.close()
    await asyncio.wait_for(sim.hub.disconnected.wait(), 5)
    assert sim.device.log.last(1)[0].code == (3, 122)


async def test_live_face_event_and_picture(sim: HikSimulator, digest: Digest) -> None:
    response, stream = await connected(digest)
    await stream.part()  # 3/121
    sim.device.swipe(1, "face", employee_no="4")
    part = await stream.part()
    alert = part.alert
    assert alert["eventType"] == "AccessControllerEvent"
    assert alert["eventState"] == "active"
    assert alert["ipAddress"]
    assert alert["macAddress"] == sim.config.mac_address
    assert alert["dateTime"].endswith("+08:00")
    event = alert["AccessControllerEvent"]
    assert "dateTime" not in event
    assert (event["majorEventType"], event["subEventType"]) == (5, 75)
    assert event["cardNo"] == ""
    assert event["employeeNoString"] == "4"
    assert event["currentEvent"] is True
    assert event["picturesNumber"] == 1
    for key in ("serialNo", "frontSerialNo", "doorNo", "name", "currentVerifyMode"):
        assert key in event
    picture = await stream.part()
    assert picture.headers["Content-Type"] == "image/jpeg"
    assert 'name="Picture"' in picture.headers["Content-Disposition"]
    assert picture.body[:2] == b"\xff\xd8"
    assert int(picture.headers["Content-Length"]) == len(picture.body)
    unlocked = (await stream.part()).event
    assert (unlocked["majorEventType"], unlocked["subEventType"]) == (5, 21)
    response.close()


async def test_heartbeats(sim: HikSimulator, digest: Digest) -> None:
    response, stream = await connected(digest)
    await stream.part()
    sim.advance(10)
    beat = (await stream.part()).alert
    assert (beat["eventType"], beat["eventState"]) == ("videoloss", "inactive")
    assert "AccessControllerEvent" not in beat
    assert sim.hub.subscribers[0].heartbeats_sent == 1

    sim.configure(heartbeat_period=None)  # firmware that sends none
    sim.advance(300)
    sim.device.emit((5, 25), door_no=1)
    assert (await stream.part()).event["subEventType"] == 25
    response.close()


async def test_whole_log_history(sim: HikSimulator, digest: Digest) -> None:
    sim.configure(history_mode="all")
    sim.device.fill(40)
    response, stream = await connected(digest)
    await stream.part()
    history = [(await stream.part()).event for _ in range(40)]
    assert [e["serialNo"] for e in history] == list(range(1, 41))
    assert not any(e["currentEvent"] for e in history)
    response.close()


async def test_older_firmware_variants(sim: HikSimulator, digest: Digest) -> None:
    sim.configure(
        part_format="xml",
        boundary="boundary",
        multipart_subtype="form-data",
        times_with_offset=False,
        history_mode="none",
        xml_namespace="hikvision",
    )
    sim.device.emit((5, 1), door_no=1)
    response, stream = await connected(digest)
    assert response.headers["Content-Type"] == "multipart/form-data; boundary=boundary"
    part = await stream.part()
    assert part.headers["Content-Type"].startswith("application/xml")
    root, ns, fields = xml_fields(part.body.decode())
    assert (root, ns) == (
        "EventNotificationAlert",
        "http://www.hikvision.com/ver20/XMLSchema",
    )
    assert len(fields["dateTime"].text or "") == 19  # no offset
    nested = {c.tag.rsplit("}", 1)[-1]: c.text for c in fields["AccessControllerEvent"]}
    assert (nested["majorEventType"], nested["subEventType"]) == ("3", "121")
    response.close()


async def test_tab_indented_json(sim: HikSimulator, digest: Digest) -> None:
    sim.configure(json_tabs=True)
    response, stream = await connected(digest)
    part = await stream.part()
    assert b"\n\t" in part.body
    assert json.loads(part.body)["AccessControllerEvent"]["subEventType"] == 121
    response.close()


async def test_stream_forbidden(sim: HikSimulator, digest: Digest) -> None:
    sim.configure(stream_forbidden=True)
    response, stream = await open_stream(digest)
    assert stream is None
    assert response.status == 403
    body = await response.text()
    assert "lowPrivilege" in body
    assert sim.auth.counted == 0


async def test_stall_loses_parts_but_keeps_tcp(
    sim: HikSimulator, digest: Digest, session: aiohttp.ClientSession
) -> None:
    response, stream = await connected(digest)
    await stream.part()
    assert (await control(session, sim, "stream/stall", {}))["streams"] == 1
    sim.device.emit((5, 25), door_no=1)  # lost from the stream
    sim.advance(30)  # no heartbeat either
    await control(session, sim, "stream/resume", {})
    sim.device.emit((5, 26), door_no=1)
    assert (await stream.part()).event["subEventType"] == 26
    response.close()


@pytest.mark.parametrize("action", ["drop", "truncate"])
async def test_drop_and_truncate(
    sim: HikSimulator, digest: Digest, session: aiohttp.ClientSession, action: str
) -> None:
    response, stream = await connected(digest)
    await stream.part()
    await control(session, sim, f"stream/{action}", {})
    with pytest.raises(BROKEN):
        await stream.part()
    response.close()


async def test_malformed_part_then_more(
    sim: HikSimulator, digest: Digest, session: aiohttp.ClientSession
) -> None:
    response, stream = await connected(digest)
    await stream.part()
    await control(session, sim, "stream/malformed", {})
    bad = await stream.part()
    with pytest.raises(ValueError, match=r"Unterminated|Expecting"):
        json.loads(bad.body)
    sim.device.emit((5, 25), door_no=1)
    assert (await stream.part()).event["subEventType"] == 25
    response.close()


async def test_stop_ends_open_streams(sim: HikSimulator, digest: Digest) -> None:
    response, stream = await connected(digest)
    await stream.part()
    await asyncio.wait_for(sim.stop(), 5)
    with pytest.raises(BROKEN):
        await asyncio.wait_for(stream.part(), 5)
    response.close()
