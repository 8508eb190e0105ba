"""Drawing a line of Rich text as a Strip for the Line API; resizing a Line-API view cheaply."""

from __future__ import annotations

from rich.console import Console
from rich.segment import Segment
from rich.text import Text
from textual.geometry import Size
from textual.scroll_view import ScrollView
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
    page, a letter typed in a box) lays out the screen and so redraws all of it (20-40 ms on
    a loaded 2-core machine). Only the view's scrollbars depend on it: when they stay shown
    or hidden as they were, updating them and redrawing the view is enough."""
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
