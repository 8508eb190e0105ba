"""Pilot tests of marks and export (`space`, `x`), archived copies (`f`, `o`), `L` and `Y` styles."""

from __future__ import annotations

import json
import os
from pathlib import Path

import bibtexparser
from textual.widgets import Input

from tui.attach import files_dir
from tui.formats import csl, ris
from tui.screens.edit import ConfirmScreen
from tui.screens.prompt import PromptScreen
from tui.store import Store
from tui.widgets.record import RecordView
from tui.widgets.work_list import WorkList

from .conftest import main_screen, make_app, page_text, settle, status


def notes(app) -> str:
    return " | ".join(str(n.message) for n in app._notifications)


async def answer(pilot, text: str) -> None:
    """Type into the prompt that is open, replacing what it holds, and press enter."""
    assert isinstance(pilot.app.screen, PromptScreen), pilot.app.screen
    pilot.app.screen.query_one(Input).value = text
    await pilot.press("enter")
    await settle(pilot)


def footer_keys(app) -> set[str]:
    return {b.binding.key for b in app.screen.active_bindings.values()
            if b.binding.show and b.enabled and app.screen.check_action(b.binding.action, ()) is not False}


async def test_space_marks_works_and_x_exports_them_as_bibtex(seed_db, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    app = make_app(seed_db)
    async with app.run_test(size=(160, 45)) as pilot:
        await settle(pilot)
        works = main_screen(app).query_one(WorkList)
        assert "x" not in footer_keys(app)  # nothing marked: the key is not offered, and does nothing
        await pilot.press("x")
        assert not isinstance(app.screen, PromptScreen)
        main_screen(app).action_export_marked()  # from the palette: it says why not
        await pilot.pause()
        assert "No works marked" in notes(app)
        await pilot.press("space")  # marks the first work and steps down
        await settle(pilot)
        await pilot.press("down", "space")  # skips one, marks the third
        await settle(pilot)
        assert len(works.marked) == 2 and works.cursor == 3
        assert "2 marked" in status(app)
        assert "x" in footer_keys(app)
        first, third = (works.row(0), works.row(2))
        await pilot.press("x")
        await settle(pilot)
        target = tmp_path / "out" / "marked.bib"
        target.parent.mkdir()
        await answer(pilot, str(target))
        library = bibtexparser.parse_string(target.read_text())
        assert [e.key for e in library.entries] == [first.key, third.key]
        assert not library.failed_blocks
        assert "Exported 2 works" in notes(app) and str(target) in notes(app)
        assert not works.marked and "marked" not in status(app)  # an export clears the marks
        assert not [p for p in target.parent.iterdir() if p.name.startswith(".")]  # no temp file left
        mask = os.umask(0o022)
        os.umask(mask)
        assert target.stat().st_mode & 0o777 == 0o666 & ~mask  # as any new file (the temp file was 0600)
    with Store(seed_db) as store:
        assert store.stats(first.id).exports == 1 and store.stats(third.id).exports == 1


async def test_x_writes_ris_and_csl_json_by_extension_and_asks_before_replacing(seed_db, tmp_path):
    app = make_app(seed_db)
    async with app.run_test(size=(160, 45)) as pilot:
        await settle(pilot)
        works = main_screen(app).query_one(WorkList)
        await pilot.press("space", "space")
        await settle(pilot)
        keys = [works.row(0).key, works.row(1).key]
        await pilot.press("x")
        await settle(pilot)
        await answer(pilot, str(tmp_path / "marked.ris"))
        assert [w.key for w in ris.parse_string((tmp_path / "marked.ris").read_text()).works] == keys
        await pilot.press("home", "space", "space")
        await settle(pilot)
        await pilot.press("x")  # the last export's folder and format are offered
        await settle(pilot)
        assert app.screen.query_one(Input).value == str(tmp_path / "ibid-marked.ris")
        await pilot.press("escape")
        await settle(pilot)
        # an existing file: asked first; `n` keeps it
        existing = tmp_path / "marked.json"
        existing.write_text("precious")
        existing.chmod(0o640)
        await pilot.press("x")
        await settle(pilot)
        await answer(pilot, str(existing))
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("n")
        await settle(pilot)
        assert existing.read_text() == "precious"
        await pilot.press("x")
        await settle(pilot)
        await answer(pilot, str(existing))
        await pilot.press("y")
        await settle(pilot)
        items = json.loads(existing.read_text())
        assert [i["id"] for i in items][:2] == keys
        assert existing.stat().st_mode & 0o777 == 0o640  # a file replaced keeps its mode
        assert [w.title for w in csl.parse_string(existing.read_text()).works][0]
        # a name without a known extension is refused, nothing written
        await pilot.press("space")
        await settle(pilot)
        await pilot.press("x")
        await settle(pilot)
        await answer(pilot, str(tmp_path / "marked.docx"))
        assert "Name the file .bib" in notes(app)
        assert not (tmp_path / "marked.docx").exists()


async def test_f_archives_a_copy_and_o_opens_it(seed_db, tmp_path, monkeypatch):
    pdf = tmp_path / "elsewhere" / "Wang 2020 (final).PDF"
    pdf.parent.mkdir()
    pdf.write_bytes(b"%PDF-1.4 the paper\n")
    opened: list[str] = []
    app = make_app(seed_db)
    monkeypatch.setattr(app, "open_url", lambda url, new_tab=True: opened.append(url))
    async with app.run_test(size=(160, 45)) as pilot:
        await settle(pilot)
        assert "Papers currently archived: 0" in app.sub_title
        await pilot.press("f")
        await settle(pilot)
        await answer(pilot, str(pdf))
        stored = files_dir(seed_db) / "Wang2020China--Wang_2020_final.pdf"
        assert stored.read_bytes() == pdf.read_bytes()
        assert pdf.exists()  # the original is left where it was
        assert "Papers currently archived: 1" in app.sub_title
        assert "Archived Wang2020China--Wang_2020_final.pdf (19 bytes)" in notes(app)
        text = page_text(app)
        assert "Papers currently archived: 1" in text and "Wang 2020 (final).PDF" in text
        # walk the page's cursor to the file and open it
        view = main_screen(app).query_one(RecordView)
        view.focus()
        for _ in range(len(view.items)):
            if view.target and view.target[0] == "file":
                break
            await pilot.press("down")
        assert view.target == ("file", stored.name)
        await pilot.press("o")
        await settle(pilot)
        assert opened == [stored.resolve().as_uri()]
        await pilot.press("enter")  # enter on a file opens it too
        await settle(pilot)
        assert opened[-1] == stored.resolve().as_uri()
        # a path that is not a file: one clear message, nothing archived
        await pilot.press("f")
        await settle(pilot)
        await answer(pilot, str(tmp_path / "missing.pdf"))
        assert "missing.pdf: no such file" in notes(app)
        assert "Papers currently archived: 1" in app.sub_title


async def test_o_opens_the_doi_and_L_the_library_link_or_says_how_to_set_it(tmp_path, monkeypatch):
    from tui.models import Author, Work

    db = tmp_path / "catalog.db"
    with Store(db) as store:
        store.add_work(Work(key="Wang2020", type="article", title="China & Russia", authors=[Author("Li Wang")],
                            year=2020, venue="Human Affairs", volume="30", number="2", pages="189-198",
                            doi="10.1515/humaff-2020-0018"))
    opened: list[str] = []
    app = make_app(db)
    monkeypatch.setattr(app, "open_url", lambda url, new_tab=True: opened.append(url))
    config = Path(os.environ["IBID_CONFIG"])
    async with app.run_test(size=(160, 45)) as pilot:
        await settle(pilot)
        await pilot.press("o")
        await pilot.pause()
        assert opened == ["https://doi.org/10.1515/humaff-2020-0018"]
        await pilot.press("L")
        await pilot.pause()
        assert len(opened) == 1
        assert "No library link resolver set" in notes(app) and str(config) in notes(app)
        config.write_text('[library]\nresolver = "https://resolver.example.edu/openurl"\n')
        await pilot.press("L")
        await pilot.pause()
        url = opened[-1]
        assert url.startswith("https://resolver.example.edu/openurl?ctx_ver=Z39.88-2004&")
        for part in ("rft.atitle=China%20%26%20Russia", "rft.jtitle=Human%20Affairs", "rft.date=2020",
                     "rft.volume=30", "rft.issue=2", "rft.spage=189", "rft_id=info%3Adoi%2F10.1515%2Fhumaff-2020-0018"):
            assert part in url, part
        config.write_text("[library\nresolver = ")
        await pilot.press("L")
        await pilot.pause()
        assert "not valid TOML" in notes(app)


async def test_Y_copies_in_the_configured_style(seed_db):
    config = Path(os.environ["IBID_CONFIG"])
    app = make_app(seed_db)
    async with app.run_test(size=(160, 45)) as pilot:
        await settle(pilot)
        for style, expected in (
            ("chicago", "Wang, Li. 2020. “China and Russia in the SCO: Consensus & Divergence.” Human Affairs 30 (2): 189–98."),
            ("ibid", "Wang, Li (2020). China and Russia in the SCO: Consensus & divergence. Human Affairs 30 (2):189-198."),
        ):
            config.write_text(f'[references]\nstyle = "{style}"\n')
            await pilot.press("Y")
            await settle(pilot)
            assert app.clipboard == expected
        config.write_text('[references]\nstyle = "no-such-style"\n')
        await pilot.press("Y")
        await settle(pilot)
        assert "unknown citation style 'no-such-style'" in notes(app)


async def test_read_only_catalogue_refuses_to_archive(seed_db, tmp_path):
    from tui.app import IbidApp

    app = IbidApp(Store(seed_db, read_only=True))
    async with app.run_test(size=(160, 45)) as pilot:
        await settle(pilot)
        await pilot.press("f")
        await settle(pilot)
        assert not isinstance(app.screen, PromptScreen)
        assert "read-only" in notes(app)
    assert not files_dir(seed_db).exists()


async def test_the_browser_rewrites_a_kept_export_after_another_process_changes_it(seed_db, tmp_path):
    """Kept exports (issue 21): a change by another process reaches the file through the
    browser's poll (called here rather than waited for), and a file that cannot be written is
    named in the header."""
    from tests.conftest import ibid
    from tui.store import Store as OtherProcess

    out = tmp_path / "paper" / "refs.bib"
    out.parent.mkdir()
    assert ibid("export", "--db", seed_db, "--to", out, "--keep").exit_code == 0
    app = make_app(seed_db)
    async with app.run_test(size=(160, 45)) as pilot:
        await settle(pilot)
        with OtherProcess(seed_db) as other:
            work = other.work("Wang2020China")
            work.title = "China and Russia in the SCO, revised"
            other.update_work(work.id, work)
        app._keep_exports()
        await settle(pilot)
        assert "revised" in out.read_text()
        out.unlink()
        out.parent.rmdir()  # the folder gone: the next write fails
        with OtherProcess(seed_db) as other:
            work.title = "China and Russia in the SCO, again"
            other.update_work(work.id, work)
        app._keep_exports()
        await settle(pilot)
        assert "kept export not written" in app.sub_title and "refs.bib" in app.sub_title
