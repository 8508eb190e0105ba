"""What the work list shows: the whole catalogue in an order, or a search's hits.

A source hands out pages of rows; it calls the store (from a worker thread, never from
the UI thread) and keeps no rows itself, so a million works cost no memory here.

The search policy lives here too, not in a screen: which store calls a list of hits takes,
in what order, and with what caps (`catalogue`, `search_hits`, `count_hits`, `pick_hits`).
The browser and the pickers call them from their workers. No Textual.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from .models import ListRow
from .query import Query, fold, words
from .store import RANK_CANDIDATES, Store, StoreError

PAGE = 100
SEARCH_CAP = 10_000  # hits kept for the browser's list; the count says how many there are in all
PICK_CAP = 2_000  # ... for a picker's
KNOWN_FIRST_OF = 200  # a picker's ranked hits whose titles are read to put those beginning with the text first
BROWSE_SORTS = ("added", "title", "year", "cited")
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
    newest: list[int] | None = None  # the newest matches read first (they tell the store how broad the search is)

    def __len__(self) -> int:
        return len(self.ids)

    def fetch(self, page: int, previous: ListRow | None) -> list[ListRow]:
        """Rows of one page, in the hits' order."""
        return self.store.rows(self.ids[page * PAGE:(page + 1) * PAGE])


def catalogue(store: Store, sort: str) -> BrowseSource:
    """The whole catalogue in a sort order, its first page read."""
    sort = sort if sort in BROWSE_SORTS else "added"
    source = BrowseSource(store, store.count(), sort, dense=store.ids_dense())
    source.first = source.fetch(0, None)
    return source


def search_hits(store: Store, q: Query, sort: str, cap: int = SEARCH_CAP,
                cancel: Callable[[], bool] | None = None,
                quick: Callable[[IdsSource], None] | None = None) -> IdsSource:
    """A search's hits in a sort order, at most `cap`, the first page read. With `quick`, the
    newest matches (cheap to read) are handed to it first, to show while the order is worked
    out (ranking a broad word costs far more); they then tell the store how broad the search
    is. May raise Cancelled once `cancel()` is true."""
    newest = None
    if quick is not None and sort != "added":
        newest = store.search_newest(q, PAGE, cancel=cancel)
        if not newest:
            return IdsSource(store, [], 0, first=[])
        quick(IdsSource(store, newest, len(newest), exact=len(newest) < PAGE, first=store.rows(newest), ranked=False))
    ids = store.search_ids(q, sort, cap, cancel=cancel, newest=newest)
    ranked_cap = min(cap, RANK_CANDIDATES) if sort == "relevance" else cap
    return IdsSource(store, ids, len(ids), exact=len(ids) < ranked_cap, first=store.rows(ids[:PAGE]), newest=newest)


def count_hits(store: Store, q: Query, source: IdsSource, cancel: Callable[[], bool] | None = None) -> int:
    """How many works match, for a list whose hits were capped (not cheap for a broad word)."""
    return store.search_count(q, cancel=cancel, newest=source.newest)


def pick_hits(store: Store, text: str, q: Query) -> IdsSource:
    """A picker's hits, in the order a picker wants: one looks for a work one knows, by its key
    or the start of its title (`enter` links the first). So the work whose key is the text
    comes first, then, of the best KNOWN_FIRST_OF hits, those whose title begins with the
    words typed (the last one as far as it is typed), then the rest as ranked (a short title
    beginning with a rare word could come 19th of 232, behind titles holding it)."""
    ids = store.search_ids(q, "relevance", PICK_CAP)
    typed = [fold(w) for w in words(text)]
    first = []
    try:
        first.append(store.work(text.strip()).id)
    except StoreError:
        pass
    for row in store.rows(ids[:KNOWN_FIRST_OF]) if typed else []:
        title = [fold(w) for w in words(row.title)]
        if title[:len(typed) - 1] == typed[:-1] and len(title) >= len(typed) \
                and title[len(typed) - 1].startswith(typed[-1]):
            first.append(row.id)
    first = list(dict.fromkeys(first))
    chosen = set(first)
    ids = first + [i for i in ids if i not in chosen]
    return IdsSource(store, ids, len(ids))
