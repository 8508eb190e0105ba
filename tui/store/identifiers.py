"""Works by their identifiers (DOI, arXiv id, ISBN) and the reference lists works arrive with:
a reference naming a work's identifier becomes a citation link as soon as both are in the
catalogue, whichever came first."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable

from ..identifiers import work_identifiers
from ..models import ListedReference, Work
from .clock import now
from .errors import StoreError

# the waiting references that name these works by DOI or arXiv id (kind: doi or arxiv)
_RESOLVE = """SELECT r.id, r.citing_id, i.work_id FROM identifiers i JOIN reference_list r
              ON r.{kind} = i.value AND r.{kind} != '' AND r.cited_id IS NULL
              WHERE i.kind = '{kind}' AND i.work_id IN ({{marks}})"""


class Identifiers:
    """Works by identifier, and reference lists resolved as works arrive (a part of Store)."""

    def _set_identifiers(self, conn: sqlite3.Connection, work_id: int, work: Work, replace: bool = False) -> None:
        if replace:
            conn.execute("DELETE FROM identifiers WHERE work_id = ?", (work_id,))
        self._identify_all(conn, [(work_id, work)])

    def _identify_all(self, conn: sqlite3.Connection, works: Iterable[tuple[int, Work]]) -> None:
        """The identifiers of works (many, for an import), in one statement."""
        conn.executemany("INSERT OR IGNORE INTO identifiers(work_id, kind, value) VALUES (?, ?, ?)",
                         [(work_id, kind, value) for work_id, work in works
                          for kind, value in work_identifiers(work.doi, work.fields)])

    def _resolve_arrivals(self, conn: sqlite3.Connection, ids: list[int]) -> list[tuple[int, int]]:
        """Link the works that name these (newly arrived or re-identified) works in their
        reference lists: each such reference gets its work, and a citation joins the two.
        The (citing, cited) links made. Citation counts follow by trigger where it is in place
        (an import counts its own)."""
        found: dict[int, tuple[int, int]] = {}
        for kind in ("doi", "arxiv"):
            for ref_id, citing, cited in self._select_in(_RESOLVE.format(kind=kind), ids, conn):
                found.setdefault(ref_id, (citing, cited))
        if not found:
            return []
        conn.executemany("UPDATE reference_list SET cited_id = ? WHERE id = ?",
                         [(cited, ref_id) for ref_id, (_citing, cited) in found.items()])
        links = sorted({pair for pair in found.values() if pair[0] != pair[1]})
        stamp = now()
        return [(citing, cited) for citing, cited in links if conn.execute(
            "INSERT OR IGNORE INTO citations(citing_id, cited_id, added) VALUES (?, ?, ?)", (citing, cited, stamp)).rowcount]

    def work_by_identifier(self, kind: str, normal: str) -> int | None:
        """The id of a work holding this identifier (its normal form), or None."""
        rows = self._read("SELECT work_id FROM identifiers WHERE kind = ? AND value = ? ORDER BY work_id LIMIT 1",
                          (kind, normal))
        return rows[0][0] if rows else None

    def add_with_references(self, work: Work, references: Iterable[tuple[str, str, str]],
                            remember: bool = True, link: tuple[str, int] | None = None) -> tuple[Work, int, int]:
        """Add a work fetched by its identifier, with its reference list: (text, DOI, arXiv id)
        each, the identifiers in their normal form or ''. In one transaction: the work (under a
        free key), its references (those naming a work of the catalogue linked to it at once,
        the others kept to be linked when their work arrives), and the works whose reference
        lists name it linked to it. `link`: ("cites", id) when the new work cites work `id`,
        ("cited by", id) when that work cites it (a picker's add and link, one change). `u` undoes
        all of it. Returns the work, the links made and the references left waiting."""
        references = list(references)
        with self._write() as conn:
            work.key = self._free_key(conn, work.key)
            work.id = self._insert_work(conn, work, {})  # (links the works whose lists name it)
            linked = conn.execute("SELECT count(DISTINCT citing_id) FROM reference_list WHERE cited_id = ? "
                                  "AND citing_id != ?", (work.id, work.id)).fetchone()[0]
            rows, waiting = [], 0
            for position, (text, doi, arxiv) in enumerate(references):
                cited = None
                for kind, value in (("doi", doi), ("arxiv", arxiv)):
                    if value and cited is None:
                        cited = self.work_by_identifier(kind, value)  # (this thread's connection: in the transaction)
                rows.append((work.id, position, text, doi, arxiv, cited))
                if cited is None:
                    waiting += 1
                elif cited != work.id:
                    linked += conn.execute("INSERT OR IGNORE INTO citations(citing_id, cited_id, added) "
                                           "VALUES (?, ?, ?)", (work.id, cited, now())).rowcount
            conn.executemany("INSERT INTO reference_list(citing_id, position, text, doi, arxiv, cited_id) "
                             "VALUES (?, ?, ?, ?, ?, ?)", rows)
            if link is not None:
                other = link[1]
                if conn.execute("SELECT 1 FROM works WHERE id = ?", (other,)).fetchone() is None:
                    raise StoreError("the work to link is no longer in the catalogue; nothing was added")
                pair = (work.id, other) if link[0] == "cites" else (other, work.id)
                linked += conn.execute("INSERT OR IGNORE INTO citations(citing_id, cited_id, added) VALUES (?, ?, ?)",
                                       (*pair, now())).rowcount
            if remember:
                self._remember(conn, "new", {"work": work.id, "key": work.key})
        return work, linked, waiting

    def unresolved_references(self, work_id: int, limit: int = 2000) -> list[ListedReference]:
        """A work's listed references that name no work of the catalogue (yet), in the list's order."""
        return [ListedReference(*r) for r in self._read(
            "SELECT id, text, doi, arxiv FROM reference_list WHERE citing_id = ? AND cited_id IS NULL "
            "ORDER BY position LIMIT ?", (work_id, limit))]

    def listed_reference(self, ref_id: int) -> ListedReference:
        """One entry of a reference list, by id."""
        rows = self._read("SELECT id, text, doi, arxiv FROM reference_list WHERE id = ?", (ref_id,))
        if not rows:
            raise StoreError("that reference is no longer in the catalogue")
        return ListedReference(*rows[0])

    def reference_list_json(self, work_id: int) -> list[dict]:
        """A work's whole reference list, for `ibid show --format json`."""
        return [{"text": text, "doi": doi, "arxiv": arxiv, "key": key} for text, doi, arxiv, key in self._read(
            "SELECT r.text, r.doi, r.arxiv, w.key FROM reference_list r LEFT JOIN works w ON w.id = r.cited_id "
            "WHERE r.citing_id = ? ORDER BY r.position", (work_id,))]
