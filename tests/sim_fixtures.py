"""A Home Assistant entry on the bundled simulator, over real HTTP on loopback."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any
from unittest.mock import patch

from homeassistant.const import (
    CONF_HOST,
    CONF_PASSWORD,
    CONF_PORT,
    CONF_SSL,
    CONF_USERNAME,
    CONF_VERIFY_SSL,
)
from homeassistant.core import HomeAssistant
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.acs_bridge.commands import hash_unlock_code
from custom_components.acs_bridge.const import (
    CONF_ADAPTER,
    CONF_UNLOCK_CODE_HASH,
    DOMAIN,
)
from custom_components.acs_bridge.runtime import AcsRuntimeData
from simulator import Simulator, SiteSpec

SIM_USERNAME = "admin"
SIM_PASSWORD = "p@ss /?#%+ 密码&=;"
UNLOCK_CODE = "2468"


class FakeClock:
    """A monotonic clock the simulator's 2 s cache reads; tests move it."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@dataclass
class SimSetup:
    """The simulator, its clock, and the entry talking to it."""

    sim: Simulator
    clock: FakeClock
    entry: MockConfigEntry

    @property
    def runtime(self) -> AcsRuntimeData:
        data: AcsRuntimeData = self.entry.runtime_data
        return data


async def poll(hass: HomeAssistant, setup: SimSetup, times: int = 1) -> None:
    """Run rounds of the access pipeline, each with the record read it starts.

    The records are read by a background task beside the real-time poll (with
    the recovery poll that may follow it): a round is over when that is done.
    """
    for _ in range(times):
        await setup.runtime.events.async_poll()
        await hass.async_block_till_done(wait_background_tasks=True)


async def poll_alarms(hass: HomeAssistant, setup: SimSetup) -> None:
    """Read the alarm list once, as the alarm notifier's own 1 s poll does.

    The coordinator's state poll no longer reads the alarms.
    """
    await setup.runtime.alarms.async_poll()
    await hass.async_block_till_done()


def sim_entry_for(sim: Simulator) -> MockConfigEntry:
    """Return a config entry pointing at the simulator."""
    return MockConfigEntry(
        domain=DOMAIN,
        title=f"127.0.0.1:{sim.port}",
        unique_id=f"127.0.0.1:{sim.port}",
        data={
            CONF_HOST: "127.0.0.1",
            CONF_PORT: sim.port,
            CONF_USERNAME: SIM_USERNAME,
            CONF_PASSWORD: SIM_PASSWORD,
            CONF_SSL: False,
            CONF_VERIFY_SSL: True,
            CONF_ADAPTER: "ax_bs_http_v1",
        },
        entry_id="01JACSBRIDGESIMULATOR00001",
    )


@pytest.fixture
async def simulator(socket_enabled: None) -> AsyncIterator[tuple[Simulator, FakeClock]]:
    """A running simulator on loopback with a clock the test moves."""
    sim = Simulator(
        SiteSpec(
            seed=1,
            controllers=4,
            doors_per_controller=2,
            people=40,
            username=SIM_USERNAME,
            password=SIM_PASSWORD,
            time_zone="Asia/Shanghai",
        )
    )
    clock = FakeClock()
    sim.clock = clock
    await sim.start(host="127.0.0.1", port=0)
    try:
        yield sim, clock
    finally:
        await sim.stop()


@pytest.fixture
def manual_polling() -> Any:
    """Stop the event and alarm pollers' timers: the test runs each poll itself."""
    with patch("custom_components.acs_bridge.poller.async_call_later") as timer:
        yield timer


@pytest.fixture
async def sim_setup(
    hass: HomeAssistant,
    simulator: tuple[Simulator, FakeClock],
    manual_polling: Any,
) -> SimSetup:
    """Set the integration up against the simulator."""
    sim, clock = simulator
    await hass.config.async_set_time_zone("Asia/Shanghai")
    entry = sim_entry_for(sim)
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    return SimSetup(sim=sim, clock=clock, entry=entry)


@pytest.fixture
async def coded_sim_setup(
    hass: HomeAssistant,
    simulator: tuple[Simulator, FakeClock],
    manual_polling: Any,
) -> SimSetup:
    """Set the integration up against the simulator, with an unlock code set."""
    sim, clock = simulator
    await hass.config.async_set_time_zone("Asia/Shanghai")
    entry = sim_entry_for(sim)
    entry.add_to_hass(hass)
    # Before set-up: no update listener reloads the entry yet.
    hass.config_entries.async_update_entry(
        entry, options={CONF_UNLOCK_CODE_HASH: hash_unlock_code(UNLOCK_CODE)}
    )
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    return SimSetup(sim=sim, clock=clock, entry=entry)
