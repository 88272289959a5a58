"""The 30 calls on a canned server: URLs exactly as sent, paging, the #29 split."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

import aiohttp
import pytest

from custom_components.acs_bridge.adapters import AlarmFilter, RecordKind, WorkMode
from custom_components.acs_bridge.adapters.ax_bs_http import (
    AcsRecordsByIdQuery,
    AcsRecordsQuery,
    AxBsHttpClient,
    AxBsHttpV1Adapter,
    SwipeRecordsByIdQuery,
    SwipeRecordsQuery,
    UsersQuery,
)

from . import spec_payloads as spec
from .conftest import NO_DATA, CannedServer, envelope, make_config

type MakeAdapter = Callable[..., AxBsHttpV1Adapter]

ENCODED_PASSWORD = "p%40ss%20%2F%3F%23%25%2B%20%E5%AF%86%E7%A0%81%26%3D%3B"


@pytest.fixture
def client(canned_adapter: AxBsHttpV1Adapter) -> AxBsHttpClient:
    """The client of the adapter talking to the canned server."""
    return canned_adapter.client


# --- URLs exactly as sent ----------------------------------------------------------


async def test_credentials_are_one_path_segment_each(
    canned: CannedServer, client: AxBsHttpClient
) -> None:
    canned.set("acs/device/door/", spec.COMMAND_OK)
    await client.open_door("门/1 ?#")
    await client.close_door("d1")
    await client.set_work_mode("d1", WorkMode.CARD_OR_PASSWORD)
    assert canned.targets == [
        f"/api/v1/acs/device/door/open/admin/{ENCODED_PASSWORD}/%E9%97%A8%2F1%20%3F%23",
        f"/api/v1/acs/device/door/close/admin/{ENCODED_PASSWORD}/d1",
        f"/api/v1/acs/device/door/workmode/admin/{ENCODED_PASSWORD}/d1/3",
    ]


async def test_times_travel_with_a_raw_plus(
    canned: CannedServer, client: AxBsHttpClient
) -> None:
    canned.set("swipecardrecords/count", spec.COUNT)
    canned.set("acsrecords/count", spec.COUNT)
    begin = datetime(2018, 9, 30, 16, 0, tzinfo=UTC)  # 2018-10-01 00:00 in Shanghai
    end = datetime(2018, 10, 30, 23, 59, 59)  # noqa: DTZ001 - naive: server-local
    await client.count(SwipeRecordsQuery(begin, end, user_no="a b+c"))
    await client.count(AcsRecordsQuery(begin, end, alarms=AlarmFilter.EXCLUDE))
    assert canned.targets == [
        "/api/v1/swipecardrecords/count?usertype=0&isalarm=-1"
        "&begintime=2018-10-01+00:00:00&endtime=2018-10-30+23:59:59&userno=a%20b%2Bc",
        "/api/v1/acsrecords/count?isalarm=0"
        "&begintime=2018-10-01+00:00:00&endtime=2018-10-30+23:59:59",
    ]


async def test_by_id_calls_have_a_slash_before_the_query(
    canned: CannedServer, client: AxBsHttpClient
) -> None:
    canned.set("swipecardrecords/byid/", NO_DATA)
    canned.set("acsrecords/byid/", NO_DATA)
    await client.page(SwipeRecordsByIdQuery(5, alarms=AlarmFilter.ONLY), rows=10)
    await client.page(AcsRecordsByIdQuery(5))
    assert canned.targets == [
        "/api/v1/swipecardrecords/byid/?id=5&usertype=0&isalarm=1&offset=0&rows=10",
        "/api/v1/acsrecords/byid/?id=5&isalarm=-1&offset=0&rows=1000",
    ]


async def test_other_urls(canned: CannedServer, client: AxBsHttpClient) -> None:
    canned.set("", NO_DATA)
    await client.get_org_by_name("研发部 / 2")
    await client.count(UsersQuery(person_type_id=1897, org_name="a&b"))
    await client.get_area_users(3, datetime(2020, 1, 2, 3, 4, 5, tzinfo=UTC))
    await client.get_realtime_swipes(["c1", "c 2"])
    await client.get_doors_by_area(7)
    await client.get_user_by_userno("A/1")
    assert canned.targets == [
        "/api/v1/org/name/%E7%A0%94%E5%8F%91%E9%83%A8%20%2F%202",
        "/api/v1/users/count?usertype=1897&orgname=a%26b",
        "/api/v1/acsrecords/areausers?areaid=3&begintime=2020-01-02+11:04:05&endtime=",
        "/api/v1/acs/device/eventcache/swipecard/c1,c%202",
        "/api/v1/acs/device/doors/areaid/7",
        "/api/v1/user/userno/A%2F1",
    ]


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
        adapter.client.iterate(SwipeRecordsQuery(begin, end, user_no="7"), page_size=9),
        adapter.client.iterate(AcsRecordsQuery(begin, end)),
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


REALTIME = "acs/device/eventcache/swipecard"


def test_realtime_batches(session: aiohttp.ClientSession) -> None:
    client = AxBsHttpClient(session, make_config(6500))
    ids = [f"{n:032x}" for n in range(400)]
    batches = client.realtime_batches([*ids, ids[0], ""])
    assert [i for batch in batches for i in batch] == ids
    prefix = len("http://127.0.0.1:6500/api/v1/acs/device/eventcache/swipecard/")
    lengths = [
        len(str(client.transport.build_url(REALTIME, [",".join(batch)])))
        for batch in batches
    ]
    assert all(length <= 4096 for length in lengths)
    # Every batch but the last is full: one more id would not fit.
    assert all(length > 4096 - 33 for length in lengths[:-1])
    per_batch = (4096 - prefix + 1) // 33  # n ids take 33 n - 1 bytes
    assert len(batches) == -(-400 // per_batch)
    assert client.realtime_batches([]) == []
    huge = "x" * 5000
    assert client.realtime_batches(["a", huge, "b"]) == [["a"], [huge], ["b"]]


def test_realtime_batches_reused(session: aiohttp.ClientSession) -> None:
    """The same controllers poll after poll reuse one split; others get a new one."""
    client = AxBsHttpClient(session, make_config(6500))
    first = client.realtime_batches(["a", "b"])
    assert client.realtime_batches(["a", "b"]) is first
    assert client.realtime_batches(["a", "b", "c"]) == [["a", "b", "c"]]
