"""Demo traffic: people coming and going, a few refusals, doors, alarms."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
import logging
import math
import random
from typing import TYPE_CHECKING

from .state import INSIDE, OUTSIDE

if TYPE_CHECKING:
    from .core import Simulator

_LOGGER = logging.getLogger(__name__)

_ALARMS = [("非法开门", 25), ("门长时间未关", 28), ("胁迫报警", 26)]


class DemoTraffic:
    """One step of plausible traffic at a time; delayed follow-ups are queued."""

    def __init__(self, sim: Simulator, rng: random.Random) -> None:
        """Drive ``sim`` with ``rng``."""
        self.sim = sim
        self.rng = rng
        self.pending: list[tuple[float, Callable[[], None]]] = []

    def later(self, now: float, delay: float, action: Callable[[], None]) -> None:
        """Run ``action`` once ``delay`` seconds have passed."""
        self.pending.append((now + delay, action))

    def run_due(self, now: float) -> None:
        """Run the follow-ups that are due."""
        due = [a for t, a in self.pending if t <= now]
        self.pending = [(t, a) for t, a in self.pending if t > now]
        for action in due:
            action()

    def step(self, now: float) -> None:
        """Make one thing happen."""
        roll = self.rng.random()
        if roll < 0.82:
            self.passage()
        elif roll < 0.93:
            self.refusal()
        elif roll < 0.98:
            self.door_cycle(now)
        elif roll < 0.995:
            self.alarm(now)
        else:
            self.controller_blip(now)

    def passage(self) -> None:
        """Someone with access comes in somewhere, or leaves the area they are in."""
        sim, site = self.sim, self.sim.site
        people = [p for p in site.people if p.can_pass]
        if not people:
            return
        person = self.rng.choice(people)
        here = sim.state.presence.get(person.user_id)
        doors = [d for d in site.doors if site.may_pass(person, d)]
        if here is not None and self.rng.random() < 0.6:
            exits = [
                d for d in doors if here.record.area.id in site.area_subtree(d.area_id)
            ]
            doors = exits or doors
        if not doors:
            return
        door = self.rng.choice(doors)
        inside = here is not None and here.record.area.id in site.area_subtree(
            door.area_id
        )
        sim.swipe(
            door.id, self.rng.choice(person.cards), reader=INSIDE if inside else OUTSIDE
        )

    def refusal(self) -> None:
        """Refuse an unknown, lost or expired card, or a valid one by some rule."""
        sim = self.sim
        door = self.rng.choice(sim.site.doors)
        reader = self.rng.choice([OUTSIDE, OUTSIDE, INSIDE])
        invalid = [p for p in sim.site.people if not p.can_pass]
        roll = self.rng.random()
        if roll < 0.4 or not sim.site.people:
            sim.swipe(door.id, f"{self.rng.randint(10000000, 99999999)}", reader=reader)
        elif roll < 0.7 and invalid:
            person = self.rng.choice(invalid)
            sim.swipe(door.id, person.cards[0], reader=reader)
        elif sim.state.valid_people(door):
            sim.swipe(door.id, reader=reader, reason=self.rng.choice([102, 103, 109]))

    def door_cycle(self, now: float) -> None:
        """Hold a door open for a few seconds."""
        door = self.rng.choice(self.sim.site.doors)
        if door.is_open:
            return
        self.sim.set_door_open(door.id, True)
        self.later(now, self.rng.uniform(3, 12), lambda: self._close(door.id))

    def _close(self, door_id: str) -> None:
        door = self.sim.site.door(door_id)
        if door is not None and door.is_open and door.work_mode != 4:
            self.sim.set_door_open(door_id, False)

    def alarm(self, now: float) -> None:
        """Raise an alarm that someone clears after a while."""
        door = self.rng.choice(self.sim.site.doors)
        name, value = self.rng.choice(_ALARMS)
        alarm_id = self.sim.raise_alarm(door.id, name, value)
        self.later(
            now, self.rng.uniform(30, 120), lambda: self.sim.clear_alarm(alarm_id)
        )

    def controller_blip(self, now: float) -> None:
        """Take a controller off line for a little while."""
        controller = self.rng.choice(self.sim.site.controllers)
        if not controller.online:
            return
        self.sim.set_controller_online(controller.id, False, "连接超时")
        self.later(
            now,
            self.rng.uniform(10, 30),
            lambda: self.sim.set_controller_online(controller.id, True),
        )


async def run_demo(sim: Simulator, rate: float) -> None:
    """Run demo traffic at about ``rate`` events per second until cancelled."""
    loop = asyncio.get_running_loop()
    traffic = DemoTraffic(sim, random.Random(sim.spec.seed * 31 + 5))
    _LOGGER.info("demo traffic at %.2f events/s", rate)
    next_at = loop.time() + (traffic.rng.expovariate(rate) if rate > 0 else math.inf)
    while True:
        now = loop.time()
        # sleep in slices of at most 1 s so that follow-ups stay on time
        await asyncio.sleep(max(0.0, min(next_at, now + 1.0) - now))
        now = loop.time()
        try:
            sim.state.settle()
            traffic.run_due(now)
            if rate > 0 and now >= next_at:
                traffic.step(now)
                next_at = max(next_at, now - 1.0) + traffic.rng.expovariate(rate)
        except Exception:
            _LOGGER.exception("demo step failed")
