"""Site modes (acs_bridge.set_site_mode, the Site mode select), against the simulator."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any
from unittest.mock import patch

from freezegun.api import FrozenDateTimeFactory
from homeassistant.components.lock import DOMAIN as LOCK_DOMAIN, SERVICE_LOCK
from homeassistant.components.select import (
    ATTR_OPTION,
    DOMAIN as SELECT_DOMAIN,
    SERVICE_SELECT_OPTION,
)
from homeassistant.const import ATTR_ENTITY_ID
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError, ServiceValidationError
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.acs_bridge import door_control
from custom_components.acs_bridge.const import DOMAIN
from custom_components.acs_bridge.lock import ATTR_HELD_OPEN_UNTIL
from simulator import Simulator, SiteSpec

from .door_helpers import (
    hold,
    lock_id,
    no_retry_pauses,  # noqa: F401 - an autouse fixture
    pass_time,
    select_id,
    select_mode,
    work_modes,
    workmode_requests,
)
from .helpers import entity_id
from .sim_fixtures import SIM_PASSWORD, SIM_USERNAME, SimSetup, sim_entry_for

OFFICE = "办公楼"  # area 161; its sub-area 机房 (165) holds the server room
OFFICE_AREAS = {161, 165}


async def site_mode(hass: HomeAssistant, mode: str, **data: Any) -> dict[str, Any]:
    response = await hass.services.async_call(
        DOMAIN,
        "set_site_mode",
        {"mode": mode, **data},
        blocking=True,
        return_response=True,
    )
    assert isinstance(response, dict)
    return response


def site_select(hass: HomeAssistant, setup: SimSetup) -> str:
    return entity_id(hass, "select", "hub_site_mode", setup.entry.entry_id)


def modes(setup: SimSetup) -> dict[str, int]:
    return {door.id: door.work_mode for door in setup.sim.site.doors}


async def test_lockdown_and_back_to_normal(
    hass: HomeAssistant, sim_setup: SimSetup
) -> None:
    """Lockdown closes every door; normal returns each to the mode it had."""
    sim = sim_setup.sim
    doors = [door.id for door in sim.site.doors]
    names = sim_setup.runtime.coordinator.data.door_names
    await select_mode(hass, sim_setup, doors[0], "card")
    await select_mode(hass, sim_setup, doors[1], "card_or_password")
    await hold(hass, sim_setup, [doors[2]], duration={"hours": 1})

    result = await site_mode(hass, "lockdown")
    assert result == {
        "mode": "lockdown",
        "doors": [
            {"door_id": door_id, "door_name": names[door_id], "result": "accepted"}
            for door_id in doors
        ],
        "failed": 0,
    }
    assert set(modes(sim_setup).values()) == {5}
    assert hass.states.get(site_select(hass, sim_setup)).state == "lockdown"
    for door_id in doors:
        state = hass.states.get(select_id(hass, sim_setup, door_id)).state
        assert state == "normally_closed"

    result = await site_mode(hass, "normal")
    assert [door["door_id"] for door in result["doors"]] == doors
    assert result["failed"] == 0
    expected = dict.fromkeys(doors, 0)  # never set through Home Assistant: auto
    expected |= {doors[0]: 1, doors[1]: 3, doors[2]: 4}  # the hold still runs
    assert modes(sim_setup) == expected
    assert hass.states.get(site_select(hass, sim_setup)).state == "normal"
    assert hass.states.get(select_id(hass, sim_setup, doors[0])).state == "card"
    assert hass.states.get(select_id(hass, sim_setup, doors[2])).state == (
        "normally_open"
    )

    # Normal again: no door is in a site mode, nothing is sent.
    sent = len(sim.door_commands)
    assert await site_mode(hass, "normal") == {
        "mode": "normal",
        "doors": [],
        "failed": 0,
    }
    assert len(sim.door_commands) == sent


async def test_a_hold_ending_during_lockdown_changes_nothing(
    hass: HomeAssistant, sim_setup: SimSetup, freezer: FrozenDateTimeFactory
) -> None:
    """The site mode covers a hold; after it the door returns below the hold."""
    door = sim_setup.sim.site.doors[0].id
    await select_mode(hass, sim_setup, door, "card")
    await hold(hass, sim_setup, [door], duration={"minutes": 5})
    await site_mode(hass, "lockdown")
    await pass_time(hass, freezer, timedelta(minutes=6))
    assert work_modes(sim_setup, door) == [1, 4, 5]
    lock = hass.states.get(lock_id(hass, sim_setup, door))
    assert ATTR_HELD_OPEN_UNTIL not in lock.attributes

    await site_mode(hass, "normal")
    assert work_modes(sim_setup, door) == [1, 4, 5, 1]


async def test_hold_during_lockdown_waits_for_normal(
    hass: HomeAssistant, sim_setup: SimSetup, freezer: FrozenDateTimeFactory
) -> None:
    """A hold started during a site mode sends nothing until the site mode ends."""
    door = sim_setup.sim.site.doors[0].id
    await site_mode(hass, "evacuation")
    await hold(hass, sim_setup, [door], duration={"minutes": 10})
    assert work_modes(sim_setup, door) == [4]
    await site_mode(hass, "normal")
    assert work_modes(sim_setup, door) == [4, 4]
    await pass_time(hass, freezer, timedelta(minutes=10))
    assert work_modes(sim_setup, door) == [4, 4, 0]


async def test_area_and_its_sub_areas(hass: HomeAssistant, sim_setup: SimSetup) -> None:
    """An area's site mode switches its doors and those of its sub-areas only."""
    sim = sim_setup.sim
    office = [door.id for door in sim.site.doors if door.area_id in OFFICE_AREAS]
    others = [door.id for door in sim.site.doors if door.id not in office]
    assert office
    assert others
    assert any(door.area_id == 165 for door in sim.site.doors)

    result = await site_mode(hass, "evacuation", area=OFFICE)
    assert [door["door_id"] for door in result["doors"]] == office
    assert {modes(sim_setup)[door_id] for door_id in office} == {4}
    assert {modes(sim_setup)[door_id] for door_id in others} == {0}
    state = hass.states.get(site_select(hass, sim_setup))
    assert state.state == "normal"
    assert state.attributes["areas"] == {OFFICE: "evacuation"}

    # By id; normal for the whole site clears the area's mode too.
    await site_mode(hass, "lockdown", area="161")
    assert {modes(sim_setup)[door_id] for door_id in office} == {5}
    result = await site_mode(hass, "normal")
    assert [door["door_id"] for door in result["doors"]] == office
    assert {modes(sim_setup)[door_id] for door_id in office} == {0}
    state = hass.states.get(site_select(hass, sim_setup))
    assert state.attributes["areas"] == {}

    # The root area: every door, the server room two levels down included.
    result = await site_mode(hass, "lockdown", area="园区")
    assert len(result["doors"]) == len(sim.site.doors)
    assert set(modes(sim_setup).values()) == {5}

    with pytest.raises(ServiceValidationError) as err:
        await site_mode(hass, "lockdown", area="没有这个区域")
    assert err.value.translation_key == "area_not_found"


