"""`state:` and `note:` in a search, and notes found by a search's plain words.

Notes are few beside works (a thousand against a million), so they have an index of their
own (`notes_fts`, m011) and works_fts is left as it is. This part of Store stands in front of
Search's three readers (search_ids, search_newest, search_count) and leaves them alone:

- A plain search (no `state:`, no `note:`) runs as before; the works whose note holds its
  plain words (those without a column: `kant`, `"a phrase"`), and whose fields hold the rest
  (`author:kant`), in its years, are then merged in: by relevance they come first (a word in
  your own note about a work says more than bm25 can), in the other orders where they sort.
  When no note holds the words this costs one read of the small notes index.
- `state:` and `note:` restrict a search. `state:toread` (reading, read) and `note:` name few
  works: they are read first and each is checked against the words and years. `state:none`
  (most of the catalogue) is the plain search less the works that have a state.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import replace

from ..query import Query, parse

RERANK_UP_TO = 2_000  # restricted matches ranked by bm25 up to this many; more: the newest first
SEEK_UP_TO = 200  # a restriction of this many works or fewer: each is looked up in the word index (else the
#   words' works are read once, as a list to look each up in: one seek costs ~0.4 ms at a million works,
#   a broad word's list 50-250 ms)
_ORDER = {"year": "w.year DESC, w.id", "title": "w.title COLLATE NOCASE, w.id", "cited": "c.cited_by DESC, w.id",
          "newest": "w.id DESC", "added": "w.id", "relevance": "w.id DESC"}
_ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")  # COLLATE NOCASE


class ReadingSearch:
    """`state:` and `note:` in a search, and notes found by its words (a part of Store, before Search)."""

    # -- the three readers

    def search_ids(self, text: str | Query, sort: str = "relevance", limit: int = 10000,
                   cancel: Callable[[], bool] | None = None, newest: list[int] | None = None) -> list[int]:
        q = parse(text) if isinstance(text, str) else text
        if q.restricted:
            self._catch_up()
            with self._cancellable(cancel):
                return self._restricted_ids(q, sort, limit)
        ids = super().search_ids(q, sort, limit, cancel, newest)
        if not q.plain:
            return ids
        with self._cancellable(cancel):
            found = self._note_matches(q)
            return self._merged(ids, found, sort, limit) if found else ids

    def search_newest(self, text: str | Query, limit: int = 100,
                      cancel: Callable[[], bool] | None = None) -> list[int]:
        q = parse(text) if isinstance(text, str) else text
        if q.restricted:
            return self.search_ids(q, "newest", limit, cancel)
        ids = super().search_newest(q, limit, cancel)
        if not q.plain:
            return ids
        with self._cancellable(cancel):
            found = self._note_matches(q)
        return self._merged(ids, found, "newest", limit) if found else ids

    def search_count(self, text: str | Query, cancel: Callable[[], bool] | None = None,
                     newest: list[int] | None = None) -> int:
        q = parse(text) if isinstance(text, str) else text
        if q.restricted:
            self._catch_up()
            with self._cancellable(cancel):
                return self._restricted_count(q)
        n = super().search_count(q, cancel, newest)
        if not q.plain:
            return n
        with self._cancellable(cancel):
            found = self._note_matches(q)
            # those whose fields match too are counted already
            return n + sum(1 for i in found if not self._read(
                "SELECT 1 FROM works_fts WHERE works_fts MATCH ? AND rowid = ?", (q.match, i)))

    # -- notes found by plain words

    def _note_matches(self, q: Query) -> list[int]:
        """The works, newest first, whose note holds the search's plain words, whose fields hold
        its other words, in its years."""
        where, params = self._note_alternative(q)
        if not where:
            return []
        years, year_params = self._years_where(q)
        where += years
        return [r[0] for r in self._read(f"SELECT w.id FROM works w WHERE {' AND '.join(where)} ORDER BY w.id DESC",
                                         (*params, *year_params))]

    @staticmethod
    def _note_alternative(q: Query) -> tuple[list[str], list]:
        """Conditions on `w` for a work found through its note: the plain parts in the note, the
        parts with a column in its fields."""
        if not q.plain:
            return [], []
        where = ["w.id IN (SELECT rowid FROM notes_fts WHERE notes_fts MATCH ?)"]
        params: list = [" ".join(q.plain)]
        columned = [p for p in q.parts if p not in q.plain]
        if columned:
            where.append("EXISTS (SELECT 1 FROM works_fts WHERE works_fts MATCH ? AND rowid = w.id)")
            params.append(" ".join(columned))
        return where, params

    def _merged(self, ids: list[int], found: list[int], sort: str, limit: int) -> list[int]:
        """A search's ids with the works found through their notes, in the search's order."""
        if sort == "relevance":
            first = set(found)
            return (found + [i for i in ids if i not in first])[:limit]
        union = list(dict.fromkeys(ids + found))
        if sort == "newest":
            return sorted(union, reverse=True)[:limit]
        if sort not in ("year", "title", "cited"):
            return sorted(union)[:limit]
        keys = {}
        for i, year, title, cited in self._select_in(
                "SELECT w.id, w.year, w.title, c.cited_by FROM works w JOIN citation_counts c ON c.work_id = w.id "
                "WHERE w.id IN ({marks})", union):
            keys[i] = ((year is None, -(year if isinstance(year, int) else 0), i) if sort == "year" else
                       (title.translate(_ASCII_LOWER), i) if sort == "title" else (-cited, i))
        return sorted((i for i in union if i in keys), key=keys.__getitem__)[:limit]

    # -- state: and note:

    def _restriction(self, q: Query) -> tuple[list[str], list]:
        """The conditions on `w` of a search's `state:` and `note:`."""
        where, params = [], []
        if q.state == "none":
            where.append("NOT EXISTS (SELECT 1 FROM reading WHERE work_id = w.id)")
        elif q.state is not None:
            where.append("w.id IN (SELECT work_id FROM reading WHERE state = ?)")
            params.append(q.state)  # ("" for a word that is no state: nothing)
        if q.note is not None:
            where.append("w.id IN (SELECT rowid FROM notes_fts WHERE notes_fts MATCH ?)")
            params.append(q.note)
        return where, params

    def _restricted_size(self, q: Query) -> int | None:
        """How many works the restriction alone names (None: most of them, `state:none`)."""
        sizes = []
        if q.state not in (None, "none"):
            sizes.append(self._read("SELECT count(*) FROM reading WHERE state = ?", (q.state,))[0][0])
        if q.note is not None:
            sizes.append(self._read("SELECT count(*) FROM notes_fts WHERE notes_fts MATCH ?", (q.note,))[0][0])
        return min(sizes) if sizes else None

    def _restricted_where(self, q: Query) -> tuple[list[str], list]:
        """Every condition of a restricted search on `w`: the restriction, the years, the words
        (in the fields, or through the note)."""
        where, params = self._restriction(q)
        years, year_params = self._years_where(q)
        where += years
        params += year_params
        if q.match is not None:
            size = self._restricted_size(q)
            words = ("EXISTS (SELECT 1 FROM works_fts WHERE works_fts MATCH ? AND rowid = w.id)"
                     if size is not None and size <= SEEK_UP_TO else
                     "w.id IN (SELECT rowid FROM works_fts WHERE works_fts MATCH ?)")
            alternative, alt_params = self._note_alternative(q)
            if alternative:
                words = f"({words} OR ({' AND '.join(alternative)}))"
            where.append(words)
            params += [q.match, *alt_params]
        return where, params

    def _restricted_ids(self, q: Query, sort: str, limit: int) -> list[int]:
        if q.state == "none" and q.note is None and q.match is not None:
            return self._without_states(q, sort, limit)
        where, params = self._restricted_where(q)
        counts = " JOIN citation_counts c ON c.work_id = w.id" if sort == "cited" else ""
        sql = f"SELECT w.id FROM works w{counts} WHERE {' AND '.join(where)} ORDER BY {_ORDER.get(sort, 'w.id')}"
        if sort != "relevance" or q.match is None:
            return [r[0] for r in self._read(sql + " LIMIT ?", (*params, limit))]
        ids = [r[0] for r in self._read(sql + " LIMIT ?", (*params, max(limit, RERANK_UP_TO + 1)))]
        return self._reranked(q, ids)[:limit]

    def _reranked(self, q: Query, ids: list[int]) -> list[int]:
        """A restricted search's matches (newest first) by bm25, as a plain search ranks, those
        found through their notes first; more than RERANK_UP_TO stay newest first."""
        if len(ids) < 2 or len(ids) > RERANK_UP_TO:
            return ids
        from .schema import _BM25_WEIGHTS

        # as Search._ranked: a phrase in most works weighs nothing in bm25 and costs the most
        # to score; the others rank, over the matches alone
        from .search import EXACT_RANK_UP_TO

        rare = q.parts if self.count() <= EXACT_RANK_UP_TO else [p for p in q.parts if not self._dense(p, ids[0])]
        scores = {}
        if rare:
            # One pass over the matches between the restriction's first and last id, scoring only
            # its own: bm25 counts a word's works once a statement, and `rowid IN (...)` would make
            # FTS5 open a cursor (and count them again) for each id: 3.6 s for 677 works at a million
            # against 0.09 s this way (bench/reading_bench.py, 'state:toread model').
            scores = {i: s for i, s in self._read(
                f"SELECT rowid, CASE WHEN rowid IN (SELECT value FROM json_each(?1)) "
                f"THEN bm25(works_fts, {_BM25_WEIGHTS}) END FROM works_fts WHERE works_fts MATCH ?2 "
                "AND rowid BETWEEN ?3 AND ?4", (json.dumps(ids), " ".join(rare), min(ids), max(ids))) if s is not None}
        noted = set(self._note_matches(q)) & set(ids)
        return sorted(ids, key=lambda i: (i not in noted, scores.get(i, 0.0), -i))

    def _without_states(self, q: Query, sort: str, limit: int) -> list[int]:
        """`state:none` with words: the plain search, less the works that have a state."""
        stated = self._read("SELECT count(*) FROM reading")[0][0]
        ids = self.search_ids(replace(q, state=None), sort, limit + stated)
        having = set(self.reading_states(ids))
        return [i for i in ids if i not in having][:limit]

    def _restricted_count(self, q: Query) -> int:
        if q.state == "none" and q.note is None:
            rest = replace(q, state=None)
            total = self.search_count(rest) if not rest.empty else self.count()
            where, params = self._restricted_where(rest)
            where.append("w.id IN (SELECT work_id FROM reading)")
            return total - self._read(f"SELECT count(*) FROM works w WHERE {' AND '.join(where)}", params)[0][0]
        where, params = self._restricted_where(q)
        return self._read(f"SELECT count(*) FROM works w WHERE {' AND '.join(where)}", params)[0][0]
