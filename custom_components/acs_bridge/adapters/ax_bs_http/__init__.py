"""AX-ACS BS-HTTP v1: the HTTP API of AX-ACS access-control servers (``/api/v1``).

Layers, each importing only those below it:

* ``adapter``: :class:`AxBsHttpV1Adapter`, the adapter interface
  (``..base.AcsAdapter``) on top of the client; filters the server cannot
  apply, the newest record id, the split real-time poll.
* ``client``: :class:`AxBsHttpClient`, the 30 calls of the specification with
  typed results: a method per call, and one query object per paged family
  (:class:`UsersQuery`, :class:`SwipeRecordsQuery`, ...) that builds both its
  count and its list query; paging. It maps answers with ``parse``.
* ``parse``: the mappers, decoded JSON objects to the shared models
  (``..models``); the protocol's quirks are smoothed over there.
* ``transport``: :class:`Transport`, the wire: URLs, the one request helper
  (semaphore, timeout, HTTP and status codes to ``..exceptions``, no password
  in any error or log) and the :class:`Envelope` it decodes from the bytes.
  It does not know the models.
* ``decode``: JSON text to values (:class:`JsonObject` keeps repeated keys;
  lenient ints, flags and text); used by ``transport`` and ``parse``.

The mappers build the shared models and import them by name; ``client`` and
``adapter`` only name them, as ``models.Door`` and so on.
"""

from .adapter import AxBsHttpV1Adapter
from .client import (
    AcsRecordsByIdQuery,
    AcsRecordsQuery,
    AxBsHttpClient,
    CountedQuery,
    PagedQuery,
    SwipeRecordsByIdQuery,
    SwipeRecordsQuery,
    UserAccessRecordsQuery,
    UsersQuery,
)
from .decode import JsonObject
from .transport import Envelope, Status, Transport

__all__ = [
    "AcsRecordsByIdQuery",
    "AcsRecordsQuery",
    "AxBsHttpClient",
    "AxBsHttpV1Adapter",
    "CountedQuery",
    "Envelope",
    "JsonObject",
    "PagedQuery",
    "Status",
    "SwipeRecordsByIdQuery",
    "SwipeRecordsQuery",
    "Transport",
    "UserAccessRecordsQuery",
    "UsersQuery",
]
