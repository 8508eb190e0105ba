"""The main screen: search box and work list on the left, the record page on the right."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.widgets import Header, Input, Static

from ..attach import attach, stored_path
from ..config import ConfigError, load_config, resolver_hint
from ..formats import FormatError
from ..formats.export import format_for_suffix, render, write_atomic
from ..links import external_url, openurl
from ..listing import DESCENDING_SORTS, PAGE, BrowseSource, IdsSource
from ..models import WorkPage
from ..query import SORTS, parse
from ..safe import printable
from ..similar import similar
from ..store import RANK_CANDIDATES, Cancelled, Store, StoreError
from ..widgets.errors import ReportsWorkerErrors
from ..widgets.key_bar import KeyBar
from ..widgets.search_box import SearchBox
from ..widgets.record import Document, RecordView, Target, message_document, work_document
from ..widgets.work_list import WorkList
from .prompt import PromptScreen

# Not needed for the first paint, so imported when first used (bibtexparser, pyperclip and the
# edit screens cost ~0.1 s to import): copying, editing, picking a work.

SEARCH_CAP = 10_000  # hits kept for the list; the count says how many there are in all
CHANGE_POLL_SECONDS = 2.0  # how often to look for another process's changes (ibid import)
CITATIONS_SHOWN = 2_000
BROWSE_SORTS = ("added", "title", "year", "cited")
SORT_NAMES = {"year": "year, newest first", "cited": "most cited"}  # as the status line says them
SHORT_SORT_NAMES = {"year": "newest first", "cited": "most cited"}  # ... where the line is short


HELP = """\
# ibid

The list on the left is the catalogue (or your search); the record page on the right
follows the highlighted work.

- `/` search as you type: words, `author:`, `title:`, `venue:`, `year:2019`, `year:2010..2020`,
  `"a phrase"`. `enter` goes to the first hit, `escape` leaves the search.
- `tab` moves between the list and the record page; on the page, `up`/`down` walk its
  authors, similar works, citations and references, and `enter` opens one (on "… and N more",
  lists more of them).
- `backspace` goes back, `]` forward, through what you opened.
- `b` copies the work's BibTeX, `y` its citation key, `Y` a formatted reference.
- `c` adds a citation (a work that cites this one), `r` a reference (a work this one cites):
  search, then `enter`; `ctrl+n` there adds a work from pasted BibTeX.
- `delete` on a highlighted citation or reference removes the link; `u` undoes the last change
  (links, edits, new works), even after a restart.
- `e` edits the work's BibTeX (`ctrl+s` saves, `escape` cancels); `n` adds a new work.
- `s` changes the order: the catalogue by added, title, year (newest first) or most cited; a
  search (which starts with the best hits first) by relevance, year, title or most cited.
- `a` the author's profile; `o` opens the DOI or URL (or, on an
  archived copy, the file); `L` opens the work through your library (OpenURL; set
  `[library] resolver` in the config file).
- `f` archives a copy of a file (a PDF) with the work, in the catalogue's own folder (`u` takes it back).
- `space` in the list marks a work; `x` exports the marked works to a file you name
  (`.bib`, `.ris`, or `.json` for CSL-JSON).
- `Y` copies the reference in the style set by `[references] style` in the config file
  (apa, chicago, mla, harvard, ieee; default apa).
