"""The adapter against the simulator, over real HTTP on loopback.

Every endpoint, the quirks the simulator reproduces, the status codes, the
fault modes, paging past 1000 rows, the 4 KB split of controller ids, and the
credentials check that must move no door.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from custom_components.acs_bridge.adapters import (
    AccessReason,
    AcsAccountLockedError,
    AcsAuthenticationError,
    AcsConnectionError,
    AcsInvalidRequestError,
    AcsNotFoundError,
    AcsResponseError,
    AcsServerError,
    AcsTimeoutError,
    AlarmFilter,
    CardState,
    Direction,
    DoorState,
    RecordKind,
    WorkMode,
)
from custom_components.acs_bridge.adapters.ax_bs_http import (
    AxBsHttpV1Adapter,
    UserAccessRecordsQuery,
    UsersQuery,
)

from .conftest import PASSWORD, TIME_ZONE, USERNAME

type MakeAdapter = Callable[..., AxBsHttpV1Adapter]


def queries(sim: Any, endpoint: str) -> list[dict[str, str]]:
    """Return the query of every logged request to ``/api/v1/<endpoint>``."""
    path = "/api/v1/" + endpoint
    return [r.query for r in sim.requests if r.path.rstrip("/") == path.rstrip("/")]


# --- directory and people --------------------------------------------------------


async def test_directory(sim: Any, adapter: AxBsHttpV1Adapter) -> None:
    types = await adapter.person_types()
    assert [(t.id, t.name) for t in types] == [
        (t.id, t.name) for t in sim.site.person_types
    ]
    orgs = await adapter.organisations()
    assert [(o.id, o.name) for o in orgs] == [(o.id, o.name) for o in sim.site.orgs]
    root = next(o for o in orgs if o.id == sim.site.orgs[0].id)
    assert root.parent_id is None  # parentId 0 (or "0") is the root
    assert root.created is not None
    assert root.created.tzinfo is TIME_ZONE
    child = sim.site.orgs[-1]
    found = await adapter.organisation(child.name)
    assert found is not None
    assert found.id == child.id
    assert found.parent_id == (child.parent_id or None)
    assert await adapter.organisation("没有这个部门 / ?#") is None
    groups = await adapter.card_groups()
    assert [(g.id, g.name) for g in groups] == [
        (int(g.id), g.name) for g in sim.site.card_groups
    ]
    card_types = await adapter.card_types()
    assert [c.id for c in card_types] == [int(c.id) for c in sim.site.card_types]


async def test_people(sim: Any, adapter: AxBsHttpV1Adapter) -> None:
    people = sim.site.people
    assert await adapter.count_people() == len(people) == 40
    listed = [p async for p in adapter.client.iterate(UsersQuery(), page_size=7)]
    assert [p.user_id for p in listed] == [p.user_id for p in people]
    # userId twice in #5: the first is the user, the second the person type.
    assert [p.person_type_id for p in listed] == [p.type_id for p in people]
    assert [p.card_nos for p in listed] == [tuple(p.cards) for p in people]
    assert [q["offset"] for q in queries(sim, "users")] == [
        str(n) for n in range(0, 42, 7)
    ]

    staff = [p for p in people if p.type_id == 1897]
    assert await adapter.count_people(person_type_id=1897) == len(staff)
    assert [p.user_id async for p in adapter.people(person_type_id=1897)] == [
        p.user_id for p in staff
    ]
    org = sim.site.orgs[1]
    in_org = [p async for p in adapter.people(org_name=org.name)]
    assert await adapter.count_people(org_name=org.name) == len(in_org)


async def test_one_person(sim: Any, adapter: AxBsHttpV1Adapter) -> None:
    target = sim.site.people[5]
    for found in (
        await adapter.person(user_no=target.user_no),
        await adapter.person(user_id=target.user_id),
        await adapter.client.get_user(target.user_no),
        await adapter.client.get_user(target.user_no, person_type_id=target.type_id),
    ):
        assert found is not None
        assert found.user_id == target.user_id
        assert found.user_no == target.user_no
        assert found.name == target.name
        assert found.person_type_id == target.type_id
        assert found.person_type_name == target.type_name
        assert found.card_nos == tuple(target.cards)
        assert found.card_state is CardState(target.card_state)
    assert await adapter.person(user_no="no-such-person") is None
    assert await adapter.person(user_id=999_999) is None
    assert await adapter.client.get_user("no-such-person") is None
    with pytest.raises(ValueError, match="user_no or a user_id"):
        await adapter.person()


# --- site, doors and commands ------------------------------------------------------


async def test_site(sim: Any, adapter: AxBsHttpV1Adapter) -> None:
    areas = await adapter.areas()
    assert [(a.id, a.name, a.parent_id) for a in areas] == [
        (a.id, a.name, a.parent_id or None) for a in sim.site.areas
    ]
    controllers = await adapter.controllers()
    assert [(c.id, c.area_id, c.online) for c in controllers] == [
        (c.id, c.area_id, True) for c in sim.site.controllers
    ]
    doors = await adapter.doors()
    assert [(d.id, d.controller_id) for d in doors] == [
        (d.id, d.controller_id) for d in sim.site.doors
    ]
    area_id = sim.site.doors[0].area_id
    assert [d.id for d in await adapter.doors(area_id)] == [
        d.id for d in sim.site.doors if d.area_id == area_id
    ]
    empty_area = max(a.id for a in sim.site.areas) + 100
    assert await adapter.doors(empty_area) == []


async def test_door_state(sim: Any, adapter: AxBsHttpV1Adapter) -> None:
    first = sim.site.doors[0]
    assert await adapter.door_state(first.id) == DoorState(
        door_id=first.id, online=True, is_open=False
    )
    sim.set_door_open(first.id, True)
    assert (await adapter.door_state(first.id)).is_open
    other = next(d for d in sim.site.doors if d.controller_id != first.controller_id)
    sim.set_controller_online(other.controller_id, False, "通讯失败")
    assert not (await adapter.door_state(other.id)).online
    controller = next(
        c for c in await adapter.controllers() if c.id == other.controller_id
    )
    assert not controller.online
    assert controller.comm_error == "通讯失败"
    with pytest.raises(AcsNotFoundError) as err:
        await adapter.door_state("no-such-door")
    assert err.value.code == 102


async def test_door_states_bounded(sim: Any, make_adapter: MakeAdapter) -> None:
    adapter = make_adapter(sim.port, max_concurrent_requests=2)
    ids = [d.id for d in sim.site.doors]
    states = await adapter.door_states([*ids, ids[0], "no-such-door"])
    assert sorted(states) == sorted(ids)
    assert len(queries(sim, "acs/device/door/state/no-such-door")) == 1
    with pytest.raises(AcsNotFoundError):
        await adapter.door_states(["no-such-door"])
    assert await adapter.door_states([]) == {}


async def test_door_commands(sim: Any, adapter: AxBsHttpV1Adapter) -> None:
    door = sim.site.doors[0]
    await adapter.open_door(door.id)
    await adapter.close_door(door.id)
    await adapter.set_work_mode(door.id, WorkMode.NORMALLY_OPEN)
    assert [(c.action, c.door_id, c.mode) for c in sim.door_commands] == [
        ("open", door.id, None),
        ("close", door.id, None),
        ("workmode", door.id, 4),
    ]
    # The simulator masks the password in its log: it arrived as one segment.
    assert all("***" in r.path for r in sim.requests if "/door/open/" in r.path)
    with pytest.raises(AcsNotFoundError) as err:
        await adapter.open_door("no-such-door")
    assert err.value.code == 102
    assert len(sim.door_commands) == 3


@pytest.mark.parametrize(
    ("username", "password", "error", "code"),
    [
        (USERNAME, "wrong", AcsAuthenticationError, 105),
        ("nobody", PASSWORD, AcsAuthenticationError, 104),
    ],
)
async def test_door_command_refused(
    sim: Any,
    make_adapter: MakeAdapter,
    username: str,
    password: str,
    error: type[Exception],
    code: int,
) -> None:
    adapter = make_adapter(sim.port, username=username, password=password)
    with pytest.raises(error) as err:
        await adapter.open_door(sim.site.doors[0].id)
    assert type(err.value) is error
    assert err.value.code == code  # type: ignore[attr-defined]
    assert sim.door_commands == []


async def test_account_locked(sim: Any, make_adapter: MakeAdapter) -> None:
    wrong = make_adapter(sim.port, password="wrong")
    door = sim.site.doors[0].id
    for _ in range(5):
        with pytest.raises(AcsAuthenticationError) as err:
            await wrong.close_door(door)
    with pytest.raises(AcsAccountLockedError) as err:
        await make_adapter(sim.port).close_door(door)
    assert err.value.code == 106
    assert sim.door_commands == []


# --- the credentials check ------------------------------------------------------------


async def _door_states(sim: Any) -> list[tuple[bool, bool, int]]:
    return [(d.is_open, d.online, d.work_mode) for d in sim.site.doors]


async def test_check_credentials_moves_no_door(
    sim: Any, adapter: AxBsHttpV1Adapter
) -> None:
    sim.set_door_open(sim.site.doors[1].id, True)
    before = await _door_states(sim)
    await adapter.check_credentials()
    assert sim.door_commands == []
    assert await _door_states(sim) == before
    paths = [r.path for r in sim.requests]
    assert paths[0] == "/api/v1/acs/devices"
    assert paths[1] == (
        "/api/v1/acs/device/door/close/admin/***/"
        + AxBsHttpV1Adapter.CREDENTIALS_CHECK_DOOR_ID
    )


@pytest.mark.parametrize(
    ("username", "password", "error", "code"),
    [
        (USERNAME, "wrong password", AcsAuthenticationError, 105),
        ("nobody", PASSWORD, AcsAuthenticationError, 104),
    ],
)
async def test_check_credentials_refused(
    sim: Any,
    make_adapter: MakeAdapter,
    username: str,
    password: str,
    error: type[Exception],
    code: int,
) -> None:
    before = await _door_states(sim)
    adapter = make_adapter(sim.port, username=username, password=password)
    with pytest.raises(error) as err:
        await adapter.check_credentials()
    assert type(err.value) is error
    assert err.value.code == code  # type: ignore[attr-defined]
    assert sim.door_commands == []
    assert await _door_states(sim) == before


async def test_check_credentials_locked(sim: Any, make_adapter: MakeAdapter) -> None:
    wrong = make_adapter(sim.port, password="wrong")
    for _ in range(5):
        with pytest.raises(AcsAuthenticationError):
            await wrong.check_credentials()
    with pytest.raises(AcsAccountLockedError):
        await make_adapter(sim.port).check_credentials()
    sim.restart()  # unlocks the account
    await make_adapter(sim.port).check_credentials()
    assert sim.door_commands == []


async def test_check_credentials_without_password(
    sim: Any, make_adapter: MakeAdapter
) -> None:
    with pytest.raises(AcsAuthenticationError):
        await make_adapter(sim.port, password="").check_credentials()
    assert [r.path for r in sim.requests] == ["/api/v1/acs/devices"]


async def test_check_credentials_server_down(
    sim: Any, make_adapter: MakeAdapter
) -> None:
    adapter = make_adapter(sim.port)
    await sim.stop()
    with pytest.raises(AcsConnectionError):
        await adapter.check_credentials()


@pytest.mark.parametrize(
    ("kind", "error"),
    [("html", AcsResponseError), ("http500", AcsServerError)],
)
async def test_check_credentials_not_an_ax_server(
    sim: Any, adapter: AxBsHttpV1Adapter, kind: str, error: type[Exception]
) -> None:
    sim.fault(kind, path="acs/devices")
    with pytest.raises(error):
        await adapter.check_credentials()
    assert [r.path for r in sim.requests] == ["/api/v1/acs/devices"]


# --- records ----------------------------------------------------------------------------


async def test_records_by_id(sim: Any, adapter: AxBsHttpV1Adapter) -> None:
    assert await adapter.latest_record_id() is None
    assert await adapter.latest_record_id(kind=RecordKind.SWIPE) is None
    doors = sim.site.doors
    swipes = [
        sim.swipe(doors[0].id),
        sim.swipe(doors[1].id, reader="inside"),
        sim.swipe(doors[2].id, reason=109),
    ]
    alarm_id = sim.raise_alarm(doors[3].id)
    assert alarm_id
    first = swipes[0].record_id
    records = [r async for r in adapter.records_after(0)]
    assert [r.record_id for r in records][:3] == [s.record_id for s in swipes]
    assert records[0].direction is Direction.IN
    assert records[1].direction is Direction.OUT
    assert records[2].reason is AccessReason.ANTI_PASSBACK
    assert records[2].reason_code == 109
    assert not records[2].granted
    assert records[0].granted
    assert records[-1].is_alarm
    assert await adapter.count_records_after(0) == len(records)
    assert await adapter.latest_record_id() == records[-1].record_id
    assert await adapter.latest_record_id(kind=RecordKind.SWIPE) == swipes[-1].record_id

    swipe_only = [r async for r in adapter.records_after(0, kind=RecordKind.SWIPE)]
    assert [r.record_id for r in swipe_only] == [s.record_id for s in swipes]
    assert all(r.is_swipe for r in swipe_only)
    assert await adapter.count_records_after(first, kind=RecordKind.SWIPE) == 2
    alarms_only = [r async for r in adapter.records_after(0, alarms=AlarmFilter.ONLY)]
    assert [r.is_alarm for r in alarms_only] == [True] * len(alarms_only)
    assert alarms_only
    normal = [r async for r in adapter.records_after(0, alarms=AlarmFilter.EXCLUDE)]
    assert not any(r.is_alarm for r in normal)
    # (The slash before the query, quirk #7, is checked on the canned server.)
    assert queries(sim, "acsrecords/byid/")[0]["isalarm"] == "-1"


async def test_records_filtered_here(sim: Any, adapter: AxBsHttpV1Adapter) -> None:
    people = {p.user_no: p for p in sim.site.people}
    swipes = sim.burst(30)
    type_id = people[swipes[0].user_no].type_id
    expected = [s.record_id for s in swipes if people[s.user_no].type_id == type_id]
    got = [r.record_id async for r in adapter.records_after(0, person_type_id=type_id)]
    assert got == expected
    assert await adapter.count_records_after(0, person_type_id=type_id) == len(expected)
    assert await adapter.count_records_after(
        0, kind=RecordKind.SWIPE, person_type_id=type_id
    ) == len(expected)
    assert queries(sim, "swipecardrecords/byid/count")[-1]["usertype"] == str(type_id)

    now = datetime.now(UTC)
    start, end = now - timedelta(hours=1), now + timedelta(hours=1)
    user_no = swipes[0].user_no
    mine = [s.record_id for s in swipes if s.user_no == user_no]
    for kind in (RecordKind.ACCESS, RecordKind.SWIPE):
        got = [
            r.record_id
            async for r in adapter.records_between(
                start, end, kind=kind, user_no=user_no
            )
        ]
        assert got == mine
        assert await adapter.count_records_between(
            start, end, kind=kind, user_no=user_no
        ) == len(mine)
    assert await adapter.count_records_between(start, end) == 30
    assert len([r async for r in adapter.records_between(start, end)]) == 30
    assert await adapter.count_records_between(
        start, end, kind=RecordKind.ACCESS, person_type_id=type_id
    ) == len(expected)


async def test_time_parameters(sim: Any, adapter: AxBsHttpV1Adapter) -> None:
    """Aware times go to the server's zone; the space travels as a raw '+'."""
    start = datetime(2018, 9, 30, 16, 0, 0, tzinfo=UTC)  # 2018-10-01 00:00 +08:00
    end = datetime(2018, 10, 30, 23, 59, 59)  # noqa: DTZ001 - naive: server-local
    assert await adapter.count_records_between(start, end, kind=RecordKind.SWIPE) == 0
    query = queries(sim, "swipecardrecords/count")[-1]
    # aiohttp's server decodes '+' as a space, exactly like the real server.
    assert query["begintime"] == "2018-10-01 00:00:00"
    assert query["endtime"] == "2018-10-30 23:59:59"


