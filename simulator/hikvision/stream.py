"""The alert stream: a long-lived multipart response per subscriber.

On connect the device logs 3/121 (sent live), then re-sends history marked
``currentEvent: false`` (the last N events, the whole log, or nothing); live
events follow as they are logged, heartbeats every ``heartbeat_period``
seconds of the monotonic clock (checked by ``StreamHub.tick``), and a JPEG
part after each face event. When the stream ends the device logs 3/122.
"""

from __future__ import annotations

import asyncio
import base64
from dataclasses import dataclass, field
import itertools
import logging
from typing import TYPE_CHECKING, Literal

from aiohttp import web

from . import events as ev
from .events import HikEvent
from .render import alert_body, alert_part, heartbeat_body, response_status

if TYPE_CHECKING:
    from .core import HikSimulator

_LOGGER = logging.getLogger(__name__)

#: An 8x8 JPEG: the "face snapshot" of every face event.
JPEG = base64.b64decode(
    "/9j/4AAQSkZJRgABAQAAAQABAAD/2wBDABALDA4MChAODQ4SERATGCgaGBYWGDEjJR0oOjM9PDkzODdASFxO"
    "QERXRTc4UG1RV19iZ2hnPk1xeXBkeFxlZ2P/2wBDARESEhgVGC8aGi9jQjhCY2NjY2NjY2NjY2NjY2NjY2Nj"
    "Y2NjY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2P/wAARCAAIAAgDASIAAhEBAxEB/8QAHwAAAQUBAQEB"
    "AQEAAAAAAAAAAAECAwQFBgcICQoL/8QAtRAAAgEDAwIEAwUFBAQAAAF9AQIDAAQRBRIhMUEGE1FhByJxFDKB"
    "kaEII0KxwRVS0fAkM2JyggkKFhcYGRolJicoKSo0NTY3ODk6Q0RFRkdISUpTVFVWV1hZWmNkZWZnaGlqc3R1"
    "dnd4eXqDhIWGh4iJipKTlJWWl5iZmqKjpKWmp6ipqrKztLW2t7i5usLDxMXGx8jJytLT1NXW19jZ2uHi4+Tl"
    "5ufo6erx8vP09fb3+Pn6/8QAHwEAAwEBAQEBAQEBAQAAAAAAAAECAwQFBgcICQoL/8QAtREAAgECBAQDBAcF"
    "BAQAAQJ3AAECAxEEBSExBhJBUQdhcRMiMoEIFEKRobHBCSMzUvAVYnLRChYkNOEl8RcYGRomJygpKjU2Nzg5"
    "OkNERUZHSElKU1RVVldYWVpjZGVmZ2hpanN0dXZ3eHl6goOEhYaHiImKkpOUlZaXmJmaoqOkpaanqKmqsrO0"
    "tba3uLm6wsPExcbHyMnK0tPU1dbX2Nna4uPk5ebn6Onq8vP09fb3+Pn6/9oADAMBAAIRAxEAPwDPooormOg/"
    "/9k="
)

type Action = Literal["heartbeat", "drop", "truncate", "malformed", "stop"]


@dataclass(eq=False, slots=True)
class Item:
    """One thing to send (or do) on a stream."""

    action: Action | Literal["event"]
    event: HikEvent | None = None
    current: bool = True


@dataclass(eq=False)
class Subscriber:
    """One open alert stream."""

    id: int
    peer: str
    last_beat: float
    queue: asyncio.Queue[Item] = field(default_factory=asyncio.Queue)
    stalled: bool = False
    parts_sent: int = 0
    heartbeats_sent: int = 0


