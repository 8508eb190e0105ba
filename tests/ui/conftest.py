"""Fixtures for the screen tests: catalogues built from the seeds and the real Turing graph."""

from __future__ import annotations

import shutil
from datetime import datetime, timezone
from pathlib import Path

import pytest
from textual.widgets import Static

from tests.conftest import require_shared_data
from tui.app import IbidApp
from tui.formats import parse_path
from tui.screens.main import MainScreen
from tui.seeds import open_catalogue
from tui.store import Store
from tui.widgets.record import RecordView

SEED_TITLE = "China and Russia in the SCO: Consensus & divergence"


def _fix_clock(mp: pytest.MonkeyPatch) -> None:
    moment = datetime(2026, 1, 15, 12, 0, tzinfo=timezone.utc)
    mp.setattr("tui.store.clock.today", lambda: moment)


@pytest.fixture(autouse=True)
def fixed_clock(monkeypatch):
    """A fixed clock: record pages (dates, 6-month counts, history) and snapshots do not drift."""
    _fix_clock(monkeypatch)


@pytest.fixture
def seed_db(tmp_path, fixed_clock) -> Path:
    """A new catalogue, built from seeds/ as on first run."""
    path = tmp_path / "catalog.db"
    open_catalogue(path).close()
    return path


@pytest.fixture(scope="session")
def turing_master(tmp_path_factory) -> Path:
    """The seeds plus the real Turing 1950 citation graph, imported once per session."""
    turing = require_shared_data("graph/turing1950/works.jsonl")
    path = tmp_path_factory.mktemp("turing") / "catalog.db"
    mp = pytest.MonkeyPatch()
    _fix_clock(mp)
    try:
        store = open_catalogue(path)
        store.import_batch(parse_path(turing))
        store.close()
    finally:
        mp.undo()
    return path


@pytest.fixture
def turing_db(turing_master, tmp_path) -> Path:
    """A private copy of the Turing catalogue, so tests may change it."""
    path = tmp_path / "catalog.db"
    shutil.copy(turing_master, path)
    return path


def make_app(path: Path) -> IbidApp:
    return IbidApp(Store(path))


async def settle(pilot, rounds: int = 60) -> None:
    """Wait until no worker runs and no message is pending (no sleeping on a clock)."""
    app = pilot.app
    for _ in range(rounds):
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        if not any(w.is_running for w in app.workers):
            screen = app.screen
            main = next((s for s in app.screen_stack if s.__class__.__name__ == "MainScreen"), None)
            busy = main is not None and (main._search_busy or main._detail_busy)
            if not busy and all(not w.is_running for w in app.workers):
                return
    raise AssertionError("the app did not settle")


def page_text(app) -> str:
    """The record page shown, as plain text, one line per page line."""
    view = app.screen.query_one(RecordView)
    assert view.doc is not None
    return "\n".join(line.text.plain if line.text is not None else "" for line in view.doc.lines)


def main_screen(app) -> MainScreen:
    return next(s for s in app.screen_stack if isinstance(s, MainScreen))


def status(app) -> str:
    return str(main_screen(app).query_one("#status", Static).render())
