"""What a catalogue operation raises."""

from __future__ import annotations


class StoreError(Exception):
    """A catalogue operation failed; the message is one line for the user."""


class Cancelled(Exception):
    """A read given a `cancel` check was abandoned because the check said so (not an error)."""


class Gone(StoreError):
    """The work or author asked for is no longer in the catalogue (deleted since, by an undo or
    another process): a screen shows what is there instead."""
