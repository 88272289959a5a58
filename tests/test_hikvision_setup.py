"""A Hikvision device in Home Assistant: its devices and entities, over real HTTP."""

from __future__ import annotations

import json
import logging

from homeassistant.components.select import ATTR_OPTIONS
from homeassistant.core import HomeAssistant
from homeassistant.helpers import device_registry as dr, entity_registry as er
import pytest

from custom_components.acs_bridge.devices import async_get_entry_device
from custom_components.acs_bridge.diagnostics import (
    async_get_config_entry_diagnostics,
)
from custom_components.acs_bridge.identifiers import (
    controller_identifier,
    door_identifier,
    hub_identifier,
)
from simulator.hikvision import HikConfig, HikSimulator

from .hik_fixtures import (
    HIK_DOOR_NAMES,
    HIK_PASSWORD,
    HikSetup,
    async_setup_hik,
    door_entity,
)

SECRETS = ("13572468", "99887766", "24681357", HIK_PASSWORD)


def _device(hass: HomeAssistant, setup: HikSetup, identifier: str) -> dr.DeviceEntry:
    """Find a device of ours the way both Home Assistant versions allow."""
    device = async_get_entry_device(hass, setup.entry, identifier)
    assert device is not None, identifier
    return device


async def test_devices_and_entities(hass: HomeAssistant, hik_setup: HikSetup) -> None:
    """Hub, one controller (the device), a door device per door named as on it."""
    entry_id = hik_setup.entry.entry_id
    config = hik_setup.sim.config
    hub = _device(hass, hik_setup, hub_identifier(entry_id))
    assert hub.manufacturer == "Hikvision"
    assert hub.model == config.model
    assert hub.serial_number == config.serial_number
    assert hub.sw_version is not None
    assert config.firmware_version in hub.sw_version

    devices = dr.async_entries_for_config_entry(dr.async_get(hass), entry_id)
    controllers = [
        d for d in devices if any("controller_" in i for _, i in d.identifiers)
    ]
    assert len(controllers) == 1
    assert controllers[0] == _device(
        hass, hik_setup, controller_identifier(entry_id, config.serial_number)
    )
    doors = [d for d in devices if any("_door_" in i for _, i in d.identifiers)]
    assert sorted(d.name or "" for d in doors) == sorted(HIK_DOOR_NAMES)
    assert (
        _device(hass, hik_setup, door_identifier(entry_id, "1")).name
        == HIK_DOOR_NAMES[0]
    )

    for door in (1, 2):
        assert hass.states.get(door_entity(hass, hik_setup, "lock", door, "lock"))
        assert hass.states.get(
            door_entity(hass, hik_setup, "binary_sensor", door, "door")
        )
        assert hass.states.get(door_entity(hass, hik_setup, "event", door, "access"))
        select = hass.states.get(
            door_entity(hass, hik_setup, "select", door, "work_mode")
        )
        assert select is not None
        assert select.attributes[ATTR_OPTIONS] == [
            "auto",
            "normally_open",
            "normally_closed",
        ]
        assert select.state == "auto"
    lock = hass.states.get(door_entity(hass, hik_setup, "lock", 1, "lock"))
    assert lock is not None
    assert lock.state == "locked"
    door_sensor = hass.states.get(
        door_entity(hass, hik_setup, "binary_sensor", 1, "door")
    )
    assert door_sensor is not None
    assert door_sensor.state == "off"


class TestFourDoors:
    """A four-door controller."""

    @pytest.fixture
    def hik_config(self) -> HikConfig:
        """A four-door controller (its status arrays are padded to 126 entries)."""
        return HikConfig(doors=4, password=HIK_PASSWORD, heartbeat_period=0.2)

    async def test_door_count_from_capabilities_not_padded_arrays(
        self, hass: HomeAssistant, hik_setup: HikSetup
    ) -> None:
        """Four doors, not 126."""
        doors = {
            e.unique_id
            for e in er.async_entries_for_config_entry(
                er.async_get(hass), hik_setup.entry.entry_id
            )
            if e.domain == "lock"
        }
        assert len(doors) == 4


async def test_door_count_from_electro_lock_num(
    hass: HomeAssistant, hik_sim: HikSimulator, fast_stream: None
) -> None:
    """A device without remote-control capabilities: electroLockNum counts."""
    hik_sim.configure(doors=4)
    hik_sim.fault(
        "status",
        path="AccessControl/RemoteControl/door/capabilities",
        status_code=4,
        sub_status="notSupport",
        http_status=404,
    )
    setup = await async_setup_hik(hass, hik_sim)
    locks = [
        e
        for e in er.async_entries_for_config_entry(
            er.async_get(hass), setup.entry.entry_id
        )
        if e.domain == "lock"
    ]
    assert len(locks) == 4


async def test_door_passwords_never_logged_stored_or_shown(
    hass: HomeAssistant,
    hik_sim: HikSimulator,
    fast_stream: None,
    caplog: pytest.LogCaptureFixture,
    hass_storage: dict,
) -> None:
    """Door/param carries the door's passwords: none reaches a log, a store or
    the diagnostics."""
    caplog.set_level(logging.DEBUG)
    setup = await async_setup_hik(hass, hik_sim)

    diagnostics = json.dumps(
        await async_get_config_entry_diagnostics(hass, setup.entry), default=str
    )
    await hass.config_entries.async_unload(setup.entry.entry_id)
    await hass.async_block_till_done()
    stored = json.dumps(hass_storage, default=str)
    for secret in SECRETS[:3]:
        assert secret not in caplog.text
        assert secret not in diagnostics
        assert secret not in stored
    assert HIK_PASSWORD not in caplog.text
    assert HIK_PASSWORD not in diagnostics
