"""Alarms as bus events and persistent notifications, against the simulator."""

from __future__ import annotations

from dataclasses import replace

from homeassistant.components import persistent_notification
from homeassistant.core import HomeAssistant
from homeassistant.helpers import issue_registry as ir
from pytest_homeassistant_custom_component.common import async_capture_events

from custom_components.acs_bridge.adapters import EventBatch, SourceEvent
from custom_components.acs_bridge.alarms import notification_id
from custom_components.acs_bridge.const import (
    CONF_ALARM_NOTIFICATIONS,
    DOMAIN,
    EVENT_ALARM,
)

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


def gap_issue(hass: HomeAssistant, setup: SimSetup) -> ir.IssueEntry | None:
    return ir.async_get(hass).async_get_issue(
        DOMAIN, f"events_gap_{setup.entry.entry_id}"
    )


async def raise_notices(hass: HomeAssistant, setup: SimSetup) -> str:
    """Raise an alarm notification and the repair issue of an events gap."""
    alarm_id = setup.sim.raise_alarm(setup.sim.site.doors[0].id)
    await refresh(hass, setup)
    nid = notification_id(setup.entry.entry_id, alarm_id)
    assert nid in notifications(hass)
    # The issue the event pipeline raises for events too old to replay
    # (tests/test_events.py shows the pipeline raising it).
    ir.async_create_issue(
        hass,
        DOMAIN,
        f"events_gap_{setup.entry.entry_id}",
        is_fixable=False,
        severity=ir.IssueSeverity.WARNING,
        translation_key="events_gap",
        translation_placeholders={"count": "4", "since": "?", "minutes": "10"},
    )
    return nid


async def test_notices_go_when_the_entry_is_unloaded(
    hass: HomeAssistant, sim_setup: SimSetup
) -> None:
    """Unloading removes the entry's alarm notifications and repair issue."""
    nid = await raise_notices(hass, sim_setup)
    assert await hass.config_entries.async_unload(sim_setup.entry.entry_id)
    await hass.async_block_till_done()
    assert nid not in notifications(hass)
    assert gap_issue(hass, sim_setup) is None


async def test_notices_go_when_the_entry_is_deleted(
    hass: HomeAssistant, sim_setup: SimSetup
) -> None:
    """Deleting the entry removes them too, even those shown while it was unloaded."""
    nid = await raise_notices(hass, sim_setup)
    assert await hass.config_entries.async_unload(sim_setup.entry.entry_id)
    await hass.async_block_till_done()
    # As if shown again while unloaded (a restart that failed to set up).
    persistent_notification.async_create(hass, "again", notification_id=nid)
    ir.async_create_issue(
        hass,
        DOMAIN,
        f"events_gap_{sim_setup.entry.entry_id}",
        is_fixable=False,
        severity=ir.IssueSeverity.WARNING,
        translation_key="events_gap",
    )
    await hass.config_entries.async_remove(sim_setup.entry.entry_id)
    await hass.async_block_till_done()
    assert nid not in notifications(hass)
    assert gap_issue(hass, sim_setup) is None


async def test_reconfigure_to_another_server_re_anchors(
    hass: HomeAssistant, sim_setup: SimSetup
) -> None:
    """Another host or port: its history is not replayed, its open alarms are announced.

    The new server's alarm ids and record ids say nothing about the old one's:
    its alarm 1 is another alarm than the old server's alarm 1.
    """
    from homeassistant.const import CONF_PASSWORD, CONF_PORT

    from custom_components.acs_bridge.const import EVENT_ACCESS
    from simulator import Simulator

    from .sim_fixtures import SIM_PASSWORD, FakeClock

    old = sim_setup.sim
    alarms = async_capture_events(hass, EVENT_ALARM)
    swipes = async_capture_events(hass, EVENT_ACCESS)
    old.raise_alarm(old.site.doors[0].id)
    old.burst(3)
    await refresh(hass, sim_setup)
    await sim_setup.runtime.events.async_poll()
    await hass.async_block_till_done(wait_background_tasks=True)
    assert (len(alarms), len(swipes)) == (1, 3)

    new = Simulator(old.spec)
    new.clock = clock = FakeClock()
    await new.start(host="127.0.0.1", port=0)
    try:
        history = new.burst(20)
        clock.advance(10)  # long gone from its cache
        new_alarm = new.raise_alarm(new.site.doors[1].id)
        assert new_alarm == 1  # the same id as the old server's alarm
        result = await sim_setup.entry.start_reconfigure_flow(hass)
        result = await hass.config_entries.flow.async_configure(
            result["flow_id"],
            {
                **{k: v for k, v in sim_setup.entry.data.items() if k != "adapter"},
                CONF_PORT: new.port,
                CONF_PASSWORD: SIM_PASSWORD,
            },
        )
        assert result["reason"] == "reconfigure_successful"
        await hass.async_block_till_done()
        for _ in range(3):
            await sim_setup.runtime.events.async_poll()
            await hass.async_block_till_done(wait_background_tasks=True)
        assert sim_setup.runtime.events.source.ledger.cursor == history[-1].record_id
        assert len(swipes) == 3  # none of the new server's history
        assert len(alarms) == 2
        assert alarms[1].data["door_id"] == new.site.doors[1].id
        shown = notifications(hass)
        assert notification_id(sim_setup.entry.entry_id, 1) in shown
        assert new.site.doors[1].name in str(shown)
        # Its swipes from now on arrive.
        fresh = new.burst(2)
        await sim_setup.runtime.events.async_poll()
        await hass.async_block_till_done(wait_background_tasks=True)
        assert len(swipes) == 5
        assert swipes[-1].data["card_no"] == fresh[-1].card_no
    finally:
        await new.stop()


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
    pipeline.deliver(EventBatch(events=(SourceEvent(replace(event, is_alarm=True)),)))
    await hass.async_block_till_done(wait_background_tasks=True)
    assert alarm_reads(sim_setup) == before + 1
    assert [e.data["alarm_id"] for e in events] == [alarm_id]
