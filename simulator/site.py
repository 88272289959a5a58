"""The simulated site: plain dataclasses and a deterministic (seeded) generator.

The dataclasses are the simulator's source of truth; runtime state that the
server reports (a door's ``is_open``, a controller's ``online``) lives on them,
so ``sim.site.doors[0].is_open`` always shows what the server answers.
"""

from __future__ import annotations

from dataclasses import dataclass, field
import random

__all__ = [
    "Area",
    "CardGroup",
    "CardType",
    "Controller",
    "Door",
    "Org",
    "Person",
    "PersonType",
    "Site",
    "SiteSpec",
    "generate_site",
]

VALID_CARD_EXPIRY = "2099-12-31 23:59:59"
DEFAULT_OPEN_TIME = 5.0
"""Seconds a door stays unlocked after an open command, unless set otherwise."""


@dataclass(frozen=True, slots=True)
class SiteSpec:
    """What to generate, and the one account the door commands accept."""

    seed: int = 1
    controllers: int = 4
    doors_per_controller: int = 2
    people: int = 40
    username: str = "admin"
    password: str = "admin"  # noqa: S105 (the simulated account)
    time_zone: str = "Asia/Shanghai"


@dataclass(slots=True, eq=False)
class Area:
    """An area; ``parent_id`` 0 is the root of the tree."""

    id: int
    name: str
    code: str
    parent_id: int


@dataclass(slots=True, eq=False)
class Controller:
    """An access controller (a "device" in the protocol)."""

    id: str
    name: str
    serial: str
    address: str
    area_id: int
    online: bool = True
    comm_error: str = ""


@dataclass(slots=True, eq=False)
class Door:
    """A door (a "sub-device"); ``allowed_org_ids`` None means everyone may pass.

    ``open_time`` is how many seconds the controller keeps the lock released
    after an *open door* command before it relocks and the door closes.
    """

    id: str
    name: str
    controller_id: str
    area_id: int
    addr: str
    is_open: bool = False
    online: bool = True
    work_mode: int = 0
    allowed_org_ids: frozenset[int] | None = None
    open_time: float = DEFAULT_OPEN_TIME


@dataclass(slots=True, eq=False)
class PersonType:
    """A person type (职工, 车辆, …)."""

    id: int
    name: str


@dataclass(slots=True, eq=False)
class Org:
    """An organisation (department); ``parent_id`` 0 is the root."""

    id: int
    name: str
    code: str
    parent_id: int
    gmt_create: str
    gmt_modify: str


@dataclass(slots=True, eq=False)
class CardGroup:
    """A card group; the protocol sends its id as a string."""

    id: str
    name: str


@dataclass(slots=True, eq=False)
class CardType:
    """A card type; the protocol sends its id as a string."""

    id: str
    name: str


@dataclass(slots=True, eq=False)
class Person:
    """A person with one or more cards; card state and expiry apply to all cards."""

    user_id: int
    user_no: str
    name: str
    sex: int
    org_id: int
    org_name: str
    type_id: int
    type_name: str
    cards: list[str]
    card_state: int = 1
    card_expire: str = VALID_CARD_EXPIRY
    expired: bool = False
    card_type_id: int = 2
    card_group_id: int = 3
    id_card: str = ""
    mobile: str = ""
    email: str = ""
    status: int = 1
    job_position: str = "员工"
    plate_number: str = ""
    company: str = ""
    photo_url: str = ""
    card_data: str = ""
    gmt_create: str = ""
    gmt_modify: str = ""

    @property
    def can_pass(self) -> bool:
        """Whether the person's cards are valid (not lost, not expired)."""
        return self.card_state == 1 and not self.expired and self.status == 1


