"""Undo: changes remembered and put back."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

from ..models import Author, Work
from .clock import now
from .errors import StoreError
from .usage import files_dir

UNDO_DEPTH = 50


class Undo:
    """Undo: changes remembered and put back (a part of Store)."""

    def _remember(self, conn: sqlite3.Connection, kind: str, data: dict) -> None:
        conn.execute("INSERT INTO changes(at, kind, data) VALUES (?, ?, ?)", (now(), kind, json.dumps(data)))
        conn.execute("DELETE FROM changes WHERE id <= (SELECT max(id) FROM changes) - ?", (UNDO_DEPTH,))

    def _describe(self, kind: str, data_text: str) -> str:
        data = json.loads(data_text)
        if kind in ("cite", "uncite"):
            return f"{'link' if kind == 'cite' else 'removal of'} {data['citing_key']} → {data['cited_key']}"
        if kind == "edit":
            return f"edit of {data['before']['values']['key']}"
        if kind == "attach":
            return f"archived copy {data['name']} of {data['key']}"
        if kind == "distinct":
            return f"{data['a_key']} and {data['b_key']} marked as not duplicates"
        if kind == "merge":
            return f"merge of {data['gone_key']} into {data['keep_key']}"
        if kind in ("reading", "note"):
            return self._describe_reading(kind, data)
        if kind == "rekey":
            return self._describe_rekey(data)
        return f"new work {data['key']}"

    def undo(self) -> str:
        """Undo the last remembered change (in one transaction); says what was undone."""
        with self._write() as conn:
            row = conn.execute("SELECT id, kind, data FROM changes ORDER BY id DESC LIMIT 1").fetchone()
            if row is None:
                raise StoreError("nothing to undo")
            change_id, kind, data_text = row
            data = json.loads(data_text)
            what = self._describe(kind, data_text)
            if kind == "cite":
                conn.execute("DELETE FROM citations WHERE citing_id = ? AND cited_id = ?", (data["citing"], data["cited"]))
            elif kind == "uncite":
                if conn.execute("SELECT 1 FROM works WHERE id IN (?, ?) GROUP BY NULL HAVING count(*) = 2",
                                (data["citing"], data["cited"])).fetchone() is None:
                    raise StoreError(f"cannot undo the {what}: one of the works is gone")
                conn.execute("INSERT OR IGNORE INTO citations(citing_id, cited_id, added) VALUES (?, ?, ?)",
                             (data["citing"], data["cited"], data.get("added") or now()))
            elif kind == "edit":
                state = data["before"]
                if conn.execute("SELECT 1 FROM works WHERE key = ? AND id != ?", (state["values"]["key"], data["work"])).fetchone():
                    raise StoreError(f"cannot undo the {what}: its old key is used by another work now")
                self._restore(conn, data["work"], state)
            elif kind == "new":
                conn.execute("DELETE FROM works WHERE id = ?", (data["work"],))
            elif kind == "attach":
                conn.execute("DELETE FROM files WHERE id = ?", (data["file"],))
            elif kind == "distinct":
                conn.execute("DELETE FROM distinct_works WHERE a = ? AND b = ?", (data["a"], data["b"]))
            elif kind == "merge":
                self._unmerge(conn, data)
            elif kind in ("reading", "note"):
                self._undo_reading(conn, kind, data, what)
            elif kind == "rekey":
                self._unrekey(conn, data, what)
            conn.execute("DELETE FROM changes WHERE id = ?", (change_id,))
        if kind in ("edit", "merge"):
            self._index_soon()
        if kind == "attach":  # the copy goes once the catalogue no longer lists it (the original was never touched)
            try:
                (files_dir(self.path) / Path(data["stored"]).name).unlink(missing_ok=True)
            except OSError:
                pass
        return what

    def _restore(self, conn: sqlite3.Connection, work_id: int, state: dict) -> None:
        values = dict(state["values"])
        values["updated"] = now()
        sets = ", ".join(f"{c} = ?" for c in values)
        conn.execute(f"UPDATE works SET {sets} WHERE id = ?", (*values.values(), work_id))
        conn.execute("DELETE FROM work_authors WHERE work_id = ?", (work_id,))
        conn.execute("DELETE FROM keywords WHERE work_id = ?", (work_id,))
        work = Work(key=values["key"], title=values.get("title") or "", year=values.get("year"),
                    authors=[Author(n, a) for n, a in state["authors"]], keywords=state["keywords"])
        self._set_people(conn, work_id, work, {})
        self._match_works(conn, [(work_id, work)], replace=True)
        work.doi, work.fields = values.get("doi") or "", json.loads(values.get("fields") or "{}")
        self._set_identifiers(conn, work_id, work, replace=True)
