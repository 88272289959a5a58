"""HTTP Digest authentication (MD5, qop="auth") with the device's lock-out.

Only a 401 answering a request that carried credentials counts as a failure;
the bare challenge and a ``stale`` nonce do not. After ``max_attempts``
failures the account is locked for ``lock_seconds``: every request is refused,
even with the right password. A success resets the count.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
import hashlib
import secrets

from .config import HikConfig


class Verdict(StrEnum):
    """The outcome of checking a request's Authorization header."""

    OK = "ok"
    CHALLENGE = "challenge"  # no credentials: the first leg of every exchange
    STALE = "stale"  # right digest, expired nonce: not a failure
    FAILED = "failed"  # wrong credentials: counted
    LOCKED = "locked"  # locked out: refused whatever the password


@dataclass(frozen=True, slots=True)
class AuthStatus:
    """The lock-out state, for the 401 body and the control API."""

    failures: int
    attempts_left: int
    locked: bool
    unlock_seconds: int


def _md5(text: str) -> str:
    return hashlib.md5(text.encode()).hexdigest()  # noqa: S324 (the protocol's hash)


def parse_digest(header: str) -> dict[str, str] | None:
    """Return the parameters of ``Digest k=v, k="v"``; None when not a digest header."""
    scheme, _, rest = header.strip().partition(" ")
    if scheme.lower() != "digest":
        return None
    params: dict[str, str] = {}
    i, n = 0, len(rest)
    while i < n:
        while i < n and rest[i] in " ,\t":
            i += 1
        eq = rest.find("=", i)
        if eq < 0:
            break
        key = rest[i:eq].strip().lower()
        i = eq + 1
        if i < n and rest[i] == '"':
            j = i + 1
            value = []
            while j < n and rest[j] != '"':
                if rest[j] == "\\" and j + 1 < n:
                    j += 1
                value.append(rest[j])
                j += 1
            params[key] = "".join(value)
            i = j + 1
        else:
            j = rest.find(",", i)
            j = n if j < 0 else j
            params[key] = rest[i:j].strip()
            i = j
    return params


class DigestAuth:
    """Nonces, the failure count and the lock of the device's one account."""

    def __init__(self, config: HikConfig, clock: Callable[[], float]) -> None:
        """Check against ``config``'s account; ``clock`` gives monotonic seconds."""
        self.config = config
        self.clock = clock
        self.nonces: dict[str, float] = {}
        self.opaque = secrets.token_hex(8)
        self.failures = 0
        self.locked_until: float | None = None
        self.counted = 0
        """Every failure ever counted (for tests)."""

    # --- state ---------------------------------------------------------------------

    def _expire_lock(self) -> None:
        if self.locked_until is not None and self.clock() >= self.locked_until:
            self.locked_until = None
            self.failures = 0

    @property
    def locked(self) -> bool:
        """Whether the account is locked now."""
        self._expire_lock()
        return self.locked_until is not None

    def status(self) -> AuthStatus:
        """Return failures, attempts left, lock and seconds until it ends."""
        locked = self.locked
        left = 0 if locked else max(0, self.config.max_attempts - self.failures)
        unlock = 0
        if self.locked_until is not None:
            unlock = max(0, round(self.locked_until - self.clock()))
        return AuthStatus(self.failures, left, locked, unlock)

    def reset(self) -> None:
        """Unlock and forget the failures."""
        self.failures = 0
        self.locked_until = None

    def lock(self, seconds: float | None = None) -> None:
        """Lock the account now (for ``lock_seconds`` unless given)."""
        self.failures = self.config.max_attempts
        duration = self.config.lock_seconds if seconds is None else seconds
        self.locked_until = self.clock() + duration

    def expire_nonces(self) -> None:
        """Make every nonce handed out so far stale."""
        self.nonces = dict.fromkeys(self.nonces, float("-inf"))

    # --- the exchange ------------------------------------------------------------------

    def new_nonce(self) -> str:
        """Return a fresh nonce for a challenge."""
        nonce = secrets.token_hex(16)
        self.nonces[nonce] = self.clock()
        if len(self.nonces) > 256:  # forget the oldest
            for old in sorted(self.nonces, key=self.nonces.__getitem__)[:128]:
                del self.nonces[old]
        return nonce

    def challenge(self, *, stale: bool) -> str:
        """Return the ``WWW-Authenticate`` value of a 401."""
        return (
            f'Digest qop="auth", realm="{self.config.realm}", '
            f'nonce="{self.new_nonce()}", opaque="{self.opaque}", '
            f'stale="{"TRUE" if stale else "FALSE"}"'
        )

    def check(self, method: str, header: str | None) -> Verdict:
        """Judge a request's Authorization header, counting a failure."""
        if header is None or not header.strip():
            return Verdict.LOCKED if self.locked else Verdict.CHALLENGE
        if self.locked:
            return Verdict.LOCKED
        params = parse_digest(header)
        if params is None or not self._right(method, params):
            self._fail()
            return Verdict.LOCKED if self.locked else Verdict.FAILED
        issued = self.nonces.get(params.get("nonce", ""))
        if issued is None or self.clock() - issued > self.config.nonce_ttl:
            return Verdict.STALE
        self.failures = 0
        return Verdict.OK

    def _right(self, method: str, p: dict[str, str]) -> bool:
        """Whether the digest answers with the account's password."""
        cfg = self.config
        if p.get("username") != cfg.username or p.get("realm") != cfg.realm:
            return False
        if "nonce" not in p or "uri" not in p or "response" not in p:
            return False
        ha1 = _md5(f"{cfg.username}:{cfg.realm}:{cfg.password}")
        ha2 = _md5(f"{method}:{p['uri']}")
        qop = p.get("qop")
        if qop is None:
            expected = _md5(f"{ha1}:{p['nonce']}:{ha2}")
        elif qop == "auth" and "nc" in p and "cnonce" in p:
            expected = _md5(f"{ha1}:{p['nonce']}:{p['nc']}:{p['cnonce']}:auth:{ha2}")
        else:
            return False
        return secrets.compare_digest(expected, p["response"].lower())

    def _fail(self) -> None:
        self.failures += 1
        self.counted += 1
        if self.config.lock_enabled and self.failures >= self.config.max_attempts:
            self.lock()
