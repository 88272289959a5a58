"""The request helper on a scripted device: formats, failures, bounds, pacing, logs."""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path
import socket
from typing import Any

import pytest

from custom_components.acs_bridge.adapters.exceptions import (
    AcsCertificateError,
    AcsConnectionError,
    AcsInvalidRequestError,
    AcsNotFoundError,
    AcsNotSupportedError,
    AcsPermissionError,
    AcsResponseError,
    AcsServerError,
    AcsTimeoutError,
)
from custom_components.acs_bridge.adapters.hikvision_isapi.decode import DeviceBusyError

from .conftest import (
    DEVICE_INFO_XML,
    HIK_NS,
    ISAPI_NS,
    PASSWORD,
    FakeDevice,
    MakeClient,
    serve,
)

STATUS = "/ISAPI/AccessControl/AcsWorkStatus"
DOOR = "/ISAPI/AccessControl/RemoteControl/door/1"
WORK_JSON = '{"AcsWorkStatus": {"doorLockStatus": [1, 0], "doorStatus": [2, 4], "magneticStatus": [0, 1]}}'


def work_xml(ns: str) -> str:
    return (
        f'<?xml version="1.0"?><AcsWorkStatus version="2.0" xmlns="{ns}">'
        "<doorLockStatusList><doorLockStatus>1</doorLockStatus><doorLockStatus>0</doorLockStatus></doorLockStatusList>"
        "<doorStatusList><doorStatus>2</doorStatus><doorStatus>4</doorStatus></doorStatusList>"
        "<magneticStatusList><magneticStatus>0</magneticStatus><magneticStatus>1</magneticStatus></magneticStatusList>"
        "</AcsWorkStatus>"
    )


def response_status(code: int, sub: str, ns: str = ISAPI_NS) -> str:
    return (
        f'<?xml version="1.0"?><ResponseStatus version="2.0" xmlns="{ns}">'
        f"<requestURL>/ISAPI/secret?password={PASSWORD}</requestURL>"
        f"<statusCode>{code}</statusCode><statusString>Failed</statusString>"
        f"<subStatusCode>{sub}</subStatusCode></ResponseStatus>"
    )


@pytest.mark.parametrize(
    "body",
    [WORK_JSON, work_xml(ISAPI_NS), work_xml(HIK_NS)],
    ids=["json", "xml_isapi", "xml_hikvision"],
)
async def test_json_or_xml_by_content(
    device: FakeDevice, make_client: MakeClient, body: str
) -> None:
    device.set(STATUS, body, content_type="application/json")  # XML labelled JSON too
    status = await make_client(device.port).work_status(2)
    assert [(d.lock.name, d.magnetic.name, d.mode.name) for d in status.doors] == [
        ("UNLOCKED", "CLOSED", "REMAIN_OPEN"),
        ("LOCKED", "OPEN", "NORMAL"),
    ]


@pytest.mark.parametrize(
    ("body", "status", "error", "match"),
    [
        ("<html><body>login</body></html>", 200, AcsResponseError, "HTML"),
        ('{"AcsWorkStatus": {', 200, AcsResponseError, "not valid JSON"),
        ("<AcsWorkStatus><x>", 200, AcsResponseError, "not valid XML"),
        ("garbage", 200, AcsResponseError, "neither JSON nor XML"),
        (b"\xff\xfe\x00", 200, AcsResponseError, "not UTF-8"),
        (
            '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "b">]><x>&a;</x>',
            200,
            AcsResponseError,
            "DTD",
        ),
        (response_status(4, "notSupport"), 200, AcsNotSupportedError, "notSupport"),
        (response_status(4, "lowPrivilege"), 200, AcsPermissionError, "lowPrivilege"),
        (response_status(4, "invalidID"), 200, AcsNotFoundError, "invalidID"),
        (
            response_status(6, "badParameters"),
            400,
            AcsInvalidRequestError,
            "badParameters",
        ),
        (
            response_status(4, "MessageParametersLack", HIK_NS),
            200,
            AcsInvalidRequestError,
            "MessageParametersLack",
        ),
        (response_status(3, "somethingElse"), 200, AcsServerError, "somethingElse"),
        (
            '{"statusCode": 4, "statusString": "Invalid Operation", "subStatusCode": "notSupport", "errorCode": 1073741825}',
            200,
            AcsNotSupportedError,
            "0x40000001",
        ),
        ("not found", 404, AcsNotSupportedError, "HTTP 404"),
        ("", 500, AcsServerError, "HTTP 500"),
        ("", 302, AcsResponseError, "HTTP 302"),
    ],
)
async def test_failures_are_typed_and_carry_no_url(
    device: FakeDevice,
    make_client: MakeClient,
    body: str | bytes,
    status: int,
    error: type[Exception],
    match: str,
) -> None:
    device.set(STATUS, body, status=status)
    with pytest.raises(error, match=match) as err:
        await make_client(device.port).work_status(1)
    text = str(err.value)
    assert "127.0.0.1" not in text
    assert PASSWORD not in text
    assert "secret" not in text
    assert err.value.__cause__ is None


