"""Crossref's REST API: `GET {crossref}/works/{doi}?mailto=...` -> a work and its references.

The answer is `{"status": "ok", "message-type": "work", "message": {...}}`; the message's
fields are documented at https://api.crossref.org/swagger-ui/index.html (`title`, `subtitle`,
`author` [{given, family, name, ORCID, affiliation: [{name}]}], `container-title`, `volume`,
`issue`, `page`, `article-number`, `issued` {date-parts}, `DOI`, `URL`, `publisher`, `ISBN`,
`type`, `abstract` (JATS), `reference` [{key, DOI, unstructured, author, year, ...}]).
"""

from __future__ import annotations

import json
import re
from urllib.parse import quote

from ..models import Work
from .errors import BadResponse, NotFound
from .fetched import Fetched, Reference, clean, finish, person, set_title
from .http import CROSSREF, Session, now
from ..identifiers import Identifier
from .jats import jats_to_text

# Crossref's work types -> BibTeX entry types (https://api.crossref.org/types)
TYPES = {
    "journal-article": "article", "proceedings-article": "inproceedings", "book-chapter": "incollection",
    "book-section": "incollection", "book-part": "incollection", "reference-entry": "incollection",
    "book": "book", "monograph": "book", "edited-book": "book", "reference-book": "book", "book-set": "book",
    "book-series": "book", "proceedings": "proceedings", "dissertation": "phdthesis", "report": "techreport",
    "report-component": "techreport", "posted-content": "unpublished", "dataset": "misc", "standard": "misc",
    "component": "misc", "peer-review": "misc", "other": "misc", "journal-issue": "misc",
}
_DATES = ("issued", "published-print", "published-online", "published", "created")


def fetch(session: Session, identifier: Identifier) -> Fetched:
    """The work Crossref holds under a DOI; NotFound when Crossref does not hold it."""
    base = session.settings.crossref
    url = f"{base}/works/{quote(identifier.value, safe='/:;()<>[]')}"
    params = {"mailto": session.settings.mailto} if session.settings.mailto else None
    response = session.get(CROSSREF, url, params=params)
    if response.status_code == 404:
        raise NotFound(f"Crossref has no DOI {identifier.value}", CROSSREF)
    if response.status_code != 200:
        raise BadResponse(f"Crossref answered HTTP {response.status_code} for DOI {identifier.value}", CROSSREF)
    message = parse_answer(response.text, CROSSREF, identifier)
    retrieved = now()
    return Fetched(identifier, finish(message_to_work(message), CROSSREF, retrieved), references(message),
                   CROSSREF, retrieved, str(response.url))


def parse_answer(text: str, service: str, identifier: Identifier) -> dict:
    """The `message` of a Crossref answer, or BadResponse saying what came instead."""
    head = text.lstrip()[:200].lower()
    if head.startswith(("<!doctype html", "<html")) or "<html" in head:
        raise BadResponse(f"{service} sent a web page instead of its JSON for {identifier} "
                          "(a captive portal or a proxy asking to log in?)", service)
    try:
        data = json.loads(text)
    except ValueError:
        what = "cut-off JSON" if head.startswith(("{", "[")) else "something that is not JSON"
        raise BadResponse(f"{service} sent {what} for {identifier}", service) from None
    message = data.get("message") if isinstance(data, dict) and "message-type" in data else data
    if not isinstance(message, dict) or not (message.get("title") or message.get("DOI")):
        raise BadResponse(f"{service} sent JSON without a work in it for {identifier}", service)
    return message


def year_of(message: dict) -> int | None:
    """The first year among the message's dates (issued, then published-print ...)."""
    for name in _DATES:
        parts = (message.get(name) or {}).get("date-parts") if isinstance(message.get(name), dict) else None
        try:
            year = parts[0][0]
            if year:
                return int(year)
        except (TypeError, IndexError, ValueError):
            continue
    return None


def message_to_work(message: dict) -> Work:
    """A Crossref work message as a Work (its key and provenance are set by `finish`)."""
    authors = []
    for raw in message.get("author") or []:
        if not isinstance(raw, dict):
            continue
        places = "; ".join(clean(a.get("name")) for a in raw.get("affiliation") or []
                           if isinstance(a, dict) and clean(a.get("name")))
        author = person(raw.get("given"), raw.get("family"), raw.get("name"), raw.get("ORCID") or "", places)
        if author:
            authors.append(author)
    pages = clean(message.get("page")) or clean(message.get("article-number"))
    work = Work(
        key="", type=TYPES.get(clean(message.get("type")), "misc"), authors=authors, year=year_of(message),
        venue=clean(message.get("container-title")), volume=clean(message.get("volume")),
        number=clean(message.get("issue")), pages=pages, publisher=clean(message.get("publisher")),
        doi=clean(message.get("DOI")), url=clean(message.get("URL")),
        abstract=jats_to_text(str(message.get("abstract") or "")),
    )
    set_title(work, plain(clean(message.get("title"))), plain(clean(message.get("subtitle"))))
    isbns = _isbns(message)
    if isbns:
        work.fields["isbn"] = ", ".join(isbns)
    if clean(message.get("ISSN")):
        work.fields["issn"] = clean(message.get("ISSN"))
    if clean(message.get("publisher-location")):
        work.fields["address"] = clean(message.get("publisher-location"))
    return work


def plain(title: str) -> str:
    """A title without the inline markup Crossref keeps in some (`<i>KRAS</i>`, `<sub>2</sub>`)."""
    return jats_to_text(title).replace("\n\n", " ") if "<" in title or "&" in title else title


def _isbns(message: dict) -> list[str]:
    """The work's ISBNs, print first (Crossref lists them in `isbn-type` with their kind)."""
    typed = [t for t in message.get("isbn-type") or [] if isinstance(t, dict) and clean(t.get("value"))]
    ordered = [clean(t["value"]) for t in sorted(typed, key=lambda t: t.get("type") != "print")]
    return list(dict.fromkeys(ordered + [clean(i) for i in message.get("ISBN") or [] if clean(i)]))


_ARXIV_IN_TEXT = re.compile(r"(?:arxiv[:\s]*|arxiv\.org/(?:abs|pdf)/|10\.48550/arxiv\.)"
                            r"(\d{4}\.\d{4,5}|[a-z][a-z-]*(?:\.[A-Z]{2})?/\d{7})(?:v\d+)?", re.I)


def references(message: dict) -> list[Reference]:
    """The work's reference list as Crossref gives it, in order."""
    out = []
    for raw in message.get("reference") or []:
        if not isinstance(raw, dict):
            continue
        doi = clean(raw.get("DOI"))
        text = clean(raw.get("unstructured")) or _built(raw) or (f"doi:{doi}" if doi else "")
        if not text:
            continue
        found = _ARXIV_IN_TEXT.search(" ".join((text, doi)))
        out.append(Reference(text=text, doi=doi, arxiv=found.group(1) if found else "", key=clean(raw.get("key"))))
    return out


def _built(raw: dict) -> str:
    """`Author (year). Title. Journal, volume, page.` from a reference's parts."""
    head = clean(raw.get("author"))
    if clean(raw.get("year")):
        head = f"{head} ({clean(raw.get('year'))})" if head else f"({clean(raw.get('year'))})"
    title = clean(raw.get("article-title")) or clean(raw.get("volume-title")) or clean(raw.get("series-title"))
    where = ", ".join(p for p in (clean(raw.get("journal-title")), clean(raw.get("volume")),
                                  clean(raw.get("first-page"))) if p)
    return ". ".join(p for p in (head, title, where) if p) + ("." if head or title or where else "")
