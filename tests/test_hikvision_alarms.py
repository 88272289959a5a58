"""Alarms of a Hikvision device from its pushed events: bus events, notifications."""

from __future__ import annotations

from collections.abc import Callable

from homeassistant.components import persistent_notification
from homeassistant.core import HomeAssistant
import pytest

from custom_components.acs_bridge.alarms import notification_id
from custom_components.acs_bridge.const import EVENT_ACCESS, EVENT_ALARM

from .hik_fixtures import BusWatcher, HikSetup, async_wait_state, door_entity


def notifications(hass: HomeAssistant) -> set[str]:
    return set(persistent_notification._async_get_or_create_notifications(hass))


def nid(setup: HikSetup, alarm_id: int) -> str:
    return notification_id(setup.entry.entry_id, alarm_id)


async def settle(setup: HikSetup, access: BusWatcher) -> None:
    """A live swipe on door 2, awaited: everything before it was handed over."""
    fresh = BusWatcher(access.hass, EVENT_ACCESS)
    try:
        serial = setup.sim.device.swipe(2, method="card", employee_no="1").serial_no
        await fresh.wait(lambda d: d["event_id"] == serial)
    finally:
        fresh.close()


@pytest.mark.parametrize(
    ("raise_alarm", "end_alarm", "code"),
    [
        (
            lambda d: d.tamper(),
            lambda d: d.tamper(active=False),
            "1/1028",
        ),
        (
            lambda d: d.tamper(reader=True),
            lambda d: d.tamper(reader=True, active=False),
            "1/1030",
        ),
        (
            lambda d: d.set_contact(1, True, forced=True),
            lambda d: d.set_contact(1, False),
            "5/27",
        ),
        (
            lambda d: d.held_open(1),
            lambda d: d.set_contact(1, False),
            "5/28",
        ),
    ],
    ids=["device_tamper", "reader_tamper", "forced_open", "held_open"],
)
async def test_alarm_raised_and_cleared(
    hass: HomeAssistant,
    hik_setup: HikSetup,
    bus: Callable[[str], BusWatcher],
    raise_alarm: Callable,
    end_alarm: Callable,
    code: str,
) -> None:
    """The alarm reaches the bus and a notification; its end (the door closing,
    the tamper's end) takes the notification away."""
    alarms = bus(EVENT_ALARM)
    access = bus(EVENT_ACCESS)
    device = hik_setup.sim.device
    raise_alarm(device)
    (event,) = await alarms.wait()
    assert event.data["code"] == code
    assert event.data["replayed"] is False
    alarm_id = event.data["alarm_id"]
    assert nid(hik_setup, alarm_id) in notifications(hass)
    await settle(hik_setup, access)
    assert nid(hik_setup, alarm_id) in notifications(hass)  # not over yet
    end_alarm(device)
    await settle(hik_setup, access)
    assert nid(hik_setup, alarm_id) not in notifications(hass)
    assert len(alarms.events) == 1


async def test_duress(
    hass: HomeAssistant, hik_setup: HikSetup, bus: Callable[[str], BusWatcher]
) -> None:
    """A duress code or finger is an alarm on its door."""
    alarms = bus(EVENT_ALARM)
    hik_setup.sim.device.duress(1, employee_no="2")
    (event,) = await alarms.wait()
    assert event.data["code"] == "1/1034"
    assert event.data["door_id"] == "1"
    assert event.data["door_name"] == "Front Door"
    assert nid(hik_setup, event.data["alarm_id"]) in notifications(hass)


async def test_forced_open_moves_the_door_sensor(
    hass: HomeAssistant, hik_setup: HikSetup, bus: Callable[[str], BusWatcher]
) -> None:
    """A forced door shows open at once, and closed again when it shuts."""
    sensor = door_entity(hass, hik_setup, "binary_sensor", 1, "door")
    hik_setup.sim.device.set_contact(1, True, forced=True)
    await async_wait_state(hass, sensor, "on")
    hik_setup.sim.device.set_contact(1, False)
    await async_wait_state(hass, sensor, "off")
