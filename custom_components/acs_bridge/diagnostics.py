"""Diagnostics of ACS Bridge: the server's shape, credentials and people redacted."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from homeassistant.components.diagnostics import async_redact_data
from homeassistant.const import CONF_HOST, CONF_PASSWORD, CONF_USERNAME
from homeassistant.core import HomeAssistant

from . import AcsConfigEntry

TO_REDACT_ENTRY = {CONF_PASSWORD, CONF_USERNAME, CONF_HOST, "unique_id", "title"}
TO_REDACT_ALARM = {"card_no", "user_id", "user_no", "user_name", "org_name"}


async def async_get_config_entry_diagnostics(
    hass: HomeAssistant, entry: AcsConfigEntry
) -> dict[str, Any]:
    """Return the entry's diagnostics."""
    coordinator = entry.runtime_data.coordinator
    data = coordinator.data
    adapter = coordinator.adapter
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
        "events": {
            "cursor": entry.runtime_data.events.cursor,
            "delivered": entry.runtime_data.events.delivered,
            "replayed": entry.runtime_data.events.replayed,
            "held_records": entry.runtime_data.events.held_records,
        },
        "door_modes": entry.runtime_data.door_modes.as_dict(),
        "site": {
            "areas": [asdict(area) for area in data.areas.values()],
            "controllers": [
                {**asdict(controller), "address": "**REDACTED**"}
                for controller in data.controllers.values()
            ],
            "doors": [asdict(door) for door in data.doors.values()],
            "door_states": [asdict(state) for state in data.door_states.values()],
            "area_people": data.area_people,
            "alarms": [
                async_redact_data(asdict(alarm), TO_REDACT_ALARM)
                for alarm in data.alarms.values()
            ],
        },
    }
