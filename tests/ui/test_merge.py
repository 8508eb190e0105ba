"""Pilot tests of `M`: merge the work shown into another, field by field, and undo it."""

from __future__ import annotations

from pathlib import Path

import pytest

from tui.formats import bibtex
from tui.models import PossibleDuplicate
from tui.screens.main import MainScreen
from tui.screens.merge import MergeScreen
from tui.screens.pick import PickWorkScreen
from tui.store import Store

from .conftest import make_app, settle

BIB = r"""
@book{knuth1984,
  author = {Knuth, Donald E.},
  title = {The {TeX}book},
  year = {1984},
  publisher = {Addison-Wesley},
}
@book{texbook84,
  author = {Knuth, Donald Ervin},
  title = {The {TeX}book [bold]},
  year = {1984},
  doi = {10.1000/texbook},
  abstract = {The definitive guide to TeX.},
}
@article{citer,
  author = {Other, Anne},
  title = {On typesetting},
  year = {1990},
}
"""


@pytest.fixture
def dup_db(tmp_path: Path) -> Path:
    path = tmp_path / "catalog.db"
    with Store(path) as store:
        store.import_batch(bibtex.parse_string(BIB, "dups.bib"))
        store.cite("citer", "texbook84")
        store.record_event(store.resolve_key("texbook84"), "view")
    return path


def notes(app) -> list[str]:
    return [str(n.message) for n in app._notifications]


async def open_work(pilot, key: str) -> MainScreen:
    main = pilot.app.screen
    main.open(("work", main.store.resolve_key(key)))
    await settle(pilot)
    assert main.page.work.key == key
    return main


async def test_merge_picks_the_work_to_keep_chooses_fields_and_undoes(dup_db: Path):
    app = make_app(dup_db)
    async with app.run_test(size=(160, 45)) as pilot:
        await settle(pilot)
        main = await open_work(pilot, "texbook84")
        views = main.page.stats.views  # (the one recorded, and the browser's)
        await pilot.press("M")
        await settle(pilot)
        assert isinstance(app.screen, PickWorkScreen)
        await pilot.press(*"knuth1984", "enter")  # a typed key lists its work first
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, MergeScreen)
        assert (screen.keep.key, screen.gone.key) == ("knuth1984", "texbook84")
        names = [d.name for d in screen.rows]
        assert names[:3] == ["title", "authors", "publisher"] and "doi" in names and "abstract" in names
        assert screen.sides["doi"] == "gone" and screen.sides["title"] == "keep"
        # the title row: right takes texbook84's; space on the authors row switches it too
        await pilot.press("right", "down", "space")
        assert screen.sides["title"] == "gone" and screen.sides["authors"] == "gone"
        await pilot.press("left")
        assert screen.sides["authors"] == "keep"
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, MainScreen)
        kept = main.page.work
        assert kept.key == "knuth1984" and kept.title == "The TeXbook [bold]" and kept.doi == "10.1000/texbook"
        assert [a.name for a in kept.authors] == ["Donald E. Knuth"]
        assert [r.key for r in main.page.citations] == ["citer"] and main.page.stats.views > views
        said = " ".join(notes(app))
        assert "Merged texbook84 into knuth1984" in said and "1 citations" in said
        assert main.store.resolve_key("texbook84") == kept.id
        await pilot.press("u")
        await settle(pilot)
        assert "Undid the merge of texbook84 into knuth1984" in " ".join(notes(app))
        assert main.store.work("texbook84").key == "texbook84"
        assert main.page.work.title == "The TeXbook"


async def test_escape_cancels_and_the_work_itself_cannot_be_picked(dup_db: Path):
    app = make_app(dup_db)
    async with app.run_test(size=(160, 45)) as pilot:
        await settle(pilot)
        main = await open_work(pilot, "texbook84")
        await pilot.press("M")
        await settle(pilot)
        await pilot.press(*"texbook84", "enter")
        await settle(pilot)
        assert isinstance(app.screen, PickWorkScreen)
        assert any("cannot be merged into itself" in n for n in notes(app))
        await pilot.press("ctrl+u", *"knuth1984", "enter")
        await settle(pilot)
        assert isinstance(app.screen, MergeScreen)
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, MainScreen)
        assert main.store.work("texbook84").key == "texbook84" and main.store.aliases(main.page.work.id) == []


async def test_a_likely_duplicate_is_offered_first_and_not_a_duplicate_is_said(dup_db: Path):
    app = make_app(dup_db)
    said_not = []
    async with app.run_test(size=(160, 45)) as pilot:
        await settle(pilot)
        store = app.screen.store
        kept = store.resolve_key("knuth1984")
        store.duplicates_of = lambda work_id: [PossibleDuplicate(kept, "knuth1984", "The TeXbook", 1984,
                                                                 "same title, year and first author")]
        store.not_duplicates = lambda a, b: said_not.append((a, b))
        main = await open_work(pilot, "texbook84")
        await pilot.press("M")
        await settle(pilot)
        assert isinstance(app.screen, PickWorkScreen)
        assert "possible duplicate" in str(app.screen.query_one("#pick-status").render()).lower()
        await pilot.press("enter")  # nothing typed: the duplicate offered
        await settle(pilot)
        assert isinstance(app.screen, MergeScreen) and app.screen.keep.key == "knuth1984"
        await pilot.press("n")
        await settle(pilot)
        assert isinstance(app.screen, MainScreen)
        assert said_not == [(kept, main.page.work.id)]
        assert main.store.work("texbook84").key == "texbook84"  # nothing merged


async def test_merge_in_a_read_only_catalogue_says_so(dup_db: Path):
    app = make_app(dup_db)
    app.store.close()
    from tui.app import IbidApp

    app = IbidApp(Store(dup_db, read_only=True))
    async with app.run_test(size=(160, 45)) as pilot:
        await settle(pilot)
        await pilot.press("M")
        await settle(pilot)
        assert isinstance(app.screen, MainScreen)
        assert any("read-only" in n for n in notes(app))


async def test_the_other_work_deleted_meanwhile_is_said(dup_db: Path):
    app = make_app(dup_db)
    async with app.run_test(size=(160, 45)) as pilot:
        await settle(pilot)
        main = await open_work(pilot, "texbook84")
        await pilot.press("M")
        await settle(pilot)
        await pilot.press(*"knuth1984", "enter")
        await settle(pilot)
        assert isinstance(app.screen, MergeScreen)
        with Store(dup_db) as other:  # another process deletes the work to keep
            other.conn.execute("DELETE FROM works WHERE key = 'knuth1984'")
        await pilot.press("enter")
        await settle(pilot)
        assert any("no longer in the catalogue" in n for n in notes(app))
        assert main.store.work("texbook84").key == "texbook84"
