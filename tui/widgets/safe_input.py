"""An Input that draws control characters visibly (and safe_strip, which the editor's TextArea
uses too): what the user pastes or edits is kept as it is, but an escape byte in it never
reaches the terminal as an escape."""

from __future__ import annotations

from rich.segment import Segment
from textual.strip import Strip
from textual.widgets import Input

from ..safe import CONTROL, printable


def safe_strip(strip: Strip) -> Strip:
    """`strip` with control and bidi-override characters drawn as visible symbols, same width."""
    if not any(CONTROL.search(seg.text) for seg in strip if not seg.control):
        return strip
    width = strip.cell_length
    segments = [seg if seg.control else Segment(printable(seg.text, newlines=False), seg.style)
                for seg in strip]
    return Strip(segments).crop_extend(0, width, None)


class SafeInput(Input):
    """An Input whose pasted escape bytes are shown, not sent to the terminal."""

    def render_line(self, y: int) -> Strip:
        return safe_strip(super().render_line(y))
