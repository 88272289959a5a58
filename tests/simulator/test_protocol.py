"""The protocol endpoints and their quirks, as the client sees them."""

from __future__ import annotations

import json
import logging
from urllib.parse import quote

import pytest

from simulator import Simulator

from .conftest import Api

WINDOW = "begintime=2000-01-01+00:00:00&endtime=2099-12-31+23:59:59"


def pairs(text: str) -> list[list[tuple[str, object]]]:
    """Every object of a JSON text as its list of (key, value) pairs."""
    found: list[list[tuple[str, object]]] = []

    def hook(items: list[tuple[str, object]]) -> dict[str, object]:
        found.append(items)
        return dict(items)

    json.loads(text, object_pairs_hook=hook)
    return found


async def test_user_objects_carry_user_id_twice(sim: Simulator, api: Api) -> None:
    person = sim.site.people[0]
    for path, type_key in [
        ("users?usertype=0&orgname=&offset=0&rows=5", "userTypeName"),
        (f"user?usertype=0&userno={person.user_no}", "typeName"),
        (f"user/userno/{person.user_no}", "typeName"),
    ]:
        status, text = await api.raw(path)
        assert status == 200
        user = next(p for p in pairs(text) if p and p[0] == ("userId", person.user_id))
        keys = [k for k, _ in user]
        assert keys.count("userId") == 2, path
        assert keys[keys.index("userId", 1) + 1] == type_key
        assert dict(user)["userId"] == person.type_id  # a plain parser loses the id
    keyword = person.id_card[3:11]
    found = await api.get(f"user?usertype=0&userno={keyword}")
    assert found["data"]["userNo"] == person.user_no
    assert (await api.get("user/userno/1"))["status"] == 102
    _, text = await api.raw(f"user/userid/{person.user_id}")
    user = pairs(text)[0]
    assert [k for k, _ in user].count("userId") == 1
    assert dict(user)["userTypeId"] == person.type_id


async def test_shapes_of_the_examples(sim: Simulator, api: Api) -> None:
    door = sim.site.doors[0]
    state = await api.get(f"acs/device/door/state/{door.id}")
    assert state == {"status": 0, "msg": "success", "isOnline": 1, "isOpen": 0}

    types = await api.get("usertypes")
    assert set(types["data"][0]) == {"userId", "userName"}
    org = await api.get("org/name/" + quote("财务部"))
    assert org["data"]["parentId"] == str(sim.site.orgs[0].id)
    groups = await api.get("cardgroups")
    assert all(isinstance(g["id"], str) for g in groups["data"])
    devices = await api.get("acs/devices")
    assert all(isinstance(d["areaId"], str) for d in devices["data"])
    areas = await api.get("areas")
    assert {type(a["parentId"]) for a in areas["data"]} == {int, str}
    orgs = await api.get("orgs")
    assert any(o["gmtCreate"].endswith(".0") for o in orgs["data"])
    assert any(o["gmtModify"] == "" for o in orgs["data"])

    names = [d["doorName"] for d in (await api.get("acs/device/doors"))["data"]]
    assert names.count("门1") == 2
    twins = [d for d in sim.site.doors if d.name == "门1"]
    assert twins[0].controller_id != twins[1].controller_id


async def test_empty_results_and_bad_parameters(sim: Simulator, api: Api) -> None:
    for path in [
        "user/userid/1",
        "user/userno/nobody",
        "org/name/" + quote("不存在"),
        "acs/device/door/state/0123",
        f"acsrecords?isalarm=-1&{WINDOW}&offset=0&rows=10",
        "acs/alarmevent/notconfirmandclear",
        "acsrecords/areausers?areaid=0&begintime=&endtime=",
    ]:
        assert (await api.get(path))["status"] == 102, path
    assert (await api.get(f"acsrecords/count?&isalarm=0&{WINDOW}"))["data"] == 0

    for path in [
        f"acsrecords?isalarm=-1&{WINDOW}&offset=0&rows=1001",
        f"acsrecords?isalarm=-1&{WINDOW}&rows=10",
        f"acsrecords?isalarm=-1&{WINDOW}&offset=x&rows=10",
        "acsrecords/count?isalarm=0&begintime=&endtime=2099-12-31+23:59:59",
        "acsrecords/count?isalarm=0&begintime=2020-13-01+00:00:00&endtime=2099-12-31+23:59:59",
        "swipecardrecords/byid/count?isalarm=0",
        "users?offset=0&rows=1001",
        "user/userid/abc",
        "acs/device/doors/areaid/x",
    ]:
        assert (await api.get(path))["status"] == 101, path


