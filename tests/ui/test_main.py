"""Pilot tests of the main screen: the record page, search, navigation, history, authors."""

from __future__ import annotations

import threading
import time

import pytest
from textual.widgets import Input, Static

from tui.models import Author, Work
from tui.screens.author import AuthorScreen
from tui.screens.main import MainScreen
from tui.store import Store
from tui.widgets.record import RecordView
from tui.widgets.work_list import WorkList

from .conftest import SEED_TITLE, main_screen, make_app, page_text, settle, status

SIMILAR = [
    "A New Alliance against the US? Sino-Russian Relations",
    "The Factors of Sixty-Year Sino-US Relations and Its Implications",
    "Culture Coherence and Regional Economic Cooperation in Northeast Asia",
    "Reflection on the Enacting of Foreign Anti-Bribery Practices Act in China",
]


def shown_title(app) -> str:
    page = main_screen(app).page
    return page.work.title if page else ""


async def search(pilot, text: str) -> None:
    await pilot.press("slash")
    main_screen(pilot.app).query_one("#search", Input).value = text
    await settle(pilot)


async def test_seed_record_page_has_everything(seed_db):
    app = make_app(seed_db)
    async with app.run_test(size=(160, 45)) as pilot:
        await settle(pilot)
        text = page_text(app)
        assert text.startswith(SEED_TITLE)
        assert "Li Wang, Jilin University" in text
        assert "Human Affairs 30 (2):189-198 (2020)" in text
        assert "The Shanghai Cooperation Organization is the largest" in text
        assert "hegemony" in text  # the abstract is there in full, wrapped
        for title in SIMILAR:
            assert title in text
        assert "Citations of this work (0)" in text and "No citations found." in text
        assert "References found in this work (0)" in text and "No references found." in text
        assert "PhilPapers downloads 22 (#710,008) · 6 months 7 (#431,609)" in text
        assert "5 works" in app.sub_title


async def test_list_moves_and_detail_follows(seed_db):
    app = make_app(seed_db)
    async with app.run_test(size=(160, 45)) as pilot:
        await settle(pilot)
        works = app.screen.query_one(WorkList)
        assert works.has_focus and works.total == 5
        await pilot.press("j")
        await settle(pilot)
        assert works.cursor == 1
        assert shown_title(app).startswith("A New Alliance")
        await pilot.press("end")
        await settle(pilot)
        assert works.cursor == 4 and shown_title(app).startswith("Reflection on the Enacting")
        await pilot.press("k")
        await settle(pilot)
        assert shown_title(app).startswith("Culture Coherence")
        await pilot.press("home")
        await settle(pilot)
        assert shown_title(app) == SEED_TITLE
        await pilot.press("up")  # already at the top: stays
        await settle(pilot)
        assert works.cursor == 0


async def test_search_narrows_as_you_type_and_enter_opens_first_hit(seed_db):
    app = make_app(seed_db)
    async with app.run_test(size=(160, 45)) as pilot:
        await settle(pilot)
        await pilot.press("slash")
        assert isinstance(app.focused, Input)
        await pilot.press(*"nankai")
        await settle(pilot)
        works = app.screen.query_one(WorkList)
        assert works.total == 3
        assert status(app).startswith("3 matches")
        await pilot.press("enter")
        await settle(pilot)
        assert app.focused is works
        assert main_screen(app).page.work.venue.startswith("Nankai University")
        # back returns to where the search began
        await pilot.press("backspace")
        await settle(pilot)
        assert shown_title(app) == SEED_TITLE


async def test_search_qualifiers_and_empty_results(seed_db):
    app = make_app(seed_db)
    async with app.run_test(size=(160, 45)) as pilot:
        await settle(pilot)
        await search(pilot, "author:wang year:2020")
        assert app.screen.query_one(WorkList).total == 1
        await search(pilot, "year:2005..2009")
        assert app.screen.query_one(WorkList).total == 3
        await search(pilot, "year:2006..2009 nankai")
        assert app.screen.query_one(WorkList).total == 2
        await search(pilot, "zzyzx qqq")
        assert app.screen.query_one(WorkList).total == 0
        assert status(app).startswith("No works match")
        assert "No works match" in page_text(app) and "takes a year" not in page_text(app)
        await search(pilot, "year:2009..2006 nankai")  # backwards: the same range
        assert app.screen.query_one(WorkList).total == 2
        await search(pilot, "nankai year:abc")  # not a year: read as words, and the page says why
        assert app.screen.query_one(WorkList).total == 0
        assert "year: takes a year or a range" in page_text(app)


