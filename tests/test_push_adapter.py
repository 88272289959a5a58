"""The Home Assistant side on a second, pushing adapter (tests/example_adapter.py).

Nothing here knows the AX plugin: the example adapter is found through the
registry, describes itself, lists its doors' own work modes and pushes its
events; the integration delivers them once, stores its opaque cursor, reports
a gap and the feed's health, moves doors and raises alarms from the feed.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from typing import Any
from unittest.mock import patch

from homeassistant.components import persistent_notification
from homeassistant.config_entries import SOURCE_USER
from homeassistant.const import (
    CONF_HOST,
    CONF_PASSWORD,
    CONF_PORT,
    CONF_USERNAME,
    STATE_OFF,
    STATE_ON,
)
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
from homeassistant.helpers import issue_registry as ir
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_capture_events,
)

from custom_components.acs_bridge.access_pipeline import gap_issue_id
from custom_components.acs_bridge.adapters import (
    AccessEvent,
    AccessMethod,
    Alarm,
    DoorChange,
    DoorState,
    EventBatch,
    EventGap,
    SourceEvent,
    registry,
)
from custom_components.acs_bridge.alarms import notification_id
from custom_components.acs_bridge.const import (
    CONF_ADAPTER,
    CONF_EVENT_INTERVAL,
    CONF_STATE_INTERVAL,
    DOMAIN,
    EVENT_ACCESS,
    EVENT_ALARM,
)
from custom_components.acs_bridge.devices import async_get_entry_device
from custom_components.acs_bridge.identifiers import hub_identifier

from .example_adapter import DOWN, UP, ExamplePushAdapter, PushEventSource
from .helpers import entity_id

ENTRY_ID = "01JACSBRIDGEEXAMPLEPUSH001"


@pytest.fixture
def example_registered(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Install the example adapter beside the built-in one, as a plugin would be."""
    adapters = dict(registry.available_adapters())
    adapters[ExamplePushAdapter.key] = ExamplePushAdapter
    monkeypatch.setattr(registry, "_ADAPTERS", adapters)
    ExamplePushAdapter.sources.clear()
    ExamplePushAdapter.states.clear()
    yield
    ExamplePushAdapter.sources.clear()


@pytest.fixture
async def push_entry(hass: HomeAssistant, example_registered: None) -> MockConfigEntry:
    """An entry of the example adapter, set up."""
    entry = MockConfigEntry(
        domain=DOMAIN,
        title="Example device",
        unique_id="EX123",
        data={
            CONF_HOST: "127.0.0.1",
            CONF_PORT: 8080,
            CONF_USERNAME: "admin",
            CONF_PASSWORD: "secret",
            CONF_ADAPTER: ExamplePushAdapter.key,
        },
        entry_id=ENTRY_ID,
        minor_version=2,
    )
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    return entry


def source() -> PushEventSource:
    return ExamplePushAdapter.sources[-1]


def swipe(key: str, door: str = "1", **fields: Any) -> SourceEvent:
    replayed = fields.pop("replayed", False)
    return SourceEvent(
        AccessEvent(
            key=key,
            event_id=key,
            time=datetime(2026, 12, 4, 9, 0, tzinfo=UTC),
            name="Card granted",
            door_id=door,
            method=fields.pop("method", AccessMethod.CARD),
            event_code="5/1",
            card_no=fields.pop("card_no", "1234"),
            **fields,
        ),
        replayed,
    )


async def test_the_device_describes_itself(
    hass: HomeAssistant, push_entry: MockConfigEntry
) -> None:
    """Hub manufacturer, model, serial and firmware come from the adapter."""
    hub = async_get_entry_device(hass, push_entry, hub_identifier(ENTRY_ID))
    assert hub is not None
    assert (hub.manufacturer, hub.model, hub.serial_number, hub.sw_version) == (
        "Example",
        "EX-1",
        "EX123",
        "1.0",
    )
    select = hass.states.get(entity_id(hass, "select", "door_1_work_mode", ENTRY_ID))
    assert select is not None
    assert select.attributes["options"] == ["auto", "normally_open", "normally_closed"]
    # A door that offers no work mode has no select.
    selects = [state.entity_id for state in hass.states.async_all("select")]
    assert len(selects) == 2  # the site mode and the front door's work mode


