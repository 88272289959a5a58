"""A minimal adapter whose events are pushed: the seam, as a plugin sees it.

``ExamplePushAdapter`` implements the adapter interface over a plain dict site
(no network), and its event source hands batches over when the test pushes
them, the way a protocol with an event stream would. It is the example of
``docs/CONTRIBUTING.md``: what a plugin implements, and nothing more.

``PushEventSource`` is also what the mocked adapter of the Home Assistant side
tests uses as its event source.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any, ClassVar

from custom_components.acs_bridge.adapters import (
    AcsAdapter,
    Capability,
    Controller,
    DeviceDescription,
    Door,
    DoorState,
    EventBatch,
    EventSink,
    EventSource,
    FeedHealth,
    WorkMode,
)


class PushEventSource(EventSource):
    """An event source that hands over what the test pushes.

    The cursor is the last pushed batch's (an opaque string to the integration).
    """

    def __init__(self, sink: EventSink, *, interval: float, replay: timedelta) -> None:
        """Hand batches to ``sink``."""
        super().__init__(sink, interval=interval, replay=replay)
        self.resumed_from: str | None = None
        self.started = False
        self.stopped = False
        self._cursor: str | None = None

    @property
    def cursor(self) -> str | None:
        """Return the cursor of the last batch pushed."""
        return self._cursor

    async def async_start(self, resume: str | None) -> None:
        """Remember where the integration asked to resume."""
        self.resumed_from = resume
        self._cursor = resume
        self.started = True

    async def async_stop(self) -> None:
        """Stop."""
        self.stopped = True

    def push(self, batch: EventBatch) -> None:
        """Hand a batch over, as a stream would when a message arrives."""
        if batch.cursor is not None:
            self._cursor = batch.cursor
        self.sink.deliver(batch)

    def diagnostics(self) -> dict[str, Any]:
        """Return the cursor (this example's holds nothing secret)."""
        return {"cursor": self._cursor}


class ExamplePushAdapter(AcsAdapter):
    """A one-device site whose events are pushed."""

    key: ClassVar[str] = "example_push"
    name: ClassVar[str] = "Example push protocol"
    manufacturer: ClassVar[str] = "Example"
    default_port: ClassVar[int] = 8080

    #: The site every instance shows: the test changes it.
    doors_by_id: ClassVar[dict[str, Door]] = {
        "1": Door(
            id="1",
            name="Front door",
            controller_id="dev",
            work_modes=(
                WorkMode.AUTO,
                WorkMode.NORMALLY_OPEN,
                WorkMode.NORMALLY_CLOSED,
            ),
        ),
        "2": Door(id="2", name="Back door", controller_id="dev"),
    }
    states: ClassVar[dict[str, DoorState]] = {}
    sources: ClassVar[list[PushEventSource]] = []

    async def connect(self) -> None:
        """Say what this device can do."""
        self.capabilities = frozenset(
            {
                Capability.DOOR_STATE,
                Capability.DOOR_COMMANDS,
                Capability.WORK_MODE,
                Capability.REALTIME_EVENTS,
            }
        )

    def describe(self) -> DeviceDescription:
        """Return the device."""
        return DeviceDescription(
            manufacturer=self.manufacturer, model="EX-1", serial="EX123", firmware="1.0"
        )

    async def check_credentials(self) -> None:
        """Accept any account."""

    async def controllers(self) -> list[Controller]:
        """Return the one device."""
        return [Controller(id="dev", name="Example device", model="EX-1")]

    async def doors(self, area_id: int | None = None) -> list[Door]:
        """Return the doors."""
        return list(self.doors_by_id.values())

    async def door_state(self, door_id: str) -> DoorState:
        """Return a door's state (closed and locked unless the test set one)."""
        return self.states.get(
            door_id,
            DoorState(
                door_id=door_id,
                online=True,
                is_open=False,
                locked=True,
                contact_open=False,
            ),
        )

    async def open_door(self, door_id: str) -> None:
        """Open a door."""
        self.states[door_id] = DoorState(
            door_id=door_id, online=True, is_open=True, locked=False, contact_open=False
        )

    async def close_door(self, door_id: str) -> None:
        """Close a door."""
        self.states.pop(door_id, None)

    async def set_work_mode(self, door_id: str, mode: WorkMode) -> None:
        """Accept the modes the door lists."""
        if mode not in self.doors_by_id[door_id].work_modes:
            raise ValueError(mode)

    def event_source(
        self, sink: EventSink, *, interval: float, replay: timedelta
    ) -> EventSource:
        """Return a source the test pushes batches through."""
        source = PushEventSource(sink, interval=interval, replay=replay)
        self.sources.append(source)
        return source


UP = EventBatch(health=FeedHealth.UP)
DOWN = EventBatch(health=FeedHealth.DOWN)
