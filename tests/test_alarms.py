"""Alarms as bus events and persistent notifications, against the simulator."""

from __future__ import annotations

from dataclasses import replace

from homeassistant.components import persistent_notification
from homeassistant.core import HomeAssistant
from pytest_homeassistant_custom_component.common import async_capture_events

from custom_components.acs_bridge.access_ledger import DeliveredAccess
from custom_components.acs_bridge.alarms import notification_id
from custom_components.acs_bridge.const import CONF_ALARM_NOTIFICATIONS, EVENT_ALARM

from .helpers import entity_id
from .sim_fixtures import SimSetup


def notifications(hass: HomeAssistant) -> dict[str, dict]:
    return dict(persistent_notification._async_get_or_create_notifications(hass))


async def refresh(hass: HomeAssistant, setup: SimSetup) -> None:
    """Run one read of the alarm list (its own poll, not the state poll)."""
    await setup.runtime.alarms.async_poll()
    await hass.async_block_till_done()


def alarm_reads(setup: SimSetup) -> int:
    return len([r for r in setup.sim.requests if "alarmevent" in r.path])


async def test_alarm_lifecycle(hass: HomeAssistant, sim_setup: SimSetup) -> None:
    """An alarm is announced once, shown, and dismissed when the server clears it."""
    sim = sim_setup.sim
    events = async_capture_events(hass, EVENT_ALARM)
    door = sim.site.doors[1]
    alarm_id = sim.raise_alarm(door.id)
    await refresh(hass, sim_setup)
    await refresh(hass, sim_setup)

    assert len(events) == 1
    data = events[0].data
    assert data["alarm_id"] == alarm_id
    assert data["door_id"] == door.id
    assert data["name"] == "非法开门"
    assert data["code"] == 25
    assert data["forced"] is True
    assert data["device_id"]
    assert data["level"] == "1"
    assert data["priority"] == 254
    nid = notification_id(sim_setup.entry.entry_id, alarm_id)
    shown = notifications(hass)
    assert nid in shown
    assert "非法开门" in shown[nid]["title"]

    # A restart does not announce it again, but shows it again.
    await hass.config_entries.async_reload(sim_setup.entry.entry_id)
    await hass.async_block_till_done()
    assert len(events) == 1
    assert nid in notifications(hass)

    sim.clear_alarm(alarm_id)
    await refresh(hass, sim_setup)
    assert nid not in notifications(hass)


async def test_notifications_off_keeps_events(
    hass: HomeAssistant, sim_setup: SimSetup
) -> None:
    """With notifications off, the bus event still fires."""
    hass.config_entries.async_update_entry(
        sim_setup.entry, options={CONF_ALARM_NOTIFICATIONS: False}
    )
    await hass.async_block_till_done()
    events = async_capture_events(hass, EVENT_ALARM)
    alarm_id = sim_setup.sim.raise_alarm(sim_setup.sim.site.doors[0].id)
    await refresh(hass, sim_setup)
    assert [e.data["alarm_id"] for e in events] == [alarm_id]
    assert notification_id(sim_setup.entry.entry_id, alarm_id) not in notifications(
        hass
    )


async def test_state_poll_does_not_read_alarms(
    hass: HomeAssistant, sim_setup: SimSetup
) -> None:
    """The alarm list has its own poll: the 10 s state poll does not read it too."""
    before = alarm_reads(sim_setup)
    await sim_setup.runtime.coordinator.async_refresh()
    await hass.async_block_till_done()
    assert alarm_reads(sim_setup) == before


async def test_alarm_poll_announces_between_state_polls(
    hass: HomeAssistant, sim_setup: SimSetup
) -> None:
    """One alarm read announces a new alarm and updates the sensor, no state poll."""
    events = async_capture_events(hass, EVENT_ALARM)
    alarm_id = sim_setup.sim.raise_alarm(sim_setup.sim.site.doors[0].id)
    state_polls = sim_setup.runtime.coordinator.data.last_success
    await refresh(hass, sim_setup)
    assert [e.data["alarm_id"] for e in events] == [alarm_id]
    sensor = entity_id(
        hass, "sensor", "hub_unconfirmed_alarms", sim_setup.entry.entry_id
    )
    assert hass.states.get(sensor).state == "1"
    assert sim_setup.runtime.coordinator.data.last_success == state_polls


async def test_failed_alarm_read_dismisses_nothing(
    hass: HomeAssistant, sim_setup: SimSetup
) -> None:
    """A failed read keeps the notifications; the next good one clears them."""
    sim = sim_setup.sim
    alarm_id = sim.raise_alarm(sim.site.doors[0].id)
    await refresh(hass, sim_setup)
    nid = notification_id(sim_setup.entry.entry_id, alarm_id)
    sim.clear_alarm(alarm_id)
    sim.fault("http500", count=1, path="acs/alarmevent")
    await refresh(hass, sim_setup)
    assert nid in notifications(hass)
    await refresh(hass, sim_setup)
    assert nid not in notifications(hass)


async def test_alarm_access_event_reads_alarms_at_once(
    hass: HomeAssistant, sim_setup: SimSetup
) -> None:
    """A delivered access event that is an alarm reads the alarm list now."""
    sim = sim_setup.sim
    events = async_capture_events(hass, EVENT_ALARM)
    pipeline = sim_setup.runtime.events
    door = sim.site.doors[0]
    sim.swipe(door.id)
    (event,) = await pipeline.adapter.poll_events([door.controller_id])
    alarm_id = sim.raise_alarm(door.id)
    before = alarm_reads(sim_setup)
    pipeline._deliver_all([DeliveredAccess(replace(event, is_alarm=True))])
    await hass.async_block_till_done(wait_background_tasks=True)
    assert alarm_reads(sim_setup) == before + 1
    assert [e.data["alarm_id"] for e in events] == [alarm_id]
