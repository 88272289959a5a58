"""The client against the Hikvision simulator over real HTTP on 127.0.0.1."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
import contextlib
from dataclasses import replace
from typing import Any

import aiohttp
import pytest

from custom_components.acs_bridge.adapters.exceptions import (
    AcsAccountLockedError,
    AcsAuthenticationError,
    AcsConnectionError,
    AcsError,
    AcsPermissionError,
    AcsResponseError,
)
from custom_components.acs_bridge.adapters.hikvision_isapi import (
    HikvisionIsapiClient,
    LoginGuard,
    TransportSettings,
)
from custom_components.acs_bridge.adapters.hikvision_isapi.codes import (
    Method,
    describe,
)
from custom_components.acs_bridge.adapters.hikvision_isapi.decode import DeviceBusyError
from custom_components.acs_bridge.adapters.hikvision_isapi.models import (
    DoorMode,
    LockStatus,
    StreamItem,
    StreamItemKind,
)
from custom_components.acs_bridge.adapters.hikvision_isapi.replay import (
    GapNotice,
    SerialReplay,
    SerialRestartNotice,
)
from simulator.hikvision import HikConfig, HikSimulator

SIM_PASSWORD = "Hik12345!"


@pytest.fixture
def config() -> HikConfig:
    return HikConfig(doors=2, heartbeat_period=None)


@pytest.fixture
async def sim(config: HikConfig) -> AsyncIterator[HikSimulator]:
    simulator = HikSimulator(config)
    await simulator.start(host="127.0.0.1", port=0)
    try:
        yield simulator
    finally:
        await simulator.stop()


def client_for(
    session: aiohttp.ClientSession,
    sim: HikSimulator,
    *,
    password: str = SIM_PASSWORD,
    guard: LoginGuard | None = None,
    **settings: Any,
) -> HikvisionIsapiClient:
    options: dict[str, Any] = {
        "request_timeout": 5.0,
        "min_interval": 0.0,
        "busy_backoff": 0.0,
    }
    options.update(settings)
    return HikvisionIsapiClient(
        session,
        host="127.0.0.1",
        port=sim.port,
        username="admin",
        password=password,
        guard=guard,
        settings=TransportSettings(**options),
    )


@pytest.fixture
def client(session: aiohttp.ClientSession, sim: HikSimulator) -> HikvisionIsapiClient:
    return client_for(session, sim)


class StreamReader:
    """Reads the alert stream into a queue in the background."""

    def __init__(self, client: HikvisionIsapiClient, stall_timeout: float = 30) -> None:
        self.items: asyncio.Queue[StreamItem | AcsError] = asyncio.Queue()
        self._task = asyncio.ensure_future(self._run(client, stall_timeout))

    async def _run(self, client: HikvisionIsapiClient, stall_timeout: float) -> None:
        try:
            async with contextlib.aclosing(
                client.alert_stream(stall_timeout)
            ) as stream:
                async for item in stream:
                    self.items.put_nowait(item)
        except AcsError as err:
            self.items.put_nowait(err)

    async def next(self) -> StreamItem | AcsError:
        return await asyncio.wait_for(self.items.get(), 5)

    async def next_event(self) -> StreamItem:
        while True:
            item = await self.next()
            assert not isinstance(item, AcsError), item
            if item.kind is StreamItemKind.EVENT:
                return item

    async def close(self) -> None:
        self._task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await self._task


@pytest.fixture
async def reader_factory() -> AsyncIterator[Any]:
    readers: list[StreamReader] = []

    def make(client: HikvisionIsapiClient, stall_timeout: float = 30) -> StreamReader:
        reader = StreamReader(client, stall_timeout)
        readers.append(reader)
        return reader

    yield make
    for reader in readers:
        await reader.close()


async def test_identity_capabilities_and_doors(
    client: HikvisionIsapiClient, sim: HikSimulator
) -> None:
    info = await client.device_info()
    assert info.serial == sim.config.serial_number
    assert info.model == sim.config.model
    caps = await client.access_control_capabilities()
    assert caps.supports("RemoteControlDoor")
    doors = await client.door_capabilities()
    assert doors.door_count == 2
    assert "resume" not in doors.commands
    events = await client.event_capabilities()
    assert events.serial_range
    assert events.max_results == 30
    param = await client.door_param(1)
    assert param.name
    status = await client.work_status(doors.door_count)
    assert len(status.doors) == 2
    assert status.doors[0].lock is LockStatus.LOCKED
    assert status.doors[0].mode is DoorMode.NORMAL


async def test_remote_control_moves_the_door_and_is_logged(
    client: HikvisionIsapiClient, sim: HikSimulator
) -> None:
    await client.remote_control(1, "alwaysOpen")
    status = await client.work_status(2)
    assert status.doors[0].lock is LockStatus.UNLOCKED
    assert status.doors[0].mode is DoorMode.REMAIN_OPEN
    await client.remote_control(1, "close", namespaced=False)
    assert (await client.work_status(2)).doors[0].mode is DoorMode.NORMAL
    codes = [(e.major, e.minor) async for e in client.search_events(major=3)]
    assert (3, 1026) in codes
    assert (3, 1025) in codes


async def test_remote_control_password(
    session: aiohttp.ClientSession, sim: HikSimulator
) -> None:
    sim.configure(remote_password="4321")
    client = client_for(session, sim)
    with pytest.raises(AcsError):
        await client.remote_control(1, "open", password="0000")
    await client.remote_control(1, "open", password="4321")
    assert sim.device.commands[-1] == (1, "open")


@pytest.mark.parametrize(
    "serial_search", [True, False], ids=["serial_range", "time_window"]
)
async def test_search_pages_and_resumes_after_a_serial(
    session: aiohttp.ClientSession, sim: HikSimulator, serial_search: bool
) -> None:
    sim.configure(serial_search=serial_search)
    for n in range(70):
        sim.device.swipe(1 + n % 2, "card" if n % 3 else "face")
    client = client_for(session, sim)
    everything = [e async for e in client.search_events()]
    serials = [e.serial_no for e in everything]
    assert serials == sorted(serials)
    assert len(serials) == len(set(serials)) == len(sim.device.log)
    middle = serials[len(serials) // 2]
    after = [e.serial_no async for e in client.search_events(after_serial=middle)]
    assert after == [s for s in serials if s > middle]
    assert await client.count_events() == len(serials)
    faces = [e for e in everything if (e.major, e.minor) == (5, 75)]
    assert faces
    assert all(
        e.card_no is None and describe(e.major, e.minor).method is Method.FACE
        for e in faces
    )


async def test_users(client: HikvisionIsapiClient, sim: HikSimulator) -> None:
    users = [u async for u in client.search_users()]
    assert len(users) == sim.config.people == await client.count_users()
    assert len({u.employee_no for u in users}) == len(users)


async def test_wrong_password_never_locks_the_account(
    session: aiohttp.ClientSession, sim: HikSimulator
) -> None:
    stored = LoginGuard(max_refusals=2).to_dict()
    for _ in range(6):  # six tries, each after a restart: the count is persisted
        guard = LoginGuard.from_dict(stored)
        with pytest.raises(AcsAuthenticationError):
            await client_for(session, sim, password="wrong", guard=guard).device_info()
        stored = guard.to_dict()
    assert not sim.auth.locked
    assert [r.outcome for r in sim.requests].count("failed") <= 2


async def test_known_good_password_changed_stops_before_the_lock(
    session: aiohttp.ClientSession, sim: HikSimulator
) -> None:
    client = client_for(session, sim)
    await client.device_info()
    sim.configure(password="changed-on-device")
    for _ in range(5):
        with pytest.raises(AcsAuthenticationError):
            await client.work_status(1)
    assert client.guard.stopped
    assert not sim.auth.locked
    assert [r.outcome for r in sim.requests].count("failed") <= 3


async def test_locked_account(
    session: aiohttp.ClientSession, sim: HikSimulator
) -> None:
    sim.auth.lock(1200)
    client = client_for(session, sim)
    with pytest.raises(AcsAccountLockedError) as err:
        await client.device_info()
    assert err.value.retry_after is not None
    assert 0 < err.value.retry_after <= 1200


async def test_permission_401_and_403(
    client: HikvisionIsapiClient, sim: HikSimulator
) -> None:
    await client.device_info()
    sim.fault("unauthorized", path="AccessControl/AcsEvent")
    with pytest.raises(AcsPermissionError):
        [e async for e in client.search_events()]
    assert not client.guard.stopped
    sim.clear_faults()
    sim.fault("forbidden", path="AccessControl/AcsWorkStatus")
    with pytest.raises(AcsPermissionError):
        await client.work_status(1)
    assert client.guard.refusals == 0


async def test_stream_forbidden(
    client: HikvisionIsapiClient, sim: HikSimulator, reader_factory: Any
) -> None:
    sim.configure(stream_forbidden=True)
    reader = reader_factory(client)
    assert isinstance(await reader.next(), AcsPermissionError)


@pytest.mark.parametrize(
    ("kind", "error"),
    [
        ("busy", DeviceBusyError),
        ("html", AcsResponseError),
        ("malformed_json", AcsResponseError),
    ],
)
async def test_device_faults(
    client: HikvisionIsapiClient, sim: HikSimulator, kind: str, error: type[Exception]
) -> None:
    sim.fault(kind, path="AccessControl/AcsWorkStatus")
    with pytest.raises(error):
        await client.work_status(1)


async def test_busy_then_ok_and_xml_for_json(
    client: HikvisionIsapiClient, sim: HikSimulator
) -> None:
    sim.fault("busy", path="AccessControl/AcsWorkStatus", count=2)
    assert len((await client.work_status(2)).doors) == 2
    sim.fault("xml_for_json", path="AccessControl/AcsWorkStatus")
    assert (await client.work_status(2)).doors[0].lock is LockStatus.LOCKED


@pytest.mark.parametrize(
    "variant",
    [
        {},
        {"part_format": "xml", "xml_namespace": "hikvision"},
        {"multipart_subtype": "form-data", "boundary": "boundary", "json_tabs": True},
    ],
    ids=["json", "xml", "form_data"],
)
async def test_stream_events_heartbeats_and_pictures(
    client: HikvisionIsapiClient,
    sim: HikSimulator,
    reader_factory: Any,
    variant: dict[str, Any],
) -> None:
    sim.configure(**variant)
    sim.device.swipe(1, "card")
    await client.device_info()
    sim.hub.connected.clear()
    reader = reader_factory(client)
    await asyncio.wait_for(sim.hub.connected.wait(), 5)
    first = await reader.next_event()
    assert first.event is not None
    face = sim.device.swipe(2, "face")
    sim.hub.act("heartbeat")
    kinds: list[tuple[StreamItemKind, int | None]] = []
    while True:
        item = await reader.next()
        assert not isinstance(item, AcsError)
        kinds.append((item.kind, item.event.serial_no if item.event else None))
        if item.kind is StreamItemKind.HEARTBEAT:
            break
    assert (StreamItemKind.EVENT, face.serial_no) in kinds


async def test_stream_drop_is_a_connection_error(
    client: HikvisionIsapiClient, sim: HikSimulator, reader_factory: Any
) -> None:
    sim.hub.connected.clear()
    reader = reader_factory(client)
    await asyncio.wait_for(sim.hub.connected.wait(), 5)
    sim.hub.act("drop")
    while not isinstance(item := await reader.next(), AcsError):
        pass
    assert isinstance(item, AcsConnectionError)


async def _catch_up(client: HikvisionIsapiClient, replay: SerialReplay) -> list[Any]:
    """Drive one connect: hold live events, search, release."""
    replay.connected()
    if replay.search_from is not None:
        replay.search_events(
            [e async for e in client.search_events(after_serial=replay.search_from)]
        )
    return [replay.caught_up()]


async def test_replay_end_to_end_after_an_outage(
    client: HikvisionIsapiClient, sim: HikSimulator, reader_factory: Any
) -> None:
    sim.configure(history_mode="all")
    for _ in range(5):
        sim.device.swipe(1)
    replay = SerialReplay(
        sim.device.log.last_serial
        if hasattr(sim.device.log, "last_serial")
        else max(e.serial_no for e in sim.device.log)
    )
    cursor = replay.last_serial
    for _ in range(7):  # while we were away
        sim.device.swipe(1, "fingerprint")
    sim.hub.connected.clear()
    reader = reader_factory(client)
    await asyncio.wait_for(sim.hub.connected.wait(), 5)
    replay.connected()
    found = [e async for e in client.search_events(after_serial=replay.search_from)]
    replay.search_events(found)
    live = sim.device.swipe(2, "card")  # happens during the catch-up (and unlocks)
    newest = max(e.serial_no for e in sim.device.log)
    delivered = []
    while True:  # the whole log is re-sent (history), then 3/121, then the live swipe
        item = await reader.next_event()
        assert item.event is not None
        step = replay.stream_event(item.event)
        delivered += step.deliveries
        if item.event.serial_no == newest:
            break
    assert delivered == []  # nothing while catching up
    step = replay.caught_up()
    delivered += step.deliveries
    serials = [d.event.serial_no for d in delivered]
    expected = [
        e.serial_no
        for e in sim.device.log
        if e.serial_no > cursor and (e.major, e.minor) not in {(3, 121), (3, 122)}
    ]
    assert serials == expected
    assert {d.event.serial_no for d in delivered if not d.replayed} >= {
        live.serial_no,
        newest,
    }
    assert all(d.replayed for d in delivered if d.event.serial_no <= cursor + 7)
    assert step.notices == ()


async def test_replay_reports_a_wrapped_log_and_a_serial_restart(
    client: HikvisionIsapiClient, sim: HikSimulator
) -> None:
    sim.configure(log_capacity=50)
    sim.device.swipe(1)
    replay = SerialReplay(max(e.serial_no for e in sim.device.log))
    sim.device.fill(120)  # the log wraps past our cursor
    [step] = await _catch_up(client, replay)
    assert isinstance(step.notices[0], GapNotice)
    assert step.notices[0].lost > 0
    assert replay.last_serial == max(e.serial_no for e in sim.device.log)
    previous = replay.last_serial
    sim.restart_serial(drop_streams=False)
    event = sim.device.swipe(1)
    [found] = [
        e async for e in client.search_events() if e.serial_no == event.serial_no
    ]
    result = replay.stream_event(
        replace(found, current_event=True)
    )  # as the stream sends it
    assert result.notices == (SerialRestartNotice(previous, event.serial_no),)
    assert [d.event.serial_no for d in result.deliveries] == [event.serial_no]
