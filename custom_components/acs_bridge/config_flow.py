"""Config flow of ACS Bridge: add a server, re-authenticate, reconfigure, options."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from homeassistant.config_entries import (
    ConfigFlow,
    ConfigFlowResult,
    OptionsFlow,
)
from homeassistant.const import (
    CONF_HOST,
    CONF_PASSWORD,
    CONF_PORT,
    CONF_SSL,
    CONF_USERNAME,
    CONF_VERIFY_SSL,
)
from homeassistant.core import callback
from homeassistant.helpers.selector import (
    BooleanSelector,
    NumberSelector,
    NumberSelectorConfig,
    NumberSelectorMode,
    SelectOptionDict,
    SelectSelector,
    SelectSelectorConfig,
    SelectSelectorMode,
    TextSelector,
    TextSelectorConfig,
    TextSelectorType,
)
from homeassistant.util import dt as dt_util
import voluptuous as vol

from .adapters import (
    AcsAccountLockedError,
    AcsAdapter,
    AcsAuthenticationError,
    AcsCertificateError,
    AcsConnectionError,
    AcsError,
    AcsPermissionError,
    available_adapters,
)
from .commands import hash_unlock_code, valid_unlock_code
from .const import (
    CONF_ADAPTER,
    CONF_ALARM_NOTIFICATIONS,
    CONF_COMMAND_PASSWORD,
    CONF_EVENT_INTERVAL,
    CONF_REMOVE_UNLOCK_CODE,
    CONF_REPLAY_MINUTES,
    CONF_STATE_INTERVAL,
    CONF_TIME_ZONE,
    CONF_UNLOCK_CODE,
    CONF_UNLOCK_CODE_HASH,
    DEFAULT_ALARM_NOTIFICATIONS,
    DEFAULT_REPLAY_MINUTES,
    DEFAULT_STATE_INTERVAL,
    DOMAIN,
    LOGGER,
    MAX_REPLAY_MINUTES,
    MAX_STATE_INTERVAL,
    MIN_STATE_INTERVAL,
)
from .login_state import async_load_login_state, async_save_login_state
from .runtime import AcsConfigEntry, adapter_class, create_adapter, locked_minutes

_PASSWORD = TextSelector(TextSelectorConfig(type=TextSelectorType.PASSWORD))


def _connection_schema(
    defaults: Mapping[str, Any], adapter: type[AcsAdapter]
) -> vol.Schema:
    """Return the connection form, with the port and TLS the adapter uses by default."""
    return vol.Schema(
        {
            vol.Required(
                CONF_HOST, default=defaults.get(CONF_HOST, "")
            ): TextSelector(),
            vol.Required(
                CONF_PORT, default=defaults.get(CONF_PORT, adapter.default_port)
            ): vol.All(
                NumberSelector(
                    NumberSelectorConfig(min=1, max=65535, mode=NumberSelectorMode.BOX)
                ),
                vol.Coerce(int),
            ),
            vol.Required(
                CONF_USERNAME, default=defaults.get(CONF_USERNAME, "")
            ): TextSelector(),
            vol.Required(CONF_PASSWORD): _PASSWORD,
            vol.Required(
                CONF_SSL, default=defaults.get(CONF_SSL, adapter.default_ssl)
            ): BooleanSelector(),
            vol.Required(
                CONF_VERIFY_SSL, default=defaults.get(CONF_VERIFY_SSL, True)
            ): BooleanSelector(),
        }
    )


def normalise_host(host: str) -> str:
    """Return the host as it identifies a server (no scheme, slash or case)."""
    host = host.strip()
    for scheme in ("http://", "https://"):
        if host.lower().startswith(scheme):
            host = host[len(scheme) :]
    return host.strip("/").lower()


def server_unique_id(host: str, port: int) -> str:
    """Return the unique id of a server."""
    return f"{normalise_host(host)}:{int(port)}"


class AcsBridgeConfigFlow(ConfigFlow, domain=DOMAIN):
    """Add an access-control server."""

    VERSION = 1
    MINOR_VERSION = 2

    def __init__(self) -> None:
        """Start with no adapter chosen."""
        self._adapter: str | None = None
        self._identity: str | None = None
        self._placeholders: dict[str, str] = {"minutes": "?"}

    @staticmethod
    @callback
    def async_get_options_flow(config_entry: AcsConfigEntry) -> AcsBridgeOptionsFlow:
        """Return the options flow."""
        return AcsBridgeOptionsFlow()

    async def _async_test(self, data: Mapping[str, Any]) -> str | None:
        """Check the server and the account; return an error key or None.

        Refused logins are counted across attempts and restarts
        (login_state.py), so the flow never locks the account; the server's
        own id, when it has one, is kept in ``self._identity``.
        """
        adapter = create_adapter(
            self.hass,
            dict(data),
            login_state=await async_load_login_state(self.hass, data),
        )
        self._identity = None
        try:
            await adapter.check_credentials()
            self._identity = adapter.identity()
        except AcsAccountLockedError as err:
            if err.retry_after is None:  # the server does not say until when
                return "invalid_auth"
            self._placeholders["minutes"] = locked_minutes(err)
            return "locked_out"
        except AcsAuthenticationError:
            return "invalid_auth"
        except AcsPermissionError:
            return "missing_permission"
        except AcsCertificateError:
            return "invalid_certificate"
        except AcsConnectionError:
            return "cannot_connect"
        except AcsError as err:
            LOGGER.debug("The server answered, but not as expected: %s", err)
            return "cannot_connect"
        except Exception:  # noqa: BLE001 - any failure must show on the form
            LOGGER.exception("Unexpected error while checking the server")
            return "unknown"
        finally:
            await async_save_login_state(self.hass, data, adapter)
            await adapter.close()
        return None

    async def async_step_user(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Ask for the server's address and account."""
        adapters = await self.hass.async_add_executor_job(available_adapters)
        if self._adapter is None:
            if len(adapters) > 1:
                return await self.async_step_adapter()
            self._adapter = next(iter(adapters))

        errors: dict[str, str] = {}
        if user_input is not None:
            user_input[CONF_HOST] = normalise_host(user_input[CONF_HOST])
            await self.async_set_unique_id(
                server_unique_id(user_input[CONF_HOST], user_input[CONF_PORT])
            )
            self._abort_if_unique_id_configured()
            data = {**user_input, CONF_ADAPTER: self._adapter}
            if not (error := await self._async_test(data)):
                if self._identity:
                    # The device's own id (its serial number) names the entry.
                    await self.async_set_unique_id(self._identity)
                    self._abort_if_unique_id_configured(updates=user_input)
                return self.async_create_entry(
                    title=f"{user_input[CONF_HOST]}:{user_input[CONF_PORT]}",
                    data=data,
                )
            errors["base"] = error

        return self.async_show_form(
            step_id="user",
            data_schema=self.add_suggested_values_to_schema(
                _connection_schema({}, adapters[self._adapter]), user_input
            ),
            errors=errors,
            description_placeholders=self._placeholders,
        )

    async def async_step_adapter(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Choose the server's protocol when more than one is installed."""
        if user_input is not None:
            self._adapter = user_input[CONF_ADAPTER]
            return await self.async_step_user()
        adapters = await self.hass.async_add_executor_job(available_adapters)
        options = [
            SelectOptionDict(value=key, label=adapter.name)
            for key, adapter in adapters.items()
        ]
        return self.async_show_form(
            step_id="adapter",
            data_schema=vol.Schema(
                {
                    vol.Required(
                        CONF_ADAPTER, default=next(iter(adapters))
                    ): SelectSelector(
                        SelectSelectorConfig(
                            options=options, mode=SelectSelectorMode.LIST
                        )
                    )
                }
            ),
        )

    async def async_step_reauth(
        self, entry_data: Mapping[str, Any]
    ) -> ConfigFlowResult:
        """Start re-authentication."""
        return await self.async_step_reauth_confirm()

    async def async_step_reauth_confirm(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Ask for a new account."""
        entry = self._get_reauth_entry()
        errors: dict[str, str] = {}
        if user_input is not None:
            data = {**entry.data, **user_input}
            if not (error := await self._async_test(data)):
                return self.async_update_reload_and_abort(
                    entry, data_updates=user_input
                )
            errors["base"] = error
        return self.async_show_form(
            step_id="reauth_confirm",
            data_schema=vol.Schema(
                {
                    vol.Required(
                        CONF_USERNAME, default=entry.data.get(CONF_USERNAME, "")
                    ): TextSelector(),
                    vol.Required(CONF_PASSWORD): _PASSWORD,
                }
            ),
            description_placeholders={"host": entry.title, **self._placeholders},
            errors=errors,
        )

    async def async_step_reconfigure(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Change the server's address or account."""
        entry = self._get_reconfigure_entry()
        errors: dict[str, str] = {}
        if user_input is not None:
            user_input[CONF_HOST] = normalise_host(user_input[CONF_HOST])
            unique_id = server_unique_id(user_input[CONF_HOST], user_input[CONF_PORT])
            if (
                unique_id != entry.unique_id
                and not adapter_class(dict(entry.data)).identified_by_device
            ):
                await self.async_set_unique_id(unique_id)
                self._abort_if_unique_id_configured()
            data = {**entry.data, **user_input}
            if not (error := await self._async_test(data)):
                if self._identity:
                    unique_id = self._identity
                    if unique_id != entry.unique_id:
                        # Another device at that address: not this entry's.
                        await self.async_set_unique_id(unique_id)
                        self._abort_if_unique_id_mismatch()
                return self.async_update_reload_and_abort(
                    entry,
                    unique_id=unique_id,
                    title=f"{user_input[CONF_HOST]}:{user_input[CONF_PORT]}",
                    data_updates=user_input,
                )
            errors["base"] = error
        return self.async_show_form(
            step_id="reconfigure",
            data_schema=_connection_schema(
                user_input or entry.data, adapter_class(dict(entry.data))
            ),
            errors=errors,
            description_placeholders=self._placeholders,
        )


class AcsBridgeOptionsFlow(OptionsFlow):
    """Tune polling and notifications, set the unlock code; applied by a reload."""

    async def async_step_init(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Show the options."""
        errors: dict[str, str] = {}
        current_hash = self.config_entry.options.get(CONF_UNLOCK_CODE_HASH)
        if user_input is not None:
            # The code is never kept as typed, nor shown again on the form.
            code = str(user_input.pop(CONF_UNLOCK_CODE, "") or "").strip()
            remove = bool(user_input.pop(CONF_REMOVE_UNLOCK_CODE, False))
            zone = user_input.get(CONF_TIME_ZONE, "").strip()
            if zone and await dt_util.async_get_time_zone(zone) is None:
                errors[CONF_TIME_ZONE] = "invalid_time_zone"
            if code and not valid_unlock_code(code):
                errors[CONF_UNLOCK_CODE] = "invalid_unlock_code"
            elif code and remove:
                errors["base"] = "unlock_code_conflict"
            if not errors:
                if zone:
                    user_input[CONF_TIME_ZONE] = zone
                else:
                    user_input.pop(CONF_TIME_ZONE, None)
                if code:
                    hashed = await self.hass.async_add_executor_job(
                        hash_unlock_code, code
                    )
                    user_input[CONF_UNLOCK_CODE_HASH] = hashed
                elif current_hash and not remove:
                    user_input[CONF_UNLOCK_CODE_HASH] = current_hash
                return self.async_create_entry(data=user_input)
        options = {**self.config_entry.options, **(user_input or {})}
        fields: dict[vol.Marker, Any] = {}
        try:
            adapter = adapter_class(dict(self.config_entry.data))
        except KeyError:  # the adapter was uninstalled
            polling, command_password = None, False
        else:
            polling = adapter.event_polling
            command_password = adapter.uses_command_password
        if polling is not None:
            # Only a feed that polls has an interval, within the adapter's bounds.
            fields[
                vol.Required(
                    CONF_EVENT_INTERVAL,
                    default=options.get(CONF_EVENT_INTERVAL, polling.default),
                )
            ] = NumberSelector(
                NumberSelectorConfig(
                    min=polling.minimum,
                    max=polling.maximum,
                    step=0.1,
                    unit_of_measurement="s",
                    mode=NumberSelectorMode.SLIDER,
                )
            )
        fields |= {
            vol.Required(
                CONF_STATE_INTERVAL,
                default=options.get(CONF_STATE_INTERVAL, DEFAULT_STATE_INTERVAL),
            ): vol.All(
                NumberSelector(
                    NumberSelectorConfig(
                        min=MIN_STATE_INTERVAL,
                        max=MAX_STATE_INTERVAL,
                        step=1,
                        unit_of_measurement="s",
                        mode=NumberSelectorMode.BOX,
                    )
                ),
                vol.Coerce(int),
            ),
            vol.Required(
                CONF_ALARM_NOTIFICATIONS,
                default=options.get(
                    CONF_ALARM_NOTIFICATIONS, DEFAULT_ALARM_NOTIFICATIONS
                ),
            ): BooleanSelector(),
            vol.Required(
                CONF_REPLAY_MINUTES,
                default=options.get(CONF_REPLAY_MINUTES, DEFAULT_REPLAY_MINUTES),
            ): vol.All(
                NumberSelector(
                    NumberSelectorConfig(
                        min=0,
                        max=MAX_REPLAY_MINUTES,
                        step=1,
                        unit_of_measurement="min",
                        mode=NumberSelectorMode.BOX,
                    )
                ),
                vol.Coerce(int),
            ),
            vol.Optional(
                CONF_TIME_ZONE,
                description={"suggested_value": options.get(CONF_TIME_ZONE)},
            ): TextSelector(),
            vol.Optional(CONF_UNLOCK_CODE): _PASSWORD,
        }
        if command_password:
            # The device's own password for door commands (not Home Assistant's code).
            fields[
                vol.Optional(
                    CONF_COMMAND_PASSWORD,
                    description={"suggested_value": options.get(CONF_COMMAND_PASSWORD)},
                )
            ] = _PASSWORD
        if current_hash:
            fields[vol.Optional(CONF_REMOVE_UNLOCK_CODE, default=False)] = (
                BooleanSelector()
            )
        return self.async_show_form(
            step_id="init", data_schema=vol.Schema(fields), errors=errors
        )
