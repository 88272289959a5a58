"""Hold-open (acs_bridge.hold_open), against the simulator."""

from __future__ import annotations

from datetime import timedelta
from unittest.mock import patch

from freezegun.api import FrozenDateTimeFactory
from homeassistant.components import persistent_notification
from homeassistant.components.lock import DOMAIN as LOCK_DOMAIN, SERVICE_LOCK
from homeassistant.const import ATTR_ENTITY_ID, EVENT_HOMEASSISTANT_STARTED
from homeassistant.core import CoreState, HomeAssistant
from homeassistant.exceptions import HomeAssistantError, ServiceValidationError
from homeassistant.util import dt as dt_util
import pytest
import voluptuous as vol

from custom_components.acs_bridge import door_control
from custom_components.acs_bridge.const import DOMAIN
from custom_components.acs_bridge.lock import ATTR_HELD_OPEN_UNTIL

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
from .sim_fixtures import SimSetup


async def test_hold_open_returns_to_the_last_mode_at_the_deadline(
    hass: HomeAssistant, sim_setup: SimSetup, freezer: FrozenDateTimeFactory
) -> None:
    """Normally open until the deadline, then back to the mode set before."""
    door = sim_setup.sim.site.doors[0].id
    await select_mode(hass, sim_setup, door, "card")
    start = dt_util.utcnow()
    await hold(hass, sim_setup, [door], duration={"minutes": 10})

    assert sim_setup.sim.site.door(door).work_mode == 4
    lock = hass.states.get(lock_id(hass, sim_setup, door))
    until = dt_util.parse_datetime(lock.attributes[ATTR_HELD_OPEN_UNTIL])
    assert until == start + timedelta(minutes=10)
    assert hass.states.get(select_id(hass, sim_setup, door)).state == "normally_open"

    await pass_time(hass, freezer, timedelta(minutes=9, seconds=59))
    assert work_modes(sim_setup, door) == [1, 4]

    await pass_time(hass, freezer, timedelta(seconds=1))
    assert work_modes(sim_setup, door) == [1, 4, 1]
    assert sim_setup.sim.site.door(door).work_mode == 1
    lock = hass.states.get(lock_id(hass, sim_setup, door))
    assert ATTR_HELD_OPEN_UNTIL not in lock.attributes
    assert hass.states.get(select_id(hass, sim_setup, door)).state == "card"


async def test_hold_of_a_door_never_set_returns_to_auto(
    hass: HomeAssistant, sim_setup: SimSetup, freezer: FrozenDateTimeFactory
) -> None:
    """A door whose mode Home Assistant never set returns to automatic."""
    door = sim_setup.sim.site.doors[1].id
    assert hass.states.get(select_id(hass, sim_setup, door)).state == "unknown"
    await hold(hass, sim_setup, [door], duration=5)
    await pass_time(hass, freezer, timedelta(seconds=5))
    assert work_modes(sim_setup, door) == [4, 0]
    assert hass.states.get(select_id(hass, sim_setup, door)).state == "auto"


async def test_a_longer_hold_replaces_the_deadline(
    hass: HomeAssistant, sim_setup: SimSetup, freezer: FrozenDateTimeFactory
) -> None:
    """Holding a held door again moves its deadline; the first one does nothing."""
    door = sim_setup.sim.site.doors[0].id
    await hold(hass, sim_setup, [door], duration={"minutes": 10})
    await hold(hass, sim_setup, [door], duration={"minutes": 30})
    await pass_time(hass, freezer, timedelta(minutes=20))
    assert work_modes(sim_setup, door) == [4, 4]
    await pass_time(hass, freezer, timedelta(minutes=10))
    assert work_modes(sim_setup, door) == [4, 4, 0]


