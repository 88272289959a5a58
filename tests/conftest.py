"""Fixtures shared by every test."""

from __future__ import annotations

from collections.abc import Generator
from datetime import datetime
from unittest.mock import AsyncMock, MagicMock, patch
from zoneinfo import ZoneInfo

from homeassistant.auth.const import GROUP_ID_ADMIN
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
from pytest_homeassistant_custom_component.common import MockConfigEntry, MockUser
from pytest_homeassistant_custom_component.syrupy import HomeAssistantSnapshotExtension
from syrupy.assertion import SnapshotAssertion

from custom_components.acs_bridge.adapters import (
    AccessReason,
    Alarm,
    Area,
    AreaPerson,
    Capability,
    Controller,
    DeviceDescription,
    Door,
    DoorState,
    EventPolling,
    WorkMode,
)
from custom_components.acs_bridge.const import CONF_ADAPTER, DOMAIN

from .example_adapter import PushEventSource

pytest_plugins = [
    "tests.sim_fixtures",
    "tests.hik_fixtures",
    "tests.protocol_fixtures",
]


@pytest.fixture(autouse=True)
def auto_enable_custom_integrations(request: pytest.FixtureRequest) -> None:
    """Let Home Assistant load custom integrations in every test that has `hass`."""
    if "hass" in request.fixturenames:
        request.getfixturevalue("enable_custom_integrations")


@pytest.fixture
def snapshot(snapshot: SnapshotAssertion) -> SnapshotAssertion:
    """Write snapshots the same way on every Home Assistant version."""
    return snapshot.use_extension(HomeAssistantSnapshotExtension)


@pytest.fixture
async def alice(hass: HomeAssistant) -> MockUser:
    """A Home Assistant user named Alice (an administrator: controls every entity)."""
    admins = await hass.auth.async_get_group(GROUP_ID_ADMIN)
    assert admins is not None
    return MockUser(name="Alice", groups=[admins]).add_to_hass(hass)


# --- Home Assistant side: an adapter mocked at the adapter boundary ---------


SERVER_TZ = ZoneInfo("Asia/Shanghai")

ENTRY_DATA = {
    CONF_HOST: "127.0.0.1",
    CONF_PORT: 6500,
    CONF_USERNAME: "admin",
    CONF_PASSWORD: "p@ss /?#%+ 密码",
    CONF_SSL: False,
    CONF_VERIFY_SSL: True,
    CONF_ADAPTER: "ax_bs_http_v1",
}

AREAS = [
    Area(id=1, name="园区", code="root", parent_id=None),
    Area(id=2, name="办公楼", code="office", parent_id=1),
]
CONTROLLERS = [
    Controller(
        id="c1",
        name="1号楼控制器",
        area_id=2,
        area_name="办公楼",
        serial="8791",
        address="127.0.0.11",
        online=True,
    ),
    Controller(
        id="c2",
        name="North Controller",
        area_id=1,
        area_name="园区",
        serial="8792",
        address="127.0.0.12",
        online=False,
        comm_error="通信超时",
    ),
]
# The doors of the mocked server offer every work mode, as an AX server's do.
ALL_MODES = tuple(WorkMode)
DOORS = [
    Door(
        id="d1",
        name="东门",
        controller_id="c1",
        area_id=2,
        area_name="办公楼",
        work_modes=ALL_MODES,
    ),
    Door(
        id="d2",
        name="门1",
        controller_id="c1",
        area_id=2,
        area_name="办公楼",
        work_modes=ALL_MODES,
    ),
    Door(
        id="d3",
        name="门1",
        controller_id="c2",
        area_id=1,
        area_name="园区",
        work_modes=ALL_MODES,
    ),
]
STATES = {
    "d1": DoorState(door_id="d1", online=True, is_open=False),
    "d2": DoorState(door_id="d2", online=True, is_open=True),
    "d3": DoorState(door_id="d3", online=False, is_open=False),
}
AREA_PEOPLE = [
    AreaPerson(record_id=1, time=None, area_id=2, user_id=10, user_name="张三"),
    AreaPerson(record_id=2, time=None, area_id=2, user_id=11, user_name="李四"),
    AreaPerson(record_id=3, time=None, area_id=1, user_id=12, user_name="王五"),
]
ALARMS = [
    Alarm(
        alarm_id=2873,
        event_id=990,
        time=datetime(2026, 11, 29, 18, 28, 7, tzinfo=SERVER_TZ),
        name="非法开门",
        event_code=25,
        forced=True,
        controller_id="c1",
        door_id="d1",
        door_name="东门",
        level="1",
        priority=254,
        reason=AccessReason.GRANTED,
    )
]


