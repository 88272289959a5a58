"""Tests of the config flow: user, adapter choice, reauth, reconfigure, options."""

from __future__ import annotations

from typing import Any
from unittest.mock import MagicMock, patch

from homeassistant.config_entries import SOURCE_USER
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
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.acs_bridge.adapters import (
    AcsAccountLockedError,
    AcsAuthenticationError,
    AcsCertificateError,
    AcsConnectionError,
    AcsResponseError,
    AcsTimeoutError,
)
from custom_components.acs_bridge.commands import verify_unlock_code
from custom_components.acs_bridge.const import (
    CONF_ADAPTER,
    CONF_ALARM_NOTIFICATIONS,
    CONF_EVENT_INTERVAL,
    CONF_REMOVE_UNLOCK_CODE,
    CONF_REPLAY_MINUTES,
    CONF_STATE_INTERVAL,
    CONF_TIME_ZONE,
    CONF_UNLOCK_CODE,
    CONF_UNLOCK_CODE_HASH,
    DOMAIN,
)

USER_INPUT = {
    CONF_HOST: " HTTP://ACS.Example.Local/ ",
    CONF_PORT: 6500,
    CONF_USERNAME: "admin",
    CONF_PASSWORD: "p@ss /?#%+ 密码",
    CONF_SSL: False,
    CONF_VERIFY_SSL: True,
}


@pytest.fixture(autouse=True)
def no_setup():
    """Do not set the entry up after the flow creates it."""
    with patch("custom_components.acs_bridge.async_setup_entry", return_value=True):
        yield


async def start_user_flow(hass: HomeAssistant) -> Any:
    """Start adding a server; with several protocols installed, choose AX's."""
    result = await hass.config_entries.flow.async_init(
        DOMAIN, context={"source": SOURCE_USER}
    )
    assert result["step_id"] == "adapter"  # the built-in protocols are two
    return await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_ADAPTER: "ax_bs_http_v1"}
    )


async def test_user_flow(hass: HomeAssistant, mock_adapter: MagicMock) -> None:
    """A server is added with a normalised host and a unique id."""
    result = await start_user_flow(hass)
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "user"
    assert result["errors"] == {}

    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], USER_INPUT
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["title"] == "acs.example.local:6500"
    assert result["data"] == {
        **USER_INPUT,
        CONF_HOST: "acs.example.local",
        CONF_ADAPTER: "ax_bs_http_v1",
    }
    assert result["result"].unique_id == "acs.example.local:6500"
    mock_adapter.check_credentials.assert_awaited_once()
    mock_adapter.open_door.assert_not_called()
    mock_adapter.close.assert_awaited()


@pytest.mark.parametrize(
    ("error", "key"),
    [
        (AcsConnectionError("refused"), "cannot_connect"),
        (AcsCertificateError("self-signed"), "invalid_certificate"),
        (AcsTimeoutError("slow"), "cannot_connect"),
        (AcsResponseError("not json"), "cannot_connect"),
        (AcsAuthenticationError("bad", code=105), "invalid_auth"),
        (AcsAccountLockedError("locked", code=106), "invalid_auth"),
        (RuntimeError("boom"), "unknown"),
    ],
)
async def test_user_flow_errors_recover(
    hass: HomeAssistant, mock_adapter: MagicMock, error: Exception, key: str
) -> None:
    """Each error shows on the form, and the flow still ends in an entry."""
    mock_adapter.check_credentials.side_effect = error
    result = await start_user_flow(hass)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], USER_INPUT
    )
    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {"base": key}

    mock_adapter.check_credentials.side_effect = None
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], USER_INPUT
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY


async def test_user_flow_already_configured(
    hass: HomeAssistant, mock_adapter: MagicMock
) -> None:
    """The same host and port cannot be added twice."""
    MockConfigEntry(domain=DOMAIN, unique_id="acs.example.local:6500").add_to_hass(hass)
    result = await start_user_flow(hass)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], USER_INPUT
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "already_configured"


