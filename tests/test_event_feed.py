"""The event feed binary sensor: on while the real-time cache is not being read."""

from __future__ import annotations

from datetime import timedelta
import logging

from homeassistant.const import STATE_OFF, STATE_ON
from homeassistant.core import HomeAssistant
from homeassistant.util import dt as dt_util
import pytest
from pytest_homeassistant_custom_component.common import async_fire_time_changed

from .helpers import entity_id
from .sim_fixtures import SimSetup, poll


def feed_state(hass: HomeAssistant, setup: SimSetup) -> str:
    state = hass.states.get(
        entity_id(hass, "binary_sensor", "hub_event_feed", setup.entry.entry_id)
    )
    assert state is not None
    return state.state


async def test_feed_goes_down_by_itself_and_comes_back(
    hass: HomeAssistant, sim_setup: SimSetup, caplog: pytest.LogCaptureFixture
) -> None:
    """The sensor turns on once the cache window passes with no good read."""
    caplog.set_level(logging.INFO, logger="custom_components.acs_bridge")
    sim = sim_setup.sim
    await poll(hass, sim_setup)
    assert feed_state(hass, sim_setup) == STATE_OFF

    sim.fault("timeout", path="acs/device/eventcache")  # the read hangs
    async_fire_time_changed(hass, dt_util.utcnow() + timedelta(seconds=1))
    await hass.async_block_till_done()
    assert feed_state(hass, sim_setup) == STATE_OFF  # within the 2 s window
    async_fire_time_changed(hass, dt_util.utcnow() + timedelta(seconds=3))
    await hass.async_block_till_done()
    assert feed_state(hass, sim_setup) == STATE_ON  # no poll needed
    async_fire_time_changed(hass, dt_util.utcnow() + timedelta(seconds=6))
    await hass.async_block_till_done()
    down = [r for r in caplog.records if "Event feed" in r.getMessage()]
    assert [r.levelno for r in down] == [logging.WARNING]

    sim.clear_faults()
    await poll(hass, sim_setup)
    assert feed_state(hass, sim_setup) == STATE_OFF
    lines = [r for r in caplog.records if "Event feed" in r.getMessage()]
    assert [r.levelno for r in lines] == [logging.WARNING, logging.INFO]


async def test_feed_sensor_stays_available_when_the_server_is_down(
    hass: HomeAssistant, sim_setup: SimSetup
) -> None:
    """It is the sensor that says the server is not answering."""
    sim_setup.sim.fault("http500")
    await sim_setup.runtime.coordinator.async_refresh()
    await poll(hass, sim_setup)
    async_fire_time_changed(hass, dt_util.utcnow() + timedelta(seconds=3))
    await hass.async_block_till_done()
    assert feed_state(hass, sim_setup) == STATE_ON
