"""A work's note (`N`: a Markdown editor, `ctrl+s` saves) and its reading state (`t` cycles it)."""

from __future__ import annotations

import re
import tempfile
from collections.abc import Callable
from pathlib import Path

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Static, TextArea

from ..safe import printable
from ..store import Gone, StoreError
from ..widgets.errors import ReportsWorkerErrors
from .edit import ConfirmScreen, SafeTextArea

STATE_WORDS = {"toread": "to read", "reading": "reading", "read": "read", None: "no reading state"}


def keep_text(key: str, text: str) -> Path:
    """The text of a note that could not be saved, in a file of its own (a temporary folder)."""
    name = re.sub(r"[^A-Za-z0-9_.-]", "_", key[:40])
    with tempfile.NamedTemporaryFile("w", encoding="utf-8", prefix=f"ibid-note-{name}-", suffix=".md",
                                     delete=False) as f:
        f.write(text)
    return Path(f.name)


class NoteScreen(ReportsWorkerErrors, ModalScreen[bool]):
    """A work's note in a text area (Markdown); `ctrl+s` saves and closes, `escape` asks first
    if the text changed. Dismissed with True when saved."""

    BINDINGS = [
        Binding("ctrl+s", "save", "Save", id="save", priority=True),
        Binding("escape", "cancel", "Cancel", id="cancel", priority=True),
    ]

    def __init__(self, key: str, text: str, save: Callable[[str, str], object]) -> None:
        super().__init__()
        self.key = key
        self.original = text  # the note as it was opened: the store refuses if it changed meanwhile
        self.opened = text
        self.save = save  # (text, expected) -> runs in a worker thread; raises StoreError to refuse

    def compose(self) -> ComposeResult:
        with Vertical(id="note-dialog", classes="dialog"):
            yield Static(Text(f"Note on {printable(self.key, False)} (Markdown)", style="bold"))
            area = SafeTextArea(self.original, id="note-text", soft_wrap=True, show_line_numbers=False)
            if "markdown" in area.available_languages:  # (tree-sitter's grammar, when installed)
                area.language = "markdown"
            yield area
            yield Static("", id="note-error")
            yield Static(Text("ctrl+s save · escape cancel · an empty note is removed", style="dim"))

    def on_mount(self) -> None:
        area = self.query_one(TextArea)
        self.opened = area.text  # as the area holds it (it makes a lone \r a line break)
        area.focus()

    def _error(self, message: str) -> None:
        self.query_one("#note-error", Static).update(Text(printable(message), style="bold red"))

    def action_save(self) -> None:
        self._error("Saving…")
        self._save(self.query_one(TextArea).text)

    @work(thread=True, exclusive=True, exit_on_error=False, group="note-save")
    def _save(self, text: str) -> None:
        try:
            self.save(text, self.original)
        except Gone as exc:
            # the work went (another process): the text is kept, in a file and on the clipboard
            try:
                kept = f"your text is kept in {keep_text(self.key, text)} and copied to the clipboard"
            except OSError as err:
                kept = f"it could not be written to a file ({err.strerror or err}): it is copied to the clipboard"
            self.app.call_from_thread(self.app.copy_to_clipboard, text)
            self.app.call_from_thread(self._error, f"{exc}; {kept}")
            return
        except StoreError as exc:
            self.app.call_from_thread(self._error, str(exc))
            return
        self.app.call_from_thread(self.dismiss, True)

    def action_cancel(self) -> None:
        if self.query_one(TextArea).text == self.opened:
            self.dismiss(False)
            return

        def answered(discard: bool | None) -> None:
            if discard:
                self.dismiss(False)

        self.app.push_screen(ConfirmScreen("Discard your changes to the note?"), answered)


class ReadingActions:
    """`t` and `N` on the main screen (a part of MainScreen)."""

    def _reading_ids(self) -> list[int]:
        """The works `t` acts on: the marked ones, else the one shown."""
        if self.works.marked:
            return list(self.works.marked)
        return [self.page.work.id] if self.page is not None and self.page.work.id is not None else []

    def action_reading_state(self) -> None:
        ids = self._reading_ids()
        if not ids or not self._writable("changed"):
            return
        self._cycle_reading(ids)

    @work(thread=True, exit_on_error=False, group="change")
    def _cycle_reading(self, ids: list[int]) -> None:
        try:
            state = self.store.cycle_reading(ids)
        except StoreError as exc:
            self.app.call_from_thread(self.notify, printable(str(exc), False), severity="warning", markup=False)
            return
        self.app.call_from_thread(self._reading_changed, ids, state)

    def _reading_changed(self, ids: list[int], state: str | None) -> None:
        self.works.set_states(ids, state)
        whose = f"{len(ids):,} works" if len(ids) > 1 else (self.page.work.key if self.page is not None else "the work")
        self.notify(printable(f"{whose}: {STATE_WORDS.get(state, state)} (t again changes it, u undoes)", False),
                    markup=False)
        if "state:" in self.query_text:
            self._request_list(self.query_text, self.sort, refresh=True)  # it may no longer be listed
        if self.current is not None:
            self._remember_cursor(self.current)
            self._request_detail(self.current)

    def action_note(self) -> None:
        if self.page is None or self.page.work.id is None or not self._writable("changed"):
            return
        work_ = self.page.work

        def saved(done: bool | None) -> None:
            if done:
                self.notify(printable(f"Saved the note on {work_.key} (u undoes)", False), markup=False)
                self._after_change(reload_list=bool(self.query_text.strip()))

        self.app.push_screen(NoteScreen(work_.key, work_.note,
                                        lambda text, was: self.store.set_note(work_.id, text, expected=was)), saved)