async def test_adapter_choice_first_when_several(
    hass: HomeAssistant, mock_adapter: MagicMock
) -> None:
    """With two adapters installed, the protocol is chosen first."""
    other = MagicMock()
    other.name = "Other vendor v2"
    adapters = {"ax_bs_http_v1": MagicMock(), "other_v2": other}
    adapters["ax_bs_http_v1"].name = "AX-ACS BS-HTTP v1"
    with patch(
        "custom_components.acs_bridge.config_flow.available_adapters",
        return_value=adapters,
    ):
        result = await hass.config_entries.flow.async_init(
            DOMAIN, context={"source": SOURCE_USER}
        )
        assert result["type"] is FlowResultType.FORM
        assert result["step_id"] == "adapter"
        result = await hass.config_entries.flow.async_configure(
            result["flow_id"], {CONF_ADAPTER: "other_v2"}
        )
        assert result["step_id"] == "user"
        result = await hass.config_entries.flow.async_configure(
            result["flow_id"], USER_INPUT
        )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["data"][CONF_ADAPTER] == "other_v2"


async def test_reauth(
    hass: HomeAssistant, mock_adapter: MagicMock, mock_config_entry: MockConfigEntry
) -> None:
    """A refused account is replaced; a wrong one shows an error first."""
    mock_config_entry.add_to_hass(hass)
    result = await mock_config_entry.start_reauth_flow(hass)
    assert result["step_id"] == "reauth_confirm"

    mock_adapter.check_credentials.side_effect = AcsAuthenticationError("no", code=105)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_USERNAME: "admin", CONF_PASSWORD: "wrong"}
    )
    assert result["errors"] == {"base": "invalid_auth"}

    mock_adapter.check_credentials.side_effect = None
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_USERNAME: "operator", CONF_PASSWORD: "new"}
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "reauth_successful"
    assert mock_config_entry.data[CONF_USERNAME] == "operator"
    assert mock_config_entry.data[CONF_PASSWORD] == "new"


async def test_reconfigure(
    hass: HomeAssistant, mock_adapter: MagicMock, mock_config_entry: MockConfigEntry
) -> None:
    """The address changes, with the unique id; errors recover."""
    mock_config_entry.add_to_hass(hass)
    result = await mock_config_entry.start_reconfigure_flow(hass)
    assert result["step_id"] == "reconfigure"

    new = {**USER_INPUT, CONF_HOST: "10.0.0.5", CONF_PORT: 6600}
    mock_adapter.check_credentials.side_effect = AcsConnectionError("down")
    result = await hass.config_entries.flow.async_configure(result["flow_id"], new)
    assert result["errors"] == {"base": "cannot_connect"}

    mock_adapter.check_credentials.side_effect = None
    result = await hass.config_entries.flow.async_configure(result["flow_id"], new)
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "reconfigure_successful"
    assert mock_config_entry.unique_id == "10.0.0.5:6600"
    assert mock_config_entry.data[CONF_HOST] == "10.0.0.5"
    assert mock_config_entry.title == "10.0.0.5:6600"


async def test_reconfigure_same_server(
    hass: HomeAssistant, mock_adapter: MagicMock, mock_config_entry: MockConfigEntry
) -> None:
    """Changing only the account keeps the unique id."""
    mock_config_entry.add_to_hass(hass)
    result = await mock_config_entry.start_reconfigure_flow(hass)
    new = {**USER_INPUT, CONF_HOST: "127.0.0.1", CONF_USERNAME: "operator"}
    result = await hass.config_entries.flow.async_configure(result["flow_id"], new)
    assert result["reason"] == "reconfigure_successful"
    assert mock_config_entry.unique_id == "127.0.0.1:6500"
    assert mock_config_entry.data[CONF_USERNAME] == "operator"