@pytest.mark.parametrize("query", ['"unbalanced', "AND OR", "*", "NEAR(", "(", ")", "title:", "year:abc",
                                   "a\x00b", "^x", "-", ":", '"" AND ""', "col:x"])
async def test_any_typed_query_is_safe(seed_db, query):
    app = make_app(seed_db)
    async with app.run_test(size=(160, 45)) as pilot:
        await settle(pilot)
        await search(pilot, query)
        assert not app._notifications, [n.message for n in app._notifications]
        assert status(app)  # says how many, or that none match


async def test_escape_leaves_the_search(seed_db):
    app = make_app(seed_db)
    async with app.run_test(size=(160, 45)) as pilot:
        await settle(pilot)
        await search(pilot, "nankai")
        assert app.screen.query_one(WorkList).total == 3
        await pilot.press("escape")
        await settle(pilot)
        assert app.screen.query_one("#search", Input).value == ""
        assert app.screen.query_one(WorkList).total == 5
        assert app.focused is app.screen.query_one(WorkList)
        # leaving a search that found nothing: the record page is the first work's again, not
        # the "No works match" message (it stayed until the cursor moved)
        await search(pilot, "zzzzq")
        assert "No works match" in page_text(app)
        await pilot.press("escape")
        await settle(pilot)
        assert shown_title(app) == SEED_TITLE and "No works match" not in page_text(app)
        # from the list (not the box), escape leaves the search as well
        await search(pilot, "nankai")
        await pilot.press("enter")  # the first hit: the list has the focus
        await settle(pilot)
        assert app.focused is app.screen.query_one(WorkList) and app.screen.query_one(WorkList).total == 3
        await pilot.press("escape")
        await settle(pilot)
        assert app.screen.query_one("#search", Input).value == ""
        assert app.screen.query_one(WorkList).total == 5 and app.focused is app.screen.query_one(WorkList)


async def test_turing_record_citations_open_and_back(turing_db):
    app = make_app(turing_db)
    async with app.run_test(size=(160, 45)) as pilot:
        await settle(pilot)
        await pilot.press("slash", *"Computing Machinery Intelligence", "enter")
        await settle(pilot)
        assert shown_title(app) == "Computing Machinery and Intelligence"
        text = page_text(app)
        assert "Mind LIX:433-460 (1950)" in text
        assert "I propose to consider the question" in text
        assert "Citations of this work (1,000)" in text
        view = app.screen.query_one(RecordView)
        citations = [view.doc.lines[i] for i in view.items if view.doc.lines[i].section == "citations"]
        assert len(citations) == 1000
        # walk to the last citation: Tab to the page, End goes to the last link (a reference)
        await pilot.press("tab")
        assert view.has_focus
        await pilot.press("end")
        assert view.section == "references"
        references = sum(1 for i in view.items if view.doc.lines[i].section == "references")
        for _ in range(references):
            await pilot.press("k")
        assert view.section == "citations"
        target = view.target
        await pilot.press("enter")
        await settle(pilot)
        assert main_screen(app).current.target == target
        assert shown_title(app) != "Computing Machinery and Intelligence"
        assert "Turing1950ComputingMA" in [r.key for r in main_screen(app).page.references]
        await pilot.press("backspace")
        await settle(pilot)
        assert shown_title(app) == "Computing Machinery and Intelligence"
        assert view.target == target  # the cursor is where it was
        await pilot.press("right_square_bracket")
        await settle(pilot)
        assert main_screen(app).current.target == target


