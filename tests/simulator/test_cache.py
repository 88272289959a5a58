"""The real-time cache: 2 s by ``sim.clock``, per-server event ids, restarts."""

from __future__ import annotations

from simulator import Simulator, SiteSpec

from .conftest import Api


class FakeClock:
    """A clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


async def test_events_expire_after_two_seconds(sim: Simulator, api: Api) -> None:
    clock = FakeClock()
    sim.clock = clock
    door_a, door_b = sim.site.doors[0], sim.site.doors[2]
    assert door_a.controller_id != door_b.controller_id
    first = sim.swipe(door_a.id)
    clock.now += 1.5
    second = sim.swipe(door_b.id, "00000001", reader="inside")
    ids = f"{door_a.controller_id},{door_b.controller_id},unknown"

    data = (await api.get(f"acs/device/eventcache/swipecard/{ids}"))["data"]
    assert [e["eventId"] for e in data] == [first.event_id, second.event_id]
    assert data[0]["eventName"] == "外部刷卡开门"
    assert data[1]["eventName"] == "内部无效卡"
    assert data[1]["accessBlockedReason"] == 100
    assert "inOrOut" not in data[0]
    assert "acsEventValue" not in data[0]
    assert data[0]["subDeviceId"] == door_a.id

    only_b = await api.get(f"acs/device/eventcache/swipecard/{door_b.controller_id}")
    assert [e["eventId"] for e in only_b["data"]] == [second.event_id]

    clock.now += 0.6  # the first is 2.1 s old, the second 0.6 s
    data = (await api.get(f"acs/device/eventcache/swipecard/{ids}"))["data"]
    assert [e["eventId"] for e in data] == [second.event_id]
    clock.now += 1.5
    assert (await api.get(f"acs/device/eventcache/swipecard/{ids}"))["status"] == 102


async def test_restart_resets_event_ids_and_optionally_records(
    sim: Simulator, api: Api
) -> None:
    door = sim.site.doors[0]
    swipes = sim.burst(3, [door.id])
    assert [s.event_id for s in swipes] == [1, 2, 3]
    assert swipes[0].record_id == 1

    sim.restart()
    ids = door.controller_id
    assert (await api.get(f"acs/device/eventcache/swipecard/{ids}"))["status"] == 102
    again = sim.swipe(door.id)
    assert again.event_id == 1
    assert again.record_id == 4  # the database survived

    sim.restart(clear_records=True)
    window = "begintime=2000-01-01+00:00:00&endtime=2099-12-31+23:59:59"
    assert (await api.get(f"acsrecords/count?isalarm=-1&{window}"))["data"] == 0
    fresh = sim.swipe(door.id)
    assert (fresh.event_id, fresh.record_id) == (1, 1)


def test_swipe_outcomes() -> None:
    sim = Simulator()
    door = next(d for d in sim.site.doors if d.allowed_org_ids is None)
    lost = next(p for p in sim.site.people if p.card_state == 2)
    expired = next(p for p in sim.site.people if p.expired)
    granted = sim.swipe(door.id)
    assert granted.granted
    assert granted.reason == 0
    assert granted.event_value == 3
    assert granted.time.tzinfo is not None
    assert granted.time.microsecond == 0
    inside = sim.swipe(door.id, reader="inside")
    assert inside.event_value == 4
    assert inside.event_name == "内部刷卡开门"
    assert sim.swipe(door.id, "99999999x").reason == 100
    assert not sim.swipe(door.id, lost.cards[0]).granted
    assert sim.swipe(door.id, expired.cards[0]).reason == 101
    forced = sim.swipe(door.id, reason=109)
    assert not forced.granted
    assert forced.event_value == 22
    assert sim.swipe(door.id, lost.cards[0], reason=0).granted
    finance = next(d for d in sim.site.doors if d.name == "财务室")
    outsider = next(
        p
        for p in sim.site.people
        if p.can_pass and p.org_id not in (finance.allowed_org_ids or ())
    )
    assert sim.swipe(finance.id, outsider.cards[0]).reason == 102
    assert not any(d.is_open for d in sim.site.doors)  # swipes never move doors


def test_site_is_deterministic() -> None:
    a, b = Simulator(), Simulator()
    assert [d.id for d in a.site.doors] == [d.id for d in b.site.doors]
    assert [p.cards for p in a.site.people] == [p.cards for p in b.site.people]
    c = Simulator(SiteSpec(seed=2, controllers=3, doors_per_controller=3, people=10))
    assert len(c.site.doors) == 9
    assert len(c.site.people) == 10
    assert [d.id for d in c.site.doors] != [d.id for d in a.site.doors]