async def test_reconfigure_to_another_configured_server(
    hass: HomeAssistant, mock_adapter: MagicMock, mock_config_entry: MockConfigEntry
) -> None:
    """Reconfiguring onto a server that has its own entry is refused."""
    mock_config_entry.add_to_hass(hass)
    MockConfigEntry(domain=DOMAIN, unique_id="10.0.0.5:6500").add_to_hass(hass)
    result = await mock_config_entry.start_reconfigure_flow(hass)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {**USER_INPUT, CONF_HOST: "10.0.0.5"}
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "already_configured"


async def test_options(
    hass: HomeAssistant, mock_adapter: MagicMock, mock_config_entry: MockConfigEntry
) -> None:
    """Options have defaults and are stored."""
    mock_config_entry.add_to_hass(hass)
    result = await hass.config_entries.options.async_init(mock_config_entry.entry_id)
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "init"
    schema = result["data_schema"].schema
    defaults = {
        key.schema: key.default()
        for key in schema
        if key.schema not in (CONF_TIME_ZONE, CONF_UNLOCK_CODE)
    }
    assert defaults == {
        CONF_EVENT_INTERVAL: 1.0,
        CONF_STATE_INTERVAL: 10,
        CONF_ALARM_NOTIFICATIONS: True,
        CONF_REPLAY_MINUTES: 10,
    }
    options = {
        CONF_EVENT_INTERVAL: 0.5,
        CONF_STATE_INTERVAL: 30,
        CONF_ALARM_NOTIFICATIONS: False,
        CONF_REPLAY_MINUTES: 0,
    }
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], options
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert mock_config_entry.options == options


async def test_options_time_zone(
    hass: HomeAssistant, mock_adapter: MagicMock, mock_config_entry: MockConfigEntry
) -> None:
    """An unknown zone shows an error; a known one is stored, blanks are dropped."""
    mock_config_entry.add_to_hass(hass)
    base = {
        CONF_EVENT_INTERVAL: 1.0,
        CONF_STATE_INTERVAL: 10,
        CONF_ALARM_NOTIFICATIONS: True,
        CONF_REPLAY_MINUTES: 10,
    }
    result = await hass.config_entries.options.async_init(mock_config_entry.entry_id)
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {**base, CONF_TIME_ZONE: "Mars/Olympus_Mons"}
    )
    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {CONF_TIME_ZONE: "invalid_time_zone"}
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {**base, CONF_TIME_ZONE: " Asia/Shanghai "}
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert mock_config_entry.options == {**base, CONF_TIME_ZONE: "Asia/Shanghai"}

    result = await hass.config_entries.options.async_init(mock_config_entry.entry_id)
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {**base, CONF_TIME_ZONE: ""}
    )
    assert mock_config_entry.options == base


BASE_OPTIONS = {
    CONF_EVENT_INTERVAL: 1.0,
    CONF_STATE_INTERVAL: 10,
    CONF_ALARM_NOTIFICATIONS: True,
    CONF_REPLAY_MINUTES: 10,
}


async def _set_options(
    hass: HomeAssistant, entry: MockConfigEntry, user_input: dict
) -> dict:
    result = await hass.config_entries.options.async_init(entry.entry_id)
    return await hass.config_entries.options.async_configure(
        result["flow_id"], {**BASE_OPTIONS, **user_input}
    )


