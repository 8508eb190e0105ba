"""An author's profile: name, affiliation, their works in the catalogue, co-authors."""

from __future__ import annotations

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import Header

from ..models import AuthorPage
from ..store import Store, StoreError
from ..widgets.errors import ReportsWorkerErrors
from ..widgets.key_bar import KeyBar
from ..widgets.record import RecordView, Target, author_document, message_document


class AuthorScreen(ReportsWorkerErrors, Screen):
    """The author's profile; opening a work returns to the record page."""

    HELP = """\
# Author's profile

`up`/`down` walk the author's works and co-authors, `enter` opens one;
`backspace` goes back, `]` forward.
"""

    BINDINGS = [
        Binding("backspace,escape", "back", "Back", id="back"),
        Binding("right_square_bracket", "forward", "Forward", id="forward"),
    ]

    def __init__(self, store: Store, author_id: int, cursor: Target | None = None) -> None:
        super().__init__()
        self.store = store
        self.author_id = author_id
        self.cursor_target = cursor
        self.page: AuthorPage | None = None

    def compose(self) -> ComposeResult:
        yield Header()
        yield RecordView(id="author-record")
        yield KeyBar()

    def on_mount(self) -> None:
        self.query_one(RecordView).focus()
        self.show(self.author_id, self.cursor_target)

    def show(self, author_id: int, cursor: Target | None = None) -> None:
        """Show another author on this screen."""
        self.author_id = author_id
        self.cursor_target = cursor
        self._load(author_id, cursor)

    @work(thread=True, exclusive=True, exit_on_error=False, group="author")
    def _load(self, author_id: int, cursor: Target | None) -> None:
        try:
            page = self.store.author_page(author_id)
        except StoreError as exc:
            self.app.call_from_thread(self._message, str(exc))
            return
        self.app.call_from_thread(self._ready, author_id, page, cursor)

    def _ready(self, author_id: int, page: AuthorPage, cursor: Target | None) -> None:
        if author_id != self.author_id:
            return  # another author was asked for since
        self.page = page
        self.query_one(RecordView).show(author_document, page, ("author", author_id), cursor)

    def _message(self, text: str) -> None:
        self.query_one(RecordView).show(message_document, text)

    @on(RecordView.Opened)
    def _opened(self, event: RecordView.Opened) -> None:
        event.stop()
        self.app.open_target(event.target)

    def action_back(self) -> None:
        if self.app.history.back_stack:
            self.app.go_back()
        else:
            self.app.pop_screen()

    def action_forward(self) -> None:
        self.app.go_forward()
