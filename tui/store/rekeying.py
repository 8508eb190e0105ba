"""New citation keys by the `[keys] pattern` for works already in the catalogue (`ibid rekey`).

One transaction, remembered as one change (kind "rekey"): each work whose key the pattern
changes takes the new key, and its old key becomes an alias of it (tui/store/merges.py), so a
manuscript that cites the old key still finds the work; `crossref` and `xdata` fields naming
an old key are rewritten to the new one. Citation links are by id and do not move. A key
never changes unasked: only the works asked for, and only where the pattern gives another key.

Disambiguation is the one rule of `formats.keypattern.disambiguate` (`key`, `keya`, `keyb` ...),
taken in the order the works were added; a work whose key is already the pattern's (or the
pattern's with a letter suffix, as a disambiguation left it) keeps it. A key is taken when a
work has it, an alias of another work is it, or a work of this rekey had it (an old key stays
its work's alias: handing it to another work would send the old citations elsewhere).
"""

from __future__ import annotations

import json
import re
import sqlite3
from dataclasses import dataclass, field

from ..formats.keypattern import DEFAULT_PATTERN, check_pattern, disambiguate, make_key
from .errors import StoreError

_SUFFIX = re.compile(r"[a-z]+")
_PARENT_FIELDS = ("crossref", "xdata")


@dataclass
class RekeyResult:
    """What a rekey did (or would do, `dry_run`): (id, old key, new key) for each work it changed."""

    changed: list[tuple[int, str, str]] = field(default_factory=list)
    unchanged: int = 0  # works whose key the pattern already gives
    parents: int = 0  # works whose crossref / xdata were rewritten to a new key

    def describe(self) -> str:
        n = len(self.changed)
        parts = [f"{n:,} key{'s' if n != 1 else ''} changed"]
        if self.unchanged:
            parts.append(f"{self.unchanged:,} already as the pattern gives")
        if self.parents:
            parts.append(f"crossref/xdata of {self.parents:,} work{'s' if self.parents != 1 else ''} rewritten")
        return "; ".join(parts)


class Rekeying:
    """`rekey`: keys by pattern for existing works, old keys kept as aliases (a part of Store)."""

    def rekey(self, work_ids: list[int] | None, pattern: str = DEFAULT_PATTERN, dry_run: bool = False,
              remember: bool = True) -> RekeyResult:
        """Give these works (None: every work) the keys `pattern` makes (see the module's
        docstring), in one transaction; `dry_run`: say what would change, change nothing (a
        read-only catalogue can be asked)."""
        try:
            check_pattern(pattern)
        except ValueError as exc:
            raise StoreError(str(exc)) from None
        if dry_run:
            return self._rekey_plan(self.conn, work_ids, pattern)
        with self._write() as conn:
            result = self._rekey_plan(conn, work_ids, pattern)
            if not result.changed:
                return result
            renamed = {old: new for _, old, new in result.changed}
            freed = []  # a work's own alias that is its key again
            for work_id, old, new in result.changed:
                freed += [list(r) for r in conn.execute(
                    "DELETE FROM aliases WHERE key = ? AND work_id = ? RETURNING key, work_id", (new, work_id))]
                conn.execute("UPDATE works SET key = ? WHERE id = ?", (new, work_id))
                conn.execute("INSERT INTO aliases(key, work_id) VALUES (?, ?)", (old, work_id))
            fields_before = self._rename_parents(conn, renamed)
            result.parents = len(fields_before)
            if remember:
                self._remember(conn, "rekey", {"works": [list(c) for c in result.changed], "freed": freed,
                                               "fields": fields_before})
        return result

    def _rekey_plan(self, conn: sqlite3.Connection, work_ids: list[int] | None, pattern: str) -> RekeyResult:
        """The new key of each work the pattern changes (nothing written)."""
        result = RekeyResult()
        if work_ids is None:
            ids = [r[0] for r in conn.execute("SELECT id FROM works ORDER BY id")]
        else:
            ids = sorted(set(work_ids))
        # (id, key, the pattern's key) of each, read as a stream: a million works are not held at once
        planned = [(w.id, w.key, make_key(w, pattern)) for w in self.works(ids)]
        old_keys = {key for _, key, _ in planned}
        assigned: set[str] = set()

        def taken(key: str, work_id: int) -> bool:
            if key in assigned or key in old_keys:
                return True
            if conn.execute("SELECT 1 FROM works WHERE key = ?", (key,)).fetchone():
                return True
            alias = conn.execute("SELECT work_id FROM aliases WHERE key = ?", (key,)).fetchone()
            return alias is not None and alias[0] != work_id

        later: list[tuple[int, str, str]] = []
        for work_id, key, base in planned:  # a key already the pattern's stays: first, so the others go round it
            rest = key[len(base):] if key.startswith(base) else None
            if rest is not None and (rest == "" or _SUFFIX.fullmatch(rest)):
                assigned.add(key)
                result.unchanged += 1
            else:
                later.append((work_id, key, base))
        for work_id, old, base in later:
            new = disambiguate(base, lambda k, w=work_id: taken(k, w))
            assigned.add(new)
            result.changed.append((work_id, old, new))
        return result

    @staticmethod
    def _rename_parents(conn: sqlite3.Connection, renamed: dict[str, str]) -> list[list]:
        """`crossref` / `xdata` naming a renamed key, rewritten; [id, fields before, fields after] each."""
        out = []
        rows = conn.execute("SELECT id, fields FROM works WHERE fields LIKE '%\"crossref\"%' "
                            "OR fields LIKE '%\"xdata\"%'").fetchall()
        for work_id, text in rows:
            fields = json.loads(text or "{}")
            changed = False
            for name in _PARENT_FIELDS:
                value = fields.get(name)
                if not isinstance(value, str) or not value.strip():
                    continue
                keys = [k.strip() for k in value.split(",")]
                if any(k in renamed for k in keys):
                    fields[name] = ",".join(renamed.get(k, k) for k in keys)
                    changed = True
            if changed:
                after = json.dumps(fields, ensure_ascii=False)
                conn.execute("UPDATE works SET fields = ? WHERE id = ?", (after, work_id))
                out.append([work_id, text, after])
        return out

    @staticmethod
    def _describe_rekey(data: dict) -> str:
        works = data["works"]
        if len(works) == 1:
            return f"new key {works[0][2]} of {works[0][1]}"
        return f"new keys of {len(works):,} works"

    @staticmethod
    def _unrekey(conn: sqlite3.Connection, data: dict, what: str) -> None:
        """Put the old keys back (refused when another work has taken one meanwhile)."""
        for work_id, old, new in data["works"]:
            holder = conn.execute("SELECT id FROM works WHERE key = ?", (old,)).fetchone()
            if holder is not None and holder[0] != work_id:
                raise StoreError(f"cannot undo the {what}: the key {old} is another work's now")
        for work_id, old, new in data["works"]:
            conn.execute("DELETE FROM aliases WHERE key = ? AND work_id = ?", (old, work_id))
            conn.execute("UPDATE works SET key = ? WHERE id = ? AND key = ?", (old, work_id, new))
        conn.executemany("INSERT OR IGNORE INTO aliases(key, work_id) VALUES (?, ?)", data["freed"])
        for work_id, before, after in data["fields"]:
            conn.execute("UPDATE works SET fields = ? WHERE id = ? AND fields = ?", (before, work_id, after))
