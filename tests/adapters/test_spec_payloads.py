"""The specification's own example answers, through the client, over HTTP.

Each row: the canned answer (raw JSON text from the specification), the
client call that reads it, and the models it must give.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any

import pytest

from custom_components.acs_bridge.adapters import (
    AccessEvent,
    AccessMethod,
    AccessReason,
    AccessType,
    Alarm,
    Area,
    AreaPerson,
    CardGroup,
    CardState,
    CardType,
    Controller,
    Direction,
    Door,
    DoorState,
    Organisation,
    Passage,
    Person,
    PersonType,
    WorkMode,
)
from custom_components.acs_bridge.adapters.ax_bs_http import (
    AcsRecordsByIdQuery,
    AcsRecordsQuery,
    AxBsHttpClient,
    AxBsHttpV1Adapter,
    SwipeRecordsByIdQuery,
    SwipeRecordsQuery,
    UserAccessRecordsQuery,
    UsersQuery,
)

from . import spec_payloads as spec
from .conftest import TIME_ZONE, CannedServer


def at(*parts: int) -> datetime:
    """Return a time of the server's zone."""
    return datetime(*parts, tzinfo=TIME_ZONE)  # type: ignore[arg-type,misc]


BEGIN = at(2018, 10, 1)
END = at(2018, 10, 30, 23, 59, 59)

PERSON_289 = Person(
    user_id=289,
    user_no="300005",
    name="买买提",
    sex=0,
    org_id=2483,
    org_name="机关党群工作部",
    person_type_id=1897,
    person_type_name="职工",
    enabled=True,
    job_position="员工",
    created=at(2018, 3, 23, 11, 33, 24),
    modified=at(2020, 3, 18, 16, 33, 29),
    card_state=CardState.NORMAL,
    card_count=3,
    card_nos=("22", "111", "10000033"),
    card_expires=at(2099, 12, 31, 23, 59, 59),
    card_type_id=5,
    card_group_id=3,
    face_url="upload/faceimages/f7494baec995407d84ed1c836544c006.jpg",
)

RECORD_29 = AccessEvent(
    key="r29|132ccea02e5f4498be494730fba3d9a6|888888|2019-04-04T18:52:46+08:00",
    method=AccessMethod.CARD,
    record_id=29,
    time=at(2019, 4, 4, 18, 52, 46),
    name="外部刷卡开门",
    event_code=3,
    controller_id="3aec7c4e58ab4a3dbd56deb98cf4bbd6",
    controller_name="192.168.1.64",
    door_id="132ccea02e5f4498be494730fba3d9a6",
    door_name="东门",
    area_id=160,
    area_name="test",
    is_swipe=True,
    is_door_open=True,
    direction=Direction.IN,
    is_alarm=False,
    reason=AccessReason.GRANTED,
    reason_code=0,
    card_no="888888",
    card_state=CardState.NORMAL,
    user_id=3,
    user_no="888888",
    user_name="888888",
    org_id=None,
    org_name=None,
    plate_number=None,
    user_type_id=2,
)

DOOR_1 = Door(
    id="6e9b3dad91b049598f142fc02c50d63d",
    name="门 1",
    controller_id="0580ad81acd34ab5bbaf8946165b4a64",
    controller_name="办公楼大门",
    area_id=1,
    area_name="东区",
    address="1",
    work_modes=tuple(WorkMode),  # every AX door offers all seven
)

type Call = Callable[[AxBsHttpClient], Awaitable[Any]]

