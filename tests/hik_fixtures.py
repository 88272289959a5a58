"""A Home Assistant entry on the Hikvision simulator, over real HTTP on loopback.

Events come by push over a real alert stream: tests await them on the bus or
in the state machine (``BusWatcher``, ``async_wait_state``), never sleep.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass
from typing import Any
from unittest.mock import patch

from homeassistant.config_entries import ConfigEntryState
from homeassistant.const import (
    CONF_HOST,
    CONF_PASSWORD,
    CONF_PORT,
    CONF_SSL,
    CONF_USERNAME,
    CONF_VERIFY_SSL,
    EVENT_STATE_CHANGED,
)
from homeassistant.core import Event, HomeAssistant, callback
from homeassistant.helpers import entity_registry as er
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.acs_bridge.const import (
    CONF_ADAPTER,
    CONF_STATE_INTERVAL,
    DOMAIN,
)
from custom_components.acs_bridge.identifiers import door_key, entity_unique_id
from custom_components.acs_bridge.runtime import AcsRuntimeData
from simulator.hikvision import HikConfig, HikSimulator

HIK_USERNAME = "admin"
HIK_PASSWORD = 'Hik12345! 密码/?#%&:"'
HIK_ENTRY_ID = "01JACSBRIDGEHIKVISION00001"
HIK_ADAPTER = "hikvision_isapi"
#: The doors' names on the device (Door/param).
HIK_DOOR_NAMES = ("Front Door", "后门")
#: How long a test waits for something pushed before it fails.
WAIT = 10.0
SOURCE = "custom_components.acs_bridge.adapters.hikvision_isapi.source"


@dataclass
class HikSetup:
    """The simulator and the entry talking to it."""

    sim: HikSimulator
    entry: MockConfigEntry

    @property
    def runtime(self) -> AcsRuntimeData:
        data: AcsRuntimeData = self.entry.runtime_data
        return data

    @property
    def serial(self) -> str:
        return self.sim.config.serial_number


def hik_entry_for(
    sim: HikSimulator,
    *,
    entry_id: str = HIK_ENTRY_ID,
    options: dict[str, Any] | None = None,
    password: str = HIK_PASSWORD,
) -> MockConfigEntry:
    """Return a config entry pointing at the simulator (a long state interval:
    what moves a door in these tests is the stream)."""
    return MockConfigEntry(
        domain=DOMAIN,
        title=f"127.0.0.1:{sim.port}",
        unique_id=sim.config.serial_number,
        version=1,
        minor_version=2,
        data={
            CONF_HOST: "127.0.0.1",
            CONF_PORT: sim.port,
            CONF_USERNAME: HIK_USERNAME,
            CONF_PASSWORD: password,
            CONF_SSL: False,
            CONF_VERIFY_SSL: True,
            CONF_ADAPTER: HIK_ADAPTER,
        },
        options={CONF_STATE_INTERVAL: 3600, **(options or {})},
        entry_id=entry_id,
    )


@pytest.fixture
def hik_config() -> HikConfig:
    """The device's settings (a test may override this fixture)."""
    return HikConfig(
        doors=2,
        username=HIK_USERNAME,
        password=HIK_PASSWORD,
        heartbeat_period=0.2,
        history_mode="last",
        history_count=5,
        max_results=10,
        open_duration=3600,
    )


@pytest.fixture
async def hik_sim(
    hass: HomeAssistant, socket_enabled: None, hik_config: HikConfig
) -> AsyncIterator[HikSimulator]:
    """A running Hikvision simulator on loopback, its doors named.

    Our entries are unloaded before it stops.
    """
    sim = HikSimulator(hik_config)
    for door, name in zip(sim.device.doors, HIK_DOOR_NAMES, strict=False):
        door.name = name
    await sim.start(host="127.0.0.1", port=0)
    try:
        yield sim
    finally:
        await async_unload_all(hass)
        await sim.stop()


@pytest.fixture
def fast_stream() -> Iterator[None]:
    """Short stall timeout and retry delays, so reconnects take no time."""
    with (
        patch(f"{SOURCE}.STALL_TIMEOUT", 3.0),
        patch(f"{SOURCE}.RETRY_DELAYS", (0.05, 0.1, 0.2)),
        patch(f"{SOURCE}.PERMISSION_RETRY", 0.2),
    ):
        yield


async def async_setup_hik(
    hass: HomeAssistant, sim: HikSimulator, **kwargs: Any
) -> HikSetup:
    """Add an entry for ``sim``, set it up and wait for the stream to connect."""
    entry = hik_entry_for(sim, **kwargs)
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    setup = HikSetup(sim=sim, entry=entry)
    await async_wait_connected(setup)
    return setup


async def async_wait_connected(setup: HikSetup, connects: int = 1) -> None:
    """Wait until the stream connected ``connects`` times and caught up."""
    source: Any = setup.runtime.events.source
    assert source is not None
    await async_wait_batch(
        setup, lambda: source.connects >= connects, what=f"{connects} connect(s)"
    )
    while (search := source._search) is not None and not search.done():
        await asyncio.shield(search)