async def test_options_unlock_code_set_keep_remove(
    hass: HomeAssistant, mock_adapter: MagicMock, mock_config_entry: MockConfigEntry
) -> None:
    """The unlock code is stored as a salted hash, kept when left empty, removed."""
    mock_config_entry.add_to_hass(hass)
    result = await hass.config_entries.options.async_init(mock_config_entry.entry_id)
    fields = {key.schema for key in result["data_schema"].schema}
    assert CONF_UNLOCK_CODE in fields
    assert CONF_REMOVE_UNLOCK_CODE not in fields  # nothing to remove yet

    result = await _set_options(hass, mock_config_entry, {CONF_UNLOCK_CODE: "2468"})
    assert result["type"] is FlowResultType.CREATE_ENTRY
    stored = mock_config_entry.options[CONF_UNLOCK_CODE_HASH]
    assert set(mock_config_entry.options) == {*BASE_OPTIONS, CONF_UNLOCK_CODE_HASH}
    assert "2468" not in repr(dict(mock_config_entry.options))
    assert verify_unlock_code("2468", stored)
    assert not verify_unlock_code("2469", stored)

    # The same code again gets another salt.
    result = await _set_options(hass, mock_config_entry, {CONF_UNLOCK_CODE: "2468"})
    assert mock_config_entry.options[CONF_UNLOCK_CODE_HASH] != stored
    stored = mock_config_entry.options[CONF_UNLOCK_CODE_HASH]

    # Left empty: the current code stays.
    result = await hass.config_entries.options.async_init(mock_config_entry.entry_id)
    assert CONF_REMOVE_UNLOCK_CODE in {
        key.schema for key in result["data_schema"].schema
    }
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {**BASE_OPTIONS, CONF_STATE_INTERVAL: 20}
    )
    assert mock_config_entry.options[CONF_UNLOCK_CODE_HASH] == stored
    assert mock_config_entry.options[CONF_STATE_INTERVAL] == 20

    result = await _set_options(
        hass, mock_config_entry, {CONF_REMOVE_UNLOCK_CODE: True}
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert dict(mock_config_entry.options) == BASE_OPTIONS


@pytest.mark.parametrize(
    ("user_input", "errors"),
    [
        ({CONF_UNLOCK_CODE: "123"}, {CONF_UNLOCK_CODE: "invalid_unlock_code"}),
        ({CONF_UNLOCK_CODE: "12ab"}, {CONF_UNLOCK_CODE: "invalid_unlock_code"}),
        (
            {CONF_UNLOCK_CODE: "1234567890123"},
            {CONF_UNLOCK_CODE: "invalid_unlock_code"},
        ),
        (
            {CONF_UNLOCK_CODE: "1234", CONF_REMOVE_UNLOCK_CODE: True},
            {"base": "unlock_code_conflict"},
        ),
    ],
)
async def test_options_unlock_code_errors(
    hass: HomeAssistant,
    mock_adapter: MagicMock,
    mock_config_entry: MockConfigEntry,
    user_input: dict,
    errors: dict,
) -> None:
    """A code of the wrong form, or a code with its removal, shows an error."""
    mock_config_entry.add_to_hass(hass)
    hass.config_entries.async_update_entry(
        mock_config_entry, options={CONF_UNLOCK_CODE_HASH: "kept"}
    )
    result = await _set_options(hass, mock_config_entry, user_input)
    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == errors
    assert dict(mock_config_entry.options) == {CONF_UNLOCK_CODE_HASH: "kept"}
    # The code typed is not offered back on the form.
    for key in result["data_schema"].schema:
        if key.schema == CONF_UNLOCK_CODE:
            assert not (key.description or {}).get("suggested_value")


async def test_unverifiable_certificate_in_reauth_and_reconfigure(
    hass: HomeAssistant, mock_adapter: MagicMock, mock_config_entry: MockConfigEntry
) -> None:
    """A certificate that cannot be verified says so, not "cannot connect"."""
    mock_config_entry.add_to_hass(hass)
    mock_adapter.check_credentials.side_effect = AcsCertificateError("self-signed")
    result = await mock_config_entry.start_reauth_flow(hass)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_USERNAME: "admin", CONF_PASSWORD: "pw"}
    )
    assert result["errors"] == {"base": "invalid_certificate"}

    result = await mock_config_entry.start_reconfigure_flow(hass)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {**USER_INPUT, CONF_SSL: True}
    )
    assert result["errors"] == {"base": "invalid_certificate"}
    mock_adapter.check_credentials.side_effect = None
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {**USER_INPUT, CONF_SSL: True, CONF_VERIFY_SSL: False}
    )
    assert result["reason"] == "reconfigure_successful"
