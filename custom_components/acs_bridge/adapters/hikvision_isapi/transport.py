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
* A refusal is not always a wrong password: an account without "Remote:
  Log Search" gets 401 on ``AcsEvent`` while ``deviceInfo`` works. So a 401
  on any call but the identity call (``deviceInfo``) is judged by asking
  ``deviceInfo`` at once with the same credentials: **if it succeeds, the
  password is right and the 401 was a missing permission**
  (``AcsPermissionError``, not counted); if it is refused too, both refusals
  are counted and the password is wrong. A wrong password thus costs at most
  two failures on the device per call (three when a re-used nonce was
  answered first), and a known-good password refused stops every request.
  A 403 is always a permission error and never counted.
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
import time
from typing import Any, Final

import aiohttp
from yarl import URL

from ..exceptions import (  # noqa: TID252
    AcsAccountLockedError,
    AcsAuthenticationError,
    AcsConnectionError,
    AcsError,
    AcsPermissionError,
    AcsResponseError,
)
from .decode import (
    BodyTooLargeError,
    DeviceBusyError,
    decode_answer,
    parse_document,
    user_check,
    wire_error,
)
from .digest import DigestAuth, DigestChallenge, parse_digest
from .guard import LoginGuard

__all__ = ["Transport", "TransportSettings"]

_LOGGER = logging.getLogger(__name__)

_CHUNK: Final = 64 * 1024
#: A 401 body (``userCheck``) is small; read no more of it than this.
_MAX_401_BODY: Final = 64 * 1024
#: Attempts of one request at the digest level (bare or pre-emptive, answer,
#: answer to a ``stale`` challenge).
_AUTH_ATTEMPTS: Final = 3
#: The identity call: the credential check, and the judge of a refusal.
IDENTITY_PATH: Final = "/ISAPI/System/deviceInfo"


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
            error = wire_error(err, what, self.settings.request_timeout)
        if error is not None:
            _LOGGER.debug("%s failed: %s", what, error)
            raise error
        if status != 200:
            _LOGGER.debug("%s answered HTTP %s", what, status)
        return decode_answer(status, data, what)

    async def _read(self, response: aiohttp.ClientResponse, limit: int) -> bytes:
        if response.content_length is not None and response.content_length > limit:
            raise BodyTooLargeError
        chunks: list[bytes] = []
        size = 0
        async for chunk in response.content.iter_chunked(_CHUNK):
            size += len(chunk)
            if size > limit:
                raise BodyTooLargeError
            chunks.append(chunk)
        return b"".join(chunks)

    # --- digest and the guard ------------------------------------------------

    async def _send(
        self,
        method: str,
        url: URL,
        body: bytes | None,
        content_type: str | None,
        *,
        pace: bool,
    ) -> aiohttp.ClientResponse:
        """Send once, with credentials for the current challenge if there is one."""
        headers: dict[str, str] = {}
        if content_type is not None:
            headers["Content-Type"] = content_type
        if self._auth.challenge is not None:
            headers["Authorization"] = self._auth.authorization(method, url.raw_path_qs)
        if pace:
            await self._pace()
        return await self._session.request(
            method,
            url,
            data=body,
            headers=headers,
            ssl=self._ssl,
            allow_redirects=False,
        )

    async def _challenge_of(
        self, response: aiohttp.ClientResponse, what: str
    ) -> DigestChallenge:
        """Read a 401: raise for a locked account or no digest; return its challenge."""
        try:
            data = await self._read(response, _MAX_401_BODY)
        except BodyTooLargeError:
            data = b""
        finally:
            response.release()
        self._raise_if_locked(data)
        challenge = parse_digest(response.headers.getall("WWW-Authenticate", []))
        if challenge is None:
            raise AcsAuthenticationError(
                f"{what}: the device asks for an authentication other than digest"
            )
        return challenge

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
        fresh = False  # the credentials answer a challenge sent for this request
        for _ in range(_AUTH_ATTEMPTS):
            now = self._clock()
            self.guard.check(now)
            used = self._auth.challenge
            response = await self._send(method, url, body, content_type, pace=pace)
            if response.status != 401:
                if used is not None:
                    self.guard.record_success()
                return response
            new = await self._challenge_of(response, what)
            self._auth.accept(new)
            if used is None or new.stale or (not fresh and new.nonce != used.nonce):
                # The bare challenge, a stale nonce, or a new challenge to a
                # re-used nonce: not a verdict on the password; answer it.
                fresh = True
                continue
            if not identity and await self._identity_accepted(what):
                raise AcsPermissionError(
                    f"{what}: the account lacks the permission for this call "
                    "(the same credentials work for deviceInfo)",
                    code=401,
                )
            self.guard.record_refusal(now)
            raise AcsAuthenticationError(
                f"{what}: the device refused the user name or password", code=401
            )
        raise AcsAuthenticationError(
            f"{what}: the device keeps sending new digest challenges", code=401
        )

    async def _identity_accepted(self, what: str) -> bool:
        """Return whether ``deviceInfo`` accepts the credentials right now.

        Asked once after a refusal of any other call: True means the refusal
        was a missing permission; False is a second refusal (recorded here).
        """
        _LOGGER.debug("%s: refused; checking the credentials on deviceInfo", what)
        for _ in range(2):  # a stale nonce is answered once more
            now = self._clock()
            self.guard.check(now)
            response = await self._send(
                "GET", self.url(IDENTITY_PATH), None, None, pace=True
            )
            if response.status != 401:
                response.release()
                self.guard.record_success()
                return True
            new = await self._challenge_of(response, IDENTITY_PATH)
            self._auth.accept(new)
            if not new.stale:
                break
        self.guard.record_refusal(self._clock())
        return False

    def _raise_if_locked(self, data: bytes) -> None:
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
        raise AcsAccountLockedError(
            "The device has locked the account after too many failed logins",
            code=401,
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
            error = wire_error(err, path, self.settings.request_timeout)
        if error is not None or response is None:
            if response is not None:
                response.release()
            raise error or AcsResponseError(f"{path}: no stream")
        try:
            yield response
        finally:
            response.close()
