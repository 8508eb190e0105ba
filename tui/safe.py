"""Data from the catalogue is text, never instructions to the terminal."""

from __future__ import annotations

import re

# C0 and C1 controls (but tab and newline), DEL, and the bidi overrides that can reorder a line.
CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def _visible(m: re.Match) -> str:
    ch = m.group()
    if ch == "\x1b":
        return "␛"
    if ord(ch) < 0x20:
        return chr(0x2400 + ord(ch))  # ␀ ␁ ...: the Control Pictures block
    return "\ufffd"


def printable(text: str, newlines: bool = True) -> str:
    """`text` with control and escape characters made visible, safe to send to a terminal."""
    text = CONTROL.sub(_visible, text or "")
    if not newlines:
        text = text.replace("\r", " ").replace("\n", " ").replace("\t", " ")
    return text
