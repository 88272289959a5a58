"""Capabilities, door parameters, work status and the door command cycle."""

from __future__ import annotations

import aiohttp
import pytest

from simulator.hikvision import HikSimulator

from .conftest import Digest, control, xml_fields

ACS = "/ISAPI/AccessControl"


def codes(sim: HikSimulator, since: int = 0) -> list[tuple[int, int]]:
    return [e.code for e in sim.device.log if e.serial_no > since]


async def status(digest: Digest) -> dict[str, list[int]]:
    answer = await digest.get(f"{ACS}/AcsWorkStatus?format=json")
    assert answer.status == 200
    data: dict[str, list[int]] = answer.json()["AcsWorkStatus"]
    return data


async def test_capabilities(sim: HikSimulator, digest: Digest) -> None:
    answer = await digest.get(f"{ACS}/RemoteControl/door/capabilities")
    root, _, fields = xml_fields(answer.text)
    assert root == "RemoteControlDoor"
    assert fields["doorNo"].attrib == {"min": "1", "max": "2"}
    assert fields["cmd"].attrib["opt"] == "open,close,alwaysOpen,alwaysClose"
    assert set(fields["password"].attrib) == {"min", "max"}

    sim.configure(doors=4, cmd_options=["open", "close", "alwaysOpen", "resume"])
    answer = await digest.get(f"{ACS}/RemoteControl/door/capabilities")
    fields = xml_fields(answer.text)[2]
    assert fields["doorNo"].attrib["max"] == "4"
    assert "resume" in fields["cmd"].attrib["opt"].split(",")

    flags = (await digest.get(f"{ACS}/capabilities")).xml()
    assert flags["isSupportRemoteControlDoor"] == "true"
    assert flags["isSupportAcsEvent"] == "true"
    assert not any("door" in k.lower() and "num" in k.lower() for k in flags)

    caps = (await digest.get(f"{ACS}/AcsEvent/capabilities?format=json")).json()
    cond = caps["AcsEvent"]["AcsEventCond"]
    assert cond["maxResults"] == {"@min": 1, "@max": 30}
    assert "beginSerialNo" in cond
    assert "endSerialNo" in cond
    sim.configure(serial_search=False)
    caps = (await digest.get(f"{ACS}/AcsEvent/capabilities?format=json")).json()
    assert "beginSerialNo" not in caps["AcsEvent"]["AcsEventCond"]


async def test_door_param_carries_passwords(sim: HikSimulator, digest: Digest) -> None:
    param = (await digest.get(f"{ACS}/Door/param/2")).xml()
    assert param["doorName"] == "Door 2"
    assert param["openDuration"] == "5"
    assert param["superPassword"]
    assert "remoteControlPassword" in param
    as_json = (await digest.get(f"{ACS}/Door/param/1?format=json")).json()
    assert as_json["DoorParam"]["doorName"] == "Door 1"
    missing = await digest.get(f"{ACS}/Door/param/3")
    assert missing.status == 400
    assert missing.xml()["subStatusCode"] == "badParameters"


async def test_work_status_is_padded(sim: HikSimulator, digest: Digest) -> None:
    data = await status(digest)
    for key in ("doorLockStatus", "magneticStatus", "doorStatus"):
        assert len(data[key]) == 126
    assert data["doorLockStatus"][:2] == [0, 0]
    assert data["doorStatus"][:2] == [4, 4]
    assert data["magneticStatus"][:2] == [0, 0]
    assert "cardReaderOnlineStatus" in data
    assert data["powerSupplyStatus"] == "ACPowerSupply"  # type: ignore[comparison-overlap]


async def test_open_relocks_after_open_duration(
    sim: HikSimulator, digest: Digest
) -> None:
    answer = await digest.door(1, "open")
    assert answer.status == 200
    assert answer.xml()["statusCode"] == "1"
    assert codes(sim) == [(3, 1024), (5, 21)]
    assert (await status(digest))["doorLockStatus"][:2] == [1, 0]
    remote = next(e for e in sim.device.log if e.code == (3, 1024))
    assert remote.net_user == "admin"
    assert remote.door_no == 1

    sim.advance(4.9)
    assert (await status(digest))["doorLockStatus"][0] == 1
    sim.advance(0.2)
    assert codes(sim)[-1] == (5, 22)
    assert (await status(digest))["doorLockStatus"][0] == 0


async def test_remain_open_and_closed(sim: HikSimulator, digest: Digest) -> None:
    assert (await digest.door(2, "alwaysOpen", bare_form=True)).status == 200
    assert codes(sim) == [(3, 1026), (5, 19), (5, 21)]
    data = await status(digest)
    assert data["doorStatus"][:2] == [4, 2]
    assert data["doorLockStatus"][:2] == [0, 1]
    sim.advance(60)  # stays unlocked
    assert (await status(digest))["doorLockStatus"][1] == 1

    last = sim.device.log.last_serial or 0
    assert (await digest.door(2, "alwaysClose")).status == 200
    assert codes(sim, last) == [(3, 1027), (5, 20), (5, 31), (5, 22)]
    assert (await status(digest))["doorStatus"][1] == 3
    assert (await digest.door(2, "open")).status == 200  # a disabled door stays shut
    assert (await status(digest))["doorLockStatus"][1] == 0

    last = sim.device.log.last_serial or 0
    assert (await digest.door(2, "close")).status == 200  # back to normal
    assert codes(sim, last) == [(3, 1025), (5, 32)]
    assert (await status(digest))["doorStatus"][1] == 4


