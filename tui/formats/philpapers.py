"""The text of a PhilPapers record page, as a user copies it from the browser.

The page gives: the title, the venue line (`Human Affairs 30 (2):189-198 (2020)`), the
abstract, "Similar books and articles" (one `Title.Authors - Year - Venue` line each),
the download counts with ranks, and the author's profile (name, affiliation).
"""

from __future__ import annotations

import re
from pathlib import Path

from ..models import Author, Work
from .batch import Batch, FormatError, Problem
from .keys import make_key
from .textfile import read_text

_VENUE_TAIL = re.compile(
    r"^(?P<venue>.*?)\s*(?P<volume>[\w.\-]+)?\s*(?:\((?P<number>[^()]*)\))?\s*:\s*(?P<pages>[\w\-–]+)\.?$"
)
_COUNT = re.compile(r"^\s*([\d,]+)\s*\(#([\d,]+)\)\s*$")
_SIMILAR = re.compile(r"^(?P<head>.+?) - (?P<year>\d{4}|forthcoming|manuscript) - (?P<tail>.*)$")
_SECTIONS = (
    "Copy", "Upload a copy of this work", "External links", "Through your library",
    "Similar books and articles", "Added to PP", "6 months", "Historical graph of downloads",
    "How can I increase my downloads?", "Author's Profile", "Citations of this work",
    "References found in this work", "Add more citations", "Add more references",
    "Setup an account with your affiliations",
)


def parse_file(path: Path, encoding: str | None = None) -> Batch:
    """Read a saved PhilPapers record page."""
    return parse_string(read_text(path, encoding), str(path))


def _int(text: str) -> int:
    return int(text.replace(",", ""))


def split_venue(text: str) -> tuple[str, str, str, str]:
    """`Human Affairs 30 (2):189-198` -> (venue, volume, number, pages)."""
    text = text.strip().rstrip(".")
    m = _VENUE_TAIL.match(text)
    if not m:
        return text, "", "", ""
    venue = m.group("venue").strip()
    volume = m.group("volume") or ""
    if not venue and volume:  # a venue of one word and no volume: "Mind:433-460"
        venue, volume = volume, ""
    return venue, volume, m.group("number") or "", (m.group("pages") or "").replace("–", "-")


def _split_title_authors(head: str) -> tuple[str, str]:
    """`Some Title.Jane Doe & Li Wang` -> title, authors: the title's final stop runs into a name."""
    for m in re.finditer(r"[.?!](?=[A-ZÀ-ÖØ-ÞĀ-ſ])", head):
        before = head[m.start() - 1] if m.start() else ""
        if before.islower() or before in ")]\"'’”":
            title = head[: m.start() + (m.group() != ".")]
            return title.strip(), head[m.end():].strip()
    return head.strip().rstrip("."), ""


def parse_similar(line: str) -> Work | None:
    """One "Similar books and articles" line as a work, or None when it does not fit."""
    m = _SIMILAR.match(line.strip())
    if not m:
        return None
    title, authors = _split_title_authors(m.group("head"))
    year = int(m.group("year")) if m.group("year").isdigit() else None
    venue, volume, number, pages = split_venue(m.group("tail"))
    names = [a.strip() for a in re.split(r"\s*&\s*|,\s+", authors) if a.strip()]
    last = names[0].split()[-1] if names else ""
    return Work(
        key=make_key(last, year, title), type="article", title=title,
        authors=[Author(n) for n in names], year=year, venue=venue, volume=volume,
        number=number, pages=pages,
    )


def parse_string(text: str, source: str = "<text>") -> Batch:
    """Parse a record page: the work itself, its similar works as works, links between them."""
    lines = [ln.rstrip() for ln in text.replace("\r\n", "\n").split("\n")]
    content = [(i + 1, ln.strip()) for i, ln in enumerate(lines) if ln.strip()]
    if len(content) < 2:
        raise FormatError(f"{source}: not a PhilPapers record page (too short)")
    title = content[0][1]
    venue_text = content[1][1]
    year = None
    m = re.search(r"\((\d{4})\)\s*$", venue_text)
    if m:
        year = int(m.group(1))
        venue_text = venue_text[: m.start()]
    venue, volume, number, pages = split_venue(venue_text)
    headings = {"Similar books and articles", "Added to PP", "Author's Profile", "Citations of this work",
                "References found in this work"}
    if year is None or not headings & {ln for _, ln in content}:
        raise FormatError(f"{source}: not a PhilPapers record page (no venue line with a year, "
                          "or none of its headings such as \"Similar books and articles\")")

    def section(name: str) -> list[tuple[int, str]]:
        """The content lines after a heading, up to the next heading."""
        for idx, (_, ln) in enumerate(content):
            if ln == name:
                out = []
                for number_, other in content[idx + 1:]:
                    if any(other.startswith(s) for s in _SECTIONS):
                        break
                    out.append((number_, other))
                return out
        return []

    abstract_lines = []
    for _, ln in content[2:]:
        if any(ln.startswith(s) for s in _SECTIONS):
            if ln.startswith("Copy"):
                continue
            break
        if ln in ("BIBTEX",):
            continue
        abstract_lines.append(ln)
    abstract = "\n\n".join(abstract_lines)

    author_lines = [ln for _, ln in section("Author's Profile")]
    authors = [Author(author_lines[0], author_lines[1] if len(author_lines) > 1 else "")] if author_lines else []

    batch = Batch(source=source)
    work = Work(
        key=make_key(authors[0].name.split()[-1] if authors else "", year, title),
        type="article", title=title, authors=authors, year=year, venue=venue, volume=volume,
        number=number, pages=pages, abstract=abstract,
    )
    downloads = [ln for _, ln in section("Added to PP")]
    recent = [ln for _, ln in section("6 months")]
    if downloads and (c := _COUNT.match(downloads[0])):
        work.pp_downloads, work.pp_downloads_rank = _int(c.group(1)), _int(c.group(2))
    if recent and (c := _COUNT.match(recent[0])):
        work.pp_recent, work.pp_recent_rank = _int(c.group(1)), _int(c.group(2))
    batch.works.append(work)
    batch.lines[work.key] = content[0][0] if content else 1

    for number_, ln in section("Similar books and articles"):
        other = parse_similar(ln)
        if other is None:
            batch.problems.append(Problem(source, number_, f"similar item not understood: {ln[:60]!r}"))
            continue
        if other.key == work.key:
            other.key += "b"
        batch.works.append(other)
        batch.lines[other.key] = number_
        batch.similar.append((work.key, other.key))
    return batch
