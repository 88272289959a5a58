"""Never lock the account: the config flow, restarts and a changed password,
against the Hikvision simulator's digest account and lock-out."""

from __future__ import annotations

from typing import Any

from homeassistant.config_entries import SOURCE_REAUTH, SOURCE_USER, ConfigEntryState
from homeassistant.const import (
    CONF_HOST,
    CONF_PASSWORD,
    CONF_PORT,
    CONF_SSL,
    CONF_USERNAME,
    CONF_VERIFY_SSL,
)
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType

from custom_components.acs_bridge.const import CONF_ADAPTER, DOMAIN
from custom_components.acs_bridge.login_state import _DATA_KEY
from simulator.hikvision import HikSimulator

from .hik_fixtures import (
    HIK_ADAPTER,
    HIK_PASSWORD,
    HIK_USERNAME,
    HikSetup,
    hik_entry_for,
)


def user_input(sim: HikSimulator, password: str) -> dict[str, Any]:
    return {
        CONF_HOST: "127.0.0.1",
        CONF_PORT: sim.port,
        CONF_USERNAME: HIK_USERNAME,
        CONF_PASSWORD: password,
        CONF_SSL: False,
        CONF_VERIFY_SSL: True,
    }


async def start_flow(hass: HomeAssistant) -> str:
    """Start the user flow and choose the Hikvision adapter; return the flow id."""
    result = await hass.config_entries.flow.async_init(
        DOMAIN, context={"source": SOURCE_USER}
    )
    assert result["step_id"] == "adapter"
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_ADAPTER: HIK_ADAPTER}
    )
    assert result["step_id"] == "user"
    return str(result["flow_id"])


def reauth_flows(hass: HomeAssistant) -> list[Any]:
    return [
        flow
        for flow in hass.config_entries.flow.async_progress_by_handler(DOMAIN)
        if flow["context"]["source"] == SOURCE_REAUTH
    ]


async def test_flow_adds_the_device_by_its_serial(
    hass: HomeAssistant, hik_sim: HikSimulator
) -> None:
    flow_id = await start_flow(hass)
    result = await hass.config_entries.flow.async_configure(
        flow_id, user_input(hik_sim, HIK_PASSWORD)
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["result"].unique_id == hik_sim.config.serial_number
    assert result["data"][CONF_ADAPTER] == HIK_ADAPTER
    # The credential check moves no door.
    assert hik_sim.device.commands == []


async def test_wrong_password_costs_at_most_two_refusals(
    hass: HomeAssistant, hik_sim: HikSimulator
) -> None:
    """However often the user tries, the device counts two failures; then the
    form says when to try again (nothing more is sent)."""
    flow_id = await start_flow(hass)
    errors = []
    for _ in range(5):
        result = await hass.config_entries.flow.async_configure(
            flow_id, user_input(hik_sim, "wrong")
        )
        errors.append(result["errors"]["base"])
    assert errors == ["invalid_auth"] * 2 + ["locked_out"] * 3
    assert result["description_placeholders"]["minutes"] == "30"
    assert hik_sim.auth.counted == 2
    assert not hik_sim.auth.locked


async def test_three_restarts_with_a_wrong_password_do_not_lock(
    hass: HomeAssistant, hik_sim: HikSimulator
) -> None:
    """The count is kept across restarts (login_state.py): the third restart
    sends nothing."""
    entry = hik_entry_for(hik_sim, password="wrong")
    entry.add_to_hass(hass)
    for _ in range(3):
        hass.data.pop(_DATA_KEY, None)  # a new Home Assistant reads the store
        await hass.config_entries.async_setup(entry.entry_id)
        await hass.async_block_till_done()
        assert entry.state is ConfigEntryState.SETUP_ERROR
        await hass.config_entries.async_unload(entry.entry_id)
    assert hik_sim.auth.counted == 2
    assert not hik_sim.auth.locked
    # The flow's attempts share the count.
    flow_id = await start_flow(hass)
    result = await hass.config_entries.flow.async_configure(
        flow_id, user_input(hik_sim, "wrong again")
    )
    assert result["errors"] == {"base": "locked_out"}
    assert hik_sim.auth.counted == 2


async def test_locked_account_says_so_with_minutes(
    hass: HomeAssistant, hik_sim: HikSimulator
) -> None:
    hik_sim.auth.lock(seconds=600)
    flow_id = await start_flow(hass)
    result = await hass.config_entries.flow.async_configure(
        flow_id, user_input(hik_sim, HIK_PASSWORD)
    )
    assert result["errors"] == {"base": "locked_out"}
    assert result["description_placeholders"]["minutes"] == "10"


async def test_forbidden_identity_is_a_missing_permission(
    hass: HomeAssistant, hik_sim: HikSimulator
) -> None:
    hik_sim.fault("forbidden", path="System/deviceInfo")
    flow_id = await start_flow(hass)
    result = await hass.config_entries.flow.async_configure(
        flow_id, user_input(hik_sim, HIK_PASSWORD)
    )
    assert result["errors"] == {"base": "missing_permission"}
    assert hik_sim.auth.counted == 0


async def test_unauthorized_call_at_setup_is_a_missing_permission(
    hass: HomeAssistant, hik_sim: HikSimulator
) -> None:
    """A 401 after deviceInfo accepted the account: no reauth, no failure counted."""
    hik_sim.fault("unauthorized", path="AccessControl/RemoteControl/door/capabilities")
    entry = hik_entry_for(hik_sim)
    entry.add_to_hass(hass)
    await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    assert entry.state is ConfigEntryState.SETUP_ERROR
    assert entry.reason is not None
    assert "permission" in entry.reason
    assert not reauth_flows(hass)
    assert hik_sim.auth.counted == 0


async def test_unauthorized_status_read_is_a_missing_permission(
    hass: HomeAssistant, hik_sim: HikSimulator
) -> None:
    """The first state poll refused for a permission: the entry says so (no
    endless retry as if the device were unreachable, no reauth)."""
    hik_sim.fault("forbidden", path="AccessControl/AcsWorkStatus")
    entry = hik_entry_for(hik_sim)
    entry.add_to_hass(hass)
    await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    assert entry.state is ConfigEntryState.SETUP_ERROR
    assert entry.reason is not None
    assert "permission" in entry.reason
    assert not reauth_flows(hass)
    assert hik_sim.auth.counted == 0


async def test_changed_password_stops_requests_and_starts_reauth(
    hass: HomeAssistant, hik_setup: HikSetup
) -> None:
    """A 401 to the password that worked: one refusal, then nothing is sent."""
    sim = hik_setup.sim
    sim.config.password = "changed on the device"
    coordinator = hik_setup.runtime.coordinator
    await coordinator.async_refresh()
    await hass.async_block_till_done()
    assert reauth_flows(hass)
    # The first refused request carried the old nonce: the client answers the
    # new challenge once more before it judges the password.
    counted = sim.auth.counted
    assert counted <= 2
    sent = len(sim.requests)
    for _ in range(3):
        await coordinator.async_refresh()
    assert sim.auth.counted == counted
    assert [r for r in list(sim.requests)[sent:] if r.with_credentials] == []
