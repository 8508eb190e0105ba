"""Drawing a line of Rich text as a Strip for the Line API; resizing a Line-API view cheaply;
scrollbars that cost nothing while they stay put."""

from __future__ import annotations

from rich.color import Color
from rich.console import Console
from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual.geometry import Region, Size
from textual.scroll_view import ScrollView
from textual.scrollbar import ScrollBar, ScrollBarRender
from textual.strip import Strip
from textual.widget import Widget


def text_strip(text: Text, console: Console) -> Strip:
    """A Strip of `text`, keeping its own base style (`Text.render` leaves it to the caller)."""
    segments = [seg for seg in text.render(console) if seg.text != "\n"]
    if text.style:
        segments = list(Segment.apply_style(segments, console.get_style(text.style)))
    return Strip(segments)


def set_virtual_size(widget: ScrollView, size: Size) -> None:
    """Set a scroll view's virtual size without laying out the whole screen.

    Textual's `virtual_size` is a layout reactive: every change (a new list, a new record
    page, a letter typed in a box) lays out the screen and so redraws all of it. Only the
    view's scrollbars depend on it: when they stay shown or hidden as they were, updating
    them and redrawing the view is enough."""
    if size == widget.virtual_size:
        return
    if not widget.is_mounted or not widget.size:
        widget.virtual_size = size
        return
    shown = (widget.show_vertical_scrollbar, widget.show_horizontal_scrollbar)
    widget.set_reactive(Widget.virtual_size, size)
    widget._refresh_scrollbars()
    if (widget.show_vertical_scrollbar, widget.show_horizontal_scrollbar) != shown:
        widget.refresh(layout=True)  # a scrollbar comes or goes: the content region changes
        return
    widget._scroll_update(size)
    widget.refresh()


class QuickScrollBar(ScrollBar):
    """Textual's scrollbar, drawn again only when what it shows changes.

    Textual draws a scrollbar through Rich and its styles cache every frame it is dirty, and
    every scroll makes it dirty: for the list's and the record's, a good share of what a
    frame costs when the list pages. Here the glyphs come from Textual's own
    `ScrollBarRender.render_bar` (cheap: a list of one segment a cell), on the widget's base
    style as Textual's styles cache puts them, through the same line filters; over a million
    rows a page moves the thumb by less than a cell, so mostly they are the same as last
    frame's and the strips are reused. (tests/ui/test_drawing.py compares them with
    Textual's, themes and NO_COLOR included.)"""

    _key: tuple | None = None
    _strips: list[Strip] = []

    def render_lines(self, crop: Region) -> list[Strip]:
        bar = self.render()
        styles = self.styles
        if not isinstance(bar, ScrollBarRender) or not isinstance(bar.style, Style) or styles.tint.a \
                or self.opacity < 1 or styles.text_opacity < 1 or (styles.has_rule("hatch") and styles.hatch != "none"):
            # (a renderer of someone else's; or effects the styles cache adds after drawing:
            # no style here sets them, so Textual's way, not a copy of it)
            return super().render_lines(crop)
        width, height = self.size
        glyphs = bar.render_bar(
            size=height if bar.vertical else width, virtual_size=bar.virtual_size,
            window_size=bar.window_size, position=bar.position,
            thickness=width if bar.vertical else height, vertical=bar.vertical,
            back_color=bar.style.bgcolor or Color.parse("#555555"),
            bar_color=bar.style.color or Color.parse("bright_magenta"))
        filters = tuple(self.get_line_filters())
        base = self.rich_style
        key = (width, height, tuple(glyphs.segments), filters, base)
        if key != self._key:
            self._strips = self._draw(glyphs.segments, base, filters)
            self._key = key
        return [strip.crop(crop.x, crop.right) for strip in self._strips[crop.y:crop.bottom]]

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._key = None

    def _draw(self, segments: list[Segment], base: Style, filters: tuple) -> list[Strip]:
        width, height = self.size
        if not self.vertical:
            segments = [s for s in segments if s.text != "\n"][:width]
        cells = [Segment(s.text, base + s.style if s.style else base) for s in segments]
        strips = [Strip([cell], width) for cell in cells] if self.vertical else [Strip(cells, width)] * height
        if filters:
            background = self.background_colors[1]
            for line_filter in filters:
                strips = [strip.apply_filter(line_filter, background) for strip in strips]
        return strips


class QuickScrollbars:
    """For a ScrollView: its scrollbars are QuickScrollBars (see there)."""

    @property
    def vertical_scrollbar(self) -> ScrollBar:
        if self._vertical_scrollbar is None:
            self._vertical_scrollbar = self._quick_bar(True, self.scrollbar_size_vertical)
        return self._vertical_scrollbar

    @property
    def horizontal_scrollbar(self) -> ScrollBar:
        if self._horizontal_scrollbar is None:
            self._horizontal_scrollbar = self._quick_bar(False, self.scrollbar_size_horizontal)
        return self._horizontal_scrollbar

    def _quick_bar(self, vertical: bool, thickness: int) -> QuickScrollBar:
        """Made as Textual's Widget makes its own: hidden until needed, started as its child."""
        bar = QuickScrollBar(vertical=vertical, name="vertical" if vertical else "horizontal", thickness=thickness)
        bar.display = False
        self.app._start_widget(self, bar)
        return bar
