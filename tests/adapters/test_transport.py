"""The request helper on a canned server: envelopes, shapes, errors, bounds."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
import json
import socket
from typing import Any

import aiohttp
import pytest

from custom_components.acs_bridge.adapters import (
    AcsConnectionError,
    AcsInvalidRequestError,
    AcsNotFoundError,
    AcsResponseError,
    AcsServerError,
    AcsTimeoutError,
    DoorState,
)
from custom_components.acs_bridge.adapters.ax_bs_http import (
    AxBsHttpV1Adapter,
    Transport,
)
from custom_components.acs_bridge.adapters.ax_bs_http.transport import path_segment

from . import spec_payloads as spec
from .conftest import NO_DATA, PASSWORD, CannedServer, envelope, make_config

type MakeAdapter = Callable[..., AxBsHttpV1Adapter]


# --- URLs ---------------------------------------------------------------------------


def test_path_segment() -> None:
    assert path_segment("a/b?c#d%e+f g") == "a%2Fb%3Fc%23d%25e%2Bf%20g"
    assert path_segment("..") == "%2E%2E"
    assert path_segment(".") == "%2E"
    assert path_segment("a.b") == "a.b"
    assert path_segment("") == ""


def test_base_url(session: aiohttp.ClientSession) -> None:
    def base(**overrides: Any) -> str:
        port = overrides.pop("port", 6500)
        return Transport(session, make_config(port, **overrides)).base_url

    assert base() == "http://127.0.0.1:6500/api/v1/"
    assert base(ssl=True, port=443) == "https://127.0.0.1/api/v1/"
    assert base(host="::1") == "http://[::1]:6500/api/v1/"
    assert base(host=" acs.example ") == "http://acs.example:6500/api/v1/"
    with pytest.raises(AcsConnectionError, match="not a valid host"):
        base(host="http://acs.example")


# --- answers ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "status", "content_type", "error"),
    [
        ("not found", 404, "text/plain", AcsResponseError),
        ("", 400, "text/plain", AcsInvalidRequestError),
        ("", 414, "text/plain", AcsInvalidRequestError),
        ("", 503, "text/plain", AcsConnectionError),
        ("", 500, "text/plain", AcsServerError),
        ("", 403, "text/plain", AcsServerError),
        ("", 302, "text/plain", AcsResponseError),
        ("<html><body>登录</body></html>", 200, "text/html", AcsResponseError),
        (
            '{"status": 0, "msg": "success", "data": [',
            200,
            "application/json",
            AcsResponseError,
        ),
        (b"\xff\xfe{}", 200, "application/json", AcsResponseError),
        ("[1, 2]", 200, "application/json", AcsResponseError),
        ('{"msg": "no status"}', 200, "application/json", AcsResponseError),
        ('{"status": "zero"}', 200, "application/json", AcsResponseError),
        (
            '{"timestamp": 1, "status": 404, "error": "Not Found", "path": "/x"}',
            200,
            "application/json",
            AcsServerError,
        ),
        (
            '{"status": 0, "data": {"deviceId": "x"}}',
            200,
            "application/json",
            AcsResponseError,
        ),
        ('{"status": 0, "data": [1, 2]}', 200, "application/json", AcsResponseError),
        (
            '{"status": 0, "data": [{"deviceName": "no id"}]}',
            200,
            "application/json",
            AcsResponseError,
        ),
    ],
)
async def test_bad_answers(
    canned: CannedServer,
    canned_adapter: AxBsHttpV1Adapter,
    body: str | bytes,
    status: int,
    content_type: str,
    error: type[Exception],
) -> None:
    canned.set("acs/devices", body, status=status, content_type=content_type)
    with pytest.raises(error) as err:
        await canned_adapter.controllers()
    assert type(err.value) is error


async def test_lenient_answers(
    canned: CannedServer, canned_adapter: AxBsHttpV1Adapter
) -> None:
    canned.set("acs/devices", '\ufeff{"status": "0", "msg": null, "data": null}')
    assert await canned_adapter.controllers() == []
    canned.set("users/count", '{"status": 0, "msg": "success", "data": "41"}')
    assert await canned_adapter.count_people() == 41
    canned.set("user/userid/", '{"status": 0, "msg": "success", "data": null}')
    assert await canned_adapter.person(user_id=1) is None
    # A door state inside "data" is accepted too.
    canned.set(
        "acs/device/door/state/",
        '{"status": 0, "msg": "success", "data": {"isOnline": "1", "isOpen": 1}}',
    )
    assert await canned_adapter.door_state("d") == DoorState(
        door_id="d", online=True, is_open=True
    )


@pytest.mark.parametrize(
    ("prefix", "body", "call"),
    [
        ("users/count", envelope('"many"'), lambda a: a.count_people()),
        ("users/count", envelope("-1"), lambda a: a.count_people()),
        ("user/userid/", envelope("[]"), lambda a: a.person(user_id=1)),
        ("acs/device/door/state/", spec.COMMAND_OK, lambda a: a.door_state("d")),
        (
            "acs/device/door/state/",
            envelope('"closed"'),
            lambda a: a.door_state("d"),
        ),
        ("orgs", envelope('[{"orgName": "no id"}]'), lambda a: a.organisations()),
        ("acs/device/doors", envelope('[{"doorName": ""}]'), lambda a: a.doors()),
    ],
)
async def test_wrong_shapes(
    canned: CannedServer,
    canned_adapter: AxBsHttpV1Adapter,
    prefix: str,
    body: str,
    call: Callable[[AxBsHttpV1Adapter], Any],
) -> None:
    canned.set(prefix, body)
    with pytest.raises(AcsResponseError):
        await call(canned_adapter)


async def test_no_data_for_every_shape(
    canned: CannedServer, canned_adapter: AxBsHttpV1Adapter
) -> None:
    canned.set("", NO_DATA)
    adapter = canned_adapter
    assert await adapter.person_types() == []
    assert await adapter.organisation("x") is None
    assert await adapter.count_people() == 0
    assert await adapter.person(user_no="x") is None
    assert await adapter.count_records_after(0) == 0
    assert [r async for r in adapter.records_after(0)] == []
    assert await adapter.latest_record_id() is None
    assert await adapter.poll_events(["c"]) == []
    assert await adapter.alarms() == []
    with pytest.raises(AcsNotFoundError) as err:
        await adapter.door_state("d")
    assert err.value.code == 102
    assert "数据不存在" in str(err.value)
    with pytest.raises(AcsNotFoundError):
        await adapter.close_door("d")


async def test_server_message_never_echoes_the_password(
    canned: CannedServer, canned_adapter: AxBsHttpV1Adapter
) -> None:
    message = f"帐号 admin 密码 {PASSWORD} 验证错误"
    canned.set(
        "acs/device/door/open/",
        json.dumps({"status": 105, "msg": message}, ensure_ascii=False),
    )
    with pytest.raises(Exception) as err:  # noqa: PT011 - checked below
        await canned_adapter.open_door("d")
    assert PASSWORD not in str(err.value)
    assert "***" in str(err.value)
    assert err.value.code == 105  # type: ignore[attr-defined]


async def test_message_without_password_configured(
    canned: CannedServer, make_adapter: MakeAdapter
) -> None:
    canned.set("acs/devices", '{"status": 1, "msg": "一般错误"}')
    with pytest.raises(AcsServerError) as err:
        await make_adapter(canned.port, password="").controllers()
    assert err.value.message == "acs/devices: 一般错误"
    assert err.value.code == 1


async def test_timeout(canned: CannedServer, make_adapter: MakeAdapter) -> None:
    canned.set("acs/devices", spec.DEVICES, hold=asyncio.Event())
    adapter = make_adapter(canned.port, request_timeout=0.1)
    with pytest.raises(AcsTimeoutError, match=r"acs/devices: no answer within 0\.1 s"):
        await adapter.controllers()


async def test_nobody_listening(make_adapter: MakeAdapter) -> None:
    with socket.socket() as sock:  # a port that was free a moment ago
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    with pytest.raises(AcsConnectionError) as err:
        await make_adapter(port).controllers()
    assert "ClientConnectorError" in str(err.value)


async def test_requests_are_bounded(
    canned: CannedServer, make_adapter: MakeAdapter
) -> None:
    release = asyncio.Event()
    canned.set("acs/device/door/state/", spec.DOOR_STATE, hold=release)
    adapter = make_adapter(canned.port, max_concurrent_requests=3)
    task = asyncio.create_task(adapter.door_states([f"d{n}" for n in range(10)]))
    await canned.wait_for_requests(3)
    for _ in range(50):  # let the loop run: an unbounded request would arrive
        await asyncio.sleep(0)
    assert len(canned.targets) == 3
    release.set()
    assert len(await task) == 10
    assert canned.max_in_flight == 3
    assert len(canned.targets) == 10


# --- size of an answer --------------------------------------------------------------


@pytest.fixture
async def streaming_server() -> Any:
    """A server on loopback that streams a body: endless, or 20 MiB of valid JSON."""
    from aiohttp import web

    async def endless(request: web.Request) -> web.StreamResponse:
        response = web.StreamResponse(headers={"Content-Type": "application/json"})
        await response.prepare(request)
        await response.write(b'{"status": 0, "msg": "success", "data": [')
        try:
            while True:
                await response.write(b'{"eventId": 1},' * 4096)
        except (ConnectionError, RuntimeError):
            pass
        return response

    async def huge(request: web.Request) -> web.StreamResponse:
        rows = ",".join(['{"eventId": 1}'] * (20 * 1024 * 1024 // 15))
        return web.Response(text=envelope(f"[{rows}]"), content_type="application/json")

    app = web.Application()
    app.router.add_get("/api/v1/acs/device/eventcache/swipecard/endless", endless)
    app.router.add_get("/api/v1/acs/device/eventcache/swipecard/huge", huge)
    runner = web.AppRunner(app, shutdown_timeout=0.1)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    try:
        yield runner.addresses[0][1]
    finally:
        await runner.cleanup()


@pytest.mark.parametrize("controller", ["endless", "huge"])
async def test_answers_are_size_limited(
    streaming_server: int, make_adapter: MakeAdapter, controller: str
) -> None:
    """An endless or oversized body is refused with a clear error, not read to the end."""
    adapter = make_adapter(streaming_server, request_timeout=5.0)
    with pytest.raises(AcsResponseError, match="larger than 16 MiB"):
        await adapter.poll_events([controller])


# --- certificates -------------------------------------------------------------------


@pytest.fixture
async def tls_server(tmp_path: Any) -> Any:
    """An HTTPS server on loopback with a self-signed certificate."""
    import datetime as dt
    import ssl

    from aiohttp import web
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=1))
        .sign(key, hashes.SHA256())
    )
    (tmp_path / "cert.pem").write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    (tmp_path / "key.pem").write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(tmp_path / "cert.pem", tmp_path / "key.pem")

    async def devices(request: web.Request) -> web.Response:
        return web.Response(text=envelope("[]"), content_type="application/json")

    app = web.Application()
    app.router.add_get("/api/v1/acs/devices", devices)
    runner = web.AppRunner(app, shutdown_timeout=0.1)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0, ssl_context=context)
    await site.start()
    try:
        yield runner.addresses[0][1]
    finally:
        await runner.cleanup()


async def test_unverifiable_certificate(
    tls_server: int, make_adapter: MakeAdapter
) -> None:
    """A self-signed certificate is its own error; without verification it answers."""
    from custom_components.acs_bridge.adapters import AcsCertificateError

    adapter = make_adapter(tls_server, ssl=True)
    with pytest.raises(AcsCertificateError, match="certificate cannot be verified"):
        await adapter.controllers()
    assert (
        await make_adapter(tls_server, ssl=True, verify_ssl=False).controllers() == []
    )
