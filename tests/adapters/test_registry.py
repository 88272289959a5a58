"""The registry, and a second adapter that proves the interface knows no AX detail."""

from __future__ import annotations

import asyncio
from datetime import datetime
import logging
from typing import Any
from zoneinfo import ZoneInfo

import aiohttp
import pytest

from custom_components.acs_bridge.adapters import (
    ENTRY_POINT_GROUP,
    AcsAdapter,
    AcsAuthenticationError,
    AcsNotSupportedError,
    AdapterConfig,
    Capability,
    Controller,
    Door,
    DoorState,
    WorkMode,
    available_adapters,
    get_adapter,
    register_adapter,
    registry,
)
from custom_components.acs_bridge.adapters.ax_bs_http import AxBsHttpV1Adapter


class DictAdapter(AcsAdapter):
    """A made-up vendor kept in dicts, implementing only the abstract methods."""

    key = "dict_test_v1"
    name = "Dict test adapter"
    manufacturer = "Dict"
    default_port = 1

    def __init__(self, session: Any, config: AdapterConfig) -> None:
        super().__init__(session, config)
        self.controller_list = [Controller(id="c1", name="Front")]
        self.door_list = [
            Door(id="d1", name="Main", controller_id="c1", area_id=1),
            Door(id="d2", name="Back", controller_id="c1", area_id=2),
        ]

    async def check_credentials(self) -> None:
        if self.config.password != "secret":
            raise AcsAuthenticationError("wrong password")

    async def controllers(self) -> list[Controller]:
        return list(self.controller_list)

    async def doors(self, area_id: int | None = None) -> list[Door]:
        return [d for d in self.door_list if area_id in (None, d.area_id)]


class DictAdapterWithState(DictAdapter):
    """The same vendor, one capability richer: the base class reads many doors."""

    key = "dict_state_test_v1"

    async def connect(self) -> None:
        self.capabilities = frozenset({Capability.DOOR_STATE})

    in_flight = 0
    max_in_flight = 0

    async def door_state(self, door_id: str) -> DoorState:
        self.in_flight += 1
        self.max_in_flight = max(self.max_in_flight, self.in_flight)
        for _ in range(3):  # give the other readers a chance to run
            await asyncio.sleep(0)
        self.in_flight -= 1
        if door_id not in {d.id for d in self.door_list}:
            raise KeyError(door_id)
        return DoorState(door_id=door_id, online=True, is_open=door_id == "d1")


class NotAnAdapter:
    key = "not_an_adapter"


@pytest.fixture
def fresh_registry(monkeypatch: pytest.MonkeyPatch) -> None:
    """Give the test a registry of its own: no adapter, entry points not read."""
    monkeypatch.setattr(registry, "_ADAPTERS", {})
    monkeypatch.setattr(registry, "_entry_points_loaded", False)


@pytest.fixture
def dict_adapter() -> DictAdapter:
    config = AdapterConfig(
        host="x", port=1, password="secret", time_zone=ZoneInfo("UTC")
    )
    return DictAdapter(None, config)


def test_builtin_adapter_is_found(fresh_registry: None) -> None:
    assert get_adapter("ax_bs_http_v1") is AxBsHttpV1Adapter
    assert "ax_bs_http_v1" in available_adapters()
    assert AxBsHttpV1Adapter.name == "AX-ACS BS-HTTP v1"
    assert (AxBsHttpV1Adapter.default_port, AxBsHttpV1Adapter.default_ssl) == (
        6500,
        False,
    )
    assert AxBsHttpV1Adapter.manufacturer == "AX-ACS"
    with pytest.raises(KeyError, match="no_such"):
        get_adapter("no_such")


async def test_builtin_adapter_supports_everything(
    session: aiohttp.ClientSession,
) -> None:
    config = AdapterConfig(host="x", port=1, time_zone=ZoneInfo("UTC"))
    adapter = AxBsHttpV1Adapter(session, config)
    assert not adapter.supports(Capability.DOOR_STATE)  # known once connected
    await adapter.connect()
    assert all(
        adapter.supports(c) for c in Capability if c != Capability.WORK_MODE_STATE
    )
    assert not adapter.supports(Capability.WORK_MODE_STATE)  # HA keeps the last set
    await adapter.close()


async def test_second_adapter(fresh_registry: None, dict_adapter: DictAdapter) -> None:
    assert register_adapter(DictAdapter) is DictAdapter
    assert register_adapter(DictAdapter) is DictAdapter  # twice is harmless
    assert get_adapter("dict_test_v1") is DictAdapter
    assert list(available_adapters()) == sorted(available_adapters())

    adapter = dict_adapter
    await adapter.check_credentials()
    assert adapter.capabilities == frozenset()
    assert [d.id for d in await adapter.doors(2)] == ["d2"]
    assert [c.id for c in await adapter.controllers()] == ["c1"]
    await adapter.close()