async def test_author_screen_and_history(turing_db):
    app = make_app(turing_db)
    async with app.run_test(size=(160, 45)) as pilot:
        await settle(pilot)
        await search(pilot, "title:\"computing machinery\"")
        await pilot.press("enter")
        await settle(pilot)
        assert shown_title(app) == "Computing Machinery and Intelligence"
        await pilot.press("a")
        await settle(pilot)
        assert isinstance(app.screen, AuthorScreen)
        text = page_text(app)
        assert text.startswith("A. Turing")
        assert "Computing Machinery and Intelligence" in text
        assert "On Computable Numbers" in text
        view = app.screen.query_one(RecordView)
        while view.target is None or "On Computable" not in view.doc.lines[view.items[view.cursor]].text.plain:
            await pilot.press("down")
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, MainScreen)
        assert shown_title(app).startswith("On Computable Numbers")
        await pilot.press("backspace")
        await settle(pilot)
        assert isinstance(app.screen, AuthorScreen)
        await pilot.press("backspace")
        await settle(pilot)
        assert isinstance(app.screen, MainScreen)
        assert shown_title(app) == "Computing Machinery and Intelligence"


async def test_author_of_the_seed(seed_db):
    app = make_app(seed_db)
    async with app.run_test(size=(160, 45)) as pilot:
        await settle(pilot)
        await pilot.press("a")
        await settle(pilot)
        assert isinstance(app.screen, AuthorScreen)
        text = page_text(app)
        assert "Li Wang" in text and "Jilin University" in text
        assert "Works in the catalogue (1)" in text and SEED_TITLE in text
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, MainScreen)


async def test_markup_and_escape_bytes_are_shown_as_text(tmp_path):
    store = Store(tmp_path / "hostile.db")
    store.add_work(Work(key="evil", title="[bold]x[/bold] [link=http://e.vil]y[/link] \x1b[31mRED\x07",
                        authors=[Author("[red]Mallory[/red]")], abstract="line\x1b]52;c;SGVsbG8=\x07 end"))
    app = make_app(tmp_path / "hostile.db")
    async with app.run_test(size=(160, 45)) as pilot:
        await settle(pilot)
        text = page_text(app)
        assert "[bold]x[/bold] [link=http://e.vil]y[/link] ␛[31mRED␇" in text
        assert "[red]Mallory[/red]" in text
        assert "\x1b" not in text and "␛]52;c;SGVsbG8=␇" in text
        # the list row is text too
        row = app.screen.query_one(WorkList).render_line(0)
        assert "[bold]x[/bold]" in row.text and "\x1b" not in row.text


async def test_empty_catalogue_says_so(tmp_path):
    Store(tmp_path / "empty.db").close()
    app = make_app(tmp_path / "empty.db")
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        assert "The catalogue is empty" in page_text(app)
        await pilot.press("j", "end", "enter", "a", "backspace", "o")
        await settle(pilot)
        assert app.is_running


async def test_work_without_abstract_or_authors(tmp_path):
    store = Store(tmp_path / "one.db")
    store.add_work(Work(key="bare", title="A bare work"))
    app = make_app(tmp_path / "one.db")
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        text = page_text(app)
        assert "A bare work" in text and "No abstract." in text and "(no authors given)" in text
        await pilot.press("a")
        await settle(pilot)
        assert isinstance(app.screen, MainScreen)  # no author to open: a message, not a crash


async def test_worker_error_is_a_notification_not_a_crash(seed_db, monkeypatch):
    app = make_app(seed_db)
    async with app.run_test(size=(160, 45)) as pilot:
        await settle(pilot)

        def broken(*args, **kwargs):
            raise RuntimeError("disk on fire")

        monkeypatch.setattr(app.store, "work_by_id", broken)
        await pilot.press("j")
        await settle(pilot)
        assert app.is_running
        assert any("disk on fire" in str(n.message) for n in app._notifications)
        monkeypatch.undo()
        await pilot.press("j")
        await settle(pilot)
        assert shown_title(app).startswith("The Factors")


