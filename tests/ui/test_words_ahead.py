"""The browser reads ahead the index's words of a 3-letter word typed (Store.prefetch_words)."""

from __future__ import annotations

from tui.query import parse
from tui.widgets.work_list import WorkList

from .conftest import make_app, settle


async def test_three_letters_typed_read_their_words_ahead_and_the_fourth_uses_them(turing_db):
    app = make_app(turing_db)
    async with app.run_test(size=(160, 45)) as pilot:
        await settle(pilot)
        store = app.store
        await pilot.press("slash", *"mac")
        await settle(pilot)
        words = store._words[1].get("mac")
        assert words and all(w.startswith("mac") for w in words) and "machinery" in words
        assert not any(len(k) != 3 for k in store._words[1])  # (nothing else was read)
        await pilot.press("h")
        await settle(pilot)
        assert set(store._words[1]) == {"mac"}  # `mach` was filtered from them, not read
        works = app.screen.query_one(WorkList)
        expected = store.search_ids("mach", "relevance", 10_000)
        assert works.total == len(expected) > 0
        assert [works.row(i).id for i in range(min(works.total, 20))] == expected[:20]
        assert store._spelled_out(parse("mach")).match != parse("mach").match  # it was spelled out
        # a 2- or 4-letter word reads nothing ahead
        await pilot.press("backspace", "backspace")
        await settle(pilot)
        assert set(store._words[1]) == {"mac"}