"""


@dataclass
class Visit:
    """A place in the history: what was shown, and where the cursor was on it."""

    target: Target
    cursor: Target | None = None
    section: str = ""  # the page section the cursor was in (a work can be both similar and citing)
    opened: bool = False  # opened on purpose (not just passed over in the list): counts as a view
    shown: int = 0  # citations and references listed (0: CITATIONS_SHOWN); `enter` on "… more" adds some


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
    )


class MainScreen(ReportsWorkerErrors, Screen):
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
        Binding("a", "author", "Author", id="author"),
        Binding("s", "cycle_sort", "Sort", id="sort"),
        Binding("o", "open_link", "Link", id="open-link"),
        Binding("L", "library_link", "Library", id="library-link"),
        Binding("f", "attach_file", "Attach", id="attach-file"),
        Binding("x", "export_marked", "Export", id="export-marked"),
        Binding("ctrl+r", "reload", "Refresh", id="refresh"),
    ]

    def __init__(self, store: Store) -> None:
        super().__init__()
        self.store = store
        self.query_text = ""
        self.sort = "added"
        self._browse_sort = "added"  # the catalogue's order while a search is shown
        self._last_export: Path | None = None  # where `x` last wrote, offered again (its folder)
        self.current: Visit | None = None
        self.back_stack: list[Visit] = []
        self.forward_stack: list[Visit] = []
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
        try:
            if not query.strip():
                browse = sort if sort in BROWSE_SORTS else "added"
                source = BrowseSource(self.store, self.store.count(), browse, dense=self.store.ids_dense())
                source.first = source.fetch(0, None)
                self.archived = self.store.archived_count()
            else:
                sort = sort if sort in SORTS else "relevance"
                if not refresh and sort != "added":
                    # Ordering every match costs (ranking a broad word at a million: a few hundred
                    # ms); the newest matches cost a few ms: show them while the order is worked out.
                    newest = self.store.search_newest(query, PAGE, cancel=stale)
                    if not newest:
                        source = IdsSource(self.store, [], 0, first=[])
                        return
                    quick = IdsSource(self.store, newest, len(newest), exact=len(newest) < PAGE,
                                      first=self.store.rows(newest), ranked=False)
                    self.app.call_from_thread(self._list_quick, query, sort, serial, quick)
                ids = self.store.search_ids(query, sort, SEARCH_CAP, cancel=stale)
                cap = min(SEARCH_CAP, RANK_CANDIDATES) if sort == "relevance" else SEARCH_CAP
                source = IdsSource(self.store, ids, len(ids), exact=len(ids) < cap, first=self.store.rows(ids[:PAGE]))
        except Cancelled:
            source = None
        finally:
            self.app.call_from_thread(self._list_ready, query, sort, refresh, source)
        if isinstance(source, IdsSource) and not source.exact:
            # The list is on screen; now count every match (a broad word at a million: ~0.5 s).
            try:
                total = self.store.search_count(query, cancel=stale)
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
        if len(source) == 0:
            if query.strip():
                hint = "".join(f"\n\n{h}" for h in parse(query).hints)
                self._show_message(f"No works match “{printable(query, False)}”.{hint}")
            else:
                self._show_message("The catalogue is empty.\n\nImport works with: ibid import FILE.bib")
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
        self.sub_title = printable(f"{self.store.path.name}{mode} · {total:,} works · "
                                   f"Papers currently archived: {self.archived:,}", newlines=False)
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
        if search.has_focus and event.key == "escape":
            event.stop()
            search.value = ""
            self.works.focus()
        elif search.has_focus and event.key == "down":
            event.stop()
            self.works.focus()

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

    def open(self, target: Target, origin: Visit | None = None) -> None:
        """Open a work or an author, remembering where we were (or `origin`, where a search began)."""
        came_from = origin or self.current
        if self.current is not None and self.current.target[0] == "work" and self.current is came_from:
            self._remember_cursor(self.current)
        if came_from is not None and came_from.target != target:
            self.back_stack.append(came_from)
            self.forward_stack.clear()
        if self.current is None or self.current.target != target:
            self._show(Visit(target, opened=True))

    def action_back(self) -> None:
        if not self.back_stack:
            self.notify("Nothing to go back to", severity="warning")
            return
        if self.current is not None:
            self._remember_cursor(self.current)
            self.forward_stack.append(self.current)
        self._show(self.back_stack.pop())

    def action_forward(self) -> None:
        if not self.forward_stack:
            self.notify("Nothing to go forward to", severity="warning")
            return
        if self.current is not None:
            self._remember_cursor(self.current)
            self.back_stack.append(self.current)
        self._show(self.forward_stack.pop())

    def _remember_cursor(self, visit: Visit) -> None:
        if self.record.subject == visit.target:
            visit.cursor, visit.section = self.record.target, self.record.section

    def _show(self, visit: Visit) -> None:
        from .author import AuthorScreen

        self.current = visit
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
            # that shows it (that frame then costs what it styles, not 10-35 ms of Rich).
            doc = work_document(page, self.record.page_width(), self.app.console).draw_ahead(self.record.size.height)
            self.app.call_from_thread(self._detail_ready, visit, page, doc)
        except StoreError as exc:
            self.app.call_from_thread(self._show_message, str(exc))
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

    # -- actions on the work shown

    _key_state: tuple = ()

    def update_keys(self) -> None:
        """Redraw the footer when what the keys can act on has changed (a redraw costs)."""
        state = (self.page is None, bool(self.back_stack), bool(self.forward_stack),
                 self.record.section in ("citations", "references"), bool(self.works.marked))
        if state != self._key_state:
            self._key_state = state
            self.refresh_bindings()

    def check_action(self, action: str, parameters: tuple) -> bool | None:
        if action in ("author", "open_link", "copy_bibtex", "copy_key", "copy_reference", "add_citation",
                      "add_reference", "edit") and self.page is None:
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

    def action_author(self) -> None:
        target = self.record.target
        if target is not None and target[0] == "author":
            self.open(target)
            return
        if self.page is None or not self.page.work.authors or self.page.work.authors[0].id is None:
            self.notify("This work names no author", severity="warning")
            return
        self.open(("author", self.page.work.authors[0].id))

    def action_open_link(self) -> None:
        if self.page is None:
            return
        target = self.record.target
        if target is not None and target[0] == "file":
            self._open_file(str(target[1]))
            return
        url = external_url(self.page.work)
        if not url:
            what = "no DOI or web address" if not (self.page.work.doi or self.page.work.url) else \
                "no DOI or http(s) address that can be opened safely"
            self.notify(f"This work has {what}", severity="warning")
            return
        self.app.open_url(url)  # the user's browser, through webbrowser: arguments, never a shell
        self.notify(Text(f"Opening {printable(url, False)}").plain, markup=False)

    def _open_file(self, stored: str) -> None:
        """An archived copy, by its name in the catalogue's folder (never a path from elsewhere)."""
        if self.page is None:
            return
        attachment = next((f for f in self.page.files if f.stored == stored), None)
        if attachment is None:
            return
        path = stored_path(self.store, attachment)
        if not path.is_file():
            self.notify(printable(f"{path}: the archived copy is missing", False), severity="error", markup=False)
            return
        self.app.open_url(path.resolve().as_uri())
        self.notify(printable(f"Opening {path}", False), markup=False)

    def action_library_link(self) -> None:
        if self.page is None:
            return
        try:
            config = load_config()
        except ConfigError as exc:
            self.notify(printable(str(exc), False), severity="error", markup=False)
            return
        if not config.resolver:
            self.notify(printable(resolver_hint(config.path), False), severity="warning", markup=False, timeout=10)
            return
        url = openurl(self.page.work, config.resolver)
        self.app.open_url(url)
        self.notify(printable(f"Opening through your library: {url}", False), markup=False)

    # -- archived copies and exports

    def action_attach_file(self) -> None:
        if self.page is None or not self._writable("archived"):
            return
        work_ = self.page.work

        def chosen(answer: str | None) -> None:
            if answer:
                self._archive(work_, Path(answer).expanduser())

        self.app.push_screen(PromptScreen(
            f"Archive a copy of a file with {printable(work_.key, False)}: its path",
            value=str(Path.cwd()) + os.sep,
            hint="The file is copied into the catalogue's own folder; the original is left as it is."), chosen)

    @work(thread=True, exit_on_error=False, group="attach")
    def _archive(self, work_, path: Path) -> None:
        try:
            attachment = attach(self.store, work_, path)
            self.archived = self.store.archived_count()
            size = stored_path(self.store, attachment).stat().st_size
        except StoreError as exc:
            self.app.call_from_thread(self.notify, printable(str(exc), False), severity="error", markup=False)
            return
        self.app.call_from_thread(self._archived, work_, attachment.stored, size)

    def _archived(self, work_, stored: str, size: int) -> None:
        self.notify(printable(f"Archived {stored} ({size:,} bytes) with {work_.key}; "
                              f"papers currently archived: {self.archived:,}", False), title="Archived", markup=False)
        self._set_header()
        if self.current is not None and self.current.target == ("work", work_.id):
            self._request_detail(self.current)

    def action_export_marked(self) -> None:
        marked = list(self.works.marked)
        if not marked:
            self.notify("No works marked: mark them in the list with space first", severity="warning")
            return

        def chosen(answer: str | None) -> None:
            if not answer:
                return
            path = Path(answer).expanduser()
            fmt = format_for_suffix(path)
            if fmt is None:
                self.notify("Name the file .bib (BibTeX), .ris (RIS) or .json (CSL-JSON)", severity="error")
                return
            if path.is_dir():
                self.notify(printable(f"{path}: is a folder; name a file", False), severity="error", markup=False)
                return
            if path.exists():
                from .edit import ConfirmScreen

                self.app.push_screen(ConfirmScreen(f"{printable(str(path), False)} exists. Replace it?"),
                                     lambda yes: self._export(marked, path, fmt) if yes else None)
                return
            self._export(marked, path, fmt)

        # the folder and the format of the last export, in this run; else here, as BibTeX
        last = self._last_export
        self.app.push_screen(PromptScreen(
            f"Export {len(marked):,} marked work{'s' if len(marked) != 1 else ''} to",
            value=str(last.parent / f"ibid-marked{last.suffix}" if last else Path.cwd() / "ibid-marked.bib"),
            hint=".bib for BibTeX, .ris for RIS, .json for CSL-JSON"), chosen)

    @work(thread=True, exit_on_error=False, group="export")
    def _export(self, ids: list[int], path: Path, fmt: str) -> None:
        order = {work_id: n for n, work_id in enumerate(ids)}
        works = sorted(self.store.works(ids), key=lambda w: order[w.id])  # in the order they were marked
        try:
            size = write_atomic(path, render(works, fmt))
        except OSError as exc:
            self.app.call_from_thread(self.notify, printable(f"{path}: cannot write ({exc.strerror or exc}); "
                                                             "nothing was exported", False),
                                      severity="error", markup=False)
            return
        if not self.store.read_only:
            self.store.record_events([w.id for w in works], "export")
        self.app.call_from_thread(self._exported, len(works), path, fmt, size)

    def _exported(self, count: int, path: Path, fmt: str, size: int) -> None:
        self._last_export = path
        self.notify(printable(f"Exported {count:,} work{'s' if count != 1 else ''} to {path} "
                              f"({fmt}, {size:,} bytes)", False), title="Exported", markup=False)
        self.works.clear_marks()
        if self.current is not None:
            self._request_detail(self.current)  # the export counts move

    # -- copying

    def action_copy_bibtex(self) -> None:
        from ..formats import bibtex

        if self.page is not None:
            self._copy(bibtex.write([self.page.work]), f"BibTeX of {self.page.work.key}")

    def action_copy_key(self) -> None:
        if self.page is not None:
            self._copy(self.page.work.key, f"key {self.page.work.key}")

    def action_copy_reference(self) -> None:
        if self.page is not None:
            self._format_reference(self.page.work)

    @work(thread=True, exit_on_error=False, group="reference")
    def _format_reference(self, work_) -> None:
        """citeproc-py takes 10-100 ms for a style's first reference: not on the UI thread."""
        from ..formats.cite import format_reference

        try:
            style = load_config().style
            text = format_reference(work_, style)
        except (ConfigError, FormatError) as exc:
            self.app.call_from_thread(self.notify, printable(str(exc), False), severity="error", markup=False)
            return
        self.app.call_from_thread(self._copy_reference, work_, text, style)

    def _copy_reference(self, work_, text: str, style: str) -> None:
        if self.page is not None and self.page.work.id == work_.id:
            self._copy(text, f"{style} reference to {work_.key}")

    def _copy(self, text: str, what: str) -> None:
        assert self.page is not None and self.page.work.id is not None
        self.app.copy_to_clipboard(text)  # OSC 52: works over SSH and in tmux
        self._copy_elsewhere(text, what, self.page.work.id)

    @work(thread=True, exit_on_error=False, group="copy")
    def _copy_elsewhere(self, text: str, what: str, work_id: int) -> None:
        from ..clipboard import copy_with_pyperclip, describe

        system = copy_with_pyperclip(text)
        counted = False
        if not self.store.read_only:
            try:
                self.store.record_event(work_id, "copy")
                counted = True
            except StoreError:
                pass  # the copy is made; only its count is lost (a lock, a full disk)
        self.app.call_from_thread(self._copied, what, describe(len(text.encode()), system), counted)

    def _copied(self, what: str, how: str, counted: bool) -> None:
        self.notify(printable(f"Copied {what}: {how}", newlines=False), title="Copied", markup=False)
        if counted and self.current is not None:
            self._request_detail(self.current)  # the usage counts move

    # -- editing links and works; every change is committed before it is confirmed

    def action_add_citation(self) -> None:
        self._pick_link("citation")

    def action_add_reference(self) -> None:
        self._pick_link("reference")

    def _pick_link(self, kind: str) -> None:
        from .pick import PickWorkScreen

        if self.page is None or not self._writable("linked"):
            return
        this = self.page.work
        heading = (f"Add a citation: a work that cites “{printable(this.title, False)}”" if kind == "citation"
                   else f"Add a reference: a work that “{printable(this.title, False)}” cites")

        def picked(row) -> None:
            if row is not None:
                citing, cited = (row.key, this.key) if kind == "citation" else (this.key, row.key)
                self._change(lambda: self.store.cite(citing, cited, remember=True),
                             f"{citing} now cites {cited}", cursor=("work", row.id),
                             section="citations" if kind == "citation" else "references")

        self.app.push_screen(PickWorkScreen(self.store, heading, exclude=this.id), picked)

    def action_remove_link(self) -> None:
        if self.page is None or self.record.section not in ("citations", "references"):
            return
        target = self.record.target
        refs = self.page.citations if self.record.section == "citations" else self.page.references
        other = next((r for r in refs if ("work", r.id) == target), None)
        if other is None:
            return
        this = self.page.work.key
        citing, cited = (other.key, this) if self.record.section == "citations" else (this, other.key)
        self._change(lambda: self.store.uncite(citing, cited, remember=True),
                     f"{citing} no longer cites {cited} (u undoes)")

    def action_undo(self) -> None:
        self._change(lambda: "Undid the " + self.store.undo(), None, reload_list=True)

    def action_edit(self) -> None:
        from ..formats import bibtex
        from .edit import EditScreen

        if self.page is None or self.page.work.id is None or not self._writable("edited"):
            return
        work_id = self.page.work.id

        def saved(work_) -> None:
            if work_ is not None:
                self.notify(printable(f"Saved {work_.key}", False), markup=False)
                self._after_change(reload_list=True)

        self.app.push_screen(EditScreen(f"Edit {printable(self.page.work.key, False)}", bibtex.write([self.page.work]),
                                        lambda w: self.store.update_work(work_id, w)), saved)

    def action_new_work(self) -> None:
        from .edit import NEW_WORK, EditScreen

        if not self._writable("added"):
            return

        def saved(work_) -> None:
            if work_ is not None and work_.id is not None:
                self.notify(printable(f"Added {work_.key}", False), markup=False)
                self._request_list(self.query_text, self.sort, refresh=True)
                self.open(("work", work_.id))

        self.app.push_screen(EditScreen("A new work (paste its BibTeX over this)", NEW_WORK,
                                        lambda w: self.store.add_work(w, rename=False, remember=True),
                                        select_all=True), saved)

    def _writable(self, what: str) -> bool:
        """Whether the catalogue can be changed; if not, says so at the key (not after an edit
        or a search for a work to link, which would then be lost)."""
        if self.store.read_only:
            self.notify(f"The catalogue is open read-only: nothing can be {what} (open it without "
                        "--read-only to change it)", severity="warning")
        return not self.store.read_only

    def _change(self, change, done: str | None, cursor: Target | None = None, section: str = "",
                reload_list: bool = False) -> None:
        if self._writable("changed"):
            self._run_change(change, done, (cursor, section), reload_list)

    @work(thread=True, exit_on_error=False, group="change")
    def _run_change(self, change, done: str | None, cursor: tuple, reload_list: bool) -> None:
        try:
            said = change()
        except StoreError as exc:
            self.app.call_from_thread(self.notify, printable(str(exc), False), severity="warning", markup=False)
            return
        message = done or str(said)
        self.app.call_from_thread(self._changed, message, cursor, reload_list)

    def _changed(self, message: str, cursor: tuple, reload_list: bool) -> None:
        self.notify(printable(message, False), markup=False)
        self._after_change(cursor, reload_list)

    def _after_change(self, cursor: tuple = (None, ""), reload_list: bool = False) -> None:
        if reload_list:
            self._request_list(self.query_text, self.sort, refresh=True)
        if self.current is not None:
            if cursor[0] is not None:
                self.current.cursor, self.current.section = cursor
            else:
                self._remember_cursor(self.current)
            self._request_detail(self.current)
