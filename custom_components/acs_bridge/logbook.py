"""Logbook entries of access events and door commands, in the user's language.

A command's entry is filed under the door's lock; Home Assistant adds what
started it (the automation, script or action) from the event's context.
"""

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

from .commands import async_get_door_lock_entity_id
from .const import DOMAIN, EVENT_ACCESS, EVENT_COMMAND
from .delivered import AccessEventType, access_event_type

_PREFIX = f"component.{DOMAIN}.entity.event.access.state_attributes"
_TEXTS = f"component.{DOMAIN}.exceptions"
# Where the names of a command's mode are: the select that sets it.
_MODE_NAMES = {
    "work_mode": f"component.{DOMAIN}.entity.select.work_mode.state",
    "hold_open": f"component.{DOMAIN}.entity.select.work_mode.state",
    "hold_end": f"component.{DOMAIN}.entity.select.work_mode.state",
    "site_mode": f"component.{DOMAIN}.entity.select.site_mode.state",
}


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


def _text(texts: dict[str, str], key: str, default: str, **values: str) -> str:
    template = texts.get(f"{_TEXTS}.logbook_{key}.message", default)
    try:
        return template.format(**values)
    except (KeyError, IndexError):
        return template


def command_message(event_data: Mapping[str, Any], texts: dict[str, str]) -> str:
    """Say what was done and by whom: "opened by Alice" / "由 Alice 开门"."""
    command = str(event_data.get("command") or "")
    result = str(event_data.get("result") or "")
    mode = event_data.get("mode")
    mode_name = ""
    if mode:
        names = _MODE_NAMES.get(command, "")
        mode_name = texts.get(f"{names}.{mode}", str(mode)).lower()
    done = result == "accepted"
    action = _text(
        texts,
        f"{'done' if done else 'attempt'}_{command}",
        f"{command} {mode_name}".strip(),
        mode=mode_name,
    )
    if user := event_data.get("user_name"):
        action = _text(texts, "by_user", "{action} by {user}", action=action, user=user)
    if done:
        return action
    code = event_data.get("server_code")
    outcome = _text(
        texts, f"result_{result}", result, code="" if code is None else str(code)
    )
    return _text(texts, "not_done", "{action}: {result}", action=action, result=outcome)


@callback
def async_describe_events(
    hass: HomeAssistant,
    async_describe_event: Callable[[str, str, Callable[[Event], dict[str, str]]], None],
) -> None:
    """Describe access events."""
    texts: dict[str, str] = {}

    async def _load() -> None:
        from homeassistant.helpers.translation import async_get_translations

        for category in ("entity", "exceptions"):
            texts.update(
                await async_get_translations(
                    hass, hass.config.language, category, [DOMAIN]
                )
            )

    hass.async_create_task(_load(), eager_start=True)

    def describer(
        message: Callable[[Mapping[str, Any], dict[str, str]], str],
        entity_id: Callable[[Mapping[str, Any]], str | None],
    ) -> Callable[[Event], dict[str, str]]:
        """Describe an event of a door, filed under one of its entities."""

        @callback
        def describe(event: Event) -> dict[str, str]:
            data = event.data
            description = {
                LOGBOOK_ENTRY_NAME: data.get("door_name")
                or data.get("door_id")
                or DOMAIN,
                LOGBOOK_ENTRY_MESSAGE: message(data, texts),
            }
            if device_id := data.get(ATTR_DEVICE_ID):
                description[ATTR_DEVICE_ID] = device_id
            if found := entity_id(data):
                description[LOGBOOK_ENTRY_ENTITY_ID] = found
            return description

        return describe

    def lock_entity_id(data: Mapping[str, Any]) -> str | None:
        """Return the door's lock, which a command's line is filed under.

        The event names it; events recorded before it did are resolved.
        """
        if found := data.get("entity_id"):
            return str(found)
        entry_id, door_id = data.get("entry_id"), data.get("door_id")
        if not entry_id or not door_id:
            return None
        return async_get_door_lock_entity_id(hass, entry_id, door_id)

    # An access event names its door's event entity itself.
    async_describe_event(
        DOMAIN, EVENT_ACCESS, describer(access_message, lambda d: d.get("entity_id"))
    )
    async_describe_event(
        DOMAIN, EVENT_COMMAND, describer(command_message, lock_entity_id)
    )
