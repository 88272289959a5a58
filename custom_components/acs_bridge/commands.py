"""Door commands that go through Home Assistant: one path, checked and audited.

Every door command — from a lock, a work-mode select, a hold-open or a site
mode — runs through ``async_run_door_command``, which audits it, and code-checked
calls first pass ``async_check_code``.

This is the interface shared by the door-control work (issue 12); the code check
and the audit (``acs_bridge_command``) are filled in behind it.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING

from homeassistant.core import Context, HomeAssistant

from .adapters import AcsAuthenticationError, AcsError

if TYPE_CHECKING:
    from . import AcsConfigEntry


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


async def async_check_code(
    hass: HomeAssistant,
    entry: AcsConfigEntry,
    code: str | None,
    context: Context | None,
    *,
    command: DoorCommand,
    door_ids: list[str],
    mode: str | None = None,
) -> None:
    """Check the unlock code of a call from a user; raise a translated error if wrong.

    Does nothing when no code is set or the call carries no user (automations).
    A wrong code or a lock-out is audited for each door and sends nothing.
    """


async def async_run_door_command(
    hass: HomeAssistant,
    entry: AcsConfigEntry,
    door_id: str,
    command: DoorCommand,
    call: Callable[[], Awaitable[None]],
    *,
    context: Context | None,
    mode: str | None = None,
) -> CommandOutcome:
    """Run one door command and audit it; never raises for the server's answer.

    A refused account starts re-authentication (result ``refused``).
    """
    try:
        await call()
    except AcsAuthenticationError as err:
        entry.async_start_reauth(hass)
        return CommandOutcome(
            result=CommandResult.REFUSED, server_code=err.code, error=err
        )
    except AcsError as err:
        return CommandOutcome(
            result=CommandResult.ERROR, server_code=err.code, error=err
        )
    return CommandOutcome(result=CommandResult.ACCEPTED)
