"""Pilot tests of `t` (reading state) and `N` (the note editor), and what the list and record page show."""

from __future__ import annotations

import sqlite3

from textual.widgets import TextArea

from tui.screens.edit import ConfirmScreen
from tui.screens.main import MainScreen
from tui.screens.note import NoteScreen
from tui.store import Store
from tui.widgets.record import RecordView
from tui.widgets.work_list import STATE_MARKS, WorkList

from .conftest import make_app, settle


def notes(app) -> list[str]:
    return [str(n.message) for n in app._notifications]


def page_text(app) -> str:
    view = app.screen.query_one(RecordView)
    out = []
    for line in view.doc.lines:
        if line.text is not None:
            out.append(line.text.plain)
        elif line.strip is not None:
            out.append("".join(seg.text for seg in line.strip))
    return "\n".join(out)


def list_line(app, index: int) -> str:
    works = app.screen.query_one(WorkList)
    works._top, works._width = works.scroll_offset.y, works.scrollable_content_region.width
    return "".join(seg.text for seg in works.render_line(index - works._top))


async def test_t_cycles_the_state_shown_in_the_list_and_on_the_page(seed_db):
    app = make_app(seed_db)
    async with app.run_test(size=(160, 45)) as pilot:
        await settle(pilot)
        main = app.screen
        key, work_id = main.page.work.key, main.page.work.id
        assert list_line(app, 0)[1] == " "
        for state in ("toread", "reading", "read"):
            await pilot.press("t")
            await settle(pilot)
            assert main.page.work.reading == state
            assert list_line(app, 0)[1] == STATE_MARKS[state]
        assert "Reading state: read" in page_text(app)
        assert any(f"{key}: read" in n for n in notes(app))
        await pilot.press("t")  # read -> none
        await settle(pilot)
        assert list_line(app, 0)[1] == " " and "Reading state" not in page_text(app)
        await pilot.press("u")
        await settle(pilot)
        assert main.page.work.reading == "read" and list_line(app, 0)[1] == "✓"
    with Store(seed_db) as store:
        assert store.reading_state(work_id)[0] == "read"


async def test_t_on_marked_works_is_one_change(seed_db):
    app = make_app(seed_db)
    async with app.run_test(size=(160, 45)) as pilot:
        await settle(pilot)
        await pilot.press("space", "space", "space")
        await settle(pilot)
        marked = list(app.screen.works.marked)
        await pilot.press("t")
        await settle(pilot)
        assert all(list_line(app, i)[1] == "○" for i in range(3)) and list_line(app, 3)[1] == " "
        assert any("3 works: to read" in n for n in notes(app))
        await pilot.press("/", *"state:toread")
        await settle(pilot)
        assert sorted(app.screen.works.source.ids) == sorted(marked)
        await pilot.press("escape")
        await settle(pilot)
        await pilot.press("u")
        await settle(pilot)
    with Store(seed_db) as store:
        assert store.reading_states(marked) == {}


async def test_note_written_saved_rendered_and_found(seed_db):
    app = make_app(seed_db)
    async with app.run_test(size=(160, 45)) as pilot:
        await settle(pilot)
        main = app.screen
        work_id = main.page.work.id
        await pilot.press("N")
        await settle(pilot)
        assert isinstance(app.screen, NoteScreen)
        area = app.screen.query_one(TextArea)
        area.insert("# Zanzibar\n\n[bold red]not markup[/] and \x1b[2J *emphasis*")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, MainScreen)
        text = page_text(app)
        assert "Zanzibar" in text and "# Zanzibar" not in text  # rendered: the heading's mark is gone
        assert "[bold red]not markup[/]" in text and "␛[2J" in text and "\x1b" not in text
        assert "emphasis" in text and "*emphasis*" not in text
        await pilot.press("/", *"zanzibar")
        await settle(pilot)
        assert app.screen.works.source.ids == [work_id]
    with Store(seed_db) as store:
        assert store.note(work_id).text.startswith("# Zanzibar")


async def test_escape_asks_before_losing_a_changed_note(seed_db):
    app = make_app(seed_db)
    async with app.run_test(size=(160, 45)) as pilot:
        await settle(pilot)
        work_id = app.screen.page.work.id
        await pilot.press("N")
        await settle(pilot)
        await pilot.press("escape")  # unchanged: closes at once
        await settle(pilot)
        assert isinstance(app.screen, MainScreen)
        await pilot.press("N")
        await settle(pilot)
        app.screen.query_one(TextArea).insert("draft")
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("n")  # keep editing
        await settle(pilot)
        assert isinstance(app.screen, NoteScreen) and app.screen.query_one(TextArea).text == "draft"
        await pilot.press("escape", "y")
        await settle(pilot)
        assert isinstance(app.screen, MainScreen)
    with Store(seed_db) as store:
        assert store.note(work_id) is None


async def test_a_note_of_a_work_deleted_meanwhile_is_kept(seed_db):
    app = make_app(seed_db)
    async with app.run_test(size=(160, 45)) as pilot:
        await settle(pilot)
        work_id = app.screen.page.work.id
        await pilot.press("N")
        await settle(pilot)
        app.screen.query_one(TextArea).insert("words worth keeping")
        with sqlite3.connect(seed_db) as conn:  # another process deletes the work
            conn.execute("PRAGMA foreign_keys = ON")
            conn.execute("DELETE FROM works WHERE id = ?", (work_id,))
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, NoteScreen)  # still open, the text still there
        error = str(app.screen.query_one("#note-error").render())
        assert "no longer in the catalogue" in error and "kept in" in error
        path = error.split("kept in ", 1)[1].split(" and copied")[0]
        with open(path, encoding="utf-8") as f:
            assert f.read() == "words worth keeping"
        assert app.clipboard == "words worth keeping"


async def test_a_note_too_big_is_refused_in_the_editor(seed_db):
    app = make_app(seed_db)
    async with app.run_test(size=(160, 45)) as pilot:
        await settle(pilot)
        work_id = app.screen.page.work.id
        await pilot.press("N")
        await settle(pilot)
        app.screen.query_one(TextArea).text = "x" * (10 * 1024 * 1024 + 1)
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, NoteScreen)
        assert "at most 10 MB" in str(app.screen.query_one("#note-error").render())
    with Store(seed_db) as store:
        assert store.note(work_id) is None


async def test_read_only_says_so_at_the_key(seed_db):
    app = make_app(seed_db)
    app.store.close()
    from tui.app import IbidApp

    app = IbidApp(Store(seed_db, read_only=True))
    async with app.run_test(size=(160, 45)) as pilot:
        await settle(pilot)
        await pilot.press("t", "N")
        await settle(pilot)
        assert isinstance(app.screen, MainScreen)
        assert sum("read-only" in n for n in notes(app)) == 2
