"""Tests of setting up, unloading and polling an entry."""

from __future__ import annotations

from datetime import timedelta
import logging
from typing import Any
from unittest.mock import MagicMock

from homeassistant.config_entries import ConfigEntryState
from homeassistant.const import (
    EVENT_STATE_CHANGED,
    EVENT_STATE_REPORTED,
    STATE_UNAVAILABLE,
)
from homeassistant.core import Event, HomeAssistant, callback
from homeassistant.helpers import (
    area_registry as ar,
    device_registry as dr,
    entity_registry as er,
)
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
)

from custom_components.acs_bridge.adapters import (
    AcsCertificateError,
    AcsConnectionError,
    Capability,
    Door,
    DoorState,
)
from custom_components.acs_bridge.const import (
    CONF_ADAPTER,
    CONF_STATE_INTERVAL,
    CONF_TIME_ZONE,
    DOMAIN,
)
from custom_components.acs_bridge.coordinator import (
    area_head_counts,
    door_display_names,
)

from .conftest import AREAS, CONTROLLERS, DOORS, ENTRY_DATA
from .helpers import entity_id


async def test_setup_and_unload(
    hass: HomeAssistant, init_integration: MockConfigEntry, mock_adapter: MagicMock
) -> None:
    """The entry loads, moves no door, and unloads."""
    assert init_integration.state is ConfigEntryState.LOADED
    mock_adapter.open_door.assert_not_called()
    mock_adapter.close_door.assert_not_called()
    mock_adapter.set_work_mode.assert_not_called()
    assert await hass.config_entries.async_unload(init_integration.entry_id)
    assert init_integration.state is ConfigEntryState.NOT_LOADED
    mock_adapter.close.assert_awaited()


async def test_devices(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    device_registry: dr.DeviceRegistry,
) -> None:
    """Hub, controllers and doors are devices; doors that share a name are told apart."""
    devices = {
        device.name: device
        for device in dr.async_entries_for_config_entry(
            device_registry, init_integration.entry_id
        )
    }
    assert set(devices) == {
        "127.0.0.1:6500",
        "1号楼控制器",
        "North Controller",
        "东门",
        "1号楼控制器 门1",
        "North Controller 门1",
    }
    hub = devices["127.0.0.1:6500"]
    controller = devices["1号楼控制器"]
    assert controller.via_device_id == hub.id
    assert controller.serial_number == "8791"
    east = devices["东门"]
    assert east.via_device_id == controller.id
    area = ar.async_get(hass).async_get_area(east.area_id)
    assert area is not None
    assert area.name == "办公楼"


