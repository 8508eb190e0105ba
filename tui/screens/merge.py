"""Merging the work shown into another (`M`): pick the work to keep, choose field by field which
value it keeps, merge; `u` undoes the whole merge."""

from __future__ import annotations

from rich.table import Table
from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Static

from ..merging import Difference, differences
from ..models import Work
from ..safe import printable
from ..store import Store, StoreError

SHOWN = 70  # characters of a value shown in a column


def _short(text: str) -> str:
    text = printable(text, newlines=False)
    return text if len(text) <= SHOWN else text[:SHOWN - 1] + "…"


def first_duplicate(store: Store, work_id: int) -> int | None:
    """The id of the first possible duplicate the store finds for a work, or None."""
    try:
        found = store.duplicates_of(work_id)
    except StoreError:
        return None
    return found[0].id if found else None


class MergeScreen(ModalScreen[dict | None]):
    """The fields that differ between the work kept (left) and the one merged into it (right),
    each row choosing the value kept. Dismissed with the choices (field -> "keep" or "gone"),
    or None; `n` says the two are not duplicates."""

    BINDINGS = [
        Binding("up,k", "move(-1)", "Up", show=False),
        Binding("down,j", "move(1)", "Down", show=False),
        Binding("left", "side('keep')", "Keep left", id="merge-left"),
        Binding("right", "side('gone')", "Take right", id="merge-right"),
        Binding("space", "toggle", "Toggle", id="merge-toggle"),
        Binding("enter", "merge", "Merge", id="merge-confirm"),
        Binding("n", "not_duplicates", "Not a duplicate", id="not-duplicate"),
        Binding("escape", "cancel", "Cancel", id="cancel"),
    ]

    def __init__(self, store: Store, keep: Work, gone: Work) -> None:
        super().__init__()
        self.store = store
        self.keep, self.gone = keep, gone
        self.rows: list[Difference] = differences(keep, gone)
        self.sides = {d.name: d.side for d in self.rows}
        self.cursor = 0

    def compose(self) -> ComposeResult:
        with Vertical(id="merge-dialog", classes="dialog"):
            yield Static(Text(f"Merge {printable(self.gone.key, False)} into {printable(self.keep.key, False)}: "
                              f"{printable(self.keep.key, False)} stays, {printable(self.gone.key, False)} "
                              "becomes an alias of it", style="bold"))
            yield Static("", id="merge-fields")
            yield Static(Text("up/down a field · left keeps the left value, right takes the right one, space "
                              "switches · enter merges (u undoes) · n not a duplicate · escape cancels", style="dim"))

    def on_mount(self) -> None:
        self._draw()

    def _draw(self) -> None:
        table = Table(expand=True, show_lines=False)
        table.add_column("field", no_wrap=True)
        table.add_column(Text(f"kept: {printable(self.keep.key, False)}"), ratio=1)
        table.add_column(Text(f"merged: {printable(self.gone.key, False)}"), ratio=1)
        if not self.rows:
            table.add_row("", Text("The two works hold the same values", style="dim"), "")
        for n, diff in enumerate(self.rows):
            side = self.sides[diff.name]
            left = Text(("● " if side in ("keep", "both") else "○ ") + (_short(diff.keep) or "(none)"),
                        style="bold" if side in ("keep", "both") else "dim")
            right = Text(("● " if side in ("gone", "both") else "○ ") + (_short(diff.gone) or "(none)"),
                         style="bold" if side in ("gone", "both") else "dim")
            table.add_row(Text(diff.name), left, right, style="reverse" if n == self.cursor else "")
        self.query_one("#merge-fields", Static).update(table)

    def action_move(self, step: int) -> None:
        if self.rows:
            self.cursor = max(0, min(len(self.rows) - 1, self.cursor + step))
            self._draw()

    def action_side(self, side: str) -> None:
        if self.rows:
            self.sides[self.rows[self.cursor].name] = side
            self._draw()

    def action_toggle(self) -> None:
        if self.rows:
            name = self.rows[self.cursor].name
            self.sides[name] = "gone" if self.sides[name] in ("keep", "both") else "keep"
            self._draw()

    def action_merge(self) -> None:
        self.dismiss(dict(self.sides))

    def action_cancel(self) -> None:
        self.dismiss(None)

    def action_not_duplicates(self) -> None:
        self._not_duplicates()

    @work(thread=True, exit_on_error=False, group="merge")
    def _not_duplicates(self) -> None:
        try:
            self.store.not_duplicates(self.keep.id, self.gone.id)
        except StoreError as exc:
            self.app.call_from_thread(self.notify, printable(str(exc), False), severity="error", markup=False)
            return
        self.app.call_from_thread(self._said_not_duplicates)

    def _said_not_duplicates(self) -> None:
        self.notify(printable(f"{self.gone.key} and {self.keep.key}: not duplicates, and not offered as such again",
                              False), markup=False)
        self.dismiss(None)

class Merging:
    """`M` on the main screen (a part of MainScreen): merge the work shown into another."""

    def action_merge(self) -> None:
        if self.page is None or self.page.work.id is None or not self._writable("merged"):
            return
        self._offer_merge(self.page.work)

    @work(thread=True, exit_on_error=False, group="merge")
    def _offer_merge(self, this: Work) -> None:
        likely = first_duplicate(self.store, this.id)
        self.app.call_from_thread(self._pick_kept, this, likely)

    def _pick_kept(self, this: Work, likely: int | None) -> None:
        from .pick import PickWorkScreen

        def picked(row) -> None:
            if row is not None and not isinstance(row, tuple):
                self._compare(row.id, this.id)

        self.app.push_screen(PickWorkScreen(
            self.store, f"Merge “{printable(this.title, False)}” ({printable(this.key, False)}) into: "
                        "the work to keep", exclude=this.id, exclude_why="a work cannot be merged into itself",
            first=[likely] if likely is not None else [], doing="merge into", new_work=False), picked)

    @work(thread=True, exit_on_error=False, group="merge")
    def _compare(self, keep_id: int, gone_id: int) -> None:
        try:
            keep, gone = self.store.work_by_id(keep_id), self.store.work_by_id(gone_id)
        except StoreError as exc:
            self.app.call_from_thread(self.notify, printable(str(exc), False), severity="warning", markup=False)
            return
        self.app.call_from_thread(self._choose_fields, keep, gone)

    def _choose_fields(self, keep: Work, gone: Work) -> None:
        def chosen(choices: dict | None) -> None:
            if choices is not None:
                self._merge(keep.id, gone.id, choices)

        self.app.push_screen(MergeScreen(self.store, keep, gone), chosen)

    @work(thread=True, exit_on_error=False, group="change")
    def _merge(self, keep_id: int, gone_id: int, choices: dict) -> None:
        try:
            result = self.store.merge(keep_id, gone_id, choices)
            total = self.store.count()
        except StoreError as exc:
            self.app.call_from_thread(self.notify, printable(str(exc), False), severity="warning", markup=False)
            return
        self.app.call_from_thread(self._merged, result, total)

    def _merged(self, result, total: int) -> None:
        self.notify(printable(result.describe(), False), title="Merged", markup=False, timeout=10)
        self._request_list(self.query_text, self.sort, refresh=True)
        self._set_header(total)
        self.open(("work", result.kept.id))
