"""What was built for AX doors, on a Hikvision device: unlock code, hold-open,
site mode beside an AX server, people and records, diagnostics, triggers."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
import json

from homeassistant.components.device_automation import DeviceAutomationType
from homeassistant.components.lock import DOMAIN as LOCK_DOMAIN, SERVICE_OPEN
from homeassistant.const import ATTR_CODE, ATTR_ENTITY_ID
from homeassistant.core import Context, HomeAssistant
from homeassistant.exceptions import ServiceValidationError
from homeassistant.util import dt as dt_util
import pytest
from pytest_homeassistant_custom_component.common import (
    MockUser,
    async_fire_time_changed,
    async_get_device_automations,
)

from custom_components.acs_bridge.commands import hash_unlock_code
from custom_components.acs_bridge.const import (
    CONF_UNLOCK_CODE_HASH,
    DOMAIN,
    EVENT_ACCESS,
)
from custom_components.acs_bridge.diagnostics import (
    async_get_config_entry_diagnostics,
)
from simulator.hikvision import HikSimulator

from . import helpers
from .hik_fixtures import (
    BusWatcher,
    HikSetup,
    async_setup_hik,
    async_wait_state,
    door_entity,
)
from .sim_fixtures import SimSetup

CODE = "1357"


async def test_unlock_code(
    hass: HomeAssistant, hik_sim: HikSimulator, fast_stream: None, alice: MockUser
) -> None:
    """With an unlock code set, a door opens only with the code."""
    setup = await async_setup_hik(
        hass, hik_sim, options={CONF_UNLOCK_CODE_HASH: hash_unlock_code(CODE)}
    )
    lock = door_entity(hass, setup, "lock", 1, "lock")
    with pytest.raises(ServiceValidationError):
        await hass.services.async_call(
            LOCK_DOMAIN,
            SERVICE_OPEN,
            {ATTR_ENTITY_ID: lock, ATTR_CODE: "0000"},
            blocking=True,
            context=Context(user_id=alice.id),
        )
    assert hik_sim.device.commands == []
    await hass.services.async_call(
        LOCK_DOMAIN,
        SERVICE_OPEN,
        {ATTR_ENTITY_ID: lock, ATTR_CODE: CODE},
        blocking=True,
        context=Context(user_id=alice.id),
    )
    assert hik_sim.device.commands == [(1, "open")]


async def test_hold_open_and_back(hass: HomeAssistant, hik_setup: HikSetup) -> None:
    """Normally open for the duration, then back to normal (close: no resume)."""
    lock = door_entity(hass, hik_setup, "lock", 2, "lock")
    select = door_entity(hass, hik_setup, "select", 2, "work_mode")
    await hass.services.async_call(
        DOMAIN, "hold_open", {ATTR_ENTITY_ID: lock, "duration": 30}, blocking=True
    )
    assert hik_setup.sim.device.commands == [(2, "alwaysOpen")]
    await async_wait_state(hass, select, "normally_open")
    async_fire_time_changed(hass, dt_util.utcnow() + timedelta(seconds=31))
    await async_wait_state(hass, select, "auto")
    assert hik_setup.sim.device.commands == [(2, "alwaysOpen"), (2, "close")]


async def test_site_mode_beside_an_ax_server(
    hass: HomeAssistant, hik_setup: HikSetup, sim_setup: SimSetup
) -> None:
    """Lockdown per entry, on a Hikvision device and an AX server side by side;
    without an entry the action asks which (two servers are set up)."""
    with pytest.raises(ServiceValidationError) as err:
        await hass.services.async_call(
            DOMAIN, "set_site_mode", {"mode": "lockdown"}, blocking=True
        )
    assert err.value.translation_key == "entry_required"
    for entry in (hik_setup.entry, sim_setup.entry):
        result = await hass.services.async_call(
            DOMAIN,
            "set_site_mode",
            {"mode": "lockdown", "config_entry_id": entry.entry_id},
            blocking=True,
            return_response=True,
        )
        assert result is not None
        assert result["failed"] == 0
    assert sorted(hik_setup.sim.device.commands) == [
        (1, "alwaysClose"),
        (2, "alwaysClose"),
    ]
    assert {door.work_mode for door in sim_setup.sim.site.doors} == {5}
    await hass.services.async_call(
        DOMAIN,
        "set_site_mode",
        {"mode": "normal", "config_entry_id": hik_setup.entry.entry_id},
        blocking=True,
    )
    assert sorted(hik_setup.sim.device.commands[2:]) == [(1, "close"), (2, "close")]


async def test_people_and_records(
    hass: HomeAssistant, hik_setup: HikSetup, bus: Callable[[str], BusWatcher]
) -> None:
    """list_people from the user search, get_records from the event search."""
    people = await hass.services.async_call(
        DOMAIN, "list_people", {"limit": 5}, blocking=True, return_response=True
    )
    assert people is not None
    assert people["total"] == hik_setup.sim.config.people
    assert people["count"] == 5
    assert people["people"][0]["user_no"] == "1"
    assert people["people"][0]["name"] == "Li Wei"

    access = bus(EVENT_ACCESS)
    swiped = [
        hik_setup.sim.device.swipe(1, method="face", employee_no="3").serial_no,
        hik_setup.sim.device.swipe(2, method="card", employee_no="4").serial_no,
    ]
    await access.wait(count=2)
    now = dt_util.now()
    records = await hass.services.async_call(
        DOMAIN,
        "get_records",
        {
            "start": (now - timedelta(minutes=5)).isoformat(),
            "end": (now + timedelta(minutes=5)).isoformat(),
        },
        blocking=True,
        return_response=True,
    )
    assert records is not None
    found = [r for r in records["records"] if r["event_id"] in swiped]
    assert [(r["event_id"], r["user_no"], r["method"]) for r in found] == [
        (swiped[0], "3", "face"),
        (swiped[1], "4", "card"),
    ]


async def test_diagnostics_redact_serial_and_mac(
    hass: HomeAssistant, hik_setup: HikSetup
) -> None:
    config = hik_setup.sim.config
    text = json.dumps(
        await async_get_config_entry_diagnostics(hass, hik_setup.entry), default=str
    )
    assert config.serial_number not in text
    assert config.mac_address not in text
    assert config.mac_address.upper() not in text
    assert "Hikvision" in text or "hikvision" in text


async def test_device_triggers(hass: HomeAssistant, hik_setup: HikSetup) -> None:
    door = helpers.door_device(hass, hik_setup.entry.entry_id, "1")
    triggers = await async_get_device_automations(
        hass, DeviceAutomationType.TRIGGER, door.id
    )
    ours = sorted(t["type"] for t in triggers if t["domain"] == DOMAIN)
    assert ours == ["access_denied", "access_granted", "alarm", "door_forced"]