async def test_refused_and_unreachable_doors_are_retried_then_reported(
    hass: HomeAssistant, sim_setup: SimSetup
) -> None:
    """A failing door is retried; one that keeps failing is reported, not skipped."""
    sim = sim_setup.sim
    doors = [door.id for door in sim.site.doors]
    glitch, offline, refused = doors[0], doors[1], doors[2]
    sim.fault(
        "status",
        status=1,
        count=1,
        path=f"acs/device/door/workmode/{SIM_USERNAME}/***/{glitch}",
    )
    sim.fault(
        "http500",
        count=1,
        path=f"acs/device/door/workmode/{SIM_USERNAME}/***/{doors[3]}",
    )
    sim.fault(
        "status",
        status=105,  # the account refused: not retried (it counts toward a lock-out)
        count=1,
        path=f"acs/device/door/workmode/{SIM_USERNAME}/***/{refused}",
    )
    sim.set_door_online(offline, False)

    result = await site_mode(hass, "lockdown")
    results = {door["door_id"]: door["result"] for door in result["doors"]}
    assert results == {
        **dict.fromkeys(doors, "accepted"),
        offline: "refused",  # the server answered that it is offline
        refused: "refused",
    }
    assert result["failed"] == 2
    attempts = 1 + len(door_control.SITE_RETRY_DELAYS)
    assert workmode_requests(sim_setup, glitch) == 2
    assert workmode_requests(sim_setup, doors[3]) == 2
    assert workmode_requests(sim_setup, offline) == attempts
    assert workmode_requests(sim_setup, refused) == 1
    assert sim.site.door(offline).work_mode == 0

    # The doors that did not switch are not in the site mode: normal leaves them.
    result = await site_mode(hass, "normal")
    assert offline not in {door["door_id"] for door in result["doors"]}
    assert len(result["doors"]) == len(doors) - 2


