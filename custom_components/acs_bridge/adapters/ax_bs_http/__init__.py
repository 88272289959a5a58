"""AX-ACS BS-HTTP v1: the HTTP API of AX-ACS access-control servers (``/api/v1``)."""

from .adapter import AxBsHttpV1Adapter
from .client import AxBsHttpClient, Envelope, Status
from .decode import JsonObject

__all__ = ["AxBsHttpClient", "AxBsHttpV1Adapter", "Envelope", "JsonObject", "Status"]
