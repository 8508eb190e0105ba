"""Searching: the matches of a query, ranked, counted, or newest first."""

from __future__ import annotations

from collections.abc import Callable

from ..models import ListRow
from ..query import Query, parse
from .orders import _SORT_INDEXES
from .schema import _BM25_WEIGHTS, _COLUMN_WEIGHTS

RANK_CANDIDATES = 5_000  # searches ranked by relevance rank at most this many (the newest) matches
EXACT_RANK_UP_TO = 100_000  # works: above, common words are left out of the ranking (see Store._ranked)
DENSITY_PROBE = 200  # matches read to judge whether a word is in most works
COUNT_WALK_FROM = 20_000  # matches expected: a search's count in a year range walks the year index (_count_in_years)
# the orders of a search's sorts, over `works w` (joined to `citation_counts c` for `cited`)
_ORDERS = {"year": "w.year DESC, w.id", "title": "w.title COLLATE NOCASE, w.id", "cited": "c.cited_by DESC, w.id"}


class Search:
    """Searching: the matches of a query, ranked, counted, or newest first (a part of Store)."""

    @staticmethod
    def _years_where(q: Query, column: str = "w.year") -> tuple[list[str], list[int]]:
        """A search's year range as SQL conditions on `column`, and their parameters."""
        where, params = [], []
        if q.year_from is not None:
            where.append(f"{column} >= ?")
            params.append(q.year_from)
        if q.year_to is not None:
            where.append(f"{column} <= ?")
            params.append(q.year_to)
        return where, params

    def _search_sql(self, q: Query, select: str, sort: str) -> tuple[str, list]:
        where, params = self._years_where(q)
        if q.match is None:
            # (no bound on the ids, as below: SQLite then read a year range in catalogue order,
            # whole rows, where the index on year counts it or orders it by citations)
            counts = " JOIN citation_counts c ON c.work_id = w.id" if sort == "cited" else ""
            sql = f"SELECT {select} FROM works w{counts}" + (" WHERE " + " AND ".join(where) if where else "")
            order = {"year": "w.year DESC, w.id", "title": "w.title COLLATE NOCASE, w.id",
                     "cited": "c.cited_by DESC, c.work_id", "newest": "w.id DESC"}.get(sort, "w.id")
            return sql + f" ORDER BY {order}", params
        if where:
            # The works of those years lie between two ids: FTS reads only that stretch of each
            # word's works (a year range over a broad word read most of the index at a million).
            lo, hi = self._year_ids(q.year_from, q.year_to)
            where.append("f.rowid BETWEEN ? AND ?")
            params += [lo, hi]
        filters = "".join(f" AND {c}" for c in where)
        if sort in ("newest", "relevance"):
            join = " JOIN works w ON w.id = f.rowid" if where else ""
            newest = (f"SELECT f.rowid FROM works_fts f{join} WHERE works_fts MATCH ?{filters} "
                      "ORDER BY f.rowid DESC")
            if sort == "newest":
                return newest, [q.match, *params]
            # bm25 over the newest RANK_CANDIDATES matches (see _ranked)
            return (f"SELECT id FROM (SELECT f.rowid AS id, bm25(works_fts, {_BM25_WEIGHTS}) AS score "
                    f"FROM works_fts f{join} WHERE works_fts MATCH ?{filters} ORDER BY f.rowid DESC "
                    f"LIMIT {RANK_CANDIDATES}) ORDER BY score, id"), [q.match, *params]
        counts = " JOIN citation_counts c ON c.work_id = w.id" if sort == "cited" else ""
        sql = f"SELECT {select} FROM works_fts f JOIN works w ON w.id = f.rowid{counts} WHERE works_fts MATCH ?{filters}"
        return sql + f" ORDER BY {_ORDERS.get(sort, 'w.id')}", [q.match, *params]

    def search_ids(self, text: str | Query, sort: str = "relevance", limit: int = 10000,
                   cancel: Callable[[], bool] | None = None, newest: list[int] | None = None) -> list[int]:
        """Ids of the works matching a user's search, at most `limit`, in a sort order: `relevance`
        (the best first; only the newest RANK_CANDIDATES matches are ranked), `year`, `title`,
        `cited`, or `added` (catalogue order, uncapped). With `cancel`, raises Cancelled as soon
        as it can once `cancel()` is true. `newest`: what search_newest gave for this query just
        before, if it was asked (it tells how broad the search is without reading again)."""
        self._catch_up()
        q = parse(text) if isinstance(text, str) else text
        if q.empty:
            return []
        if sort == "relevance" and q.match is not None:
            with self._cancellable(cancel):
                return self._ranked(q, newest)[:limit]
        if q.match is None or sort in _SORT_INDEXES:
            with self._cancellable(cancel):
                ids = self._by_years(q, sort, limit) if q.match is None else self._by_index(q, sort, limit, newest)
            if ids is not None:
                return ids
        sql, params = self._search_sql(q, "w.id", sort)
        with self._cancellable(cancel):
            return [r[0] for r in self._read(sql + " LIMIT ?", (*params, limit))]

    def _ranked(self, q: Query, newest: list[int] | None = None) -> list[int]:
        """The newest RANK_CANDIDATES matches, best first (bm25, as FTS5 ranks).

        Above EXACT_RANK_UP_TO works, two shortcuts. bm25 reads, for each phrase, every work
        holding it (its idf), however few the candidates: most of the index for a broad word.
        And bm25 gives a word held by more than half the works no weight (its idf is clamped
        to 1e-6). So such words are left out of the ranking (they still select): a query with
        rarer words is ranked by bm25 over its rarer words alone (the same order, less
        reading). When every word is in more than half the works around the
        candidates (`the`, `of th`), the candidates are ordered by where the words are
        (title 10, authors 5, keywords 3, venue 2, abstract 1, as bm25 weighs the columns),
        the newest first among equals (reads bounded by the candidates' ids). Whether a word is
        that common is judged on the newest DENSITY_PROBE works holding it (one short read)."""
        sql, params = self._search_sql(q, "f.rowid", "newest")
        rare = q.parts
        if self.count() > EXACT_RANK_UP_TO:
            probe = self._newest_matches(q, newest)
            if len(probe) < 2:
                return probe
            if probe[0] - probe[-1] < 2 * len(probe):  # the whole query holds in most works: so does each word
                candidates = [r[0] for r in self._read(sql + " LIMIT ?", (*params, RANK_CANDIDATES))]
                return self._by_columns(q, candidates)
            if len(q.parts) > 1:
                rare = [part for part in q.parts if not self._dense(part, probe[0])] or q.parts
        if len(rare) == len(q.parts):
            sql, params = self._search_sql(q, "w.id", "relevance")  # in one statement
            return [r[0] for r in self._read(sql, params)]
        candidates = [r[0] for r in self._read(sql + " LIMIT ?", (*params, RANK_CANDIDATES))]
        chosen = set(candidates)
        scores = {i: score for i, score in self._read(
            f"SELECT f.rowid, bm25(works_fts, {_BM25_WEIGHTS}) FROM works_fts f "
            "WHERE works_fts MATCH ? AND f.rowid BETWEEN ? AND ?", (" ".join(rare), candidates[-1], candidates[0]))
            if i in chosen}
        return sorted(candidates, key=lambda i: (scores.get(i, 0.0), i))

    def _newest_matches(self, q: Query, newest: list[int] | None = None) -> list[int]:
        """The newest DENSITY_PROBE matches of a search with words (one short read), or
        `newest`, the first page the browser just showed for it (search_newest), which serves
        as well."""
        if newest is not None and len(newest) >= min(DENSITY_PROBE, 100):
            return newest
        sql, params = self._search_sql(q, "f.rowid", "newest")
        return [r[0] for r in self._read(sql + " LIMIT ?", (*params, DENSITY_PROBE))]

    def _expected_matches(self, q: Query, newest: list[int] | None = None) -> float | None:
        """How many works a search with words matches, judged on how close together its newest
        matches are (_newest_matches); None when fewer than 100 were found (few: those, or
        about)."""
        newest = self._newest_matches(q, newest)
        if len(newest) < 100:
            return None
        return len(newest) * self.count() / (newest[0] - newest[-1] + 1)

    def _match_ids(self, q: Query) -> tuple[str, list]:
        """A statement for the ids of a search's matches, from FTS5 alone (its years are not
        checked: the ids are bounded by theirs, as in _search_sql), and its parameters."""
        sql, params = "SELECT rowid FROM works_fts WHERE works_fts MATCH ?", [q.match]
        if q.year_from is not None or q.year_to is not None:
            sql += " AND rowid BETWEEN ? AND ?"
            params += self._year_ids(q.year_from, q.year_to)
        return sql, params

    def _dense(self, part: str, below: int) -> bool:
        """Whether a phrase is in more than half the works, judged on the newest DENSITY_PROBE
        works holding it up to id `below`. A prefix of four letters or more is taken as not:
        the index has no list of its own for it (each read merges the lists of every word it
        begins), and so long a prefix is rarely in most works."""
        if part.endswith("*") and len(part.rsplit('"', 2)[-2]) >= 4:
            return False
        ids = [r[0] for r in self._read("SELECT rowid FROM works_fts WHERE works_fts MATCH ? AND rowid <= ? "
                                        "ORDER BY rowid DESC LIMIT ?", (part, below, DENSITY_PROBE))]
        return len(ids) > 1 and ids[0] - ids[-1] < 2 * len(ids)

    def _by_columns(self, q: Query, candidates: list[int]) -> list[int]:
        """Candidates ordered by the weights of the columns holding each phrase, newest first among equals."""
        lo, hi = candidates[-1], candidates[0]
        score = dict.fromkeys(candidates, 0.0)
        for part in q.parts:
            for column, weight in _COLUMN_WEIGHTS.items():
                for (i,) in self._read("SELECT rowid FROM works_fts WHERE works_fts MATCH ? AND rowid BETWEEN ? AND ?",
                                       (f"{{{column}}} : ({part})", lo, hi)):
                    if i in score:
                        score[i] += weight
        return sorted(candidates, key=lambda i: (-score[i], -i))

    def search_newest(self, text: str | Query, limit: int = 100,
                      cancel: Callable[[], bool] | None = None) -> list[int]:
        """Ids of the newest `limit` matches, unranked: a first page to show at once (far
        cheaper than ranking a broad word)."""
        self._catch_up()
        q = parse(text) if isinstance(text, str) else text
        if q.empty:
            return []
        with self._cancellable(cancel):
            ids = self._by_years(q, "newest", limit) if q.match is None else None
            if ids is None:
                sql, params = self._search_sql(self._spelled_out(q), "w.id", "newest")
                ids = [r[0] for r in self._read(sql + " LIMIT ?", (*params, limit))]
        return ids

    def search_count(self, text: str | Query, cancel: Callable[[], bool] | None = None,
                     newest: list[int] | None = None) -> int:
        """How many works match a search (`newest`: as for search_ids)."""
        self._catch_up()
        q = parse(text) if isinstance(text, str) else text
        if q.empty:
            return self.count()
        with self._cancellable(cancel):
            if q.match is not None and q.year_from is None and q.year_to is None:
                # The index holds every work and no other (the invariant of m004): no need to
                # read each match's row (for a broad word, many times the cost of FTS5's own count)
                return self._read("SELECT count(*) FROM works_fts WHERE works_fts MATCH ?", (q.match,))[0][0]
            if q.match is not None:
                n = self._count_in_years(q, newest)
                if n is not None:
                    return n
            sql, params = self._search_sql(q, "count(*)", "none")
            return self._read(sql.rsplit(" ORDER BY", 1)[0], params)[0][0]

    def _count_in_years(self, q: Query, newest: list[int] | None = None) -> int | None:
        """The matches of words in a year range, counted on the index on (year, id), the
        matches' ids a list SQLite looks each up in: reading each match's row for its year
        costs more, for many matches. None (each match's row read) unless COUNT_WALK_FROM
        matches or more are expected, judged on how close together the newest of them are
        (_newest_matches): for a rarer word the walk of the range's index would cost more than
        the rows."""
        expected = self._expected_matches(q, newest) if self._indexes_present("works_year") else None
        if expected is None or expected < COUNT_WALK_FROM:
            return None
        years, year_params = self._years_where(q, "year")
        fts, params = self._match_ids(q)
        return self._read(f"SELECT count(*) FROM works INDEXED BY works_year WHERE {' AND '.join(years)} "
                          f"AND id IN ({fts})", (*year_params, *params))[0][0]

    def search(self, text: str, sort: str = "relevance", limit: int = 50) -> list[ListRow]:
        """The best `limit` matches as list rows."""
        return self.rows(self.search_ids(text, sort, limit))
