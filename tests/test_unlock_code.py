"""The optional unlock code, over the simulator.

A wrong code sends nothing; five wrong codes within five minutes block users'
code-checked commands for five minutes; calls without a user are never blocked.
"""

from __future__ import annotations

from datetime import timedelta
import logging
from typing import Any
from unittest.mock import patch

from freezegun.api import FrozenDateTimeFactory
from homeassistant.components import persistent_notification
from homeassistant.components.lock import (
    DOMAIN as LOCK_DOMAIN,
    SERVICE_LOCK,
    SERVICE_OPEN,
    SERVICE_UNLOCK,
)
from homeassistant.components.select import (
    ATTR_OPTION,
    DOMAIN as SELECT_DOMAIN,
    SERVICE_SELECT_OPTION,
)
from homeassistant.const import ATTR_CODE, ATTR_ENTITY_ID
from homeassistant.core import Context, HomeAssistant
from homeassistant.exceptions import ServiceValidationError
from homeassistant.util import dt as dt_util
import pytest
from pytest_homeassistant_custom_component.common import (
    MockUser,
    async_capture_events,
    async_fire_time_changed,
)

from custom_components.acs_bridge.commands import (
    LOCKOUT,
    UNLOCK_CODE_FORMAT,
    DoorCommand,
    async_check_code,
    hash_unlock_code,
    lockout_notification_id,
    verify_unlock_code,
)
from custom_components.acs_bridge.const import CONF_UNLOCK_CODE_HASH, EVENT_COMMAND
from custom_components.acs_bridge.diagnostics import (
    async_get_config_entry_diagnostics,
)

from .helpers import entity_id
from .sim_fixtures import UNLOCK_CODE, SimSetup

WRONG = "975318642"


def lock_of(hass: HomeAssistant, setup: SimSetup, door_id: str) -> str:
    return entity_id(hass, "lock", f"door_{door_id}_lock", setup.entry.entry_id)


async def call_lock(
    hass: HomeAssistant,
    setup: SimSetup,
    context: Context,
    code: str | None,
    service: str = SERVICE_UNLOCK,
    door: int = 0,
) -> None:
    data: dict[str, Any] = {
        ATTR_ENTITY_ID: lock_of(hass, setup, setup.sim.site.doors[door].id)
    }
    if code is not None:
        data[ATTR_CODE] = code
    await hass.services.async_call(
        LOCK_DOMAIN, service, data, blocking=True, context=context
    )
    await hass.async_block_till_done()


def door_requests(setup: SimSetup) -> list[str]:
    """The door commands the server was sent for its doors (accepted or not).

    The set-up's account check sends one for a door that does not exist.
    """
    doors = {door.id for door in setup.sim.site.doors}
    return [
        r.path
        for r in setup.sim.requests
        if ("/door/open/" in r.path or "/door/close/" in r.path)
        and r.path.rsplit("/", 1)[-1] in doors
    ]


async def tick(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, delta: timedelta
) -> None:
    """Move the clock; let the polls it starts finish before the next request.

    (A request in flight while the clock jumps would time out.)
    """
    await hass.async_block_till_done(wait_background_tasks=True)
    freezer.tick(delta)
    async_fire_time_changed(hass)
    await hass.async_block_till_done(wait_background_tasks=True)


def notifications(hass: HomeAssistant) -> dict[str, Any]:
    return dict(persistent_notification._async_get_or_create_notifications(hass))


async def test_locks_ask_for_the_code(
    hass: HomeAssistant, coded_sim_setup: SimSetup
) -> None:
    """With a code set, every lock has a code format."""
    for door in coded_sim_setup.sim.site.doors:
        state = hass.states.get(lock_of(hass, coded_sim_setup, door.id))
        assert state.attributes["code_format"] == UNLOCK_CODE_FORMAT


async def test_no_code_format_without_a_code(
    hass: HomeAssistant, sim_setup: SimSetup
) -> None:
    """Without a code, no lock asks for one."""
    state = hass.states.get(lock_of(hass, sim_setup, sim_setup.sim.site.doors[0].id))
    assert "code_format" not in state.attributes


@pytest.mark.parametrize("code", [None, "", "12ab", "123", "1234567890123"])
async def test_missing_or_malformed_code_refused_by_home_assistant(
    hass: HomeAssistant, coded_sim_setup: SimSetup, alice: MockUser, code: str | None
) -> None:
    """Home Assistant itself refuses a missing or malformed code: nothing is sent."""
    events = async_capture_events(hass, EVENT_COMMAND)
    with pytest.raises(ServiceValidationError):
        await call_lock(hass, coded_sim_setup, Context(user_id=alice.id), code)
    assert door_requests(coded_sim_setup) == []
    assert events == []


