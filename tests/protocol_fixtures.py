"""One entry per protocol behind the same Home Assistant side: ``protocol_setup``.

The generic behaviours (delivery, commands, modes, reload) are tested on the
AX server's simulator and on the Hikvision device's simulator alike. What
differs is hidden here: how a swipe is made, how its delivery is brought
about (an AX source is polled; a Hikvision stream pushes), and how the
simulator records a command.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from homeassistant.core import HomeAssistant
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.acs_bridge.runtime import AcsRuntimeData

from .hik_fixtures import HikSetup
from .sim_fixtures import SimSetup, poll


@dataclass
class ProtocolSetup:
    """An entry on one protocol's simulator, and what a test does with it."""

    protocol: str
    setup: SimSetup | HikSetup

    @property
    def entry(self) -> MockConfigEntry:
        return self.setup.entry

    @property
    def runtime(self) -> AcsRuntimeData:
        return self.setup.runtime

    @property
    def door_id(self) -> str:
        """The first door."""
        if isinstance(self.setup, SimSetup):
            return self.setup.sim.site.doors[0].id
        return "1"

    def swipe(self) -> int:
        """A granted card swipe at the first door; return its event id."""
        if isinstance(self.setup, SimSetup):
            return self.setup.sim.swipe(self.door_id).event_id
        device = self.setup.sim.device
        return device.swipe(1, method="card", employee_no="1").serial_no

    async def async_deliver(self, hass: HomeAssistant) -> None:
        """Bring about the delivery of what happened (a poll; a push needs none)."""
        if isinstance(self.setup, SimSetup):
            await poll(hass, self.setup)

    def commands(self) -> list[tuple[str, str]]:
        """The door commands the simulator accepted: (door id, action)."""
        if isinstance(self.setup, SimSetup):
            return [(c.door_id, c.action) for c in self.setup.sim.door_commands]
        return [(str(door), cmd) for door, cmd in self.setup.sim.device.commands]


@pytest.fixture(params=["ax", "hikvision"])
def protocol_setup(request: pytest.FixtureRequest) -> ProtocolSetup:
    """The integration on each protocol's simulator in turn."""
    name = "sim_setup" if request.param == "ax" else "hik_setup"
    setup: Any = request.getfixturevalue(name)
    return ProtocolSetup(protocol=request.param, setup=setup)
