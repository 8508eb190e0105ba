"""Merging one work into another, and aliases: the keys of merged works, found wherever a key is.

A merge is one transaction: the kept work takes the richer value of each field (tui/merging.py)
or the one the user chose; everything that points at the gone work ends on the kept one; the
gone key becomes an alias of the kept work; the gone work's row is deleted. What undoing it
needs is remembered (kind "merge"): the two works as they were, their own rows, and the rows
moved, so `u` puts every table back as it was."""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass, field

from ..merging import ALIASES_FIELD, merged, split_ids
from ..models import Work, WorkRef
from .errors import Gone, StoreError
from .works import _ref

# Every column of the catalogue holding a work's id, and what a merge does with the gone
# work's rows there. A table added later that holds a work id joins by a line here
# (tests/test_merges.py fails while a column that REFERENCES works(id) is missing):
#   record    part of a work's own record: the kept work's is written from the merged fields,
#             the gone work's goes with it; an undo puts both back as they were
#   identify  moved to the kept work where it lacks them; an undo puts both back as they were
#   move      moved to the kept work; a row the kept work already has (the table's unique key)
#             collapses into it (the kept work's stays)
#   link      as move, and a row joining the two works (a work citing its duplicate) is dropped
#   usage     added to the kept work's total
#   count     counted again for the kept work
#   index     left to the full-text index's triggers (the row goes, the text is re-indexed)
WORK_ID_COLUMNS: list[tuple[str, str, str]] = [
    ("works", "id", "record"),
    ("work_authors", "work_id", "record"),
    ("keywords", "work_id", "record"),
    ("work_match", "work_id", "record"),  # (the kept work's rewritten with its fields)
    ("distinct_works", "a", "record"),  # pairs said not to be duplicates: the gone work's go with it
    ("distinct_works", "b", "record"),
    ("reading", "work_id", "record"),  # the further along of the two states (Reading._merge_reading)
    ("notes", "work_id", "record"),  # both notes, the kept work's first
    ("identifiers", "work_id", "identify"),
    ("citations", "citing_id", "link"),
    ("citations", "cited_id", "link"),
    ("similar_links", "work_id", "link"),
    ("similar_links", "other_id", "link"),
    ("reference_list", "citing_id", "move"),
    ("reference_list", "cited_id", "move"),
    ("files", "work_id", "move"),
    ("events", "work_id", "move"),
    ("aliases", "work_id", "move"),
    ("usage", "work_id", "usage"),
    ("citation_counts", "work_id", "count"),
    ("fts_pending", "work_id", "index"),
]

# what the result calls the rows moved from each (table, column), for the user
_MOVED_NAMES = {("citations", "cited_id"): "citations", ("citations", "citing_id"): "references",
                ("similar_links", "work_id"): "similar works", ("similar_links", "other_id"): "similar works",
                ("reference_list", "citing_id"): "listed references",
                ("reference_list", "cited_id"): "listed references naming it",
                ("files", "work_id"): "archived copies", ("events", "work_id"): "views, copies and exports",
                ("aliases", "work_id"): "aliases", ("identifiers", "work_id"): "identifiers"}


@dataclass
class MergeResult:
    """What a merge did: which work was kept, what moved to it, what was dropped."""

    kept: WorkRef
    gone_key: str
    moved: dict[str, int] = field(default_factory=dict)  # what (in the user's words) -> rows moved
    collapsed: int = 0  # rows the kept work already had (a work citing both, say)
    self_citations: int = 0  # links between the two works, dropped
    taken: list[str] = field(default_factory=list)  # fields the kept work took from the gone one

    def describe(self) -> str:
        """One line for the user."""
        moved = ", ".join(f"{n:,} {what}" for what, n in self.moved.items() if n)
        parts = [f"Merged {self.gone_key} into {self.kept.key} (now an alias of it)"]
        parts.append(f"moved {moved}" if moved else "nothing to move")
        if self.taken:
            parts.append(f"took {', '.join(self.taken)} from {self.gone_key}")
        if self.self_citations:
            parts.append(f"dropped {self.self_citations} citation{'s' if self.self_citations != 1 else ''} "
                         "between the two")
        if self.collapsed:
            parts.append(f"{self.collapsed:,} already on {self.kept.key}")
        return "; ".join(parts) + " (u undoes)"


def _columns(conn: sqlite3.Connection, table: str) -> list[str]:
    return [r[1] for r in conn.execute(f'PRAGMA table_info("{table}")')]


def _rows(conn: sqlite3.Connection, table: str, columns: list[str], where: list[str], ids: tuple) -> list[list]:
    cond = " OR ".join(f"{c} IN ({', '.join('?' * len(ids))})" for c in where)
    return [list(r) for r in conn.execute(f'SELECT {", ".join(columns)} FROM "{table}" WHERE {cond}',
                                          ids * len(where))]


