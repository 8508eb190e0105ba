"""The record page's "Possible duplicate" lines and the author page's "also written as" (issue 19)."""

from __future__ import annotations

from tui.models import Author, Work
from tui.screens.author import AuthorScreen
from tui.screens.main import MainScreen
from tui.store import Store
from tui.widgets.record import RecordView

from .conftest import main_screen, make_app, page_text, settle


def shown_key(app) -> str:
    page = main_screen(app).page
    return page.work.key if page else ""


async def move_to(pilot, view: RecordView, words: str) -> None:
    for _ in range(40):
        if view.target is not None and words in view.doc.lines[view.items[view.cursor]].text.plain:
            return
        await pilot.press("down")
    raise AssertionError(f"no link reading {words!r} on the page")


async def test_possible_duplicate_line_opens_the_other_work(tmp_path):
    path = tmp_path / "c.db"
    with Store(path) as store:
        store.add_work(Work(key="lp84", title="Literate Programming", year=1984, type="article",
                            authors=[Author("Donald E. Knuth")], doi="10.1093/comjnl/27.2.97"))
        store.add_work(Work(key="other", title="Something else entirely", year=1990, authors=[Author("Leslie Lamport")]))
        store.add_work(Work(key="lp-copy", title="Literate programming.", year=1984, type="article",
                            authors=[Author("Knuth, D. E.")], doi="https://doi.org/10.1093/COMJNL/27.2.97"))
    app = make_app(path)
    async with app.run_test(size=(140, 40)) as pilot:
        await settle(pilot)
        assert shown_key(app) == "lp84"  # (the list: in the order added)
        text = page_text(app)
        assert "Possible duplicate (same DOI; M merges): lp-copy — Literate programming. (1984)" in text
        assert text.count("Possible duplicate") == 1  # not the unrelated work
        await pilot.press("tab")
        view = app.screen.query_one(RecordView)
        await move_to(pilot, view, "Possible duplicate")
        await pilot.press("enter")
        await settle(pilot)
        assert shown_key(app) == "lp-copy"
        assert "Possible duplicate (same DOI; M merges): lp84 — Literate Programming (1984)" in page_text(app)
        # the user says they are two works: the line goes (and comes back with u)
        app.store.not_duplicates(app.store.work("lp84").id, app.store.work("lp-copy").id)
        await pilot.press("ctrl+r")
        await settle(pilot)
        assert "Possible duplicate" not in page_text(app)
        await pilot.press("u")
        await settle(pilot)
        assert "M merges): lp84" in page_text(app)


async def test_author_page_offers_other_spellings(tmp_path):
    path = tmp_path / "c.db"
    with Store(path) as store:
        store.add_work(Work(key="t1", title="The TeXbook", authors=[Author("Donald E. Knuth"), Author("Duane Bibby")]))
        store.add_work(Work(key="t2", title="The METAFONTbook", authors=[Author("Donald Ervin Knuth"), Author("Duane Bibby")]))
        store.add_work(Work(key="t3", title="Another", authors=[Author("David F. Knuth"), Author("Duane Bibby")]))
    app = make_app(path)
    async with app.run_test(size=(140, 40)) as pilot:
        await settle(pilot)
        await pilot.press("down")  # t2
        await settle(pilot)
        assert shown_key(app) == "t2"
        await pilot.press("a")
        await settle(pilot)
        assert isinstance(app.screen, AuthorScreen)
        text = page_text(app)
        assert text.startswith("Donald Ervin Knuth")
        assert "Also written as Donald E. Knuth (may be the same person)" in text
        assert "David F. Knuth" not in text.split("Works in the catalogue")[0]
        view = app.screen.query_one(RecordView)
        await move_to(pilot, view, "Also written as")
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, AuthorScreen)
        assert page_text(app).startswith("Donald E. Knuth")
        assert "Also written as Donald Ervin Knuth" in page_text(app)
        assert not isinstance(app.screen, MainScreen)
