"""Fixtures of the Hikvision simulator's tests: a running simulator, a digest client
written here (the adapter's client is not used), and a multipart stream reader."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass, field
import hashlib
import json
import os
import re
from typing import Any
from xml.etree import ElementTree as ET

import aiohttp
import pytest

from simulator.hikvision import HikConfig, HikSimulator

PASSWORD = 'pä ss:/?"#%'  # specials must survive the digest


@pytest.fixture(autouse=True)
def _loopback(socket_enabled: None) -> None:
    """Let these tests open sockets (the Home Assistant test plugin blocks them)."""


@pytest.fixture
def config() -> HikConfig:
    """The device settings; a test may change them before ``sim`` starts."""
    return HikConfig(password=PASSWORD, doors=2)


@pytest.fixture
async def sim(config: HikConfig) -> AsyncIterator[HikSimulator]:
    """A simulator on a free loopback port."""
    simulator = HikSimulator(config)
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


def md5(text: str) -> str:
    return hashlib.md5(text.encode()).hexdigest()


def parse_challenge(header: str) -> dict[str, str]:
    assert header.startswith("Digest ")
    return dict(re.findall(r'(\w+)="([^"]*)"', header))


def local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def xml_fields(text: str) -> tuple[str, str, dict[str, ET.Element]]:
    """(root local name, namespace, children by local name)."""
    root = ET.fromstring(text)
    ns = root.tag[1:].split("}", 1)[0] if root.tag.startswith("{") else ""
    return local(root.tag), ns, {local(child.tag): child for child in root}


@dataclass
class Answer:
    status: int
    headers: dict[str, str]
    text: str

    def json(self) -> Any:
        return json.loads(self.text)

    def xml(self) -> dict[str, str]:
        return {k: (v.text or "") for k, v in xml_fields(self.text)[2].items()}


@dataclass
class Digest:
    """A minimal HTTP Digest client (MD5, qop=auth) kept apart from the adapter's."""

    sim: HikSimulator
    session: aiohttp.ClientSession
    username: str = "admin"
    password: str = PASSWORD
    challenge: dict[str, str] | None = None
    nc: int = 0
    sent: list[int] = field(default_factory=list)

    def authorization(self, method: str, path: str, password: str | None = None) -> str:
        assert self.challenge is not None
        c = self.challenge
        self.nc += 1
        nc = f"{self.nc:08x}"
        cnonce = os.urandom(8).hex()
        ha1 = md5(f"{self.username}:{c['realm']}:{password or self.password}")
        ha2 = md5(f"{method}:{path}")
        response = md5(f"{ha1}:{c['nonce']}:{nc}:{cnonce}:auth:{ha2}")
        return (
            f'Digest username="{self.username}", realm="{c["realm"]}", '
            f'nonce="{c["nonce"]}", uri="{path}", qop=auth, nc={nc}, '
            f'cnonce="{cnonce}", response="{response}", opaque="{c.get("opaque", "")}"'
        )

    async def bare(self, method: str, path: str, body: str | None = None) -> Answer:
        """A request without credentials (learns the challenge)."""
        async with self.session.request(
            method, self.sim.url + path, data=body
        ) as response:
            answer = Answer(
                response.status, dict(response.headers), await response.text()
            )
        if answer.status == 401:
            self.challenge = parse_challenge(answer.headers["WWW-Authenticate"])
            self.nc = 0
        return answer

    async def signed(
        self,
        method: str,
        path: str,
        body: str | None = None,
        password: str | None = None,
    ) -> Answer:
        """One request with credentials for the challenge held now."""
        headers = {"Authorization": self.authorization(method, path, password)}
        async with self.session.request(
            method, self.sim.url + path, data=body, headers=headers
        ) as response:
            answer = Answer(
                response.status, dict(response.headers), await response.text()
            )
        if answer.status == 401:
            self.challenge = parse_challenge(answer.headers["WWW-Authenticate"])
            self.nc = 0
        return answer

    async def request(
        self,
        method: str,
        path: str,
        body: str | None = None,
        password: str | None = None,
    ) -> Answer:
        """Challenge if needed, then sign (and re-sign once on stale)."""
        if self.challenge is None:
            await self.bare(method, path, body)
        answer = await self.signed(method, path, body, password)
        if (
            answer.status == 401
            and self.challenge
            and self.challenge.get("stale") == "TRUE"
        ):
            answer = await self.signed(method, path, body, password)
        return answer

    async def get(self, path: str) -> Answer:
        return await self.request("GET", path)

    async def post_json(self, path: str, data: Any) -> Answer:
        return await self.request("POST", path, json.dumps(data))

    async def search(self, **cond: Any) -> dict[str, Any]:
        base = {"searchID": "t", "searchResultPosition": 0, "maxResults": 30}
        base |= {"major": 0, "minor": 0}
        answer = await self.post_json(
            "/ISAPI/AccessControl/AcsEvent?format=json", {"AcsEventCond": base | cond}
        )
        assert answer.status == 200, answer.text
        result: dict[str, Any] = answer.json()["AcsEvent"]
        return result

    async def door(self, door: int, cmd: str, *, bare_form: bool = False) -> Answer:
        if bare_form:
            body = f"<RemoteControlDoor><cmd>{cmd}</cmd></RemoteControlDoor>"
        else:
            body = (
                '<RemoteControlDoor version="2.0" '
                'xmlns="http://www.isapi.org/ver20/XMLSchema">'
                f"<cmd>{cmd}</cmd></RemoteControlDoor>"
            )
        return await self.request(
            "PUT", f"/ISAPI/AccessControl/RemoteControl/door/{door}", body
        )


