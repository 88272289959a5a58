"""The formats of entity unique ids and device identifiers, each in one place.

Users' entity and device registries are keyed by these strings: they never
change. Every module builds (and reads) them through these functions.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final

#: The object key of the server itself.
HUB_KEY: Final = "hub"


def controller_key(controller_id: str) -> str:
    """Return the object key of a controller."""
    return f"controller_{controller_id}"


def door_key(door_id: str) -> str:
    """Return the object key of a door."""
    return f"door_{door_id}"


def area_key(area_id: int) -> str:
    """Return the object key of an area."""
    return f"area_{area_id}"


def entity_unique_id(entry_id: str, object_key: str, key: str) -> str:
    """Return the unique id of an entity: its entry, its object and its description."""
    return f"{entry_id}_{object_key}_{key}"


def hub_identifier(entry_id: str) -> str:
    """Return the device identifier of the server itself."""
    return entry_id


def controller_identifier(entry_id: str, controller_id: str) -> str:
    """Return the device identifier of a controller."""
    return f"{entry_id}_{controller_key(controller_id)}"


def door_identifier(entry_id: str, door_id: str) -> str:
    """Return the device identifier of a door."""
    return f"{entry_id}_{door_key(door_id)}"


def door_id_from_identifier(entry_id: str, identifier: str) -> str | None:
    """Return the door id of an entry's door device identifier, else None."""
    prefix = door_identifier(entry_id, "")
    if identifier.startswith(prefix) and len(identifier) > len(prefix):
        return identifier[len(prefix) :]
    return None


def controller_id_from_identifier(entry_id: str, identifier: str) -> str | None:
    """Return the controller id of an entry's controller device identifier, else None."""
    prefix = controller_identifier(entry_id, "")
    if identifier.startswith(prefix) and len(identifier) > len(prefix):
        return identifier[len(prefix) :]
    return None


def door_id_from_unique_id(entry_id: str, unique_id: str, key: str) -> str | None:
    """Return the door id of an entry's door entity with description ``key``, else None."""
    prefix = f"{entry_id}_{door_key('')}"
    suffix = f"_{key}"
    if not unique_id.startswith(prefix) or not unique_id.endswith(suffix):
        return None
    return unique_id[len(prefix) : -len(suffix)] or None


def server_key(data: Mapping[str, Any]) -> str:
    """Return which server an entry's stored state belongs to (host and port).

    Not an identifier of the registries: a reconfigure may change it.
    """
    return f"{str(data.get('host', '')).strip().lower()}:{data.get('port', '')}"
