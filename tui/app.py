"""The Textual app: owns the store and installs the main screen."""

from __future__ import annotations

import gc
import os
import time
from collections.abc import Iterable

import textual.screen
from textual import events, work
from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.screen import Screen

from .history import History, Target
from .safe import printable
from .screens.main import MainScreen
from .store import Store

# A screen draws what changed at most this often. Textual's 60 (its TEXTUAL_FPS) makes every
# change wait a whole 16.7 ms tick before its frame: at 120, a keystroke's first results show
# sooner. TEXTUAL_FPS still wins when set.
FRAMES_PER_SECOND = int(os.environ.get("TEXTUAL_FPS") or 120)
textual.screen.UPDATE_PERIOD = 1 / FRAMES_PER_SECOND


KEEP_POLL_SECONDS = 0.5  # kept exports are rewritten within a second of a change, any process's


class IbidApp(App):
    """ibid: the record page of each work, in the terminal."""

    CSS_PATH = "app.tcss"
    TITLE = "ibid"
    BINDINGS = [
        Binding("q", "quit", "Quit", id="quit"),
        Binding("question_mark", "toggle_help", "Help", id="help"),
    ]

    # Python's cyclic garbage collector, run when the user is idle rather than in a keystroke:
    # a full collection of the many objects a running browser holds (Textual's widgets, styles
    # and caches) is long enough to be felt, and younger ones came often.
    GC_IDLE_S = 0.5  # no key or mouse for this long: collect the young generations
    GC_FULL_IDLE_S = 2.0  # ... and for this long: everything, at most every GC_FULL_EVERY_S
    GC_FULL_EVERY_S = 30.0
    GC_MAX_PENDING = 100_000  # allocations without a pause: collect the youngest anyway

    def __init__(self, store: Store) -> None:
        super().__init__()
        self.store = store
        self.history = History()  # what was opened: the main and author screens move through it
        self.main_screen: MainScreen | None = None
        self.sub_title = printable(store.path.name, newlines=False)
        self._last_input = time.monotonic()
        self._last_full_gc = time.monotonic()
        self._gc_was_enabled = gc.isenabled()
        self._idle_gc_started = False
        self._unmounted = False
        self._started = time.monotonic()

    def on_mount(self) -> None:
        # Start-up makes many objects and hardly any garbage, yet the collector ran again and
        # again in it (a full collection in the first frame): off until _start_idle_gc, which
        # collects once and hands it to the pauses.
        gc.disable()
        self.main_screen = MainScreen(self.store)
        self.push_screen(self.main_screen)
        self.set_timer(3.0, self._start_idle_gc)
        self._kept_seen = (self.store.data_version(), self.store.commits)
        self.set_interval(KEEP_POLL_SECONDS, self._keep_exports)

    # -- kept exports: rewritten off the UI thread when the catalogue changed (tui/keep.py)

    kept_failed: list[str] = []  # kept exports the last try could not write (the header says so)
    _keeping = False

    def _keep_exports(self) -> None:
        if self._keeping or self.store.read_only:
            return
        try:
            marker = (self.store.data_version(), self.store.commits)
        except Exception:  # (locked, gone): the next tick looks again
            return
        if marker == self._kept_seen:
            return
        self._kept_seen = marker
        self._keeping = True
        self._rewrite_kept()

    @work(thread=True, exit_on_error=False, group="keep")
    def _rewrite_kept(self) -> None:
        from .keep import refresh
        from .store import StoreError

        try:
            failed = [what for _path, what in refresh(self.store) if what not in ("written", "unchanged")]
        except StoreError:
            failed = None
        self.call_from_thread(self._kept_done, failed)

    def _kept_done(self, failed: list[str] | None) -> None:
        self._keeping = False
        if failed is not None and failed != self.kept_failed:
            self.kept_failed = failed
            if self.main_screen is not None:
                self.main_screen._set_header()

    def _start_idle_gc(self) -> None:
        """After start-up: what exists now (modules, styles, the screen) is frozen out of every
        future collection, and collections wait for the user to pause."""
        if self._idle_gc_started or self._unmounted:
            return  # (a timer can still fire as the app closes: never leave the collector off)
        now = time.monotonic()
        if now - self._last_input < self.GC_IDLE_S and now - self._started < self.GC_FULL_EVERY_S:
            self.set_timer(self.GC_IDLE_S, self._start_idle_gc)  # typing: this collection is a full one
            return
        self._idle_gc_started = True
        gc.collect()
        gc.freeze()
        gc.disable()
        self.set_interval(0.25, self._idle_gc)

    def _idle_gc(self) -> None:
        now = time.monotonic()
        idle = now - self._last_input
        if idle >= self.GC_FULL_IDLE_S and now - self._last_full_gc >= self.GC_FULL_EVERY_S:
            gc.collect()
            self._last_full_gc = now
        elif idle >= self.GC_IDLE_S and gc.get_count()[0] > 1000:
            gc.collect(1)
        elif gc.get_count()[0] > self.GC_MAX_PENDING:
            gc.collect(0)

    async def on_event(self, event: events.Event) -> None:
        if isinstance(event, (events.Key, events.MouseDown, events.MouseScrollDown, events.MouseScrollUp)):
            self._last_input = time.monotonic()
        await super().on_event(event)

    def on_unmount(self) -> None:
        self._unmounted = True
        if self._idle_gc_started:
            gc.unfreeze()  # the process may go on (tests run many apps in one): as it was
        if self._gc_was_enabled:
            gc.enable()

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
            yield SystemCommand("Add by identifier", "Add works by DOI, arXiv id or ISBN, fetched from their sources",
                                screen.action_add_by_identifier)
            yield SystemCommand("Export marked works", "Write the works marked with space to a file",
                                screen.action_export_marked)
            yield SystemCommand("Refresh", "Reload the list and the record", screen.action_reload)

    # -- moving through the history, from any screen (the main screen shows what is opened)

    def open_target(self, target: Target) -> None:
        """Open a work or an author, as `enter` on a link does."""
        if self.main_screen is not None:
            self.main_screen.open(target)

    def go_back(self) -> None:
        if self.main_screen is not None:
            self.main_screen.action_back()

    def go_forward(self) -> None:
        if self.main_screen is not None:
            self.main_screen.action_forward()

    def action_toggle_help(self) -> None:
        if self.screen.query("HelpPanel"):
            self.action_hide_help_panel()
        else:
            self.action_show_help_panel()
