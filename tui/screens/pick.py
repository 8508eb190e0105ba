"""Pick a work from the whole catalogue, searching as you type (for `c` and `r`)."""

from __future__ import annotations

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Static

from ..listing import BrowseSource, IdsSource, pick_hits
from ..models import ListRow, Work
from ..query import parse
from ..safe import printable
from ..store import Store
from ..widgets.errors import ReportsWorkerErrors
from ..widgets.safe_input import SafeInput
from ..widgets.work_list import WorkList
from .edit import NEW_WORK, EditScreen


def _identifier(text: str):
    """The identifier `text` is (a DOI, arXiv id or ISBN), or None."""
    from ..identifiers import IdentifierError, parse_identifier

    try:
        return parse_identifier(text.strip())
    except IdentifierError:
        return None


class PickWorkScreen(ReportsWorkerErrors, ModalScreen[ListRow | tuple | None]):
    """A search box over the catalogue and its hits; `enter` picks the highlighted work. A DOI,
    arXiv id or ISBN typed that no work holds: `enter` gives ("fetch", identifier)."""

    BINDINGS = [
        Binding("escape", "cancel", "Cancel", id="cancel"),
        Binding("ctrl+n", "new_work", "New from BibTeX", id="new-work"),
    ]

    def __init__(self, store: Store, heading: str, exclude: int | None = None, *,
                 exclude_why: str = "a work cannot cite itself", first: list[int] = (),
                 doing: str = "link", new_work: bool = True) -> None:
        super().__init__()
        self.store = store
        self.heading = heading
        self.exclude = exclude  # the work being linked: it cannot be picked (a work cannot cite itself)
        self.exclude_why = exclude_why
        self.first = list(first)  # listed alone before anything is typed (a likely duplicate, for a merge)
        self.doing = doing  # what enter does to the highlighted work, in the hint
        self.new_work = new_work  # ctrl+n: a new work from BibTeX, picked at once
        self._generation = 0
        self.fetchable = None  # an Identifier typed that no work holds

    def compose(self) -> ComposeResult:
        with Vertical(id="pick-dialog", classes="dialog"):
            yield Static(Text(self.heading, style="bold"))
            yield SafeInput(placeholder="search the catalogue (same as /)", id="pick-search")
            yield Static("", id="pick-status")
            yield WorkList(id="pick-list")
            yield Static(Text(f"enter {self.doing} the highlighted work · up/down move · "
                              + ("ctrl+n new work from pasted BibTeX · " if self.new_work else "")
                              + "escape cancel", style="dim"))

    def on_mount(self) -> None:
        self.query_one(Input).focus()
        self._search("")

    @on(Input.Changed)
    def _changed(self, event: Input.Changed) -> None:
        event.stop()
        self._search(event.value)

    def _search(self, text: str) -> None:
        self._generation += 1
        self._load(text, self._generation)

    @work(thread=True, exclusive=True, exit_on_error=False, group="pick")
    def _load(self, text: str, generation: int) -> None:
        fetchable = None
        if text.strip():
            source: BrowseSource | IdsSource = pick_hits(self.store, text, parse(text))
            ident = _identifier(text)
            if ident is not None:
                known = self.store.work_by_identifier(ident.kind, ident.normal)
                if known is None:
                    fetchable = ident  # not in the catalogue: enter fetches it
                else:  # the work holding it, first
                    ids = [known] + [i for i in source.ids if i != known]
                    source = IdsSource(self.store, ids, len(ids))
        elif self.first:
            source = IdsSource(self.store, self.first, len(self.first))
        else:
            source = BrowseSource(self.store, self.store.count())
        self.app.call_from_thread(self._ready, generation, source, fetchable)

    def _ready(self, generation: int, source: BrowseSource | IdsSource, fetchable=None) -> None:
        if generation != self._generation:
            return  # typed on since
        self.fetchable = fetchable
        self.query_one(WorkList).set_source(source)
        count = len(source)
        if fetchable and self.new_work:
            status = f"{printable(str(fetchable), False)} is not in the catalogue: enter fetches it, adds it and links it (u undoes both)"
        elif self.first and not self.query_one(Input).value.strip():
            status = "A possible duplicate; type to search for another"
        else:
            status = "No works match; ctrl+n adds one from BibTeX" if not count else f"{count:,} works"
        self.query_one("#pick-status", Static).update(Text(status))

    def on_key(self, event) -> None:
        if self.query_one(Input).has_focus and event.key in ("down", "up"):
            event.stop()
            works = self.query_one(WorkList)
            works.action_cursor_down() if event.key == "down" else works.action_cursor_up()

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self._pick()

    @on(WorkList.Selected)
    def _selected(self, event: WorkList.Selected) -> None:
        event.stop()
        self._choose(event.row)

    def _choose(self, row: ListRow) -> None:
        if row.id is not None and row.id == self.exclude:
            self.notify(f"That is the work itself: {self.exclude_why}; pick another", severity="warning")
            return  # the picker stays, with what was typed
        self.dismiss(row)

    @on(WorkList.Highlighted)
    def _highlighted(self, event: WorkList.Highlighted) -> None:
        event.stop()  # the record page behind does not follow the picker

    def _pick(self) -> None:
        if self.fetchable and self.new_work:
            self.dismiss(("fetch", self.fetchable.value))  # the main screen fetches, adds and links it
            return
        works = self.query_one(WorkList)
        row = works.row(works.cursor) if works.total else None
        if row is None:
            self.notify("Nothing to pick: no work matches", severity="warning")
            return
        self._choose(row)

    def action_cancel(self) -> None:
        self.dismiss(None)

    def check_action(self, action: str, parameters: tuple) -> bool | None:
        return self.new_work if action == "new_work" else True

    def action_new_work(self) -> None:
        if not self.new_work:
            return

        def created(work_: Work | None) -> None:
            if work_ is not None and work_.id is not None:
                self.dismiss(ListRow(work_.id, work_.key, work_.title, work_.author_names, work_.year))

        self.app.push_screen(EditScreen("A new work (paste its BibTeX over this)", NEW_WORK,
                                        lambda w: self.store.add_work(w, rename=False, remember=True),
                                        select_all=True), created)
