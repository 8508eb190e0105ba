"""One HTTP client and the rules for using it politely: a User-Agent naming ibid, a timeout,
at most `concurrency` requests at once to a service, arXiv's pause between requests, one
retry after a 429 or 5xx, and a stop between requests when the user cancels."""

from __future__ import annotations

import email.utils
import threading
import time
from collections.abc import Callable
from datetime import datetime, timezone
from urllib.parse import urlsplit

import httpx

from ..config import NetSettings
from .errors import Cancelled, Offline, TimedOut, Unavailable

CROSSREF, DOI_ORG, ARXIV, OPEN_LIBRARY = "Crossref", "doi.org", "arXiv", "Open Library"

Cancel = Callable[[], bool] | threading.Event | None


def user_agent(settings: NetSettings) -> str:
    """`ibid/0.1.0 (mailto:you@example.edu)`: Crossref's etiquette asks for a name and an address."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        ours = version("ibid-tui")
    except PackageNotFoundError:
        ours = "dev"
    mail = f" (mailto:{settings.mailto})" if settings.mailto else ""
    return f"ibid/{ours}{mail}"


def make_client(settings: NetSettings, transport: httpx.BaseTransport | None = None) -> httpx.Client:
    """A client for the sources (any httpx.Client will do: the session sets User-Agent and
    timeout on each request); `transport` lets a test put a mock in the network's place."""
    return httpx.Client(headers={"User-Agent": user_agent(settings)}, timeout=httpx.Timeout(settings.timeout),
                        follow_redirects=True, transport=transport)


def now() -> str:
    """The retrieval time as the record keeps it: `2026-06-01T12:00:00Z`."""
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


class Session:
    """A client shared by many fetches (threads welcome), with the services' polite limits."""

    def __init__(self, settings: NetSettings, client: httpx.Client | None = None, cancel: Cancel = None,
                 sleep: Callable[[float], None] = time.sleep):
        self.settings = settings
        self.client = client or make_client(settings)
        self._own_client = client is None
        self._agent = user_agent(settings)
        self._cancel = cancel
        self._sleep = sleep
        self._gates = {name: threading.BoundedSemaphore(max(1, settings.concurrency))
                       for name in (CROSSREF, DOI_ORG, OPEN_LIBRARY)}
        self._gates[ARXIV] = threading.BoundedSemaphore(1)  # arXiv: one at a time, `arxiv_delay` apart
        self._arxiv_last = 0.0

    def close(self) -> None:
        if self._own_client:
            self.client.close()

    def __enter__(self) -> Session:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    @property
    def cancelled(self) -> bool:
        cancel = self._cancel
        if cancel is None:
            return False
        return cancel.is_set() if isinstance(cancel, threading.Event) else bool(cancel())

    def check(self) -> None:
        """Raise Cancelled when the user has asked to stop."""
        if self.cancelled:
            raise Cancelled("cancelled")

    def get(self, service: str, url: str, params: dict | None = None, headers: dict | None = None) -> httpx.Response:
        """GET `url` from `service`: the response (any status below 500 but 429), or a NetError."""
        for attempt in (1, 2):
            self.check()
            with self._gates[service]:
                self._pace(service)
                response = self._send(service, url, params, headers)
            if response.status_code != 429 and response.status_code < 500:
                return response
            if attempt == 2:
                what = "is rate-limiting ibid (HTTP 429)" if response.status_code == 429 \
                    else f"is failing (HTTP {response.status_code})"
                raise Unavailable(f"{service} {what}, also after a retry; try again later", service)
            self._wait(_retry_after(response, self.settings.retry_wait))
        raise AssertionError("unreachable")

    def _pace(self, service: str) -> None:
        if service != ARXIV or not self.settings.arxiv_delay:
            return
        wait = self._arxiv_last + self.settings.arxiv_delay - time.monotonic()
        if wait > 0:
            self._wait(wait)
        self._arxiv_last = time.monotonic()

    def _wait(self, seconds: float) -> None:
        """Sleep, looking at the cancel flag every tenth of a second."""
        left = seconds
        while left > 0:
            self.check()
            step = min(left, 0.1)
            self._sleep(step)
            left -= step
        self.check()

    def _send(self, service: str, url: str, params: dict | None, headers: dict | None) -> httpx.Response:
        host = urlsplit(url).netloc or url
        headers = {"User-Agent": self._agent, **(headers or {})}
        try:
            return self.client.get(url, params=params, headers=headers, timeout=self.settings.timeout)
        except httpx.TimeoutException:
            raise TimedOut(f"{service} ({host}) did not answer within {self.settings.timeout:g} s", service) from None
        except httpx.ConnectError as exc:
            raise Offline(f"cannot reach {service} ({host}): {_why(exc)}", service) from None
        except (httpx.TransportError, OSError) as exc:
            raise Offline(f"the connection to {service} ({host}) broke off: {exc or type(exc).__name__}",
                          service) from None


def _why(exc: Exception) -> str:
    """A ConnectError in the user's words: DNS, refused, or no network at all."""
    text = str(exc)
    lowered = text.lower()
    if any(s in lowered for s in ("name or service not known", "nodename nor servname", "getaddrinfo",
                                  "temporary failure in name resolution", "no address associated", "name resolution")):
        return "its name does not resolve (no network, or a DNS failure)"
    if "refused" in lowered:
        return "the connection was refused"
    if "unreachable" in lowered:
        return "the network is unreachable (no network?)"
    return text or "no network?"


def _retry_after(response: httpx.Response, most: float) -> float:
    """Seconds to wait before the retry: the service's Retry-After (seconds or a date), at most `most`."""
    value = response.headers.get("Retry-After", "").strip()
    wait = 1.0
    if value.isdigit():
        wait = float(value)
    elif value:
        try:
            when = email.utils.parsedate_to_datetime(value)
            wait = (when - datetime.now(timezone.utc)).total_seconds()
        except (TypeError, ValueError):
            pass
    return max(0.0, min(wait, most))
