"""Decode the JSON of AX-ACS BS-HTTP v1: text to values, nothing about models.

* a JSON object may repeat a key (users carry ``userId`` twice: first the user
  id, then the person-type id); :func:`loads` keeps every value;
* numbers may come as strings and the reverse (``parentId: "0"``, card group
  ``id: "1"``, ``status: "0"``); :func:`to_int` reads both;
* optional text sent as an empty string or ``null`` becomes ``None``
  (:func:`to_text`); flags come as 0/1, "0"/"1" or true/false (:func:`to_bool`).

The transport decodes envelopes with these, the mappers of :mod:`.parse`
decode fields with them.
"""

from __future__ import annotations

from collections.abc import Iterable
import json
import re
from typing import Any, Final

from ..exceptions import AcsResponseError  # noqa: TID252

__all__ = ["JsonObject", "loads", "to_bool", "to_int", "to_text"]


class JsonObject(dict[str, Any]):
    """A JSON object that keeps every value of a repeated key.

    The mapping holds the FIRST value of each key (a plain parser would keep
    the last one); :attr:`repeated` holds the values that followed, in order.
    """

    __slots__ = ("repeated",)

    def __init__(self, pairs: Iterable[tuple[str, Any]] = ()) -> None:
        """Build the object from its key/value pairs, in document order."""
        super().__init__()
        self.repeated: dict[str, list[Any]] = {}
        for key, value in pairs:
            if key in self:
                self.repeated.setdefault(key, []).append(value)
            else:
                self[key] = value

    def last(self, key: str) -> Any:
        """Return the last value given for ``key`` (None when absent)."""
        if key in self.repeated:
            return self.repeated[key][-1]
        return self.get(key)


def loads(text: str) -> Any:
    """Parse JSON text, keeping repeated keys (see :class:`JsonObject`).

    Raises ``AcsResponseError`` without quoting the text, which may echo a
    request path that carries credentials.
    """
    try:
        return json.loads(text, object_pairs_hook=JsonObject)
    except (ValueError, RecursionError):
        pass
    # Raised outside the handler so the decoder's error (which holds the whole
    # text) is not kept as the context of ours.
    raise AcsResponseError("The server's answer is not valid JSON")


# --- scalars -------------------------------------------------------------------

_INT_RE: Final = re.compile(r"[+-]?\d+(?:\.0*)?")
_TRUE_TEXT: Final = frozenset({"true", "yes", "y", "on"})


def to_int(value: Any) -> int | None:
    """Return an int from an int, an integral float or a numeric string."""
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return int(value) if value.is_integer() else None
    if isinstance(value, str):
        text = value.strip()
        if _INT_RE.fullmatch(text):
            return int(text.split(".", 1)[0])
    return None


def to_bool(value: Any) -> bool:
    """Return a flag sent as 0/1, "0"/"1", true/false."""
    if isinstance(value, str) and value.strip().lower() in _TRUE_TEXT:
        return True
    return bool(to_int(value))


def to_text(value: Any) -> str | None:
    """Return optional text: empty or blank strings and ``null`` become None."""
    if isinstance(value, str):
        return value if value.strip() else None
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return str(value)
    return None