@pytest.mark.parametrize("service", [SERVICE_UNLOCK, SERVICE_OPEN, SERVICE_LOCK])
async def test_wrong_code_moves_no_door(
    hass: HomeAssistant,
    coded_sim_setup: SimSetup,
    alice: MockUser,
    service: str,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A wrong code sends nothing to the server, is refused and is audited."""
    caplog.set_level(logging.DEBUG)
    sim = coded_sim_setup.sim
    door = sim.site.doors[0]
    sim.set_door_open(door.id, service == SERVICE_LOCK)
    events = async_capture_events(hass, EVENT_COMMAND)

    with pytest.raises(ServiceValidationError) as err:
        await call_lock(
            hass, coded_sim_setup, Context(user_id=alice.id), WRONG, service
        )

    assert err.value.translation_key == "wrong_unlock_code"
    assert door.is_open is (service == SERVICE_LOCK)
    assert door_requests(coded_sim_setup) == []
    assert [
        (e.data["command"], e.data["result"], e.data["user_name"]) for e in events
    ] == [(service.replace("unlock", "unlock"), "wrong_code", "Alice")]
    assert WRONG not in caplog.text


async def test_right_code_opens(
    hass: HomeAssistant, coded_sim_setup: SimSetup, alice: MockUser
) -> None:
    """The right code opens the door."""
    door = coded_sim_setup.sim.site.doors[0]
    events = async_capture_events(hass, EVENT_COMMAND)
    await call_lock(hass, coded_sim_setup, Context(user_id=alice.id), UNLOCK_CODE)
    assert door.is_open
    assert [(e.data["result"], e.data["user_name"]) for e in events] == [
        ("accepted", "Alice")
    ]


async def test_lock_out_after_five_wrong_codes_and_its_end(
    hass: HomeAssistant,
    coded_sim_setup: SimSetup,
    alice: MockUser,
    freezer: FrozenDateTimeFactory,
) -> None:
    """Five wrong codes block users' code-checked commands for five minutes."""
    sim = coded_sim_setup.sim
    door = sim.site.doors[0]
    user = Context(user_id=alice.id)
    events = async_capture_events(hass, EVENT_COMMAND)
    notification = lockout_notification_id(coded_sim_setup.entry.entry_id)

    for attempt in range(5):
        assert notification not in notifications(hass)
        await tick(hass, freezer, timedelta(seconds=30))
        with pytest.raises(ServiceValidationError) as err:
            await call_lock(hass, coded_sim_setup, user, WRONG)
        assert err.value.translation_key == "wrong_unlock_code", attempt
    assert notification in notifications(hass)
    assert coded_sim_setup.entry.title in notifications(hass)[notification]["title"]

    # Blocked: even the right code of a user opens nothing.
    with pytest.raises(ServiceValidationError) as err:
        await call_lock(hass, coded_sim_setup, user, UNLOCK_CODE)
    assert err.value.translation_key == "unlock_code_locked_out"
    # A wrong code while blocked is refused as such, not checked or counted.
    with pytest.raises(ServiceValidationError) as err:
        await call_lock(hass, coded_sim_setup, user, WRONG)
    assert err.value.translation_key == "unlock_code_locked_out"
    assert not door.is_open
    assert door_requests(coded_sim_setup) == []
    assert [e.data["result"] for e in events] == ["wrong_code"] * 5 + ["locked_out"] * 2

    # An automation (no user) is never blocked, and its code is not checked.
    await call_lock(hass, coded_sim_setup, Context(), "0000")
    assert door.is_open
    assert events[-1].data["result"] == "accepted"
    await call_lock(hass, coded_sim_setup, Context(), "0000", SERVICE_LOCK)
    assert not door.is_open

    await tick(hass, freezer, LOCKOUT - timedelta(seconds=1))
    with pytest.raises(ServiceValidationError) as err:
        await call_lock(hass, coded_sim_setup, user, UNLOCK_CODE)
    assert err.value.translation_key == "unlock_code_locked_out"

    await tick(hass, freezer, timedelta(seconds=1))
    await call_lock(hass, coded_sim_setup, user, UNLOCK_CODE)
    assert door.is_open
    assert events[-1].data["result"] == "accepted"


async def test_wrong_codes_spread_out_do_not_lock_out(
    hass: HomeAssistant,
    coded_sim_setup: SimSetup,
    alice: MockUser,
    freezer: FrozenDateTimeFactory,
) -> None:
    """Only five wrong codes within five minutes lock out."""
    user = Context(user_id=alice.id)
    for _ in range(4):
        with pytest.raises(ServiceValidationError):
            await call_lock(hass, coded_sim_setup, user, WRONG)
    await tick(hass, freezer, timedelta(minutes=5))
    with pytest.raises(ServiceValidationError) as err:
        await call_lock(hass, coded_sim_setup, user, WRONG)
    assert err.value.translation_key == "wrong_unlock_code"
    await call_lock(hass, coded_sim_setup, user, UNLOCK_CODE)
    assert coded_sim_setup.sim.site.doors[0].is_open


async def test_calls_without_a_user_need_no_code(
    hass: HomeAssistant, coded_sim_setup: SimSetup, alice: MockUser
) -> None:
    """The check the actions use: no user, no code needed; a user needs one."""
    coordinator = coded_sim_setup.runtime.coordinator
    guard = coded_sim_setup.runtime.code_guard
    door_ids = [coded_sim_setup.sim.site.doors[0].id]
    for context in (None, Context()):
        await async_check_code(
            coordinator,
            guard,
            None,
            context,
            command=DoorCommand.HOLD_OPEN,
            door_ids=door_ids,
        )
    with pytest.raises(ServiceValidationError) as err:
        await async_check_code(
            coordinator,
            guard,
            None,
            Context(user_id=alice.id),
            command=DoorCommand.HOLD_OPEN,
            door_ids=door_ids,
        )
    assert err.value.translation_key == "unlock_code_required"
    await async_check_code(
        coordinator,
        guard,
        UNLOCK_CODE,
        Context(user_id=alice.id),
        command=DoorCommand.HOLD_OPEN,
        door_ids=door_ids,
    )


@pytest.mark.parametrize("user", [True, False])
async def test_select_refuses_normally_open(
    hass: HomeAssistant, coded_sim_setup: SimSetup, alice: MockUser, user: bool
) -> None:
    """With a code set, normally open is refused here and points to the actions."""
    door = coded_sim_setup.sim.site.doors[0]
    select = entity_id(
        hass, "select", f"door_{door.id}_work_mode", coded_sim_setup.entry.entry_id
    )
    context = Context(user_id=alice.id) if user else Context()
    events = async_capture_events(hass, EVENT_COMMAND)

    with pytest.raises(ServiceValidationError) as err:
        await hass.services.async_call(
            SELECT_DOMAIN,
            SERVICE_SELECT_OPTION,
            {ATTR_ENTITY_ID: select, ATTR_OPTION: "normally_open"},
            blocking=True,
            context=context,
        )
    assert err.value.translation_key == "normally_open_needs_code"
    assert not door.is_open
    assert door.work_mode != 4
    assert events == []

    # Other modes need no code.
    await hass.services.async_call(
        SELECT_DOMAIN,
        SERVICE_SELECT_OPTION,
        {ATTR_ENTITY_ID: select, ATTR_OPTION: "card"},
        blocking=True,
        context=context,
    )
    assert door.work_mode == 1
    assert hass.states.get(select).state == "card"


async def test_diagnostics_hide_the_code(
    hass: HomeAssistant, coded_sim_setup: SimSetup, alice: MockUser
) -> None:
    """Diagnostics say a code is set and count wrong codes, never show the hash."""
    entry = coded_sim_setup.entry
    stored = entry.options[CONF_UNLOCK_CODE_HASH]
    with pytest.raises(ServiceValidationError):
        await call_lock(hass, coded_sim_setup, Context(user_id=alice.id), WRONG)
    result = await async_get_config_entry_diagnostics(hass, entry)
    assert result["entry"]["options"][CONF_UNLOCK_CODE_HASH] == "**REDACTED**"
    assert result["unlock_code"] == {
        "set": True,
        "wrong_codes": 1,
        "locked_until": None,
    }
    assert stored not in repr(result)
    assert stored.rsplit("$", 1)[-1] not in repr(result)


def test_hash_is_salted_and_damage_is_refused() -> None:
    """Each hash has its own salt; a damaged or foreign hash matches no code."""
    first, second = hash_unlock_code("2468"), hash_unlock_code("2468")
    assert first != second
    assert verify_unlock_code("2468", first)
    assert verify_unlock_code("2468", second)
    name, rounds, salt, digest = first.split("$")
    for damaged in (
        "",
        "2468",
        f"{name}${rounds}${salt}",
        f"md5${rounds}${salt}${digest}",
        f"{name}$0${salt}${digest}",
        f"{name}$many${salt}${digest}",
        f"{name}${rounds}$!!${digest}",
    ):
        assert not verify_unlock_code("2468", damaged), damaged


async def test_lock_out_during_the_check_refuses_a_right_code(
    hass: HomeAssistant, coded_sim_setup: SimSetup, alice: MockUser
) -> None:
    """A lock-out that begins while a right code is being checked still refuses it."""
    guard = coded_sim_setup.entry.runtime_data.code_guard

    def verify_while_locked_out(code: str, stored: str) -> bool:
        guard.locked_until = dt_util.utcnow() + LOCKOUT
        return True

    with (
        patch(
            "custom_components.acs_bridge.commands.verify_unlock_code",
            verify_while_locked_out,
        ),
        pytest.raises(ServiceValidationError) as err,
    ):
        await call_lock(hass, coded_sim_setup, Context(user_id=alice.id), UNLOCK_CODE)
    assert err.value.translation_key == "unlock_code_locked_out"
    assert door_requests(coded_sim_setup) == []
