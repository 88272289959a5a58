"""Refused logins, kept across restarts: no number of restarts locks an account.

Some devices lock an account after a few refused logins. The adapter counts
them (``AcsAdapter.login_state``); this module keeps that count per server
(host and port) in one store, for the config flow's attempts and the entries
alike, and hands it back to the next adapter built for that server.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final

from homeassistant.core import HomeAssistant
from homeassistant.helpers.storage import Store

from .adapters import AcsAdapter
from .const import DOMAIN
from .identifiers import server_key

STORAGE_VERSION: Final = 1
STORAGE_KEY: Final = f"{DOMAIN}.login"
_DATA_KEY: Final = f"{DOMAIN}_login_store"


def _store(hass: HomeAssistant) -> Store[dict[str, Any]]:
    store: Store[dict[str, Any]] | None = hass.data.get(_DATA_KEY)
    if store is None:
        store = hass.data[_DATA_KEY] = Store(hass, STORAGE_VERSION, STORAGE_KEY)
    return store


async def async_load_login_state(
    hass: HomeAssistant, data: Mapping[str, Any]
) -> dict[str, Any] | None:
    """Return what the last adapter for this server kept of refused logins."""
    stored = await _store(hass).async_load() or {}
    state = stored.get(server_key(data))
    return dict(state) if isinstance(state, dict) else None


async def async_save_login_state(
    hass: HomeAssistant, data: Mapping[str, Any], adapter: AcsAdapter
) -> None:
    """Keep what the adapter counted of refused logins (nothing kept: forget)."""
    state = adapter.login_state()
    store = _store(hass)
    stored = await store.async_load() or {}
    key = server_key(data)
    if state is None:
        if key not in stored:
            return
        del stored[key]
    elif stored.get(key) == state:
        return
    else:
        stored[key] = state
    await store.async_save(stored)
