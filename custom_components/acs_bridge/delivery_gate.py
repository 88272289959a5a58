"""Hold the bus events read while Home Assistant starts until automations listen.

The integration polls the server from the moment its entry is set up, also
while Home Assistant is still starting: the server's real-time cache keeps an
event for only a couple of seconds, so waiting to read would lose swipes. But
an event fired then reaches no automation, because automations attach their
triggers only at the end of the start. So what is read early is queued here
and fired, in order and once, when automations listen.

When that is differs between versions (read in
``homeassistant/components/automation/__init__.py``,
``AutomationEntity._async_enable``):

- Home Assistant 2025.4 attaches an automation's triggers in its own listener
  of ``EVENT_HOMEASSISTANT_STARTED``: a coroutine run as a tracked task, which
  may still be loading a trigger platform (a device trigger imports our
  ``device_trigger.py``) after the event has fired. Firing in our own
  ``EVENT_HOMEASSISTANT_STARTED`` listener could beat it.
- Home Assistant 2026.10 attaches them in a startup job, which ``async_start``
  awaits before it fires ``EVENT_HOMEASSISTANT_STARTED``.

The release point is after both: on ``EVENT_HOMEASSISTANT_STARTED`` we wait for
the tracked tasks that exist then (``hass.async_block_till_done``, which the
bootstrap uses the same way), so every trigger attach that the started event
set off has finished; bounded by ``SETTLE_TIMEOUT`` so a stuck task elsewhere
holds events back no longer than that.

An entry set up while Home Assistant is already running does not wait.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from homeassistant.config_entries import ConfigEntry
from homeassistant.const import EVENT_HOMEASSISTANT_STARTED
from homeassistant.core import CALLBACK_TYPE, CoreState, Event, HomeAssistant, callback

from .const import DOMAIN, LOGGER

# The longest the queue waits for trigger attaches after the started event.
SETTLE_TIMEOUT = 10.0


class DeliveryGate:
    """Run deliveries now, or queue them until automations have attached."""

    def __init__(self, hass: HomeAssistant, entry: ConfigEntry) -> None:
        """Open at once when Home Assistant runs; else wait for its start."""
        self.hass = hass
        self.entry = entry
        self._queue: list[Callable[[], None]] | None = None
        self._unsub: CALLBACK_TYPE | None = None
        if hass.state is CoreState.running:
            return
        self._queue = []
        self._unsub = hass.bus.async_listen_once(
            EVENT_HOMEASSISTANT_STARTED, self._on_started
        )
        entry.async_on_unload(self._async_unload)

    @callback
    def _async_unload(self) -> None:
        if self._unsub is not None:
            self._unsub()
            self._unsub = None

    @property
    def is_open(self) -> bool:
        """Return whether deliveries run at once."""
        return self._queue is None

    @property
    def held(self) -> int:
        """Return how many deliveries wait for automations."""
        return len(self._queue or ())

    @callback
    def run(self, delivery: Callable[[], None]) -> None:
        """Deliver now, or after automations attach (in the order given)."""
        if self._queue is None:
            delivery()
        else:
            self._queue.append(delivery)

    @callback
    def _on_started(self, _event: Event) -> None:
        self._unsub = None
        self.entry.async_create_background_task(
            self.hass, self._async_release(), f"{DOMAIN} release start-up events"
        )

    async def _async_release(self) -> None:
        try:
            async with asyncio.timeout(SETTLE_TIMEOUT):
                await self.hass.async_block_till_done()
        except TimeoutError:
            LOGGER.debug("Start-up work still pending; delivering held events")
        self.release()

    @callback
    def release(self) -> None:
        """Deliver what is held, in order, and open."""
        queue, self._queue = self._queue, None
        if queue:
            LOGGER.debug("Delivering %d events held during start-up", len(queue))
        for delivery in queue or ():
            delivery()