CASES: list[tuple[str, str, str, Call, Any]] = [
    (
        "01-usertypes",
        "usertypes",
        spec.USER_TYPES,
        lambda c: c.get_user_types(),
        [
            PersonType(id=1897, name="职工"),
            PersonType(id=1898, name="车辆"),
            PersonType(id=1899, name="临时施工人员"),
            PersonType(id=1900, name="其他人员"),
            PersonType(id=1990, name="临时施工车辆"),
        ],
    ),
    (
        "02-orgs",
        "orgs",
        spec.ORGS,
        lambda c: c.get_orgs(),
        [
            Organisation(
                id=1,
                name="公司",
                code=None,
                parent_id=None,
                parent_name=None,
                created=at(2018, 3, 23, 11, 33, 24),
                modified=at(2020, 3, 18, 16, 33, 29),
            )
        ],
    ),
    (
        "03-org-by-name",
        "org/name/",
        spec.ORG_BY_NAME,
        lambda c: c.get_org_by_name("测试部门"),
        Organisation(id=1, name="测试部门", code="TD", parent_id=None),
    ),
    ("04-users-count", "users/count", spec.COUNT, lambda c: c.count(UsersQuery()), 22),
    (
        "05-users",
        "users",
        spec.USERS,
        lambda c: c.page(UsersQuery()),
        [
            Person(
                user_id=20173,
                user_no="12700106",
                name="张三",
                sex=0,
                org_id=3658,
                org_name="qt 洗衣服务部",
                person_type_id=1899,
                person_type_name="临时施工人员",
                job_position="员工",
                created=at(2018, 3, 9, 15, 6, 19),
                modified=at(2018, 3, 9, 15, 6, 19),
                card_state=CardState.NORMAL,
                card_count=1,
                card_nos=("17435103",),
                card_expires=at(2099, 12, 31, 23, 59, 59),
                card_type_id=5,
                card_group_id=3,
                photo_url="upload/image/aa.jpg",
                face_url="upload/faceimages/f7494baec995407d84ed1c836544c006.jpg",
            )
        ],
    ),
    ("06-user", "user?", spec.USER, lambda c: c.get_user("300005"), PERSON_289),
    (
        "07-user-by-userno",
        "user/userno/",
        spec.USER_BY_USERNO,
        lambda c: c.get_user_by_userno("300005"),
        PERSON_289,
    ),
    (
        "08-user-by-userid",
        "user/userid/",
        spec.USER_BY_USERID,
        lambda c: c.get_user_by_userid(289),
        PERSON_289,
    ),
    (
        "09-cardgroups",
        "cardgroups",
        spec.CARD_GROUPS,
        lambda c: c.get_card_groups(),
        [
            CardGroup(id=1, name="特权卡"),
            CardGroup(id=2, name="胁迫卡"),
            CardGroup(id=3, name="普通组"),
        ],
    ),
    (
        "10-cardtypes",
        "cardtypes",
        spec.CARD_TYPES,
        lambda c: c.get_card_types(),
        [
            CardType(id=1, name="韦根 26"),
            CardType(id=2, name="韦根 34"),
            CardType(id=3, name="人脸识别"),
        ],
    ),
    (
        "11-swipes-count",
        "swipecardrecords/count",
        spec.COUNT,
        lambda c: c.count(SwipeRecordsQuery(BEGIN, END, user_no="11")),
        22,
    ),
    (
        "12-swipes",
        "swipecardrecords?",
        spec.SWIPE_RECORDS,
        lambda c: c.page(SwipeRecordsQuery(BEGIN, END)),
        [RECORD_29],
    ),
    (
        "13-swipes-by-id-count",
        "swipecardrecords/byid/count",
        spec.COUNT,
        lambda c: c.count(SwipeRecordsByIdQuery(1)),
        22,
    ),
    (
        "14-swipes-by-id",
        "swipecardrecords/byid/?",
        spec.SWIPE_RECORDS_BY_ID,
        lambda c: c.page(SwipeRecordsByIdQuery(1)),
        [RECORD_29],
    ),
    (
        "15-acs-count",
        "acsrecords/count",
        spec.COUNT,
        lambda c: c.count(AcsRecordsQuery(BEGIN, END)),
        22,
    ),
    (
        "16-acs",
        "acsrecords?",
        spec.SWIPE_RECORDS,
        lambda c: c.page(AcsRecordsQuery(BEGIN, END)),
        [RECORD_29],
    ),
    (
        "17-acs-by-id-count",
        "acsrecords/byid/count",
        spec.COUNT,
        lambda c: c.count(AcsRecordsByIdQuery(1)),
        22,
    ),
    (
        "18-acs-by-id",
        "acsrecords/byid/?",
        spec.SWIPE_RECORDS,
        lambda c: c.page(AcsRecordsByIdQuery(1)),
        [RECORD_29],
    ),
    (
        "19-alarms",
        "acs/alarmevent/notconfirmandclear",
        spec.ALARMS,
        lambda c: c.get_unconfirmed_alarms(),
        [
            Alarm(
                alarm_id=2873,
                event_id=990,
                time=at(2022, 5, 24, 18, 28, 7),
                name="非法开门",
                event_code=25,
                forced=True,
                controller_id="12fb0b8ff5954f569fbc4fbeb62fd458",
                controller_name="192.168.2.64",
                door_id="214ddb7d639940099341d1023f9aabda",
                door_name="2 门[2]",
                area_id=162,
                area_name="工厂",
                level="1",
                priority=254,
                reason=AccessReason.GRANTED,
                reason_code=0,
                card_no="0",
                user_id=None,
                user_no=None,
                user_name=None,
                org_name=None,
                acknowledged=False,
                cleared=False,
                recovered=True,
            )
        ],
    ),
    (
        "20-area-users",
        "acsrecords/areausers",
        spec.AREA_USERS,
        lambda c: c.get_area_users(),
        [
            AreaPerson(
                record_id=2,
                time=at(2022, 9, 2, 12, 26, 4),
                area_id=161,
                area_name="食堂",
                controller_id="12fb0b8ff5954f569fbc4fbeb62fd458",
                controller_name="192.168.2.64",
                door_id="7dd55168b4d4439b9923797e87da1cd4",
                door_name="1A002SE",
                event_code=22,
                event_name="外部无效卡",
                card_no="1",
                card_state=CardState.NORMAL,
                card_type="门禁锁人脸",
                card_group="普通组",
                user_id=77875,
                user_no="F4567",
                user_name="冯生",
                org_id=4185,
                org_name="门禁授权用户管理",
                person_type_id=1897,
                person_type_name="职工",
            )
        ],
    ),
    (
        "21-areas",
        "areas",
        spec.AREAS,
        lambda c: c.get_areas(),
        [Area(id=1, name="公司机关", code="公司机关", parent_id=None)],
    ),
    (
        "22-devices",
        "acs/devices",
        spec.DEVICES,
        lambda c: c.get_devices(),
        [
            Controller(
                id="3aec7c4e58ab4a3dbd56deb98cf4bbd6",
                name="192.168.2.64",
                area_id=162,
                area_name="BC",
                serial="8791",
                address="192.168.2.64",
                online=True,
                comm_error=None,
            )
        ],
    ),
    ("23-doors", "acs/device/doors", spec.DOORS, lambda c: c.get_doors(), [DOOR_1]),
    (
        "24-doors-by-area",
        "acs/device/doors/areaid/",
        spec.DOORS,
        lambda c: c.get_doors_by_area(1),
        [DOOR_1],
    ),
    (
        "25-door-state",
        "acs/device/door/state/",
        spec.DOOR_STATE,
        lambda c: c.get_door_state("6e9b3dad91b049598f142fc02c50d63d"),
        DoorState(
            door_id="6e9b3dad91b049598f142fc02c50d63d", online=True, is_open=False
        ),
    ),
    (
        "26-open",
        "acs/device/door/open/",
        spec.COMMAND_OK,
        lambda c: c.open_door("6e9b3dad91b049598f142fc02c50d63d"),
        None,
    ),
    (
        "27-close",
        "acs/device/door/close/",
        spec.COMMAND_OK,
        lambda c: c.close_door("6e9b3dad91b049598f142fc02c50d63d"),
        None,
    ),
    (
        "28-workmode",
        "acs/device/door/workmode/",
        spec.COMMAND_OK,
        lambda c: c.set_work_mode("6e9b3dad91b049598f142fc02c50d63d", 4),
        None,
    ),
    (
        "29-realtime",
        "acs/device/eventcache/swipecard/",
        spec.REALTIME_SWIPES,
        lambda c: c.get_realtime_swipes(["3aec7c4e58ab4a3dbd56deb98cf4bbd6"]),
        [
            AccessEvent(
                key="e3311|ffa67848670e42869e34795471ce7b4d|232376|2020-02-25T11:52:14+08:00",
                method=AccessMethod.CARD,  # the name says 卡 (a card)
                event_id=3311,
                time=at(2020, 2, 25, 11, 52, 14),
                name="外部无效卡",
                controller_id="3aec7c4e58ab4a3dbd56deb98cf4bbd6",
                controller_name="192.168.2.64",
                door_id="ffa67848670e42869e34795471ce7b4d",
                door_name="门[1]",
                area_name="BC",
                event_code=22,  # from the name: the cache sends no value
                direction=Direction.IN,
                is_alarm=True,
                reason=AccessReason.NO_PERMISSION,
                reason_code=102,
                card_no="232376",
                card_name=None,
                card_state=CardState.NORMAL,
                card_group="普通组",
                card_type="韦根 34",
                user_no="M001124",
                user_name="M00112",
                user_type_id=1899,
                org_name="门禁授权用户管理",
                plate_number=None,
                alarm_class=None,
            )
        ],
    ),
    (
        "30-user-access-records",
        "useraccessrecords",
        spec.USER_ACCESS_RECORDS,
        lambda c: c.page(UserAccessRecordsQuery(at(2018, 10, 1), at(2019, 10, 2))),
        [
            Passage(
                time=at(2019, 4, 4, 19, 4, 58),
                name="外部刷卡开门",
                event_code=3,
                controller_id="b8982e35420c4b33ae918be4d3533751",
                controller_name="192.168.1.64 门[2]",
                area_id=160,
                area_name="test",
                direction=Direction.IN,
                access_type=AccessType.CARD,
                credential="99999",
                user_id=4,
                user_no="99999",
                user_name="99999",
                org_name=None,
            )
        ],
    ),
]


def test_every_endpoint_has_a_case() -> None:
    assert len(CASES) == 30
    assert [case[0][:2] for case in CASES] == [f"{n:02d}" for n in range(1, 31)]


@pytest.mark.parametrize(
    ("prefix", "payload", "call", "expected"),
    [case[1:] for case in CASES],
    ids=[case[0] for case in CASES],
)
async def test_spec_example(
    canned: CannedServer,
    canned_adapter: AxBsHttpV1Adapter,
    prefix: str,
    payload: str,
    call: Call,
    expected: Any,
) -> None:
    canned.set(prefix.rstrip("?"), payload)
    assert await call(canned_adapter.client) == expected
    assert canned.last.startswith("/api/v1/" + prefix)


def test_duplicate_user_id_is_kept_by_the_parser() -> None:
    """A plain json.loads keeps the LAST userId, the person type: wrong."""
    import json

    from custom_components.acs_bridge.adapters.ax_bs_http.decode import loads

    assert json.loads(spec.USER)["data"]["userId"] == 1897
    data = loads(spec.USER)["data"]
    assert data["userId"] == 289
    assert data.repeated == {"userId": [1897]}
    assert data.last("userId") == 1897
    assert data.last("userNo") == "300005"
