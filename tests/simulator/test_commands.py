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


class Clock:
    """The simulator's monotonic clock, moved by the test."""

    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


async def door_is_open(api: Api, door_id: str) -> bool:
    """Read the door's contact as a client does (#25)."""
    return (await api.get(f"acs/device/door/state/{door_id}"))["isOpen"] == 1


async def records(api: Api) -> list[str]:
    """The names of every access record, oldest first."""
    window = "begintime=2000-01-01+00:00:00&endtime=2099-12-31+23:59:59"
    answer = await api.get(f"acsrecords?isalarm=-1&{window}&offset=0&rows=100")
    return [r["acsEventName"] for r in answer["data"]]


def test_doors_have_their_own_open_times(sim: Simulator) -> None:
    """A few seconds each, and not all the same."""
    times = {d.name: d.open_time for d in sim.site.doors}
    assert all(2 <= t <= 10 for t in times.values()), times
    assert times["东门"] == 8
    assert times["财务室"] == 3
    assert len(set(times.values())) > 1


async def test_an_opened_door_relocks_after_its_open_time(
    sim: Simulator, api: Api
) -> None:
    """Open by command: open during the open time, then closed with a record."""
    clock = Clock()
    sim.clock = clock
    door = next(d for d in sim.site.doors if d.name == "东门")
    assert (await api.get(command("open", door.id)))["status"] == 0
    clock.now += door.open_time - 0.5
    assert await door_is_open(api, door.id)
    clock.now += 0.5
    assert not await door_is_open(api, door.id)
    assert not door.is_open
    assert await records(api) == ["软件开门", "门关闭"]
    # a second open restarts the open time; the records do not repeat the close
    assert (await api.get(command("open", door.id)))["status"] == 0
    clock.now += 2
    assert (await api.get(command("open", door.id)))["status"] == 0
    clock.now += door.open_time - 1
    assert await door_is_open(api, door.id)
    clock.now += 1
    assert not await door_is_open(api, door.id)
    assert (await records(api))[2:] == ["软件开门", "软件开门", "门关闭"]


async def test_doors_relock_each_after_their_own_time(sim: Simulator, api: Api) -> None:
    """Two doors opened together close at their own open times."""
    clock = Clock()
    sim.clock = clock
    short = next(d for d in sim.site.doors if d.name == "财务室")
    long = next(d for d in sim.site.doors if d.name == "东门")
    for door in (short, long):
        assert (await api.get(command("open", door.id)))["status"] == 0
    clock.now += short.open_time
    assert not await door_is_open(api, short.id)
    assert await door_is_open(api, long.id)
    clock.now += long.open_time - short.open_time
    assert not await door_is_open(api, long.id)


async def test_a_closed_door_stays_closed(sim: Simulator, api: Api) -> None:
    """Closed by command during its open time: no second close later."""
    clock = Clock()
    sim.clock = clock
    door = sim.site.doors[0]
    assert (await api.get(command("open", door.id)))["status"] == 0
    assert (await api.get(command("close", door.id)))["status"] == 0
    clock.now += door.open_time + 60
    assert not await door_is_open(api, door.id)
    assert await records(api) == ["软件开门", "软件关门"]


async def test_normally_open_holds_the_door(sim: Simulator, api: Api) -> None:
    """A door held by the normally-open mode stays open; released, it relocks."""
    clock = Clock()
    sim.clock = clock
    door = sim.site.doors[0]
    assert (await api.get(command("open", door.id)))["status"] == 0
    assert (await api.get(command("workmode", door.id) + "/4"))["status"] == 0
    clock.now += door.open_time + 60
    assert await door_is_open(api, door.id)
    assert (await api.get(command("open", door.id)))["status"] == 0
    clock.now += door.open_time + 60
    assert await door_is_open(api, door.id)
    # back to automatic: the lock engages after the open time
    assert (await api.get(command("workmode", door.id) + "/0"))["status"] == 0
    assert await door_is_open(api, door.id)
    clock.now += door.open_time
    assert not await door_is_open(api, door.id)
    assert (door.is_open, door.work_mode) == (False, 0)
    # normally closed while the door is open by command: closed at once, for good
    assert (await api.get(command("open", door.id)))["status"] == 0
    assert (await api.get(command("workmode", door.id) + "/5"))["status"] == 0
    assert not await door_is_open(api, door.id)
    assert (await records(api))[-2:] == ["软件开门", "软件设置常闭"]
    clock.now += door.open_time
    assert (await records(api))[-1] == "软件设置常闭"


async def test_settle_relocks_without_a_request(sim: Simulator) -> None:
    """``settle`` (each step of the demo traffic) closes a door nobody reads."""
    clock = Clock()
    sim.clock = clock
    door = sim.site.doors[0]
    assert sim.state.door_command("open", door.id) == (0, "success")
    clock.now += door.open_time
    assert door.is_open
    sim.state.settle()
    assert not door.is_open
