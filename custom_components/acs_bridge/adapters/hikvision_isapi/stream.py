"""The alert stream: ``multipart/mixed`` (or ``form-data``) parts, read forever.

:class:`MultipartParser` is sans-I/O: bytes in, :class:`Part` out. It reads
the boundary from ``Content-Type`` (``MIME_boundary`` on access devices,
``boundary`` on camera firmware, quoted or not; without one, the first
``--token`` line gives it), each part's own headers, and its body by
``Content-Length`` or, when that is missing, up to the next boundary. A
``Content-Length`` that overstates the body is cut at the next boundary, so
one wrong length never swallows the next event. Pictures (``image/*``) and
parts over ``max_part_bytes`` are skipped without being kept in memory.

:func:`read_alert_stream` turns the parts of an open response into
:class:`~.models.StreamItem` objects: events (JSON, tab-indented or not, or
XML) and heartbeats (``videoloss`` + ``inactive``, or ``heartBeat``). A
malformed part is skipped (logged once per stream, then at debug level); the
stream ending, breaking or staying silent for ``stall_timeout`` seconds (no
complete part) raises ``AcsConnectionError`` (``AcsTimeoutError`` for the
stall). The caller then reconnects and replays by serial number.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import Enum, auto
import logging
import re
from typing import Final

import aiohttp

from ..exceptions import (  # noqa: TID252
    AcsConnectionError,
    AcsError,
    AcsResponseError,
    AcsTimeoutError,
)
from .decode import parse_document
from .events import is_heartbeat, parse_stream_event
from .models import StreamItem, StreamItemKind

__all__ = [
    "DEFAULT_STALL_TIMEOUT",
    "MultipartParser",
    "Part",
    "boundary_from",
    "decode_part",
    "read_alert_stream",
]

_LOGGER = logging.getLogger(__name__)

#: Seconds without a complete part after which the stream is dead.
DEFAULT_STALL_TIMEOUT: Final = 90.0
#: The largest part kept (an event is a few KiB; pictures are skipped anyway).
MAX_PART_BYTES: Final = 1024 * 1024
_MAX_HEADER_BYTES: Final = 16 * 1024
_BOUNDARY_RE: Final = re.compile(r"""boundary\s*=\s*(?:"([^"]+)"|([^;,\s]+))""", re.I)


def boundary_from(content_type: str | None) -> str | None:
    """Return the boundary of a ``Content-Type`` (quoted or not), or None."""
    if not content_type:
        return None
    match = _BOUNDARY_RE.search(content_type)
    if match is None:
        return None
    return match.group(1) or match.group(2)


@dataclass(frozen=True, slots=True)
class Part:
    """One part of the stream; ``skipped`` parts (pictures, oversized) have no body."""

    headers: dict[str, str]
    body: bytes
    skipped: bool = False

    @property
    def content_type(self) -> str:
        """Return the part's content type in lower case ('' when absent)."""
        return self.headers.get("content-type", "").lower()


class _State(Enum):
    PREAMBLE = auto()
    HEADERS = auto()
    BODY = auto()