async def test_paging_past_1000_rows(sim: Any, adapter: AxBsHttpV1Adapter) -> None:
    swipes = sim.burst(2345)
    ids = [r.record_id async for r in adapter.records_after(0, kind=RecordKind.SWIPE)]
    assert ids == [s.record_id for s in swipes]
    pages = queries(sim, "swipecardrecords/byid/")
    assert [(q["offset"], q["rows"]) for q in pages] == [
        ("0", "1000"),
        ("1000", "1000"),
        ("2000", "1000"),
    ]
    assert await adapter.count_records_after(0, kind=RecordKind.SWIPE) == 2345
    assert await adapter.latest_record_id(kind=RecordKind.SWIPE) == swipes[-1].record_id
    # An exact multiple of the page size ends on the empty page (102).
    ids = [r.record_id async for r in adapter.records_after(swipes[344].record_id)]
    assert len(ids) == 2000


async def test_passages_never_rows_0(sim: Any, make_adapter: MakeAdapter) -> None:
    adapter = make_adapter(sim.port, page_size=3)
    swipes = sim.burst(7)
    passages = [p async for p in adapter.passages()]
    assert [p.user_no for p in passages] == [s.user_no for s in swipes]
    assert all(p.direction is Direction.IN for p in passages)
    user_no = swipes[0].user_no
    mine = [p async for p in adapter.passages(user_no=user_no)]
    assert {p.user_no for p in mine} == {user_no}
    now = datetime.now(TIME_ZONE)
    assert len([p async for p in adapter.passages(now - timedelta(hours=1), now)]) == 7
    rows = [q["rows"] for q in queries(sim, "useraccessrecords")]
    assert rows
    assert "0" not in rows
    with pytest.raises(ValueError, match="1 to 1000"):
        await adapter.client.page(UserAccessRecordsQuery(), rows=0)


