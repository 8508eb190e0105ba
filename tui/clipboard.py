"""Copy text to the clipboard through every channel that can work, and say which did."""

from __future__ import annotations

import pyperclip


def copy_with_pyperclip(text: str) -> bool:
    """The system clipboard (xclip, xsel, wl-copy, pbcopy...); False when there is none."""
    try:
        pyperclip.copy(text)
    except pyperclip.PyperclipException:
        return False
    except Exception:  # a backend that is there but broken (no display, a dead X server)
        return False
    return True


def describe(nbytes: int, system: bool) -> str:
    """How the copy went, for the notification."""
    how = "system clipboard and terminal (OSC 52)" if system else "terminal clipboard (OSC 52; no system clipboard tool found)"
    return f"{nbytes:,} bytes via {how}"
