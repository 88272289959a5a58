"""The wire of one ISAPI device: the one request helper, digest, lock-out safety.

* Serial and paced: one request at a time per device (an ``asyncio.Lock``),
  at least ``min_interval`` seconds between the starts of two requests; the
  alert stream has its own connection (:meth:`Transport.open_stream`) and
  does not hold the lock.
* Digest (:mod:`.digest`) on every aiohttp version. The last challenge is
  re-used pre-emptively (one round trip per request, not two).
* Account-lock safety with a :class:`~.guard.LoginGuard`. A 401 counts as a
  refused password ONLY when the request carried credentials computed for a
  challenge the device sent in answer to this same request. Not counted: the
  bare challenge (a request without credentials), a ``stale=true`` challenge,
  and a fresh challenge answering a re-used nonce (each is answered once
  more).
* A refusal is not always a wrong password. **A 401 after the same
  credentials worked in this session is a missing permission**
  (``AcsPermissionError``): the device just accepted these credentials for
  another call, so the password is right and the account lacks the right for
  this call (an account without "Remote: Log Search" gets 401 on ``AcsEvent``
  while ``deviceInfo`` works). To stay safe should the password have been
  changed on the device in between, such a verdict uses up the proof: the
  next 401 is taken as a permission error only if another call succeeded in
  between; otherwise it counts as a refusal (so a changed password costs at
  most two failures before the guard stops all requests). The identity call
  (``deviceInfo``, the credential check) is never a permission error. A 403
  is always a permission error and never counted.
* ``userCheck`` with ``lockStatus=lock`` gives ``AcsAccountLockedError``
  with the seconds left, and the guard sends nothing until then.
* Busy answers (``statusCode`` 2, ``deviceBusy``, HTTP 503) are retried
  ``busy_retries`` times with a doubling back-off, then ``DeviceBusyError``.
* Errors name the call (its path, without query), never a URL, a body or a
  password; the aiohttp error (which holds the URL) is never chained.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass
import logging
import ssl
import time
from typing import Any, Final

import aiohttp
from yarl import URL

from ..exceptions import (  # noqa: TID252
    AcsAccountLockedError,
    AcsAuthenticationError,
    AcsCertificateError,
    AcsConnectionError,
    AcsError,
    AcsPermissionError,
    AcsResponseError,
    AcsTimeoutError,
)
from .decode import DeviceBusyError, decode_answer, parse_document, user_check
from .digest import DigestAuth, parse_digest
from .guard import LoginGuard

__all__ = ["Transport", "TransportSettings"]

_LOGGER = logging.getLogger(__name__)

_CHUNK: Final = 64 * 1024
#: A 401 body (``userCheck``) is small; read no more of it than this.
_MAX_401_BODY: Final = 64 * 1024
#: Attempts of one request at the digest level (bare or pre-emptive, answer,
#: answer to a ``stale`` challenge).
_AUTH_ATTEMPTS: Final = 3


@dataclass(frozen=True, slots=True, kw_only=True)
class TransportSettings:
    """Timing and size limits of a transport."""

    request_timeout: float = 10.0
    min_interval: float = 0.05
    """Seconds between the starts of two requests (the devices are small)."""
    busy_retries: int = 2
    busy_backoff: float = 0.5
    """Seconds before the first retry of a busy answer (doubled each time)."""
    max_body_bytes: int = 4 * 1024 * 1024


class _BodyTooLargeError(Exception):
    """The answer passed the size limit."""


class Transport:
    """The wire of one ISAPI device, on an injected aiohttp session."""

    def __init__(
        self,
        session: aiohttp.ClientSession,
        *,
        host: str,
        port: int,
        username: str,
        password: str,
        ssl: bool = False,
        verify_ssl: bool = True,
        guard: LoginGuard | None = None,
        settings: TransportSettings | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        """Keep the session and settings; nothing is sent yet."""
        self._session = session
        self._host = host.strip()
        self._port = port
        self._scheme = "https" if ssl else "http"
        self._ssl: bool = verify_ssl
        self._auth = DigestAuth(username, password)
        self.guard = guard if guard is not None else LoginGuard()
        self.settings = settings or TransportSettings()
        self._clock = clock
        self._lock = asyncio.Lock()
        self._last_start: float | None = None
        #: The credentials worked since the last permission verdict.
        self._proven = False

    def url(self, path: str, query: Mapping[str, str] | None = None) -> URL:
        """Return the URL of a path (never holds credentials)."""
        try:
            return URL.build(
                scheme=self._scheme,
                host=self._host,
                port=self._port,
                path=path,
                query=dict(query) if query else None,
            )
        except (TypeError, ValueError):
            raise AcsConnectionError(
                "The configured host is not a valid host name"
            ) from None

    # --- the request helper ------------------------------------------------

    async def request(
        self,
        method: str,
        path: str,
        *,
        query: Mapping[str, str] | None = None,
        body: bytes | None = None,
        content_type: str | None = None,
        identity: bool = False,
    ) -> dict[str, Any]:
        """Send one request and return its decoded answer (a dict; {} if empty).

        ``identity`` marks the credential check (``deviceInfo``): a 401 there
        is never taken as a missing permission.
        """
        url = self.url(path, query)
        settings = self.settings
        async with self._lock:
            for attempt in range(settings.busy_retries + 1):
                try:
                    return await self._once(
                        method, url, path, body, content_type, identity=identity
                    )
                except DeviceBusyError:
                    if attempt == settings.busy_retries:
                        raise
                    _LOGGER.debug("%s: device busy, retry %d", path, attempt + 1)
                    await asyncio.sleep(settings.busy_backoff * 2**attempt)
        raise AssertionError("unreachable")  # pragma: no cover

    async def _pace(self) -> None:
        loop = asyncio.get_running_loop()
        if self._last_start is not None:
            wait = self._last_start + self.settings.min_interval - loop.time()
            if wait > 0:
                await asyncio.sleep(wait)
        self._last_start = loop.time()

    async def _once(
        self,
        method: str,
        url: URL,
        what: str,
        body: bytes | None,
        content_type: str | None,
        *,
        identity: bool,
    ) -> dict[str, Any]:
        error: AcsError | None = None
        status = 0
        data = b""
        try:
            async with asyncio.timeout(self.settings.request_timeout):
                response = await self._authorized(
                    method, url, what, body, content_type, identity=identity, pace=True
                )
                try:
                    status = response.status
                    data = await self._read(response, self.settings.max_body_bytes)
                finally:
                    response.release()
        except Exception as err:  # noqa: BLE001 - mapped, or re-raised as is
            error = self._wire_error(err, what)
        if error is not None:
            _LOGGER.debug("%s failed: %s", what, error)
            raise error
        if status != 200:
            _LOGGER.debug("%s answered HTTP %s", what, status)
        return decode_answer(status, data, what)

    def _wire_error(self, err: Exception, what: str) -> AcsError:
        """Return the adapter error for a failure on the wire (no URL in it).

        The result is raised outside the ``except`` block that caught ``err``,
        so the aiohttp error (which names the URL) is never chained to it.
        """
        if isinstance(err, AcsError):
            return err
        if isinstance(err, _BodyTooLargeError):
            return AcsResponseError(f"{what}: the answer is too large")
        if isinstance(err, TimeoutError):
            return AcsTimeoutError(
                f"{what}: no answer within {self.settings.request_timeout:g} s"
            )
        if isinstance(
            err, aiohttp.ClientConnectorCertificateError | ssl.SSLCertVerificationError
        ):
            return AcsCertificateError(
                f"{what}: the device's certificate cannot be verified "
                f"({type(err).__name__})"
            )
        if isinstance(err, aiohttp.ClientError | OSError):
            return AcsConnectionError(
                f"{what}: cannot talk to the device ({type(err).__name__})"
            )
        raise err

    async def _read(self, response: aiohttp.ClientResponse, limit: int) -> bytes:
        if response.content_length is not None and response.content_length > limit:
            raise _BodyTooLargeError
        chunks: list[bytes] = []
        size = 0
        async for chunk in response.content.iter_chunked(_CHUNK):
            size += len(chunk)
            if size > limit:
                raise _BodyTooLargeError
            chunks.append(chunk)
        return b"".join(chunks)

    # --- digest and the guard ------------------------------------------------

    async def _authorized(
        self,
        method: str,
        url: URL,
        what: str,
        body: bytes | None,
        content_type: str | None,
        *,
        identity: bool,
        pace: bool,
    ) -> aiohttp.ClientResponse:
        """Return the first answer that is not a 401 (open: the caller releases it)."""
        uri = url.raw_path_qs
        fresh = False  # the credentials answer a challenge sent for this request
        for _ in range(_AUTH_ATTEMPTS):
            now = self._clock()
            self.guard.check(now)
            headers: dict[str, str] = {}
            if content_type is not None:
                headers["Content-Type"] = content_type
            challenge = self._auth.challenge
            if challenge is not None:
                headers["Authorization"] = self._auth.authorization(method, uri)
            if pace:
                await self._pace()
            response = await self._session.request(
                method,
                url,
                data=body,
                headers=headers,
                ssl=self._ssl,
                allow_redirects=False,
            )
            if response.status != 401:
                if challenge is not None:
                    self.guard.record_success()
                    self._proven = True
                return response
            try:
                data = await self._read(response, _MAX_401_BODY)
            except _BodyTooLargeError:
                data = b""
            finally:
                response.release()
            self._refused(response, data)
            new = parse_digest(response.headers.getall("WWW-Authenticate", []))
            if new is None:
                raise AcsAuthenticationError(
                    f"{what}: the device asks for an authentication other than digest"
                )
            if (
                challenge is None
                or new.stale
                or (not fresh and new.nonce != challenge.nonce)
            ):
                # The bare challenge, a stale nonce, or a new challenge to a
                # re-used nonce: not a verdict on the password; answer it.
                self._auth.accept(new)
                fresh = True
                continue
            self._auth.accept(new)
            if self._proven and not identity:
                self._proven = False
                raise AcsPermissionError(
                    f"{what}: the account lacks the permission for this call "
                    "(the same credentials work for other calls)",
                    code=401,
                )
            self.guard.record_refusal(now)
            raise AcsAuthenticationError(
                f"{what}: the device refused the user name or password", code=401
            )
        raise AcsAuthenticationError(
            f"{what}: the device keeps sending new digest challenges", code=401
        )

    def _refused(self, response: aiohttp.ClientResponse, data: bytes) -> None:
        """Raise ``AcsAccountLockedError`` when the 401 says the account is locked."""
        try:
            document = parse_document(data, "401")
        except AcsResponseError:
            return
        check = user_check(document)
        if check is None or not check.locked:
            return
        now = self._clock()
        self.guard.record_lock(now, check.unlock_seconds)
        self._proven = False
        raise AcsAccountLockedError(
            "The device has locked the account after too many failed logins",
            code=response.status,
            retry_after=(
                float(check.unlock_seconds)
                if check.unlock_seconds is not None
                else None
            ),
        )

    # --- the stream -------------------------------------------------------

    @asynccontextmanager
    async def open_stream(self, path: str) -> AsyncIterator[aiohttp.ClientResponse]:
        """Open a long-lived GET (the alert stream) on its own connection.

        Yields the response once its headers arrived with HTTP 200; 403 is
        ``AcsPermissionError`` (no notification permission). It does not take
        the request lock: the stream lives beside the requests.
        """
        url = self.url(path)
        error: AcsError | None = None
        response: aiohttp.ClientResponse | None = None
        try:
            async with asyncio.timeout(self.settings.request_timeout):
                response = await self._authorized(
                    "GET", url, path, None, None, identity=False, pace=False
                )
                if response.status != 200:
                    status = response.status
                    data = await self._read(response, _MAX_401_BODY)
                    response.release()
                    response = None
                    decode_answer(status, data, path)
                    error = AcsResponseError(f"{path}: the device answered {status}")
        except Exception as err:  # noqa: BLE001 - mapped, or re-raised as is
            error = self._wire_error(err, path)
        if error is not None or response is None:
            if response is not None:
                response.release()
            raise error or AcsResponseError(f"{path}: no stream")
        try:
            yield response
        finally:
            response.close()
