"""Kept exports: the files `ibid export --keep` registered, to be rewritten as the catalogue
changes (the rewriting is tui/keep.py's)."""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from .clock import now
from .errors import StoreError


@dataclass
class KeptExport:
    """A file kept in step with the catalogue."""

    path: str
    format: str
    query: str = ""
    cited_in: list[str] = field(default_factory=list)
    written: str = ""  # when last written (UTC), '' never
    error: str = ""  # the last try's error, '' when it went well


class Exports:
    """Kept exports (a part of Store)."""

    def kept_exports(self) -> list[KeptExport]:
        """Every kept export, by path."""
        return [KeptExport(path, fmt, query, json.loads(cited or "[]"), written, error)
                for path, fmt, query, cited, written, error in self._read(
                    "SELECT path, format, query, cited_in, written, error FROM kept_exports ORDER BY path")]

    def keep_export(self, export: KeptExport) -> bool:
        """Register (or change) a kept export; whether it replaced one for the same file."""
        with self._write() as conn:
            replaced = conn.execute("SELECT 1 FROM kept_exports WHERE path = ?", (export.path,)).fetchone() is not None
            conn.execute("INSERT OR REPLACE INTO kept_exports(path, query, cited_in, format, added, written, error) "
                         "VALUES (?, ?, ?, ?, ?, ?, ?)", (export.path, export.query, json.dumps(export.cited_in),
                                                           export.format, now(), export.written, export.error))
        return replaced

    def forget_export(self, path: str) -> None:
        """Stop keeping a file (the file itself stays)."""
        with self._write() as conn:
            if conn.execute("DELETE FROM kept_exports WHERE path = ?", (path,)).rowcount == 0:
                raise StoreError(f"{path}: not a kept export (ibid exports lists them)")

    def export_written(self, path: str, written: str, error: str) -> None:
        """Note how the last try to write a kept export went (only when that changes)."""
        with self._write() as conn:
            conn.execute("UPDATE kept_exports SET written = CASE WHEN ? != '' THEN ? ELSE written END, error = ? "
                         "WHERE path = ? AND (error != ? OR ? != '')", (written, written, error, path, error, written))
