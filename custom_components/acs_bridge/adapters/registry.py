"""Find adapters by key: the built-in ones and those of installed packages.

A third-party package offers an adapter through the entry-point group
``acs_bridge.adapters``; the entry point names an ``AcsAdapter`` subclass::

    [project.entry-points."acs_bridge.adapters"]
    my_vendor_v2 = "my_package.adapter:MyVendorAdapter"
"""

from __future__ import annotations

from importlib.metadata import entry_points
import logging

from .base import AcsAdapter

_LOGGER = logging.getLogger(__name__)

ENTRY_POINT_GROUP = "acs_bridge.adapters"

_ADAPTERS: dict[str, type[AcsAdapter]] = {}
_entry_points_loaded = False


def register_adapter(adapter: type[AcsAdapter]) -> type[AcsAdapter]:
    """Register an adapter class under its ``key`` (usable as a decorator)."""
    if not (isinstance(adapter, type) and issubclass(adapter, AcsAdapter)):
        raise TypeError(f"{adapter!r} is not an AcsAdapter subclass")
    key = adapter.key
    existing = _ADAPTERS.get(key)
    if existing is not None and existing is not adapter:
        raise ValueError(f"An adapter is already registered as {key!r}")
    _ADAPTERS[key] = adapter
    return adapter


def _load_entry_points() -> None:
    global _entry_points_loaded  # noqa: PLW0603 - a module-level cache
    if _entry_points_loaded:
        return
    _entry_points_loaded = True
    for entry_point in entry_points(group=ENTRY_POINT_GROUP):
        try:
            adapter = entry_point.load()
            register_adapter(adapter)
        except Exception:  # a broken plugin must not break the others
            _LOGGER.exception("Cannot load ACS adapter %s", entry_point.name)


def _load_builtin() -> None:
    # Imported here so the registry module has no import cycle with plugins.
    from .ax_bs_http import AxBsHttpV1Adapter
    from .hikvision_isapi import HikvisionIsapiAdapter

    register_adapter(AxBsHttpV1Adapter)
    register_adapter(HikvisionIsapiAdapter)


def available_adapters() -> dict[str, type[AcsAdapter]]:
    """Return every registered adapter by key, sorted by key."""
    _load_builtin()
    _load_entry_points()
    return dict(sorted(_ADAPTERS.items()))


def get_adapter(key: str) -> type[AcsAdapter]:
    """Return the adapter registered under ``key``."""
    adapters = available_adapters()
    try:
        return adapters[key]
    except KeyError:
        raise KeyError(f"No ACS adapter is registered as {key!r}") from None
