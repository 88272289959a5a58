"""Events read while Home Assistant starts reach the automations, once, in order."""

from __future__ import annotations

from typing import Any

from homeassistant.components import automation
from homeassistant.core import CoreState, HomeAssistant, ServiceCall
from homeassistant.setup import async_setup_component
from pytest_homeassistant_custom_component.common import async_capture_events

from custom_components.acs_bridge.const import DOMAIN, EVENT_ACCESS, EVENT_ALARM
from simulator import Simulator

from .helpers import door_device
from .sim_fixtures import FakeClock, sim_entry_for


def _automation(trigger: dict[str, Any], which: str) -> dict[str, Any]:
    return {
        "trigger": trigger,
        "action": {
            "service": "test.automation",
            "data": {
                "which": which,
                "key": "{{ trigger.event.data.card_no or trigger.event.data.alarm_id }}",
                "replayed": "{{ trigger.event.data.replayed | default(false) }}",
            },
        },
    }


async def test_events_read_during_start_reach_automations(
    hass: HomeAssistant,
    simulator: tuple[Simulator, FakeClock],
    manual_polling: Any,
    service_calls: list[ServiceCall],
) -> None:
    """Swipes and an alarm read before Home Assistant started run the automations."""
    sim, _clock = simulator
    hass.set_state(CoreState.not_running)
    await hass.config.async_set_time_zone("Asia/Shanghai")
    door = sim.site.doors[0]
    entry = sim_entry_for(sim)
    entry.add_to_hass(hass)
    # Registry entries for the device trigger: as after an earlier run.
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    device = door_device(hass, entry.entry_id, door.id)
    assert await async_setup_component(
        hass,
        automation.DOMAIN,
        {
            automation.DOMAIN: [
                _automation({"platform": "event", "event_type": EVENT_ACCESS}, "bus"),
                _automation({"platform": "event", "event_type": EVENT_ALARM}, "alarm"),
                _automation(
                    {
                        "platform": "device",
                        "domain": DOMAIN,
                        "device_id": device.id,
                        "type": "access_granted",
                    },
                    "device",
                ),
            ]
        },
    )
    await hass.async_block_till_done()
    bus = async_capture_events(hass, EVENT_ACCESS)

    swipes = [sim.swipe(door.id) for _ in range(3)]
    await entry.runtime_data.events.async_poll()
    await hass.async_block_till_done(wait_background_tasks=True)
    alarm_id = sim.raise_alarm(door.id)
    await entry.runtime_data.alarms.async_poll()
    await hass.async_block_till_done(wait_background_tasks=True)
    assert service_calls == []
    assert bus == []  # held: nothing listens yet

    await hass.async_start()
    await hass.async_block_till_done(wait_background_tasks=True)

    calls = [(c.data["which"], str(c.data["key"])) for c in service_calls]
    cards = [s.card_no for s in swipes]
    assert sorted(calls) == sorted(
        [("bus", card) for card in cards]
        + [("device", card) for card in cards]
        + [("alarm", str(alarm_id))]
    )
    # In order, once each, and live (not replayed).
    assert [c[1] for c in calls if c[0] == "bus"] == cards
    assert [e.data["event_id"] for e in bus] == [s.event_id for s in swipes]
    assert not any(e.data["replayed"] for e in bus)

    # Once started, an event is delivered at once.
    sim.swipe(door.id)
    await entry.runtime_data.events.async_poll()
    await hass.async_block_till_done(wait_background_tasks=True)
    assert len(bus) == 4