async def test_sort_cycles(seed_db):
    app = make_app(seed_db)
    async with app.run_test(size=(160, 45)) as pilot:
        await settle(pilot)
        store = main_screen(app).store
        everything = store.browse("added", 0, 100)
        await pilot.press("s")  # added -> title
        await settle(pilot)
        works = app.screen.query_one(WorkList)
        assert works.row(0).title.startswith("A New Alliance")
        await pilot.press("s")  # -> year: the newest first, as a search sorts by year
        await settle(pilot)
        years = [works.row(i).year for i in range(len(everything))]
        assert years[0] == max(r.year for r in everything if r.year is not None)
        assert [y for y in years if y is not None] == sorted((y for y in years if y is not None), reverse=True)
        assert "sorted by year, newest first" in status(app)
        await pilot.press("s")  # -> the most cited first (none is cited here: see the next test)
        await settle(pilot)
        assert "sorted by most cited" in status(app)


async def test_a_new_search_lists_the_best_hits_first_and_clearing_it_brings_back_the_order(turing_db):
    """The catalogue sorted by title, then a search: by relevance (`enter` opens the best hit,
    not the first title); `s` during it sorts the search; cleared, the list is by title again."""
    app = make_app(turing_db)
    async with app.run_test(size=(160, 45)) as pilot:
        await settle(pilot)
        screen = main_screen(app)
        await pilot.press("s")  # added -> title
        await settle(pilot)
        assert "sorted by title" in status(app)
        await search(pilot, "computing machinery intelligence")
        assert screen.sort == "relevance" and status(app).endswith("by relevance")
        works = screen.query_one(WorkList)
        ranked = screen.store.search_ids("computing machinery intelligence", "relevance", 10)
        assert works.row(0).id == ranked[0]
        await pilot.press("down", "s")  # to the list; relevance -> year
        await settle(pilot)
        assert status(app).endswith("by year, newest first")
        screen.query_one("#search", Input).value = "computing machinery"
        await settle(pilot)
        assert screen.sort == "year"  # refining a search keeps its order
        screen.query_one("#search", Input).value = ""
        await settle(pilot)
        assert screen.sort == "title" and "sorted by title" in status(app)
        titles = [works.row(i).title.lower() for i in range(min(len(works.source), 20))]
        assert titles == sorted(titles)
        await pilot.press("down", "s", "s")  # title -> year -> the most cited first
        await settle(pilot)
        assert "sorted by most cited" in status(app)
        cited = [works.row(i).cited_by for i in range(min(len(works.source), 50))]  # (the first page is read)
        assert cited == sorted(cited, reverse=True) and cited[0] == max(r.cited_by for r in screen.store.browse("added", 0, 10**6))
        assert cited[0] > 0


def test_snapshot_seed_record(seed_db, snap_compare):
    async def run_before(pilot):
        await settle(pilot)

    assert snap_compare(make_app(seed_db), terminal_size=(160, 45), run_before=run_before)


async def test_opening_a_work_counts_a_view(seed_db):
    app = make_app(seed_db)
    async with app.run_test(size=(160, 45)) as pilot:
        await settle(pilot)
        assert "0 views" in page_text(app) and "rank unranked" in page_text(app)
        await pilot.press("tab")
        view = app.screen.query_one(RecordView)
        while view.section != "similar":
            await pilot.press("down")
        await pilot.press("enter")
        await settle(pilot)
        assert shown_title(app).startswith("A New Alliance")
        assert "1 view ·" in page_text(app) and "rank #1" in page_text(app)
        await pilot.press("backspace")  # going back is not a new view of the seed
        await settle(pilot)
        assert "0 views" in page_text(app)


