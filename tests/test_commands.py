"""The audit of door commands: acs_bridge_command, the logbook and changed_by.

Over the simulator: the commands reach a real AX server over loopback HTTP.
"""

from __future__ import annotations

from typing import Any

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
from homeassistant.const import ATTR_ENTITY_ID
from homeassistant.core import Context, Event, HomeAssistant, State
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers import entity_registry as er
from homeassistant.helpers.dispatcher import async_dispatcher_send
import pytest
from pytest_homeassistant_custom_component.common import (
    MockUser,
    async_capture_events,
    mock_restore_cache_with_extra_data,
)

from custom_components.acs_bridge.commands import DoorCommand, async_run_door_command
from custom_components.acs_bridge.const import EVENT_ACCESS, EVENT_COMMAND, door_signal
from custom_components.acs_bridge.logbook import async_describe_events

from .helpers import door_device, entity_id
from .sim_fixtures import SimSetup, sim_entry_for

FIELDS = {
    "entry_id",
    "device_id",
    "entity_id",
    "door_id",
    "door_name",
    "command",
    "mode",
    "user_id",
    "user_name",
    "result",
    "server_code",
    "time",
}


def lock_of(hass: HomeAssistant, setup: SimSetup, door_id: str) -> str:
    return entity_id(hass, "lock", f"door_{door_id}_lock", setup.entry.entry_id)


async def call_lock(
    hass: HomeAssistant,
    service: str,
    entity: str,
    context: Context,
    **data: Any,
) -> None:
    await hass.services.async_call(
        LOCK_DOMAIN,
        service,
        {ATTR_ENTITY_ID: entity, **data},
        blocking=True,
        context=context,
    )
    await hass.async_block_till_done()


async def test_user_unlock_is_audited(
    hass: HomeAssistant, sim_setup: SimSetup, alice: MockUser
) -> None:
    """A user's unlock opens the door and fires one event naming that user."""
    sim = sim_setup.sim
    door = sim.site.doors[0]
    lock = lock_of(hass, sim_setup, door.id)
    events = async_capture_events(hass, EVENT_COMMAND)
    context = Context(user_id=alice.id)

    await call_lock(hass, SERVICE_UNLOCK, lock, context)

    assert door.is_open
    assert [(c.action, c.door_id) for c in sim.door_commands] == [("open", door.id)]
    assert len(events) == 1
    event = events[0]
    assert set(event.data) == FIELDS
    assert {k: v for k, v in event.data.items() if k != "time"} == {
        "entry_id": sim_setup.entry.entry_id,
        "device_id": door_device(hass, sim_setup.entry.entry_id, door.id).id,
        "entity_id": lock,
        "door_id": door.id,
        "door_name": sim_setup.runtime.coordinator.data.door_names[door.id],
        "command": "unlock",
        "mode": None,
        "user_id": alice.id,
        "user_name": "Alice",
        "result": "accepted",
        "server_code": None,
    }
    assert event.data["time"]
    # Fired with the caller's context: the logbook shows who or what started it.
    assert event.context is context
    state = hass.states.get(lock)
    assert state.state == "open"
    assert state.attributes["changed_by"] == "Alice"


@pytest.mark.parametrize(
    ("service", "command", "action", "is_open"),
    [
        (SERVICE_OPEN, "open", "open", True),
        (SERVICE_LOCK, "lock", "close", False),
    ],
)
async def test_automation_call_is_audited_without_user(
    hass: HomeAssistant,
    sim_setup: SimSetup,
    service: str,
    command: str,
    action: str,
    is_open: bool,
) -> None:
    """A call without a user (an automation) is audited with no user."""
    sim = sim_setup.sim
    door = sim.site.doors[1]
    sim.set_door_open(door.id, not is_open)
    events = async_capture_events(hass, EVENT_COMMAND)
    context = Context()

    await call_lock(hass, service, lock_of(hass, sim_setup, door.id), context)

    assert door.is_open is is_open
    assert [c.action for c in sim.door_commands] == [action]
    assert [(e.data["command"], e.data["result"]) for e in events] == [
        (command, "accepted")
    ]
    assert events[0].data["user_id"] is None
    assert events[0].data["user_name"] is None
    assert events[0].context is context
    assert (
        hass.states.get(lock_of(hass, sim_setup, door.id)).attributes.get("changed_by")
        is None
    )


