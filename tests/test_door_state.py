"""The state of a door: unavailable when it cannot be read, never an old one."""

from __future__ import annotations

from homeassistant.const import STATE_UNAVAILABLE
from homeassistant.core import HomeAssistant

from .helpers import entity_id
from .sim_fixtures import SimSetup


async def test_door_that_cannot_be_read_goes_unavailable(
    hass: HomeAssistant, sim_setup: SimSetup
) -> None:
    """After 3 failed reads in a row a door is unavailable, not an old "locked"."""
    sim, entry = sim_setup.sim, sim_setup.entry
    coordinator = sim_setup.runtime.coordinator
    door, other = sim.site.doors[0], sim.site.doors[1]
    lock = entity_id(hass, "lock", f"door_{door.id}_lock", entry.entry_id)
    other_lock = entity_id(hass, "lock", f"door_{other.id}_lock", entry.entry_id)
    assert hass.states.get(lock).state == "locked"

    sim.fault("status", path=f"acs/device/door/state/{door.id}", status=500)
    states = []
    for _ in range(3):
        await coordinator.async_refresh()
        await hass.async_block_till_done()
        states.append(hass.states.get(lock).state)
    assert states == ["locked", "locked", STATE_UNAVAILABLE]
    assert hass.states.get(other_lock).state == "locked"

    # A targeted read (after a swipe) that fails keeps it unavailable.
    await coordinator.async_refresh_doors([door.id])
    await hass.async_block_till_done()
    assert hass.states.get(lock).state == STATE_UNAVAILABLE

    sim.clear_faults()
    sim.set_door_open(door.id, True)
    await coordinator.async_refresh()
    await hass.async_block_till_done()
    assert hass.states.get(lock).state == "open"


async def test_failed_reads_must_be_in_a_row(
    hass: HomeAssistant, sim_setup: SimSetup
) -> None:
    """A good read in between starts the count again."""
    sim, entry = sim_setup.sim, sim_setup.entry
    coordinator = sim_setup.runtime.coordinator
    door = sim.site.doors[0]
    lock = entity_id(hass, "lock", f"door_{door.id}_lock", entry.entry_id)
    path = f"acs/device/door/state/{door.id}"
    for _ in range(2):
        sim.fault("http500", path=path, count=2)
        for _ in range(3):  # two failures, then a good read
            await coordinator.async_refresh()
            await hass.async_block_till_done()
            assert hass.states.get(lock).state == "locked"


async def test_every_door_read_failing_keeps_the_rest(
    hass: HomeAssistant, sim_setup: SimSetup
) -> None:
    """When no door can be read, the doors go unavailable; the rest keeps polling."""
    sim, entry = sim_setup.sim, sim_setup.entry
    coordinator = sim_setup.runtime.coordinator
    door = sim.site.doors[0]
    lock = entity_id(hass, "lock", f"door_{door.id}_lock", entry.entry_id)
    sim.fault("status", path="acs/device/door/state", status=500)
    for _ in range(3):
        await coordinator.async_refresh()
        await hass.async_block_till_done()
    assert coordinator.last_update_success
    assert hass.states.get(lock).state == STATE_UNAVAILABLE
    connectivity = entity_id(
        hass,
        "binary_sensor",
        f"controller_{door.controller_id}_connectivity",
        entry.entry_id,
    )
    assert hass.states.get(connectivity).state == "on"


async def test_older_full_poll_does_not_overwrite_a_newer_read(
    hass: HomeAssistant, sim_setup: SimSetup
) -> None:
    """A door read after a swipe wins over a full poll that started before it."""
    sim, entry = sim_setup.sim, sim_setup.entry
    coordinator = sim_setup.runtime.coordinator
    door = sim.site.doors[0]
    lock = entity_id(hass, "lock", f"door_{door.id}_lock", entry.entry_id)
    assert hass.states.get(lock).state == "locked"

    # The full poll reads the door while it is closed; its answer comes late.
    held = sim.fault("hold", path=f"acs/device/door/state/{door.id}", count=1)
    poll = hass.async_create_task(coordinator.async_refresh())
    await held.arrived.wait()
    sim.set_door_open(door.id, True)
    await coordinator.async_refresh_doors([door.id])  # after a swipe
    # (no async_block_till_done here: it would wait for the held poll)
    assert hass.states.get(lock).state == "open"

    held.release()
    await poll
    await hass.async_block_till_done()
    assert hass.states.get(lock).state == "open"


async def test_older_targeted_read_does_not_overwrite_a_newer_poll(
    hass: HomeAssistant, sim_setup: SimSetup
) -> None:
    """The other way round: the newer full poll wins over an older swipe read."""
    sim, entry = sim_setup.sim, sim_setup.entry
    coordinator = sim_setup.runtime.coordinator
    door = sim.site.doors[0]
    lock = entity_id(hass, "lock", f"door_{door.id}_lock", entry.entry_id)

    held = sim.fault("hold", path=f"acs/device/door/state/{door.id}", count=1)
    targeted = hass.async_create_task(coordinator.async_refresh_doors([door.id]))
    await held.arrived.wait()
    sim.set_door_open(door.id, True)
    await coordinator.async_refresh()
    assert hass.states.get(lock).state == "open"

    held.release()
    await targeted
    await hass.async_block_till_done()
    assert hass.states.get(lock).state == "open"


async def test_a_door_opened_by_command_relocks_within_one_read(
    hass: HomeAssistant, sim_setup: SimSetup
) -> None:
    """The controller relocks after the door's open time; one state read shows it."""
    sim, entry = sim_setup.sim, sim_setup.entry
    coordinator = sim_setup.runtime.coordinator
    door = next(d for d in sim.site.doors if d.name == "东门")
    lock = entity_id(hass, "lock", f"door_{door.id}_lock", entry.entry_id)
    contact = entity_id(hass, "binary_sensor", f"door_{door.id}_door", entry.entry_id)
    await hass.services.async_call("lock", "open", {"entity_id": lock}, blocking=True)
    await hass.async_block_till_done()
    assert (hass.states.get(lock).state, hass.states.get(contact).state) == (
        "open",
        "on",
    )

    sim_setup.clock.advance(door.open_time)
    await coordinator.async_refresh()
    await hass.async_block_till_done()
    assert (hass.states.get(lock).state, hass.states.get(contact).state) == (
        "locked",
        "off",
    )
