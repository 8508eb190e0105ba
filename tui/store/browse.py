"""Browsing the whole catalogue in a sort order: pages by offset or keyset."""

from __future__ import annotations

from ..models import ListRow

_ROW_COLUMNS = "w.id, w.key, w.title, w.authors, w.year, c.cited_by, r.state"
# the FROM of list rows (the reading state: a seek in a small table a row)
_ROWS = "works w JOIN citation_counts c ON c.work_id = w.id LEFT JOIN reading r ON r.work_id = w.id"
# sort -> (a table, its work id, the sort's column, or None for the id alone; the ListRow attribute
# holding that column). Each column and id pair is an index (works_title, works_year,
# citation_counts_cited_by), and `citation_counts`, a row of two numbers a work, is the
# smallest table keyed by the id: a page is found in an index alone, then its rows read.
_SORT_ORDER = {
    "added": ("citation_counts", "work_id", None, None),
    "title": ("works", "id", "title COLLATE NOCASE", "title"),
    "year": ("works", "id", "year", "year"),
    "cited": ("citation_counts", "work_id", "cited_by", "cited_by"),
}


def _row(r: tuple) -> ListRow:
    return ListRow(id=r[0], key=r[1], title=r[2], authors=r[3], year=r[4], cited_by=r[5], state=r[6])


class Browse:
    """Browsing the whole catalogue in a sort order: pages by offset or keyset (a part of Store)."""

    def browse(self, sort: str = "added", offset: int = 0, limit: int = 100, descending: bool = False) -> list[ListRow]:
        """A page of the whole catalogue in a sort order (OFFSET: for jumps; see browse_after).
        The offset is walked in the sort's index alone and only the page's rows are read (an
        OFFSET over the rows made a jump to the middle read every row it skipped: slowest by
        citations, most cited first, whose ids are scattered over the file)."""
        table, key, column, _ = _SORT_ORDER.get(sort, _SORT_ORDER["added"])
        d = " DESC" if descending else ""
        order = f"{column}{d}, {key}{d}" if column else f"{key}{d}"
        return self.rows([r[0] for r in self._read(
            f"SELECT {key} FROM {table} ORDER BY {order} LIMIT ? OFFSET ?", (limit, offset))])

    def browse_from_id(self, after_id: int, limit: int = 100) -> list[ListRow]:
        """A page in catalogue order from the first id above `after_id`: where ids run 1..N
        with no gap (see `ids_dense`), the page at any position is one index seek."""
        return [_row(r) for r in self._read(
            f"SELECT {_ROW_COLUMNS} FROM {_ROWS} WHERE w.id > ? ORDER BY w.id LIMIT ?", (after_id, limit))]

    def ids_dense(self) -> bool:
        """Whether the works' ids are exactly 1..count (nothing deleted): position = id - 1."""
        top = self._read("SELECT max(id) FROM works")[0][0]
        return (top or 0) == self.count()

    def browse_after(self, row: ListRow, sort: str = "added", limit: int = 100,
                     descending: bool = False) -> list[ListRow] | None:
        """The page after `row` in a sort order, by keyset: as fast at the millionth row as at
        the first. None when `row` cannot anchor a keyset (a NULL year): use `browse`.

        Read as the works tied with `row` after it, then those past its value (then, going
        down, those with none): each a range of the index. One statement with an OR of the two
        read whole runs of the index when the tie was long."""
        table, key, column, attribute = _SORT_ORDER.get(sort, _SORT_ORDER["added"])
        cmp = "<" if descending else ">"
        d = " DESC" if descending else ""
        if column is None:
            return self.rows([r[0] for r in self._read(
                f"SELECT {key} FROM {table} WHERE {key} {cmp} ? ORDER BY {key}{d} LIMIT ?", (row.id, limit))])
        value = getattr(row, attribute)
        if value is None:
            return None
        ids = [r[0] for r in self._read(f"SELECT {key} FROM {table} WHERE {column} = ? AND {key} {cmp} ? "
                                        f"ORDER BY {key}{d} LIMIT ?", (value, row.id, limit))]
        if len(ids) < limit:
            ids += [r[0] for r in self._read(f"SELECT {key} FROM {table} WHERE {column} {cmp} ? "
                                             f"ORDER BY {column}{d}, {key}{d} LIMIT ?", (value, limit - len(ids)))]
        if len(ids) < limit and descending and attribute == "year":  # (no year sorts last going down;
            # the other columns are NOT NULL, and their IS NULL would be a scan of the table)
            ids += [r[0] for r in self._read(f"SELECT {key} FROM {table} WHERE year IS NULL "
                                             f"ORDER BY {key} DESC LIMIT ?", (limit - len(ids),))]
        return self.rows(ids)

    def rows(self, ids: list[int]) -> list[ListRow]:
        """List rows for the given ids, in that order (gone ones are left out)."""
        found = {r[0]: _row(r) for r in self._select_in(
            f"SELECT {_ROW_COLUMNS} FROM {_ROWS} WHERE w.id IN ({{marks}})", ids)}
        return [found[i] for i in ids if i in found]