def build_mock_adapter() -> MagicMock:
    """Return an adapter mock that answers like a small site."""
    adapter = MagicMock()
    adapter.key = "ax_bs_http_v1"
    adapter.name = "AX-ACS BS-HTTP v1"
    adapter.manufacturer = "AX-ACS"
    adapter.default_port = 6500
    adapter.default_ssl = False
    adapter.uses_command_password = False
    adapter.identified_by_device = False
    adapter.event_polling = EventPolling(default=1.0, minimum=0.5, maximum=1.9)
    # What an AX server offers: all but a reported work mode.
    adapter.capabilities = frozenset(Capability) - {Capability.WORK_MODE_STATE}
    adapter.supports.side_effect = lambda capability: capability in adapter.capabilities
    adapter.connect = AsyncMock(return_value=None)
    adapter.identity.return_value = None  # the host and port identify it
    adapter.login_state.return_value = None  # nothing to keep of logins
    adapter.describe.side_effect = lambda: DeviceDescription(
        manufacturer=adapter.manufacturer, model=adapter.name
    )
    adapter.sources = []

    def event_source(sink, *, interval, replay):
        # The mocked adapter's events are pushed by the test (example_adapter.py).
        if not adapter.supports(Capability.REALTIME_EVENTS):
            return None
        source = PushEventSource(sink, interval=interval, replay=replay)
        adapter.sources.append(source)
        return source

    adapter.event_source = MagicMock(side_effect=event_source)
    adapter.check_credentials = AsyncMock(return_value=None)
    adapter.close = AsyncMock(return_value=None)
    adapter.areas = AsyncMock(return_value=list(AREAS))
    adapter.controllers = AsyncMock(return_value=list(CONTROLLERS))
    adapter.doors = AsyncMock(return_value=list(DOORS))
    adapter.states = dict(STATES)

    async def door_states(door_ids):
        return {d: adapter.states[d] for d in door_ids if d in adapter.states}

    adapter.door_states = AsyncMock(side_effect=door_states)
    adapter.area_people = AsyncMock(return_value=list(AREA_PEOPLE))
    adapter.alarms = AsyncMock(return_value=list(ALARMS))
    adapter.open_door = AsyncMock(return_value=None)
    adapter.close_door = AsyncMock(return_value=None)
    adapter.set_work_mode = AsyncMock(return_value=None)
    adapter.latest_record_id = AsyncMock(return_value=100)
    adapter.record_pages = []

    async def records_after(record_id, **kwargs):
        for record in adapter.record_pages:
            if record.record_id > record_id:
                yield record

    adapter.records_after = MagicMock(side_effect=records_after)
    return adapter


@pytest.fixture
def mock_adapter() -> Generator[MagicMock]:
    """Patch the adapter registry so every entry gets the mock adapter."""
    adapter = build_mock_adapter()
    factory = MagicMock(return_value=adapter)
    for attribute in ("key", "name", "manufacturer", "default_port", "default_ssl"):
        setattr(factory, attribute, getattr(adapter, attribute))
    for attribute in ("uses_command_password", "identified_by_device"):
        setattr(factory, attribute, getattr(adapter, attribute))
    factory.event_polling = adapter.event_polling
    with patch(
        "custom_components.acs_bridge.runtime.get_adapter", return_value=factory
    ):
        yield adapter


@pytest.fixture
def mock_config_entry() -> MockConfigEntry:
    """Return the config entry of the test server."""
    return MockConfigEntry(
        domain=DOMAIN,
        title="127.0.0.1:6500",
        unique_id="127.0.0.1:6500",
        data=dict(ENTRY_DATA),
        entry_id="01JACSBRIDGE0000000000TEST",
    )


@pytest.fixture
async def init_integration(
    hass: HomeAssistant, mock_config_entry: MockConfigEntry, mock_adapter: MagicMock
) -> MockConfigEntry:
    """Set up the integration with the mock adapter."""
    await hass.config.async_set_time_zone("Asia/Shanghai")
    mock_config_entry.add_to_hass(hass)
    await hass.config_entries.async_setup(mock_config_entry.entry_id)
    await hass.async_block_till_done()
    return mock_config_entry
