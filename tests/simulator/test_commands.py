"""Door commands: credentials in the path, account codes, effects."""

from __future__ import annotations

from urllib.parse import quote

from simulator import Simulator

from .conftest import PASSWORD, Api


def command(
    action: str, door_id: str, password: str = PASSWORD, user: str = "admin"
) -> str:
    """The path of a door command, segments percent-encoded like the client does."""
    return f"acs/device/door/{action}/{quote(user, safe='')}/{quote(password, safe='')}/{door_id}"


async def test_open_close_workmode(sim: Simulator, api: Api) -> None:
    door = sim.site.doors[0]

    def state() -> tuple[bool, int]:
        return door.is_open, door.work_mode

    assert await api.get(command("open", door.id)) == {"status": 0, "msg": "success"}
    assert state() == (True, 0)
    assert (await api.get(f"acs/device/door/state/{door.id}"))["isOpen"] == 1
    assert (await api.get(command("close", door.id)))["status"] == 0
    assert state() == (False, 0)
    assert (await api.get(command("workmode", door.id) + "/4"))["status"] == 0
    assert state() == (True, 4)
    assert (await api.get(command("workmode", door.id) + "/5"))["status"] == 0
    assert state() == (False, 5)
    assert [(c.action, c.door_id, c.mode) for c in sim.door_commands] == [
        ("open", door.id, None),
        ("close", door.id, None),
        ("workmode", door.id, 4),
        ("workmode", door.id, 5),
    ]
    window = "begintime=2000-01-01+00:00:00&endtime=2099-12-31+23:59:59"
    records = await api.get(f"acsrecords?isalarm=-1&{window}&offset=0&rows=10")
    assert [r["acsEventName"] for r in records["data"]][:2] == ["软件开门", "软件关门"]
    # the log never shows the password
    logged = [r.path for r in sim.requests if "/door/open/" in r.path]
    assert logged == [f"/api/v1/acs/device/door/open/admin/***/{door.id}"]
    assert not any(
        PASSWORD in r.path or quote(PASSWORD, safe="") in r.path for r in sim.requests
    )


async def test_account_codes_and_lock(sim: Simulator, api: Api) -> None:
    door = sim.site.doors[0]
    assert (await api.get(command("open", door.id, user="nobody")))["status"] == 104
    for _ in range(5):
        assert (await api.get(command("open", door.id, password="wrong")))[
            "status"
        ] == 105
    assert (await api.get(command("open", door.id)))["status"] == 106
    assert not door.is_open
    assert sim.door_commands == []
    sim.restart()
    assert (await api.get(command("open", door.id)))["status"] == 0


async def test_door_and_mode_errors(sim: Simulator, api: Api) -> None:
    door = sim.site.doors[0]
    # the account is checked first
    assert (await api.get(command("open", "nosuchdoor", password="x")))["status"] == 105
    assert (await api.get(command("open", "nosuchdoor")))["status"] == 102
    assert (await api.get(command("workmode", door.id) + "/9"))["status"] == 101
    assert (await api.get(command("workmode", door.id) + "/x"))["status"] == 101
    sim.set_controller_online(door.controller_id, False, "连接超时")
    answer = await api.get(command("open", door.id))
    assert answer["status"] == 1
    assert answer["msg"]
    state = await api.get(f"acs/device/door/state/{door.id}")
    assert state["isOnline"] == 0
    devices = (await api.get("acs/devices"))["data"]
    device = next(d for d in devices if d["deviceId"] == door.controller_id)
    assert (device["isOnline"], device["commErrorMsg"]) == (0, "连接超时")
    sim.set_controller_online(door.controller_id, True)
    sim.set_door_online(door.id, False)
    assert (await api.get(command("close", door.id)))["status"] == 1
    assert sim.door_commands == []
    # an unencoded slash in the password does not reach the door
    status, _ = await api.raw(f"acs/device/door/open/admin/a/b/{door.id}")
    assert status == 404
