"""Pilot tests of the keys that change the catalogue: c, r, delete, u, e, n."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner
from textual.widgets import TextArea

from tests.conftest import require_shared_data
from tui.app import IbidApp
from tui.cli import main as cli
from tui.formats import parse_path
from tui.screens.edit import ConfirmScreen, EditScreen
from tui.screens.main import MainScreen
from tui.screens.pick import PickWorkScreen
from tui.store import Store
from tui.widgets.record import RecordView

from .conftest import make_app, settle

BIBLATEX = "bib/biblatex/biblatex-examples.bib"


def notes(app) -> list[str]:
    return [str(n.message) for n in app._notifications]


def record(app) -> RecordView:
    return app.screen.query_one(RecordView)


@pytest.fixture
def kant_db(seed_db):
    """The seeded catalogue with biblatex's examples (Kant's two critiques among them)."""
    store = Store(seed_db)
    store.import_batch(parse_path(require_shared_data(BIBLATEX)))
    store.close()
    return seed_db


async def test_cite_and_reference_kant_then_remove_and_undo(kant_db):
    app = make_app(kant_db)
    async with app.run_test(size=(160, 45)) as pilot:
        await settle(pilot)
        main = app.screen
        assert main.page.work.key == "Wang2020China"
        await pilot.press("c")
        await settle(pilot)
        assert isinstance(app.screen, PickWorkScreen)
        await pilot.press(*"Urtheilskraft", "enter")
        await settle(pilot)
        await pilot.press("r")
        await settle(pilot)
        await pilot.press(*"praktischen Vernunft", "enter")
        await settle(pilot)
        assert isinstance(app.screen, MainScreen)
        assert [r.key for r in main.page.citations] == ["kant:ku"]
        assert [r.key for r in main.page.references] == ["kant:kpv"]
        assert "Citations of this work (1)" in "\n".join(
            line.text.plain for line in record(app).doc.lines if line.text is not None)
        # the cursor sits on the new reference: delete removes it, u brings it back
        assert record(app).section == "references"
        await pilot.press("tab", "delete")
        await settle(pilot)
        assert main.page.references == [] and main.page.reference_count == 0
        await pilot.press("u")
        await settle(pilot)
        assert [r.key for r in main.page.references] == ["kant:kpv"]
        assert any("Undid the removal of Wang2020China → kant:kpv" in n for n in notes(app))

    # committed: the command line sees the links, and so does a new run of the app
    result = CliRunner().invoke(cli, ["show", "Wang2020China", "--format", "json", "--db", str(kant_db)])
    data = json.loads(result.output)
    assert [c["key"] for c in data["citations"]] == ["kant:ku"]
    assert [r["key"] for r in data["references"]] == ["kant:kpv"]
    app = make_app(kant_db)
    async with app.run_test(size=(160, 45)) as pilot:
        await settle(pilot)
        assert [r.key for r in app.screen.page.citations] == ["kant:ku"]
        # undo survives the restart: the last change was the re-added reference's removal undone,
        # so the change before it (the reference itself) is what u undoes now
        await pilot.press("u")
        await settle(pilot)
        assert app.screen.page.references == []
        assert [r.key for r in app.screen.page.citations] == ["kant:ku"]


async def test_refusals_self_citation_and_repeat(kant_db):
    app = make_app(kant_db)
    async with app.run_test(size=(160, 45)) as pilot:
        await settle(pilot)
        await pilot.press("c", *"China Russia SCO", "enter")
        await settle(pilot)
        assert any("cannot cite itself" in n for n in notes(app))
        # the picker stays open with what was typed, to pick another
        assert isinstance(app.screen, PickWorkScreen)
        assert app.screen.query_one("#pick-search").value == "China Russia SCO"
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, MainScreen) and app.screen.page.citation_count == 0
        await pilot.press("r", *"praktischen Vernunft", "enter")
        await settle(pilot)
        await pilot.press("r", *"praktischen Vernunft", "enter")
        await settle(pilot)
        assert any("already cites kant:kpv" in n for n in notes(app))
        assert app.screen.page.reference_count == 1
        await pilot.press("c")
        await settle(pilot)
        await pilot.press("escape")  # cancelling the picker changes nothing
        await settle(pilot)
        assert isinstance(app.screen, MainScreen) and app.screen.page.citation_count == 0


async def test_picker_creates_a_work_from_pasted_bibtex(seed_db):
    app = make_app(seed_db)
    async with app.run_test(size=(160, 45)) as pilot:
        await settle(pilot)
        await pilot.press("r", *"nothing matches this", "ctrl+n")
        await settle(pilot)
        assert isinstance(app.screen, EditScreen)
        app.screen.query_one(TextArea).text = (
            "@article{Allison2004SCO,\n  author = {Allison, Roy},\n  title = {Regionalism, regional structures "
            "and security management in {Central Asia}},\n  journal = {International Affairs},\n"
            "  year = {2004},\n  volume = {80},\n  number = {3},\n  pages = {463--483},\n}\n")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, MainScreen)
        assert [r.key for r in app.screen.page.references] == ["Allison2004SCO"]
        assert app.store.work("Allison2004SCO").venue_line == "International Affairs 80 (3):463-483 (2004)"


async def test_edit_in_place_keeps_links_and_validates(kant_db):
    store = Store(kant_db)
    store.cite("kant:ku", "Wang2020China")
    store.close()
    app = make_app(kant_db)
    async with app.run_test(size=(160, 45)) as pilot:
        await settle(pilot)
        await pilot.press("e")
        await settle(pilot)
        area = app.screen.query_one(TextArea)
        assert area.text.startswith("@article{Wang2020China,")
        # invalid: the key of another work
        area.text = area.text.replace("Wang2020China", "kant:kpv", 1)
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, EditScreen)
        assert "already used by another work" in str(app.screen.query_one("#edit-error").render())
        # invalid: not BibTeX
        area.text = "@article{broken, title = {unclosed"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, EditScreen)
        assert str(app.screen.query_one("#edit-error").render())
        # valid: a new key and title; the citation stays with the work
        area.text = (
            "@article{Wang2020SCO,\n  author = {Wang, Li},\n  title = {China and Russia in the SCO},\n"
            "  journal = {Human Affairs},\n  year = {2020},\n}\n")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, MainScreen)
        assert app.screen.page.work.key == "Wang2020SCO"
        assert [r.key for r in app.screen.page.citations] == ["kant:ku"]
        # escape with changes asks first; "n" keeps editing, "y" discards
        await pilot.press("e")
        await settle(pilot)
        app.screen.query_one(TextArea).text = "changed"
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("n")
        await settle(pilot)
        assert isinstance(app.screen, EditScreen)
        await pilot.press("escape", "y")
        await settle(pilot)
        assert isinstance(app.screen, MainScreen)
        assert app.store.work("Wang2020SCO").title == "China and Russia in the SCO"
        # u undoes the edit: the old key and title are back
        await pilot.press("u")
        await settle(pilot)
        assert app.store.work("Wang2020China").title.startswith("China and Russia in the SCO: Consensus")


async def test_new_work_refuses_a_taken_key(seed_db):
    app = make_app(seed_db)
    async with app.run_test(size=(160, 45)) as pilot:
        await settle(pilot)
        await pilot.press("n")
        await settle(pilot)
        area = app.screen.query_one(TextArea)
        area.text = "@book{Hu2006Culture,\n  title = {Taken},\n}\n"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert "already used" in str(app.screen.query_one("#edit-error").render())
        area.text = "@book{Fresh2020,\n  title = {A fresh book},\n  year = {2020},\n}\n"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, MainScreen)
        assert app.screen.page.work.key == "Fresh2020"
        assert app.store.count() == 6


async def test_read_only_catalogue_refuses_changes_and_keeps_browsing(kant_db):
    """Read-only: each key that would change the catalogue says so at once, and opens nothing
    (an edit typed, or a work searched for to link, would be lost at the save)."""
    app = IbidApp(Store(kant_db, read_only=True))
    async with app.run_test(size=(160, 45)) as pilot:
        await settle(pilot)
        assert "(read-only)" in app.sub_title
        for key in ("e", "n", "c", "r", "f"):
            app._notifications.clear()
            await pilot.press(key)
            await settle(pilot)
            assert isinstance(app.screen, MainScreen), key
            assert any("read-only" in n for n in notes(app)), key
        await pilot.press("j")
        await settle(pilot)
        assert app.screen.page.work.key != "Wang2020China"


async def test_the_picker_lists_a_work_typed_by_its_key_or_title_start_first(tmp_path):
    """In the picker (`c`, `r`), `enter` links the first hit: the work whose key was typed, or
    whose title begins with the words typed (diacritics aside), comes before works ranked higher
    for holding the word elsewhere (a short title with a long abstract ranks low by bm25)."""
    from tui.formats import Batch
    from tui.models import Author, Work

    store = Store(tmp_path / "pick.db")
    filler = " ".join(f"word{i}" for i in range(300))
    works = [Work(key="Here", title="Seed of the catalogue", authors=[Author("Ann Lee")], year=2001)]
    works += [Work(key=f"Other{i}", title=f"On Haistgo number {i}", year=2000 + i) for i in range(12)]
    works += [Work(key="Target", title="Haïstgo or such its Categories", abstract=filler, year=1990),
              Work(key="Zed2020Key", title="Nothing alike", year=2020)]
    store.import_batch(Batch(works=works))
    ranked = store.search_ids("haistgo", "relevance", 50)
    assert ranked.index(store.work("Target").id) > 0  # bm25 alone does not put it first
    store.close()
    app = make_app(tmp_path / "pick.db")
    async with app.run_test(size=(160, 45)) as pilot:
        await settle(pilot)
        main = app.screen
        await pilot.press("c")
        await settle(pilot)
        await pilot.press(*"haistgo", "enter")
        await settle(pilot)
        assert [r.key for r in main.page.citations] == ["Target"]
        await pilot.press("r")
        await settle(pilot)
        await pilot.press(*"Zed2020Key", "enter")  # a key: not in the full-text index at all
        await settle(pilot)
        assert [r.key for r in main.page.references] == ["Zed2020Key"]
