"""The alert stream: multipart parsing, heartbeats, pictures, faults, stall."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
import contextlib
import json
import random

from aiohttp import web
import pytest

from custom_components.acs_bridge.adapters.exceptions import (
    AcsConnectionError,
    AcsPermissionError,
    AcsTimeoutError,
)
from custom_components.acs_bridge.adapters.hikvision_isapi.models import (
    StreamItem,
    StreamItemKind,
)
from custom_components.acs_bridge.adapters.hikvision_isapi.stream import (
    MultipartParser,
    boundary_from,
)

from .conftest import FakeDevice, MakeClient

ALERT = "/ISAPI/Event/notification/alertStream"


def event_json(
    serial: int, *, current: bool = True, indent: str | None = None
) -> bytes:
    body = {
        "ipAddress": "192.168.1.64",
        "dateTime": "2024-05-01T10:00:00+08:00",
        "eventType": "AccessControllerEvent",
        "eventState": "active",
        "AccessControllerEvent": {
            "majorEventType": 5,
            "subEventType": 75,
            "serialNo": serial,
            "currentEvent": current,
            "picturesNumber": 1,
        },
    }
    return json.dumps(body, indent=indent).encode()


HEARTBEAT = b'{"ipAddress": "192.168.1.64", "eventType": "videoloss", "eventState": "inactive", "dateTime": "2024-05-01T10:00:00+08:00"}'
XML_EVENT = (
    b'<EventNotificationAlert version="2.0" xmlns="http://www.isapi.org/ver20/XMLSchema">'
    b"<dateTime>2024-05-01T10:00:00</dateTime><eventType>AccessControllerEvent</eventType>"
    b"<AccessControllerEvent><majorEventType>5</majorEventType><subEventType>1</subEventType>"
    b"<serialNo>77</serialNo></AccessControllerEvent></EventNotificationAlert>"
)
JPEG = b"\xff\xd8\xff\xe0" + bytes(range(256)) * 40 + b"\xff\xd9"


def part(
    body: bytes,
    content_type: str = "application/json",
    *,
    length: bool = True,
    boundary: bytes = b"MIME_boundary",
    name: str = "AccessControllerEvent",
) -> bytes:
    headers = [
        b"--" + boundary,
        f'Content-Disposition: form-data; name="{name}"'.encode(),
        f"Content-Type: {content_type}".encode(),
    ]
    if length:
        headers.append(f"Content-Length: {len(body)}".encode())
    return b"\r\n".join(headers) + b"\r\n\r\n" + body + b"\r\n"


def feed_all(parser: MultipartParser, data: bytes, chunk: int) -> list:
    parts = []
    for i in range(0, len(data), chunk):
        parts += parser.feed(data[i : i + chunk])
    return parts


@pytest.mark.parametrize(
    ("content_type", "expected"),
    [
        ("multipart/mixed; boundary=MIME_boundary", "MIME_boundary"),
        ('multipart/mixed; boundary="boundary"', "boundary"),
        ("multipart/form-data;boundary=abc123", "abc123"),
        ("multipart/mixed", None),
        (None, None),
    ],
)
def test_boundary_from(content_type: str | None, expected: str | None) -> None:
    assert boundary_from(content_type) == expected


STREAM = (
    part(event_json(1))
    + part(JPEG, "image/jpeg", name="Picture")
    + part(HEARTBEAT)
    + part(event_json(2, indent="\t"), length=False)
    + part(XML_EVENT, "application/xml")
    + part(JPEG, "image/jpeg", length=False, name="Picture")
    + part(event_json(3))
)


@pytest.mark.parametrize("chunk", [1, 7, 64, 100_000])
def test_parser_splits_parts_whatever_the_chunks(chunk: int) -> None:
    parts = feed_all(MultipartParser("MIME_boundary"), STREAM, chunk)
    kept = [p for p in parts if not p.skipped]
    # a part with a Content-Length is complete at once (no wait for the next boundary)
    assert [p.skipped for p in parts] == [False, True, False, False, False, True, False]
    assert json.loads(kept[0].body)["AccessControllerEvent"]["serialNo"] == 1
    assert kept[1].body == HEARTBEAT
    assert json.loads(kept[2].body)["AccessControllerEvent"]["serialNo"] == 2
    assert kept[3].body == XML_EVENT
    assert json.loads(kept[4].body)["AccessControllerEvent"]["serialNo"] == 3


def test_parser_learns_a_missing_boundary_and_cuts_an_overstated_length() -> None:
    wrong = part(event_json(1)).replace(
        b"Content-Length: ", b"Content-Length: 9"
    )  # far too long
    data = wrong + part(event_json(2)) + b"--MIME_boundary--\r\n"
    parts = MultipartParser(None).feed(data)
    assert [json.loads(p.body)["AccessControllerEvent"]["serialNo"] for p in parts] == [
        1,
        2,
    ]


def test_parser_skips_oversized_parts_without_keeping_them() -> None:
    parser = MultipartParser("MIME_boundary", max_part_bytes=1000)
    parts = parser.feed(
        part(b"x" * 5000, length=False) + part(event_json(5)) + b"--MIME_boundary\r\n"
    )
    assert [p.skipped for p in parts] == [True, False]


def test_parser_counts_a_truncated_part() -> None:
    parser = MultipartParser("MIME_boundary")
    assert parser.feed(part(event_json(1))[:-40]) == []
    parser.finish()
    assert parser.truncated == 1


def test_parser_random_splits_property() -> None:
    rng = random.Random(7)
    data = b"".join(
        part(event_json(n), length=rng.random() < 0.5)
        + (part(JPEG, "image/jpeg") if n % 3 == 0 else b"")
        for n in range(1, 40)
    )
    data += b"--MIME_boundary\r\n"
    for _ in range(20):
        parser = MultipartParser("MIME_boundary")
        parts, pos = [], 0
        while pos < len(data):
            step = rng.randint(1, 300)
            parts += parser.feed(data[pos : pos + step])
            pos += step
        serials = [
            json.loads(p.body)["AccessControllerEvent"]["serialNo"]
            for p in parts
            if not p.skipped
        ]
        assert serials == list(range(1, 40))


# --- the reader over HTTP -----------------------------------------------------------


async def collect(stream: AsyncIterator[StreamItem], into: list[StreamItem]) -> None:
    """Read a stream into a list until it raises."""
    async for item in stream:
        into.append(item)  # noqa: PERF401 - keep what came before the error


class StreamServer:
    """Serves the alert stream from a queue of byte chunks (None ends it)."""

    def __init__(
        self,
        content_type: str = "multipart/mixed; boundary=MIME_boundary",
        status: int = 200,
    ) -> None:
        self.queue: asyncio.Queue[bytes | None] = asyncio.Queue()
        self.content_type = content_type
        self.status = status

    async def handle(self, request: web.Request) -> web.StreamResponse:
        if self.status != 200:
            return web.Response(
                status=self.status,
                text='{"statusCode": 4, "subStatusCode": "lowPrivilege"}',
            )
        response = web.StreamResponse(headers={"Content-Type": self.content_type})
        await response.prepare(request)
        while (chunk := await self.queue.get()) is not None:
            await response.write(chunk)
        return response


@pytest.fixture
async def stream_device(
    device: FakeDevice,
) -> AsyncIterator[tuple[FakeDevice, StreamServer]]:
    server = StreamServer()
    device.handlers[ALERT] = server.handle
    yield device, server
    server.queue.put_nowait(None)


async def test_reader_yields_events_and_heartbeats(
    stream_device: tuple[FakeDevice, StreamServer], make_client: MakeClient
) -> None:
    device, server = stream_device
    client = make_client(device.port)
    for chunk in (
        part(event_json(1)),
        part(JPEG, "image/jpeg"),
        part(HEARTBEAT),
        part(b"{broken"),
        part(XML_EVENT, "application/xml"),
        b"--MIME_boundary\r\n",
    ):
        server.queue.put_nowait(chunk)
    items = []
    async with contextlib.aclosing(client.alert_stream(stall_timeout=5)) as stream:
        async for item in stream:
            items.append(item)
            if len(items) == 3:
                break
    assert [i.kind for i in items] == [
        StreamItemKind.EVENT,
        StreamItemKind.HEARTBEAT,
        StreamItemKind.EVENT,
    ]
    assert [i.event.serial_no for i in items if i.event] == [1, 77]
    assert items[0].received_at.tzinfo is not None
    assert device.outcomes()[:2] == ["challenge", "ok"]


async def test_reader_form_data_and_closed_stream(
    stream_device: tuple[FakeDevice, StreamServer],
    make_client: MakeClient,
    caplog: pytest.LogCaptureFixture,
) -> None:
    device, server = stream_device
    server.content_type = 'multipart/form-data; boundary="boundary"'
    server.queue.put_nowait(
        part(event_json(4), boundary=b"boundary")
        + part(event_json(5), boundary=b"boundary")[:-30]
    )
    server.queue.put_nowait(None)
    seen: list[StreamItem] = []
    with pytest.raises(AcsConnectionError, match="closed"):
        await collect(make_client(device.port).alert_stream(stall_timeout=5), seen)
    assert [i.event.serial_no for i in seen if i.event] == [4]
    assert "cut off" in caplog.text


async def test_reader_stall(
    stream_device: tuple[FakeDevice, StreamServer], make_client: MakeClient
) -> None:
    device, server = stream_device
    server.queue.put_nowait(part(HEARTBEAT))
    seen: list[StreamItem] = []
    with pytest.raises(AcsTimeoutError, match="nothing received"):
        await collect(make_client(device.port).alert_stream(stall_timeout=0.3), seen)
    assert [i.kind for i in seen] == [StreamItemKind.HEARTBEAT]
    assert isinstance(AcsTimeoutError(), AcsConnectionError)


async def test_stream_forbidden(
    stream_device: tuple[FakeDevice, StreamServer], make_client: MakeClient
) -> None:
    device, server = stream_device
    server.status = 403
    client = make_client(device.port)
    with pytest.raises(AcsPermissionError):
        await collect(client.alert_stream(), [])
    assert client.guard.refusals == 0
