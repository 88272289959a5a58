"""Door commands that go through Home Assistant: one path, checked and audited.

Every door command — from a lock, a work-mode select, a hold-open or a site
mode — runs through ``async_run_door_command``, which audits it, and code-checked
calls first pass ``async_check_code``.

The audit is one ``acs_bridge_command`` bus event per door, fired with the
caller's context (the logbook shows the user, automation or script behind it),
and the same data on the door's dispatcher signal (``door_command_signal``), on
which the lock follows who last opened the door.

The optional unlock code of a server is kept in the entry's options as a salted
PBKDF2 hash only. Five wrong codes within five minutes block code-checked
commands from users of that server for five minutes. Calls without a user
(automations, scripts they start) need no code and are never blocked, so an
evacuation cannot be stopped by a code.
"""

from __future__ import annotations

import base64
import binascii
from collections import deque
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
import hashlib
import hmac
import re
import secrets
from typing import Any, Final, NoReturn

from homeassistant.components import persistent_notification
from homeassistant.config_entries import ConfigEntry
from homeassistant.core import Context, HomeAssistant
from homeassistant.exceptions import HomeAssistantError, ServiceValidationError
from homeassistant.helpers import entity_registry as er
from homeassistant.helpers.dispatcher import async_dispatcher_send
from homeassistant.helpers.translation import async_get_translations
from homeassistant.util import dt as dt_util

from .adapters import AcsAuthenticationError, AcsConnectionError, AcsError
from .const import (
    CONF_UNLOCK_CODE_HASH,
    DOMAIN,
    EVENT_COMMAND,
    LOGGER,
    door_command_signal,
)
from .coordinator import AcsCoordinator
from .devices import async_get_door_device_id
from .identifiers import door_key, entity_unique_id

# What Home Assistant asks for on a lock when a code is set (its code_format).
UNLOCK_CODE_FORMAT: Final = r"^\d{4,12}$"
_UNLOCK_CODE = re.compile(UNLOCK_CODE_FORMAT)
_HASH_NAME: Final = "pbkdf2_sha256"
_HASH_ITERATIONS: Final = 100_000

MAX_WRONG_CODES: Final = 5
WRONG_CODE_WINDOW: Final = timedelta(minutes=5)
LOCKOUT: Final = timedelta(minutes=5)


class DoorCommand(StrEnum):
    """What a command asked of a door (the `command` field of the audit)."""

    UNLOCK = "unlock"
    LOCK = "lock"
    OPEN = "open"
    WORK_MODE = "work_mode"
    HOLD_OPEN = "hold_open"
    HOLD_END = "hold_end"
    SITE_MODE = "site_mode"


class CommandResult(StrEnum):
    """How a command ended (the `result` field of the audit)."""

    ACCEPTED = "accepted"
    REFUSED = "refused"
    WRONG_CODE = "wrong_code"
    LOCKED_OUT = "locked_out"
    ERROR = "error"


@dataclass(frozen=True, slots=True, kw_only=True)
class CommandOutcome:
    """The end of one door command."""

    result: CommandResult
    server_code: int | None = None
    error: AcsError | None = None

    @property
    def ok(self) -> bool:
        """Return whether the server accepted the command."""
        return self.result is CommandResult.ACCEPTED


def opens_door(command: str, mode: str | None) -> bool:
    """Return whether an accepted command leaves the door open."""
    return command in (DoorCommand.UNLOCK, DoorCommand.OPEN, DoorCommand.HOLD_OPEN) or (
        (command, mode)
        in (
            (DoorCommand.WORK_MODE, "normally_open"),
            (DoorCommand.SITE_MODE, "evacuation"),
        )
    )


# --- the unlock code -----------------------------------------------------------


def valid_unlock_code(code: str) -> bool:
    """Return whether a code has the unlock code's format (4 to 12 digits)."""
    return _UNLOCK_CODE.fullmatch(code) is not None


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def hash_unlock_code(code: str) -> str:
    """Return the salted hash of a code, as stored (blocking: run in the executor)."""
    salt = secrets.token_bytes(16)
    digest = hashlib.pbkdf2_hmac("sha256", code.encode(), salt, _HASH_ITERATIONS)
    return f"{_HASH_NAME}${_HASH_ITERATIONS}${_b64(salt)}${_b64(digest)}"


def verify_unlock_code(code: str, stored: str) -> bool:
    """Return whether a code matches a stored hash (blocking: run in the executor)."""
    try:
        name, iterations, salt, digest = stored.split("$")
        rounds = int(iterations)
        expected = base64.b64decode(digest, validate=True)
        salt_bytes = base64.b64decode(salt, validate=True)
    except (ValueError, binascii.Error):
        LOGGER.warning("The stored unlock code is damaged; set it again in the options")
        return False
    if name != _HASH_NAME or rounds < 1:
        return False
    candidate = hashlib.pbkdf2_hmac("sha256", code.encode(), salt_bytes, rounds)
    return hmac.compare_digest(candidate, expected)