async def test_pushed_events_are_delivered_once(
    hass: HomeAssistant, push_entry: MockConfigEntry
) -> None:
    """An event pushed twice (a re-sent history) reaches the bus once."""
    events = async_capture_events(hass, EVENT_ACCESS)
    source().push(EventBatch(events=(swipe("s1"),), cursor="1"))
    source().push(
        EventBatch(events=(swipe("s1"), swipe("s2", replayed=True)), cursor="2")
    )
    await hass.async_block_till_done()
    assert [(e.data["event_id"], e.data["replayed"]) for e in events] == [
        ("s1", False),
        ("s2", True),
    ]
    first = events[0].data
    assert (first["method"], first["code"], first["door_id"]) == ("card", "5/1", "1")


async def test_the_cursor_is_stored_and_resumed(
    hass: HomeAssistant, push_entry: MockConfigEntry, hass_storage: dict[str, Any]
) -> None:
    """The opaque cursor of the last batch is where the next start resumes."""
    assert source().resumed_from is None
    source().push(EventBatch(events=(swipe("s1"),), cursor="serial-41"))
    await hass.config_entries.async_reload(ENTRY_ID)
    await hass.async_block_till_done()
    assert source().resumed_from == "serial-41"
    stored = hass_storage[f"{DOMAIN}.{ENTRY_ID}.events"]
    assert stored["version"] == 2
    assert stored["data"]["cursor"] == "serial-41"
    assert [key for key, _ in stored["data"]["keys"]] == ["s1"]
    # What was delivered before the reload is not delivered again.
    events = async_capture_events(hass, EVENT_ACCESS)
    source().push(EventBatch(events=(swipe("s1"), swipe("s2"))))
    await hass.async_block_till_done()
    assert [e.data["event_id"] for e in events] == ["s2"]


async def test_a_gap_raises_the_repair_issue(
    hass: HomeAssistant, push_entry: MockConfigEntry
) -> None:
    """Events the device lost for good are reported once, as a repair issue."""
    source().push(
        EventBatch(gap=EventGap(count=7, since=datetime(2026, 12, 4, tzinfo=UTC)))
    )
    issue = ir.async_get(hass).async_get_issue(DOMAIN, gap_issue_id(ENTRY_ID))
    assert issue is not None
    assert issue.translation_placeholders is not None
    assert issue.translation_placeholders["count"] == "7"


async def test_the_event_feed_follows_the_source(
    hass: HomeAssistant, push_entry: MockConfigEntry
) -> None:
    """A pushing source says when its stream is down; no timer second-guesses it."""
    feed = entity_id(hass, "binary_sensor", "hub_event_feed", ENTRY_ID)
    assert hass.states.get(feed).state == STATE_OFF
    source().push(DOWN)
    await hass.async_block_till_done()
    assert hass.states.get(feed).state == STATE_ON
    source().push(UP)
    await hass.async_block_till_done()
    assert hass.states.get(feed).state == STATE_OFF


async def test_door_changes_move_the_lock_and_the_contact_at_once(
    hass: HomeAssistant, push_entry: MockConfigEntry
) -> None:
    """A pushed unlock and door-open show without a state read."""
    lock = entity_id(hass, "lock", "door_1_lock", ENTRY_ID)
    contact = entity_id(hass, "binary_sensor", "door_1_door", ENTRY_ID)
    assert hass.states.get(lock).state == "locked"
    assert hass.states.get(contact).state == STATE_OFF
    source().push(EventBatch(door_changes=(DoorChange(door_id="1", locked=False),)))
    await hass.async_block_till_done()
    assert hass.states.get(lock).state == "unlocked"
    assert hass.states.get(contact).state == STATE_OFF
    source().push(
        EventBatch(door_changes=(DoorChange(door_id="1", contact_open=True),))
    )
    await hass.async_block_till_done()
    assert hass.states.get(contact).state == STATE_ON