@pytest.mark.parametrize("kind", ["http503", "status2"])
async def test_busy_is_retried_then_reported(
    device: FakeDevice, make_client: MakeClient, kind: str
) -> None:
    device.set(STATUS, WORK_JSON)
    device.busy_kind = kind
    device.busy_next = 2
    client = make_client(device.port)
    assert len((await client.work_status(2)).doors) == 2
    assert device.outcomes().count("busy") == 2
    device.busy_next = 3
    with pytest.raises(DeviceBusyError):
        await client.work_status(2)
    assert isinstance(DeviceBusyError(), AcsServerError)


async def test_timeout(device: FakeDevice, make_client: MakeClient) -> None:
    device.set(STATUS, WORK_JSON)
    client = make_client(device.port, request_timeout=0.3)
    await client.work_status(1)
    device.hold = asyncio.Event()
    with pytest.raises(AcsTimeoutError, match="no answer within"):
        await client.work_status(1)


async def test_refused_connection(make_client: MakeClient) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    with pytest.raises(AcsConnectionError) as err:
        await make_client(port).device_info()
    assert "127.0.0.1" not in str(err.value)


async def test_dropped_connection(make_client: MakeClient) -> None:
    async def drop(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.readline()
        writer.close()

    server = await asyncio.start_server(drop, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    try:
        with pytest.raises(AcsConnectionError, match="cannot talk"):
            await make_client(port).device_info()
    finally:
        server.close()
        await server.wait_closed()


async def test_body_size_limit(device: FakeDevice, make_client: MakeClient) -> None:
    device.set(STATUS, '{"AcsWorkStatus": {"x": "' + "a" * 5000 + '"}}')
    with pytest.raises(AcsResponseError, match="too large"):
        await make_client(device.port, max_body_bytes=1000).work_status(1)


async def test_requests_are_serial(device: FakeDevice, make_client: MakeClient) -> None:
    device.set(STATUS, WORK_JSON)
    client = make_client(device.port)
    await client.work_status(1)  # the challenge is done
    device.hold = asyncio.Event()
    calls = [asyncio.ensure_future(client.work_status(1)) for _ in range(3)]
    await device.held.wait()
    for _ in range(20):  # give the other two every chance to start
        await asyncio.sleep(0)
    assert device.in_flight == 1
    device.hold.set()
    await asyncio.gather(*calls)
    assert device.max_in_flight == 1


async def test_remote_control_body_and_no_password_in_logs(
    device: FakeDevice, make_client: MakeClient, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    device.set(DOOR, response_status(1, "ok"), content_type="application/xml")
    client = make_client(device.port)
    await client.remote_control(1, "open", password="<1234&>")
    assert device.bodies[-1] == (
        b'<?xml version="1.0" encoding="UTF-8"?><RemoteControlDoor version="2.0" '
        b'xmlns="http://www.isapi.org/ver20/XMLSchema"><cmd>open</cmd>'
        b"<password>&lt;1234&amp;&gt;</password></RemoteControlDoor>"
    )
    await client.remote_control(1, "close", namespaced=False)
    assert device.bodies[-1].endswith(
        b"<RemoteControlDoor><cmd>close</cmd></RemoteControlDoor>"
    )
    device.set(
        DOOR,
        response_status(4, "badXmlContent"),
        status=400,
        content_type="application/xml",
    )
    with pytest.raises(AcsInvalidRequestError):
        await client.remote_control(1, "open", password="<1234&>")
    with pytest.raises(ValueError, match="single word"):
        await client.remote_control(1, "open</cmd><x>")
    assert "1234" not in caplog.text
    assert PASSWORD not in caplog.text
    assert "p@ss" not in repr(client) + repr(client.transport._auth)


async def test_deviceinfo_without_identity_is_refused(
    device: FakeDevice, make_client: MakeClient
) -> None:
    device.set(
        "/ISAPI/System/deviceInfo",
        "<DeviceInfo><deviceName>x</deviceName></DeviceInfo>",
        content_type="application/xml",
    )
    with pytest.raises(AcsResponseError, match="no model or serial"):
        await make_client(device.port).device_info()


def _self_signed(tmp_path: Path) -> Any:
    import datetime as dt
    import ssl

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
    return context


async def test_self_signed_certificate(tmp_path: Path, make_client: MakeClient) -> None:
    async with serve(FakeDevice(), _self_signed(tmp_path)) as device:
        device.set(
            "/ISAPI/System/deviceInfo", DEVICE_INFO_XML, content_type="application/xml"
        )
        with pytest.raises(AcsCertificateError, match="certificate cannot be verified"):
            await make_client(device.port, ssl=True).device_info()
        info = await make_client(device.port, ssl=True, verify_ssl=False).device_info()
        assert info.model == "DS-K1T341AMF"


async def test_pacing_spaces_request_starts(
    device: FakeDevice, make_client: MakeClient
) -> None:
    device.set(STATUS, WORK_JSON)
    client = make_client(device.port, min_interval=0.2)
    await client.work_status(1)
    starts: list[float] = []
    loop = asyncio.get_running_loop()
    original = client.transport._pace

    async def spy() -> None:
        await original()
        starts.append(loop.time())

    client.transport._pace = spy  # type: ignore[method-assign]
    await client.work_status(1)
    await client.work_status(1)
    assert starts[1] - starts[0] >= 0.19