def _tables(rule: str | tuple[str, ...]) -> dict[str, list[str]]:
    """Tables whose rule is one of these, each with its work-id columns, in the list's order."""
    rules = (rule,) if isinstance(rule, str) else rule
    out: dict[str, list[str]] = {}
    for table, column, r in WORK_ID_COLUMNS:
        if r in rules:
            out.setdefault(table, []).append(column)
    return out


class Merges:
    """Merging works, and aliases (a part of Store)."""

    # ---------------------------------------------------------------- aliases

    def resolve_key(self, key: str) -> int | None:
        """The id of the work with this key, or whose alias it is (a merged work's key); None."""
        rows = self._read("SELECT id FROM works WHERE key = ?", (key,)) or \
            self._read("SELECT work_id FROM aliases WHERE key = ?", (key,))
        return rows[0][0] if rows else None

    def aliases(self, work_id: int) -> list[str]:
        """The keys of the works merged into this one, sorted."""
        return [r[0] for r in self._read("SELECT key FROM aliases WHERE work_id = ? ORDER BY key", (work_id,))]

    def alias_ids(self, keys: list[str]) -> dict[str, int]:
        """The works these keys are aliases of (those that are)."""
        return dict(self._select_in("SELECT key, work_id FROM aliases WHERE key IN ({marks})", list(dict.fromkeys(keys))))

    def _aliases_from_fields(self, conn: sqlite3.Connection, works: list[tuple[int, Work]]) -> int:
        """The aliases works name in their `ids` field (biblatex's; a merged work's export writes
        its aliases there): each a key no work has and no alias is yet."""
        n = 0
        for work_id, work in works:
            for key in split_ids(work.fields.get(ALIASES_FIELD, "")):
                if key != work.key and not conn.execute("SELECT 1 FROM works WHERE key = ?", (key,)).fetchone():
                    n += conn.execute("INSERT OR IGNORE INTO aliases(key, work_id) VALUES (?, ?)", (key, work_id)).rowcount
        return n

    # ---------------------------------------------------------------- merging

    def merge(self, keep_id: int, gone_id: int, choices: dict[str, str] | None = None,
              remember: bool = True) -> MergeResult:
        """Merge the work `gone_id` into `keep_id`, in one transaction (see the module's docstring);
        `choices`: field -> "keep" or "gone", where the default (the richer value) is not wanted."""
        if keep_id == gone_id:
            raise StoreError("a work cannot be merged into itself")
        with self._write() as conn:
            try:
                keep = self.work_by_id(keep_id)  # (this thread's connection: in the transaction)
                gone = self.work_by_id(gone_id)
            except Gone:
                raise Gone("one of the two works is no longer in the catalogue (deleted meanwhile?); "
                           "nothing was merged") from None
            gone_aliases = [r[0] for r in conn.execute("SELECT key FROM aliases WHERE work_id = ?", (gone_id,))]
            try:
                work, taken = merged(keep, gone, choices, gone_aliases)
            except ValueError as exc:
                raise StoreError(f"{exc}; nothing was merged") from None
            ids = (keep_id, gone_id)
            undo: dict = {"keep": keep_id, "gone": gone_id, "keep_key": keep.key, "gone_key": gone.key,
                          "record": {}, "moved": {}}
            for table, cols in _tables(("record", "identify")).items():
                columns = _columns(conn, table)
                undo["record"][table] = {"columns": columns, "rows": _rows(conn, table, columns, cols, ids)}
            usage = {r[0]: r[1] for r in conn.execute("SELECT work_id, total FROM usage WHERE work_id IN (?, ?)", ids)}
            undo["usage"] = {"keep": usage.get(keep_id), "gone": usage.get(gone_id)}

            result = MergeResult(_ref((keep_id, keep.key, work.title, "", work.year)), gone.key, taken=taken)
            self._update_work(conn, keep_id, work, {}, keep, resolve=False)
            self._merge_reading(conn, keep_id, gone_id)  # (tui/store/reading.py)
            result.moved["identifiers"] = conn.execute("UPDATE OR IGNORE identifiers SET work_id = ? WHERE work_id = ?",
                                                       (keep_id, gone_id)).rowcount
            links = _tables("link")
            for table, cols in _tables(("move", "link")).items():
                columns = _columns(conn, table)
                before = _rows(conn, table, columns, cols, (gone_id,))
                if not before:
                    continue
                between: list[int] = []  # rows joining the two works: dropped from a table of links
                if table in links:
                    at = [columns.index(c) for c in cols]
                    between = [i for i, r in enumerate(before) if any(r[j] == keep_id for j in at)]
                    cond = " OR ".join(f"({a} = ? AND {b} = ?)" for a in cols for b in cols if a != b)
                    conn.execute(f'DELETE FROM "{table}" WHERE {cond}', (keep_id, gone_id, gone_id, keep_id))
                    if table == "citations":
                        result.self_citations += len(between)
                for col in cols:
                    n = conn.execute(f'UPDATE OR IGNORE "{table}" SET {col} = ? WHERE {col} = ?', (keep_id, gone_id)).rowcount
                    what = _MOVED_NAMES.get((table, col), table)
                    result.moved[what] = result.moved.get(what, 0) + n
                # what stayed on the gone work repeats a row of the kept one: it goes with the gone work
                stayed = {json.dumps(r) for r in _rows(conn, table, columns, cols, (gone_id,))}
                result.collapsed += len(stayed)
                undo["moved"][table] = {"columns": columns, "cols": cols, "rows": before, "moved": [
                    i for i, r in enumerate(before) if json.dumps(r) not in stayed and i not in between]}
            if usage.get(gone_id):
                conn.execute("INSERT INTO usage(work_id, total) VALUES (?, ?) "
                             "ON CONFLICT(work_id) DO UPDATE SET total = total + excluded.total", (keep_id, usage[gone_id]))
            conn.execute("INSERT OR IGNORE INTO aliases(key, work_id) VALUES (?, ?)", (gone.key, keep_id))
            conn.execute("DELETE FROM works WHERE id = ?", (gone_id,))
            self._recount(conn, [keep_id])
            if remember:
                self._remember(conn, "merge", undo)
        self._index_soon()
        return result

    def _unmerge(self, conn: sqlite3.Connection, data: dict) -> None:
        """Put back what a merge changed (see merge: what it remembered)."""
        keep_id, gone_id = data["keep"], data["gone"]
        what = f"merge of {data['gone_key']} into {data['keep_key']}"
        if conn.execute("SELECT 1 FROM works WHERE id = ?", (keep_id,)).fetchone() is None:
            raise StoreError(f"cannot undo the {what}: {data['keep_key']} is no longer in the catalogue")
        if conn.execute("SELECT 1 FROM works WHERE id = ? OR key = ?", (gone_id, data["gone_key"])).fetchone():
            raise StoreError(f"cannot undo the {what}: its id or key is another work's now")
        records = data["record"]
        works = records["works"]
        columns = works["columns"]
        rows = {r[columns.index("id")]: r for r in works["rows"]}
        # the kept work's row as it was (every column: `updated` too), then the gone one's
        sets = ", ".join(f"{c} = ?" for c in columns if c != "id")
        conn.execute(f"UPDATE works SET {sets} WHERE id = ?",
                     [v for c, v in zip(columns, rows[keep_id]) if c != "id"] + [keep_id])
        conn.execute(f"INSERT INTO works({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})", rows[gone_id])
        conn.execute("DELETE FROM aliases WHERE key = ? AND work_id = ?", (data["gone_key"], keep_id))
        for table, saved in records.items():
            if table == "works":
                continue
            cols = _tables(("record", "identify"))[table]
            cond = " OR ".join(f"{c} IN (?, ?)" for c in cols)
            conn.execute(f'DELETE FROM "{table}" WHERE {cond}', (keep_id, gone_id) * len(cols))
            conn.executemany(f'INSERT INTO "{table}"({", ".join(saved["columns"])}) '
                             f'VALUES ({", ".join("?" * len(saved["columns"]))})', saved["rows"])
        for table, saved in data["moved"].items():
            columns, cols = saved["columns"], saved["cols"]
            for i in saved["moved"]:  # each moved row, as the merge left it
                row = [keep_id if c in cols and v == gone_id else v for c, v in zip(columns, saved["rows"][i])]
                cond = " AND ".join(f"{c} IS ?" for c in columns)
                conn.execute(f'DELETE FROM "{table}" WHERE {cond}', row)
            conn.executemany(f'INSERT INTO "{table}"({", ".join(columns)}) VALUES ({", ".join("?" * len(columns))})',
                             saved["rows"])
        # usage: the gone work's events put back counted themselves again (trigger): its total as
        # it was; the kept work's less what the merge added (a view of it since stays counted)
        usage = data["usage"]
        conn.execute("DELETE FROM usage WHERE work_id = ?", (gone_id,))
        if usage["gone"] is not None:
            conn.execute("INSERT INTO usage(work_id, total) VALUES (?, ?)", (gone_id, usage["gone"]))
            conn.execute("UPDATE usage SET total = total - ? WHERE work_id = ?", (usage["gone"], keep_id))
            conn.execute("DELETE FROM usage WHERE work_id = ? AND total <= 0", (keep_id,))
        self._recount(conn, [keep_id, gone_id])

    @staticmethod
    def _recount(conn: sqlite3.Connection, ids: list[int]) -> None:
        for work_id in ids:
            conn.execute("UPDATE citation_counts SET cited_by = (SELECT count(*) FROM citations WHERE cited_id = ?) "
                         "WHERE work_id = ?", (work_id, work_id))
