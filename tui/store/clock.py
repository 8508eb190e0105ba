"""The time as the catalogue stores it (one place, so tests can fix the clock)."""

from __future__ import annotations

from datetime import datetime, timezone


def today() -> datetime:
    """The current UTC time (one place, so tests can fix the clock)."""
    return datetime.now(timezone.utc)


def now() -> str:
    """UTC time as stored: ISO 8601 to the second."""
    return today().strftime("%Y-%m-%dT%H:%M:%SZ")