class MultipartParser:
    """Split a multipart byte stream into parts (sans-I/O)."""

    def __init__(
        self, boundary: str | None, *, max_part_bytes: int = MAX_PART_BYTES
    ) -> None:
        """Start before the first boundary (None: learn it from the first line)."""
        self._delimiter = b"--" + boundary.encode("latin-1") if boundary else None
        self._max = max_part_bytes
        self._buffer = b""
        self._state = _State.PREAMBLE
        self._headers: dict[str, str] = {}
        self._body: list[bytes] = []
        self._size = 0
        self._remaining: int | None = None
        self._keep = True
        #: Parts that began but were not complete when the stream ended.
        self.truncated = 0

    def feed(self, data: bytes) -> list[Part]:
        """Take more bytes; return the parts completed by them."""
        self._buffer += data
        parts: list[Part] = []
        while True:
            if self._state is _State.PREAMBLE and not self._preamble():
                break
            if self._state is _State.HEADERS and not self._read_headers():
                break
            if self._state is _State.BODY:
                part = self._read_body()
                if part is None:
                    break
                parts.append(part)
        return parts

    def finish(self) -> None:
        """End the stream: count a part that was not complete."""
        if self._state is not _State.PREAMBLE:
            self.truncated += 1
        self._state = _State.PREAMBLE
        self._buffer = b""

    def _preamble(self) -> bool:
        """Skip to the next delimiter line; False when more bytes are needed."""
        if self._delimiter is None and not self._learn_boundary():
            return False
        assert self._delimiter is not None
        index = self._buffer.find(self._delimiter)
        if index < 0:
            # keep a tail that could be the start of a delimiter
            self._buffer = self._buffer[-(len(self._delimiter) - 1) :]
            return False
        end = self._buffer.find(b"\n", index)
        if end < 0:
            self._buffer = self._buffer[index:]
            return False
        line = self._buffer[index + len(self._delimiter) : end].strip()
        self._buffer = self._buffer[end + 1 :]
        if line.startswith(b"--"):  # the closing delimiter: wait for another
            return True
        self._state = _State.HEADERS
        return True

    def _learn_boundary(self) -> bool:
        for line in self._buffer.split(b"\n")[:-1]:
            token = line.strip()
            if token.startswith(b"--") and len(token) > 2 and b" " not in token:
                self._delimiter = token
                return True
        if len(self._buffer) > _MAX_HEADER_BYTES:
            self._buffer = self._buffer[-_MAX_HEADER_BYTES:]
        return False

    def _read_headers(self) -> bool:
        if self._buffer.startswith((b"\r\n", b"\n")):
            raw, rest = b"", self._buffer[2 if self._buffer[0] == 13 else 1 :]
        else:
            ends = [
                (i, len(sep))
                for sep in (b"\r\n\r\n", b"\n\n")
                if (i := self._buffer.find(sep)) >= 0
            ]
            if not ends:
                if len(self._buffer) > _MAX_HEADER_BYTES:  # not a header block
                    self._state = _State.PREAMBLE
                    self.truncated += 1
                return False
            index, size = min(ends)
            raw, rest = self._buffer[:index], self._buffer[index + size :]
        self._buffer = rest
        headers: dict[str, str] = {}
        for line in raw.decode("latin-1").splitlines():
            name, sep, value = line.partition(":")
            if sep:
                headers[name.strip().lower()] = value.strip()
        self._headers = headers
        length = headers.get("content-length", "").strip()
        self._remaining = int(length) if length.isdigit() else None
        self._keep = not headers.get("content-type", "").lower().startswith("image/")
        if self._remaining is not None and self._remaining > self._max:
            self._keep = False
        self._body = []
        self._size = 0
        self._state = _State.BODY
        return True

    def _take(self, data: bytes) -> None:
        if self._keep:
            self._size += len(data)
            if self._size > self._max:
                self._keep = False
                self._body = []
            else:
                self._body.append(data)

    def _complete(self, *, trim: bool) -> Part:
        body = b"".join(self._body)
        if trim:  # the line break before the next delimiter
            body = body.removesuffix(b"\n").removesuffix(b"\r")
        self._state = _State.PREAMBLE
        part = Part(dict(self._headers), body if self._keep else b"", not self._keep)
        self._body = []
        return part

    def _read_body(self) -> Part | None:
        assert self._delimiter is not None
        delimiter = self._delimiter
        window = (
            self._buffer if self._remaining is None else self._buffer[: self._remaining]
        )
        index = window.find(delimiter)
        if index >= 0:
            # the next part starts here (missing or overstated Content-Length)
            self._take(window[:index])
            self._buffer = self._buffer[index:]
            return self._complete(trim=True)
        if self._remaining is not None and len(window) == self._remaining:
            self._take(window)
            self._buffer = self._buffer[len(window) :]
            return self._complete(trim=False)
        keep_tail = len(delimiter) - 1
        take = max(0, len(window) - keep_tail)
        self._take(window[:take])
        self._buffer = self._buffer[take:]
        if self._remaining is not None:
            self._remaining -= take
        return None


def decode_part(part: Part, received_at: datetime) -> StreamItem | None:
    """Return the event or heartbeat of a part; None for other parts.

    Raises ``AcsResponseError`` for a malformed body.
    """
    if part.skipped or not part.body.strip():
        return None
    document = parse_document(part.body, "alert stream part")
    if is_heartbeat(document):
        return StreamItem(
            kind=StreamItemKind.HEARTBEAT, event=None, received_at=received_at
        )
    event = parse_stream_event(document)
    if event is None:
        return None
    return StreamItem(kind=StreamItemKind.EVENT, event=event, received_at=received_at)


async def read_alert_stream(
    response: aiohttp.ClientResponse,
    *,
    stall_timeout: float = DEFAULT_STALL_TIMEOUT,
    max_part_bytes: int = MAX_PART_BYTES,
    now: Callable[[], datetime] = lambda: datetime.now(UTC),
) -> AsyncIterator[StreamItem]:
    """Yield the events and heartbeats of an open alert-stream response."""
    parser = MultipartParser(
        boundary_from(response.headers.get("Content-Type")),
        max_part_bytes=max_part_bytes,
    )
    loop = asyncio.get_running_loop()
    deadline = loop.time() + stall_timeout
    warned = False
    while True:
        error: AcsError | None = None
        chunk = b""
        try:
            async with asyncio.timeout_at(deadline):
                chunk = await response.content.readany()
        except TimeoutError:
            error = AcsTimeoutError(
                f"alert stream: nothing received for {stall_timeout:g} s"
            )
        except (aiohttp.ClientError, OSError) as err:
            error = AcsConnectionError(f"alert stream: broken ({type(err).__name__})")
        if error is None and not chunk:
            parser.finish()
            error = AcsConnectionError("alert stream: the device closed it")
        if parser.truncated and not warned:
            _LOGGER.warning("Alert stream: a part was cut off; it is skipped")
            warned = True
        if error is not None:
            raise error
        for part in parser.feed(chunk):
            deadline = loop.time() + stall_timeout
            try:
                item = decode_part(part, now())
            except AcsResponseError as err:
                log = _LOGGER.debug if warned else _LOGGER.warning
                log("Alert stream: skipped a part: %s", err)
                warned = True
                continue
            if item is not None:
                yield item
