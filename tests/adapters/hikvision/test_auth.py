"""Digest and the login guard against a scripted device: never lock the account."""

from __future__ import annotations

import contextlib

import pytest

from custom_components.acs_bridge.adapters.exceptions import (
    AcsAccountLockedError,
    AcsAuthenticationError,
    AcsPermissionError,
)
from custom_components.acs_bridge.adapters.hikvision_isapi import LoginGuard

from .conftest import (
    DEVICE_INFO_XML,
    HIK_NS,
    ISAPI_NS,
    Clock,
    FakeDevice,
    MakeClient,
    user_check,
)

INFO = "/ISAPI/System/deviceInfo"
SEARCH = "/ISAPI/AccessControl/AcsEvent"
STATUS = "/ISAPI/AccessControl/AcsWorkStatus"
WORK_STATUS = '{"AcsWorkStatus": {"doorLockStatus": [0], "doorStatus": [4], "magneticStatus": [0]}}'
EMPTY_PAGE = '{"AcsEvent": {"searchID": "x", "responseStatusStrg": "NO MATCH", "numOfMatches": 0, "totalMatches": 0}}'


@pytest.fixture(autouse=True)
def _answers(device: FakeDevice) -> None:
    device.set(INFO, DEVICE_INFO_XML, content_type="application/xml")
    device.set(STATUS, WORK_STATUS)
    device.set(SEARCH, EMPTY_PAGE)
    device.set(
        "/ISAPI/AccessControl/AcsEvent/capabilities",
        '{"AcsEvent": {"AcsEventCond": {"maxResults": {"@min": 1, "@max": 30}}}}',
    )


async def test_challenge_answered_then_nonce_reused(
    device: FakeDevice, make_client: MakeClient
) -> None:
    client = make_client(device.port)
    info = await client.device_info()
    assert info.serial == "DS-K1T341AMF20220311V030230ENJ70368704"
    assert device.outcomes() == ["challenge", "ok"]
    await client.work_status(1)
    assert device.outcomes() == ["challenge", "ok", "ok"]  # pre-emptive: one round trip
    assert client.guard.known_good
    assert client.guard.refusals == 0


async def test_stale_nonce_is_answered_and_not_counted(
    device: FakeDevice, make_client: MakeClient
) -> None:
    client = make_client(device.port)
    await client.device_info()
    device.stale_next = 1
    await client.work_status(1)
    assert device.outcomes()[-2:] == ["stale", "ok"]
    assert client.guard.refusals == 0


async def test_new_challenge_to_reused_nonce_is_answered_once(
    device: FakeDevice, make_client: MakeClient
) -> None:
    client = make_client(device.port)
    await client.device_info()
    device.stale_on_unknown_nonce = False
    device.nonces.clear()  # the device forgot our nonce and says nothing of stale
    await client.work_status(1)
    assert device.outcomes()[-2:] == ["new_nonce", "ok"]
    assert client.guard.refusals == 0


async def test_a_stale_loop_ends_without_counting(
    device: FakeDevice, make_client: MakeClient
) -> None:
    client = make_client(device.port)
    await client.device_info()
    device.stale_next = 10
    with pytest.raises(AcsAuthenticationError, match="keeps sending"):
        await client.work_status(1)
    assert client.guard.refusals == 0
    assert not client.guard.stopped


async def test_wrong_password_costs_at_most_two_refusals(
    device: FakeDevice, make_client: MakeClient
) -> None:
    guard = LoginGuard(max_refusals=2)
    for _ in range(2):
        client = make_client(device.port, password="wrong", guard=guard)
        with pytest.raises(AcsAuthenticationError, match="refused") as err:
            await client.device_info()
        assert "wrong" not in str(err.value)
    assert device.outcomes().count("refused") == 2
    sent = len(device.log)
    client = make_client(device.port, password="wrong", guard=guard)
    with pytest.raises(AcsAuthenticationError, match="no further attempt"):
        await client.device_info()
    assert len(device.log) == sent  # nothing sent


