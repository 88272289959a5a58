"""Hikvision ISAPI access-control devices (DS-K1T terminals, DS-K26xx controllers).

The client library; the adapter (``..base.AcsAdapter``) is built on it.
Layers, each importing only those below it:

* ``client``: :class:`HikvisionIsapiClient`, one method per ISAPI call.
* ``stream``: the alert stream (multipart parts to events and heartbeats).
* ``transport``: :class:`Transport`, the one request helper: serial and paced,
  HTTP Digest (``digest``), the login guard (``guard``), busy retries, errors.
* ``parse`` / ``models``: documents to typed models, tolerant of firmware.
* ``decode``: bodies to dicts by content (JSON or XML by local name),
  ``ResponseStatus`` to exceptions.
* ``codes``: what an event's (major, minor) means; ``replay``: exactly-once
  delivery by serial number (pure logic).

Nothing here imports Home Assistant.
"""

from .adapter import HikvisionIsapiAdapter
from .client import HikvisionIsapiClient
from .guard import LoginGuard
from .transport import Transport, TransportSettings

__all__ = [
    "HikvisionIsapiAdapter",
    "HikvisionIsapiClient",
    "LoginGuard",
    "Transport",
    "TransportSettings",
]
