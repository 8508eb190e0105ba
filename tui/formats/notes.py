"""Notes as text: two joined into one, and Zotero's (HTML) read as Markdown, the form ibid keeps them in.

Zotero's note HTML: headings, paragraphs, line breaks, lists, emphasis, code and links become their Markdown;
any other tag is dropped, its text kept; entities are decoded. Never raises."""

from __future__ import annotations

import re
from html.parser import HTMLParser

# JabRef's `readstatus` field (its values `read`, `skimmed`) <-> ibid's reading states; `toread`,
# which JabRef has no value for, goes out as itself (JabRef keeps a value it does not know as text)
READSTATUS_IN = {"read": "read", "skimmed": "reading", "toread": "toread", "to read": "toread"}
READSTATUS_OUT = {"read": "read", "reading": "skimmed", "toread": "toread"}

_BLOCKS = {"p", "div", "blockquote", "pre", "ul", "ol", "table", "tr", "h1", "h2", "h3", "h4", "h5", "h6"}
_MARKS = {"em": "*", "i": "*", "strong": "**", "b": "**", "code": "`"}


class _Markdown(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.out: list[str] = []
        self.href: list[str | None] = []

    def handle_starttag(self, tag: str, attrs) -> None:
        if tag in _BLOCKS:
            self.out.append("\n\n")
            if tag[0] == "h" and tag[1:].isdigit():
                self.out.append("#" * int(tag[1:]) + " ")
        elif tag == "br":
            self.out.append("\n")
        elif tag == "li":
            self.out.append("\n- ")
        elif tag in _MARKS:
            self.out.append(_MARKS[tag])
        elif tag == "a":
            self.href.append(dict(attrs).get("href"))
            self.out.append("[")

    def handle_endtag(self, tag: str) -> None:
        if tag in _BLOCKS:
            self.out.append("\n\n")
        elif tag in _MARKS:
            self.out.append(_MARKS[tag])
        elif tag == "a" and self.href:
            href = self.href.pop()
            self.out.append(f"]({href})" if href else "]")

    def handle_data(self, data: str) -> None:
        self.out.append(data.replace("\xa0", " "))


def html_to_markdown(html: str) -> str:
    """A Zotero note's HTML as Markdown text (plain text is left as it is)."""
    if "<" not in html and "&" not in html:
        return html.strip()
    parser = _Markdown()
    try:
        parser.feed(html)
        parser.close()
    except Exception:  # (HTMLParser is lenient; a note is never refused for its markup)
        return html.strip()
    text = "".join(parser.out)
    text = re.sub(r"[ \t]+\n", "\n", text)
    return re.sub(r"\n{3,}", "\n\n", text).strip()


def joined_notes(first: str, second: str) -> str:
    """Two notes as one (a work given two, or a merge of two works: both kept): the first, a
    rule, the second; the second alone left out when the first holds it already."""
    first, second = first.rstrip(), second.strip()
    if not second or second in first:
        return first
    if not first.strip():
        return second
    return f"{first}\n\n---\n\n{second}"
