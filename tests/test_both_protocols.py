"""The Home Assistant side's generic behaviours, on both protocols' simulators."""

from __future__ import annotations

from collections.abc import Callable

from homeassistant.components.lock import DOMAIN as LOCK_DOMAIN, SERVICE_OPEN
from homeassistant.components.select import (
    ATTR_OPTION,
    DOMAIN as SELECT_DOMAIN,
    SERVICE_SELECT_OPTION,
)
from homeassistant.const import ATTR_ENTITY_ID
from homeassistant.core import Context, HomeAssistant
from pytest_homeassistant_custom_component.common import MockUser

from custom_components.acs_bridge.const import EVENT_ACCESS, EVENT_COMMAND
from custom_components.acs_bridge.identifiers import door_key

from .hik_fixtures import (
    BusWatcher,
    HikSetup,
    async_wait_connected,
    async_wait_state,
    hik_entity_id,
)
from .protocol_fixtures import ProtocolSetup


def door_entity(
    hass: HomeAssistant, setup: ProtocolSetup, domain: str, key: str
) -> str:
    return hik_entity_id(
        hass, domain, door_key(setup.door_id), key, setup.entry.entry_id
    )


async def swipe_and_wait(
    hass: HomeAssistant, setup: ProtocolSetup, access: BusWatcher
) -> int:
    event_id = setup.swipe()
    await setup.async_deliver(hass)
    await access.wait(lambda d: d["event_id"] == event_id)
    return event_id


async def test_a_swipe_reaches_the_bus_once_and_the_door(
    hass: HomeAssistant,
    protocol_setup: ProtocolSetup,
    bus: Callable[[str], BusWatcher],
) -> None:
    access = bus(EVENT_ACCESS)
    first = await swipe_and_wait(hass, protocol_setup, access)
    second = await swipe_and_wait(hass, protocol_setup, access)
    assert [d["event_id"] for d in access.data] == [first, second]
    (event,) = access.matching(lambda d: d["event_id"] == first)
    assert event.data["door_id"] == protocol_setup.door_id
    assert event.data["replayed"] is False
    assert event.data["method"] == "card"
    state = hass.states.get(door_entity(hass, protocol_setup, "event", "access"))
    assert state is not None
    assert state.attributes["event_type"] == "granted"


async def test_lock_open_moves_the_door_and_audits(
    hass: HomeAssistant,
    protocol_setup: ProtocolSetup,
    bus: Callable[[str], BusWatcher],
    alice: MockUser,
) -> None:
    commands = bus(EVENT_COMMAND)
    lock = door_entity(hass, protocol_setup, "lock", "lock")
    await hass.services.async_call(
        LOCK_DOMAIN,
        SERVICE_OPEN,
        {ATTR_ENTITY_ID: lock},
        blocking=True,
        context=Context(user_id=alice.id),
    )
    assert protocol_setup.commands() == [(protocol_setup.door_id, "open")]
    (audit,) = await commands.wait()
    assert audit.data["result"] == "accepted"
    assert audit.data["door_id"] == protocol_setup.door_id
    assert audit.context.user_id == alice.id
    await async_wait_state(hass, lock, "open")
    state = hass.states.get(lock)
    assert state is not None
    assert state.attributes.get("changed_by") == "Alice"


async def test_the_work_mode_select_sets_a_mode(
    hass: HomeAssistant, protocol_setup: ProtocolSetup
) -> None:
    select = door_entity(hass, protocol_setup, "select", "work_mode")
    await hass.services.async_call(
        SELECT_DOMAIN,
        SERVICE_SELECT_OPTION,
        {ATTR_ENTITY_ID: select, ATTR_OPTION: "normally_closed"},
        blocking=True,
    )
    assert len(protocol_setup.commands()) == 1
    await async_wait_state(hass, select, "normally_closed")


async def test_reload_repeats_nothing(
    hass: HomeAssistant,
    protocol_setup: ProtocolSetup,
    bus: Callable[[str], BusWatcher],
) -> None:
    access = bus(EVENT_ACCESS)
    first = await swipe_and_wait(hass, protocol_setup, access)
    assert await hass.config_entries.async_reload(protocol_setup.entry.entry_id)
    await hass.async_block_till_done()
    if isinstance(protocol_setup.setup, HikSetup):
        await async_wait_connected(protocol_setup.setup)
    second = await swipe_and_wait(hass, protocol_setup, access)
    assert [d["event_id"] for d in access.data] == [first, second]
    assert not [d for d in access.data if d["replayed"]]
