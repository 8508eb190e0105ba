"""The Textual app: owns the store and installs the main screen."""

from __future__ import annotations

from collections.abc import Iterable

from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.screen import Screen

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
        self.sub_title = printable(store.path.name, newlines=False)

    def on_mount(self) -> None:
        self.push_screen(MainScreen(self.store))

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        yield from super().get_system_commands(screen)
        if isinstance(screen, MainScreen):
            yield SystemCommand("Search", "Search the catalogue as you type", screen.action_focus_search)
            yield SystemCommand("Sort", "Sort by added, title, year or most cited", screen.action_cycle_sort)
            yield SystemCommand("Author's profile", "The first author of the work shown", screen.action_author)
            yield SystemCommand("Copy BibTeX", "Copy the BibTeX of the work shown", screen.action_copy_bibtex)
            yield SystemCommand("Copy citation key", "Copy the key of the work shown", screen.action_copy_key)
            yield SystemCommand("Copy reference", "Copy a formatted reference", screen.action_copy_reference)
            yield SystemCommand("Back", "Back through what you opened", screen.action_back)
            yield SystemCommand("Forward", "Forward through what you opened", screen.action_forward)
            yield SystemCommand("Open link", "Open the DOI or URL in your browser", screen.action_open_link)
            yield SystemCommand("Open through your library", "OpenURL via your link resolver", screen.action_library_link)
            yield SystemCommand("Archive a copy", "Copy a file (a PDF) into the catalogue with this work",
                                screen.action_attach_file)
            yield SystemCommand("Export marked works", "Write the works marked with space to a file",
                                screen.action_export_marked)
            yield SystemCommand("Refresh", "Reload the list and the record", screen.action_reload)

    def action_toggle_help(self) -> None:
        if self.screen.query("HelpPanel"):
            self.action_hide_help_panel()
        else:
            self.action_show_help_panel()
