"""Event search (paging, filters, serial range), counts, people, wrap and serial restart."""

from __future__ import annotations

from datetime import timedelta

import aiohttp

from simulator.hikvision import HikSimulator

from .conftest import Digest, control

ACS = "/ISAPI/AccessControl"


def fill(sim: HikSimulator, n: int) -> None:
    for i in range(n):
        sim.device.swipe(1 + i % 2, "card", granted=i % 3 != 0)


async def test_paging_caps_at_30(sim: HikSimulator, digest: Digest) -> None:
    fill(sim, 45)
    total = len(sim.device.log)
    assert total > 40
    seen: list[int] = []
    position = 0
    statuses = []
    while True:
        page = await digest.search(searchResultPosition=position, maxResults=50)
        statuses.append(page["responseStatusStrg"])
        assert page["totalMatches"] == total
        assert page["numOfMatches"] <= 30
        if page["responseStatusStrg"] == "NO MATCH":
            break
        seen += [item["serialNo"] for item in page["InfoList"]]
        position += page["numOfMatches"]
        if page["responseStatusStrg"] == "OK":
            break
    assert statuses[0] == "MORE"
    assert statuses[-1] == "OK"
    assert seen == list(range(1, total + 1))
    beyond = await digest.search(searchResultPosition=total)
    assert beyond["responseStatusStrg"] == "NO MATCH"
    assert beyond["numOfMatches"] == 0
    assert "InfoList" not in beyond


async def test_filters(sim: HikSimulator, digest: Digest) -> None:
    fill(sim, 6)
    sim.device.swipe(1, "face", employee_no="3")
    sim.device.tamper()
    face = await digest.search(major=5, minor=75)
    assert [i["minor"] for i in face["InfoList"]] == [75]
    item = face["InfoList"][0]
    assert item["cardNo"] == ""
    assert item["employeeNoString"] == "3"
    assert item["pictureURL"].endswith(item["pictureURL"].split("@")[1])
    for key in ("time", "doorNo", "cardReaderNo", "cardType", "name", "userType"):
        assert key in item
    assert item["currentVerifyMode"]
    alarms = await digest.search(major=1, minor=0)
    assert [(i["major"], i["minor"]) for i in alarms["InfoList"]] == [(1, 1028)]

    newest = await digest.search(timeReverseOrder=True, maxResults=1)
    assert newest["InfoList"][0]["minor"] == 1028

    # time window on the device clock (times with and without an offset)
    now = sim.device.now()
    later = (now + timedelta(minutes=10)).isoformat()
    assert (await digest.search(startTime=later))["totalMatches"] == 0
    naive_past = (now - timedelta(minutes=10)).replace(tzinfo=None).isoformat()
    everything = len(sim.device.log)
    assert (await digest.search(startTime=naive_past))["totalMatches"] == everything
    # a device clock that runs an hour behind hides what "now" would find
    sim.configure(clock_offset_seconds=-3600)
    clock = (await digest.get("/ISAPI/System/time")).xml()
    assert clock["localTime"] < (now - timedelta(minutes=59)).isoformat()
    assert clock["timeZone"] == "CST-8:00:00"
    sim.device.swipe(1)
    found = await digest.search(startTime=(now - timedelta(minutes=1)).isoformat())
    assert found["totalMatches"] == everything


async def test_serial_range(sim: HikSimulator, digest: Digest) -> None:
    fill(sim, 10)
    page = await digest.search(beginSerialNo=5, endSerialNo=8)
    assert [i["serialNo"] for i in page["InfoList"]] == [5, 6, 7, 8]

    sim.configure(serial_search=False)
    refused = await digest.post_json(
        f"{ACS}/AcsEvent?format=json",
        {
            "AcsEventCond": {
                "searchID": "x",
                "searchResultPosition": 0,
                "maxResults": 5,
                "major": 0,
                "minor": 0,
                "beginSerialNo": 5,
            }
        },
    )
    assert refused.status == 400
    body = refused.json()
    assert (body["statusCode"], body["subStatusCode"]) == (6, "badParameters")
    sim.configure(unsupported_search_fields="ignore")
    ignored = await digest.search(beginSerialNo=5, maxResults=3)
    assert [i["serialNo"] for i in ignored["InfoList"]] == [1, 2, 3]