async def test_lock_ends_the_hold(
    hass: HomeAssistant, sim_setup: SimSetup, freezer: FrozenDateTimeFactory
) -> None:
    """Locking a held door returns it to its mode, then closes it."""
    door = sim_setup.sim.site.doors[0].id
    await select_mode(hass, sim_setup, door, "card_or_password")
    await hold(hass, sim_setup, [door], duration={"hours": 1})
    await hass.services.async_call(
        LOCK_DOMAIN,
        SERVICE_LOCK,
        {ATTR_ENTITY_ID: lock_id(hass, sim_setup, door)},
        blocking=True,
    )
    commands = [
        (c.action, c.mode) for c in sim_setup.sim.door_commands if c.door_id == door
    ]
    assert commands == [
        ("workmode", 3),
        ("workmode", 4),
        ("workmode", 3),
        ("close", None),
    ]
    lock = hass.states.get(lock_id(hass, sim_setup, door))
    assert lock.state == "locked"
    assert ATTR_HELD_OPEN_UNTIL not in lock.attributes
    assert hass.states.get(select_id(hass, sim_setup, door)).state == "card_or_password"

    # The deadline no longer sends anything.
    await pass_time(hass, freezer, timedelta(hours=2))
    assert work_modes(sim_setup, door) == [3, 4, 3]


async def test_another_work_mode_replaces_the_hold(
    hass: HomeAssistant, sim_setup: SimSetup, freezer: FrozenDateTimeFactory
) -> None:
    """Choosing a work mode during a hold replaces it; the deadline sends nothing."""
    door = sim_setup.sim.site.doors[0].id
    await hold(hass, sim_setup, [door], duration={"minutes": 10})
    await select_mode(hass, sim_setup, door, "card_and_password")
    lock = hass.states.get(lock_id(hass, sim_setup, door))
    assert ATTR_HELD_OPEN_UNTIL not in lock.attributes
    await pass_time(hass, freezer, timedelta(minutes=11))
    assert work_modes(sim_setup, door) == [4, 2]
    state = hass.states.get(select_id(hass, sim_setup, door)).state
    assert state == "card_and_password"


async def test_hold_survives_a_restart(
    hass: HomeAssistant, sim_setup: SimSetup, freezer: FrozenDateTimeFactory
) -> None:
    """Deadlines are stored: one that passed while down ends once Home Assistant started."""
    doors = [door.id for door in sim_setup.sim.site.doors[:2]]
    entry_id = sim_setup.entry.entry_id
    await select_mode(hass, sim_setup, doors[0], "card")
    await hold(hass, sim_setup, [doors[0]], duration={"minutes": 5})
    await hold(hass, sim_setup, [doors[1]], duration={"hours": 1})

    assert await hass.config_entries.async_unload(entry_id)
    await hass.async_block_till_done()
    freezer.tick(timedelta(minutes=10))
    hass.set_state(CoreState.starting)
    assert await hass.config_entries.async_setup(entry_id)
    await hass.async_block_till_done(wait_background_tasks=True)

    # Not before Home Assistant has started.
    assert work_modes(sim_setup, doors[0]) == [1, 4]
    lock = hass.states.get(lock_id(hass, sim_setup, doors[0]))
    assert ATTR_HELD_OPEN_UNTIL in lock.attributes

    hass.set_state(CoreState.running)
    hass.bus.async_fire(EVENT_HOMEASSISTANT_STARTED)
    await hass.async_block_till_done(wait_background_tasks=True)
    assert work_modes(sim_setup, doors[0]) == [1, 4, 1]
    assert hass.states.get(select_id(hass, sim_setup, doors[0])).state == "card"
    assert work_modes(sim_setup, doors[1]) == [4]

    # The other hold still ends at its own deadline.
    await pass_time(hass, freezer, timedelta(minutes=50))
    assert work_modes(sim_setup, doors[1]) == [4, 0]


async def test_failed_end_is_retried(
    hass: HomeAssistant, sim_setup: SimSetup, freezer: FrozenDateTimeFactory
) -> None:
    """A refused end is tried again, and a later success notifies nothing."""
    door = sim_setup.sim.site.doors[0].id
    await hold(hass, sim_setup, [door], duration=60)
    sim_setup.sim.fault("status", status=1, count=2, path="acs/device/door/workmode")
    await pass_time(hass, freezer, timedelta(seconds=60))
    assert workmode_requests(sim_setup, door) == 4  # the hold, 2 refused, 1 taken
    assert work_modes(sim_setup, door) == [4, 0]
    assert not persistent_notification._async_get_or_create_notifications(hass)


