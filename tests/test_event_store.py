"""What an older version stored is read by this one (issue: the opaque cursor).

Version 1 of the event store held the AX source's state as plain fields (an
integer record id, the live deliveries still to be matched, the cached event
ids); version 2 holds the adapter's opaque cursor and the recently delivered
keys. Entries of the first release may lack the adapter key (entry 1.1).
"""

from __future__ import annotations

import time
from typing import Any

from homeassistant.core import HomeAssistant
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_capture_events,
)

from custom_components.acs_bridge.const import CONF_ADAPTER, DOMAIN, EVENT_ACCESS
from custom_components.acs_bridge.identifiers import server_key
from simulator import Simulator

from .sim_fixtures import FakeClock, SimSetup, poll, sim_entry_for


async def test_a_version_1_store_is_migrated(
    hass: HomeAssistant,
    simulator: tuple[Simulator, FakeClock],
    manual_polling: Any,
    hass_storage: dict[str, Any],
) -> None:
    """The old integer cursor and unmatched deliveries still count after the update.

    Three swipes were recorded while the old version ran: the first was past
    the cursor, the second delivered live but not yet matched to its record.
    The new version replays only the third, once.
    """
    sim, clock = simulator
    await hass.config.async_set_time_zone("Asia/Shanghai")
    first, second, third = sim.burst(3)
    clock.advance(5)  # out of the real-time cache: only the records have them
    entry = sim_entry_for(sim)
    key = f"{DOMAIN}.{entry.entry_id}.events"
    hass_storage[key] = {
        "version": 1,
        "minor_version": 1,
        "key": key,
        "data": {
            "cursor": first.record_id,
            "unmatched": [
                [
                    second.door_id,
                    second.card_no,
                    second.time.replace(microsecond=0).isoformat(),
                ]
            ],
            "delivered_at": [round(time.time() - 5, 3)],
            "seen": [],
            "server": server_key(entry.data),
        },
    }
    events = async_capture_events(hass, EVENT_ACCESS)
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    setup = SimSetup(sim=sim, clock=clock, entry=entry)
    assert setup.runtime.events.source.ledger.cursor == first.record_id
    await poll(hass, setup, times=3)

    assert [(e.data["record_id"], e.data["replayed"]) for e in events] == [
        (third.record_id, True)
    ]
    await hass.config_entries.async_unload(entry.entry_id)
    stored = hass_storage[key]
    assert stored["version"] == 2
    assert isinstance(stored["data"]["cursor"], str)
    assert '"cursor":' in stored["data"]["cursor"]


async def test_an_entry_without_adapter_key_is_migrated(
    hass: HomeAssistant, simulator: tuple[Simulator, FakeClock], manual_polling: Any
) -> None:
    """Entries of the first release name no adapter: they get the only one there was."""
    sim, _ = simulator
    template = sim_entry_for(sim)
    data = {k: v for k, v in template.data.items() if k != CONF_ADAPTER}
    entry = MockConfigEntry(
        domain=DOMAIN,
        title=template.title,
        unique_id=template.unique_id,
        data=data,
        version=1,
        minor_version=1,
    )
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    assert entry.data[CONF_ADAPTER] == "ax_bs_http_v1"
    assert (entry.version, entry.minor_version) == (1, 2)
    assert entry.runtime_data.coordinator.data.doors


async def test_an_entry_of_a_newer_version_is_refused(
    hass: HomeAssistant, simulator: tuple[Simulator, FakeClock], manual_polling: Any
) -> None:
    """A downgrade does not guess: the entry stays unloaded."""
    sim, _ = simulator
    template = sim_entry_for(sim)
    entry = MockConfigEntry(
        domain=DOMAIN, title=template.title, data=dict(template.data), version=2
    )
    entry.add_to_hass(hass)
    assert not await hass.config_entries.async_setup(entry.entry_id)
