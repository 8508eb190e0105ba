"""The main screen: search box and work list on the left, the record page on the right."""

from __future__ import annotations

from pathlib import Path

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.widgets import Header, Input, Static

from ..history import History, Visit
from ..listing import (
    BROWSE_SORTS,
    DESCENDING_SORTS,
    SEARCH_CAP,
    BrowseSource,
    IdsSource,
    catalogue,
    count_hits,
    search_hits,
)
from ..models import WorkPage
from ..query import SORTS, parse
from ..safe import printable
from ..similar import similar
from ..store import RANK_CANDIDATES, Cancelled, Gone, Store, StoreError
from ..widgets.errors import ReportsWorkerErrors
from ..widgets.key_bar import KeyBar
from ..widgets.record import (
    Document,
    RecordView,
    Target,
    message_document,
    work_document,
)
from ..widgets.search_box import SearchBox
from ..widgets.work_list import WorkList
from .adding import AddByIdentifier
from .changes import Changes
from .help import HELP
from .merge import Merging
from .note import ReadingActions
from .work_actions import WorkActions

# Not needed for the first paint, so imported when first used (bibtexparser, pyperclip and the
# edit screens are slow to import): copying, editing, picking a work.

CHANGE_POLL_SECONDS = 2.0  # how often to look for another process's changes (ibid import)
CITATIONS_SHOWN = 2_000
EMPTY_CATALOGUE = ("The catalogue is empty.\n\nAdd a work by its DOI, arXiv id or ISBN with i, or import "
                   "works with: ibid import FILE.bib")
SORT_NAMES = {"year": "year, newest first", "cited": "most cited"}  # as the status line says them
SHORT_SORT_NAMES = {"year": "newest first", "cited": "most cited"}  # ... where the line is short


def load_page(store: Store, work_id: int, shown: int = 0) -> WorkPage:
    """Everything the record page shows for a work (runs in a worker thread); `shown`: how many
    citations and references to list (0: CITATIONS_SHOWN)."""
    shown = shown or CITATIONS_SHOWN
    work = store.work_by_id(work_id)
    cited_by, cites = store.citation_counts(work_id)
    return WorkPage(
        work=work,
        citations=store.citations(work_id, limit=shown),
        citation_count=cited_by,
        references=store.references(work_id, limit=shown),
        reference_count=cites,
        similar=similar(store, work_id),
        stats=store.stats(work_id),
        files=store.files(work_id),
        unresolved=store.unresolved_references(work_id),
        duplicates=store.duplicates_of(work_id),
    )


