"""Usage (views, copies, exports) and archived copies of works."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from ..models import Attachment, Stats
from . import clock
from .clock import now
from .errors import StoreError


def files_dir(db_path: Path) -> Path:
    """The catalogue's own folder for archived copies: `catalog.db` -> `catalog.files` beside it."""
    db_path = Path(db_path)
    return db_path.with_name(db_path.stem + ".files")


class Usage:
    """Usage (views, copies, exports) and archived copies of works (a part of Store)."""

    def archived_count(self) -> int:
        """Number of attached files (the record page's "Papers currently archived")."""
        return self._read("SELECT count(*) FROM files")[0][0]

    def record_event(self, work_id: int, kind: str) -> None:
        """Count a view, copy or export of a work."""
        with self._write() as conn:
            conn.execute("INSERT INTO events(work_id, kind, at) VALUES (?, ?, ?)", (work_id, kind, now()))

    def record_events(self, work_ids: list[int], kind: str) -> None:
        """Count the same event for many works at once (an export of a marked set)."""
        stamp = now()
        with self._write() as conn:
            conn.executemany("INSERT INTO events(work_id, kind, at) VALUES (?, ?, ?)",
                             [(i, kind, stamp) for i in work_ids])

    def stats(self, work_id: int, months: int = 12) -> Stats:
        """Local usage counts, the last six months, rank and monthly history."""
        stats = Stats()
        for kind, n in self._read("SELECT kind, count(*) FROM events WHERE work_id = ? GROUP BY kind", (work_id,)):
            if kind == "view":
                stats.views = n
            elif kind == "copy":
                stats.copies = n
            elif kind == "export":
                stats.exports = n
        today_ = clock.today()
        six = (today_ - timedelta(days=183)).strftime("%Y-%m-%dT%H:%M:%SZ")
        stats.recent = self._read("SELECT count(*) FROM events WHERE work_id = ? AND at >= ?", (work_id, six))[0][0]
        total = self._read("SELECT total FROM usage WHERE work_id = ?", (work_id,))
        if total and total[0][0] > 0:
            stats.rank = self._read("SELECT count(*) + 1 FROM usage WHERE total > ?", (total[0][0],))[0][0]
        by_month = dict(self._read(
            "SELECT substr(at, 1, 7), count(*) FROM events WHERE work_id = ? GROUP BY 1", (work_id,)))
        year, month = today_.year, today_.month
        history = []
        for _ in range(months):
            history.append(by_month.get(f"{year:04d}-{month:02d}", 0))
            year, month = (year, month - 1) if month > 1 else (year - 1, 12)
        stats.history = history[::-1]
        return stats

    def files(self, work_id: int) -> list[Attachment]:
        """The copies archived for a work, oldest first."""
        return [Attachment(name, stored, added, file_id) for file_id, stored, name, added in self._read(
            "SELECT id, path, name, added FROM files WHERE work_id = ? ORDER BY id", (work_id,))]

    def add_file(self, work_id: int, stored: str, name: str, remember: bool = True) -> Attachment:
        """Record an archived copy (the file itself is already in the catalogue's folder); `u` undoes it."""
        stamp = now()
        with self._write() as conn:
            row = conn.execute("SELECT key FROM works WHERE id = ?", (work_id,)).fetchone()
            if row is None:
                raise StoreError("that work is no longer in the catalogue")
            cur = conn.execute("INSERT INTO files(work_id, path, name, added) VALUES (?, ?, ?, ?)",
                               (work_id, stored, name, stamp))
            if remember:
                self._remember(conn, "attach", {"file": cur.lastrowid, "stored": stored, "name": name, "key": row[0]})
        return Attachment(name, stored, stamp, cur.lastrowid)
