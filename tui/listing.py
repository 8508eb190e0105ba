"""What the work list shows: the whole catalogue in an order, or a search's hits.

A source hands out pages of rows; it calls the store (from a worker thread, never from
the UI thread) and keeps no rows itself, so a million works cost no memory here.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .models import ListRow
from .store import Store

PAGE = 100
# sorts that browse from the top down: the newest year first, the most cited first (as a search
# sorts by them); the others from A, from the first added
DESCENDING_SORTS = ("year", "cited")


@dataclass
class BrowseSource:
    """Every work, in a sort order."""

    store: Store
    total: int
    sort: str = "added"
    label: str = ""
    first: list[ListRow] | None = None  # page 0, when read with the source (no second trip)
    dense: bool = False  # ids are 1..total: in catalogue order, position p is id p + 1

    def __len__(self) -> int:
        return self.total

    def fetch(self, page: int, previous: ListRow | None) -> list[ListRow]:
        """Rows of one page; `previous` (the last row of the page before) allows a keyset seek."""
        if self.sort == "added" and self.dense:
            # any page, even a jump to the middle of a million, is one seek (OFFSET walks there)
            return self.store.browse_from_id(page * PAGE, max(0, min(PAGE, self.total - page * PAGE)))
        down = self.sort in DESCENDING_SORTS
        if previous is not None:
            rows = self.store.browse_after(previous, self.sort, PAGE, descending=down)
            if rows is not None:
                return rows
        offset = page * PAGE
        if offset > self.total // 2:
            # Near the end: read backwards from the last row, so End costs what Home does.
            from_end = max(self.total - offset - PAGE, 0)
            count = min(PAGE, self.total - offset)
            rows = self.store.browse(self.sort, from_end, count, descending=not down)
            return rows[::-1]
        return self.store.browse(self.sort, offset, PAGE, descending=down)


@dataclass
class IdsSource:
    """A fixed list of work ids: a search's hits, best first."""

    store: Store
    ids: list[int] = field(default_factory=list)
    total: int = 0  # all matches; may exceed len(ids) when the hits were capped
    exact: bool = True  # False while `total` is only a lower bound (the count comes later)
    label: str = ""
    first: list[ListRow] | None = None  # page 0, when read with the source (no second trip)
    ranked: bool = True  # False for the quick first page shown while the search is ordered

    def __len__(self) -> int:
        return len(self.ids)

    def fetch(self, page: int, previous: ListRow | None) -> list[ListRow]:
        """Rows of one page, in the hits' order."""
        return self.store.rows(self.ids[page * PAGE:(page + 1) * PAGE])
