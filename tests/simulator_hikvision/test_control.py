"""The control API, the demo traffic and the command line."""

from __future__ import annotations

import random

import aiohttp
import pytest

from simulator.hikvision import HikConfig, HikSimulator
from simulator.hikvision.__main__ import config_from_args, main, parse_args
from simulator.hikvision.demo import demo_step

from .conftest import PASSWORD, Digest, control


async def test_config_state_and_time(
    sim: HikSimulator, session: aiohttp.ClientSession
) -> None:
    config = await control(session, sim, "config")
    assert "password" not in config
    assert PASSWORD not in str(config)
    assert config["serial_number"].startswith(config["model"])
    config = await control(
        session,
        sim,
        "config",
        {"model": "DS-K2604T", "heartbeat_period": None, "cmd_options": "open,close"},
    )
    assert config["serial_number"].startswith("DS-K2604T")
    assert config["heartbeat_period"] is None
    assert config["cmd_options"] == ["open", "close"]
    async with session.post(
        f"{sim.url}/_sim/config", json={"history_mode": "sometimes"}
    ) as response:
        assert response.status == 400
    assert sim.config.history_mode == "last"  # nothing changed

    before = sim.device.now()
    moved = await control(session, sim, "advance", {"seconds": 3600})
    assert moved["device_time"] > before.isoformat()
    state = await control(session, sim, "state")
    assert [d["door"] for d in state["doors"]] == [1, 2]
    assert state["offline"] is False
    await control(session, sim, "event", {"major": 2, "minor": 9999})  # unknown code
    log = await control(session, sim, "log")
    assert log["last_serial"] == 1


async def test_requests_are_recorded_without_secrets(
    sim: HikSimulator, digest: Digest, session: aiohttp.ClientSession
) -> None:
    await digest.get("/ISAPI/System/deviceInfo")
    records = await control(session, sim, "requests")
    assert [(r["status"], r["outcome"]) for r in records] == [
        (401, "challenge"),
        (200, "ok"),
    ]
    assert records[1]["with_credentials"] is True
    assert "response=" not in str(records)


async def test_demo_traffic(sim: HikSimulator, session: aiohttp.ClientSession) -> None:
    rng = random.Random(5)
    for _ in range(200):
        demo_step(sim, rng)
        sim.advance(2)
    majors = {e.major for e in sim.device.log}
    assert majors >= {5}
    minors = {e.minor for e in sim.device.log if e.major == 5}
    assert {21, 22, 25, 26} <= minors
    assert minors & {1, 75, 38, 181, 156}
    assert (await control(session, sim, "demo", {"rate": 5}))["demo"] is True
    assert (await control(session, sim, "demo", {"on": False}))["demo"] is False


def test_command_line() -> None:
    args = parse_args(
        ["--port", "8081", "--doors", "4", "--heartbeat", "0", "--history", "all"]
    )
    config = config_from_args(args)
    assert (config.doors, config.heartbeat_period, config.history_mode) == (
        4,
        None,
        "all",
    )
    assert config.realm == config.model
    bad = parse_args(["--cmd-options", "open,fly"])
    with pytest.raises(ValueError, match="cmd_options"):
        config_from_args(bad)
    assert main(["--cmd-options", "fly", "--port", "0"]) == 2


def test_config_validation() -> None:
    with pytest.raises(ValueError, match="doors"):
        HikSimulator(HikConfig(doors=3))
