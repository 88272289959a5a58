"""The unique id and device identifier formats: users' registries are keyed by them."""

from __future__ import annotations

from custom_components.acs_bridge.identifiers import (
    HUB_KEY,
    area_key,
    controller_identifier,
    controller_key,
    door_id_from_identifier,
    door_id_from_unique_id,
    door_identifier,
    door_key,
    entity_unique_id,
    hub_identifier,
)

ENTRY = "01JACSBRIDGE0000000000TEST"


def test_formats_never_change() -> None:
    """The exact strings of every release so far."""
    assert hub_identifier(ENTRY) == ENTRY
    assert controller_identifier(ENTRY, "c1") == f"{ENTRY}_controller_c1"
    assert door_identifier(ENTRY, "d1") == f"{ENTRY}_door_d1"
    assert entity_unique_id(ENTRY, HUB_KEY, "last_poll") == f"{ENTRY}_hub_last_poll"
    assert (
        entity_unique_id(ENTRY, controller_key("c1"), "connectivity")
        == f"{ENTRY}_controller_c1_connectivity"
    )
    assert (
        entity_unique_id(ENTRY, door_key("d1"), "access") == f"{ENTRY}_door_d1_access"
    )
    assert (
        entity_unique_id(ENTRY, area_key(2), "area_people")
        == f"{ENTRY}_area_2_area_people"
    )


def test_door_id_from_identifier() -> None:
    """Only an entry's door identifiers name a door; the door id is given back whole."""
    assert door_id_from_identifier(ENTRY, door_identifier(ENTRY, "d1")) == "d1"
    assert door_id_from_identifier(ENTRY, door_identifier(ENTRY, "a_door_b")) == (
        "a_door_b"
    )
    assert door_id_from_identifier(ENTRY, hub_identifier(ENTRY)) is None
    assert (
        door_id_from_identifier(ENTRY, controller_identifier(ENTRY, "x_door_y")) is None
    )
    assert door_id_from_identifier("OTHER", door_identifier(ENTRY, "d1")) is None
    assert door_id_from_identifier(ENTRY, f"{ENTRY}_door_") is None


def test_door_id_from_unique_id() -> None:
    """A door entity's unique id gives its door back; others give None."""
    unique_id = entity_unique_id("E", door_key("d_1"), "lock")
    assert door_id_from_unique_id("E", unique_id, "lock") == "d_1"
    assert door_id_from_unique_id("E", unique_id, "work_mode") is None
    assert door_id_from_unique_id("F", unique_id, "lock") is None
    assert door_id_from_unique_id("E", "E_door__lock", "lock") is None