async def test_failed_end_is_notified(
    hass: HomeAssistant, sim_setup: SimSetup, freezer: FrozenDateTimeFactory
) -> None:
    """An end the server keeps refusing is retried, then notified; lock tries again."""
    door = sim_setup.sim.site.doors[0].id
    name = sim_setup.runtime.coordinator.data.door_names[door]
    await hold(hass, sim_setup, [door], duration=60)
    sim_setup.sim.fault("status", status=1, path="acs/device/door/workmode")
    await pass_time(hass, freezer, timedelta(seconds=60))

    retries = len(door_control.HOLD_END_RETRY_DELAYS)
    assert workmode_requests(sim_setup, door) == 1 + 1 + retries
    notifications = persistent_notification._async_get_or_create_notifications(hass)
    notification = notifications[f"{DOMAIN}_{sim_setup.entry.entry_id}_hold_{door}"]
    assert name in notification["title"]
    assert "auto" in notification["message"]
    # Still held: the door was not returned.
    lock = hass.states.get(lock_id(hass, sim_setup, door))
    assert ATTR_HELD_OPEN_UNTIL in lock.attributes

    with pytest.raises(HomeAssistantError) as err:
        await hass.services.async_call(
            LOCK_DOMAIN,
            SERVICE_LOCK,
            {ATTR_ENTITY_ID: lock_id(hass, sim_setup, door)},
            blocking=True,
        )
    assert err.value.translation_key == "command_failed"

    sim_setup.sim.clear_faults()
    await hass.services.async_call(
        LOCK_DOMAIN,
        SERVICE_LOCK,
        {ATTR_ENTITY_ID: lock_id(hass, sim_setup, door)},
        blocking=True,
    )
    assert work_modes(sim_setup, door) == [4, 0]
    assert not persistent_notification._async_get_or_create_notifications(hass)


async def test_hold_of_an_offline_door_fails(
    hass: HomeAssistant, sim_setup: SimSetup
) -> None:
    """A door the server cannot switch raises an error naming it; nothing is held."""
    sim = sim_setup.sim
    online, offline = sim.site.doors[0].id, sim.site.doors[1].id
    sim.set_door_online(offline, False)
    name = sim_setup.runtime.coordinator.data.door_names[offline]
    with pytest.raises(HomeAssistantError) as err:
        await hold(hass, sim_setup, [online, offline], duration=60)
    assert err.value.translation_key == "hold_open_failed"
    assert name in err.value.translation_placeholders["doors"]
    modes = sim_setup.runtime.door_modes
    assert modes.hold_until(online) is not None
    assert modes.hold_until(offline) is None


async def test_hold_open_input(hass: HomeAssistant, sim_setup: SimSetup) -> None:
    """Durations out of 1 s - 24 h and entities that are not door locks are refused."""
    door = sim_setup.sim.site.doors[0].id
    for duration in (0, {"hours": 24, "seconds": 1}):
        with pytest.raises(vol.Invalid):
            await hold(hass, sim_setup, [door], duration=duration)
    hass.states.async_set("lock.front_door", "locked")
    with pytest.raises(ServiceValidationError) as err:
        await hass.services.async_call(
            DOMAIN,
            "hold_open",
            {ATTR_ENTITY_ID: "lock.front_door", "duration": 10},
            blocking=True,
        )
    assert err.value.translation_key == "not_a_door_lock"
    assert sim_setup.sim.door_commands == []


async def test_hold_open_checks_the_code_before_sending(
    hass: HomeAssistant, sim_setup: SimSetup
) -> None:
    """The code is checked, with the doors of the call, before any command."""
    door = sim_setup.sim.site.doors[0].id
    with (
        patch(
            "custom_components.acs_bridge.services.async_check_code",
            side_effect=ServiceValidationError("wrong code"),
        ) as check,
        pytest.raises(ServiceValidationError),
    ):
        await hold(hass, sim_setup, [door], duration=10, code="0000")
    assert check.call_args.args[2] == "0000"
    assert check.call_args.kwargs["door_ids"] == [door]
    assert check.call_args.kwargs["command"] == "hold_open"
    assert sim_setup.sim.door_commands == []