# --- real-time events -----------------------------------------------------------------


async def test_poll_events(sim: Any, adapter: AxBsHttpV1Adapter) -> None:
    controllers = [c.id for c in sim.site.controllers]
    assert await adapter.poll_events(controllers) == []
    doors = sim.site.doors
    outside = sim.swipe(doors[0].id)
    inside = sim.swipe(doors[3].id, reader="inside")
    refused = sim.swipe(doors[5].id, card_no="00000000")
    odd = sim.swipe(doors[6].id, reason=150)
    events = await adapter.poll_events(reversed(controllers))
    assert [e.event_id for e in events] == [
        outside.event_id,
        inside.event_id,
        refused.event_id,
        odd.event_id,
    ]
    assert [e.direction for e in events] == [
        Direction.IN,
        Direction.OUT,
        Direction.IN,
        Direction.IN,
    ]
    assert events[0].granted
    assert events[0].door_id == doors[0].id
    assert events[2].reason is AccessReason.CARD_NOT_FOUND
    assert events[2].reason_code == 100
    assert events[3].reason is AccessReason.UNKNOWN
    assert events[3].reason_code == 150
    # Only the controllers asked for.
    mine = await adapter.poll_events([doors[0].controller_id])
    assert {e.controller_id for e in mine} == {doors[0].controller_id}
    # The cache keeps an event for 2 s of the simulator's clock.
    clock = sim.clock
    sim.clock = lambda: clock() + 2.5
    assert await adapter.poll_events(controllers) == []
    assert AxBsHttpV1Adapter.event_polling is not None
    assert AxBsHttpV1Adapter.event_polling.maximum < 2.0  # the cache keeps 2 s


