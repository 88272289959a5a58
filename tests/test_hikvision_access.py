"""Access events of a Hikvision device, pushed over the alert stream."""

from __future__ import annotations

from collections.abc import Callable

from homeassistant.core import HomeAssistant
import pytest

from custom_components.acs_bridge.const import EVENT_ACCESS

from .hik_fixtures import BusWatcher, HikSetup, async_wait_state, door_entity

METHODS = {
    "card": ("card", True),
    "face": ("face", False),
    "fingerprint": ("fingerprint", False),
    "password": ("password", False),
    "qr": ("qr", True),
}


@pytest.mark.parametrize("method", sorted(METHODS))
async def test_swipe_keys_as_for_ax(
    hass: HomeAssistant,
    hik_setup: HikSetup,
    bus: Callable[[str], BusWatcher],
    method: str,
) -> None:
    """event_id is the serialNo, door_id the door number, code major/minor,
    the method from the minor code; no card number for face or finger."""
    access = bus(EVENT_ACCESS)
    swiped = hik_setup.sim.device.swipe(1, method=method, employee_no="3")
    (event,) = await access.wait()
    data = event.data
    expected_method, has_card = METHODS[method]
    assert data["event_id"] == swiped.serial_no
    assert data["door_id"] == "1"
    assert data["code"] == f"5/{swiped.minor}"
    assert data["method"] == expected_method
    assert data["replayed"] is False
    assert data["granted"] is True
    assert data["user_no"] == "3"
    assert data["entry_id"] == hik_setup.entry.entry_id
    assert data["door_name"] == "Front Door"
    assert data["entity_id"] == door_entity(hass, hik_setup, "event", 1, "access")
    if has_card:
        assert data["card_no"]
    else:
        assert data["card_no"] is None


async def test_card_code_and_refusal(
    hass: HomeAssistant, hik_setup: HikSetup, bus: Callable[[str], BusWatcher]
) -> None:
    """A card swipe is 5/1; a refused one is not granted."""
    access = bus(EVENT_ACCESS)
    device = hik_setup.sim.device
    card = device.swipe(2, method="card", employee_no="2")
    refused = device.swipe(2, method="card", granted=False, employee_no="2")
    first, second = await access.wait(count=2)
    assert first.data["code"] == "5/1"
    assert first.data["event_id"] == card.serial_no
    assert first.data["door_id"] == "2"
    assert second.data["event_id"] == refused.serial_no
    assert second.data["granted"] is False
    assert second.data["method"] == "card"


async def test_remote_open_is_a_remote_event(
    hass: HomeAssistant, hik_setup: HikSetup, bus: Callable[[str], BusWatcher]
) -> None:
    """A remote open on the device is an access event with method remote."""
    access = bus(EVENT_ACCESS)
    hik_setup.sim.device.command(1, "open")
    (event,) = await access.wait()
    assert event.data["method"] == "remote"
    assert event.data["door_id"] == "1"


async def test_door_event_entity_gets_the_swipe(
    hass: HomeAssistant, hik_setup: HikSetup, bus: Callable[[str], BusWatcher]
) -> None:
    """The door's access event entity shows the swipe."""
    access = bus(EVENT_ACCESS)
    hik_setup.sim.device.swipe(1, method="face", employee_no="4")
    await access.wait()
    state = hass.states.get(door_entity(hass, hik_setup, "event", 1, "access"))
    assert state is not None
    assert state.attributes["event_type"] == "granted"
    assert state.attributes["user_no"] == "4"
    assert state.attributes["replayed"] is False


async def test_door_events_move_lock_and_sensor_at_once(
    hass: HomeAssistant, hik_setup: HikSetup
) -> None:
    """Unlocked, locked, opened and closed move the entities without a state poll
    (the state interval is an hour)."""
    lock = door_entity(hass, hik_setup, "lock", 1, "lock")
    sensor = door_entity(hass, hik_setup, "binary_sensor", 1, "door")
    device = hik_setup.sim.device
    polls = hik_setup.runtime.coordinator._polls
    device.swipe(1, method="card", employee_no="1")  # granted: 5/21 unlocks
    # An unlocked relay is an open lock, as for every adapter (DoorState.is_open).
    await async_wait_state(hass, lock, "open")
    device.set_contact(1, True)
    await async_wait_state(hass, sensor, "on")
    device.set_contact(1, False)
    await async_wait_state(hass, sensor, "off")
    device.command(1, "close")  # relocks: 5/22
    await async_wait_state(hass, lock, "locked")
    assert hik_setup.runtime.coordinator._polls == polls


async def test_a_granted_swipe_reads_no_door_state(
    hass: HomeAssistant, hik_setup: HikSetup, bus: Callable[[str], BusWatcher]
) -> None:
    """The stream reports the door unlocking: no AcsWorkStatus read per swipe
    (at 20 swipes/s those reads kept the device's one request slot busy)."""
    access = bus(EVENT_ACCESS)
    device = hik_setup.sim.device
    lock = door_entity(hass, hik_setup, "lock", 1, "lock")

    def status_reads() -> int:
        return sum("AcsWorkStatus" in r.path for r in hik_setup.sim.requests)

    before = status_reads()
    serials = [
        device.swipe(1, method="card", employee_no="1").serial_no for _ in range(5)
    ]
    await access.wait(lambda d: d["event_id"] == serials[-1])
    await async_wait_state(hass, lock, "open")
    # One request through the device's one request slot, after any read that
    # the swipes would have queued (the slot serves in order).
    await hik_setup.runtime.coordinator.adapter.client.device_info()  # type: ignore[attr-defined]
    assert status_reads() == before
