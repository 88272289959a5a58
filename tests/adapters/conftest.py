"""Fixtures of the adapter tests: a simulator and a canned server, both on loopback.

* ``sim`` / ``adapter``: the AX-ACS simulator (``simulator/``) and an adapter
  with a real ``aiohttp.ClientSession`` pointed at it;
* ``canned`` / ``canned_adapter``: a tiny server that answers whatever text a
  test gives it, for the specification's own payloads and for broken answers
  the simulator cannot produce.

Both sides share a password full of characters a URL path must escape.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

import aiohttp
from aiohttp import web
import pytest

from custom_components.acs_bridge.adapters import AdapterConfig
from custom_components.acs_bridge.adapters.ax_bs_http import AxBsHttpV1Adapter

USERNAME = "admin"
PASSWORD = "p@ss /?#%+ 密码&=;"
TIME_ZONE = ZoneInfo("Asia/Shanghai")
NO_DATA = '{"status": 102, "msg": "数据不存在"}'


def envelope(data: str, status: int = 0) -> str:
    """Return an envelope around raw JSON ``data``."""
    return f'{{"status": {status}, "msg": "success", "data": {data}}}'


def make_config(port: int, **overrides: Any) -> AdapterConfig:
    """Return the settings of an adapter talking to 127.0.0.1:``port``."""
    settings: dict[str, Any] = {
        "host": "127.0.0.1",
        "port": port,
        "username": USERNAME,
        "password": PASSWORD,
        "time_zone": TIME_ZONE,
        "request_timeout": 5.0,
    }
    settings.update(overrides)
    return AdapterConfig(**settings)


@pytest.fixture(autouse=True)
def _loopback(socket_enabled: None) -> None:
    """Let these tests open sockets (the Home Assistant test plugin blocks them).

    Connections stay limited to 127.0.0.1 by that plugin's allow-list.
    """


@pytest.fixture
async def session() -> AsyncIterator[aiohttp.ClientSession]:
    """A real client session, closed after the test."""
    async with aiohttp.ClientSession() as client_session:
        yield client_session


# --- the simulator ---------------------------------------------------------------


@pytest.fixture
def site_spec() -> Any:
    """The simulated site (override in a test module for another one)."""
    from simulator import SiteSpec

    return SiteSpec(
        seed=1,
        controllers=4,
        doors_per_controller=2,
        people=40,
        username=USERNAME,
        password=PASSWORD,
        time_zone="Asia/Shanghai",
    )


@pytest.fixture
async def sim(site_spec: Any) -> AsyncIterator[Any]:
    """A running simulator on loopback."""
    from simulator import Simulator

    simulator = Simulator(site_spec)
    await simulator.start(host="127.0.0.1", port=0)
    try:
        yield simulator
    finally:
        await simulator.stop()


@pytest.fixture
def make_adapter(
    session: aiohttp.ClientSession,
) -> Callable[..., AxBsHttpV1Adapter]:
    """Build more adapters on the shared session (other settings, accounts)."""

    def build(port: int, page_size: int = 1000, **overrides: Any) -> AxBsHttpV1Adapter:
        return AxBsHttpV1Adapter(
            session, make_config(port, **overrides), page_size=page_size
        )

    return build


@pytest.fixture
def adapter(
    sim: Any, make_adapter: Callable[..., AxBsHttpV1Adapter]
) -> AxBsHttpV1Adapter:
    """An adapter talking to ``sim``."""
    return make_adapter(sim.port)


# --- the canned server ------------------------------------------------------------


@dataclass
class CannedAnswer:
    """What the canned server answers to a path."""

    body: str | bytes
    status: int = 200
    content_type: str = "application/json"
    hold: asyncio.Event | None = None


@dataclass
class CannedServer:
    """Answers the text a test set for the longest matching path prefix."""

    answers: dict[str, CannedAnswer] = field(default_factory=dict)
    #: Raw request targets (path and query exactly as sent).
    targets: list[str] = field(default_factory=list)
    port: int = 0
    in_flight: int = 0
    max_in_flight: int = 0
    _arrived: asyncio.Event = field(default_factory=asyncio.Event)

    def set(
        self,
        prefix: str,
        body: str | bytes,
        *,
        status: int = 200,
        content_type: str = "application/json",
        hold: asyncio.Event | None = None,
    ) -> None:
        """Answer ``body`` to every ``/api/v1/<prefix>...`` request."""
        self.answers[prefix] = CannedAnswer(body, status, content_type, hold)

    async def wait_for_requests(self, count: int) -> None:
        """Return once ``count`` requests have arrived."""
        while len(self.targets) < count:
            self._arrived.clear()
            await self._arrived.wait()

    @property
    def last(self) -> str:
        """Return the last raw request target."""
        return self.targets[-1]

    async def handle(self, request: web.Request) -> web.StreamResponse:
        """Answer one request."""
        self.targets.append(request.raw_path)
        self._arrived.set()
        tail = request.raw_path.removeprefix("/api/v1/")
        matches = [p for p in self.answers if tail.startswith(p)]
        if not matches:
            return web.Response(status=404, text="not canned")
        answer = self.answers[max(matches, key=len)]
        if answer.hold is not None:
            self.in_flight += 1
            self.max_in_flight = max(self.max_in_flight, self.in_flight)
            await answer.hold.wait()
            self.in_flight -= 1
        body = (
            answer.body.encode("utf-8") if isinstance(answer.body, str) else answer.body
        )
        return web.Response(
            body=body, status=answer.status, content_type=answer.content_type
        )


@pytest.fixture
async def canned() -> AsyncIterator[CannedServer]:
    """A canned server on loopback."""
    server = CannedServer()
    app = web.Application()
    app.router.add_get("/{tail:.*}", server.handle)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    server.port = runner.addresses[0][1]
    try:
        yield server
    finally:
        for answer in server.answers.values():
            if answer.hold is not None:
                answer.hold.set()
        await runner.cleanup()


@pytest.fixture
def canned_adapter(
    canned: CannedServer, make_adapter: Callable[..., AxBsHttpV1Adapter]
) -> AxBsHttpV1Adapter:
    """An adapter talking to the canned server."""
    return make_adapter(canned.port)