def unlock_code_set(entry: ConfigEntry) -> bool:
    """Return whether the server has an unlock code."""
    return bool(entry.options.get(CONF_UNLOCK_CODE_HASH))


class CodeGuard:
    """Wrong codes of one server's users, and the lock-out they lead to.

    Kept in memory only: a restart or a reload of the entry, which only an
    administrator can start, clears it; an administrator can change the code
    anyway.
    """

    def __init__(self) -> None:
        """Start with no wrong code."""
        self._wrong: deque[datetime] = deque()
        self.locked_until: datetime | None = None

    @property
    def wrong_codes(self) -> int:
        """Return how many wrong codes the current window holds."""
        return len(self._wrong)

    def locked(self, now: datetime) -> bool:
        """Return whether code-checked commands of users are blocked now."""
        if self.locked_until is not None and now >= self.locked_until:
            self.locked_until = None
        return self.locked_until is not None

    def wrong_code(self, now: datetime) -> bool:
        """Count a wrong code; return True when it starts a lock-out."""
        while self._wrong and now - self._wrong[0] >= WRONG_CODE_WINDOW:
            self._wrong.popleft()
        self._wrong.append(now)
        if len(self._wrong) < MAX_WRONG_CODES:
            return False
        self._wrong.clear()
        self.locked_until = now + LOCKOUT
        return True


def lockout_notification_id(entry_id: str) -> str:
    """Return the persistent notification id of a server's lock-out."""
    return f"{DOMAIN}_{entry_id}_unlock_code_locked_out"


async def _async_text(hass: HomeAssistant, key: str, **placeholders: str) -> str:
    """Return a translated text of the exceptions section, filled in."""
    texts = await async_get_translations(
        hass, hass.config.language, "exceptions", [DOMAIN]
    )
    template = texts.get(f"component.{DOMAIN}.exceptions.{key}.message", key)
    try:
        return template.format(**placeholders)
    except (KeyError, IndexError):
        return template


async def async_check_code(
    coordinator: AcsCoordinator,
    guard: CodeGuard,
    code: str | None,
    context: Context | None,
    *,
    command: DoorCommand,
    door_ids: list[str],
    mode: str | None = None,
) -> None:
    """Check the unlock code of a call from a user; raise a translated error if wrong.

    Does nothing when no code is set or the call carries no user (automations).
    A missing or malformed code is refused before it counts. A wrong code or a
    lock-out is audited for each door and sends nothing.
    """
    hass = coordinator.hass
    entry = coordinator.config_entry
    stored = entry.options.get(CONF_UNLOCK_CODE_HASH)
    if not stored or context is None or context.user_id is None:
        return
    if guard.locked(dt_util.utcnow()):
        await _async_refuse_locked_out(
            coordinator, guard, context, command, door_ids, mode
        )
    if code is None or not valid_unlock_code(str(code)):
        raise ServiceValidationError(
            translation_domain=DOMAIN,
            translation_key="unlock_code_required",
            translation_placeholders={"server": entry.title},
        )
    right = await hass.async_add_executor_job(verify_unlock_code, str(code), stored)
    now = dt_util.utcnow()
    if right and guard.locked(now):
        # The lock-out began while this code was being checked.
        await _async_refuse_locked_out(
            coordinator, guard, context, command, door_ids, mode
        )
    if right:
        return
    started = guard.wrong_code(now)
    await async_audit(
        coordinator,
        door_ids,
        command,
        CommandResult.WRONG_CODE,
        context=context,
        mode=mode,
    )
    if started:
        LOGGER.warning(
            "%s: %d wrong unlock codes; code-checked commands of users are blocked for %s",
            entry.title,
            MAX_WRONG_CODES,
            LOCKOUT,
        )
        until = _local_time(guard.locked_until)
        persistent_notification.async_create(
            hass,
            await _async_text(
                hass,
                "locked_out_notification_message",
                server=entry.title,
                count=str(MAX_WRONG_CODES),
                until=until,
            ),
            title=await _async_text(
                hass, "locked_out_notification_title", server=entry.title
            ),
            notification_id=lockout_notification_id(entry.entry_id),
        )
    raise ServiceValidationError(
        translation_domain=DOMAIN,
        translation_key="wrong_unlock_code",
        translation_placeholders={"server": entry.title},
    )


def _local_time(moment: datetime | None) -> str:
    return dt_util.as_local(moment).strftime("%H:%M:%S") if moment else ""


async def _async_refuse_locked_out(
    coordinator: AcsCoordinator,
    guard: CodeGuard,
    context: Context,
    command: DoorCommand,
    door_ids: list[str],
    mode: str | None,
) -> NoReturn:
    entry = coordinator.config_entry
    await async_audit(
        coordinator,
        door_ids,
        command,
        CommandResult.LOCKED_OUT,
        context=context,
        mode=mode,
    )
    raise ServiceValidationError(
        translation_domain=DOMAIN,
        translation_key="unlock_code_locked_out",
        translation_placeholders={
            "server": entry.title,
            "until": _local_time(guard.locked_until),
        },
    )