async def test_copy_keys_put_text_on_the_clipboard_and_count(seed_db, monkeypatch):
    import bibtexparser

    monkeypatch.setattr("tui.clipboard.pyperclip.copy", lambda text: (_ for _ in ()).throw(
        __import__("pyperclip").PyperclipException("no backend")))
    app = make_app(seed_db)
    async with app.run_test(size=(160, 45)) as pilot:
        await settle(pilot)
        await pilot.press("b")
        await settle(pilot)
        assert app.clipboard.startswith("@article{Wang2020China,")
        library = bibtexparser.parse_string(app.clipboard)
        assert [e.key for e in library.entries] == ["Wang2020China"] and not library.failed_blocks
        assert library.entries[0]["title"] == r"China and Russia in the SCO: Consensus \& divergence"
        note = " ".join(str(n.message) for n in app._notifications)
        assert "BibTeX of Wang2020China" in note and "bytes" in note and "OSC 52" in note
        assert "1 copy" in page_text(app)
        await pilot.press("y")
        await settle(pilot)
        assert app.clipboard == "Wang2020China"
        await pilot.press("Y")
        await settle(pilot)
        assert app.clipboard == ("Wang, L. (2020). China and Russia in the SCO: Consensus & divergence. "
                                 "Human Affairs, 30(2), 189–198.")  # APA, the default style
        assert "3 copies" in page_text(app)


def _spy_on_the_list(app) -> list[tuple[str, bool, list[int]]]:
    """Every list the screen puts up: (the search text at that moment, ranked?, its first ids)."""
    from tui.listing import IdsSource

    main = main_screen(app)
    works = main.query_one(WorkList)
    seen: list[tuple[str, bool, list[int]]] = []
    original = works.set_source

    def set_source(source, *args, **kwargs):
        if isinstance(source, IdsSource):
            seen.append((main.query_text, source.ranked, list(source.ids[:100])))
        original(source, *args, **kwargs)

    works.set_source = set_source
    return seen


async def test_search_shows_the_newest_hits_at_once_then_the_ranked_list(turing_db):
    app = make_app(turing_db)
    async with app.run_test(size=(160, 45)) as pilot:
        await settle(pilot)
        seen = _spy_on_the_list(app)
        await search(pilot, "computing")
        store = app.store
        ranked = store.search_ids("computing", "relevance")
        assert len(ranked) > 1 and ranked[:100] != store.search_newest("computing", 100)
        assert seen == [("computing", False, store.search_newest("computing", 100)),
                        ("computing", True, ranked[:100])]
        works = app.screen.query_one(WorkList)
        assert [works.row(i).id for i in range(min(works.total, 30))] == ranked[:30]
        assert main_screen(app).page.work.id == ranked[0]  # the record follows the ranked first hit
        assert "newest first" not in status(app)
        await search(pilot, "zzyzx qqq")  # nothing matches: no first page to show
        assert seen[-1] == ("zzyzx qqq", True, [])


async def test_a_newer_search_never_shows_an_older_ones_hits(turing_db):
    app = make_app(turing_db)
    async with app.run_test(size=(160, 45)) as pilot:
        await settle(pilot)
        seen = _spy_on_the_list(app)
        store = app.store
        # the ranking of "co" is held until the user has typed on: its answer comes too late
        gate, ranking = threading.Event(), store.search_ids

        def slow_ranking(text, *args, **kwargs):
            if text == "co":
                gate.wait(30)
            return ranking(text, *args, **kwargs)

        store.search_ids = slow_ranking
        await pilot.press("slash")
        box = main_screen(app).query_one("#search", Input)
        for text in ("c", "co", "com", "comp", "compu", "machine", "machine i", "machine int"):
            box.value = text
            await pilot.pause()
        gate.set()
        await settle(pilot)
        store.search_ids = ranking
        assert seen and seen[-1] == ("machine int", True, store.search_ids("machine int", "relevance")[:100])
        for text, ranked, ids in seen:  # each list shown was the answer to the text in the box then
            expected = store.search_ids(text, "relevance")[:100] if ranked else store.search_newest(text, 100)
            assert ids == expected, text


async def test_enter_while_ranking_goes_to_the_first_ranked_hit(turing_db):
    app = make_app(turing_db)
    async with app.run_test(size=(160, 45)) as pilot:
        await settle(pilot)
        await pilot.press("slash", *"computing", "enter")
        await settle(pilot)
        assert main_screen(app).page.work.id == app.store.search_ids("computing", "relevance")[0]
        assert app.screen.query_one(WorkList).has_focus


