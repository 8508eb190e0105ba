"""The arXiv API: `GET {arxiv}?id_list=ID` -> an Atom feed with one entry per paper.

An entry has `title`, `summary`, `published`, `author` (`name`, `arxiv:affiliation`),
`link rel=alternate`, `arxiv:primary_category`, and, once published, `arxiv:doi` and
`arxiv:journal_ref` (https://info.arxiv.org/help/api/user-manual.html). A paper arXiv does
not have gives a feed with no entry; a malformed id gives one entry whose id is
`https://arxiv.org/api/errors#...` and whose summary says what is wrong.

The work is a BibTeX `misc` as arXiv's own export makes it: `eprint` (the id without
version), `archiveprefix` = arXiv, `primaryclass`; the published DOI goes to `doi` and the
journal reference to `note`.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET

from ..formats.keys import YEAR
from ..models import Author, Work
from .errors import BadResponse, NotFound
from .fetched import Fetched, clean, finish
from .http import ARXIV, Session, now
from ..identifiers import Identifier

NS = {"atom": "http://www.w3.org/2005/Atom", "arxiv": "http://arxiv.org/schemas/atom"}


def fetch(session: Session, identifier: Identifier) -> Fetched:
    """The paper arXiv holds under an id (the version asked for, or the latest)."""
    response = session.get(ARXIV, session.settings.arxiv, params={"id_list": identifier.value, "max_results": "1"})
    if response.status_code not in (200, 400):
        raise BadResponse(f"arXiv answered HTTP {response.status_code} for {identifier}", ARXIV)
    entries = parse_feed(response.content, identifier)
    if not entries:
        raise NotFound(f"arXiv has no paper {identifier.value}", ARXIV)
    retrieved = now()
    return Fetched(identifier, finish(entry_to_work(entries[0], identifier), ARXIV, retrieved), [], ARXIV,
                   retrieved, str(response.url))


def parse_feed(content: bytes, identifier: Identifier) -> list[ET.Element]:
    """The feed's entries; BadResponse for anything but an Atom feed, or for arXiv's error entry."""
    head = content.lstrip()[:200].lower()
    if head.startswith((b"<!doctype html", b"<html")):
        raise BadResponse(f"arXiv sent a web page instead of its Atom feed for {identifier} "
                          "(a captive portal or a proxy asking to log in?)", ARXIV)
    try:
        root = ET.fromstring(content)
    except ET.ParseError:
        raise BadResponse(f"arXiv sent a cut-off or malformed feed for {identifier}", ARXIV) from None
    if root.tag != f"{{{NS['atom']}}}feed":
        raise BadResponse(f"arXiv sent XML that is not an Atom feed for {identifier}", ARXIV)
    entries = root.findall("atom:entry", NS)
    for entry in entries:
        if "/api/errors" in (entry.findtext("atom:id", "", NS) or ""):
            why = clean(entry.findtext("atom:summary", "", NS)) or "an error"
            raise BadResponse(f"arXiv refused {identifier}: {why}", ARXIV)
    return entries


def entry_to_work(entry: ET.Element, identifier: Identifier) -> Work:
    """One Atom entry as a Work."""
    authors = []
    for raw in entry.findall("atom:author", NS):
        name = clean(raw.findtext("atom:name", "", NS))
        if name:
            places = [clean(a.text) for a in raw.findall("arxiv:affiliation", NS) if clean(a.text)]
            authors.append(Author(name, "; ".join(places)))
    published = YEAR.search(entry.findtext("atom:published", "", NS) or "")
    link = next((a.get("href", "") for a in entry.findall("atom:link", NS) if a.get("rel") == "alternate"), "")
    entry_id = clean(entry.findtext("atom:id", "", NS)).rsplit("/abs/", 1)[-1]
    eprint = Identifier("arxiv", entry_id).normal if entry_id else identifier.normal
    work = Work(key="", type="misc", title=clean(entry.findtext("atom:title", "", NS)), authors=authors,
                year=int(published.group(1)) if published else None, publisher="arXiv",
                doi=clean(entry.findtext("arxiv:doi", "", NS)), url=link or f"https://arxiv.org/abs/{eprint}",
                abstract=clean(entry.findtext("atom:summary", "", NS)))
    work.fields.update({"eprint": eprint, "archiveprefix": "arXiv"})
    primary = entry.find("arxiv:primary_category", NS)
    if primary is not None and primary.get("term"):
        work.fields["primaryclass"] = primary.get("term")
    if clean(entry.findtext("arxiv:journal_ref", "", NS)):
        work.fields["note"] = clean(entry.findtext("arxiv:journal_ref", "", NS))
    return work
