"""What can go wrong when fetching a work: each fault its own exception, each a one-line message
that names the service."""

from __future__ import annotations


class NetError(Exception):
    """A fetch that failed; `str()` is one line for the user, naming `service`."""

    status = "failed"  # how fetch_many counts it: failed | not found | cancelled

    def __init__(self, message: str, service: str = ""):
        super().__init__(message)
        self.service = service


class Offline(NetError):
    """The service cannot be reached: no network, a DNS failure, the connection refused or cut."""


class TimedOut(NetError):
    """The service did not answer within the timeout."""


class NotFound(NetError):
    """The service answered that it has no such work (404, an empty feed, an empty answer)."""

    status = "not found"


class Unavailable(NetError):
    """The service is overloaded or failing (429, 5xx), also after the one retry."""


class BadResponse(NetError):
    """The service answered, but not with what its API promises (HTML, truncated JSON, no entry)."""


class Cancelled(NetError):
    """The user stopped the fetch; raised between requests."""

    status = "cancelled"