async def test_the_list_scrollbar_follows_the_list_length_without_a_layout_pass(turing_db):
    app = make_app(turing_db)
    async with app.run_test(size=(160, 45)) as pilot:
        await settle(pilot)
        works = app.screen.query_one(WorkList)
        long_width = works.scrollable_content_region.width
        assert works.show_vertical_scrollbar and works.virtual_size.height == works.total > 100
        await search(pilot, "zzyzx qqq")  # no hits: no scrollbar, the rows take its column
        assert works.total == 0 and not works.show_vertical_scrollbar
        assert works.scrollable_content_region.width == long_width + works.styles.scrollbar_size_vertical
        await search(pilot, "computing")  # long again
        assert works.show_vertical_scrollbar and works.scrollable_content_region.width == long_width
        assert works.virtual_size.height == works.total
        works.focus()
        await pilot.press("end")
        await settle(pilot)
        assert works.cursor == works.total - 1
        assert works.scroll_offset.y == works.total - works.scrollable_content_region.height
        assert main_screen(app).page.work.id == works.row(works.total - 1).id


async def test_garbage_is_collected_when_the_user_pauses_not_while_typing(tmp_path):
    """After start-up the collector runs only in pauses (a full collection cost 100-190 ms of a
    frame); typing keeps it off; quitting gives the process its collector back."""
    import gc

    Store(tmp_path / "c.db").close()
    before = gc.isenabled()
    app = make_app(tmp_path / "c.db")
    app.GC_IDLE_S = 60.0  # while typing below, however slow the machine
    collected: list[int] = []

    def watch(phase, info):
        if phase == "stop":
            collected.append(info["generation"])

    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        app._start_idle_gc()
        assert not gc.isenabled()
        gc.callbacks.append(watch)
        try:
            await pilot.press("slash")
            for letter in "machines":  # keys, each sooner than GC_IDLE_S after the last
                app._last_input = time.monotonic()
                app._idle_gc()
                await pilot.press(letter)
            assert collected == []
            app.GC_IDLE_S = 0.3
            app._last_input = time.monotonic() - 1.0  # a pause
            [object() for _ in range(2000)]
            garbage = [[] for _ in range(1500)]
            for g in garbage:
                g.append(g)  # cycles only the collector frees
            del garbage
            app._idle_gc()
            assert collected, "nothing collected in a pause"
        finally:
            gc.callbacks.remove(watch)
    assert gc.isenabled() == before  # as it was before the app


async def test_no_garbage_collection_while_the_browser_starts_nor_while_typing_after(tmp_path):
    """Start-up runs without the collector (it ran ~200 times and cost ~100 ms of the first
    paint); the first collection, a full one, waits for a pause in typing; the process gets
    its collector back at the end."""
    import gc

    Store(tmp_path / "c.db").close()
    before = gc.isenabled()
    app = make_app(tmp_path / "c.db")
    collected: list[int] = []

    def watch(phase, info):
        if phase == "stop":
            collected.append(info["generation"])

    gc.enable()
    try:
        async with app.run_test(size=(100, 30)) as pilot:
            await settle(pilot)
            assert not gc.isenabled(), "the collector runs during start-up"
            gc.callbacks.append(watch)
            try:
                app._last_input = time.monotonic()  # a key just now
                app._start_idle_gc()
                assert collected == [] and not app._idle_gc_started  # put off, not run in the typing
                app._last_input = time.monotonic() - 1.0  # a pause
                app._start_idle_gc()
                assert app._idle_gc_started and 2 in collected
                assert not gc.isenabled()  # from now on the pauses collect (_idle_gc)
            finally:
                gc.callbacks.remove(watch)
        assert gc.isenabled()  # given back as it was before the app
    finally:
        gc.enable() if before else gc.disable()


async def test_a_screen_draws_at_up_to_120_frames_a_second(seed_db):
    """What changed is drawn within 1/120 s (Textual's default tick is 1/60 s)."""
    from tui.app import FRAMES_PER_SECOND

    app = make_app(seed_db)
    async with app.run_test(size=(160, 45)) as pilot:
        await settle(pilot)
        assert FRAMES_PER_SECOND == 120  # (TEXTUAL_FPS is not set in the tests)
        assert app.screen._update_timer._interval == pytest.approx(1 / 120)