async def test_poll_events_split_at_4_kb(sim: Any, adapter: AxBsHttpV1Adapter) -> None:
    real = [c.id for c in sim.site.controllers]
    fake = [f"{n:032x}" for n in range(300)]  # 300 x 33 bytes: about 10 KB of ids
    ids = [*fake[:150], *real, *fake[150:]]
    swipes = [sim.swipe(d.id) for d in sim.site.doors]
    events = await adapter.poll_events(ids)
    assert [e.event_id for e in events] == sorted(s.event_id for s in swipes)
    requests = [r for r in sim.requests if "eventcache" in r.path]
    assert len(requests) == 3
    asked = [i for r in requests for i in r.path.rsplit("/", 1)[1].split(",")]
    assert sorted(asked) == sorted(ids)
    assert "http414" not in sim.stats.by_status
    # One URL with every id is refused by the server (HTTP 414).
    with pytest.raises(AcsInvalidRequestError):
        await adapter.client.get_realtime_swipes(ids)
    assert await adapter.poll_events([]) == []


async def test_poll_events_one_batch_fails(
    sim: Any, adapter: AxBsHttpV1Adapter
) -> None:
    ids = [f"{n:032x}" for n in range(300)]
    sim.fault("http500", count=1, path="acs/device/eventcache")
    with pytest.raises(AcsServerError):
        await adapter.poll_events(ids)
    assert len([r for r in sim.requests if "eventcache" in r.path]) == 3