@pytest.fixture
def digest(sim: HikSimulator, session: aiohttp.ClientSession) -> Digest:
    return Digest(sim, session)


async def control(
    session: aiohttp.ClientSession, sim: HikSimulator, route: str, body: Any = None
) -> Any:
    """POST (with a body) or GET (without) a /_sim/ route; return its JSON."""
    url = f"{sim.url}/_sim/{route}"
    if body is None:
        async with session.get(url) as response:
            assert response.status == 200, await response.text()
            return await response.json()
    async with session.post(url, json=body) as response:
        assert response.status == 200, await response.text()
        return await response.json()


@dataclass
class Part:
    headers: dict[str, str]
    body: bytes

    @property
    def alert(self) -> dict[str, Any]:
        result: dict[str, Any] = json.loads(self.body)
        return result

    @property
    def event(self) -> dict[str, Any]:
        result: dict[str, Any] = self.alert["AccessControllerEvent"]
        return result


class Stream:
    """An open alert stream, read part by part."""

    def __init__(self, response: aiohttp.ClientResponse) -> None:
        self.response = response
        ctype = response.headers["Content-Type"]
        self.boundary = ctype.split("boundary=", 1)[1]

    async def part(self) -> Part:
        content = self.response.content
        line = await content.readline()
        while line in (b"\r\n", b"\n"):
            line = await content.readline()
        if not line:
            raise EOFError("stream ended")
        assert line.rstrip(b"\r\n") == f"--{self.boundary}".encode(), line
        headers: dict[str, str] = {}
        while True:
            line = await content.readline()
            if line in (b"\r\n", b"\n", b""):
                break
            key, _, value = line.decode().partition(":")
            headers[key.strip()] = value.strip()
        length = int(headers["Content-Length"])
        body = await content.readexactly(length)
        return Part(headers, body)

    async def event_part(self) -> Part:
        """The next part that is not a heartbeat or a picture."""
        while True:
            part = await self.part()
            ctype = part.headers["Content-Type"]
            if ctype.startswith("application/json") and (
                part.alert["eventType"] == "AccessControllerEvent"
            ):
                return part


async def open_stream(digest: Digest) -> tuple[aiohttp.ClientResponse, Stream | None]:
    """Open the alert stream with digest; Stream None when refused."""
    path = "/ISAPI/Event/notification/alertStream"
    await digest.bare("GET", path)
    response = await digest.session.get(
        digest.sim.url + path,
        headers={"Authorization": digest.authorization("GET", path)},
    )
    if response.status != 200:
        return response, None
    return response, Stream(response)