async def test_a_later_site_mode_wins(hass: HomeAssistant, sim_setup: SimSetup) -> None:
    """Evacuation called while a lockdown is still under way leaves every door open.

    A door's commands go one at a time and in order: the lockdown's command that
    the server is slow to take lands first, then the evacuation's.
    """
    sim = sim_setup.sim
    slow = sim.site.doors[0].id
    sim.fault(
        "slow",
        delay=0.3,
        count=1,
        path=f"acs/device/door/workmode/{SIM_USERNAME}/***/{slow}/5",
    )
    received = asyncio.Event()
    log_request = sim.log_request

    def spy(entry: Any, kind: str) -> None:
        log_request(entry, kind)
        if entry.path.endswith(f"/{slow}/5"):
            received.set()

    sim.log_request = spy  # type: ignore[method-assign]
    lockdown = hass.async_create_task(site_mode(hass, "lockdown"))
    await received.wait()
    evacuation = await site_mode(hass, "evacuation")
    assert (await lockdown)["failed"] == 0
    assert evacuation["failed"] == 0

    assert work_modes(sim_setup, slow) == [5, 4]
    assert set(modes(sim_setup).values()) == {4}
    assert hass.states.get(site_select(hass, sim_setup)).state == "evacuation"
    assert hass.states.get(select_id(hass, sim_setup, slow)).state == "normally_open"


async def test_a_later_site_mode_stops_the_retries_of_an_earlier_one(
    hass: HomeAssistant, sim_setup: SimSetup
) -> None:
    """A door still being retried by a lockdown is taken over by an evacuation."""
    sim = sim_setup.sim
    offline = sim.site.doors[0].id
    sim.set_door_online(offline, False)
    sim.fault(
        "slow",
        delay=0.3,
        count=1,
        path=f"acs/device/door/workmode/{SIM_USERNAME}/***/{offline}/5",
    )
    received = asyncio.Event()
    log_request = sim.log_request

    def spy(entry: Any, kind: str) -> None:
        log_request(entry, kind)
        if entry.path.endswith(f"/{offline}/5"):
            received.set()

    sim.log_request = spy  # type: ignore[method-assign]
    lockdown = hass.async_create_task(site_mode(hass, "lockdown"))
    await received.wait()
    evacuation = await site_mode(hass, "evacuation")
    results = {door["door_id"]: door["result"] for door in (await lockdown)["doors"]}
    assert results[offline] == "error"
    assert evacuation["failed"] == 1

    paths = [r.path for r in sim.requests if f"/{offline}/" in r.path]
    attempts = 1 + len(door_control.SITE_RETRY_DELAYS)
    assert [path[-1] for path in paths] == ["5"] + ["4"] * attempts


async def test_lock_during_a_site_mode_ends_a_hold_without_moving_the_door(
    hass: HomeAssistant, sim_setup: SimSetup
) -> None:
    """Locking a held door in lockdown ends the hold and closes; the lockdown stays."""
    door = sim_setup.sim.site.doors[0].id
    await hold(hass, sim_setup, [door], duration={"hours": 1})
    await site_mode(hass, "lockdown")
    await hass.services.async_call(
        LOCK_DOMAIN,
        SERVICE_LOCK,
        {ATTR_ENTITY_ID: lock_id(hass, sim_setup, door)},
        blocking=True,
    )
    commands = [
        (c.action, c.mode) for c in sim_setup.sim.door_commands if c.door_id == door
    ]
    assert commands == [("workmode", 4), ("workmode", 5), ("close", None)]
    assert sim_setup.runtime.door_modes.hold_until(door) is None
    await site_mode(hass, "normal")
    assert work_modes(sim_setup, door) == [4, 5, 0]


async def test_lockdown_survives_a_restart(
    hass: HomeAssistant, sim_setup: SimSetup
) -> None:
    """Site modes and the modes to return to are stored."""
    door = sim_setup.sim.site.doors[0].id
    await select_mode(hass, sim_setup, door, "card_and_password")
    await site_mode(hass, "lockdown")
    await site_mode(hass, "evacuation", area=OFFICE)

    await hass.config_entries.async_reload(sim_setup.entry.entry_id)
    await hass.async_block_till_done()
    state = hass.states.get(site_select(hass, sim_setup))
    assert state.state == "lockdown"
    assert state.attributes["areas"] == {OFFICE: "evacuation"}
    assert hass.states.get(select_id(hass, sim_setup, door)).state == "normally_open"

    await site_mode(hass, "normal")
    assert sim_setup.sim.site.door(door).work_mode == 2
    assert hass.states.get(select_id(hass, sim_setup, door)).state == (
        "card_and_password"
    )


