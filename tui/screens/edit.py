"""Edit a work as BibTeX (`e`), or write a new one (`n`): validated before anything is saved."""

from __future__ import annotations

from collections.abc import Callable

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.strip import Strip
from textual.widgets import Button, Static, TextArea

from ..formats import FormatError
from ..formats.bibtex import parse_one
from ..models import Work
from ..safe import printable
from ..store import StoreError
from ..widgets.errors import ReportsWorkerErrors
from ..widgets.safe_input import safe_strip


class SafeTextArea(TextArea):
    """A TextArea that edits the text as it is but draws its control characters visibly
    (here, not beside SafeInput: importing TextArea would slow every start-up)."""

    def render_line(self, y: int) -> Strip:
        return safe_strip(super().render_line(y))


NEW_WORK = """@article{Key2024Word,
  author = {Family, Given and Other, Author},
  title = {Title},
  journal = {Journal},
  year = {2024},
  volume = {1},
  number = {1},
  pages = {1--10},
  doi = {},
  abstract = {},
}
"""


class ConfirmScreen(ModalScreen[bool]):
    """A yes/no question."""

    BINDINGS = [Binding("y", "answer(True)", "Yes"), Binding("n,escape", "answer(False)", "No")]

    def __init__(self, question: str) -> None:
        super().__init__()
        self.question = question

    def compose(self) -> ComposeResult:
        with Vertical(id="confirm-dialog", classes="dialog"):
            yield Static(Text(self.question))
            with Horizontal(classes="buttons"):
                yield Button("Yes (y)", id="yes", variant="error")
                yield Button("No (n)", id="no", variant="primary")

    def action_answer(self, yes: bool) -> None:
        self.dismiss(yes)

    @on(Button.Pressed)
    def _pressed(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id == "yes")


class EditScreen(ReportsWorkerErrors, ModalScreen[Work | None]):
    """A work's BibTeX in a text area; `ctrl+s` checks it, saves it, and closes."""

    BINDINGS = [
        Binding("ctrl+s", "save", "Save", id="save", priority=True),
        Binding("escape", "cancel", "Cancel", id="cancel", priority=True),
    ]

    def __init__(self, title: str, text: str, save: Callable[[Work], Work], select_all: bool = False) -> None:
        super().__init__()
        self.select_all = select_all  # a template: a paste replaces it
        self.heading = title
        self.original = text
        self.save = save  # runs in a worker thread; raises StoreError to refuse

    def compose(self) -> ComposeResult:
        with Vertical(id="edit-dialog", classes="dialog"):
            yield Static(Text(self.heading, style="bold"))
            yield SafeTextArea(self.original, id="bibtex", language=None, soft_wrap=True, show_line_numbers=True)
            yield Static("", id="edit-error")
            yield Static(Text("ctrl+s save · escape cancel", style="dim"))

    def on_mount(self) -> None:
        area = self.query_one(TextArea)
        self.original = area.text  # as the area holds it (it makes a lone \r a line break)
        area.focus()
        if self.select_all:
            area.select_all()

    def _error(self, message: str) -> None:
        self.query_one("#edit-error", Static).update(Text(printable(message, newlines=False), style="bold red"))

    def action_save(self) -> None:
        try:
            work_ = parse_one(self.query_one(TextArea).text)
        except FormatError as exc:
            self._error(str(exc))
            return
        self._error("Saving…")
        self._save(work_)

    @work(thread=True, exclusive=True, exit_on_error=False, group="edit-save")
    def _save(self, work_: Work) -> None:
        try:
            saved = self.save(work_)
        except StoreError as exc:
            self.app.call_from_thread(self._error, str(exc))
            return
        self.app.call_from_thread(self.dismiss, saved)

    def action_cancel(self) -> None:
        if self.query_one(TextArea).text == self.original:
            self.dismiss(None)
            return

        def answered(discard: bool | None) -> None:
            if discard:
                self.dismiss(None)

        self.app.push_screen(ConfirmScreen("Discard your changes?"), answered)