async def test_resume_only_where_listed(sim: HikSimulator, digest: Digest) -> None:
    refused = await digest.door(1, "resume")
    assert refused.status == 400
    body = refused.xml()
    assert (body["statusCode"], body["subStatusCode"]) == ("4", "notSupport")
    assert body["errorCode"] == str(0x40000001)
    assert "errorMsg" in body
    sim.configure(cmd_options=["open", "alwaysOpen", "resume"])
    await digest.door(1, "alwaysOpen")
    assert (await digest.door(1, "resume")).status == 200
    assert (await status(digest))["doorStatus"][0] == 4


async def test_bad_commands(sim: HikSimulator, digest: Digest) -> None:
    unknown = await digest.door(1, "explode")
    assert unknown.status == 400
    assert unknown.xml()["statusCode"] == "6"
    broken = await digest.request(
        "PUT", f"{ACS}/RemoteControl/door/1", "<RemoteControlDoor><cmd>open"
    )
    assert broken.xml()["subStatusCode"] == "badXmlFormat"
    as_json = await digest.request(
        "PUT",
        f"{ACS}/RemoteControl/door/1?format=json",
        '{"RemoteControlDoor": {"cmd": "open"}}',
    )
    assert as_json.status == 200
    assert as_json.json()["statusCode"] == 1
    assert sim.device.commands == [(1, "open")]


async def test_remote_control_password(sim: HikSimulator, digest: Digest) -> None:
    sim.configure(remote_password="1234")
    flags = (await digest.get(f"{ACS}/capabilities")).xml()
    assert flags["isSupportRemoteControlPWChcek"] == "true"
    assert (await digest.door(1, "open")).status == 403
    body = (
        '<RemoteControlDoor xmlns="http://www.hikvision.com/ver20/XMLSchema">'
        "<cmd>open</cmd><password>1234</password></RemoteControlDoor>"
    )
    answer = await digest.request("PUT", f"{ACS}/RemoteControl/door/1", body)
    assert answer.status == 200
    assert sim.auth.counted == 0  # a wrong door password is no login failure


async def test_control_swipes_and_doors(
    sim: HikSimulator, session: aiohttp.ClientSession
) -> None:
    card = await control(session, sim, "swipe", {"door": 1, "method": "card"})
    assert (card["major"], card["minor"]) == (5, 1)
    assert card["cardNo"]
    face = await control(session, sim, "swipe", {"method": "face", "employee_no": "2"})
    assert (face["minor"], face["cardNo"], face["employeeNoString"]) == (75, "", "2")
    assert face["pictureURL"].startswith("http://")
    fp = await control(
        session, sim, "swipe", {"method": "fingerprint", "granted": False}
    )
    assert fp["minor"] == 49
    assert fp["cardNo"] == ""
    pw = await control(session, sim, "swipe", {"method": "password"})
    assert pw["minor"] == 181
    qr = await control(session, sim, "swipe", {"method": "qr", "granted": False})
    assert qr["minor"] == 9

    await control(session, sim, "door/event", {"door": 2, "kind": "forced"})
    await control(session, sim, "door/event", {"door": 2, "kind": "held_open"})
    await control(session, sim, "door/contact", {"door": 2, "open": False})
    tamper = await control(session, sim, "tamper", {"reader": True})
    duress = await control(session, sim, "duress", {"door": 1})
    assert (tamper["major"], tamper["minor"], duress["minor"]) == (1, 1030, 1034)
    assert [c for c in codes(sim) if c not in ((5, 21), (5, 22))] == [
        (5, 1),
        (5, 75),
        (5, 49),
        (5, 181),
        (5, 9),
        (5, 25),
        (5, 27),
        (5, 28),
        (5, 26),
        (1, 1030),
        (1, 1034),
    ]

    async with session.post(f"{sim.url}/_sim/swipe", json={"door": 9}) as response:
        assert response.status == 400
    async with session.post(f"{sim.url}/_sim/config", json={"nope": 1}) as response:
        assert response.status == 404
    async with session.post(f"{sim.url}/_sim/config", json={"doors": 3}) as response:
        assert response.status == 400
    assert sim.config.doors == 2


@pytest.mark.parametrize("count", [1, 4])
async def test_door_count(sim: HikSimulator, digest: Digest, count: int) -> None:
    sim.configure(doors=count)
    info = (await digest.get("/ISAPI/System/deviceInfo")).xml()
    assert info["electroLockNum"] == str(count)
    assert len(sim.device.doors) == count
