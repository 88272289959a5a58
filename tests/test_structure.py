"""Doors and controllers kept through empty or failed listings; stale devices."""

from __future__ import annotations

from datetime import timedelta
from typing import Any
from unittest.mock import MagicMock

from freezegun.api import FrozenDateTimeFactory
from homeassistant.config_entries import ConfigEntryState
from homeassistant.core import Event, HomeAssistant, callback
from homeassistant.helpers import (
    area_registry as ar,
    device_registry as dr,
    entity_registry as er,
)
from homeassistant.setup import async_setup_component
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.typing import WebSocketGenerator

from custom_components.acs_bridge.adapters import Door, DoorState
from custom_components.acs_bridge.const import DOMAIN, STRUCTURE_REFRESH_EVERY
from custom_components.acs_bridge.coordinator import AcsCoordinator
from custom_components.acs_bridge.devices import async_get_entry_device

from .conftest import CONTROLLERS, DOORS
from .helpers import door_device, entity_id
from .sim_fixtures import SimSetup


async def read_structure(hass: HomeAssistant, coordinator: AcsCoordinator) -> None:
    """Poll until the coordinator has read controllers, doors and areas once more."""
    for _ in range(STRUCTURE_REFRESH_EVERY):
        await coordinator.async_refresh()
        await hass.async_block_till_done()


def door_names(hass: HomeAssistant, entry_id: str) -> set[str | None]:
    """Return the names of an entry's devices."""
    registry = dr.async_get(hass)
    return {d.name for d in dr.async_entries_for_config_entry(registry, entry_id)}


@pytest.mark.parametrize(
    "fault",
    [
        {"kind": "status", "status": 102},  # no data, "data": null
        {"kind": "status", "status": 0},  # success, "data": null
        {"kind": "empty"},  # success, an empty list
        {"kind": "http500"},  # a failed read
    ],
    ids=["status_102", "data_null", "empty_list", "http500"],
)
async def test_one_empty_listing_keeps_everything(
    hass: HomeAssistant,
    sim_setup: SimSetup,
    device_registry: dr.DeviceRegistry,
    entity_registry: er.EntityRegistry,
    fault: dict[str, Any],
) -> None:
    """An empty or failed listing keeps devices, entity ids, names and areas."""
    sim, entry = sim_setup.sim, sim_setup.entry
    coordinator = sim_setup.runtime.coordinator
    door = sim.site.doors[0]
    device = door_device(hass, entry.entry_id, door.id)
    garden = ar.async_get(hass).async_create("Garden")
    device_registry.async_update_device(
        device.id, area_id=garden.id, name_by_user="Front door"
    )
    lock = entity_id(hass, "lock", f"door_{door.id}_lock", entry.entry_id)
    entity_registry.async_update_entity(
        lock, new_entity_id="lock.my_front_door", name="My front door"
    )
    devices_before = {
        d.id: d.name
        for d in dr.async_entries_for_config_entry(device_registry, entry.entry_id)
    }
    entities_before = {
        e.entity_id
        for e in er.async_entries_for_config_entry(entity_registry, entry.entry_id)
    }
    changes: list[tuple[str, str]] = []

    @callback
    def record(event: Event[Any]) -> None:
        if event.data["action"] in ("create", "remove"):
            changes.append((event.event_type, event.data["action"]))

    hass.bus.async_listen(dr.EVENT_DEVICE_REGISTRY_UPDATED, record)
    hass.bus.async_listen(er.EVENT_ENTITY_REGISTRY_UPDATED, record)

    for path in ("acs/devices", "acs/device/doors", "areas"):
        sim.fault(count=1, path=path, **fault)
    await read_structure(hass, coordinator)
    await read_structure(hass, coordinator)

    assert changes == []
    assert {
        d.id: d.name
        for d in dr.async_entries_for_config_entry(device_registry, entry.entry_id)
    } == devices_before
    assert {
        e.entity_id
        for e in er.async_entries_for_config_entry(entity_registry, entry.entry_id)
    } == entities_before
    kept = device_registry.async_get(device.id)
    assert kept is not None
    assert (kept.area_id, kept.name_by_user) == (garden.id, "Front door")
    state = hass.states.get("lock.my_front_door")
    assert state is not None
    assert state.state == "locked"
    assert state.attributes["friendly_name"] == "My front door"


