"""Logbook entries of access events."""

from __future__ import annotations

from homeassistant.core import Event, HomeAssistant

from custom_components.acs_bridge.const import EVENT_ACCESS
from custom_components.acs_bridge.logbook import access_message, async_describe_events

from .sim_fixtures import SimSetup

EN = {
    "component.acs_bridge.entity.event.access.state_attributes.event_type.state.granted": "Access granted",
    "component.acs_bridge.entity.event.access.state_attributes.event_type.state.denied": "Access denied",
    "component.acs_bridge.entity.event.access.state_attributes.card_no.name": "Card",
    "component.acs_bridge.entity.event.access.state_attributes.reason.state.card_not_found": "Card not found",
}
ZH = {
    "component.acs_bridge.entity.event.access.state_attributes.event_type.state.granted": "允许通行",
    "component.acs_bridge.entity.event.access.state_attributes.card_no.name": "卡号",
}


def test_access_message() -> None:
    """The message names the person, the outcome and the card, in the language given."""
    granted = {
        "granted": True,
        "user_name": "张三",
        "card_no": "17435103",
        "reason": "granted",
    }
    assert access_message(granted, EN) == "张三 access granted (card 17435103)"
    assert access_message(granted, ZH) == "张三 允许通行 (卡号 17435103)"
    denied = {
        "granted": False,
        "card_no": "1",
        "reason": "card_not_found",
        "replayed": True,
    }
    assert (
        access_message(denied, EN)
        == "access denied: Card not found (card 1) [replayed]"
    )
    alarm = {"granted": False, "reason": "granted", "is_alarm": True}
    assert access_message(alarm, EN) == "alarm"


async def test_describe_event(hass: HomeAssistant, sim_setup: SimSetup) -> None:
    """A swipe's logbook entry names the door and links its device."""
    described = {}

    def collect(domain, event_type, describe):
        described[(domain, event_type)] = describe

    async_describe_events(hass, collect)
    await hass.async_block_till_done()
    describe = described[("acs_bridge", EVENT_ACCESS)]
    event_data = {
        "door_id": sim_setup.sim.site.doors[0].id,
        "door_name": "东门",
        "granted": True,
        "reason": "granted",
        "user_name": "张三",
        "card_no": "17435103",
        "device_id": "abc",
        "entity_id": "event.dong_men_access",
    }
    entry = describe(Event(EVENT_ACCESS, event_data))
    assert entry == {
        "name": "东门",
        "message": "张三 access granted (card 17435103)",
        "device_id": "abc",
        "entity_id": "event.dong_men_access",
    }
