"""What a fetch brings back: the work, the references its source lists, and where it came from.

Where a record came from is kept twice: on `Fetched` (`source`, `retrieved`, `url`) and in the
work's own fields, so that it survives into the catalogue and its exports:

    fields["ibid-source"]     "Crossref" | "doi.org" | "arXiv" | "Open Library"
    fields["ibid-retrieved"]  "2026-06-01T12:00:00Z" (UTC)
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ..formats.keys import make_key
from ..formats.names import split_name
from ..models import Author, Work
from ..identifiers import Identifier

SOURCE_FIELD, RETRIEVED_FIELD = "ibid-source", "ibid-retrieved"


@dataclass
class Reference:
    """One entry of a work's reference list, as its source gives it."""

    text: str  # one line: Crossref's `unstructured`, or built from author, year, title, journal
    doi: str = ""  # as given (compare lowercased)
    arxiv: str = ""  # an arXiv id without version, when the text names one
    key: str = ""  # the source's own label for the entry (Crossref's `key`)


@dataclass
class Fetched:
    """A work fetched by its identifier."""

    identifier: Identifier
    work: Work
    references: list[Reference] = field(default_factory=list)
    source: str = ""  # the service that answered: Crossref, doi.org, arXiv, Open Library
    retrieved: str = ""  # when, UTC: 2026-06-01T12:00:00Z
    url: str = ""  # the address that answered


def finish(work: Work, source: str, retrieved: str) -> Work:
    """Give a fetched work its citation key (made as every import makes one) and its provenance."""
    first = work.authors[0].name if work.authors else ""
    work.key = make_key(split_name(first).family if first else "", work.year, work.title)
    work.fields[SOURCE_FIELD] = source
    work.fields[RETRIEVED_FIELD] = retrieved
    return work


def set_title(work: Work, title: str, subtitle: str) -> None:
    """`Title: Subtitle` as the house shows it, the parts kept in fields as BibTeX import keeps them."""
    work.title = f"{title}: {subtitle}" if title and subtitle else (title or subtitle)
    if subtitle:
        work.fields["title"] = title
        work.fields["subtitle"] = subtitle


def clean(value) -> str:
    """A value from a JSON answer as one line of text ('' for anything not a string or number)."""
    if isinstance(value, list):
        value = value[0] if value else ""
    if value is None or isinstance(value, (dict, list, bool)):
        return ""
    return " ".join(str(value).split())


def bare_orcid(value: str) -> str:
    """`https://orcid.org/0000-0002-2515-3842` -> `0000-0002-2515-3842`."""
    match = re.search(r"(\d{4}-\d{4}-\d{4}-\d{3}[\dX])", value or "")
    return match.group(1) if match else ""


def person(given: str, family: str, literal: str = "", orcid: str = "", affiliation: str = "") -> Author | None:
    """An author from the parts a JSON answer gives, or None when it names no one."""
    from ..formats.names import display_from_parts

    name = clean(literal) or display_from_parts(clean(given), clean(family))
    return Author(name, clean(affiliation), orcid=bare_orcid(orcid)) if name else None
