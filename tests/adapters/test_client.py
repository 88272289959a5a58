"""The request helper on a canned server: URLs as sent, envelopes, shapes, errors."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import UTC, datetime
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
    AlarmFilter,
    DoorState,
    RecordKind,
    WorkMode,
)
from custom_components.acs_bridge.adapters.ax_bs_http import AxBsHttpV1Adapter
from custom_components.acs_bridge.adapters.ax_bs_http.client import (
    AxBsHttpClient,
    path_segment,
)

from . import spec_payloads as spec
from .conftest import PASSWORD, CannedServer, make_config

type MakeAdapter = Callable[..., AxBsHttpV1Adapter]

ENCODED_PASSWORD = "p%40ss%20%2F%3F%23%25%2B%20%E5%AF%86%E7%A0%81%26%3D%3B"
NO_DATA = '{"status": 102, "msg": "数据不存在"}'


def envelope(data: str, status: int = 0) -> str:
    """Return an envelope around raw JSON ``data``."""
    return f'{{"status": {status}, "msg": "success", "data": {data}}}'


# --- URLs exactly as sent ----------------------------------------------------------


async def test_credentials_are_one_path_segment_each(
    canned: CannedServer, canned_adapter: AxBsHttpV1Adapter
) -> None:
    canned.set("acs/device/door/", spec.COMMAND_OK)
    await canned_adapter.open_door("门/1 ?#")
    await canned_adapter.close_door("d1")
    await canned_adapter.set_work_mode("d1", WorkMode.CARD_OR_PASSWORD)
    assert canned.targets == [
        f"/api/v1/acs/device/door/open/admin/{ENCODED_PASSWORD}/%E9%97%A8%2F1%20%3F%23",
        f"/api/v1/acs/device/door/close/admin/{ENCODED_PASSWORD}/d1",
        f"/api/v1/acs/device/door/workmode/admin/{ENCODED_PASSWORD}/d1/3",
    ]


def test_path_segment() -> None:
    assert path_segment("a/b?c#d%e+f g") == "a%2Fb%3Fc%23d%25e%2Bf%20g"
    assert path_segment("..") == "%2E%2E"
    assert path_segment(".") == "%2E"
    assert path_segment("a.b") == "a.b"
    assert path_segment("") == ""


async def test_times_travel_with_a_raw_plus(
    canned: CannedServer, canned_adapter: AxBsHttpV1Adapter
) -> None:
    canned.set("swipecardrecords/count", spec.COUNT)
    canned.set("acsrecords/count", spec.COUNT)
    begin = datetime(2018, 9, 30, 16, 0, tzinfo=UTC)  # 2018-10-01 00:00 in Shanghai
    end = datetime(2018, 10, 30, 23, 59, 59)  # noqa: DTZ001 - naive: server-local
    await canned_adapter.count_swipe_records(begin, end, user_no="a b+c")
    await canned_adapter.count_acs_records(begin, end, alarms=AlarmFilter.EXCLUDE)
    assert canned.targets == [
        "/api/v1/swipecardrecords/count?usertype=0&isalarm=-1"
        "&begintime=2018-10-01+00:00:00&endtime=2018-10-30+23:59:59&userno=a%20b%2Bc",
        "/api/v1/acsrecords/count?isalarm=0"
        "&begintime=2018-10-01+00:00:00&endtime=2018-10-30+23:59:59",
    ]


async def test_by_id_calls_have_a_slash_before_the_query(
    canned: CannedServer, canned_adapter: AxBsHttpV1Adapter
) -> None:
    canned.set("swipecardrecords/byid/", NO_DATA)
    canned.set("acsrecords/byid/", NO_DATA)
    await canned_adapter.get_swipe_records_by_id(5, alarms=AlarmFilter.ONLY, rows=10)
    await canned_adapter.get_acs_records_by_id(5)
    assert canned.targets == [
        "/api/v1/swipecardrecords/byid/?id=5&usertype=0&isalarm=1&offset=0&rows=10",
        "/api/v1/acsrecords/byid/?id=5&isalarm=-1&offset=0&rows=1000",
    ]


async def test_other_urls(
    canned: CannedServer, canned_adapter: AxBsHttpV1Adapter
) -> None:
    canned.set("", NO_DATA)
    await canned_adapter.get_org_by_name("研发部 / 2")
    await canned_adapter.count_users(person_type_id=1897, org_name="a&b")
    await canned_adapter.get_area_users(3, datetime(2020, 1, 2, 3, 4, 5, tzinfo=UTC))
    await canned_adapter.get_realtime_swipes(["c1", "c 2"])
    await canned_adapter.get_doors_by_area(7)
    await canned_adapter.get_user_by_userno("A/1")
    assert canned.targets == [
        "/api/v1/org/name/%E7%A0%94%E5%8F%91%E9%83%A8%20%2F%202",
        "/api/v1/users/count?usertype=1897&orgname=a%26b",
        "/api/v1/acsrecords/areausers?areaid=3&begintime=2020-01-02+11:04:05&endtime=",
        "/api/v1/acs/device/eventcache/swipecard/c1,c%202",
        "/api/v1/acs/device/doors/areaid/7",
        "/api/v1/user/userno/A%2F1",
    ]


def test_base_url(session: aiohttp.ClientSession) -> None:
    def base(**overrides: Any) -> str:
        port = overrides.pop("port", 6500)
        return AxBsHttpClient(session, make_config(port, **overrides)).base_url

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


# --- paging ------------------------------------------------------------------------


async def test_paging_stops_when_the_server_ignores_rows(
    canned: CannedServer, make_adapter: MakeAdapter
) -> None:
    records = ",".join(f'{{"recordId": {n}}}' for n in range(1, 6))
    canned.set("acsrecords/byid/", envelope(f"[{records}]"))
    adapter = make_adapter(canned.port, page_size=2)
    assert [r.record_id async for r in adapter.records_after(0)] == [1, 2, 3, 4, 5]
    assert len(canned.targets) == 1


def test_page_size_is_checked(session: aiohttp.ClientSession) -> None:
    for size in (0, 1001):
        with pytest.raises(ValueError, match="1 to 1000"):
            AxBsHttpV1Adapter(session, make_config(1), page_size=size)


async def test_iterators_page_by_page(
    canned: CannedServer, make_adapter: MakeAdapter
) -> None:
    canned.set("", NO_DATA)
    adapter = make_adapter(canned.port, page_size=50)
    begin, end = datetime(2020, 1, 1, tzinfo=UTC), datetime(2020, 1, 2, tzinfo=UTC)
    for iterator in (
        adapter.iter_swipe_records(begin, end, user_no="7", page_size=9),
        adapter.iter_acs_records(begin, end),
        adapter.records_between(begin, end, kind=RecordKind.SWIPE),
    ):
        assert [r async for r in iterator] == []
    assert [q.split("?", 1)[1] for q in canned.targets] == [
        "usertype=0&isalarm=-1&begintime=2020-01-01+08:00:00"
        "&endtime=2020-01-02+08:00:00&userno=7&offset=0&rows=9",
        "isalarm=-1&begintime=2020-01-01+08:00:00"
        "&endtime=2020-01-02+08:00:00&offset=0&rows=50",
        "usertype=0&isalarm=-1&begintime=2020-01-01+08:00:00"
        "&endtime=2020-01-02+08:00:00&userno=&offset=0&rows=50",
    ]


# --- real-time batches ----------------------------------------------------------------


adapter_realtime = "acs/device/eventcache/swipecard"


def test_realtime_batches(session: aiohttp.ClientSession) -> None:
    adapter = AxBsHttpV1Adapter(session, make_config(6500))
    ids = [f"{n:032x}" for n in range(400)]
    batches = adapter.realtime_batches([*ids, ids[0], ""])
    assert [i for batch in batches for i in batch] == ids
    prefix = len("http://127.0.0.1:6500/api/v1/acs/device/eventcache/swipecard/")
    lengths = [
        len(str(adapter.api.build_url(adapter_realtime, [",".join(batch)])))
        for batch in batches
    ]
    assert all(length <= 4096 for length in lengths)
    # Every batch but the last is full: one more id would not fit.
    assert all(length > 4096 - 33 for length in lengths[:-1])
    per_batch = (4096 - prefix + 1) // 33  # n ids take 33 n - 1 bytes
    assert len(batches) == -(-400 // per_batch)
    assert adapter.realtime_batches([]) == []
    huge = "x" * 5000
    assert adapter.realtime_batches(["a", huge, "b"]) == [["a"], [huge], ["b"]]


async def test_check_credentials_when_the_door_exists(
    canned: CannedServer,
    canned_adapter: AxBsHttpV1Adapter,
    caplog: pytest.LogCaptureFixture,
) -> None:
    canned.set("acs/devices", spec.DEVICES)
    canned.set("acs/device/door/close/", spec.COMMAND_OK)
    await canned_adapter.check_credentials()
    assert "says it exists" in caplog.text


def test_realtime_batches_reused(session: aiohttp.ClientSession) -> None:
    """The same controllers poll after poll reuse one split; others get a new one."""
    adapter = AxBsHttpV1Adapter(session, make_config(6500))
    first = adapter.realtime_batches(["a", "b"])
    assert adapter.realtime_batches(["a", "b"]) is first
    assert adapter.realtime_batches(["a", "b", "c"]) == [["a", "b", "c"]]
