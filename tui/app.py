"""The Textual app: owns the store, installs the main screen, turns worker errors into messages."""

from __future__ import annotations

from textual import on
from textual.app import App
from textual.binding import Binding
from textual.worker import Worker, WorkerState

from .safe import printable
from .screens.main import MainScreen
from .store import Store


class IbidApp(App):
    """ibid: the record page of each work, in the terminal."""

    CSS_PATH = "app.tcss"
    TITLE = "ibid"
    BINDINGS = [
        Binding("q", "quit", "Quit", id="quit"),
        Binding("question_mark", "toggle_help", "Help", id="help"),
    ]

    def __init__(self, store: Store) -> None:
        super().__init__()
        self.store = store
        self.sub_title = store.path.name

    def on_mount(self) -> None:
        self.push_screen(MainScreen(self.store))

    def action_toggle_help(self) -> None:
        if self.screen.query("HelpPanel"):
            self.action_hide_help_panel()
        else:
            self.action_show_help_panel()

    @on(Worker.StateChanged)
    def _worker_failed(self, event: Worker.StateChanged) -> None:
        if event.state == WorkerState.ERROR:
            error = event.worker.error
            self.notify(printable(str(error) or type(error).__name__, newlines=False),
                        title="Something went wrong", severity="error", markup=False)
