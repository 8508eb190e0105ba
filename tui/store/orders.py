"""A search sorted by year, title or citations: walked on the sort's index."""

from __future__ import annotations

import heapq
import sqlite3
from itertools import islice

from ..query import Query

# a sort of a search with words -> what Store._by_index walks: the table, its work id, the index,
# and the order (the same as _search_sql's: the index's, or SQLite sorts the works of one
# year, or of one count of citations, by id as it goes)
_SORT_INDEXES = {"year": ("works", "id", "works_year", "year DESC, id"),
                 "title": ("works", "id", "works_title", "title COLLATE NOCASE, id"),
                 "cited": ("citation_counts", "work_id", "citation_counts_cited_by", "cited_by DESC, work_id")}


class Orders:
    """A search sorted by year, title or citations: walked on the sort's index (a part of Store)."""

    def _by_years(self, q: Query, sort: str, limit: int) -> list[int] | None:
        """The works of a year range alone (no words), in catalogue order (`relevance`, `added`),
        newest first (`newest`) or by `year`, read a year at a time from the index on (year, id),
        which holds each year's works in catalogue order: each year's list is read lazily and
        the lists merged, stopping at `limit` (where SQLite, left to itself, read whole rows in
        catalogue order, or sorted every work of the range); by `title` as below. None where
        that does not serve: another order, over 400 years, or an index missing (a bulk import
        making it)."""
        if sort not in ("relevance", "added", "newest", "year", "title"):
            return None
        if not self._indexes_present("works_year", *(["works_title"] if sort == "title" else [])):
            return None
        span = self._year_span(q.year_from, q.year_to)
        if span is None:
            return None
        lo, hi = span
        if hi < lo:
            return []
        if sort == "title":
            # Each work's title is in its row: either every work of the range is read and sorted,
            # or works in title order read until `limit` are in the range (limit / share of them,
            # each about three times the cost of a work read for the sort: hence the 3 below).
            # SQLite, without statistics, guessed, and walked the title order for a narrow range.
            n = self._read("SELECT count(*) FROM works INDEXED BY works_year WHERE year BETWEEN ? AND ?", (lo, hi))[0][0]
            index = "works_year" if n * n < 3 * limit * self.count() else "works_title"
            return [r[0] for r in self._read(f"SELECT id FROM works INDEXED BY {index} WHERE year BETWEEN ? AND ? "
                                             "ORDER BY title COLLATE NOCASE, id LIMIT ?", (lo, hi, limit))]
        if hi - lo > 400:
            return None
        descending = sort == "newest"
        sql = f"SELECT id FROM works INDEXED BY works_year WHERE year = ? ORDER BY id{' DESC' if descending else ''}"
        conn = self.conn
        cursors: list[sqlite3.Cursor] = []
        try:
            if sort == "year":  # the newest year first, each year in catalogue order
                ids: list[int] = []
                for year in range(hi, lo - 1, -1):
                    ids += [r[0] for r in conn.execute(sql + " LIMIT ?", (year, limit - len(ids)))]
                    if len(ids) >= limit:
                        break
                return ids
            cursors = [conn.execute(sql, (year,)) for year in range(lo, hi + 1)]
            return [r[0] for r in islice(heapq.merge(*cursors, reverse=descending), limit)]
        except sqlite3.Error as exc:
            raise self._error(exc) from None
        finally:
            for cursor in cursors:
                cursor.close()

    def _by_index(self, q: Query, sort: str, limit: int, newest: list[int] | None = None) -> list[int] | None:
        """The matches of a search with words by `year`, `title` or `cited`. The plain way
        (_search_sql) reads every match's row and sorts them all, which for a broad word costs
        far more than walking the sort's index. So when there are many, they are read in that
        order from its index (_SORT_INDEXES) until `limit` are in, SQLite making the ids FTS5
        finds a list to look each work up in as it goes. When there are few the walk could read
        most of the index to find them (the year index only the range's) where their rows are
        cheap: so the plain way (None) when fewer than sqrt(limit * works / 10) are expected
        (31,623 of a million, for 10,000), judged on how close together the newest of them are
        (_newest_matches: counting them cost as much as the plain way for a search of a few
        thousand matches); and by title or citations in a year range holding half the works or
        fewer (a catalogue's years can be bunched in its ids, misleading the judgement; such a
        walk is of every work, slower than the plain way). None too when an index is missing (a
        bulk import is making it)."""
        table, column, index, order = _SORT_INDEXES[sort]
        years, year_params = self._years_where(q, "year")
        if not self._indexes_present(index, *(["works_year"] if years else [])):
            return None
        total = self.count()
        if years and sort != "year" and 2 * self._read(
                f"SELECT count(*) FROM works INDEXED BY works_year WHERE {' AND '.join(years)}", year_params)[0][0] <= total:
            return None  # a narrow range, by title or citations: the walk would be of every work to find it
        expected = self._expected_matches(q, newest)
        if expected is None or 10 * expected * expected <= limit * total:
            return None  # few
        fts, params = self._match_ids(q)
        if sort == "year":  # the walk is of the years asked for only
            where, params = [*years, f"id IN ({fts})"], [*year_params, *params]
        else:
            where = [f"{column} IN ({fts})"]
            if years:
                where.append(f"{column} IN (SELECT id FROM works INDEXED BY works_year WHERE {' AND '.join(years)})")
                params += year_params
        return [r[0] for r in self._read(f"SELECT {column} FROM {table} INDEXED BY {index} "
                                         f"WHERE {' AND '.join(where)} ORDER BY {order} LIMIT ?", (*params, limit))]

    def _year_span(self, year_from: int | None, year_to: int | None) -> tuple[int, int] | None:
        """A year range cut to the catalogue's oldest and newest years (empty when the first
        exceeds the last); None when no work has a year, or one is not a number (written by some
        other program). Two index seeks (min and max, each alone: together they scan)."""
        first = self._read("SELECT min(year) FROM works")[0][0]
        last = self._read("SELECT max(year) FROM works")[0][0]
        if not isinstance(first, int) or not isinstance(last, int):
            return None
        return (first if year_from is None else max(first, year_from),
                last if year_to is None else min(last, year_to))

    def _year_ids(self, year_from: int | None, year_to: int | None) -> tuple[int, int]:
        """The smallest and largest id of the works in these years (index seeks, two a year),
        remembered until the catalogue changes; (1, 0) when there are none."""
        version = (self._writes, self._read("PRAGMA data_version")[0][0])
        cache = getattr(self._local, "year_ids", None)
        if cache is None or cache[0] != version:
            cache = self._local.year_ids = (version, {})
        key = (year_from, year_to)
        if key not in cache[1]:
            span = self._year_span(year_from, year_to)
            bounds = (1, 0)
            if span is None or span[1] - span[0] > 400:
                bounds = (0, 2**63 - 1)  # no years to seek, or too many: no bound
            else:
                ids = [self._read(f"SELECT id FROM works WHERE year = ? ORDER BY id {d} LIMIT 1", (y,))
                       for y in range(span[0], span[1] + 1) for d in ("", "DESC")]
                found = [r[0][0] for r in ids if r]
                if found:
                    bounds = (min(found), max(found))
            if len(cache[1]) > 100:
                cache[1].clear()
            cache[1][key] = bounds
        return cache[1][key]

    def _indexes_present(self, *names: str) -> bool:
        """Whether these indexes are in the catalogue (a bulk import drops some while it runs)."""
        found = self._read(f"SELECT count(*) FROM sqlite_master WHERE type = 'index' "
                           f"AND name IN ({', '.join('?' * len(names))})", names)[0][0]
        return found == len(set(names))