class StreamHub:
    """The open streams of a simulator, and what is pushed to them."""

    def __init__(self, sim: HikSimulator) -> None:
        """Serve the streams of ``sim``."""
        self.sim = sim
        self.subscribers: list[Subscriber] = []
        self._ids = itertools.count(1)
        self.connected = asyncio.Event()
        """Set whenever a stream has finished its connect (3/121 and history queued)."""
        sim.device.log.listeners.append(self._on_event)

    def _on_event(self, event: HikEvent) -> None:
        for sub in self.subscribers:
            sub.queue.put_nowait(Item("event", event))

    def tick(self, now: float) -> None:
        """Queue a heartbeat on every stream whose period has passed."""
        period = self.sim.config.heartbeat_period
        if period is None:
            return
        for sub in self.subscribers:
            if now - sub.last_beat >= period:
                sub.last_beat = now
                sub.queue.put_nowait(Item("heartbeat"))

    def act(self, action: Action) -> int:
        """Make every open stream do ``action``; return how many streams."""
        for sub in self.subscribers:
            sub.queue.put_nowait(Item(action))
        return len(self.subscribers)

    def stall(self, stalled: bool) -> int:
        """Stall (send nothing, keep TCP open) or resume every open stream."""
        for sub in self.subscribers:
            sub.stalled = stalled
        return len(self.subscribers)

    def info(self) -> list[dict[str, object]]:
        """Return the open streams, for the control API."""
        return [
            {
                "id": s.id,
                "peer": s.peer,
                "stalled": s.stalled,
                "parts_sent": s.parts_sent,
                "heartbeats_sent": s.heartbeats_sent,
                "queued": s.queue.qsize(),
            }
            for s in self.subscribers
        ]

    # --- the response ------------------------------------------------------------------

    async def handle(self, request: web.Request) -> web.StreamResponse:
        """Serve ``GET /ISAPI/Event/notification/alertStream``."""
        sim, cfg, device = self.sim, self.sim.config, self.sim.device
        if cfg.stream_forbidden:
            return response_status(
                request, cfg, 4, "lowPrivilege", http_status=403, as_json=False
            )
        boundary = cfg.boundary
        response = web.StreamResponse(
            headers={
                "Content-Type": f"multipart/{cfg.multipart_subtype}; boundary={boundary}",
                "Connection": "close",
            }
        )
        await response.prepare(request)
        peer = request.remote or ""
        sub = Subscriber(next(self._ids), peer, sim.clock())
        self.subscribers.append(sub)
        user = cfg.username
        connected = device.emit(
            ev.SUBSCRIBER_CONNECTED, net_user=user, remote_host=peer
        )
        if cfg.history_mode != "none":
            older = [e for e in device.log if e.serial_no != connected.serial_no]
            if cfg.history_mode == "last":
                older = older[-cfg.history_count :] if cfg.history_count else []
            for event in older:
                sub.queue.put_nowait(Item("event", event, current=False))
        self.connected.set()
        try:
            await self._serve(request, response, sub)
        finally:
            self.subscribers.remove(sub)
            if not sim.offline:
                device.emit(ev.SUBSCRIBER_LEFT, net_user=user, remote_host=peer)
        return response

    async def _serve(
        self, request: web.Request, response: web.StreamResponse, sub: Subscriber
    ) -> None:
        stopping = self.sim.stopping
        while not stopping.is_set():
            transport = request.transport
            if transport is None or transport.is_closing():
                return
            try:
                item = await asyncio.wait_for(sub.queue.get(), 0.2)
            except TimeoutError:
                continue
            if item.action == "stop":
                return
            if item.action == "drop":
                transport.abort()
                return
            if sub.stalled:
                continue  # a stalled stream loses what happens meanwhile
            try:
                if not await self._send(response, sub, item, transport):
                    return
            except (ConnectionError, RuntimeError):
                return

    async def _send(
        self,
        response: web.StreamResponse,
        sub: Subscriber,
        item: Item,
        transport: asyncio.Transport,
    ) -> bool:
        """Write one item; False when the stream has ended."""
        cfg, sim = self.sim.config, self.sim
        if item.action == "heartbeat":
            ctype, body = alert_part(heartbeat_body(cfg, sim.device.now()), cfg)
            await response.write(self._part([("Content-Type", ctype)], body))
            sub.heartbeats_sent += 1
            return True
        if item.action == "malformed":
            body = (
                b'{"ipAddress": "' + cfg.ip_address.encode() + b'", "eventType": "Acc'
            )
            await response.write(self._part(self._event_headers(), body))
            return True
        if item.action == "truncate":
            body = b'{"ipAddress": "' + cfg.ip_address.encode() + b'", "dateTime": '
            part = self._part(self._event_headers(), body + b" " * 200)
            await response.write(part[: len(part) - 150])
            transport.abort()
            return False
        event = item.event
        assert event is not None
        front = max(0, event.serial_no - 1)
        ctype, body = alert_part(
            alert_body(event, cfg, current=item.current, front_serial=front), cfg
        )
        await response.write(self._part(self._event_headers(ctype), body))
        sub.parts_sent += 1
        if event.pictures and cfg.face_pictures:
            for n in range(event.pictures):
                headers = [
                    (
                        "Content-Disposition",
                        f'form-data; name="Picture"; filename="Picture_{event.serial_no}_{n + 1}.jpg"',
                    ),
                    ("Content-Type", "image/jpeg"),
                    ("Content-ID", f"image_{event.serial_no}_{n + 1}"),
                ]
                await response.write(self._part(headers, JPEG))
        return True

    def _event_headers(self, ctype: str | None = None) -> list[tuple[str, str]]:
        if ctype is None:
            ctype = 'application/json; charset="UTF-8"'
        return [
            ("Content-Disposition", 'form-data; name="AccessControllerEvent"'),
            ("Content-Type", ctype),
        ]

    def _part(self, headers: list[tuple[str, str]], body: bytes) -> bytes:
        lines = [f"--{self.sim.config.boundary}"]
        lines += [f"{k}: {v}" for k, v in headers]
        lines.append(f"Content-Length: {len(body)}")
        return ("\r\n".join(lines) + "\r\n\r\n").encode() + body + b"\r\n"

    def close_all(self) -> None:
        """End every open stream (the app is stopping)."""
        self.act("stop")
