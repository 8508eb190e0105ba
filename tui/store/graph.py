"""The citation graph, similar-work primitives and authors: reads of links between works."""

from __future__ import annotations

from collections.abc import Iterable

from ..models import Author, AuthorPage, WorkRef
from .clock import now
from .errors import Gone, StoreError
from .works import _ref


class Graph:
    """The citation graph, similar-work primitives and authors: reads of links between works (a part of Store)."""

    def _id(self, key: str) -> int:
        """The id of the work with this key, or whose alias it is."""
        work_id = self.resolve_key(key)
        if work_id is None:
            raise StoreError(f"no work with key {key!r}")
        return work_id

    def cite(self, citing_key: str, cited_key: str, remember: bool = False) -> None:
        """Record that `citing_key` cites `cited_key`; refuses self-citation and repeats."""
        if citing_key == cited_key:
            raise StoreError(f"a work cannot cite itself ({citing_key})")
        citing, cited = self._id(citing_key), self._id(cited_key)
        if citing == cited:  # a key and one of its aliases
            raise StoreError(f"a work cannot cite itself ({citing_key} and {cited_key} are one work: "
                             "one was merged into the other)")
        with self._write() as conn:
            if conn.execute("SELECT 1 FROM citations WHERE citing_id = ? AND cited_id = ?", (citing, cited)).fetchone():
                raise StoreError(f"{citing_key} already cites {cited_key}")
            conn.execute("INSERT INTO citations(citing_id, cited_id, added) VALUES (?, ?, ?)", (citing, cited, now()))
            if remember:
                self._remember(conn, "cite", {"citing": citing, "cited": cited,
                                              "citing_key": citing_key, "cited_key": cited_key})

    def uncite(self, citing_key: str, cited_key: str, remember: bool = False) -> None:
        """Remove the link `citing_key` -> `cited_key`; says so when there is none."""
        citing, cited = self._id(citing_key), self._id(cited_key)
        with self._write() as conn:
            row = conn.execute("SELECT added FROM citations WHERE citing_id = ? AND cited_id = ?", (citing, cited)).fetchone()
            if row is None:
                raise StoreError(f"{citing_key} does not cite {cited_key}")
            conn.execute("DELETE FROM citations WHERE citing_id = ? AND cited_id = ?", (citing, cited))
            if remember:
                self._remember(conn, "uncite", {"citing": citing, "cited": cited, "added": row[0],
                                                "citing_key": citing_key, "cited_key": cited_key})

    def citations(self, work_id: int, limit: int = 2000, offset: int = 0) -> list[WorkRef]:
        """Works that cite this one, most cited first."""
        return [_ref(r) for r in self._read(
            "SELECT w.id, w.key, w.title, w.authors, w.year FROM citations c JOIN works w ON w.id = c.citing_id "
            "JOIN citation_counts n ON n.work_id = w.id "
            "WHERE c.cited_id = ? ORDER BY n.cited_by DESC, w.year DESC, w.id LIMIT ? OFFSET ?", (work_id, limit, offset))]

    def references(self, work_id: int, limit: int = 2000, offset: int = 0) -> list[WorkRef]:
        """Works this one cites."""
        return [_ref(r) for r in self._read(
            "SELECT w.id, w.key, w.title, w.authors, w.year FROM citations c JOIN works w ON w.id = c.cited_id "
            "WHERE c.citing_id = ? ORDER BY w.year, w.title LIMIT ? OFFSET ?", (work_id, limit, offset))]

    def citation_counts(self, work_id: int) -> tuple[int, int]:
        """(works citing this one, works it cites)."""
        cited_by = self._read("SELECT count(*) FROM citations WHERE cited_id = ?", (work_id,))[0][0]
        cites = self._read("SELECT count(*) FROM citations WHERE citing_id = ?", (work_id,))[0][0]
        return cited_by, cites

    def curated_similar(self, work_id: int) -> list[WorkRef]:
        """Similar works given by the record page, in its order."""
        return [_ref(r) for r in self._read(
            "SELECT w.id, w.key, w.title, w.authors, w.year FROM similar_links s JOIN works w ON w.id = s.other_id "
            "WHERE s.work_id = ? ORDER BY s.position", (work_id,))]

    def document_frequency(self, terms: Iterable[str], at_most: int | None = None) -> dict[str, int]:
        """How many works hold each term (a word as the index spells it).

        With `at_most`, counting stops there: a term held by more works is given as
        `at_most + 1`, so a common word costs what a rare one does (the index's vocabulary
        reads a word's whole list of works, long for a common word).
        Remembered (up to 200k terms) until the next import: an estimate a little out of date
        does not change what is similar.
        """
        self._catch_up()
        out = {}
        for term in terms:
            cached = self._df_cache.get(term)
            # (count, the cap it was counted to, or None when exact)
            if cached is None or (cached[1] is not None and (at_most is None or at_most > cached[1])):
                if at_most is None:
                    rows = self._read("SELECT doc FROM works_vocab WHERE term = ?", (term,))
                    cached = (rows[0][0] if rows else 0, None)
                else:
                    n = self._read("SELECT count(*) FROM (SELECT rowid FROM works_fts WHERE works_fts MATCH ? "
                                   "LIMIT ?)", ('"' + term.replace('"', '""') + '"', at_most + 1))[0][0]
                    cached = (n, None) if n <= at_most else (n, at_most)
                if len(self._df_cache) > 200_000:
                    self._df_cache.clear()
                self._df_cache[term] = cached
            out[term] = cached[0] if at_most is None else min(cached[0], at_most + 1)
        return out

    def works_matching_any(self, terms: list[str], exclude: int, limit: int) -> list[tuple[int, str, str]]:
        """(id, title, abstract) of the works best matching any of the terms in title or abstract."""
        if not terms:
            return []
        self._catch_up()
        expr = "{title abstract} : (" + " OR ".join('"' + t.replace('"', '""') + '"' for t in terms) + ")"
        return self._read(
            "SELECT w.id, w.title, w.abstract FROM (SELECT rowid AS id, rank FROM works_fts "
            "WHERE works_fts MATCH ? ORDER BY rank LIMIT ?) f JOIN works w ON w.id = f.id WHERE w.id != ? ORDER BY f.rank",
            (expr, limit + 1, exclude))

    def works_holding(self, term: str, exclude: int, limit: int) -> list[int]:
        """Ids of the newest `limit` works (not `exclude`) holding a word in title or abstract:
        one list a word, each as cheap at a million works as at a thousand."""
        self._catch_up()
        return [r[0] for r in self._read(
            "SELECT rowid FROM works_fts WHERE works_fts MATCH ? AND rowid != ? ORDER BY rowid DESC LIMIT ?",
            ('{title abstract} : "' + term.replace('"', '""') + '"', exclude, limit))]

    def titles_and_abstracts(self, ids: list[int]) -> list[tuple[int, str, str]]:
        """(id, title, abstract) of the given works, in that order."""
        found = {r[0]: r for r in self._select_in("SELECT id, title, abstract FROM works WHERE id IN ({marks})", ids)}
        return [found[i] for i in ids if i in found]

    def works_sharing_authors(self, work_id: int, limit: int) -> list[tuple[int, str]]:
        """(id, shared author name) for other works by this work's authors."""
        return self._read(
            "SELECT wa2.work_id, min(a.name) FROM work_authors wa JOIN work_authors wa2 ON wa2.author_id = wa.author_id "
            "JOIN authors a ON a.id = wa.author_id WHERE wa.work_id = ? AND wa2.work_id != ? "
            "AND a.name != 'et al.' GROUP BY wa2.work_id LIMIT ?", (work_id, work_id, limit))

    def works_in_venue(self, venue: str, exclude: int, limit: int) -> list[int]:
        """Other works in the same venue, the newest first (the venue index gives that order)."""
        if not venue:
            return []
        return [r[0] for r in self._read(
            # `venue != ''` lets SQLite use the partial index (without it: a scan of every work)
            "SELECT id FROM works WHERE venue = ? AND venue != '' AND id != ? ORDER BY id DESC LIMIT ?",
            (venue, exclude, limit))]

    def works_sharing_keywords(self, work_id: int, limit: int) -> list[tuple[int, str]]:
        """(id, keyword) for other works sharing a keyword, rarest keywords first."""
        return self._read(
            "SELECT k2.work_id, k.keyword FROM keywords k JOIN keywords k2 ON k2.keyword = k.keyword "
            "WHERE k.work_id = ? AND k2.work_id != ? AND k.keyword IN ("
            " SELECT keyword FROM keywords WHERE work_id = ? AND "
            " (SELECT count(*) FROM (SELECT 1 FROM keywords x WHERE x.keyword = keywords.keyword LIMIT 201)) <= 200)"
            " LIMIT ?",
            (work_id, work_id, work_id, limit))

    def author(self, author_id: int) -> Author:
        """An author by id."""
        rows = self._read("SELECT id, name, affiliation, orcid FROM authors WHERE id = ?", (author_id,))
        if not rows:
            raise Gone(f"author #{author_id} is no longer in the catalogue")
        return Author(rows[0][1], rows[0][2], rows[0][0], rows[0][3])

    def author_page(self, author_id: int, limit: int = 2000) -> AuthorPage:
        """An author, their works in the catalogue, and their co-authors."""
        author = self.author(author_id)
        works = [_ref(r) for r in self._read(
            "SELECT w.id, w.key, w.title, w.authors, w.year FROM work_authors wa JOIN works w ON w.id = wa.work_id "
            "WHERE wa.author_id = ? ORDER BY w.year DESC, w.title LIMIT ?", (author_id, limit))]
        coauthors = [(Author(name, aff, aid), n) for aid, name, aff, n in self._read(
            "SELECT a.id, a.name, a.affiliation, count(*) AS n FROM work_authors wa "
            "JOIN work_authors wa2 ON wa2.work_id = wa.work_id AND wa2.author_id != wa.author_id "
            "JOIN authors a ON a.id = wa2.author_id WHERE wa.author_id = ? "
            "GROUP BY a.id ORDER BY n DESC, a.name LIMIT 50", (author_id,))]
        return AuthorPage(author, works, coauthors, self.author_variants(author_id))