@dataclass(slots=True, eq=False)
class Site:
    """Everything the server knows about, with look-ups by id."""

    areas: list[Area]
    controllers: list[Controller]
    doors: list[Door]
    people: list[Person]
    person_types: list[PersonType]
    orgs: list[Org]
    card_groups: list[CardGroup]
    card_types: list[CardType]
    _areas: dict[int, Area] = field(init=False, repr=False)
    _controllers: dict[str, Controller] = field(init=False, repr=False)
    _doors: dict[str, Door] = field(init=False, repr=False)
    _cards: dict[str, Person] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        """Index the lists."""
        self._areas = {a.id: a for a in self.areas}
        self._controllers = {c.id: c for c in self.controllers}
        self._doors = {d.id: d for d in self.doors}
        self._cards = {card: p for p in self.people for card in p.cards}

    def area(self, area_id: int) -> Area | None:
        """Return the area with this id."""
        return self._areas.get(area_id)

    def controller(self, controller_id: str) -> Controller | None:
        """Return the controller with this id."""
        return self._controllers.get(controller_id)

    def door(self, door_id: str) -> Door | None:
        """Return the door with this id."""
        return self._doors.get(door_id)

    def door_controller(self, door: Door) -> Controller:
        """Return the controller driving a door."""
        return self._controllers[door.controller_id]

    def door_online(self, door: Door) -> bool:
        """Tell whether a door and its controller are both online."""
        return door.online and self._controllers[door.controller_id].online

    def person_by_card(self, card_no: str) -> Person | None:
        """Return the holder of a card."""
        return self._cards.get(card_no)

    def org_by_name(self, name: str) -> Org | None:
        """Return the first organisation with this name."""
        return next((o for o in self.orgs if o.name == name), None)

    def org(self, org_id: int) -> Org | None:
        """Return an organisation by id."""
        return next((o for o in self.orgs if o.id == org_id), None)

    def card_group_name(self, group_id: int) -> str | None:
        """Return a card group's name."""
        return next((g.name for g in self.card_groups if g.id == str(group_id)), None)

    def card_type_name(self, type_id: int) -> str | None:
        """Return a card type's name."""
        return next((t.name for t in self.card_types if t.id == str(type_id)), None)

    def area_subtree(self, area_id: int) -> set[int]:
        """Return the ids of an area and all its descendants."""
        return _subtree(area_id, [(a.id, a.parent_id) for a in self.areas])

    def org_subtree(self, org_id: int) -> set[int]:
        """Return the ids of an organisation and all its descendants."""
        return _subtree(org_id, [(o.id, o.parent_id) for o in self.orgs])

    def may_pass(self, person: Person, door: Door) -> bool:
        """Whether a person is authorised at a door (ignoring card validity)."""
        return door.allowed_org_ids is None or person.org_id in door.allowed_org_ids


def _subtree(root: int, edges: list[tuple[int, int]]) -> set[int]:
    found = {root}
    changed = True
    while changed:
        changed = False
        for child, parent in edges:
            if parent in found and child not in found:
                found.add(child)
                changed = True
    return found


# --- generation -------------------------------------------------------------

_AREAS: list[tuple[int, str, str, int]] = [
    (160, "园区", "YQ", 0),
    (161, "办公楼", "BGL", 160),
    (162, "厂房", "CF", 160),
    (163, "食堂", "ST", 160),
    (164, "仓库", "CK", 160),
    (165, "机房", "JF", 161),
]
_CONTROLLER_AREAS = [161, 162, 163, 164]

_ORGS: list[tuple[str, str, int]] = [
    # name, code, parent index (-1 = root)
    ("公司", "GS", -1),
    ("行政部", "XZ", 0),
    ("财务部", "CW", 0),
    ("研发部", "YF", 0),
    ("生产部", "SC", 0),
    ("保卫部", "BW", 0),
    ("后勤部", "HQ", 0),
    ("软件组", "RJ", 3),
    ("硬件组", "YJ", 3),
    ("一车间", "CJ1", 4),
]

_PERSON_TYPES = [
    (1897, "职工"),
    (1898, "车辆"),
    (1899, "临时施工人员"),
    (1900, "其他人员"),
    (1990, "临时施工车辆"),
]

_DOOR_NAMES = [
    "东门",
    "North Gate",
    "财务室",
    "Server Room",
    "西门",
    "南门",
    "大堂",
    "食堂入口",
    "仓库门",
    "档案室",
    "Lab 2",
    "后门",
    "会议室",
    "Loading Dock",
    "车间一门",
    "车间二门",
]
_DUPLICATE_DOOR_NAME = "门1"
# Open times (s) that differ from the default: gates stay open longer for
# groups and vehicles, guarded rooms shorter.
_OPEN_TIMES = {
    "东门": 8.0,
    "North Gate": 8.0,
    "西门": 6.0,
    "Loading Dock": 10.0,
    "财务室": 3.0,
    "Server Room": 3.0,
}

_SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹"
_GIVEN_NAMES = (
    "伟 芳 娜 敏 静 丽 强 磊 军 洋 勇 艳 杰 娟 涛 "
    "明 超 秀英 霞 平 刚 桂英 建国 志强 海燕 晓东 子涵 浩然 欣怡 宇轩"
)
_GIVEN = _GIVEN_NAMES.split()
_SPECIAL_NAMES = ["买买提", "David Chen", "欧阳娜娜"]
_JOBS = ["员工", "工程师", "主管", "经理", "技术员", "保安"]
_PROVINCE_PLATES = "粤京沪浙苏"


def _hex_id(rng: random.Random) -> str:
    return f"{rng.getrandbits(128):032x}"


def _timestamp(rng: random.Random, year_from: int, year_to: int) -> str:
    return (
        f"{rng.randint(year_from, year_to)}-{rng.randint(1, 12):02d}-"
        f"{rng.randint(1, 28):02d} {rng.randint(7, 19):02d}:"
        f"{rng.randint(0, 59):02d}:{rng.randint(0, 59):02d}"
    )


def _door_names(controllers: int, per_controller: int) -> list[list[str]]:
    """Name every door; two doors on different controllers share a name."""
    duplicates: set[tuple[int, int]] = set()
    if controllers >= 2:
        duplicates = {(0, per_controller - 1), (1, per_controller - 1)}
    pool = iter(_DOOR_NAMES)
    names: list[list[str]] = []
    for c in range(controllers):
        row = []
        for d in range(per_controller):
            if (c, d) in duplicates:
                row.append(_DUPLICATE_DOOR_NAME)
            else:
                row.append(next(pool, f"{c + 1}号楼 门[{d + 1}]"))
        names.append(row)
    return names


def generate_site(spec: SiteSpec) -> Site:
    """Generate the site described by ``spec``; the same spec gives the same site."""
    if spec.controllers < 1 or spec.doors_per_controller < 1 or spec.people < 0:
        raise ValueError("need at least one controller and one door per controller")
    rng = random.Random(spec.seed)

    areas = [Area(i, n, code, p) for i, n, code, p in _AREAS]

    orgs: list[Org] = []
    for index, (name, code, parent) in enumerate(_ORGS):
        orgs.append(
            Org(
                id=2480 + index,
                name=name,
                code=code,
                parent_id=0 if parent < 0 else 2480 + parent,
                gmt_create=_timestamp(rng, 2018, 2018) + ".0",
                gmt_modify=_timestamp(rng, 2019, 2020) if index % 3 else "",
            )
        )
    org_ids = {o.name: o.id for o in orgs}

    controllers: list[Controller] = []
    doors: list[Door] = []
    door_names = _door_names(spec.controllers, spec.doors_per_controller)
    for c in range(spec.controllers):
        address = f"127.0.{c // 250}.{c % 250 + 2}"
        last = c == spec.controllers - 1 and spec.controllers >= 3
        controller = Controller(
            id=_hex_id(rng),
            # real servers often name a controller by its address
            name=address if last else f"{c + 1}号楼控制器",
            serial=str(8790 + c),
            address=address,
            area_id=_CONTROLLER_AREAS[c % len(_CONTROLLER_AREAS)],
        )
        controllers.append(controller)
        for d, name in enumerate(door_names[c]):
            area_id = controller.area_id
            allowed: frozenset[int] | None = None
            if name == "财务室":
                area_id = 161
                allowed = frozenset({org_ids["财务部"], org_ids["行政部"]})
            elif name == "Server Room":
                area_id = 165
                allowed = frozenset(
                    {org_ids["研发部"], org_ids["软件组"], org_ids["硬件组"]}
                    | {org_ids["保卫部"]}
                )
            doors.append(
                Door(
                    id=_hex_id(rng),
                    name=name,
                    controller_id=controller.id,
                    area_id=area_id,
                    addr=str(d + 1),
                    allowed_org_ids=allowed,
                    open_time=_OPEN_TIMES.get(name, DEFAULT_OPEN_TIME),
                )
            )

    people = _generate_people(rng, spec.people, orgs)
    return Site(
        areas=areas,
        controllers=controllers,
        doors=doors,
        people=people,
        person_types=[PersonType(i, n) for i, n in _PERSON_TYPES],
        orgs=orgs,
        card_groups=[
            CardGroup("1", "特权卡"),
            CardGroup("2", "胁迫卡"),
            CardGroup("3", "普通组"),
        ],
        card_types=[
            CardType("1", "韦根 26"),
            CardType("2", "韦根 34"),
            CardType("3", "人脸识别"),
        ],
    )


