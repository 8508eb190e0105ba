"""How the screen is drawn: NO_COLOR, and scrollbars drawn again only when they change."""

from __future__ import annotations

import random

from textual.filter import Monochrome
from textual.geometry import Region
from textual.scrollbar import ScrollBar

from tui.widgets.lines import QuickScrollBar
from tui.widgets.record import RecordView
from tui.widgets.work_list import WorkList

from .conftest import SEED_TITLE, make_app, page_text, settle


async def test_no_color_draws_every_page(seed_db, monkeypatch):
    """NO_COLOR (https://no-color.org) makes Textual draw through a monochrome filter, which
    fails on a segment with no style: the record page's download sparkline had one."""
    monkeypatch.setenv("NO_COLOR", "1")
    app = make_app(seed_db)
    async with app.run_test(size=(160, 45)) as pilot:
        await settle(pilot)
        assert any(isinstance(f, Monochrome) for f in app.screen.query_one(RecordView).get_line_filters())
        assert page_text(app).startswith(SEED_TITLE)
        record = app.screen.query_one(RecordView)
        record.focus()
        await pilot.press("end")  # the downloads line, sparkline and all, comes on screen
        await settle(pilot)
        await pilot.press("j", "j", "home")
        await settle(pilot)
        strips = record.render_lines(Region(0, 0, *record.size))
        assert all(seg.style is not None for strip in strips for seg in strip)
    assert app.return_code in (None, 0)  # no error ended the app


def _drawn(strips) -> list[list]:
    return [list(strip) for strip in strips]


async def test_quick_scrollbars_draw_what_textual_draws(turing_db):
    """Whatever the list's and the record's scroll positions, a QuickScrollBar gives the very
    strips Textual's ScrollBar draws, also from its cache and for a part of the bar."""
    app = make_app(turing_db)
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(pilot)
        works = app.screen.query_one(WorkList)
        record = app.screen.query_one(RecordView)
        bars = [works.vertical_scrollbar, record.vertical_scrollbar]
        assert all(isinstance(bar, QuickScrollBar) for bar in bars)
        rng = random.Random(5)
        compared = hits = 0
        for step in range(25):
            works.cursor = rng.randrange(works.total)
            await settle(pilot)
            if step % 5 == 4:
                record.scroll_to(y=rng.randrange(max(record.virtual_size.height, 1)), animate=False)
                await settle(pilot)
            for bar in bars:
                if not bar.display or not bar.size:
                    continue
                before = bar._key
                whole = Region(0, 0, *bar.size)
                part = Region(0, 2, bar.size.width, max(bar.size.height - 4, 1))
                for crop in (whole, part):
                    assert _drawn(bar.render_lines(crop)) == _drawn(ScrollBar.render_lines(bar, crop))
                    compared += 1
                hits += before is not None and bar._key == before
        assert compared >= 50 and hits >= 5  # (the cache was used, not only drawn afresh)


async def test_quick_scrollbars_leave_tint_and_opacity_to_textual(turing_db):
    """Effects Textual's styles cache adds after drawing (none set here): drawn Textual's way."""
    app = make_app(turing_db)
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(pilot)
        works = app.screen.query_one(WorkList)
        bar = works.vertical_scrollbar
        works.styles.opacity = 0.5
        await settle(pilot)
        whole = Region(0, 0, *bar.size)
        assert _drawn(bar.render_lines(whole)) == _drawn(ScrollBar.render_lines(bar, whole))
        works.styles.opacity = 1.0
        bar.styles.tint = "red 50%"
        await settle(pilot)
        assert _drawn(bar.render_lines(whole)) == _drawn(ScrollBar.render_lines(bar, whole))
