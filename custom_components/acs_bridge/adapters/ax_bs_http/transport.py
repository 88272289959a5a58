"""The wire of AX-ACS BS-HTTP v1: URLs, the one request helper, the envelope.

This module knows how a URL is spelt, what an envelope is and what a status
code means; it decodes bytes into an :class:`Envelope` (through
:mod:`.decode`) and knows nothing about the models. It never logs or raises a
URL: door commands carry the account's password in the path.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import IntEnum
import logging
import ssl
from typing import TYPE_CHECKING, Any, Final
from urllib.parse import quote

import aiohttp
from yarl import URL

from ..exceptions import (  # noqa: TID252
    AcsAccountLockedError,
    AcsAuthenticationError,
    AcsCertificateError,
    AcsConnectionError,
    AcsError,
    AcsInvalidRequestError,
    AcsNotFoundError,
    AcsResponseError,
    AcsServerError,
    AcsTimeoutError,
)
from .decode import JsonObject, loads, to_int, to_text

if TYPE_CHECKING:
    from ..models import AdapterConfig  # noqa: TID252

_LOGGER = logging.getLogger(__name__)

#: Path of this protocol version under the server's root.
API_PATH: Final = "/api/v1/"
#: The server answers HTTP 414 for a longer URL.
MAX_URL_LENGTH: Final = 4096
#: Requests to the real-time cache (#29) in flight at once, beside the others.
REALTIME_SLOTS: Final = 2
#: The largest answer read. The largest legitimate one is a page of 1000 rows
#: (or the 1000 alarms of #19): about 1.5 KiB a row with Chinese names and
#: every field, so some 2 MiB; a body past this limit is not an AX-ACS answer
#: (a proxy or server gone wrong) and must not exhaust memory.
MAX_BODY_BYTES: Final = 16 * 1024 * 1024
_CHUNK_BYTES: Final = 64 * 1024

type QueryValue = str | int | datetime | None
type Query = Sequence[tuple[str, QueryValue]]


class Status(IntEnum):
    """Status codes of the envelope."""

    OK = 0
    GENERAL_ERROR = 1
    INVALID_PARAMETER = 101
    NO_DATA = 102
    ALREADY_EXISTS = 103
    NO_SUCH_ACCOUNT = 104
    ACCOUNT_REFUSED = 105
    ACCOUNT_LOCKED = 106
    SERVER_EXCEPTION = 500


_STATUS_ERRORS: Final[dict[int, type[AcsError]]] = {
    Status.GENERAL_ERROR: AcsServerError,
    Status.INVALID_PARAMETER: AcsInvalidRequestError,
    Status.ALREADY_EXISTS: AcsServerError,
    Status.NO_SUCH_ACCOUNT: AcsAuthenticationError,
    Status.ACCOUNT_REFUSED: AcsAuthenticationError,
    Status.ACCOUNT_LOCKED: AcsAccountLockedError,
    Status.SERVER_EXCEPTION: AcsServerError,
}

_HTTP_ERRORS: Final[dict[int, type[AcsError]]] = {
    400: AcsInvalidRequestError,
    404: AcsResponseError,  # no such API here: not an AX-ACS v1 server
    405: AcsResponseError,
    408: AcsConnectionError,
    414: AcsInvalidRequestError,
    429: AcsConnectionError,
    502: AcsConnectionError,
    503: AcsConnectionError,
    504: AcsConnectionError,
}


def _http_error(http_status: int) -> type[AcsError]:
    """Return the error for an HTTP status other than 200."""
    if 300 <= http_status < 400:  # a redirect (to a login page?): not the API
        return AcsResponseError
    return _HTTP_ERRORS.get(http_status, AcsServerError)


def path_segment(value: str) -> str:
    """Percent-encode text as ONE path segment (``/ ? # % +`` and spaces too).

    A segment of only dots is encoded as well, so that nothing on the way
    removes it as a relative-path step.
    """
    if value and value.strip(".") == "":
        return "%2E" * len(value)
    return quote(value, safe="")


def scrub(text: str, password: str) -> str:
    """Remove a password from a server's message, should it echo it."""
    if password:
        for form in {password, quote(password, safe=""), path_segment(password)}:
            text = text.replace(form, "***")
    return text


@dataclass(frozen=True, slots=True)
class Envelope:
    """A decoded answer: ``{"status": int, "msg": str, "data": ...}``.

    ``body`` is the whole top-level object (the door state lives there);
    ``msg`` is already free of the password. The methods below check that
    ``data`` has the shape a call expects, or raise ``AcsResponseError``.
    """

    endpoint: str
    status: int
    msg: str
    body: JsonObject

    @property
    def data(self) -> Any:
        """Return the ``data`` member (None when absent)."""
        return self.body.get("data")

    @property
    def no_data(self) -> bool:
        """Return whether the server answered 102 (no such data, or empty)."""
        return self.status == Status.NO_DATA

    def objects(self) -> list[JsonObject]:
        """Return the ``data`` array; 102 or ``null`` is an empty list."""
        data = self.data
        if self.no_data or data is None:
            return []
        if not isinstance(data, list) or not all(
            isinstance(item, JsonObject) for item in data
        ):
            raise AcsResponseError(f"{self.endpoint}: data is not an array of objects")
        return data

    def object_or_none(self) -> JsonObject | None:
        """Return the ``data`` object; 102 (no such object) is None."""
        data = self.data
        if self.no_data or data is None:
            return None
        if not isinstance(data, JsonObject):
            raise AcsResponseError(f"{self.endpoint}: data is not an object")
        return data

    def count(self) -> int:
        """Return the ``data`` number; 102 is 0."""
        if self.no_data:
            return 0
        count = to_int(self.data)
        if count is None or count < 0:
            raise AcsResponseError(f"{self.endpoint}: data is not a count")
        return count

    def found(self) -> JsonObject:
        """Return the whole envelope object; 102 raises ``AcsNotFoundError``."""
        if self.no_data:
            raise AcsNotFoundError(
                f"{self.endpoint}: {self.msg or 'no such data'}", code=self.status
            )
        return self.body


def decode_envelope(endpoint: str, body: bytes, password: str = "") -> Envelope:
    """Decode a body into an envelope, or raise ``AcsResponseError``.

    ``password`` is scrubbed from the server's message.
    """
    try:
        text: str | None = body.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = None
    if text is None:
        raise AcsResponseError(f"{endpoint}: the answer is not UTF-8 text")
    if text.lstrip().startswith("<"):
        raise AcsResponseError(
            f"{endpoint}: the server answered with an HTML page, not JSON"
        )
    document = loads(text)
    status = (
        to_int(document.get("status")) if isinstance(document, JsonObject) else None
    )
    if not isinstance(document, JsonObject) or status is None:
        raise AcsResponseError(f"{endpoint}: the answer is not an AX-ACS envelope")
    return Envelope(
        endpoint=endpoint,
        status=status,
        msg=scrub(to_text(document.get("msg")) or "", password),
        body=document,
    )


class _BodyTooLargeError(Exception):
    """The answer passed ``Transport.max_body_bytes``."""


class Transport:
    """The wire of one AX-ACS server, on an injected aiohttp session."""

    def __init__(self, session: aiohttp.ClientSession, config: AdapterConfig) -> None:
        """Keep the session and settings; nothing is sent yet."""
        self._session = session
        self._config = config
        self._semaphore = asyncio.Semaphore(max(1, config.max_concurrent_requests))
        # The real-time cache keeps an event for 2 s: its polls have their own
        # slots and never queue behind door reads, commands or record pages.
        self._realtime_semaphore = asyncio.Semaphore(REALTIME_SLOTS)
        self._base_url: str | None = None
        #: Answers longer than this are refused (``AcsResponseError``).
        self.max_body_bytes = MAX_BODY_BYTES
        # True: verify with aiohttp's cached default context; False: do not.
        self._ssl: bool = config.verify_ssl

    @property
    def base_url(self) -> str:
        """Return ``http(s)://host:port/api/v1/`` (never holds credentials)."""
        if self._base_url is None:
            try:
                root = URL.build(
                    scheme="https" if self._config.ssl else "http",
                    host=self._config.host.strip(),
                    port=self._config.port,
                )
            except (TypeError, ValueError):
                root = None
            if root is None:
                raise AcsConnectionError("The configured host is not a valid host name")
            self._base_url = str(root).rstrip("/") + API_PATH
        return self._base_url

    def format_time(self, value: datetime) -> str:
        """Return ``yyyy-MM-dd+HH:mm:ss`` in the server's zone.

        An aware time is converted to the server's zone first; a naive one is
        taken as server-local already. The ``+`` is the space, written raw.
        """
        if value.tzinfo is not None and value.utcoffset() is not None:
            value = value.astimezone(self._config.time_zone)
        return (
            f"{value.year:04d}-{value.month:02d}-{value.day:02d}"
            f"+{value.hour:02d}:{value.minute:02d}:{value.second:02d}"
        )

    def _query_value(self, value: QueryValue) -> str:
        if value is None:
            return ""
        if isinstance(value, datetime):
            return self.format_time(value)
        if isinstance(value, int):
            return str(int(value))
        return quote(value, safe="")

    def build_url(
        self, endpoint: str, path: Sequence[str] = (), query: Query = ()
    ) -> URL:
        """Return the URL of an endpoint, exactly as it will be sent.

        ``path`` holds segments ALREADY encoded (see :func:`path_segment`);
        the query string is built here, because aiohttp would turn the ``+``
        of a time into ``%2B``. The URL is marked encoded so that neither yarl
        nor aiohttp re-encodes or normalises it.
        """
        text = self.base_url + endpoint
        if path:
            text = text.rstrip("/") + "/" + "/".join(path)
        if query:
            text += "?" + "&".join(
                f"{quote(name, safe='')}={self._query_value(value)}"
                for name, value in query
            )
        return URL(text, encoded=True)

    async def _read_body(self, response: aiohttp.ClientResponse) -> bytes:
        """Read the body, at most :attr:`max_body_bytes` of it."""
        limit = self.max_body_bytes
        if response.content_length is not None and response.content_length > limit:
            raise _BodyTooLargeError
        chunks: list[bytes] = []
        size = 0
        async for chunk in response.content.iter_chunked(_CHUNK_BYTES):
            size += len(chunk)
            if size > limit:
                # Leaving the response unread closes its connection.
                raise _BodyTooLargeError
            chunks.append(chunk)
        return b"".join(chunks)

    async def request(
        self,
        endpoint: str,
        path: Sequence[str] = (),
        query: Query = (),
        *,
        realtime: bool = False,
    ) -> Envelope:
        """Send one GET and return the envelope of status 0 or 102.

        ``realtime`` requests (the 2 s cache) take their own slots, so they
        never wait for the others to finish.

        Every other outcome raises a subclass of ``AcsError`` that carries the
        server's code and message, and never the URL: ``endpoint`` (the fixed
        part of the path) is what logs and errors name.
        """
        url = self.build_url(endpoint, path, query)
        error: AcsError | None = None
        http_status = 0
        body = b""
        _LOGGER.debug("GET %s", endpoint)
        async with self._realtime_semaphore if realtime else self._semaphore:
            try:
                async with (
                    asyncio.timeout(self._config.request_timeout),
                    self._session.get(
                        url, ssl=self._ssl, allow_redirects=False
                    ) as response,
                ):
                    http_status = response.status
                    body = await self._read_body(response)
            except _BodyTooLargeError:
                error = AcsResponseError(
                    f"{endpoint}: the answer is larger than "
                    f"{self.max_body_bytes // (1024 * 1024)} MiB"
                )
            except TimeoutError:
                error = AcsTimeoutError(
                    f"{endpoint}: no answer within {self._config.request_timeout:g} s"
                )
            except (
                aiohttp.ClientConnectorCertificateError,
                ssl.SSLCertVerificationError,
            ) as err:
                error = AcsCertificateError(
                    f"{endpoint}: the server's certificate cannot be verified "
                    f"({type(err).__name__})"
                )
            except (aiohttp.ClientError, OSError) as err:
                # The aiohttp error names the URL: keep only its class.
                error = AcsConnectionError(
                    f"{endpoint}: cannot talk to the server ({type(err).__name__})"
                )
        # Raised outside the handlers, so no aiohttp error rides along as
        # __context__ (it would carry the URL into a traceback).
        if error is not None:
            _LOGGER.debug("%s failed: %s", endpoint, error)
            raise error
        if http_status != 200:
            _LOGGER.debug("%s answered HTTP %s", endpoint, http_status)
            raise _http_error(http_status)(
                f"{endpoint}: the server answered HTTP {http_status}"
            )
        envelope = decode_envelope(endpoint, body, self._config.password)
        _LOGGER.debug("%s answered status %s", endpoint, envelope.status)
        if envelope.status in (Status.OK, Status.NO_DATA):
            return envelope
        raise _STATUS_ERRORS.get(envelope.status, AcsServerError)(
            f"{endpoint}: {envelope.msg or f'status {envelope.status}'}",
            code=envelope.status,
        )