async def test_site_mode_select(hass: HomeAssistant, sim_setup: SimSetup) -> None:
    """The hub's select sets the whole site's mode; a door that fails is an error."""
    sim = sim_setup.sim
    offline = sim.site.doors[3]
    sim.set_door_online(offline.id, False)
    select = site_select(hass, sim_setup)
    with pytest.raises(HomeAssistantError) as err:
        await hass.services.async_call(
            SELECT_DOMAIN,
            SERVICE_SELECT_OPTION,
            {ATTR_ENTITY_ID: select, ATTR_OPTION: "lockdown"},
            blocking=True,
        )
    assert err.value.translation_key == "site_mode_failed"
    assert err.value.translation_placeholders["failed"] == "1"
    name = sim_setup.runtime.coordinator.data.door_names[offline.id]
    assert err.value.translation_placeholders["doors"] == name
    assert hass.states.get(select).state == "lockdown"
    assert {d.work_mode for d in sim.site.doors if d is not offline} == {5}

    await hass.services.async_call(
        SELECT_DOMAIN,
        SERVICE_SELECT_OPTION,
        {ATTR_ENTITY_ID: select, ATTR_OPTION: "normal"},
        blocking=True,
    )
    assert hass.states.get(select).state == "normal"
    assert {door.work_mode for door in sim.site.doors} == {0}


async def test_set_site_mode_checks_the_code_before_sending(
    hass: HomeAssistant, sim_setup: SimSetup
) -> None:
    """The code is checked, with every door the mode would switch, first."""
    with (
        patch(
            "custom_components.acs_bridge.services.async_check_code",
            side_effect=ServiceValidationError("wrong code"),
        ) as check,
        pytest.raises(ServiceValidationError),
    ):
        await site_mode(hass, "evacuation", area=OFFICE, code="0000")
    office = [d.id for d in sim_setup.sim.site.doors if d.area_id in OFFICE_AREAS]
    assert check.call_args.args[2] == "0000"
    assert check.call_args.kwargs["door_ids"] == office
    assert check.call_args.kwargs["mode"] == "evacuation"
    assert sim_setup.sim.door_commands == []


async def test_two_servers(hass: HomeAssistant, sim_setup: SimSetup) -> None:
    """With two servers the action needs config_entry_id and moves only that one's doors."""
    other = Simulator(
        SiteSpec(
            seed=2,
            controllers=2,
            doors_per_controller=2,
            people=10,
            username=SIM_USERNAME,
            password=SIM_PASSWORD,
            time_zone="Asia/Shanghai",
        )
    )
    await other.start(host="127.0.0.1", port=0)
    try:
        template = sim_entry_for(other)
        entry = MockConfigEntry(
            domain=DOMAIN,
            title=template.title,
            unique_id=template.unique_id,
            data=dict(template.data),
            entry_id="01JACSBRIDGESIMULATOR00002",
        )
        entry.add_to_hass(hass)
        assert await hass.config_entries.async_setup(entry.entry_id)
        await hass.async_block_till_done()

        with pytest.raises(ServiceValidationError) as err:
            await site_mode(hass, "lockdown")
        assert err.value.translation_key == "entry_required"
        assert sim_setup.sim.door_commands == []

        result = await site_mode(hass, "lockdown", config_entry_id=entry.entry_id)
        assert len(result["doors"]) == len(other.site.doors)
        assert {door.work_mode for door in other.site.doors} == {5}
        assert sim_setup.sim.door_commands == []

        # One hold_open call may name the doors of both servers.
        first = sim_setup.sim.site.doors[0].id
        second = other.site.doors[0].id
        await hass.services.async_call(
            DOMAIN,
            "hold_open",
            {
                ATTR_ENTITY_ID: [
                    lock_id(hass, sim_setup, first),
                    entity_id(hass, "lock", f"door_{second}_lock", entry.entry_id),
                ],
                "duration": 60,
            },
            blocking=True,
        )
        assert sim_setup.sim.site.door(first).work_mode == 4
        # The second server's door is in lockdown: the hold waits for normal.
        assert other.site.door(second).work_mode == 5
        assert await hass.config_entries.async_unload(entry.entry_id)
    finally:
        await other.stop()


async def test_removal_forgets_the_door_modes(
    hass: HomeAssistant, sim_setup: SimSetup, hass_storage: dict[str, Any]
) -> None:
    """Removing the entry removes its stored modes, holds and site modes."""
    await site_mode(hass, "lockdown")
    entry_id = sim_setup.entry.entry_id
    assert await hass.config_entries.async_unload(entry_id)
    key = f"{DOMAIN}.{entry_id}.doors"
    assert hass_storage[key]["data"]["scopes"] == {"site": "lockdown"}
    await hass.config_entries.async_remove(entry_id)
    await hass.async_block_till_done()
    assert key not in hass_storage