def _generate_people(rng: random.Random, count: int, orgs: list[Org]) -> list[Person]:
    types = dict(_PERSON_TYPES)
    staff_orgs = [o for o in orgs if o.parent_id != 0]
    used_cards: set[str] = set()
    used_names: set[str] = set()
    people: list[Person] = []
    user_id = 20170
    staff_no = 300000
    for index in range(count):
        user_id += rng.randint(1, 5)
        type_id = rng.choices(
            [1897, 1898, 1899, 1900, 1990], weights=[75, 8, 10, 5, 2], k=1
        )[0]
        name = _person_name(rng, index, used_names)
        org = rng.choice(staff_orgs)
        if type_id == 1897:
            staff_no += rng.randint(1, 9)
            user_no = str(staff_no)
        elif type_id in (1898, 1990):
            user_no = f"CAR{index + 1:03d}"
        else:
            user_no = f"F{1000 + index * 7 % 9000:04d}"
        cards = []
        for _ in range(2 if rng.random() < 0.1 else 1):
            card = f"{rng.randint(10000000, 99999999)}"
            while card in used_cards:
                card = f"{rng.randint(10000000, 99999999)}"
            used_cards.add(card)
            cards.append(card)
        plate = ""
        if type_id in (1898, 1990):
            plate = (
                f"{rng.choice(_PROVINCE_PLATES)}{rng.choice('ABCDE')}"
                f"{rng.randint(10000, 99999)}"
            )
        face = rng.random() < 0.3
        people.append(
            Person(
                user_id=user_id,
                user_no=user_no,
                name=name,
                sex=rng.randint(0, 1),
                org_id=org.id,
                org_name=org.name,
                type_id=type_id,
                type_name=types[type_id],
                cards=cards,
                card_type_id=3 if face else rng.choice([1, 2, 2]),
                card_group_id=1 if rng.random() < 0.05 else 3,
                id_card=f"4403{rng.randint(10**13, 10**14 - 1)}",
                mobile=f"13{rng.randint(100000000, 999999999)}",
                job_position=rng.choice(_JOBS),
                plate_number=plate,
                company="" if type_id == 1897 else "外协单位",
                photo_url=f"upload/image/{user_no}.jpg",
                card_data=f"upload/faceimages/{rng.getrandbits(128):032x}.jpg"
                if face
                else "",
                gmt_create=_timestamp(rng, 2018, 2020) + ".0",
                gmt_modify=_timestamp(rng, 2020, 2021) + ".0",
            )
        )
    # a few lost and a few expired cards, never the first person
    special = max(1, count // 20)
    candidates = list(range(1, count))
    rng.shuffle(candidates)
    for i in candidates[:special]:
        people[i].card_state = 2
    for i in candidates[special : 2 * special]:
        people[i].expired = True
        people[i].card_expire = f"2024-0{rng.randint(1, 9)}-30 23:59:59"
    return people


def _person_name(rng: random.Random, index: int, used: set[str]) -> str:
    special = {7: 0, 23: 1, 31: 2}
    if index in special:
        name = _SPECIAL_NAMES[special[index]]
        if name not in used:
            used.add(name)
            return name
    for _ in range(50):
        name = rng.choice(_SURNAMES) + rng.choice(_GIVEN)
        if name not in used:
            break
    else:
        name = rng.choice(_SURNAMES) + rng.choice(_GIVEN) + rng.choice(_GIVEN)
    used.add(name)
    return name
