"""Crossref's abstracts are JATS XML (`<jats:p>`, `<jats:sec>`, `<jats:italic>`): plain text,
paragraphs kept as blank-line-separated blocks, a leading "Abstract" heading dropped."""

from __future__ import annotations

import html
import re
from html.parser import HTMLParser

# elements that start a new paragraph; everything else (italic, sup, xref ...) is inline
_BLOCKS = {"p", "title", "sec", "list-item", "list", "disp-quote", "def-item", "boxed-text", "abstract",
           "trans-abstract", "label", "caption", "table-wrap", "fig"}


class _Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.paragraphs: list[str] = []
        self.current: list[str] = []

    def _tag(self, tag: str) -> str:
        return tag.rsplit(":", 1)[-1].lower()

    def flush(self) -> None:
        text = " ".join("".join(self.current).split())
        if text:
            self.paragraphs.append(text)
        self.current = []

    def handle_starttag(self, tag, attrs) -> None:
        if self._tag(tag) in _BLOCKS:
            self.flush()

    def handle_endtag(self, tag) -> None:
        if self._tag(tag) in _BLOCKS:
            self.flush()

    def handle_data(self, data) -> None:
        self.current.append(data)


def jats_to_text(markup: str) -> str:
    """A JATS (or plain, or HTML) abstract as plain text; paragraphs separated by a blank line."""
    if not markup:
        return ""
    if "<" not in markup:
        return "\n\n".join(" ".join(p.split()) for p in re.split(r"\n\s*\n", html.unescape(markup)) if p.strip())
    parser = _Text()
    parser.feed(markup)
    parser.close()
    parser.flush()
    paragraphs = parser.paragraphs
    if paragraphs and paragraphs[0].rstrip(":").lower() in ("abstract", "summary"):
        paragraphs = paragraphs[1:]
    return "\n\n".join(paragraphs)