async def test_event_ids_restart_with_the_server(
    sim: Any, adapter: AxBsHttpV1Adapter
) -> None:
    controllers = [c.id for c in sim.site.controllers]
    sim.burst(3)
    assert [e.event_id for e in await adapter.poll_events(controllers)] == [1, 2, 3]
    sim.restart()
    sim.swipe(sim.site.doors[0].id)
    assert [e.event_id for e in await adapter.poll_events(controllers)] == [1]


# --- alarms and areas ----------------------------------------------------------------------


async def test_alarms(sim: Any, adapter: AxBsHttpV1Adapter) -> None:
    assert await adapter.alarms() == []
    door = sim.site.doors[2]
    alarm_id = sim.raise_alarm(door.id)
    alarms = await adapter.alarms()
    assert [a.alarm_id for a in alarms] == [alarm_id]
    alarm = alarms[0]
    assert alarm.door_id == door.id
    assert alarm.name == "非法开门"
    assert alarm.event_code == 25
    assert alarm.user_id is None
    assert not alarm.acknowledged
    assert not alarm.cleared
    assert alarm.time is not None
    assert alarm.time.tzinfo is TIME_ZONE
    sim.clear_alarm(alarm_id)
    assert await adapter.alarms() == []


async def test_area_people(sim: Any, adapter: AxBsHttpV1Adapter) -> None:
    assert await adapter.area_people() == []
    door = sim.site.doors[0]
    entering = sim.swipe(door.id)
    inside = await adapter.area_people()
    assert [p.user_no for p in inside] == [entering.user_no]
    assert inside[0].area_id == door.area_id
    assert inside[0].time is not None
    assert await adapter.area_people(door.area_id) == inside
    now = datetime.now(TIME_ZONE)
    assert await adapter.area_people(None, now - timedelta(hours=1), now) == inside
    query = queries(sim, "acsrecords/areausers")[0]
    assert query == {"areaid": "0", "begintime": "", "endtime": ""}
    sim.swipe(door.id, entering.card_no, reader="inside")
    assert await adapter.area_people() == []


