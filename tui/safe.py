"""Data from the catalogue is text, never instructions to the terminal."""

from __future__ import annotations

import re
from urllib.parse import quote, urlsplit

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


_DOI_PREFIXES = ("https://doi.org/", "http://doi.org/", "https://dx.doi.org/", "http://dx.doi.org/", "doi:")
_DOI = re.compile(r"^10\.\d{3,9}/\S+$")


def _doi_url(doi: str) -> str | None:
    doi = doi.strip()
    for prefix in _DOI_PREFIXES:
        if doi.lower().startswith(prefix):
            doi = doi[len(prefix):].strip()
            break
    if not _DOI.match(doi) or CONTROL.search(doi):
        return None
    # every character but the DOI's own punctuation escaped: a '#', '?' or quote stays part of it
    return "https://doi.org/" + quote(doi, safe="/:;()._-+,=@!*~'")


def web_link(doi: str, url: str) -> str | None:
    """What `o` may hand to the browser: an https://doi.org/ address for a DOI (or a `doi:`
    URL), else the work's own http(s) address; None for anything else (javascript:, file:,
    a path, a command, a URL with spaces or control characters in it)."""
    if doi and (target := _doi_url(doi)):
        return target
    url = (url or "").strip()
    if url.lower().startswith(("doi:", "https://doi.org/", "http://doi.org/", "https://dx.doi.org/",
                               "http://dx.doi.org/")):
        return _doi_url(url)
    if not url or CONTROL.search(url) or any(c.isspace() for c in url):
        return None
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        return None
    return url
