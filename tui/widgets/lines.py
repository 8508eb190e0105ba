"""Drawing a line of Rich text as a Strip for the Line API."""

from __future__ import annotations

from rich.console import Console
from rich.segment import Segment
from rich.text import Text
from textual.strip import Strip


def text_strip(text: Text, console: Console) -> Strip:
    """A Strip of `text`, keeping its own base style (`Text.render` leaves it to the caller)."""
    segments = [seg for seg in text.render(console) if seg.text != "\n"]
    if text.style:
        segments = list(Segment.apply_style(segments, console.get_style(text.style)))
    return Strip(segments)
