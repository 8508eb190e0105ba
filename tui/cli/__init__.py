"""The command line (click): `ibid` opens the browser; its subcommands import, export, search,
show and change the catalogue. One module a family of commands; `base` holds the group."""

from __future__ import annotations

from . import add, catalogue, changes, duplicates, merge, reading, rekey  # noqa: F401  (their commands join the group)
from .base import main

__all__ = ["main"]
