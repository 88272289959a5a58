"""Device triggers of a door, firing an automation on a denied swipe."""

from __future__ import annotations

from homeassistant.components import automation
from homeassistant.components.device_automation import DeviceAutomationType
from homeassistant.core import HomeAssistant, ServiceCall
from homeassistant.helpers import device_registry as dr
from homeassistant.setup import async_setup_component
import pytest
from pytest_homeassistant_custom_component.common import async_get_device_automations

from custom_components.acs_bridge.const import DOMAIN

from . import helpers
from .sim_fixtures import SimSetup, poll


def door_device(hass: HomeAssistant, setup: SimSetup, door_id: str) -> dr.DeviceEntry:
    return helpers.door_device(hass, setup.entry.entry_id, door_id)


async def test_get_triggers(
    hass: HomeAssistant, sim_setup: SimSetup, device_registry: dr.DeviceRegistry
) -> None:
    """A door offers four triggers; a controller none."""
    door = door_device(hass, sim_setup, sim_setup.sim.site.doors[0].id)
    triggers = await async_get_device_automations(
        hass, DeviceAutomationType.TRIGGER, door.id
    )
    ours = sorted(t["type"] for t in triggers if t["domain"] == DOMAIN)
    assert ours == ["access_denied", "access_granted", "alarm", "door_forced"]
    controller = next(
        device
        for device in dr.async_entries_for_config_entry(
            device_registry, sim_setup.entry.entry_id
        )
        if any("_controller_" in ident for _, ident in device.identifiers)
    )
    assert controller is not None
    triggers = await async_get_device_automations(
        hass, DeviceAutomationType.TRIGGER, controller.id
    )
    assert not [t for t in triggers if t["domain"] == DOMAIN]


@pytest.mark.parametrize(
    ("trigger", "expected"),
    [("access_denied", ["denied"]), ("access_granted", ["granted"])],
)
async def test_trigger_runs_automation(
    hass: HomeAssistant,
    sim_setup: SimSetup,
    device_registry: dr.DeviceRegistry,
    service_calls: list[ServiceCall],
    trigger: str,
    expected: list[str],
) -> None:
    """An automation built from a door's trigger runs on that door's swipes only."""
    sim = sim_setup.sim
    door, other = sim.site.doors[0], sim.site.doors[2]
    device = door_device(hass, sim_setup, door.id)
    assert await async_setup_component(
        hass,
        automation.DOMAIN,
        {
            automation.DOMAIN: {
                "trigger": {
                    "platform": "device",
                    "domain": DOMAIN,
                    "device_id": device.id,
                    "type": trigger,
                },
                "action": {
                    "service": "test.automation",
                    "data": {
                        "which": "{{ 'granted' if trigger.event.data.granted else 'denied' }}"
                    },
                },
            }
        },
    )
    sim.swipe(door.id, "99999999")  # denied: unknown card
    sim.swipe(door.id)  # granted
    sim.swipe(other.id, "99999999")  # another door
    await poll(hass, sim_setup)
    assert [call.data["which"] for call in service_calls] == expected


async def test_door_forced_trigger(
    hass: HomeAssistant,
    sim_setup: SimSetup,
    device_registry: dr.DeviceRegistry,
    service_calls: list[ServiceCall],
) -> None:
    """Door forced fires from that door's forced alarm, not from its other alarms."""
    sim = sim_setup.sim
    door = sim.site.doors[0]
    device = door_device(hass, sim_setup, door.id)
    assert await async_setup_component(
        hass,
        automation.DOMAIN,
        {
            automation.DOMAIN: {
                "trigger": {
                    "platform": "device",
                    "domain": DOMAIN,
                    "device_id": device.id,
                    "type": "door_forced",
                },
                "action": {"service": "test.automation"},
            }
        },
    )
    sim.raise_alarm(door.id, name="门长时间未关", event_type=28)
    await sim_setup.runtime.alarms.async_poll()
    await hass.async_block_till_done()
    assert len(service_calls) == 0
    sim.raise_alarm(door.id)
    await sim_setup.runtime.alarms.async_poll()
    await hass.async_block_till_done()
    assert len(service_calls) == 1


def _automations(device_id: str, trigger: str) -> dict:
    return {
        automation.DOMAIN: [
            {
                "trigger": {
                    "platform": "device",
                    "domain": DOMAIN,
                    "device_id": device_id,
                    "type": trigger,
                    **extra,
                },
                "action": {
                    "service": "test.automation",
                    "data": {"which": which},
                },
            }
            for which, extra in (
                ("default", {}),
                ("with_replayed", {"include_replayed": True}),
            )
        ]
    }


async def test_trigger_capabilities(hass: HomeAssistant, sim_setup: SimSetup) -> None:
    """Every trigger offers include_replayed, off by default."""
    from custom_components.acs_bridge import device_trigger

    device = door_device(hass, sim_setup, sim_setup.sim.site.doors[0].id)
    for trigger in device_trigger.TRIGGERS:
        caps = await device_trigger.async_get_trigger_capabilities(
            hass, {"device_id": device.id, "domain": DOMAIN, "type": trigger}
        )
        assert caps["extra_fields"]({}) == {"include_replayed": False}


async def test_replayed_swipe_only_with_include_replayed(
    hass: HomeAssistant,
    sim_setup: SimSetup,
    service_calls: list[ServiceCall],
) -> None:
    """A swipe recovered after an outage runs only the trigger that includes replays."""
    sim = sim_setup.sim
    door = sim.site.doors[0]
    device = door_device(hass, sim_setup, door.id)
    assert await async_setup_component(
        hass, automation.DOMAIN, _automations(device.id, "access_granted")
    )
    sim.fault("http500", count=1, path="acs/device/eventcache")
    sim.swipe(door.id)
    await poll(hass, sim_setup)  # fails: the swipe is missed
    sim_setup.clock.advance(3)
    await poll(hass, sim_setup, times=2)
    assert [call.data["which"] for call in service_calls] == ["with_replayed"]
    sim.swipe(door.id)
    await poll(hass, sim_setup)
    assert sorted(call.data["which"] for call in service_calls[1:]) == [
        "default",
        "with_replayed",
    ]


async def test_alarm_after_failed_reads_is_replayed(
    hass: HomeAssistant,
    sim_setup: SimSetup,
    service_calls: list[ServiceCall],
) -> None:
    """A forced door found by the first read after failed ones is a late one."""
    sim = sim_setup.sim
    door = sim.site.doors[0]
    device = door_device(hass, sim_setup, door.id)
    assert await async_setup_component(
        hass, automation.DOMAIN, _automations(device.id, "door_forced")
    )
    alarms = sim_setup.runtime.alarms
    sim.fault("http500", count=1, path="acs/alarmevent")
    await alarms.async_poll()
    sim.raise_alarm(door.id)
    await alarms.async_poll()
    await hass.async_block_till_done()
    assert [call.data["which"] for call in service_calls] == ["with_replayed"]
    sim.raise_alarm(door.id)
    await alarms.async_poll()
    await hass.async_block_till_done()
    assert sorted(call.data["which"] for call in service_calls[1:]) == [
        "default",
        "with_replayed",
    ]
