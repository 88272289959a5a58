"""Demo traffic for the Hikvision simulator.

People badging in by card, face or finger, a few refusals, doors opening and
closing, now and then a door held open or a tamper.
"""

from __future__ import annotations

import asyncio
import logging
import random
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .core import HikSimulator

_LOGGER = logging.getLogger(__name__)
_METHODS = ["card", "card", "face", "face", "face", "fingerprint", "password", "qr"]


def demo_step(sim: HikSimulator, rng: random.Random) -> None:
    """Make one plausible thing happen."""
    device = sim.device
    door = rng.randint(1, len(device.doors))
    roll = rng.random()
    if roll < 0.80:
        person = rng.choice(device.people)
        method = rng.choice(_METHODS)
        if method == "face" and not person.faces:
            method = "card"
        device.swipe(door, method, employee_no=person.employee_no)
        # the person walks through: the contact opens, then closes
        device.later(1.0, lambda: device.set_contact(door, True))
        device.later(4.0, lambda: device.set_contact(door, False))
    elif roll < 0.93:
        device.swipe(door, rng.choice(_METHODS), granted=False)
    elif roll < 0.97:
        device.set_contact(door, True)
        device.later(1.0, lambda: device.held_open(door))
        device.later(6.0, lambda: device.set_contact(door, False))
    elif roll < 0.99:
        device.emit((5, 37), door_no=door, reader=1)  # doorbell
    else:
        device.tamper(active=True)
        device.later(8.0, lambda: device.tamper(active=False))


async def run_demo(sim: HikSimulator, rate: float) -> None:
    """Produce about ``rate`` events per second until cancelled."""
    rng = random.Random(sim.config.seed + 99)
    rate = max(rate, 0.01)
    _LOGGER.info("demo traffic at %.2f/s", rate)
    while True:
        await asyncio.sleep(rng.expovariate(rate))
        try:
            demo_step(sim, rng)
        except Exception:
            _LOGGER.exception("demo step failed")
