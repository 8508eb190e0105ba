"""The work list: a virtual list over any number of works (Textual's Line API).

Only the rows on screen are rendered; rows come from the list's source a page at a time,
in a thread worker, through a small LRU cache, so scrolling a million works holds a few
thousand rows at most.
"""

from __future__ import annotations

from collections import OrderedDict

from rich.cells import cell_len, set_cell_size
from rich.segment import Segment
from rich.style import Style
from textual import events, work
from textual.binding import Binding
from textual.geometry import Region, Size
from textual.message import Message
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip

from ..listing import PAGE, BrowseSource, IdsSource
from ..models import ListRow
from ..safe import printable
from .errors import ReportsWorkerErrors
from .lines import QuickScrollbars, set_virtual_size

MAX_PAGES = 40
# a work's reading state, as its one-character column in the list
STATE_MARKS = {"toread": "○", "reading": "◐", "read": "✓"}


class WorkList(ReportsWorkerErrors, QuickScrollbars, ScrollView, can_focus=True):
    """Title, first authors and year of each work; the cursor row is what the detail shows."""

    BINDINGS = [
        Binding("up,k", "cursor_up", "Up", show=False),
        Binding("down,j", "cursor_down", "Down", show=False),
        Binding("pageup", "page_up", "Page up", show=False),
        Binding("pagedown", "page_down", "Page down", show=False),
        Binding("home", "first", "First", show=False),
        Binding("end", "last", "Last", show=False),
        Binding("enter", "select", "Open", show=False),
        Binding("space", "toggle_mark", "Mark", id="mark"),
    ]

    COMPONENT_CLASSES = {"work-list--cursor", "work-list--authors", "work-list--year", "work-list--pending",
                         "work-list--mark", "work-list--state"}

    DEFAULT_CSS = """
    WorkList { background: $surface; }
    WorkList > .work-list--cursor { background: $accent 40%; text-style: bold; }
    WorkList:focus > .work-list--cursor { background: $accent; color: $text; }
    WorkList > .work-list--authors { color: $text-muted; }
    WorkList > .work-list--year { color: $text-muted; }
    WorkList > .work-list--pending { color: $text-disabled; }
    WorkList > .work-list--mark { color: $warning; text-style: bold; }
    WorkList > .work-list--state { color: $success; }
    """

    cursor: reactive[int] = reactive(0, always_update=True, init=False)

    class Highlighted(Message):
        """The cursor is on a work (its row is loaded)."""

        def __init__(self, row: ListRow, index: int) -> None:
            super().__init__()
            self.row = row
            self.index = index

    class MarksChanged(Message):
        """A work was marked or unmarked (`space`)."""

        def __init__(self, count: int) -> None:
            super().__init__()
            self.count = count

    class Selected(Message):
        """`enter` on a work."""

        def __init__(self, row: ListRow) -> None:
            super().__init__()
            self.row = row

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.source: BrowseSource | IdsSource | None = None
        self.generation = 0
        self._pages: OrderedDict[int, list[ListRow]] = OrderedDict()
        self._pending: set[int] = set()
        self._failed: set[int] = set()
        self._quiet = False
        self.marked: dict[int, None] = {}  # work ids, in the order they were marked; kept across searches
        self._styles: tuple[Style, Style, Style, Style] | None = None
        self._strips: dict[tuple, Strip] = {}  # drawn rows, for scrolling

    # -- data

    @property
    def total(self) -> int:
        """Rows in the list."""
        return 0 if self.source is None else len(self.source)

    def set_source(self, source: BrowseSource | IdsSource, cursor: int = 0, announce: bool = True) -> None:
        """Show another set of works; drops every cached row and pending page.

        With `announce=False` (a refresh) the cursor row is not announced until the user moves.
        """
        self._quiet = not announce
        self.source = source
        self.generation += 1
        self._pages.clear()
        self._pending.clear()
        self._failed.clear()
        self._strips.clear()
        if source.first is not None:
            self._pages[0] = source.first
        set_virtual_size(self, Size(self.size.width, self.total))
        self.cursor = min(cursor, max(self.total - 1, 0))
        self.scroll_to(y=max(self.cursor - self.size.height // 2, 0), animate=False)
        self.refresh()

    def row(self, index: int) -> ListRow | None:
        """The row at `index` if loaded; asks for its page otherwise."""
        page, slot = divmod(index, PAGE)
        rows = self._pages.get(page)
        if rows is None:
            self._request(page)
            return None
        self._pages.move_to_end(page)
        return rows[slot] if slot < len(rows) else None

    def _request(self, page: int) -> None:
        if page in self._pending or page in self._failed or self.source is None or page * PAGE >= self.total:
            return
        self._pending.add(page)
        before = self._pages.get(page - 1)
        self._fetch(self.source, self.generation, page, before[-1] if before and len(before) == PAGE else None)

    @work(thread=True, exit_on_error=False, group="work-list-pages")
    def _fetch(self, source, generation: int, page: int, previous: ListRow | None) -> None:
        rows = None
        try:
            rows = source.fetch(page, previous)
        finally:
            self.app.call_from_thread(self._loaded, generation, page, rows)

    def _loaded(self, generation: int, page: int, rows: list[ListRow] | None) -> None:
        if generation != self.generation:
            return  # a page of a list no longer shown
        self._pending.discard(page)
        if rows is None:
            self._failed.add(page)  # the fetch failed and said so; ctrl+r (a new source) retries
            return
        self._pages[page] = rows
        while len(self._pages) > MAX_PAGES:
            self._pages.popitem(last=False)
        self.refresh()
        if page == self.cursor // PAGE:
            self._announce()

    # -- cursor

    def watch_cursor(self, old: int, new: int) -> None:
        self._scroll_to_cursor()
        self.refresh()
        self._announce()

    def _announce(self) -> None:
        if self._quiet:
            return
        row = self.row(self.cursor)
        if row is not None:
            self.post_message(self.Highlighted(row, self.cursor))

    def _scroll_to_cursor(self) -> None:
        self.scroll_to_region(Region(0, self.cursor, 1, 1), animate=False, immediate=True)

    def _move(self, to: int) -> None:
        self._quiet = False
        if self.total:
            self.cursor = max(0, min(to, self.total - 1))

    def action_cursor_up(self) -> None:
        self._move(self.cursor - 1)

    def action_cursor_down(self) -> None:
        self._move(self.cursor + 1)

    def action_page_up(self) -> None:
        self._move(self.cursor - max(self.size.height - 1, 1))

    def action_page_down(self) -> None:
        self._move(self.cursor + max(self.size.height - 1, 1))

    def action_first(self) -> None:
        self._move(0)

    def action_last(self) -> None:
        self._move(self.total - 1)

    def action_select(self) -> None:
        row = self.row(self.cursor)
        if row is not None:
            self.post_message(self.Selected(row))

    def action_toggle_mark(self) -> None:
        """Mark or unmark the work under the cursor, then step down (so `space space space` marks a run)."""
        row = self.row(self.cursor)
        if row is None:
            return
        if row.id in self.marked:
            del self.marked[row.id]
        else:
            self.marked[row.id] = None
        self.post_message(self.MarksChanged(len(self.marked)))
        self.refresh()
        self._move(self.cursor + 1)

    def set_states(self, ids: list[int], state: str | None) -> None:
        """The works' reading state changed: their rows loaded so far show it (no reload)."""
        chosen = set(ids)
        for rows in self._pages.values():
            for row in rows:
                if row.id in chosen:
                    row.state = state
        self._strips.clear()
        self.refresh()

    def clear_marks(self) -> None:
        self.marked.clear()
        self.post_message(self.MarksChanged(0))
        self.refresh()

    def on_click(self, event: events.Click) -> None:
        self._move(self.scroll_offset.y + event.y)

    def on_resize(self, event: events.Resize) -> None:
        self.virtual_size = Size(event.size.width, self.total)

    # -- drawing

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._styles = None  # focus, theme or CSS changed: styles and drawn rows are out of date
        self._strips.clear()

    def _row_styles(self) -> tuple[Style, Style, Style, Style]:
        """(base, cursor, muted, pending): worked out once, not for every line of every frame."""
        if self._styles is None:
            base = self.rich_style
            self._styles = (base, base + self.get_component_rich_style("work-list--cursor"),
                            base + self.get_component_rich_style("work-list--authors"),
                            base + self.get_component_rich_style("work-list--pending"))
        return self._styles

    _top = 0
    _width = 0

    def render_lines(self, crop):
        # the scroll position and width, read once a frame (each read is not cheap in Textual)
        self._top = self.scroll_offset.y
        self._width = self.scrollable_content_region.width  # less the scrollbar, when there is one
        return super().render_lines(crop)

    def render_line(self, y: int) -> Strip:
        index = self._top + y
        width = self._width
        base, cursor_style, muted, pending = self._row_styles()
        if index >= self.total:
            return Strip.blank(width, base)
        row = self.row(index)
        if row is None:
            return Strip([Segment(" …".ljust(width), pending)], width)
        cursor = index == self.cursor
        marked = row.id in self.marked
        key = (self.generation, index, cursor, width, marked, row.state)
        strip = self._strips.get(key)
        if strip is not None:
            return strip
        # one line drawn straight to segments (a Rich Text and its render cost several times as much);
        # every part is cut or padded to its exact width by _fit
        style = cursor_style if cursor else base
        year = f"{row.year}" if row.year else "n.d."
        authors = printable(row.authors, newlines=False)
        title = printable(row.title, newlines=False) or "(untitled)"
        year_w = 5
        authors_w = max(min(width // 3, 28), 8)
        title_w = max(width - year_w - authors_w - 4, 8)
        aside = style if cursor else muted
        if marked:
            lead = Segment("●", style + self.get_component_rich_style("work-list--mark"))
        else:
            lead = Segment(" ", style)
        state = STATE_MARKS.get(row.state or "", " ")
        state = Segment(state, style + self.get_component_rich_style("work-list--state")) if state != " " \
            else Segment(" ", style)
        strip = Strip([lead, state, Segment(_fit(title, title_w) + "  ", style),
                       Segment(_fit(authors, authors_w), aside),
                       Segment(year.rjust(year_w), aside)],
                      2 + title_w + 2 + authors_w + max(len(year), year_w)).crop_extend(0, width, style)
        if len(self._strips) >= 4 * MAX_PAGES * 10:
            self._strips.clear()
        self._strips[key] = strip
        return strip


def _fit(text: str, width: int) -> str:
    """Pad or cut to exactly `width` cells (wide characters count twice)."""
    if width <= 0:
        return ""
    if cell_len(text) <= width:
        return set_cell_size(text, width)
    return set_cell_size(text, width - 1) + "…"