async def test_offline_door_refused(
    hass: HomeAssistant, sim_setup: SimSetup, alice: MockUser
) -> None:
    """The server refuses a command for an offline door: audited with its status."""
    sim = sim_setup.sim
    door = sim.site.doors[0]
    sim.set_door_online(door.id, False)
    events = async_capture_events(hass, EVENT_COMMAND)
    lock = lock_of(hass, sim_setup, door.id)

    with pytest.raises(HomeAssistantError) as err:
        await call_lock(hass, SERVICE_UNLOCK, lock, Context(user_id=alice.id))

    assert err.value.translation_key == "command_failed"
    assert not door.is_open
    assert sim.door_commands == []
    assert [(e.data["result"], e.data["server_code"]) for e in events] == [
        ("refused", 1)
    ]
    assert events[0].data["user_name"] == "Alice"
    # The door was read at once: its lock is unavailable now.
    assert hass.states.get(lock).state == "unavailable"


async def test_injected_refusal_and_error(
    hass: HomeAssistant, sim_setup: SimSetup
) -> None:
    """A refusing status is `refused` with its code; a broken answer is `error`."""
    sim = sim_setup.sim
    door = sim.site.doors[0]
    lock = lock_of(hass, sim_setup, door.id)
    events = async_capture_events(hass, EVENT_COMMAND)

    sim.fault("status", count=1, path="acs/device/door/open", status=500)
    with pytest.raises(HomeAssistantError):
        await call_lock(hass, SERVICE_UNLOCK, lock, Context())
    sim.fault("http500", count=1, path="acs/device/door/open")
    with pytest.raises(HomeAssistantError):
        await call_lock(hass, SERVICE_UNLOCK, lock, Context())

    assert not door.is_open
    assert [(e.data["result"], e.data["server_code"]) for e in events] == [
        ("refused", 500),
        ("error", None),
    ]


async def test_work_mode_is_audited(
    hass: HomeAssistant, sim_setup: SimSetup, alice: MockUser
) -> None:
    """The work-mode select's command carries the mode."""
    sim = sim_setup.sim
    door = sim.site.doors[0]
    events = async_capture_events(hass, EVENT_COMMAND)
    await hass.services.async_call(
        SELECT_DOMAIN,
        SERVICE_SELECT_OPTION,
        {
            ATTR_ENTITY_ID: entity_id(
                hass, "select", f"door_{door.id}_work_mode", sim_setup.entry.entry_id
            ),
            ATTR_OPTION: "normally_open",
        },
        blocking=True,
        context=Context(user_id=alice.id),
    )
    await hass.async_block_till_done()
    assert door.work_mode == 4
    assert [
        (e.data["command"], e.data["mode"], e.data["result"], e.data["user_name"])
        for e in events
    ] == [("work_mode", "normally_open", "accepted", "Alice")]
    # Normally open opens the door: the lock names who did it.
    assert (
        hass.states.get(lock_of(hass, sim_setup, door.id)).attributes["changed_by"]
        == "Alice"
    )


async def test_changed_by_follows_swipes_and_remote_opens(
    hass: HomeAssistant, sim_setup: SimSetup, alice: MockUser
) -> None:
    """changed_by: the cardholder of the last granted swipe, or the user of the last open."""
    sim = sim_setup.sim
    door = sim.site.doors[0]
    lock = lock_of(hass, sim_setup, door.id)
    events = sim_setup.runtime.events
    swipes = async_capture_events(hass, EVENT_ACCESS)

    sim.swipe(door.id)
    await events.async_poll()
    await hass.async_block_till_done()
    cardholder = hass.states.get(lock).attributes["changed_by"]
    assert cardholder
    assert cardholder == swipes[0].data["user_name"]

    # A refused swipe names nobody.
    sim.swipe(door.id, "99999999")
    await events.async_poll()
    await hass.async_block_till_done()
    assert hass.states.get(lock).attributes["changed_by"] == cardholder

    await call_lock(hass, SERVICE_UNLOCK, lock, Context(user_id=alice.id))
    assert hass.states.get(lock).attributes["changed_by"] == "Alice"

    # Locking is no opening: it names nobody.
    await call_lock(hass, SERVICE_LOCK, lock, Context())
    assert hass.states.get(lock).attributes["changed_by"] == "Alice"

    sim.clock.advance(5)
    sim.swipe(door.id, swipes[0].data["card_no"])
    await events.async_poll()
    await hass.async_block_till_done()
    assert hass.states.get(lock).attributes["changed_by"] == cardholder


async def test_changed_by_restored(
    hass: HomeAssistant, simulator: Any, manual_polling: Any
) -> None:
    """Who last opened the door survives a restart."""
    sim, _clock = simulator
    entry = sim_entry_for(sim)
    entry.add_to_hass(hass)
    door = sim.site.doors[0]
    registry_entry = er.async_get(hass).async_get_or_create(
        "lock",
        "acs_bridge",
        f"{entry.entry_id}_door_{door.id}_lock",
        suggested_object_id="restored_door",
        config_entry=entry,
    )
    mock_restore_cache_with_extra_data(
        hass,
        [
            (
                State(registry_entry.entity_id, "locked", {"changed_by": "Bob"}),
                {"changed_by": "Bob", "changed_at": "2026-11-29T10:00:00+00:00"},
            )
        ],
    )
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    assert hass.states.get(registry_entry.entity_id).attributes["changed_by"] == "Bob"


