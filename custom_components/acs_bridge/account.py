"""The account check, run beside the entry: never part of setup or a reload.

The protocol has no login call: the adapter proves an account only with a
door command that moves no door. Setup and reload use read-only calls, which
do not need the account; so the check runs in the background once after setup
and once a day. A refusal starts re-authentication and stops nothing: door
states, events and alarms keep being read with an account that cannot command.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Final

from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers.event import async_track_time_interval

from .adapters import AcsAdapter, AcsAuthenticationError, AcsError
from .const import DOMAIN, LOGGER
from .runtime import AcsConfigEntry

ACCOUNT_CHECK_INTERVAL: Final = timedelta(days=1)


async def async_check_account(
    hass: HomeAssistant, entry: AcsConfigEntry, adapter: AcsAdapter
) -> None:
    """Check the account once; a refusal starts re-authentication."""
    try:
        await adapter.check_credentials()
    except AcsAuthenticationError as err:
        LOGGER.warning("The access-control server refused the account: %s", err)
        entry.async_start_reauth(hass)
    except AcsError as err:
        LOGGER.debug("Cannot check the account now: %s", err)


@callback
def async_schedule_account_check(
    hass: HomeAssistant, entry: AcsConfigEntry, adapter: AcsAdapter
) -> None:
    """Check the account now in the background, then once a day."""

    @callback
    def start(_now: datetime | None = None) -> None:
        entry.async_create_background_task(
            hass,
            async_check_account(hass, entry, adapter),
            name=f"{DOMAIN} account check {entry.entry_id}",
            # Started after the setup that schedules it has ended, never in it.
            eager_start=False,
        )

    start()
    entry.async_on_unload(
        async_track_time_interval(hass, start, ACCOUNT_CHECK_INTERVAL)
    )
