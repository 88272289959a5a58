"""HTTP Digest authentication (RFC 7616, RFC 2617), the client side.

One implementation for every aiohttp version: Home Assistant 2025.4 ships
aiohttp 3.11, which has no ``DigestAuthMiddleware``; using our own everywhere
means the code that talks to a device is the code the tests ran.

* :func:`parse_challenges` reads ``WWW-Authenticate`` (several challenges in
  one header or in several headers; quoted strings with escapes; tokens);
* :class:`DigestChallenge` is one parsed ``Digest`` challenge (``stale`` too);
* :class:`DigestAuth` answers a challenge for one account: MD5, MD5-sess,
  SHA-256 and SHA-256-sess, ``qop="auth"`` (or none, RFC 2069), counting
  ``nc`` per nonce, a fresh ``cnonce`` each time, ``opaque`` echoed.

The password stays inside :class:`DigestAuth`; its ``repr`` never shows it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
import hashlib
import re
import secrets
from typing import Final

from ..exceptions import AcsNotSupportedError  # noqa: TID252

__all__ = ["DigestAuth", "DigestChallenge", "parse_challenges", "parse_digest"]

_TOKEN: Final = re.compile(r"[!#$%&'*+.^_`|~0-9A-Za-z-]+")

_HASHES: Final[dict[str, Callable[[bytes], str]]] = {
    "MD5": lambda data: hashlib.md5(data, usedforsecurity=False).hexdigest(),
    "SHA-256": lambda data: hashlib.sha256(data).hexdigest(),
}


@dataclass(frozen=True, slots=True)
class DigestChallenge:
    """One ``Digest`` challenge of a ``WWW-Authenticate`` header."""

    realm: str
    nonce: str
    qop: tuple[str, ...] = ()
    """The qop values offered (``auth``, ``auth-int``); empty: RFC 2069."""
    algorithm: str = "MD5"
    opaque: str | None = None
    stale: bool = False
    """The previous nonce expired; the credentials themselves were fine."""


def _skip_space(header: str, pos: int) -> int:
    """Return the position of the first character after spaces and tabs."""
    while pos < len(header) and header[pos] in " \t":
        pos += 1
    return pos


def _read_value(header: str, pos: int) -> tuple[str, int]:
    """Read a token or a quoted string at ``pos``; return it and the new position."""
    if pos < len(header) and header[pos] == '"':
        chars: list[str] = []
        pos += 1
        while pos < len(header):
            char = header[pos]
            if char == "\\" and pos + 1 < len(header):
                chars.append(header[pos + 1])
                pos += 2
                continue
            if char == '"':
                return "".join(chars), pos + 1
            chars.append(char)
            pos += 1
        return "".join(chars), pos  # an unterminated string: take what is there
    end = pos
    while end < len(header) and header[end] not in ", \t":
        end += 1
    return header[pos:end], end


def parse_challenges(headers: Iterable[str]) -> list[tuple[str, dict[str, str]]]:
    """Return every challenge as ``(scheme in lower case, parameters)``.

    Parameter names are lower case; values are unquoted. A header may hold
    several challenges (``Digest realm="a", nonce="b", Basic realm="c"``).
    """
    found: list[tuple[str, dict[str, str]]] = []
    for header in headers:
        pos = 0
        current: dict[str, str] | None = None
        while pos < len(header):
            pos = _skip_space(header, pos)
            if pos < len(header) and header[pos] == ",":
                pos += 1
                continue
            token = _TOKEN.match(header, pos)
            if token is None:  # junk: skip a character
                pos += 1
                continue
            after = _skip_space(header, token.end())
            if after < len(header) and header[after] == "=" and current is not None:
                value, pos = _read_value(header, _skip_space(header, after + 1))
                current[token.group().lower()] = value
                continue
            if after < len(header) and header[after] == "=":
                # token68 or a parameter before any scheme: skip it
                _, pos = _read_value(header, after + 1)
                continue
            current = {}
            found.append((token.group().lower(), current))
            pos = token.end()
    return found


def parse_digest(headers: Iterable[str]) -> DigestChallenge | None:
    """Return the first usable ``Digest`` challenge of the headers, or None."""
    for scheme, params in parse_challenges(headers):
        if scheme != "digest" or "nonce" not in params:
            continue
        qop = tuple(
            part.strip().lower() for part in params.get("qop", "").split(",") if part
        )
        return DigestChallenge(
            realm=params.get("realm", ""),
            nonce=params["nonce"],
            qop=tuple(q for q in qop if q),
            algorithm=params.get("algorithm", "MD5").upper() or "MD5",
            opaque=params.get("opaque"),
            stale=params.get("stale", "").strip().lower() == "true",
        )
    return None


def _quote(value: str) -> str:
    """Return ``value`` as a quoted string."""
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


class DigestAuth:
    """Answers digest challenges for one account, counting ``nc`` per nonce."""

    __slots__ = ("_cnonce", "_nc", "_password", "_username", "challenge")

    def __init__(
        self,
        username: str,
        password: str,
        *,
        cnonce: Callable[[], str] | None = None,
    ) -> None:
        """Keep the account; no challenge is known yet."""
        self._username = username
        self._password = password
        self._cnonce = cnonce or (lambda: secrets.token_hex(8))
        self._nc = 0
        #: The challenge the next ``authorization`` answers (None: none yet).
        self.challenge: DigestChallenge | None = None

    def __repr__(self) -> str:
        """Never show the password."""
        return f"DigestAuth(username={self._username!r}, password='***')"

    @property
    def nonce_count(self) -> int:
        """Return how many times the current nonce was used."""
        return self._nc

    def accept(self, challenge: DigestChallenge) -> None:
        """Answer ``challenge`` from now on (a new nonce restarts ``nc``)."""
        if self.challenge is None or challenge.nonce != self.challenge.nonce:
            self._nc = 0
        self.challenge = challenge

    def forget(self) -> None:
        """Drop the challenge: the next request goes without credentials."""
        self.challenge = None
        self._nc = 0

    def authorization(self, method: str, uri: str) -> str:
        """Return the ``Authorization`` header for a request, counting ``nc``.

        Raises ``AcsNotSupportedError`` for an algorithm or qop not offered here
        (only ``auth-int`` without ``auth``; an algorithm other than MD5 or
        SHA-256 and their ``-sess`` variants).
        """
        challenge = self.challenge
        if challenge is None:
            raise ValueError("No digest challenge to answer")
        algorithm = challenge.algorithm
        session = algorithm.endswith("-SESS")
        digest = _HASHES.get(algorithm.removesuffix("-SESS"))
        if digest is None:
            raise AcsNotSupportedError(
                f"The device asks for the digest algorithm {algorithm}"
            )
        if challenge.qop and "auth" not in challenge.qop:
            raise AcsNotSupportedError(
                f"The device asks for digest qop {','.join(challenge.qop)}"
            )

        def hash_text(text: str) -> str:
            return digest(text.encode("utf-8"))

        self._nc += 1
        nc = f"{self._nc:08x}"
        cnonce = self._cnonce()
        ha1 = hash_text(f"{self._username}:{challenge.realm}:{self._password}")
        if session:
            ha1 = hash_text(f"{ha1}:{challenge.nonce}:{cnonce}")
        ha2 = hash_text(f"{method.upper()}:{uri}")
        if challenge.qop:
            response = hash_text(f"{ha1}:{challenge.nonce}:{nc}:{cnonce}:auth:{ha2}")
        else:
            response = hash_text(f"{ha1}:{challenge.nonce}:{ha2}")
        parts = [
            f"username={_quote(self._username)}",
            f"realm={_quote(challenge.realm)}",
            f"nonce={_quote(challenge.nonce)}",
            f"uri={_quote(uri)}",
            f"response={_quote(response)}",
            f"algorithm={algorithm}",
        ]
        if challenge.qop:
            parts += ["qop=auth", f"nc={nc}", f"cnonce={_quote(cnonce)}"]
        elif session:
            parts.append(f"cnonce={_quote(cnonce)}")
        if challenge.opaque is not None:
            parts.append(f"opaque={_quote(challenge.opaque)}")
        return "Digest " + ", ".join(parts)
