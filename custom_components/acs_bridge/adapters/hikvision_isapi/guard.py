"""Never lock the account: the refused-login bookkeeping of one device account.

A Hikvision device locks an account for about 30 minutes after about 5 failed
logins, and the lock covers every request, the installer's app included. The
:class:`LoginGuard` is the client's memory of refusals; it is pure (no clock,
no I/O: times are passed in, as wall-clock epoch seconds so that they survive a
restart) and serialisable (:meth:`LoginGuard.to_dict`,
:meth:`LoginGuard.from_dict`), because the count must outlive restarts of Home
Assistant: three restarts must not cost three more attempts each.

What counts as a refusal is decided by the transport (see
:mod:`.transport`): a 401 that answers a request which carried credentials
computed for a challenge the device had just sent. The challenge 401 itself,
a 401 with ``stale=true`` and a fresh challenge to a re-used nonce never count;
a missing permission (403, or a 401 after the same credentials just worked)
does not count either.

The rules:

* after ANY success the password is known good, and the count starts again;
* a refusal of a known-good password stops everything at once (``stopped``):
  the password was changed on the device, and only the user can help
  (re-authentication); :meth:`reset` lifts the stop;
* a password that never worked (the config flow) may be refused
  ``max_refusals`` times (2 by default); then requests stop for ``cooldown``
  seconds (the device's own lock time);
* a device that reports its lock (``userCheck`` ``lockStatus=lock``) gives
  ``locked_until``; nothing is sent before then.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Final

from ..exceptions import AcsAccountLockedError, AcsAuthenticationError  # noqa: TID252

__all__ = ["DEFAULT_COOLDOWN", "LoginGuard"]

#: The lock time the devices report (``maxIllegalLoginLockTime`` 1800 s).
DEFAULT_COOLDOWN: Final = 1800.0


@dataclass(slots=True, kw_only=True)
class LoginGuard:
    """Refused logins of one account on one device (mutable, serialisable)."""

    max_refusals: int = 2
    """Refusals of a never-accepted password allowed before requests stop."""
    cooldown: float = DEFAULT_COOLDOWN
    """Seconds requests stay stopped after ``max_refusals`` refusals."""
    refusals: int = 0
    """Refused credentialed attempts since the last success."""
    last_refusal_at: float | None = None
    known_good: bool = False
    """The password was accepted at least once since the last reset."""
    stopped: bool = False
    """A known-good password was refused: nothing is sent until :meth:`reset`."""
    locked_until: float | None = None
    """The device reported the account locked until then (epoch seconds)."""

    # --- checks -------------------------------------------------------------

    def blocked_for(self, now: float) -> float | None:
        """Return the seconds until requests may go again (0: stopped until reset).

        None: requests may go now.
        """
        if self.locked_until is not None and now < self.locked_until:
            return self.locked_until - now
        if self.stopped:
            return 0.0
        if self.refusals >= self.max_refusals and self.last_refusal_at is not None:
            until = self.last_refusal_at + self.cooldown
            if now < until:
                return until - now
        return None

    def check(self, now: float) -> None:
        """Raise if no request may be sent now; never touches the network.

        ``AcsAccountLockedError`` (with ``retry_after``) while the device's
        lock lasts; ``AcsAuthenticationError`` while stopped.
        """
        if self.locked_until is not None and now < self.locked_until:
            raise AcsAccountLockedError(
                "The account is locked on the device",
                retry_after=self.locked_until - now,
            )
        if self.stopped:
            raise AcsAuthenticationError(
                "The device refused the password that worked before; "
                "requests stay stopped until the credentials are confirmed"
            )
        wait = self.blocked_for(now)
        if wait is not None:
            # Our own pause before the device's lock: to the user, the same
            # thing (try again in so many minutes).
            raise AcsAccountLockedError(
                f"The device refused the password {self.refusals} times; "
                f"no further attempt for {wait:.0f} s (the account would lock)",
                retry_after=wait,
            )

    # --- outcomes -----------------------------------------------------------

    def record_success(self) -> None:
        """Record that the device accepted the credentials."""
        self.refusals = 0
        self.last_refusal_at = None
        self.known_good = True
        self.stopped = False
        self.locked_until = None

    def record_refusal(self, now: float) -> None:
        """Record a refusal of credentials that answered a fresh challenge."""
        self.refusals += 1
        self.last_refusal_at = now
        if self.known_good:
            self.stopped = True

    def record_lock(self, now: float, seconds_left: float | None) -> None:
        """Record that the device locked the account for ``seconds_left`` s."""
        self.locked_until = now + (
            self.cooldown if seconds_left is None else seconds_left
        )

    def reset(self, *, new_credentials: bool = True) -> None:
        """Lift the stop (the user confirmed or changed the credentials).

        The refusal count is kept: the device still counts those failures.
        ``new_credentials`` forgets that a password was known good.
        """
        self.stopped = False
        if new_credentials:
            self.known_good = False

    # --- persistence --------------------------------------------------------

    def to_dict(self) -> dict[str, Any]:
        """Return the state as JSON-ready values."""
        return {
            "max_refusals": self.max_refusals,
            "cooldown": self.cooldown,
            "refusals": self.refusals,
            "last_refusal_at": self.last_refusal_at,
            "known_good": self.known_good,
            "stopped": self.stopped,
            "locked_until": self.locked_until,
        }

    @classmethod
    def from_dict(cls, data: Any, **overrides: Any) -> LoginGuard:
        """Rebuild a guard from :meth:`to_dict`; bad or missing values are defaults.

        ``overrides`` replace stored settings (``max_refusals=2`` in a flow).
        """
        guard = cls()
        if isinstance(data, dict):
            guard.max_refusals = _int(data.get("max_refusals"), guard.max_refusals)
            guard.cooldown = _float(data.get("cooldown")) or guard.cooldown
            guard.refusals = max(0, _int(data.get("refusals"), 0))
            guard.last_refusal_at = _float(data.get("last_refusal_at"))
            guard.known_good = data.get("known_good") is True
            guard.stopped = data.get("stopped") is True
            guard.locked_until = _float(data.get("locked_until"))
        for name, value in overrides.items():
            setattr(guard, name, value)
        return guard


def _int(value: Any, default: int) -> int:
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    return default


def _float(value: Any) -> float | None:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    return None
