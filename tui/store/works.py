"""Writing and reading works: a work's row, its authors and keywords."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Iterator

from ..models import Author, Work, WorkRef, join_names
from .clock import now
from .errors import Gone, StoreError

LIST_AUTHORS = 3  # names shown in a list row before "et al."


def _ref(r: tuple) -> WorkRef:
    return WorkRef(id=r[0], key=r[1], title=r[2], authors=r[3], year=r[4])



def _work_state(work: Work) -> dict:
    """What undoing an edit needs to put a work back as it was."""
    return {"values": Works._work_values(work),
            "authors": [[a.name, a.affiliation] for a in work.authors], "keywords": work.keywords}


class Works:
    """Writing and reading works: a work's row, its authors and keywords (a part of Store)."""

    def _author_id(self, conn: sqlite3.Connection, author: Author, cache: dict[str, int]) -> int:
        name = author.name.strip()
        orcid = getattr(author, "orcid", "") or ""
        if name in cache and not author.affiliation and not orcid:
            return cache[name]
        row = conn.execute(
            "INSERT INTO authors(name, affiliation, orcid) VALUES (?, ?, ?) ON CONFLICT(name) DO UPDATE SET "
            "affiliation = CASE WHEN excluded.affiliation != '' THEN excluded.affiliation ELSE affiliation END, "
            "orcid = CASE WHEN excluded.orcid != '' THEN excluded.orcid ELSE orcid END "
            "RETURNING id",
            (name, author.affiliation or "", orcid),
        ).fetchone()
        if name not in cache:
            self._match_authors(conn, [(row[0], name)])  # (OR IGNORE: an author already there keeps its row)
        cache[name] = row[0]
        return row[0]

    @staticmethod
    def _work_values(work: Work) -> dict:
        return {
            "key": work.key, "type": work.type or "misc", "title": work.title,
            "authors": join_names([a.name for a in work.authors], LIST_AUTHORS),
            "author_names": "; ".join(a.name for a in work.authors),
            "year": work.year, "venue": work.venue, "volume": work.volume, "number": work.number,
            "pages": work.pages, "publisher": work.publisher, "doi": work.doi, "url": work.url,
            "abstract": work.abstract, "keywords": "; ".join(work.keywords),
            "fields": json.dumps(work.fields, ensure_ascii=False),
            "pp_downloads": work.pp_downloads, "pp_downloads_rank": work.pp_downloads_rank,
            "pp_recent": work.pp_recent, "pp_recent_rank": work.pp_recent_rank,
        }

    def _insert_work(self, conn: sqlite3.Connection, work: Work, cache: dict[str, int]) -> int:
        values = self._work_values(work)
        stamp = now()
        values["added"] = values["updated"] = stamp
        cols = ", ".join(values)
        marks = ", ".join("?" for _ in values)
        work_id = conn.execute(f"INSERT INTO works({cols}) VALUES ({marks})", tuple(values.values())).lastrowid
        self._set_people(conn, work_id, work, cache)
        self._set_identifiers(conn, work_id, work)
        self._match_works(conn, [(work_id, work)])
        if work.fields.get("ids"):
            self._aliases_from_fields(conn, [(work_id, work)])
        self._resolve_arrivals(conn, [work_id])  # works whose reference lists name this one
        return work_id

    def _update_work(self, conn: sqlite3.Connection, work_id: int, work: Work, cache: dict[str, int],
                     before: Work | None = None, resolve: bool = True) -> None:
        """Write `work` over the work `work_id`; given the work as it is (`before`), only what
        changed is written (an abstract edited rewrites neither the title's index nor the authors)."""
        values = self._work_values(work)
        if before is not None:
            old = self._work_values(before)
            values = {c: v for c, v in values.items() if v != old[c]}
        values["updated"] = now()
        sets = ", ".join(f"{c} = ?" for c in values)
        conn.execute(f"UPDATE works SET {sets} WHERE id = ?", (*values.values(), work_id))
        same_authors = before is not None and len(before.authors) == len(work.authors) and all(
            a.name == b.name and (not a.affiliation or a.affiliation == b.affiliation)
            for a, b in zip(work.authors, before.authors))
        same_keywords = before is not None and before.keywords == work.keywords
        if not same_authors:
            conn.execute("DELETE FROM work_authors WHERE work_id = ?", (work_id,))
        if not same_keywords:
            conn.execute("DELETE FROM keywords WHERE work_id = ?", (work_id,))
        self._set_people(conn, work_id, work, cache, authors=not same_authors, keywords=not same_keywords)
        if before is None or not same_authors or before.title != work.title or before.year != work.year:
            self._match_works(conn, [(work_id, work)], replace=True)
        if before is None or before.doi != work.doi or before.fields != work.fields:
            self._set_identifiers(conn, work_id, work, replace=True)
            if resolve:  # (an import resolves all its works at once)
                self._resolve_arrivals(conn, [work_id])

    def _set_people(self, conn: sqlite3.Connection, work_id: int, work: Work, cache: dict[str, int],
                    authors: bool = True, keywords: bool = True) -> None:
        if authors:
            rows = []
            for position, author in enumerate(work.authors):
                if author.name.strip():
                    rows.append((work_id, position, self._author_id(conn, author, cache)))
            conn.executemany("INSERT INTO work_authors(work_id, position, author_id) VALUES (?, ?, ?)", rows)
        if not keywords:
            return
        seen: set[str] = set()
        kws = []
        for kw in work.keywords:
            if kw.lower() not in seen:
                seen.add(kw.lower())
                kws.append((work_id, kw))
        conn.executemany("INSERT OR IGNORE INTO keywords(work_id, keyword) VALUES (?, ?)", kws)

    @staticmethod
    def _same_work(conn: sqlite3.Connection, work_id: int, work: Work) -> bool:
        """The same title (ignoring case and spacing) and year: the same work, whatever its key."""
        row = conn.execute("SELECT title, year FROM works WHERE id = ?", (work_id,)).fetchone()
        return row is not None and " ".join(row[0].split()).casefold() == " ".join(work.title.split()).casefold() \
            and row[1] == work.year

    def _free_key(self, conn: sqlite3.Connection, key: str, also_taken: set[str] = frozenset()) -> str:
        taken = {r[0] for r in conn.execute(  # (a merged work's key, an alias, is taken too)
            "SELECT key FROM works WHERE key >= ?1 AND key < ?2 UNION ALL SELECT key FROM aliases WHERE key >= ?1 AND key < ?2",
            (key, key + "\U0010ffff"))} | also_taken
        if key not in taken:
            return key
        for i in range(26 * 26):
            suffix = chr(ord("a") + i % 26) if i < 26 else chr(ord("a") + i // 26 - 1) + chr(ord("a") + i % 26)
            if key + suffix not in taken:
                return key + suffix
        raise StoreError(f"no free key near {key!r}")

    def add_work(self, work: Work, rename: bool = True, remember: bool = False) -> Work:
        """Add one work; a key already taken gets a letter appended (`rename`) or is refused."""
        with self._write() as conn:
            if rename:
                work.key = self._free_key(conn, work.key)
            elif conn.execute("SELECT 1 FROM works WHERE key = ?", (work.key,)).fetchone():
                raise StoreError(f"the key {work.key!r} is already used by another work")
            elif conn.execute("SELECT 1 FROM aliases WHERE key = ?", (work.key,)).fetchone():
                raise StoreError(f"the key {work.key!r} is an alias of another work (merged into it, or its earlier key)")
            work.id = self._insert_work(conn, work, {})
            if remember:
                self._remember(conn, "new", {"work": work.id, "key": work.key})
        return work

    def update_work(self, work_id: int, work: Work, remember: bool = True) -> Work:
        """Replace a work's fields (its id, so every link, stays); its key must stay unique."""
        with self._write() as conn:
            before = self.work_by_id(work_id)  # (this thread's connection: in the transaction)
            clash = conn.execute("SELECT 1 FROM works WHERE key = ? AND id != ?", (work.key, work_id)).fetchone()
            if clash:
                raise StoreError(f"the key {work.key!r} is already used by another work")
            if conn.execute("SELECT 1 FROM aliases WHERE key = ? AND work_id != ?", (work.key, work_id)).fetchone():
                raise StoreError(f"the key {work.key!r} is an alias of another work (merged into it, or its earlier key)")
            self._update_work(conn, work_id, work, {}, before)
            if remember:
                self._remember(conn, "edit", {"work": work_id, "before": _work_state(before)})
        self._index_soon()
        work.id = work_id
        return work

    def _work_from_row(self, r: sqlite3.Row | tuple) -> Work:
        (wid, key, type_, title, year, venue, volume, number, pages, publisher, doi, url, abstract,
         keywords_text, fields, ppd, ppdr, ppr, pprr, added, updated) = r
        authors = [Author(name, aff, aid, orcid) for aid, name, aff, orcid in self._read(
            "SELECT a.id, a.name, a.affiliation, a.orcid FROM work_authors wa JOIN authors a ON a.id = wa.author_id "
            "WHERE wa.work_id = ? ORDER BY wa.position", (wid,))]
        keywords = [k for k in (fields_kw.strip() for fields_kw in keywords_text.split(";")) if k]
        note, reading = self._read("SELECT (SELECT text FROM notes WHERE work_id = ?), "
                                   "(SELECT state FROM reading WHERE work_id = ?)", (wid, wid))[0]
        return Work(key=key, type=type_, title=title, authors=authors, year=year, venue=venue,
                    volume=volume, number=number, pages=pages, publisher=publisher, doi=doi, url=url,
                    abstract=abstract, keywords=keywords, fields=json.loads(fields or "{}"),
                    pp_downloads=ppd, pp_downloads_rank=ppdr, pp_recent=ppr, pp_recent_rank=pprr,
                    id=wid, added=added, updated=updated, note=note or "", reading=reading or "")

    _WORK_COLUMNS = ("id, key, type, title, year, venue, volume, number, pages, publisher, doi, url, "
                     "abstract, keywords, fields, pp_downloads, pp_downloads_rank, pp_recent, pp_recent_rank, added, updated")

    def work(self, key: str) -> Work:
        """The work with this citation key, or whose alias it is (the key of a work merged into it)."""
        rows = self._read(f"SELECT {self._WORK_COLUMNS} FROM works WHERE key = ?", (key,)) or self._read(
            f"SELECT {self._WORK_COLUMNS} FROM works WHERE id = (SELECT work_id FROM aliases WHERE key = ?)", (key,))
        if not rows:
            raise StoreError(f"no work with key {key!r}")
        return self._work_from_row(rows[0])

    def work_by_id(self, work_id: int) -> Work:
        """The work with this row id."""
        rows = self._read(f"SELECT {self._WORK_COLUMNS} FROM works WHERE id = ?", (work_id,))
        if not rows:
            raise Gone(f"work #{work_id} is no longer in the catalogue")
        return self._work_from_row(rows[0])

    def works(self, ids: Iterable[int] | None = None, batch: int = 500) -> Iterator[Work]:
        """Stream works (all, or the given ids in that order) without holding them all."""
        if ids is None:
            last = 0
            while True:
                rows = self._read(f"SELECT {self._WORK_COLUMNS} FROM works WHERE id > ? ORDER BY id LIMIT ?", (last, batch))
                if not rows:
                    return
                for r in rows:
                    yield self._work_from_row(r)
                last = rows[-1][0]
        else:
            for work_id in ids:
                rows = self._read(f"SELECT {self._WORK_COLUMNS} FROM works WHERE id = ?", (work_id,))
                if rows:
                    yield self._work_from_row(rows[0])

    def ids_by_key(self, keys: list[str]) -> dict[str, int]:
        """The ids of the works with these keys (those the catalogue has), or whose aliases they are."""
        found = dict(self._select_in("SELECT key, id FROM works WHERE key IN ({marks})", list(dict.fromkeys(keys))))
        rest = [k for k in keys if k not in found]
        if rest:
            found.update(self._select_in("SELECT key, work_id FROM aliases WHERE key IN ({marks})", list(dict.fromkeys(rest))))
        return found

    def keys_near(self, key: str, most: int = 10) -> list[WorkRef]:
        """Works whose keys sort next to `key`, on either side (two seeks of the key index): where
        a key mistyped late in it, or with another year or letter, is found again."""
        rows = self._read("SELECT id, key, title, authors, year FROM works WHERE key < ? ORDER BY key DESC LIMIT ?",
                          (key, most)) + self._read(
            "SELECT id, key, title, authors, year FROM works WHERE key >= ? ORDER BY key LIMIT ?", (key, most))
        return [_ref(r) for r in rows]

    def refs(self, ids: Iterable[int]) -> dict[int, WorkRef]:
        """Short handles for the given work ids."""
        return {r[0]: _ref(r) for r in self._select_in(
            "SELECT id, key, title, authors, year FROM works WHERE id IN ({marks})", list(ids))}
