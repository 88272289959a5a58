"""Digest authentication and the lock-out of the simulated device."""

from __future__ import annotations

import aiohttp

from simulator.hikvision import HikSimulator

from .conftest import Digest, control, parse_challenge, xml_fields

INFO = "/ISAPI/System/deviceInfo"


async def test_digest_happy_path(sim: HikSimulator, digest: Digest) -> None:
    first = await digest.bare("GET", INFO)
    assert first.status == 401
    challenge = parse_challenge(first.headers["WWW-Authenticate"])
    assert challenge["qop"] == "auth"
    assert challenge["realm"] == sim.config.realm
    assert challenge["stale"] == "FALSE"
    assert "opaque" in challenge
    again = parse_challenge(
        (await digest.bare("GET", INFO)).headers["WWW-Authenticate"]
    )
    assert again["nonce"] != challenge["nonce"]  # the nonce changes

    answer = await digest.signed("GET", INFO)
    assert answer.status == 200
    root, ns, _ = xml_fields(answer.text)
    assert (root, ns) == ("DeviceInfo", "http://www.isapi.org/ver20/XMLSchema")
    info = answer.xml()
    assert info["model"] == "DS-K1T341AMF"
    assert info["serialNumber"].startswith(info["model"])
    assert info["deviceType"] == "ACS"
    assert info["electroLockNum"] == "2"
    for key in ("deviceName", "deviceID", "macAddress", "firmwareVersion"):
        assert info[key]
    assert "firmwareReleasedDate" in info
    # the nonce is reused with a growing nc (preemptive digest)
    assert (await digest.signed("GET", INFO)).status == 200
    assert sim.auth.status().failures == 0


async def test_challenges_are_not_failures(sim: HikSimulator, digest: Digest) -> None:
    for _ in range(8):
        assert (await digest.bare("GET", INFO)).status == 401
    assert sim.auth.status().failures == 0
    assert (await digest.get(INFO)).status == 200


async def test_stale_nonce_is_not_a_failure(sim: HikSimulator, digest: Digest) -> None:
    assert (await digest.get(INFO)).status == 200
    sim.auth.expire_nonces()
    stale = await digest.signed("GET", INFO)
    assert stale.status == 401
    assert parse_challenge(stale.headers["WWW-Authenticate"])["stale"] == "TRUE"
    assert sim.auth.status().failures == 0
    assert (await digest.signed("GET", INFO)).status == 200  # with the new nonce

    # a nonce older than nonce_ttl is stale too
    sim.advance(sim.config.nonce_ttl + 1)
    stale = await digest.signed("GET", INFO)
    assert parse_challenge(stale.headers["WWW-Authenticate"])["stale"] == "TRUE"
    assert sim.auth.counted == 0


async def test_five_failures_lock_the_account(
    sim: HikSimulator, digest: Digest, session: aiohttp.ClientSession
) -> None:
    await digest.bare("GET", INFO)
    lefts = []
    for _ in range(5):
        answer = await digest.signed("GET", INFO, password="wrong")
        assert answer.status == 401
        _, _, fields = xml_fields(answer.text)
        assert fields["statusValue"].text == "401"
        assert fields["statusString"].text == "Unauthorized"
        assert fields["isIllegalLogin"].text == "true"
        lefts.append((fields["retryLoginTime"].text, fields["lockStatus"].text))
    assert lefts == [
        ("4", "unlock"),
        ("3", "unlock"),
        ("2", "unlock"),
        ("1", "unlock"),
        ("0", "lock"),
    ]
    # locked: the right password is refused too, and so is the bare challenge
    refused = await digest.signed("GET", INFO)
    assert refused.status == 401
    body = refused.xml()
    assert body["lockStatus"] == "lock"
    assert body["retryLoginTime"] == "0"
    assert 1790 <= int(body["unlockTime"]) <= 1800
    assert (await digest.bare("GET", INFO)).xml()["lockStatus"] == "lock"

    state = await control(session, sim, "auth")
    assert state["locked"] is True
    assert state["failures"] == 5

    sim.advance(1800)
    assert (await digest.get(INFO)).status == 200
    assert (await control(session, sim, "auth"))["locked"] is False


async def test_lock_control_and_reset(
    sim: HikSimulator, digest: Digest, session: aiohttp.ClientSession
) -> None:
    state = await control(session, sim, "auth/lock", {"seconds": 60})
    assert state["locked"] is True
    assert state["unlock_seconds"] == 60
    assert (await digest.get(INFO)).status == 401
    await control(session, sim, "auth/reset", {})
    assert (await digest.get(INFO)).status == 200


async def test_success_resets_the_count(sim: HikSimulator, digest: Digest) -> None:
    await digest.bare("GET", INFO)
    for _ in range(4):
        await digest.signed("GET", INFO, password="wrong")
    assert sim.auth.status().attempts_left == 1
    assert (await digest.get(INFO)).status == 200
    assert sim.auth.status().attempts_left == 5


async def test_illegal_login_lock(sim: HikSimulator, digest: Digest) -> None:
    answer = await digest.get("/ISAPI/Security/illegalLoginLock")
    assert answer.xml() == {
        "enabled": "true",
        "maxIllegalLoginTimes": "5",
        "maxIllegalLoginLockTime": "1800",
    }


async def test_other_namespace_and_limits(sim: HikSimulator, digest: Digest) -> None:
    sim.configure(xml_namespace="hikvision", max_attempts=2, lock_seconds=30)
    await digest.bare("GET", INFO)
    answer = await digest.signed("GET", INFO, password="nope")
    root, ns, _ = xml_fields(answer.text)
    assert (root, ns) == ("userCheck", "http://www.hikvision.com/ver20/XMLSchema")
    assert answer.xml()["retryLoginTime"] == "1"
    answer = await digest.signed("GET", INFO, password="nope")
    assert answer.xml()["lockStatus"] == "lock"
    assert answer.xml()["unlockTime"] == "30"


async def test_digest_must_sign_the_request_target(
    sim: HikSimulator, digest: Digest
) -> None:
    await digest.bare("GET", INFO)
    headers = {"Authorization": digest.authorization("GET", "/ISAPI/other")}
    async with digest.session.get(sim.url + INFO, headers=headers) as response:
        assert response.status == 400
    assert sim.auth.counted == 0
    query = "/ISAPI/AccessControl/AcsWorkStatus?format=json"
    assert (await digest.get(query)).status == 200  # the query string is signed too