# --- the audit -------------------------------------------------------------------


def async_get_door_lock_entity_id(
    hass: HomeAssistant, entry_id: str, door_id: str
) -> str | None:
    """Return the door's lock: every command of the door is filed under it."""
    return er.async_get(hass).async_get_entity_id(
        "lock", DOMAIN, entity_unique_id(entry_id, door_key(door_id), "lock")
    )


async def async_audit(
    coordinator: AcsCoordinator,
    door_ids: Iterable[str],
    command: DoorCommand,
    result: CommandResult,
    *,
    context: Context | None,
    mode: str | None = None,
    server_code: int | None = None,
) -> None:
    """Fire ``acs_bridge_command`` for each door, with the caller's context."""
    hass = coordinator.hass
    entry = coordinator.config_entry
    user_id = context.user_id if context else None
    user = await hass.auth.async_get_user(user_id) if user_id else None
    time = dt_util.now().isoformat()
    for door_id in door_ids:
        data: dict[str, Any] = {
            "entry_id": entry.entry_id,
            "device_id": async_get_door_device_id(hass, entry, door_id),
            # The lock's own logbook finds the line by this.
            "entity_id": async_get_door_lock_entity_id(hass, entry.entry_id, door_id),
            "door_id": door_id,
            "door_name": door_display_name(coordinator, door_id),
            "command": str(command),
            "mode": mode,
            "user_id": user_id,
            "user_name": user.name if user else None,
            "result": str(result),
            "server_code": server_code,
            "time": time,
        }
        hass.bus.async_fire(EVENT_COMMAND, data, context=context)
        async_dispatcher_send(hass, door_command_signal(entry.entry_id, door_id), data)


def door_display_name(coordinator: AcsCoordinator, door_id: str) -> str:
    """Return a door's name as shown to the user."""
    data = coordinator.data
    door = data.doors.get(door_id)
    return data.door_names.get(door_id, door.name if door else door_id)


async def async_run_door_command(
    coordinator: AcsCoordinator,
    door_id: str,
    command: DoorCommand,
    call: Callable[[], Awaitable[None]],
    *,
    context: Context | None,
    mode: str | None = None,
) -> CommandOutcome:
    """Run one door command and audit it; never raises for the server's answer.

    ``refused``: the server answered with a status that says no (its code in
    ``server_code``); a refused account also starts re-authentication.
    ``error``: no usable answer (unreachable, timed out, not understood).
    """
    try:
        await call()
    except AcsAuthenticationError as err:
        coordinator.config_entry.async_start_reauth(coordinator.hass)
        outcome = CommandOutcome(
            result=CommandResult.REFUSED, server_code=err.code, error=err
        )
    except AcsError as err:
        refused = err.code is not None and not isinstance(err, AcsConnectionError)
        outcome = CommandOutcome(
            result=CommandResult.REFUSED if refused else CommandResult.ERROR,
            server_code=err.code,
            error=err,
        )
    except Exception:
        await async_audit(
            coordinator,
            [door_id],
            command,
            CommandResult.ERROR,
            context=context,
            mode=mode,
        )
        raise
    else:
        outcome = CommandOutcome(result=CommandResult.ACCEPTED)
    await async_audit(
        coordinator,
        [door_id],
        command,
        outcome.result,
        context=context,
        mode=mode,
        server_code=outcome.server_code,
    )
    return outcome


# --- commands of a door's entities -------------------------------------------------


async def async_entity_door_command(
    coordinator: AcsCoordinator,
    guard: CodeGuard,
    door_id: str,
    command: DoorCommand,
    call: Callable[[], Awaitable[None]],
    *,
    context: Context | None,
    code: str | None = None,
    check_code: bool = True,
    mode: str | None = None,
) -> CommandOutcome:
    """Run a command of a door's entity: checked, audited, then the door read at once.

    Every failure is raised as a translated error that names the door.
    """
    if check_code:
        await async_check_code(
            coordinator,
            guard,
            code,
            context,
            command=command,
            door_ids=[door_id],
            mode=mode,
        )
    try:
        outcome = await async_run_door_command(
            coordinator, door_id, command, call, context=context, mode=mode
        )
    finally:
        await coordinator.async_refresh_doors([door_id])
    raise_for_outcome(outcome, door_display_name(coordinator, door_id))
    return outcome


def raise_for_outcome(outcome: CommandOutcome, door_name: str) -> None:
    """Raise a translated error naming the door unless the server accepted."""
    if outcome.ok:
        return
    if isinstance(outcome.error, AcsAuthenticationError):
        raise HomeAssistantError(
            translation_domain=DOMAIN,
            translation_key="command_auth_failed",
            translation_placeholders={"door": door_name},
        ) from outcome.error
    raise HomeAssistantError(
        translation_domain=DOMAIN,
        translation_key="command_failed",
        translation_placeholders={
            "door": door_name,
            "error": str(outcome.error or outcome.result),
        },
    ) from outcome.error
