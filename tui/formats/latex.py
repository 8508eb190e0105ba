"""LaTeX -> Unicode for display and search, only where a value holds LaTeX."""

from __future__ import annotations

import re
from functools import lru_cache

_LATEX_CHARS = re.compile(r"[\\{}$~]|--")
_SPACE = re.compile(r"\s+")


@lru_cache(maxsize=1)
def _converter():
    from pylatexenc.latex2text import LatexNodes2Text

    return LatexNodes2Text(math_mode="verbatim", strict_latex_spaces=False)


def decode(value: str) -> str:
    """Decoded Unicode for a BibTeX field value; plain values pass untouched (fast)."""
    if not value:
        return ""
    if _LATEX_CHARS.search(value):
        value = _decode_latex(value)
    return _SPACE.sub(" ", value).strip()


@lru_cache(maxsize=65536)
def _decode_latex(value: str) -> str:
    if "\\" not in value and "$" not in value:
        # braces, dashes and ties only: no need for the (slow) full LaTeX walker
        return (value.replace("{", "").replace("}", "").replace("---", "\u2014")
                .replace("--", "\u2013").replace("~", "\u00a0"))
    try:
        return _converter().latex_to_text(value)
    except Exception:  # pylatexenc is lenient, but never let display decoding fail an import
        return value.replace("{", "").replace("}", "")
