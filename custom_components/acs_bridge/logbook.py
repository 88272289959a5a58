"""Logbook entries of access events, in the user's language."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from homeassistant.components.logbook.const import (
    LOGBOOK_ENTRY_ENTITY_ID,
    LOGBOOK_ENTRY_MESSAGE,
    LOGBOOK_ENTRY_NAME,
)
from homeassistant.const import ATTR_DEVICE_ID
from homeassistant.core import Event, HomeAssistant, callback

from .access_ledger import AccessEventType, access_event_type
from .const import DOMAIN, EVENT_ACCESS

_PREFIX = f"component.{DOMAIN}.entity.event.access.state_attributes"


def access_message(event_data: Mapping[str, Any], texts: dict[str, str]) -> str:
    """Say who did what: "张三 access granted (card 17435103)"."""
    kind = access_event_type(
        event_data.get("reason"), bool(event_data.get("is_alarm"))
    ).value
    what = texts.get(f"{_PREFIX}.event_type.state.{kind}", kind).lower()
    who = event_data.get("user_name") or event_data.get("user_no")
    message = f"{who} {what}" if who else what
    if kind == AccessEventType.DENIED and (reason := event_data.get("reason")):
        message += f": {texts.get(f'{_PREFIX}.reason.state.{reason}', reason)}"
    if card := event_data.get("card_no"):
        label = texts.get(f"{_PREFIX}.card_no.name", "card").lower()
        message += f" ({label} {card})"
    if event_data.get("replayed"):
        message += f" [{texts.get(f'{_PREFIX}.replayed.name', 'replayed')}]"
    return message


@callback
def async_describe_events(
    hass: HomeAssistant,
    async_describe_event: Callable[[str, str, Callable[[Event], dict[str, str]]], None],
) -> None:
    """Describe access events."""
    texts: dict[str, str] = {}

    async def _load() -> None:
        from homeassistant.helpers.translation import async_get_translations

        texts.update(
            await async_get_translations(hass, hass.config.language, "entity", [DOMAIN])
        )

    hass.async_create_task(_load(), eager_start=True)

    @callback
    def describe(event: Event) -> dict[str, str]:
        data = event.data
        description = {
            LOGBOOK_ENTRY_NAME: data.get("door_name") or data.get("door_id") or DOMAIN,
            LOGBOOK_ENTRY_MESSAGE: access_message(data, texts),
        }
        if device_id := data.get(ATTR_DEVICE_ID):
            description[ATTR_DEVICE_ID] = device_id
        if entity_id := data.get("entity_id"):
            description[LOGBOOK_ENTRY_ENTITY_ID] = entity_id
        return description

    async_describe_event(DOMAIN, EVENT_ACCESS, describe)