async def test_records_filters_and_paging(sim: Simulator, api: Api) -> None:
    door = sim.site.doors[0]
    granted = sim.burst(5, [door.id])
    denied = sim.swipe(door.id, "00000001")
    assert denied.reason == 100
    sim.raise_alarm(door.id)

    count = await api.get(
        f"swipecardrecords/count?usertype=0&isalarm=-1&{WINDOW}&userno="
    )
    assert count["data"] == 6
    alarms = await api.get(f"acsrecords/count?isalarm=1&{WINDOW}")
    assert alarms["data"] == 2  # the refused swipe and the alarm
    normal = await api.get(f"swipecardrecords?isalarm=0&{WINDOW}&offset=1&rows=2")
    assert [r["recordId"] for r in normal["data"]] == [
        granted[1].record_id,
        granted[2].record_id,
    ]
    record = normal["data"][0]
    assert record["inOrOut"] in (1, 2)
    assert record["acsEventValue"] in (3, 4)

    for path in ["acsrecords/byid/", "acsrecords/byid"]:
        page = await api.get(
            f"{path}?id={granted[3].record_id}&isalarm=-1&offset=0&rows=10"
        )
        assert [r["recordId"] for r in page["data"]] == [
            granted[4].record_id,
            denied.record_id,
            denied.record_id + 1,
        ]
    one = await api.get(
        f"swipecardrecords?isalarm=-1&{WINDOW}&userno={granted[0].user_no}&offset=0&rows=10"
    )
    assert {r["userNo"] for r in one["data"]} == {granted[0].user_no}


async def test_area_users_follow_swipes(sim: Simulator, api: Api) -> None:
    server_room = next(d for d in sim.site.doors if d.name == "Server Room")
    swipe = sim.swipe(server_room.id)
    assert swipe.granted
    # the server room is a sub-area of the office building (161), inside the park (160)
    for area_id in (0, 160, 161, server_room.area_id):
        users = await api.get(
            f"acsrecords/areausers?areaid={area_id}&begintime=&endtime="
        )
        assert [u["userNo"] for u in users["data"]] == [swipe.user_no]
        assert "gmtAcsevttime" in users["data"][0]
    assert (await api.get("acsrecords/areausers?areaid=162"))["status"] == 102
    sim.swipe(server_room.id, swipe.card_no, reader="inside")
    assert (await api.get("acsrecords/areausers?areaid=0"))["status"] == 102


async def test_useraccessrecords_rows_zero_returns_all(
    sim: Simulator, api: Api, caplog: pytest.LogCaptureFixture
) -> None:
    sim.burst(3)
    page = await api.get(
        "useraccessrecords?begintime=&endtime=&userno=&offset=0&rows=2"
    )
    assert len(page["data"]) == 2
    assert set(page["data"][0]) >= {"evValue", "evName", "accessPassport", "inOut"}
    with caplog.at_level(logging.WARNING, logger="simulator"):
        everything = await api.get("useraccessrecords?begintime=&offset=0&rows=0")
    assert len(everything["data"]) == 3
    assert "rows=0" in caplog.text


async def test_alarms_until_cleared(sim: Simulator, api: Api) -> None:
    door = sim.site.doors[1]
    first = sim.raise_alarm(door.id)
    second = sim.raise_alarm(door.id, name="门长时间未关", event_type=28)
    data = (await api.get("acs/alarmevent/notconfirmandclear"))["data"]
    assert {a["alarmEventTroubleId"] for a in data} == {first, second}
    assert data[0]["cardName"] is None
    assert data[0]["field5"] is None
    sim.clear_alarm(first)
    data = (await api.get("acs/alarmevent/notconfirmandclear"))["data"]
    assert [a["alarmEventTroubleId"] for a in data] == [second]


async def test_long_urls_get_414(sim: Simulator, api: Api) -> None:
    ids = ",".join(c.id for c in sim.site.controllers)
    prefix = f"/api/v1/acs/device/eventcache/swipecard/{ids},"
    fits = prefix + "x" * (4096 - len(prefix))
    status, _ = await api.raw(fits.removeprefix("/api/v1/"))
    assert status == 200
    status, _ = await api.raw(fits.removeprefix("/api/v1/") + "x")
    assert status == 414