async def test_base_reads_many_doors(dict_adapter: DictAdapter) -> None:
    adapter = DictAdapterWithState(None, dict_adapter.config)
    await adapter.connect()
    assert adapter.supports(Capability.DOOR_STATE)
    assert not adapter.supports(Capability.DOOR_COMMANDS)
    states = await adapter.door_states(["d1", "d2", "d1", "nope"])
    assert states == {
        "d1": DoorState(door_id="d1", online=True, is_open=True),
        "d2": DoorState(door_id="d2", online=True, is_open=False),
    }
    with pytest.raises(KeyError):
        await adapter.door_states(["nope"])


async def test_base_reads_many_doors_bounded() -> None:
    config = AdapterConfig(
        host="x", port=1, time_zone=ZoneInfo("UTC"), max_concurrent_requests=2
    )
    adapter = DictAdapterWithState(None, config)
    adapter.door_list = [
        Door(id=f"d{n}", name=f"Door {n}", controller_id="c1") for n in range(9)
    ]
    states = await adapter.door_states(d.id for d in adapter.door_list)
    assert len(states) == 9
    assert adapter.max_in_flight == 2


def _unsupported_calls(adapter: AcsAdapter) -> list[tuple[Capability, Any]]:
    when = datetime(2020, 1, 1, tzinfo=ZoneInfo("UTC"))
    return [
        (Capability.AREAS, adapter.areas),
        (Capability.DOOR_STATE, lambda: adapter.door_state("d1")),
        (Capability.DOOR_STATE, lambda: adapter.door_states(["d1"])),
        (Capability.DOOR_COMMANDS, lambda: adapter.open_door("d1")),
        (Capability.DOOR_COMMANDS, lambda: adapter.close_door("d1")),
        (Capability.WORK_MODE, lambda: adapter.set_work_mode("d1", WorkMode.AUTO)),
        (Capability.RECORDS, lambda: adapter.count_records_after(0)),
        (Capability.RECORDS, adapter.latest_record_id),
        (Capability.RECORDS, lambda: adapter.count_records_between(when, when)),
        (Capability.ALARMS, adapter.alarms),
        (Capability.PEOPLE, lambda: adapter.person(user_no="1")),
        (Capability.PEOPLE, adapter.count_people),
        (Capability.AREA_PEOPLE, adapter.area_people),
        (Capability.DIRECTORY, adapter.person_types),
        (Capability.DIRECTORY, adapter.organisations),
        (Capability.DIRECTORY, lambda: adapter.organisation("x")),
        (Capability.DIRECTORY, adapter.card_groups),
        (Capability.DIRECTORY, adapter.card_types),
    ]


async def test_second_adapter_refuses_the_rest(dict_adapter: DictAdapter) -> None:
    for capability, call in _unsupported_calls(dict_adapter):
        assert not dict_adapter.supports(capability)
        with pytest.raises(AcsNotSupportedError, match=str(capability)):
            await call()
    when = datetime(2020, 1, 1, tzinfo=ZoneInfo("UTC"))
    iterators: list[Any] = [
        lambda: dict_adapter.records_after(0),
        lambda: dict_adapter.records_between(when, when),
        dict_adapter.passages,
        dict_adapter.people,
    ]
    for make in iterators:
        with pytest.raises(AcsNotSupportedError):
            make()


async def test_dict_adapter_credentials() -> None:
    config = AdapterConfig(host="x", port=1, password="nope", time_zone=ZoneInfo("UTC"))
    with pytest.raises(AcsAuthenticationError):
        await DictAdapter(None, config).check_credentials()


def test_register_rejects_non_adapters(fresh_registry: None) -> None:
    with pytest.raises(TypeError):
        register_adapter(NotAnAdapter)  # type: ignore[arg-type]

    class Impostor(DictAdapter):
        pass

    register_adapter(DictAdapter)
    with pytest.raises(ValueError, match="already registered"):
        register_adapter(Impostor)


class FakeEntryPoint:
    """An entry point that loads an object or fails."""

    def __init__(self, name: str, target: Any) -> None:
        self.name = name
        self.target = target

    def load(self) -> Any:
        if isinstance(self.target, Exception):
            raise self.target
        return self.target


def test_entry_points(
    fresh_registry: None,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    class PluginAdapter(DictAdapter):
        key = "plugin_v2"

    groups: list[str] = []

    def entry_points(*, group: str) -> list[FakeEntryPoint]:
        groups.append(group)
        return [
            FakeEntryPoint("broken", ImportError("no module named vendor_sdk")),
            FakeEntryPoint("not_an_adapter", NotAnAdapter),
            FakeEntryPoint("plugin_v2", PluginAdapter),
        ]

    monkeypatch.setattr(registry, "entry_points", entry_points)
    with caplog.at_level(logging.ERROR, logger=registry.__name__):
        adapters = available_adapters()
    assert adapters["plugin_v2"] is PluginAdapter
    assert adapters["ax_bs_http_v1"] is AxBsHttpV1Adapter
    assert groups == [ENTRY_POINT_GROUP] == ["acs_bridge.adapters"]
    assert "Cannot load ACS adapter broken" in caplog.text
    assert "Cannot load ACS adapter not_an_adapter" in caplog.text
    # Loaded once, until asked to look again.
    available_adapters()
    assert len(groups) == 1
    registry._entry_points_loaded = False
    available_adapters()
    assert len(groups) == 2
