"""Diagnostics of ACS Bridge: the server's shape, credentials and people redacted."""

from __future__ import annotations

from dataclasses import asdict
import ipaddress
import re
from typing import Any

from homeassistant.components.diagnostics import async_redact_data
from homeassistant.const import CONF_HOST, CONF_PASSWORD, CONF_USERNAME
from homeassistant.core import HomeAssistant

from .commands import unlock_code_set
from .const import CONF_COMMAND_PASSWORD, CONF_UNLOCK_CODE_HASH
from .runtime import AcsConfigEntry

TO_REDACT_ENTRY = {
    CONF_PASSWORD,
    CONF_USERNAME,
    CONF_HOST,
    CONF_UNLOCK_CODE_HASH,
    CONF_COMMAND_PASSWORD,
    "unique_id",
    "title",
}
TO_REDACT_ALARM = {"card_no", "user_id", "user_no", "user_name", "org_name"}
REDACTED = "**REDACTED**"
_IPV4 = re.compile(r"(?<![\d.])\d{1,3}(?:\.\d{1,3}){3}(?![\d.])")


def redact_addresses(name: str | None) -> str | None:
    """Redact a name that is (or holds) an IP address, as addresses are.

    Servers often name a controller by its address.
    """
    if not name:
        return name
    try:
        ipaddress.ip_address(name.strip().strip("[]"))
    except ValueError:
        return _IPV4.sub(REDACTED, name)
    return REDACTED


def _site_object(obj: Any, **extra: Any) -> dict[str, Any]:
    """Return an object of the site with its controller name redacted."""
    data: dict[str, Any] = {**asdict(obj), **extra}
    if "controller_name" in data:
        data["controller_name"] = redact_addresses(data["controller_name"])
    return data


def _device_identities(entry: AcsConfigEntry) -> set[str]:
    """Return the serial numbers and MAC addresses of the server and controllers."""
    coordinator = entry.runtime_data.coordinator
    described = coordinator.adapter.describe()
    values = {described.serial, described.mac}
    values |= {c.serial for c in coordinator.data.controllers.values()}
    return {value for value in values if value}


def _redact_values(value: Any, secrets: set[str]) -> Any:
    """Replace every string that is one of ``secrets``.

    A controller's id may be its serial number, and so its doors' and alarms'
    controller ids.
    """
    if isinstance(value, str):
        return REDACTED if value in secrets else value
    if isinstance(value, dict):
        return {key: _redact_values(item, secrets) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_redact_values(item, secrets) for item in value]
    return value


async def async_get_config_entry_diagnostics(
    hass: HomeAssistant, entry: AcsConfigEntry
) -> dict[str, Any]:
    """Return the entry's diagnostics: serial numbers and MAC addresses redacted."""
    redacted: dict[str, Any] = _redact_values(
        _diagnostics(entry), _device_identities(entry)
    )
    return redacted


def _diagnostics(entry: AcsConfigEntry) -> dict[str, Any]:
    coordinator = entry.runtime_data.coordinator
    data = coordinator.data
    adapter = coordinator.adapter
    guard = entry.runtime_data.code_guard
    return {
        "entry": async_redact_data(
            {"data": dict(entry.data), "options": dict(entry.options)}, TO_REDACT_ENTRY
        ),
        "adapter": {
            "key": adapter.key,
            "name": adapter.name,
            "capabilities": sorted(adapter.capabilities),
        },
        "polling": {
            "last_update_success": coordinator.last_update_success,
            "update_interval": coordinator.update_interval.total_seconds()
            if coordinator.update_interval
            else None,
            "door_state_budget": coordinator.door_state_budget,
        },
        "events": entry.runtime_data.events.diagnostics(),
        "unlock_code": {
            "set": unlock_code_set(entry),
            "wrong_codes": guard.wrong_codes,
            "locked_until": guard.locked_until.isoformat()
            if guard.locked_until
            else None,
        },
        "door_modes": entry.runtime_data.door_modes.as_dict(),
        "site": {
            "areas": [asdict(area) for area in data.areas.values()],
            "controllers": [
                _site_object(
                    controller,
                    address=REDACTED,
                    name=redact_addresses(controller.name),
                )
                for controller in data.controllers.values()
            ],
            "doors": [_site_object(door) for door in data.doors.values()],
            "door_states": [asdict(state) for state in data.door_states.values()],
            "area_people": data.area_people,
            "alarms": [
                async_redact_data(_site_object(alarm), TO_REDACT_ALARM)
                for alarm in data.alarms.values()
            ],
        },
    }
