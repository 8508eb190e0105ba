"""The Textual app: owns the store and installs the main screen."""

from __future__ import annotations

from textual.app import App
from textual.binding import Binding

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