async def test_guard_count_survives_a_restart(
    device: FakeDevice, make_client: MakeClient, clock: Clock
) -> None:
    guard = LoginGuard(max_refusals=2)
    with pytest.raises(AcsAuthenticationError):
        await make_client(device.port, password="wrong", guard=guard).device_info()
    stored = guard.to_dict()
    for _ in range(3):  # three restarts
        restored = LoginGuard.from_dict(stored)
        with contextlib.suppress(AcsAuthenticationError):
            await make_client(
                device.port, password="wrong", guard=restored
            ).device_info()
        stored = restored.to_dict()
    assert device.outcomes().count("refused") == 2
    clock.now += 1801  # the cool-down ends
    with pytest.raises(AcsAuthenticationError, match="refused"):
        await make_client(
            device.port, password="wrong", guard=LoginGuard.from_dict(stored)
        ).device_info()
    assert device.outcomes().count("refused") == 3


async def test_known_good_password_refused_stops_everything(
    device: FakeDevice, make_client: MakeClient
) -> None:
    client = make_client(device.port)
    await client.device_info()
    device.password = "changed on the device"
    with pytest.raises(AcsAuthenticationError):
        await client.device_info()
    assert client.guard.stopped
    refused = device.outcomes().count("refused") + device.outcomes().count("new_nonce")
    assert refused <= 2
    sent = len(device.log)
    for _ in range(3):
        with pytest.raises(AcsAuthenticationError, match="stopped"):
            await client.work_status(1)
    assert len(device.log) == sent
    client.guard.reset(new_credentials=False)
    device.password = client.transport._auth._password
    await client.work_status(1)


async def test_refused_search_with_working_deviceinfo_is_a_permission(
    device: FakeDevice, make_client: MakeClient
) -> None:
    client = make_client(device.port)
    await client.device_info()
    device.permission_401.add(SEARCH)
    with pytest.raises(AcsPermissionError):
        async for _ in client.search_events(after_serial=5):
            pass
    assert client.guard.refusals == 0
    assert not client.guard.stopped
    assert device.log[-1] == (INFO, "ok")  # judged by deviceInfo
    await client.work_status(1)  # nothing stopped


async def test_permission_is_found_without_a_prior_success(
    device: FakeDevice, make_client: MakeClient
) -> None:
    """After a restart the first call may be the search: still no reauth."""
    client = make_client(device.port, guard=LoginGuard(known_good=True))
    device.permission_401.add(STATUS)
    with pytest.raises(AcsPermissionError):
        await client.work_status(1)
    assert not client.guard.stopped


async def test_refusal_confirmed_by_deviceinfo_is_a_wrong_password(
    device: FakeDevice, make_client: MakeClient
) -> None:
    client = make_client(device.port, guard=LoginGuard(known_good=True))
    device.password = "other"
    with pytest.raises(AcsAuthenticationError) as err:
        await client.work_status(1)
    assert not isinstance(err.value, AcsPermissionError)
    assert client.guard.stopped
    assert device.outcomes() == ["challenge", "refused", "refused"]


@pytest.mark.parametrize("ns", [ISAPI_NS, HIK_NS])
async def test_locked_account_reports_the_time_left(
    device: FakeDevice, make_client: MakeClient, clock: Clock, ns: str
) -> None:
    device.locked_body = user_check(lock=True, unlock=1795, retries=0, ns=ns)
    client = make_client(device.port)
    with pytest.raises(AcsAccountLockedError) as err:
        await client.device_info()
    assert err.value.retry_after == 1795
    sent = len(device.log)
    clock.now += 100
    with pytest.raises(AcsAccountLockedError) as err:
        await client.device_info()
    assert err.value.retry_after == pytest.approx(1695)
    assert len(device.log) == sent
    device.locked_body = None
    clock.now += 1700
    await client.device_info()


async def test_forbidden_is_a_permission_and_not_counted(
    device: FakeDevice, make_client: MakeClient
) -> None:
    device.set(STATUS, '{"statusCode": 4, "subStatusCode": "lowPrivilege"}', status=403)
    client = make_client(device.port)
    with pytest.raises(AcsPermissionError):
        await client.work_status(1)
    assert client.guard.refusals == 0
    assert client.guard.known_good  # a 403 means the credentials passed


def test_guard_from_bad_data_is_a_fresh_guard() -> None:
    assert LoginGuard.from_dict(None) == LoginGuard()
    assert LoginGuard.from_dict({"refusals": "3", "known_good": "yes"}) == LoginGuard()
    guard = LoginGuard(
        refusals=1, known_good=True, stopped=True, locked_until=5.0, last_refusal_at=2.0
    )
    assert LoginGuard.from_dict(guard.to_dict()) == guard
    assert LoginGuard.from_dict(guard.to_dict(), max_refusals=3).max_refusals == 3