async def test_bad_conditions(sim: HikSimulator, digest: Digest) -> None:
    lack = await digest.post_json(
        f"{ACS}/AcsEvent?format=json",
        {"AcsEventCond": {"searchID": "x", "searchResultPosition": 0}},
    )
    assert lack.status == 400
    assert lack.json()["subStatusCode"] == "MessageParametersLack"
    assert lack.json()["errorCode"] == 0x60000019
    broken = await digest.request("POST", f"{ACS}/AcsEvent?format=json", "{nope")
    assert broken.json()["subStatusCode"] == "badJsonFormat"


async def test_total_num(sim: HikSimulator, digest: Digest) -> None:
    fill(sim, 3)
    wrong_root = await digest.post_json(
        f"{ACS}/AcsEventTotalNum?format=json",
        {"AcsEventCond": {"major": 0, "minor": 0}},
    )
    assert wrong_root.status == 400
    assert wrong_root.json()["subStatusCode"] == "MessageParametersLack"
    right = await digest.post_json(
        f"{ACS}/AcsEventTotalNum?format=json",
        {"AcsEventTotalNumCond": {"major": 5, "minor": 0}},
    )
    assert right.json() == {"AcsEventTotalNum": {"totalNum": len(sim.device.log)}}


async def test_people(sim: HikSimulator, digest: Digest) -> None:
    count = (await digest.get(f"{ACS}/UserInfo/Count?format=json")).json()
    assert count["UserInfoCount"]["userNumber"] == 12
    cond = {"searchID": "p", "searchResultPosition": 10, "maxResults": 5}
    page = (
        await digest.post_json(
            f"{ACS}/UserInfo/Search?format=json", {"UserInfoSearchCond": cond}
        )
    ).json()["UserInfoSearch"]
    assert (page["responseStatusStrg"], page["numOfMatches"]) == ("OK", 2)
    assert page["totalMatches"] == 12
    assert [u["employeeNo"] for u in page["UserInfo"]] == ["11", "12"]
    one = {"searchID": "p", "searchResultPosition": 0, "maxResults": 5}
    one["EmployeeNoList"] = [{"employeeNo": "3"}]  # type: ignore[assignment]
    found = (
        await digest.post_json(
            f"{ACS}/UserInfo/Search?format=json", {"UserInfoSearchCond": one}
        )
    ).json()["UserInfoSearch"]
    assert [u["name"] for u in found["UserInfo"]] == [sim.device.people[2].name]
    cards = (
        await digest.post_json(
            f"{ACS}/CardInfo/Search?format=json", {"CardInfoSearchCond": one}
        )
    ).json()["CardInfoSearch"]
    assert cards["CardInfo"][0]["cardNo"] == sim.device.people[2].card_no


async def test_wrap_and_serial_restart(
    sim: HikSimulator, digest: Digest, session: aiohttp.ClientSession
) -> None:
    sim.configure(log_capacity=10)
    log = await control(session, sim, "log/fill", {"count": 15})
    assert (log["size"], log["first_serial"], log["last_serial"]) == (10, 6, 15)
    assert log["dropped"] == 5
    page = await digest.search(beginSerialNo=1, endSerialNo=7)
    assert [i["serialNo"] for i in page["InfoList"]] == [6, 7]  # 1..5 are gone

    log = await control(session, sim, "log/restart", {})
    assert (log["size"], log["next_serial"], log["restarts"]) == (0, 1, 1)
    event = await control(session, sim, "swipe", {"door": 1})
    assert event["serialNo"] == 1
    events = await control(session, sim, "events")
    assert [e["serialNo"] for e in events][:2] == [1, 2]
