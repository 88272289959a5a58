"""Running door commands with errors a user can read."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from homeassistant.exceptions import HomeAssistantError

from .adapters import AcsAuthenticationError, AcsError
from .const import DOMAIN
from .coordinator import AcsCoordinator


async def async_door_command(
    coordinator: AcsCoordinator,
    door_id: str,
    door_name: str,
    command: Callable[[], Awaitable[None]],
) -> None:
    """Run a door command, then read the door's state at once.

    A refused account starts re-authentication; every failure is raised as a
    translated error that names the door.
    """
    try:
        await command()
    except AcsAuthenticationError as err:
        coordinator.config_entry.async_start_reauth(coordinator.hass)
        raise HomeAssistantError(
            translation_domain=DOMAIN,
            translation_key="command_auth_failed",
            translation_placeholders={"door": door_name},
        ) from err
    except AcsError as err:
        raise HomeAssistantError(
            translation_domain=DOMAIN,
            translation_key="command_failed",
            translation_placeholders={"door": door_name, "error": str(err)},
        ) from err
    finally:
        await coordinator.async_refresh_doors([door_id])
