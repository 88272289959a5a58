"""A standalone simulator of an AX-ACS access-control server (BS-HTTP v1).

It serves the 30 GET endpoints under /api/v1/ with the quirks of the real
server, and a control API under /_sim/ for tests, demos and benchmarks.
"""

from .core import Simulator, Stats
from .faults import Fault
from .site import (
    Area,
    CardGroup,
    CardType,
    Controller,
    Door,
    Org,
    Person,
    PersonType,
    Site,
    SiteSpec,
)
from .state import DoorCommand, LoggedRequest, SimSwipe

__all__ = [
    "Area",
    "CardGroup",
    "CardType",
    "Controller",
    "Door",
    "DoorCommand",
    "Fault",
    "LoggedRequest",
    "Org",
    "Person",
    "PersonType",
    "SimSwipe",
    "Simulator",
    "Site",
    "SiteSpec",
    "Stats",
]
