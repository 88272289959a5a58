"""Constants of the ACS Bridge integration."""

from __future__ import annotations

import logging
from typing import Final

DOMAIN: Final = "acs_bridge"
LOGGER = logging.getLogger(__package__)

CONF_ADAPTER: Final = "adapter"
CONF_EVENT_INTERVAL: Final = "event_interval"
CONF_STATE_INTERVAL: Final = "state_interval"
CONF_ALARM_NOTIFICATIONS: Final = "alarm_notifications"
CONF_REPLAY_MINUTES: Final = "replay_minutes"
CONF_TIME_ZONE: Final = "time_zone"
# The options flow's fields of the unlock code; only its salted hash is stored.
CONF_UNLOCK_CODE: Final = "unlock_code"
CONF_REMOVE_UNLOCK_CODE: Final = "remove_unlock_code"
CONF_UNLOCK_CODE_HASH: Final = "unlock_code_hash"
# A password some devices need for door commands (options; adapters that say so).
CONF_COMMAND_PASSWORD: Final = "command_password"  # noqa: S105 - a key

DEFAULT_STATE_INTERVAL: Final = 10
MIN_STATE_INTERVAL: Final = 2
MAX_STATE_INTERVAL: Final = 3600
DEFAULT_ALARM_NOTIFICATIONS: Final = True
DEFAULT_REPLAY_MINUTES: Final = 10
MAX_REPLAY_MINUTES: Final = 1440

# Door states are one request per door: at most this many door-state requests
# per second of the state interval, so a large site does not flood the server.
DOOR_STATE_REQUESTS_PER_SECOND: Final = 25
# A door whose state read failed this many times in a row is unavailable.
DOOR_READ_FAILURES_UNAVAILABLE: Final = 3
# Controllers, doors and areas are re-read every this many state polls.
STRUCTURE_REFRESH_EVERY: Final = 6

EVENT_ACCESS: Final = "acs_bridge_access"
EVENT_ALARM: Final = "acs_bridge_alarm"
EVENT_COMMAND: Final = "acs_bridge_command"

SIGNAL_ACCESS_EVENT: Final = "acs_bridge_access_{entry_id}"
SIGNAL_DOOR_COMMAND: Final = "acs_bridge_command_{entry_id}"


def door_signal(entry_id: str, door_id: str) -> str:
    """Return the dispatcher signal of one door's access events."""
    return f"{SIGNAL_ACCESS_EVENT.format(entry_id=entry_id)}_{door_id}"


def door_command_signal(entry_id: str, door_id: str) -> str:
    """Return the dispatcher signal of the audited commands of one door."""
    return f"{SIGNAL_DOOR_COMMAND.format(entry_id=entry_id)}_{door_id}"


def store_key(entry_id: str, what: str) -> str:
    """Return the storage key of what an entry keeps ("events", "alarms")."""
    return f"{DOMAIN}.{entry_id}.{what}"
