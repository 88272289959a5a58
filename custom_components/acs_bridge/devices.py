"""The device registry: the hub, controller and door devices of an entry.

The coordinator reads the server; this module writes what it read into Home
Assistant's device registry and finds an entry's devices again. Manufacturer
and model come from the adapter's data, never from a constant here.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping

from homeassistant.config_entries import ConfigEntry
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers import device_registry as dr

from .adapters import Controller, DeviceDescription, Door
from .const import DOMAIN, LOGGER
from .identifiers import (
    controller_id_from_identifier,
    controller_identifier,
    door_id_from_identifier,
    door_identifier,
    hub_identifier,
)

#: What a device of an entry stands for: ("controller" or "door", its id).
type DeviceObject = tuple[str, str]
CONTROLLER = "controller"
DOOR = "door"


def async_get_entry_device(
    hass: HomeAssistant, entry: ConfigEntry, identifier: str
) -> dr.DeviceEntry | None:
    """Return this entry's device with an identifier."""
    registry = dr.async_get(hass)
    # Home Assistant 2026.9 made identifiers unique per config entry and
    # deprecated the lookup by identifiers alone; 2025.4 has only that one.
    if hasattr(registry, "async_get_device_by_identifier"):
        device: dr.DeviceEntry | None = registry.async_get_device_by_identifier(
            (DOMAIN, identifier), entry.entry_id
        )
        return device
    return registry.async_get_device(identifiers={(DOMAIN, identifier)})


def async_get_door_device_id(
    hass: HomeAssistant, entry: ConfigEntry, door_id: str | None
) -> str | None:
    """Return the id of this entry's device of a door, if there is one."""
    if not door_id:
        return None
    device = async_get_entry_device(
        hass, entry, door_identifier(entry.entry_id, door_id)
    )
    return device.id if device else None


def device_object(entry_id: str, device: dr.DeviceEntry) -> DeviceObject | None:
    """Return what a device of the entry stands for (None: the hub, or not ours)."""
    for domain, ident in device.identifiers:
        if domain != DOMAIN:
            continue
        if (
            controller_id := controller_id_from_identifier(entry_id, ident)
        ) is not None:
            return CONTROLLER, controller_id
        if (door_id := door_id_from_identifier(entry_id, ident)) is not None:
            return DOOR, door_id
    return None


@callback
def async_entry_device_objects(
    hass: HomeAssistant, entry: ConfigEntry
) -> list[DeviceObject]:
    """Return the controllers and doors the entry has devices for (an earlier run's)."""
    registry = dr.async_get(hass)
    found = (
        device_object(entry.entry_id, device)
        for device in dr.async_entries_for_config_entry(registry, entry.entry_id)
    )
    return [item for item in found if item is not None]


@callback
def async_sync_devices(
    hass: HomeAssistant,
    entry: ConfigEntry,
    *,
    hub: DeviceDescription,
    controllers: Mapping[str, Controller],
    doors: Mapping[str, Door],
    door_names: Mapping[str, str],
    kept_controllers: Collection[str],
    kept_doors: Collection[str],
) -> None:
    """Create the hub, controller and door devices; remove those that are gone.

    A device is removed only once its door or controller is no longer kept
    (``structure.py`` keeps what goes missing from one listing).

    Devices are linked with ``via_device_id`` after they exist: Home
    Assistant 2026 deprecates linking by identifiers (``via_device``), and
    2025.4 offers ``via_device_id`` only when updating a device.
    """
    registry = dr.async_get(hass)
    hub_device = registry.async_get_or_create(
        config_entry_id=entry.entry_id,
        identifiers={(DOMAIN, hub_identifier(entry.entry_id))},
        manufacturer=hub.manufacturer,
        model=hub.model,
        name=entry.title,
        serial_number=hub.serial,
        sw_version=hub.firmware,
    )
    parents: dict[str, str] = {}
    for controller in controllers.values():
        device = registry.async_get_or_create(
            config_entry_id=entry.entry_id,
            identifiers={
                (DOMAIN, controller_identifier(entry.entry_id, controller.id))
            },
            manufacturer=controller.manufacturer or hub.manufacturer,
            model=controller.model,
            name=controller.name,
            serial_number=controller.serial,
            suggested_area=controller.area_name,
        )
        parents[controller.id] = device.id
        if device.via_device_id != hub_device.id:
            registry.async_update_device(device.id, via_device_id=hub_device.id)
    for door in doors.values():
        device = registry.async_get_or_create(
            config_entry_id=entry.entry_id,
            identifiers={(DOMAIN, door_identifier(entry.entry_id, door.id))},
            manufacturer=hub.manufacturer,
            model=door.model,
            name=door_names.get(door.id, door.name),
            suggested_area=door.area_name,
        )
        via = parents.get(door.controller_id, hub_device.id)
        if device.via_device_id != via:
            registry.async_update_device(device.id, via_device_id=via)
    current = {hub_identifier(entry.entry_id)}
    current.update(controller_identifier(entry.entry_id, c) for c in kept_controllers)
    current.update(door_identifier(entry.entry_id, d) for d in kept_doors)
    for device in dr.async_entries_for_config_entry(registry, entry.entry_id):
        ids = {ident for domain, ident in device.identifiers if domain == DOMAIN}
        if ids and not ids & current:
            LOGGER.debug("Removing device %s: gone from the server", device.name)
            registry.async_remove_device(device.id)
