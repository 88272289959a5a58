"""Exceptions raised by access-control adapters.

Every adapter maps its own failures onto this tree, so the Home Assistant side
never needs to know a vendor's status codes. An exception carries the server's
code and message when there is one, and never a URL (URLs may carry credentials).
"""

from __future__ import annotations


class AcsError(Exception):
    """Base class of every adapter error."""

    def __init__(self, message: str = "", *, code: int | None = None) -> None:
        """Keep the server's status code and message."""
        super().__init__(message)
        self.code = code
        self.message = message

    def __str__(self) -> str:
        """Describe the error with the server's code when there is one."""
        if self.code is None:
            return self.message or type(self).__name__
        return f"{self.message or type(self).__name__} (code {self.code})"


class AcsConnectionError(AcsError):
    """The server could not be reached, or the connection broke."""


class AcsCertificateError(AcsConnectionError):
    """The server's TLS certificate could not be verified (HTTPS)."""


class AcsTimeoutError(AcsConnectionError):
    """The server did not answer in time."""


class AcsAuthenticationError(AcsError):
    """The account does not exist, its password is wrong, or it is locked."""


class AcsAccountLockedError(AcsAuthenticationError):
    """The account is locked on the server.

    ``retry_after`` is the number of seconds until the server unlocks it, when
    the server says (None when it does not).
    """

    def __init__(
        self,
        message: str = "",
        *,
        code: int | None = None,
        retry_after: float | None = None,
    ) -> None:
        """Keep the server's code and message, and the seconds until unlock."""
        super().__init__(message, code=code)
        self.retry_after = retry_after


class AcsPermissionError(AcsError):
    """The account lacks a permission for this call.

    The credentials are right (the server accepted them for another call), so
    this is not a reason to ask for a new password.
    """


class AcsInvalidRequestError(AcsError):
    """The server rejected a parameter of the request."""


class AcsNotFoundError(AcsError):
    """The server has no such object."""


class AcsServerError(AcsError):
    """The server reported a general error or an exception of its own."""


class AcsResponseError(AcsError):
    """The server's answer could not be understood (not JSON, wrong shape)."""


class AcsNotSupportedError(AcsError):
    """The adapter does not offer this capability."""
