"""Pick a work from the whole catalogue, searching as you type (for `c` and `r`)."""

from __future__ import annotations

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Static

from ..listing import BrowseSource, IdsSource
from ..models import ListRow, Work
from ..query import fold, words
from ..store import Store, StoreError
from ..widgets.errors import ReportsWorkerErrors
from ..widgets.safe_input import SafeInput
from ..widgets.work_list import WorkList
from .edit import NEW_WORK, EditScreen

PICK_CAP = 2_000
KNOWN_FIRST_OF = 200  # ranked hits whose titles are read to put those beginning with the text first


class PickWorkScreen(ReportsWorkerErrors, ModalScreen[ListRow | None]):
    """A search box over the catalogue and its hits; `enter` picks the highlighted work."""

    BINDINGS = [
        Binding("escape", "cancel", "Cancel", id="cancel"),
        Binding("ctrl+n", "new_work", "New from BibTeX", id="new-work"),
    ]

    def __init__(self, store: Store, heading: str, exclude: int | None = None) -> None:
        super().__init__()
        self.store = store
        self.heading = heading
        self.exclude = exclude  # the work being linked: it cannot be picked (a work cannot cite itself)
        self._generation = 0

    def compose(self) -> ComposeResult:
        with Vertical(id="pick-dialog", classes="dialog"):
            yield Static(Text(self.heading, style="bold"))
            yield SafeInput(placeholder="search the catalogue (same as /)", id="pick-search")
            yield Static("", id="pick-status")
            yield WorkList(id="pick-list")
            yield Static(Text("enter link the highlighted work · up/down move · ctrl+n new work from "
                              "pasted BibTeX · escape cancel", style="dim"))

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
        if text.strip():
            ids = self._known_first(text, self.store.search_ids(text, "relevance", PICK_CAP))
            source: BrowseSource | IdsSource = IdsSource(self.store, ids, len(ids))
        else:
            source = BrowseSource(self.store, self.store.count())
        self.app.call_from_thread(self._ready, generation, source)

    def _known_first(self, text: str, ids: list[int]) -> list[int]:
        """The hits in the order a picker wants: one looks for a work one knows, by its key or
        the start of its title (`enter` links the first). So the work whose key is the text
        comes first, then, of the best KNOWN_FIRST_OF hits, those whose title begins with the
        words typed (the last one as far as it is typed), then the rest as ranked (a short
        title beginning with a rare word could come 19th of 232, behind titles holding it)."""
        typed = [fold(w) for w in words(text)]
        first = []
        try:
            first.append(self.store.work(text.strip()).id)
        except StoreError:
            pass
        for row in self.store.rows(ids[:KNOWN_FIRST_OF]) if typed else []:
            title = [fold(w) for w in words(row.title)]
            if title[:len(typed) - 1] == typed[:-1] and len(title) >= len(typed) \
                    and title[len(typed) - 1].startswith(typed[-1]):
                first.append(row.id)
        first = list(dict.fromkeys(first))
        chosen = set(first)
        return first + [i for i in ids if i not in chosen]

    def _ready(self, generation: int, source: BrowseSource | IdsSource) -> None:
        if generation != self._generation:
            return  # typed on since
        self.query_one(WorkList).set_source(source)
        count = len(source)
        self.query_one("#pick-status", Static).update(
            Text("No works match; ctrl+n adds one from BibTeX" if not count else f"{count:,} works"))

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
            self.notify("That is the work itself: a work cannot cite itself; pick another", severity="warning")
            return  # the picker stays, with what was typed
        self.dismiss(row)

    @on(WorkList.Highlighted)
    def _highlighted(self, event: WorkList.Highlighted) -> None:
        event.stop()  # the record page behind does not follow the picker

    def _pick(self) -> None:
        works = self.query_one(WorkList)
        row = works.row(works.cursor) if works.total else None
        if row is None:
            self.notify("Nothing to pick: no work matches", severity="warning")
            return
        self._choose(row)

    def action_cancel(self) -> None:
        self.dismiss(None)

    def action_new_work(self) -> None:
        def created(work_: Work | None) -> None:
            if work_ is not None and work_.id is not None:
                self.dismiss(ListRow(work_.id, work_.key, work_.title, work_.author_names, work_.year))

        self.app.push_screen(EditScreen("A new work (paste its BibTeX over this)", NEW_WORK,
                                        lambda w: self.store.add_work(w, rename=False, remember=True),
                                        select_all=True), created)