class MainScreen(AddByIdentifier, ReadingActions, WorkActions, Changes, Merging, ReportsWorkerErrors, Screen):
    """Browse, search and read the catalogue."""

    HELP = HELP

    BINDINGS = [
        # priority: keys typed right after `/` must land in the box, not in the list
        Binding("slash", "focus_search", "Search", id="search", priority=True),
        Binding("backspace", "back", "Back", id="back"),
        Binding("right_square_bracket", "forward", "Fwd", id="forward"),
        Binding("b", "copy_bibtex", "BibTeX", id="copy-bibtex"),
        Binding("y", "copy_key", "Key", id="copy-key"),
        Binding("Y", "copy_reference", "Ref", id="copy-reference"),
        Binding("c", "add_citation", "+Citation", id="add-citation"),
        Binding("r", "add_reference", "+Reference", id="add-reference"),
        Binding("delete", "remove_link", "Remove", id="remove-link"),
        Binding("u", "undo", "Undo", id="undo"),
        Binding("e", "edit", "Edit", id="edit"),
        Binding("n", "new_work", "New", id="new-work"),
        Binding("M", "merge", "Merge", id="merge"),
        Binding("i", "add_by_identifier", "Add ID", id="add-by-identifier"),
        Binding("a", "author", "Author", id="author"),
        Binding("s", "cycle_sort", "Sort", id="sort"),
        Binding("o", "open_link", "Link", id="open-link"),
        Binding("L", "library_link", "Library", id="library-link"),
        Binding("f", "attach_file", "Attach", id="attach-file"),
        Binding("x", "export_marked", "Export", id="export-marked"),
        Binding("t", "reading_state", "Read?", id="reading-state"),
        Binding("N", "note", "Note", id="note"),
        Binding("ctrl+r", "reload", "Refresh", id="refresh"),
    ]

    def __init__(self, store: Store) -> None:
        super().__init__()
        self.store = store
        self.query_text = ""
        self.sort = "added"
        self._browse_sort = "added"  # the catalogue's order while a search is shown
        self._last_export: Path | None = None  # where `x` last wrote, offered again (its folder)
        self.page: WorkPage | None = None
        # One search and one detail load in flight at a time; the newest request waits.
        self._search_busy = False
        self._search_next: tuple[str, str, bool] | None = None
        self._list_serial = 0  # bumped by every list request; workers of older ones stop
        self._enter_first = False
        self._detail_busy = False
        self._detail_next: Visit | None = None
        self._open_first = False
        self._pre_search: Visit | None = None
        self.archived = 0  # papers currently archived, in the whole catalogue
        self._status_args: tuple | None = None

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal():
            with Vertical(id="left"):
                yield SearchBox(placeholder="/ search: words, author:, title:, venue:, year:2010..2020", id="search")
                yield Static("", id="status")
                yield WorkList(id="works")
            yield RecordView(id="record")
        yield KeyBar()

    @property
    def works(self) -> WorkList:
        return self.query_one(WorkList)

    @property
    def record(self) -> RecordView:
        return self.query_one(RecordView)

    def on_mount(self) -> None:
        self.works.focus()
        self._request_list("", self.sort)
        # The record page of the first work loads beside the list (not after it): the first
        # paint waits for the slower of the two, not for both one after the other.
        try:
            sort = self.sort if self.sort in BROWSE_SORTS else "added"
            first = self.store.browse(sort, 0, 1, descending=sort in DESCENDING_SORTS)
        except StoreError:
            first = []  # the list worker meets the same error and says so
        if first:
            self._show(Visit(("work", first[0].id)))
        self._seen = self._change_marker()
        self.set_interval(CHANGE_POLL_SECONDS, self.poll_changes)

    def _change_marker(self) -> tuple[int, int, int]:
        return self.store.data_version(), self.store.commits, self.store.newest_id()

    def poll_changes(self) -> None:
        """Another process (an `ibid import`, an `ibid cite`) changed the catalogue: reload the
        list and the page, keeping the cursor. Two cheap queries on the UI thread's connection."""
        if self._search_busy:
            return  # look again next time
        try:
            marker = self._change_marker()
        except StoreError:
            return
        (version, commits, newest), (seen_version, seen_commits, seen_newest) = marker, self._seen
        self._seen = marker
        # data_version also moves for this app's own commits (views, copies, edits), which
        # reload what they change themselves: a change is another's when none of ours came
        # in between, or when the newest work is not the one we knew.
        if (version != seen_version and commits == seen_commits) or newest != seen_newest:
            self.action_reload()

    # -- the list

    def _request_list(self, query: str, sort: str, refresh: bool = False) -> None:
        """Load the list for a search (or the whole catalogue); `refresh` keeps the cursor and the page."""
        self._list_serial += 1  # any read still running for an older request may stop
        if self._search_busy:
            self._search_next = (query, sort, refresh)
            return
        self._search_busy = True
        self._load_list(query, sort, refresh, self._list_serial)

    def _stale(self, serial: int) -> bool:
        """A newer list has been asked for (read from worker threads: a plain int compare)."""
        return serial != self._list_serial

    @work(thread=True, exit_on_error=False, group="list")
    def _load_list(self, query: str, sort: str, refresh: bool, serial: int) -> None:
        source: BrowseSource | IdsSource | None = None
        stale = lambda: self._stale(serial)  # noqa: E731
        q = parse(query)  # once: every store call below takes it parsed
        try:
            if not query.strip():
                source = catalogue(self.store, sort)
                self.archived = self.store.archived_count()
            else:
                sort = sort if sort in SORTS else "relevance"
                quick = None if refresh else (lambda first: self.app.call_from_thread(
                    self._list_quick, query, sort, serial, first))
                source = search_hits(self.store, q, sort, SEARCH_CAP, cancel=stale, quick=quick)
        except Cancelled:
            source = None
        finally:
            self.app.call_from_thread(self._list_ready, query, sort, refresh, source)
        if isinstance(source, IdsSource) and not source.exact:
            # The list is on screen; now count every match.
            try:
                total = count_hits(self.store, q, source, cancel=stale)
            except Cancelled:
                return
            self.app.call_from_thread(self._count_ready, query, sort, source, total)

    def _list_quick(self, query: str, sort: str, serial: int, source: IdsSource) -> None:
        """The newest matches, shown while the search is ordered; never for an older search."""
        if self._stale(serial) or self._search_next is not None:
            return
        # not announced: the record page waits for the first hit in the order asked for
        self.works.set_source(source, announce=False)
        self._set_status(query, sort, source)
        if self.store.reads_ahead(query):
            self._prefetch_words(query)

    @work(thread=True, exit_on_error=False, group="words", exclusive=True)
    def _prefetch_words(self, query: str) -> None:
        """Read the index's words of the 3-letter word just typed while its hits are ranked and
        looked at, so the 4th letter's first page only filters them (see Store.prefetch_words).
        Not cancelled by the next letter: that letter is what it is for."""
        try:
            self.store.prefetch_words(query)
        except StoreError:
            pass  # only a read ahead: the next letter reads what it needs itself

    def _count_ready(self, query: str, sort: str, source: IdsSource, total: int) -> None:
        if self.works.source is source:
            source.total, source.exact = total, True
            self._set_status(query, sort, source)

    def _list_ready(self, query: str, sort: str, refresh: bool, source: BrowseSource | IdsSource | None) -> None:
        self._search_busy = False
        if self._search_next is not None:
            # The user typed on while this ran: its answer is stale, ask for the newest.
            next_search, self._search_next = self._search_next, None
            self._request_list(*next_search)
            return
        if source is None:
            return  # the worker failed; its error is shown as a notification
        if refresh:
            self.works.set_source(source, cursor=self.works.cursor, announce=False)
        else:
            self.works.set_source(source)
        self._set_status(query, sort, source)
        if isinstance(source, BrowseSource):
            self._set_header(source.total)
        if len(source) == 0 and not (refresh and self.page is not None):  # (after a change: its work stays shown)
            if query.strip():
                hint = "".join(f"\n\n{h}" for h in parse(query).hints)
                self._show_message(f"No works match “{printable(query, False)}”.{hint}")
            else:
                self._show_message(EMPTY_CATALOGUE)
        if self._enter_first:
            self._enter_first = False
            self._go_to_first_hit()

    def _go_to_first_hit(self) -> None:
        """`enter` in the search box: the list takes the focus and its first work opens."""
        if self.works.total:
            self.works.focus()
            self.works.cursor = 0
            self._open_first = True

    _catalogue_total = 0

    def _set_header(self, total: int | None = None) -> None:
        """`catalog.db · 1,009 works · Papers currently archived: 2` (the record page's own words)."""
        if total is not None:
            self._catalogue_total = total
        total = self._catalogue_total
        mode = " (read-only)" if self.store.read_only else ""
        failed = getattr(self.app, "kept_failed", [])
        kept = f" · kept export not written: {failed[0]}" + (f" (+{len(failed) - 1})" if len(failed) > 1 else "") \
            if failed else ""
        self.sub_title = printable(f"{self.store.path.name}{mode} · {total:,} works · "
                                   f"Papers currently archived: {self.archived:,}{kept}", newlines=False)
        self.app.sub_title = self.sub_title

    @on(WorkList.MarksChanged)
    def _marks_changed(self, event: WorkList.MarksChanged) -> None:
        self.update_keys()
        if self._status_args is not None:
            self._set_status(*self._status_args)

    def _set_status(self, query: str, sort: str, source: BrowseSource | IdsSource) -> None:
        """The line above the list: how many, in what order. Where the full line does not fit
        (the list is 42% of the width: 33 columns in an 80-column terminal), a short one
        keeps the count and the order, without the asides."""
        self._status_args = (query, sort, source)
        status = self.query_one("#status", Static)
        if not query.strip():
            sort = sort if sort in BROWSE_SORTS else "added"
        name, order = SORT_NAMES.get(sort, sort), SHORT_SORT_NAMES.get(sort, f"by {sort}")
        if not query.strip():
            text = f"{source.total:,} works · sorted by {name}"
            short = f"{source.total:,} works · {order}"
        elif source.total == 0:
            text = short = f"No works match “{printable(query, False)}”"
        elif isinstance(source, IdsSource) and not source.ranked:
            many = f"{len(source):,}+ matches" if not source.exact else \
                f"{source.total:,} match{'es' if source.total != 1 else ''}"
            text = f"{many} (the newest first; ordering by {name}…)"
            short = f"{many}, ordering…"
        elif isinstance(source, IdsSource) and not source.exact:
            text = f"{len(source):,}+ matches (counting…) · by {name}"
            short = f"{len(source):,}+ matches · {order}"
        else:
            shown = ""
            if len(source) < source.total and sort == "relevance":
                best = "newest " if len(source) >= RANK_CANDIDATES else ""
                shown = f" (the {best}{len(source):,} ranked)"
            elif len(source) < source.total:
                shown = f" (the first {len(source):,} listed)"
            many = f"{source.total:,} match{'es' if source.total != 1 else ''}"
            text = f"{many}{shown} · by {name}"
            short = f"{many} · {order}"
        if self.works.marked:
            text += f" · {len(self.works.marked):,} marked (x exports)"
            short += f" · {len(self.works.marked):,} marked"
        if 0 < status.size.width < len(text):
            text = short
        status.update(Text(text), layout=False)  # its size is fixed (app.tcss): no layout of the screen

    def on_resize(self, event) -> None:
        if self._status_args is not None:
            self.call_after_refresh(self._set_status, *self._status_args)  # (short where the full one no longer fits)

    @on(Input.Changed, "#search")
    def _search_changed(self, event: Input.Changed) -> None:
        if not self.query_text.strip() and event.value.strip():
            self._pre_search = self.current  # where `back` returns after `enter` on a hit
            # a new search lists the best hits first, whatever order the catalogue was in
            # (`enter` goes to the first hit); the catalogue's order comes back with it
            self._browse_sort, self.sort = self.sort, "relevance"
        elif self.query_text.strip() and not event.value.strip():
            self.sort = self._browse_sort
        self.query_text = event.value
        self._request_list(event.value, self._search_sort())

    @on(Input.Submitted, "#search")
    def _search_submitted(self, event: Input.Submitted) -> None:
        if self._search_busy:
            self._enter_first = True  # when this text's list arrives
        else:
            self._go_to_first_hit()  # the list for this text is already shown

    def _search_sort(self) -> str:
        return self.sort if self.sort in SORTS else "relevance"

    def on_key(self, event) -> None:
        search = self.query_one("#search", Input)
        if event.key == "escape" and self.cancel_fetch():
            event.stop()
            return
        if search.has_focus and event.key == "escape":
            event.stop()
            search.value = ""
            self.works.focus()
        elif search.has_focus and event.key == "down":
            event.stop()
            self.works.focus()
        elif event.key == "escape" and search.value and self.focused in (self.works, self.record):
            event.stop()  # from the list or the record page too: the search is left, the list keeps the focus
            search.value = ""

    def action_focus_search(self) -> None:
        search = self.query_one("#search", Input)
        if search.has_focus:
            search.insert_text_at_cursor("/")  # in the box, `/` is just a character
        else:
            self.set_focus(search)

    def action_cycle_sort(self) -> None:
        choices = SORTS if self.query_text.strip() else BROWSE_SORTS
        self.sort = choices[(choices.index(self.sort) + 1) % len(choices)] if self.sort in choices else choices[0]
        self.notify(f"Sorted by {SORT_NAMES.get(self.sort, self.sort)}")
        self._request_list(self.query_text, self.sort)

    def action_reload(self) -> None:
        self._request_list(self.query_text, self.sort, refresh=True)
        if self.current:
            self._request_detail(self.current)

    # -- following the list

    @on(WorkList.Highlighted)
    def _highlighted(self, event: WorkList.Highlighted) -> None:
        visit = Visit(("work", event.row.id))
        if self._open_first:
            self._open_first = False
            self.open(visit.target, origin=self._pre_search)
        elif self.current is None or self.current.target != visit.target or self.page is None:
            self._show(visit)  # (page None: a message is shown, e.g. a search that found nothing, left)

    @on(WorkList.Selected)
    def _selected(self, event: WorkList.Selected) -> None:
        self.record.focus()

    # -- history

    @property
    def history(self) -> History:
        return self.app.history

    @property
    def current(self) -> Visit | None:
        return self.app.history.current

    @property
    def back_stack(self) -> list[Visit]:
        return self.app.history.back_stack

    @property
    def forward_stack(self) -> list[Visit]:
        return self.app.history.forward_stack

    def open(self, target: Target, origin: Visit | None = None) -> None:
        """Open a work or an author, remembering where we were (or `origin`, where a search began)."""
        visit = self.history.open(target, origin, self._remember_cursor)
        if visit is not None:
            self._show(visit)

    def action_back(self) -> None:
        visit = self.history.back(self._remember_cursor)
        if visit is None:
            self.notify("Nothing to go back to", severity="warning")
        else:
            self._show(visit)

    def action_forward(self) -> None:
        visit = self.history.forward(self._remember_cursor)
        if visit is None:
            self.notify("Nothing to go forward to", severity="warning")
        else:
            self._show(visit)

    def _remember_cursor(self, visit: Visit) -> None:
        if self.record.subject == visit.target:
            visit.cursor, visit.section = self.record.target, self.record.section

    def _show(self, visit: Visit) -> None:
        from .author import AuthorScreen

        self.history.current = visit
        self.update_keys()
        kind, ident = visit.target
        if kind == "author":
            if isinstance(self.app.screen, AuthorScreen):
                self.app.screen.show(ident, visit.cursor)
            else:
                self.app.push_screen(AuthorScreen(self.store, ident, visit.cursor))
            return
        if isinstance(self.app.screen, AuthorScreen):
            self.app.pop_screen()
        self._request_detail(visit)

    # -- the record page

    def _request_detail(self, visit: Visit) -> None:
        if self._detail_busy:
            self._detail_next = visit
            return
        self._detail_busy = True
        self._load_detail(visit)

    @work(thread=True, exit_on_error=False, group="detail")
    def _load_detail(self, visit: Visit) -> None:
        try:
            if visit.opened and not self.store.read_only:
                visit.opened = False  # once per opening, not again on back/forward
                try:
                    self.store.record_event(visit.target[1], "view")
                except StoreError:
                    pass  # locked by another process, or a full disk: show the page, uncounted
            page = load_page(self.store, visit.target[1], visit.shown)
            # The page's lines are built and its first screenful drawn here, not in the frame
            # that shows it (that frame then costs what it styles, not the drawing through Rich).
            doc = work_document(page, self.record.page_width(), self.app.console).draw_ahead(self.record.size.height)
            self.app.call_from_thread(self._detail_ready, visit, page, doc)
        except StoreError as exc:
            self.app.call_from_thread(self._detail_failed, visit, str(exc), isinstance(exc, Gone))
        finally:
            self.app.call_from_thread(self._detail_done)

    def _detail_done(self) -> None:
        self._detail_busy = False
        if self._detail_next is not None:
            visit, self._detail_next = self._detail_next, None
            if self.current is visit:
                self._request_detail(visit)

    def _detail_ready(self, visit: Visit, page: WorkPage, doc: Document) -> None:
        if self.current is not visit or self._detail_next is not None:
            return  # the user has moved on; never show a stale work
        self.page = page
        self.update_keys()
        self.record.show(work_document, page, subject=visit.target, cursor_target=visit.cursor,
                         cursor_section=visit.section, doc=doc)

    def _detail_failed(self, visit: Visit, message: str, gone: bool) -> None:
        """The work shown is gone (an undone add, another process's change): the list's work
        under the cursor takes its place, or the empty catalogue's words; other errors are said."""
        if self.current is not visit:
            return
        if gone:
            row = self.works.row(self.works.cursor) if self.works.total else None
            if row is not None and ("work", row.id) != visit.target:
                self._show(Visit(("work", row.id)))
                return
            if not self.works.total and not self.query_text.strip():
                message = EMPTY_CATALOGUE
        self._show_message(message)

    def _show_message(self, message: str) -> None:
        self.page = None
        self.update_keys()
        self.record.show(message_document, message)

    @on(RecordView.Opened)
    def _record_opened(self, event: RecordView.Opened) -> None:
        if event.target[0] == "file":
            self._open_file(str(event.target[1]))
        elif event.target[0] == "more":
            self._show_more()
        elif event.target[0] == "listed":
            self.add_listed_reference(int(event.target[1]))
        else:
            self.open(event.target)

    def _show_more(self) -> None:
        """`enter` on "… and N more" under citations or references: CITATIONS_SHOWN more of
        both, the cursor staying on the last one listed before."""
        visit, page, section = self.current, self.page, self.record.section
        if visit is None or page is None or visit.target != ("work", page.work.id):
            return
        refs = page.citations if section == "citations" else page.references
        visit.shown = (visit.shown or CITATIONS_SHOWN) + CITATIONS_SHOWN
        if refs:
            visit.cursor, visit.section = ("work", refs[-1].id), section
        self._request_detail(visit)

    # -- which keys can act

    _key_state: tuple = ()

    def update_keys(self) -> None:
        """Redraw the footer when what the keys can act on has changed (a redraw costs)."""
        state = (self.page is None, bool(self.back_stack), bool(self.forward_stack),
                 self.record.section in ("citations", "references"), bool(self.works.marked))
        if state != self._key_state:
            self._key_state = state
            self.refresh_bindings()

    def check_action(self, action: str, parameters: tuple) -> bool | None:
        if action in ("copy_bibtex", "copy_key", "copy_reference", "reading_state") and self.works.marked:
            return True  # the marked works
        if action in ("author", "open_link", "copy_bibtex", "copy_key", "copy_reference", "add_citation",
                      "add_reference", "edit", "merge", "reading_state", "note") and self.page is None:
            return None
        # hidden from the footer while they cannot act
        if action == "remove_link" and self.record.section not in ("citations", "references"):
            return False
        if action == "export_marked" and not self.works.marked:
            return False
        if action == "back" and not self.back_stack:
            return False
        if action == "forward" and not self.forward_stack:
            return False
        return True