async def test_enter_on_and_n_more_lists_more_citations(tmp_path, monkeypatch):
    """A work cited more often than the page lists: "… and N more" is a line the cursor goes
    to, and `enter` on it lists more (the cursor staying on the last one listed before), until
    every citation is listed."""
    from tui.formats import Batch

    monkeypatch.setattr("tui.screens.main.CITATIONS_SHOWN", 3)
    store = Store(tmp_path / "cited.db")
    works = [Work(key="Cited", title="A much cited work", year=1950)]
    works += [Work(key=f"C{i}", title=f"Citing work {i}", year=1960 + i) for i in range(7)]
    store.import_batch(Batch(works=works, citations=[(f"C{i}", "Cited") for i in range(7)]))
    cited_id = store.work("Cited").id
    store.close()
    app = make_app(tmp_path / "cited.db")
    async with app.run_test(size=(160, 45)) as pilot:
        await settle(pilot)
        screen = main_screen(app)
        screen.open(("work", cited_id))
        await settle(pilot)
        view = screen.query_one(RecordView)
        await pilot.press("tab")  # to the record page
        assert view.has_focus

        def more_line() -> int | None:
            return next((i for i, n in enumerate(view.items) if view.doc.lines[n].target == ("more", cited_id)), None)

        for listed, rest in ((3, 4), (6, 1)):
            assert len(screen.page.citations) == listed and f"… and {rest} more" in page_text(app)
            view.cursor = more_line()
            before = screen.page.citations[-1].id
            await pilot.press("enter")
            await settle(pilot)
            assert view.target == ("work", before) and view.section == "citations"
        assert len(screen.page.citations) == 7 and more_line() is None and "more" not in page_text(app)
        assert screen.current.target == ("work", cited_id)  # still the same work's page


async def test_the_status_line_is_short_where_the_full_one_does_not_fit(seed_db):
    """At 80 columns the list is 33 wide: the status keeps the count and the order (the full
    line lost the order: "100,000 works · sorted by"); widened, the full line comes back."""
    app = make_app(seed_db)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("s", "s")  # added -> title -> year
        await settle(pilot)
        width = main_screen(app).query_one("#status", Static).size.width
        assert status(app) == "5 works · newest first" and len(status(app)) <= width
        await pilot.resize_terminal(160, 45)
        await settle(pilot)
        await pilot.pause()
        assert status(app) == "5 works · sorted by year, newest first"
        await pilot.resize_terminal(80, 24)
        await settle(pilot)
        await pilot.pause()
        assert status(app) == "5 works · newest first"


async def test_with_works_marked_y_b_and_Y_copy_all_of_them(seed_db, monkeypatch):
    """Copying for the editor (issue 21): the marked works' keys as \\cite{a,b} (the default
    [keys] cite_format) or pandoc's [@a; @b], their BibTeX, their bibliography."""
    import os

    monkeypatch.setattr("tui.clipboard.pyperclip.copy", lambda text: (_ for _ in ()).throw(
        __import__("pyperclip").PyperclipException("no clipboard here")))
    app = make_app(seed_db)
    async with app.run_test(size=(160, 45)) as pilot:
        await settle(pilot)
        rows = [app.screen.works.row(i) for i in (0, 1)]
        await pilot.press("space", "space")  # marks the first two (space moves on)
        await settle(pilot)
        await pilot.press("y")
        await settle(pilot)
        assert app.clipboard == "\\cite{" + ",".join(r.key for r in rows) + "}"
        await pilot.press("b")
        await settle(pilot)
        assert [line.split("{")[1].rstrip(",") for line in app.clipboard.splitlines() if line.startswith("@")] == \
            [r.key for r in rows]
        await pilot.press("Y")
        await settle(pilot)
        assert len(app.clipboard.strip().splitlines()) == 2 and "Wang" in app.clipboard
        with open(os.environ["IBID_CONFIG"], "w") as config:
            config.write('[keys]\ncite_format = "pandoc"\n')
        await pilot.press("y")
        await settle(pilot)
        assert app.clipboard == "[" + "; ".join("@" + r.key for r in rows) + "]"