async def test_unavailable_and_back(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    mock_adapter: MagicMock,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A failing server makes entities unavailable, logged once, and back once."""
    assert hass.states.get(entity_id(hass, "lock", "door_d1_lock")).state == "locked"
    coordinator = init_integration.runtime_data.coordinator
    mock_adapter.controllers.side_effect = AcsConnectionError("refused")
    for _ in range(3):
        await coordinator.async_refresh()
        await hass.async_block_till_done()
    assert (
        hass.states.get(entity_id(hass, "lock", "door_d1_lock")).state
        == STATE_UNAVAILABLE
    )
    errors = [
        r
        for r in caplog.records
        if r.levelno >= logging.WARNING and "refused" in r.getMessage()
    ]
    assert len(errors) == 1

    mock_adapter.controllers.side_effect = None
    await coordinator.async_refresh()
    await hass.async_block_till_done()
    assert hass.states.get(entity_id(hass, "lock", "door_d1_lock")).state == "locked"
    assert len([r for r in caplog.records if "recovered" in r.getMessage()]) == 1


async def test_options_apply_without_restart(
    hass: HomeAssistant, init_integration: MockConfigEntry, mock_adapter: MagicMock
) -> None:
    """New options reload the entry at once."""
    calls = mock_adapter.check_credentials.await_count
    hass.config_entries.async_update_entry(
        init_integration, options={CONF_STATE_INTERVAL: 30}
    )
    await hass.async_block_till_done()
    assert init_integration.state is ConfigEntryState.LOADED
    assert mock_adapter.check_credentials.await_count == calls + 1
    coordinator = init_integration.runtime_data.coordinator
    assert coordinator.update_interval == timedelta(seconds=30)


async def test_door_state_budget(
    hass: HomeAssistant, init_integration: MockConfigEntry, mock_adapter: MagicMock
) -> None:
    """Past the budget, each poll reads touched doors first, then the next in turn."""
    coordinator = init_integration.runtime_data.coordinator
    doors = {
        f"x{i}": Door(id=f"x{i}", name=f"X{i}", controller_id="c1") for i in range(10)
    }
    coordinator.door_state_budget = 4
    assert coordinator._doors_to_poll(doors, None) == list(doors)  # first poll
    previous = coordinator.data
    previous.door_states.update(
        {d: DoorState(door_id=d, online=True, is_open=False) for d in doors}
    )
    first = coordinator._doors_to_poll(doors, previous)
    second = coordinator._doors_to_poll(doors, previous)
    coordinator.mark_doors_dirty(["x9"])
    third = coordinator._doors_to_poll(doors, previous)
    assert first == ["x0", "x1", "x2", "x3"]
    assert second == ["x4", "x5", "x6", "x7"]
    assert third[0] == "x9"
    assert len(third) == 4
    assert len(set(first + second + third)) == 10


def test_door_display_names() -> None:
    """Only doors that share a name are prefixed with their controller."""
    names = door_display_names(DOORS, {c.id: c for c in CONTROLLERS})
    assert names == {
        "d1": "东门",
        "d2": "1号楼控制器 门1",
        "d3": "North Controller 门1",
    }


def test_area_head_counts() -> None:
    """A parent area counts the people of its sub-areas."""
    areas = {area.id: area for area in AREAS}
    assert area_head_counts(areas, {2: 2, 1: 1}) == {1: 3, 2: 2}
    assert area_head_counts(areas, {99: 5}) == {1: 0, 2: 0}


async def test_adapter_with_few_capabilities(
    hass: HomeAssistant,
    mock_config_entry: MockConfigEntry,
    mock_adapter: MagicMock,
    entity_registry: er.EntityRegistry,
) -> None:
    """An adapter without areas, alarms, events or work modes still sets up."""
    mock_adapter.capabilities = frozenset(
        {Capability.DOOR_STATE, Capability.DOOR_COMMANDS}
    )
    mock_config_entry.add_to_hass(hass)
    await hass.config_entries.async_setup(mock_config_entry.entry_id)
    await hass.async_block_till_done()
    assert mock_config_entry.state is ConfigEntryState.LOADED
    domains = {
        entry.domain
        for entry in er.async_entries_for_config_entry(
            entity_registry, mock_config_entry.entry_id
        )
    }
    assert domains == {"lock", "binary_sensor", "sensor"}
    mock_adapter.areas.assert_not_called()
    mock_adapter.alarms.assert_not_called()
    mock_adapter.area_people.assert_not_called()
    mock_adapter.poll_events.assert_not_called()
    coordinator = mock_config_entry.runtime_data.coordinator
    assert coordinator.data.alarms == {}
    assert coordinator.data.area_people == {}


async def test_unchanged_poll_writes_no_state(
    hass: HomeAssistant, init_integration: MockConfigEntry, mock_adapter: MagicMock
) -> None:
    """A poll that changes nothing writes only the last-poll sensor; a change, its door."""
    coordinator = init_integration.runtime_data.coordinator
    written: list[str] = []

    @callback
    def record(event: Event) -> None:
        written.append(event.data["entity_id"])

    hass.bus.async_listen(EVENT_STATE_CHANGED, record)

    @callback
    def every(data: Any) -> bool:
        return True

    hass.bus.async_listen(EVENT_STATE_REPORTED, record, event_filter=every)
    await coordinator.async_refresh()
    await hass.async_block_till_done()
    last_poll = entity_id(hass, "sensor", "hub_last_poll")
    assert set(written) <= {last_poll}

    written.clear()
    mock_adapter.states["d1"] = DoorState(door_id="d1", online=True, is_open=True)
    await coordinator.async_refresh()
    await hass.async_block_till_done()
    door_entities = {
        entity_id(hass, "lock", "door_d1_lock"),
        entity_id(hass, "binary_sensor", "door_d1_door"),
    }
    assert door_entities <= set(written) <= door_entities | {last_poll}


async def test_targeted_refresh_tells_only_that_door(
    hass: HomeAssistant, init_integration: MockConfigEntry, mock_adapter: MagicMock
) -> None:
    """Reading one door after a swipe writes that door's entities only."""
    coordinator = init_integration.runtime_data.coordinator
    written: list[str] = []

    @callback
    def record(event: Event) -> None:
        written.append(event.data["entity_id"])

    @callback
    def every(data: Any) -> bool:
        return True

    hass.bus.async_listen(EVENT_STATE_CHANGED, record)
    hass.bus.async_listen(EVENT_STATE_REPORTED, record, event_filter=every)
    await coordinator.async_refresh_doors(["d1"])  # unchanged: nothing written
    await hass.async_block_till_done()
    assert written == []
    mock_adapter.states["d1"] = DoorState(door_id="d1", online=True, is_open=True)
    await coordinator.async_refresh_doors(["d1"])
    await hass.async_block_till_done()
    assert set(written) == {
        entity_id(hass, "lock", "door_d1_lock"),
        entity_id(hass, "binary_sensor", "door_d1_door"),
    }


async def test_server_time_zone_option(
    hass: HomeAssistant, mock_config_entry: MockConfigEntry
) -> None:
    """The adapter reads the server's times in the zone the options name."""
    from unittest.mock import patch

    from .conftest import build_mock_adapter

    await hass.config.async_set_time_zone("Europe/Berlin")
    configs = []

    def factory(session, config):
        configs.append(config)
        return build_mock_adapter()

    factory.default_port = 6500  # type: ignore[attr-defined]
    factory.default_ssl = False  # type: ignore[attr-defined]

    mock_config_entry.add_to_hass(hass)
    hass.config_entries.async_update_entry(
        mock_config_entry, options={CONF_TIME_ZONE: "Asia/Shanghai"}
    )
    with patch(
        "custom_components.acs_bridge.runtime.get_adapter", return_value=factory
    ):
        await hass.config_entries.async_setup(mock_config_entry.entry_id)
        await hass.async_block_till_done()
    assert str(configs[0].time_zone) == "Asia/Shanghai"


async def test_removed_plugin_adapter(
    hass: HomeAssistant, caplog: pytest.LogCaptureFixture
) -> None:
    """An entry whose adapter is no longer installed fails with a clear error."""
    entry = MockConfigEntry(
        domain=DOMAIN,
        title="127.0.0.1:6500",
        data={**ENTRY_DATA, CONF_ADAPTER: "uninstalled_vendor_v2"},
    )
    entry.add_to_hass(hass)
    assert not await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    assert entry.state is ConfigEntryState.SETUP_ERROR
    assert entry.error_reason_translation_key == "adapter_not_found"
    assert "uninstalled_vendor_v2" in (entry.reason or "")
    assert "KeyError" not in caplog.text


async def test_setup_with_an_unverifiable_certificate(
    hass: HomeAssistant, mock_config_entry: MockConfigEntry, mock_adapter: MagicMock
) -> None:
    """Setup retries and says the certificate is the reason, pointing to the option."""
    mock_adapter.controllers.side_effect = AcsCertificateError("self-signed")
    mock_config_entry.add_to_hass(hass)
    await hass.config_entries.async_setup(mock_config_entry.entry_id)
    await hass.async_block_till_done()
    assert mock_config_entry.state is ConfigEntryState.SETUP_RETRY
    assert "certificate" in (mock_config_entry.reason or "")
    assert "Verify the SSL certificate" in (mock_config_entry.reason or "")
