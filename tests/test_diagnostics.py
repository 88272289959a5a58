"""Tests of the diagnostics."""

from __future__ import annotations

from homeassistant.core import HomeAssistant
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.components.diagnostics import (
    get_diagnostics_for_config_entry,
)
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator
from syrupy.assertion import SnapshotAssertion
from syrupy.filters import props

from .sim_fixtures import SimSetup, poll_alarms


async def test_diagnostics(
    hass: HomeAssistant,
    hass_client: ClientSessionGenerator,
    init_integration: MockConfigEntry,
    snapshot: SnapshotAssertion,
) -> None:
    """Diagnostics show the site with credentials and people redacted."""
    result = await get_diagnostics_for_config_entry(hass, hass_client, init_integration)
    assert result == snapshot(exclude=props("last_success"))
    text = repr(result)
    assert "p@ss" not in text
    assert "admin" not in text


async def test_diagnostics_redact_controllers_named_by_address(
    hass: HomeAssistant, hass_client: ClientSessionGenerator, sim_setup: SimSetup
) -> None:
    """A controller named by its IP address is redacted like its address."""
    sim, entry = sim_setup.sim, sim_setup.entry
    addresses = {c.address for c in sim.site.controllers}
    assert addresses & {c.name for c in sim.site.controllers}  # the case at hand
    sim.raise_alarm(
        next(
            d for d in sim.site.doors if d.controller_id == sim.site.controllers[-1].id
        ).id
    )
    await poll_alarms(hass, sim_setup)  # the alarm list's own poll
    result = await get_diagnostics_for_config_entry(hass, hass_client, entry)
    text = repr(result)
    assert result["site"]["alarms"]
    assert not [address for address in addresses if address in text]
    assert result["site"]["controllers"][0]["name"] == sim.site.controllers[0].name
