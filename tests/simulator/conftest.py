"""Fixtures of the simulator's own tests: a running simulator and a client."""

from __future__ import annotations

from collections.abc import AsyncIterator
import json
from typing import Any

import aiohttp
import pytest
from yarl import URL

from simulator import Simulator, SiteSpec

PASSWORD = "p@ss /?#%+ 密码&=;"


@pytest.fixture(autouse=True)
def _loopback(socket_enabled: None) -> None:
    """Let these tests open sockets (the Home Assistant test plugin blocks them)."""


@pytest.fixture
async def sim() -> AsyncIterator[Simulator]:
    """A simulator on a free loopback port, with a password full of specials."""
    simulator = Simulator(SiteSpec(password=PASSWORD))
    await simulator.start(host="127.0.0.1", port=0)
    try:
        yield simulator
    finally:
        await simulator.stop()


@pytest.fixture
async def session() -> AsyncIterator[aiohttp.ClientSession]:
    """A client session."""
    async with aiohttp.ClientSession() as client:
        yield client


class Api:
    """GET the protocol's endpoints with the query string written raw."""

    def __init__(self, sim: Simulator, session: aiohttp.ClientSession) -> None:
        self.sim = sim
        self.session = session

    async def raw(self, path: str) -> tuple[int, str]:
        """GET /api/v1/<path> exactly as written; return (HTTP status, text)."""
        url = URL(f"{self.sim.url}/api/v1/{path}", encoded=True)
        async with self.session.get(url) as response:
            return response.status, await response.text()

    async def get(self, path: str) -> dict[str, Any]:
        """GET and decode the envelope (last duplicate key wins)."""
        status, text = await self.raw(path)
        assert status == 200, text
        result: dict[str, Any] = json.loads(text)
        return result


@pytest.fixture
def api(sim: Simulator, session: aiohttp.ClientSession) -> Api:
    """A client of the simulator's protocol API."""
    return Api(sim, session)