# --- status codes and faults ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "error"),
    [
        (101, AcsInvalidRequestError),
        (104, AcsAuthenticationError),
        (105, AcsAuthenticationError),
        (106, AcsAccountLockedError),
        (1, AcsServerError),
        (500, AcsServerError),
        (103, AcsServerError),
        (777, AcsServerError),
    ],
)
async def test_status_codes(
    sim: Any, adapter: AxBsHttpV1Adapter, status: int, error: type[Exception]
) -> None:
    sim.fault("status", status=status, count=1)
    with pytest.raises(error) as err:
        await adapter.controllers()
    assert type(err.value) is error
    assert err.value.code == status  # type: ignore[attr-defined]
    assert "acs/devices" in str(err.value)


async def test_status_102_means_empty(sim: Any, adapter: AxBsHttpV1Adapter) -> None:
    sim.fault("status", status=102)
    assert await adapter.controllers() == []
    assert await adapter.count_people() == 0
    assert await adapter.person(user_id=sim.site.people[0].user_id) is None
    assert await adapter.organisation(sim.site.orgs[0].name) is None
    assert [p async for p in adapter.people()] == []
    with pytest.raises(AcsNotFoundError) as err:
        await adapter.door_state(sim.site.doors[0].id)
    assert err.value.code == 102
    with pytest.raises(AcsNotFoundError):
        await adapter.open_door(sim.site.doors[0].id)


@pytest.mark.parametrize(
    ("kind", "error"),
    [
        ("http500", AcsServerError),
        ("malformed_json", AcsResponseError),
        ("html", AcsResponseError),
        ("drop", AcsConnectionError),
        ("timeout", AcsTimeoutError),
        ("slow", AcsTimeoutError),
    ],
)
async def test_faults(
    sim: Any, make_adapter: MakeAdapter, kind: str, error: type[Exception]
) -> None:
    # A short timeout only where the fault is a wait; the others must not time out
    # on a loaded machine before their answer arrives.
    waits = error is AcsTimeoutError
    adapter = make_adapter(sim.port, request_timeout=0.2 if waits else 10.0)
    sim.fault(kind, delay=30.0)  # until cleared: aiohttp retries a drop once
    with pytest.raises(error) as err:
        await adapter.doors()
    assert type(err.value) is error
    sim.clear_faults()
    assert len(await adapter.doors()) == len(sim.site.doors)


async def test_slow_but_in_time(sim: Any, adapter: AxBsHttpV1Adapter) -> None:
    sim.fault("slow", count=1, delay=0.0)
    assert len(await adapter.doors()) == len(sim.site.doors)
