"""Helpers of the Home Assistant side tests."""

from __future__ import annotations

from typing import Any

from homeassistant.core import HomeAssistant
from homeassistant.helpers import device_registry as dr, entity_registry as er
from syrupy.assertion import SnapshotAssertion

from custom_components.acs_bridge.const import DOMAIN

TEST_ENTRY_ID = "01JACSBRIDGE0000000000TEST"

# What of a registry entry is ours to decide, and the same on every Home
# Assistant version (entity ids are not: newer versions prefix the area).
_ENTRY_FIELDS = (
    "capabilities",
    "device_class",
    "disabled_by",
    "entity_category",
    "has_entity_name",
    "original_device_class",
    "original_icon",
    "original_name",
    "platform",
    "supported_features",
    "translation_key",
    "unit_of_measurement",
    "unique_id",
)


def entity_id(
    hass: HomeAssistant, domain: str, unique_id: str, entry_id: str = TEST_ENTRY_ID
) -> str:
    """Return the entity id of one of our entities by its unique id."""
    found = er.async_get(hass).async_get_entity_id(
        domain, DOMAIN, f"{entry_id}_{unique_id}"
    )
    assert found is not None, unique_id
    return found


def door_device(hass: HomeAssistant, entry_id: str, door_id: str) -> dr.DeviceEntry:
    """Return the device of a door."""
    registry = dr.async_get(hass)
    device = next(
        (
            device
            for device in dr.async_entries_for_config_entry(registry, entry_id)
            if (DOMAIN, f"{entry_id}_door_{door_id}") in device.identifiers
        ),
        None,
    )
    assert device is not None
    return device


def _plain_keys(value: Any) -> Any:
    """Write enum keys (newer versions use StrEnum attribute names) as strings."""
    if isinstance(value, dict):
        return {str(key): _plain_keys(item) for key, item in value.items()}
    return value


async def snapshot_entities(
    hass: HomeAssistant,
    snapshot: SnapshotAssertion,
    entry_id: str,
) -> None:
    """Snapshot every entity of an entry: registry entry, device name and state."""
    entity_registry = er.async_get(hass)
    device_registry = dr.async_get(hass)
    entries = er.async_entries_for_config_entry(entity_registry, entry_id)
    assert entries
    result: dict[str, Any] = {}
    for entry in sorted(entries, key=lambda e: e.unique_id):
        device = device_registry.async_get(entry.device_id) if entry.device_id else None
        state = hass.states.get(entry.entity_id)
        result[entry.unique_id] = {
            "device": device.name if device else None,
            "entry": _plain_keys(
                {field: getattr(entry, field) for field in _ENTRY_FIELDS}
            ),
            "state": None
            if state is None
            else {
                "state": state.state,
                "attributes": _plain_keys(
                    {
                        key: value
                        for key, value in sorted(state.attributes.items())
                        if key != "friendly_name"
                    }
                ),
                "friendly_name": state.attributes.get("friendly_name"),
            },
        }
    assert result == snapshot