async def test_alarms_from_the_feed(
    hass: HomeAssistant, push_entry: MockConfigEntry
) -> None:
    """An adapter without an alarm list raises and ends alarms through its feed."""
    events = async_capture_events(hass, EVENT_ALARM)
    tamper = Alarm(
        alarm_id=77,
        event_id=None,
        time=datetime(2026, 12, 4, 9, 0, tzinfo=UTC),
        name="Device tamper",
        event_code="1/1028",
        door_id="1",
    )
    source().push(EventBatch(alarms_raised=(tamper,)))
    await hass.async_block_till_done()
    assert [(e.data["alarm_id"], e.data["code"]) for e in events] == [(77, "1/1028")]
    notifications = persistent_notification._async_get_or_create_notifications(hass)
    assert notification_id(ENTRY_ID, 77) in notifications
    source().push(EventBatch(alarms_ended=(77,)))
    await hass.async_block_till_done()
    assert notification_id(ENTRY_ID, 77) not in notifications
    assert len(events) == 1


async def test_the_flow_takes_the_adapters_defaults(
    hass: HomeAssistant, example_registered: None
) -> None:
    """With two protocols the flow asks which; the port is the chosen one's."""
    result = await hass.config_entries.flow.async_init(
        DOMAIN, context={"source": SOURCE_USER}
    )
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "adapter"
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_ADAPTER: ExamplePushAdapter.key}
    )
    assert result["step_id"] == "user"
    port = next(key for key in result["data_schema"].schema if key == CONF_PORT)
    assert port.default() == 8080


async def test_no_event_interval_for_a_feed_that_does_not_poll(
    hass: HomeAssistant, push_entry: MockConfigEntry
) -> None:
    """The options offer the event interval only where the adapter polls."""
    result = await hass.config_entries.options.async_init(ENTRY_ID)
    keys = {str(key) for key in result["data_schema"].schema}
    assert CONF_EVENT_INTERVAL not in keys
    assert CONF_STATE_INTERVAL in keys


async def test_a_cursor_costly_to_write_is_read_when_stored(
    hass: HomeAssistant, push_entry: MockConfigEntry
) -> None:
    """``cursor_moved``: the integration reads the source's cursor when it stores."""
    pipeline = push_entry.runtime_data.events
    await hass.async_block_till_done()
    pipeline._save_scheduled = False
    source()._cursor = "read-when-stored"
    with patch.object(pipeline._store, "async_delay_save") as delay_save:
        source().push(EventBatch(events=(swipe("s9"),), cursor_moved=True))
        data = delay_save.call_args.args[0]()  # the write happens
    assert data["cursor"] == "read-when-stored"


async def test_door_reads_after_granted_events_do_not_queue_up(
    hass: HomeAssistant,
    push_entry: MockConfigEntry,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Granted events pushed faster than a door read: one read in flight, one after.

    A read per pushed batch queued up behind the device's serial requests
    (benchmarks: 300 swipes at 100/s kept the device busy 12 s after the last).
    """
    adapter = push_entry.runtime_data.coordinator.adapter
    release = asyncio.Event()
    reads: list[list[str]] = []
    original = adapter.door_states

    async def slow_door_states(door_ids: Iterable[str]) -> dict[str, DoorState]:
        reads.append(list(door_ids))
        await release.wait()
        return await original(reads[-1])

    monkeypatch.setattr(adapter, "door_states", slow_door_states)
    for number in range(30):
        door = "2" if number == 29 else "1"
        source().push(EventBatch(events=(swipe(f"g{number}", door=door),)))
        await asyncio.sleep(0)
    assert reads == [["1"]]  # the first read is in flight; the others wait
    release.set()
    await hass.async_block_till_done(wait_background_tasks=True)
    assert reads == [["1"], ["1", "2"]]
