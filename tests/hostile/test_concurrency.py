"""Concurrency: `ibid import` (a real process) runs while the browser is open.

The browser keeps answering keys while the import holds the write lock; afterwards it shows
the new works by itself (it polls SQLite's data_version, two cheap queries every 2 s; the
tests call the poll rather than waiting on its timer) and with ctrl+r, keeping the cursor.
"""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

from textual.widgets import Static

from tests.conftest import require_shared_data
from tui.app import IbidApp
from tui.screens.main import CHANGE_POLL_SECONDS, MainScreen
from tui.store import Store
from tui.widgets.work_list import WorkList

from ..ui.conftest import settle
from .conftest import FIXTURES, IBID


def ibid_cmd() -> list[str]:
    return [str(IBID)] if IBID.exists() else [sys.executable, "-m", "tui"]


async def run_ibid(*args: str) -> tuple[int, str, str]:
    proc = await asyncio.create_subprocess_exec(*ibid_cmd(), *args, stdout=asyncio.subprocess.PIPE,
                                                stderr=asyncio.subprocess.PIPE)
    out, err = await proc.communicate()
    return proc.returncode, out.decode(), err.decode()


def status(app) -> str:
    return str(app.screen.query_one("#status", Static).render())


async def new_catalogue(tmp_path: Path) -> Path:
    db = tmp_path / "catalog.db"
    code, _, err = await run_ibid("--db", str(db), "import", str(FIXTURES / "small.bib"))
    assert code == 0, err
    return db


async def test_the_browser_answers_during_an_import_and_shows_its_works_after(tmp_path: Path, cases):
    big = require_shared_data("bench/aan-acl-metadata.bib")
    db = await new_catalogue(tmp_path)
    app = IbidApp(Store(db))
    async with app.run_test(size=(140, 45)) as pilot:
        await settle(pilot)
        main = app.screen
        assert isinstance(main, MainScreen)
        before = main.works.total
        await pilot.press("j", "j")
        await settle(pilot)
        here = main.page.work.id
        proc = await asyncio.create_subprocess_exec(*ibid_cmd(), "--db", str(db), "import", str(big),
                                                    stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
        answered = 0
        while proc.returncode is None:  # keep using the browser as long as the import runs
            for key in ("j", "k"):
                cases()
                await pilot.press(key)
                await settle(pilot)
                assert main.page is not None
                answered += 1
            main.query_one("#search").value = "Gödel" if answered % 4 else ""
            await settle(pilot)
            try:
                await asyncio.wait_for(proc.wait(), 0.05)
            except asyncio.TimeoutError:
                pass
        out, err = await proc.communicate()
        assert proc.returncode == 0, err.decode()
        assert answered >= 2
        main.query_one("#search").value = ""
        await settle(pilot)
        await pilot.press("home", "j", "j")
        await settle(pilot)
        assert main.page.work.id == here
        # no key pressed: the poll notices the other process's commit
        cases()
        main.poll_changes()
        await settle(pilot)
        added = int(out.decode().split(": ", 1)[1].split(" added", 1)[0])
        assert added > 10_000
        assert main.works.total == before + added
        assert f"{before + added:,} works" in status(app)
        assert main.page.work.id == here and main.works.cursor == 2  # the cursor stayed put


async def test_ctrl_r_shows_another_process_changes(tmp_path: Path, cases):
    db = await new_catalogue(tmp_path)
    app = IbidApp(Store(db))
    async with app.run_test(size=(140, 45)) as pilot:
        await settle(pilot)
        main = app.screen
        before = main.works.total
        code, _, err = await run_ibid("--db", str(db), "import", str(FIXTURES / "small.jsonl"))
        assert code == 0, err
        cases()
        await pilot.press("ctrl+r")
        await settle(pilot)
        assert main.works.total > before
        # another process links two works: the page shown gains the citation after ctrl+r
        key = main.page.work.key
        other = app.store.work("Goedel1931").key if key != "Goedel1931" else "Turing1936"
        code, _, err = await run_ibid("--db", str(db), "cite", other, key)
        assert code == 0, err
        cases()
        await pilot.press("ctrl+r")
        await settle(pilot)
        assert any(r.key == other for r in main.page.citations)


async def test_the_poll_reloads_for_others_not_for_its_own_views(tmp_path: Path, cases):
    db = await new_catalogue(tmp_path)
    app = IbidApp(Store(db))
    async with app.run_test(size=(140, 45)) as pilot:
        await settle(pilot)
        main = app.screen
        assert CHANGE_POLL_SECONDS <= 5
        reloads = []
        real = main.action_reload
        main.action_reload = lambda: (reloads.append(1), real())[1]
        cases()
        await pilot.press("b")  # a copy: the app's own write (its count)
        await settle(pilot)
        main.poll_changes()
        await settle(pilot)
        assert reloads == []
        cases()
        code, _, err = await run_ibid("--db", str(db), "cite", "Goedel1931", "Turing1936")
        assert code == 0, err
        main.poll_changes()
        await settle(pilot)
        assert reloads == [1]
        cases()
        main.poll_changes()  # nothing new since
        await settle(pilot)
        assert reloads == [1]
        assert main.query_one(WorkList).total == main.works.total