async def _describe(hass: HomeAssistant, language: str) -> Any:
    hass.config.language = language
    described: dict[tuple[str, str], Any] = {}

    def collect(domain: str, event_type: str, describe: Any) -> None:
        described[(domain, event_type)] = describe

    async_describe_events(hass, collect)
    await hass.async_block_till_done()
    return described[("acs_bridge", EVENT_COMMAND)]


@pytest.mark.parametrize(
    ("language", "messages"),
    [
        (
            "en",
            [
                "opened by Alice",
                "unlocked",
                "open by Alice: wrong unlock code",
                "lock: refused by the server (status 1)",
                "work mode set to normally open by Alice",
                "unlock by Alice: blocked after too many wrong unlock codes",
                "open: failed, the server gave no usable answer",
            ],
        ),
        (
            "zh-Hans",
            [
                "由 Alice 开门",
                "解锁",
                "由 Alice 开门：开门密码错误",
                "锁门：服务器拒绝（状态 1）",
                "由 Alice 将工作模式设为常开",
                "由 Alice 解锁：开门密码错误次数过多，已被禁止",
                "开门：失败，服务器没有有效应答",
            ],
        ),
    ],
)
async def test_logbook_in_the_users_language(
    hass: HomeAssistant, sim_setup: SimSetup, language: str, messages: list[str]
) -> None:
    """Each command has a logbook line in Home Assistant's language, under its lock."""
    describe = await _describe(hass, language)
    door = sim_setup.sim.site.doors[0]
    base = {
        "entry_id": sim_setup.entry.entry_id,
        "door_id": door.id,
        "door_name": "North Gate",
        "device_id": "abc",
        "mode": None,
        "user_name": None,
        "server_code": None,
    }
    cases = [
        {"command": "open", "result": "accepted", "user_name": "Alice"},
        {"command": "unlock", "result": "accepted"},
        {"command": "open", "result": "wrong_code", "user_name": "Alice"},
        {"command": "lock", "result": "refused", "server_code": 1},
        {
            "command": "work_mode",
            "mode": "normally_open",
            "result": "accepted",
            "user_name": "Alice",
        },
        {"command": "unlock", "result": "locked_out", "user_name": "Alice"},
        {"command": "open", "result": "error"},
    ]
    lines = [describe(Event(EVENT_COMMAND, {**base, **case})) for case in cases]
    assert [line["message"] for line in lines] == messages
    assert {line["name"] for line in lines} == {"North Gate"}
    assert {line["entity_id"] for line in lines} == {lock_of(hass, sim_setup, door.id)}
    assert {line["device_id"] for line in lines} == {"abc"}


async def test_late_swipe_does_not_hide_a_later_opener(
    hass: HomeAssistant, sim_setup: SimSetup, alice: MockUser
) -> None:
    """A swipe delivered late (replayed) names its cardholder only if it is newer."""
    door = sim_setup.sim.site.doors[0]
    lock = lock_of(hass, sim_setup, door.id)
    await call_lock(hass, SERVICE_UNLOCK, lock, Context(user_id=alice.id))
    signal = door_signal(sim_setup.entry.entry_id, door.id)

    async_dispatcher_send(
        hass,
        signal,
        "granted",
        {"user_name": "张三", "time": "2020-01-01T08:00:00+08:00", "replayed": True},
    )
    await hass.async_block_till_done()
    assert hass.states.get(lock).attributes["changed_by"] == "Alice"

    async_dispatcher_send(
        hass,
        signal,
        "granted",
        {"user_name": "李四", "time": "2999-01-01T08:00:00+08:00", "replayed": True},
    )
    await hass.async_block_till_done()
    assert hass.states.get(lock).attributes["changed_by"] == "李四"


async def test_unexpected_failure_is_audited_and_raised(
    hass: HomeAssistant, sim_setup: SimSetup
) -> None:
    """A failure that is no answer of the server is audited as `error`, then raised."""
    events = async_capture_events(hass, EVENT_COMMAND)
    door = sim_setup.sim.site.doors[0]

    async def broken() -> None:
        raise RuntimeError("bug")

    with pytest.raises(RuntimeError):
        await async_run_door_command(
            sim_setup.runtime.coordinator,
            door.id,
            DoorCommand.OPEN,
            broken,
            context=None,
        )
    await hass.async_block_till_done()
    assert [(e.data["command"], e.data["result"]) for e in events] == [
        ("open", "error")
    ]