def watch_batches(setup: HikSetup) -> asyncio.Event:
    """Set the returned event whenever the source hands the pipeline a batch."""
    pipeline = setup.runtime.events
    signal: asyncio.Event | None = getattr(pipeline, "_test_signal", None)
    if signal is not None:
        return signal
    signal = asyncio.Event()
    deliver = pipeline.deliver

    def watched(batch: Any) -> None:
        deliver(batch)
        signal.set()

    pipeline.deliver = watched  # type: ignore[method-assign]
    pipeline._test_signal = signal  # type: ignore[attr-defined]
    return signal


async def async_wait_batch(
    setup: HikSetup,
    condition: Callable[[], bool],
    *,
    what: str = "a condition",
    within: float = WAIT,
) -> None:
    """Wait until ``condition()`` holds, checked after each batch of the source."""
    signal = watch_batches(setup)
    try:
        async with asyncio.timeout(within):
            while not condition():
                signal.clear()
                await signal.wait()
    except TimeoutError:
        raise AssertionError(f"Timed out waiting for {what}") from None


@pytest.fixture
async def hik_setup(
    hass: HomeAssistant, hik_sim: HikSimulator, fast_stream: None
) -> HikSetup:
    """Set the integration up against the Hikvision simulator."""
    await hass.config.async_set_time_zone("Asia/Shanghai")
    return await async_setup_hik(hass, hik_sim)


async def async_unload_all(hass: HomeAssistant) -> None:
    """Unload every loaded entry of ours (before a simulator stops)."""
    for entry in hass.config_entries.async_entries(DOMAIN):
        if entry.state is ConfigEntryState.LOADED:
            await hass.config_entries.async_unload(entry.entry_id)
    await hass.async_block_till_done()


# --- waiting for what is pushed ------------------------------------------------


class BusWatcher:
    """Collect the events of one type from the moment it is made."""

    def __init__(self, hass: HomeAssistant, event_type: str) -> None:
        self.hass = hass
        self.event_type = event_type
        self.events: list[Event] = []
        self._changed = asyncio.Event()
        self._unsub = hass.bus.async_listen(event_type, self._take)

    @callback
    def _take(self, event: Event) -> None:
        self.events.append(event)
        self._changed.set()

    def close(self) -> None:
        self._unsub()

    @property
    def data(self) -> list[dict[str, Any]]:
        return [dict(event.data) for event in self.events]

    def matching(self, predicate: Callable[[dict[str, Any]], bool]) -> list[Event]:
        return [event for event in self.events if predicate(dict(event.data))]

    async def wait(
        self,
        predicate: Callable[[dict[str, Any]], bool] = lambda _data: True,
        count: int = 1,
        within: float = WAIT,
    ) -> list[Event]:
        """Wait until ``count`` collected events match; return those."""
        try:
            async with asyncio.timeout(within):
                while len(found := self.matching(predicate)) < count:
                    self._changed.clear()
                    await self._changed.wait()
        except TimeoutError:
            raise AssertionError(
                f"Timed out waiting for {count} {self.event_type}; got {self.data}"
            ) from None
        return found


@pytest.fixture
def bus(hass: HomeAssistant) -> Iterator[Callable[[str], BusWatcher]]:
    """Make watchers of bus events; all are closed after the test."""
    watchers: list[BusWatcher] = []

    def make(event_type: str) -> BusWatcher:
        watcher = BusWatcher(hass, event_type)
        watchers.append(watcher)
        return watcher

    yield make
    for watcher in watchers:
        watcher.close()


async def async_wait_state(
    hass: HomeAssistant, entity_id: str, state: str, within: float = WAIT
) -> None:
    """Wait until ``entity_id`` has ``state`` (returns at once if it has)."""
    current = hass.states.get(entity_id)
    if current is not None and current.state == state:
        return
    reached = asyncio.Event()

    @callback
    def changed(event: Event) -> None:
        if event.data.get("entity_id") != entity_id:
            return
        new = event.data.get("new_state")
        if new is not None and new.state == state:
            reached.set()

    unsub = hass.bus.async_listen(EVENT_STATE_CHANGED, changed)
    try:
        async with asyncio.timeout(within):
            await reached.wait()
    except TimeoutError:
        now = hass.states.get(entity_id)
        raise AssertionError(
            f"{entity_id} never became {state!r} (is {now and now.state!r})"
        ) from None
    finally:
        unsub()


def hik_entity_id(
    hass: HomeAssistant, domain: str, object_key: str, key: str, entry_id: str
) -> str:
    """Return the entity id of an entity by object key (``hub``, ``door_1``) and key."""
    found = er.async_get(hass).async_get_entity_id(
        domain, DOMAIN, entity_unique_id(entry_id, object_key, key)
    )
    assert found is not None, (domain, object_key, key)
    return found


def door_entity(
    hass: HomeAssistant, setup: HikSetup, domain: str, door: int, key: str
) -> str:
    """Return the entity id of one of a door's entities."""
    return hik_entity_id(hass, domain, door_key(str(door)), key, setup.entry.entry_id)
