"""The footer (KeyBar): the screen's keys on one line; a click presses a key."""

from __future__ import annotations

from textual.app import App, ComposeResult
from textual.binding import Binding

from tui.widgets.key_bar import KeyBar


class Keys(App):
    BINDINGS = [
        Binding("x", "count", "Count"),
        Binding("X", "count", "Count again"),  # the same action: shown once, as Footer does
        Binding("z", "never", "Never"),
        Binding("h", "count", "Hidden", show=False),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.counted = 0
        self.bells = 0

    def compose(self) -> ComposeResult:
        yield KeyBar()

    def action_count(self) -> None:
        self.counted += 1

    def action_never(self) -> None:
        raise AssertionError("a key that cannot act was pressed")

    def check_action(self, action: str, parameters: tuple) -> bool | None:
        return None if action == "never" else True  # None: shown, dimmed

    def bell(self) -> None:
        self.bells += 1


def line(app: App) -> str:
    return "".join(segment.text for segment in app.screen.query_one(KeyBar).render_line(0))


async def test_the_keys_are_shown_once_each_and_the_palette_on_the_right():
    app = Keys()
    async with app.run_test(size=(60, 5)) as pilot:
        await pilot.pause()
        bar = app.screen.query_one(KeyBar)
        assert [(k, d, e) for k, _, d, e in bar.keys] == [("x", "Count", True), ("z", "Never", False)]
        text = line(app)
        assert text.startswith("x Count z Never ")
        assert "Hidden" not in text and "Count again" not in text
        assert text.rstrip().endswith("▏^p palette")
        assert len(text) == 60


async def test_a_click_presses_the_key_and_a_key_that_cannot_act_rings_the_bell():
    app = Keys()
    async with app.run_test(size=(60, 5)) as pilot:
        await pilot.pause()
        bar = app.screen.query_one(KeyBar)
        await pilot.click(KeyBar, offset=(2, 0))  # on "Count"
        await pilot.pause()
        assert app.counted == 1
        await pilot.click(KeyBar, offset=(9, 0))  # on "Never"
        await pilot.pause()
        assert app.bells == 1
        await pilot.click(KeyBar, offset=(30, 0))  # the gap before the palette: nothing
        await pilot.pause()
        assert (app.counted, app.bells) == (1, 1)
        assert bar.palette is not None


async def test_a_narrow_terminal_cuts_the_keys_not_the_palette():
    app = Keys()
    async with app.run_test(size=(20, 5)) as pilot:
        await pilot.pause()
        text = line(app)
        assert len(text) == 20
        assert text.endswith("▏^p palette ")
        assert text.startswith("x Count")


async def test_at_80x24_the_main_screen_keeps_sort_help_and_quit(tmp_path):
    """The browser's footer at 80 columns: the keys that cannot act go, then the words; `s`,
    `q` and `?` stay (they were cut off the end of the line)."""
    from tui.app import IbidApp
    from tui.seeds import open_catalogue

    store = open_catalogue(tmp_path / "catalog.db")
    app = IbidApp(store)
    try:
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.pause()
            await app.workers.wait_for_complete()
            await pilot.pause()
            text = line(app)
            assert len(text) == 80
            assert "? Help" in text and "q Quit" in text and text.rstrip().endswith("^p palette")
            keys = {key for _start, _end, key, _on in app.screen.query_one(KeyBar)._spans}
            assert {"s", "slash", "b", "question_mark", "q"} <= keys
        async with IbidApp(store).run_test(size=(200, 24)) as pilot:  # wide: every key, with its words
            await pilot.pause()
            await pilot.app.workers.wait_for_complete()
            await pilot.pause()
            wide = line(pilot.app)
            assert "s Sort" in wide and "b BibTeX" in wide and "? Help" in wide
    finally:
        store.close()
