"""Fixtures of the Hikvision client tests: a scripted digest device on loopback.

``FakeDevice`` is a tiny ISAPI server with a real digest check (MD5,
qop="auth"), for the answers the simulator does not give: stale nonces on
demand, userCheck bodies in either namespace, permission 401s, busy answers,
broken bodies. The simulator (``simulator.hikvision``) covers the rest.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
import hashlib
import itertools
import ssl
from typing import Any

import aiohttp
from aiohttp import web
import pytest

from custom_components.acs_bridge.adapters.hikvision_isapi import (
    HikvisionIsapiClient,
    LoginGuard,
    TransportSettings,
)
from custom_components.acs_bridge.adapters.hikvision_isapi.digest import (
    parse_challenges,
)

USERNAME = "admin"
PASSWORD = 'p@ss "w0rd" /?#%+ 密码'
REALM = "DS-K1T341AMF"
ISAPI_NS = "http://www.isapi.org/ver20/XMLSchema"
HIK_NS = "http://www.hikvision.com/ver20/XMLSchema"


def user_check(
    lock: bool = False, unlock: int = 0, retries: int = 4, ns: str = HIK_NS
) -> str:
    """Return a ``userCheck`` 401 body."""
    return (
        f'<?xml version="1.0" encoding="UTF-8"?><userCheck version="2.0" xmlns="{ns}">'
        "<statusValue>401</statusValue><statusString>Unauthorized</statusString>"
        f"<isIllegalLogin>true</isIllegalLogin><retryLoginTime>{retries}</retryLoginTime>"
        f"<lockStatus>{'lock' if lock else 'unlock'}</lockStatus>"
        f"<unlockTime>{unlock}</unlockTime></userCheck>"
    )


def md5(text: str) -> str:
    return hashlib.md5(text.encode()).hexdigest()


@dataclass
class Answer:
    body: str | bytes
    status: int = 200
    content_type: str = "application/json"


@dataclass
class FakeDevice:
    """A scripted ISAPI device; every request is logged as (path, outcome)."""

    password: str = PASSWORD
    answers: dict[str, Answer] = field(default_factory=dict)
    log: list[tuple[str, str]] = field(default_factory=list)
    bodies: list[bytes] = field(default_factory=list)
    nonces: set[str] = field(default_factory=set)
    permission_401: set[str] = field(default_factory=set)
    locked_body: str | None = None
    stale_next: int = 0
    stale_on_unknown_nonce: bool = True
    busy_next: int = 0
    busy_kind: str = "http503"
    hold: asyncio.Event | None = None
    in_flight: int = 0
    held: asyncio.Event = field(default_factory=asyncio.Event)
    #: Handlers for paths that answer more than a canned body (the stream).
    handlers: dict[str, Callable[[web.Request], Awaitable[web.StreamResponse]]] = field(
        default_factory=dict
    )
    max_in_flight: int = 0
    port: int = 0
    _counter: itertools.count[int] = field(default_factory=itertools.count)

    def set(
        self,
        path: str,
        body: str | bytes,
        status: int = 200,
        content_type: str = "application/json",
    ) -> None:
        self.answers[path] = Answer(body, status, content_type)

    def outcomes(self) -> list[str]:
        return [outcome for _, outcome in self.log]

    def _challenge(self, *, stale: bool = False) -> dict[str, str]:
        nonce = f"n{next(self._counter):06d}"
        self.nonces.add(nonce)
        return {
            "WWW-Authenticate": f'Digest qop="auth", realm="{REALM}", nonce="{nonce}", '
            f'stale="{"TRUE" if stale else "FALSE"}"'
        }

    def _unauthorized(
        self, path: str, outcome: str, *, stale: bool = False, body: str | None = None
    ) -> web.Response:
        self.log.append((path, outcome))
        return web.Response(
            status=401,
            text=body if body is not None else user_check(),
            content_type="application/xml",
            headers=self._challenge(stale=stale),
        )

    async def handle(self, request: web.Request) -> web.StreamResponse:
        path = request.path
        self.bodies.append(await request.read())
        header = request.headers.get("Authorization")
        if self.locked_body is not None:
            return self._unauthorized(path, "locked", body=self.locked_body)
        if header is None:
            return self._unauthorized(path, "challenge")
        [(scheme, params)] = parse_challenges([header])
        assert scheme == "digest"
        if params["nonce"] not in self.nonces:
            if self.stale_on_unknown_nonce:
                return self._unauthorized(path, "stale", stale=True)
            return self._unauthorized(path, "new_nonce")
        ha1 = md5(f"{params['username']}:{REALM}:{self.password}")
        ha2 = md5(f"{request.method}:{params['uri']}")
        expected = md5(
            f"{ha1}:{params['nonce']}:{params['nc']}:{params['cnonce']}:auth:{ha2}"
        )
        if params["uri"] != request.raw_path or params["response"] != expected:
            return self._unauthorized(path, "refused")
        if self.stale_next:
            self.stale_next -= 1
            self.nonces.clear()
            return self._unauthorized(path, "stale", stale=True)
        if path in self.permission_401:
            return self._unauthorized(path, "permission")
        if self.busy_next:
            self.busy_next -= 1
            self.log.append((path, "busy"))
            if self.busy_kind == "http503":
                return web.Response(status=503, text="busy")
            return web.json_response(
                {
                    "statusCode": 2,
                    "statusString": "Device Busy",
                    "subStatusCode": "deviceBusy",
                }
            )
        self.log.append((path, "ok"))
        if self.hold is not None:
            self.in_flight += 1
            self.max_in_flight = max(self.max_in_flight, self.in_flight)
            self.held.set()
            await self.hold.wait()
            self.in_flight -= 1
        handler = self.handlers.get(path)
        if handler is not None:
            return await handler(request)
        answer = self.answers.get(path)
        if answer is None:
            return web.Response(
                status=404,
                text="<html><body>404</body></html>",
                content_type="text/html",
            )
        body = answer.body.encode() if isinstance(answer.body, str) else answer.body
        return web.Response(
            body=body, status=answer.status, content_type=answer.content_type
        )


@asynccontextmanager
async def serve(
    fake: FakeDevice, ssl_context: ssl.SSLContext | None = None
) -> AsyncIterator[FakeDevice]:
    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", fake.handle)
    runner = web.AppRunner(app, shutdown_timeout=0.1)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0, ssl_context=ssl_context)
    await site.start()
    fake.port = runner.addresses[0][1]
    try:
        yield fake
    finally:
        if fake.hold is not None:
            fake.hold.set()
        await runner.cleanup()


@pytest.fixture
async def device() -> AsyncIterator[FakeDevice]:
    async with serve(FakeDevice()) as fake:
        yield fake


@pytest.fixture
async def session() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as client_session:
        yield client_session


@dataclass
class Clock:
    now: float = 1_000_000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


type MakeClient = Callable[..., HikvisionIsapiClient]


@pytest.fixture
def make_client(session: aiohttp.ClientSession, clock: Clock) -> MakeClient:
    def build(
        port: int,
        *,
        password: str = PASSWORD,
        guard: LoginGuard | None = None,
        ssl: bool = False,
        verify_ssl: bool = True,
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
            port=port,
            username=USERNAME,
            password=password,
            guard=guard,
            ssl=ssl,
            verify_ssl=verify_ssl,
            settings=TransportSettings(**options),
            clock=clock,
        )

    return build


DEVICE_INFO_XML = f"""<?xml version="1.0" encoding="UTF-8"?>
<DeviceInfo version="2.0" xmlns="{ISAPI_NS}">
<deviceName>Front door</deviceName><deviceID>fd3c</deviceID>
<model>DS-K1T341AMF</model><serialNumber>DS-K1T341AMF20220311V030230ENJ70368704</serialNumber>
<macAddress>44:a6:42:1c:6b:2e</macAddress><firmwareVersion>V1.9.1</firmwareVersion>
<firmwareReleasedDate>build 240909</firmwareReleasedDate><deviceType>ACS</deviceType>
<subDeviceType>accessControlTerminal</subDeviceType><electroLockNum>1</electroLockNum>
</DeviceInfo>"""