async def test_door_gone_for_good_is_removed(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    mock_adapter: MagicMock,
    entity_registry: er.EntityRegistry,
    freezer: FrozenDateTimeFactory,
) -> None:
    """A door missing from 3 listings in a row over 10 minutes is removed; new ones appear."""
    entry_id = init_integration.entry_id
    coordinator = init_integration.runtime_data.coordinator
    new_door = Door(id="d4", name="West Gate", controller_id="c1", area_id=2)
    mock_adapter.doors.return_value = [DOORS[0], DOORS[1], new_door]
    mock_adapter.states["d4"] = DoorState(door_id="d4", online=True, is_open=True)
    lock_d3 = entity_id(hass, "lock", "door_d3_lock")

    # Three reads within a few minutes are not enough.
    for _ in range(3):
        freezer.tick(timedelta(minutes=2))
        await read_structure(hass, coordinator)
    assert hass.states.get(entity_id(hass, "lock", "door_d4_lock")).state == "open"
    assert "North Controller 门1" in door_names(hass, entry_id)
    assert entity_registry.async_get(lock_d3) is not None

    freezer.tick(timedelta(minutes=6))  # 10 minutes after the first read without it
    await read_structure(hass, coordinator)
    names = door_names(hass, entry_id)
    assert "West Gate" in names
    assert "North Controller 门1" not in names
    # d3 is gone, so d2 no longer shares its name and loses the prefix.
    assert "门1" in names
    assert "1号楼控制器 门1" not in names
    assert entity_registry.async_get(lock_d3) is None
    assert init_integration.state is ConfigEntryState.LOADED


async def test_controller_missing_once_is_kept_unavailable(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    mock_adapter: MagicMock,
) -> None:
    """A controller missing from one listing keeps its device; its sensor waits."""
    coordinator = init_integration.runtime_data.coordinator
    connectivity = entity_id(hass, "binary_sensor", "controller_c2_connectivity")
    mock_adapter.controllers.return_value = [CONTROLLERS[0]]
    await coordinator.async_refresh()
    await hass.async_block_till_done()
    assert hass.states.get(connectivity).state == "unavailable"
    assert "North Controller" in door_names(hass, init_integration.entry_id)
    assert "North Controller 门1" in door_names(hass, init_integration.entry_id)

    mock_adapter.controllers.return_value = list(CONTROLLERS)
    await coordinator.async_refresh()
    await hass.async_block_till_done()
    assert hass.states.get(connectivity).state == "off"


async def test_empty_listing_at_start_keeps_devices(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    mock_adapter: MagicMock,
    entity_registry: er.EntityRegistry,
) -> None:
    """Devices of an earlier run survive an empty first listing after a restart."""
    entry_id = init_integration.entry_id
    before = door_names(hass, entry_id)
    assert await hass.config_entries.async_unload(entry_id)
    mock_adapter.controllers.return_value = []
    mock_adapter.doors.return_value = []
    assert await hass.config_entries.async_setup(entry_id)
    await hass.async_block_till_done()
    assert door_names(hass, entry_id) == before
    assert entity_registry.async_get_entity_id(
        "lock", DOMAIN, f"{entry_id}_door_d1_lock"
    )

    mock_adapter.controllers.return_value = list(CONTROLLERS)
    mock_adapter.doors.return_value = list(DOORS)
    await read_structure(hass, init_integration.runtime_data.coordinator)
    assert hass.states.get(entity_id(hass, "lock", "door_d1_lock")).state == "locked"


async def test_remove_stale_device(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    mock_adapter: MagicMock,
    device_registry: dr.DeviceRegistry,
    hass_ws_client: WebSocketGenerator,
) -> None:
    """The user may remove a device the server no longer lists, and no other."""
    assert await async_setup_component(hass, "config", {})
    entry_id = init_integration.entry_id
    client = await hass_ws_client(hass)

    async def remove(device_id: str) -> bool:
        await client.send_json_auto_id(
            {
                "type": "config/device_registry/remove_config_entry",
                "config_entry_id": entry_id,
                "device_id": device_id,
            }
        )
        response = await client.receive_json()
        return bool(response["success"])

    hub = async_get_entry_device(hass, init_integration, entry_id)
    assert hub is not None
    assert not await remove(hub.id)
    assert not await remove(door_device(hass, entry_id, "d3").id)

    mock_adapter.doors.return_value = [DOORS[0], DOORS[1]]
    await read_structure(hass, init_integration.runtime_data.coordinator)
    assert not await remove(door_device(hass, entry_id, "d1").id)
    assert await remove(door_device(hass, entry_id, "d3").id)
    await read_structure(hass, init_integration.runtime_data.coordinator)
    assert "North Controller 门1" not in door_names(hass, entry_id)
    assert "东门" in door_names(hass, entry_id)
