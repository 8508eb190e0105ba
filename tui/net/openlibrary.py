"""Open Library's Books API for ISBNs: one request per book, the authors' names included.

    GET {openlibrary}/api/books?bibkeys=ISBN:9780262033848&jscmd=data&format=json
    -> {"ISBN:9780262033848": {"title", "subtitle", "authors": [{"name", "url"}], "publishers":
        [{"name"}], "publish_places": [{"name"}], "publish_date", "number_of_pages", "url",
        "identifiers": {"isbn_10": [...], "isbn_13": [...]}, "notes", "excerpts", ...}}

(https://openlibrary.org/dev/docs/api/books). Chosen over `/isbn/{isbn}.json`, whose
authors are keys that need one more request each. An ISBN Open Library does not know
gives `{}`.
"""

from __future__ import annotations

import json

from ..formats.keys import YEAR
from ..models import Author, Work
from .errors import BadResponse, NotFound
from .fetched import Fetched, clean, finish, set_title
from .http import OPEN_LIBRARY, Session, now
from ..identifiers import Identifier


def fetch(session: Session, identifier: Identifier) -> Fetched:
    """The book Open Library holds under an ISBN (asked for as ISBN-13)."""
    isbn = identifier.normal
    response = session.get(OPEN_LIBRARY, f"{session.settings.openlibrary}/api/books",
                           params={"bibkeys": f"ISBN:{isbn}", "jscmd": "data", "format": "json"})
    if response.status_code == 404:
        raise NotFound(f"Open Library has no book with ISBN {identifier.value}", OPEN_LIBRARY)
    if response.status_code != 200:
        raise BadResponse(f"Open Library answered HTTP {response.status_code} for ISBN {identifier.value}",
                          OPEN_LIBRARY)
    head = response.text.lstrip()[:200].lower()
    if head.startswith(("<!doctype html", "<html")):
        raise BadResponse(f"Open Library sent a web page instead of its JSON for ISBN {identifier.value} "
                          "(a captive portal or a proxy asking to log in?)", OPEN_LIBRARY)
    try:
        data = json.loads(response.text)
    except ValueError:
        what = "cut-off JSON" if head.startswith("{") else "something that is not JSON"
        raise BadResponse(f"Open Library sent {what} for ISBN {identifier.value}", OPEN_LIBRARY) from None
    if not isinstance(data, dict):
        raise BadResponse(f"Open Library sent JSON of another shape for ISBN {identifier.value}", OPEN_LIBRARY)
    book = next((v for v in data.values() if isinstance(v, dict)), None)
    if not book:
        raise NotFound(f"Open Library has no book with ISBN {identifier.value}", OPEN_LIBRARY)
    retrieved = now()
    return Fetched(identifier, finish(book_to_work(book, isbn), OPEN_LIBRARY, retrieved), [], OPEN_LIBRARY,
                   retrieved, str(response.url))


def _names(values) -> list[str]:
    return [clean(v.get("name")) for v in values or [] if isinstance(v, dict) and clean(v.get("name"))]


def book_to_work(book: dict, isbn: str) -> Work:
    """One Open Library book record (jscmd=data) as a Work."""
    year = YEAR.search(clean(book.get("publish_date")))
    work = Work(key="", type="book", authors=[Author(n) for n in _names(book.get("authors"))],
                year=int(year.group(1)) if year else None, publisher=", ".join(_names(book.get("publishers"))),
                url=clean(book.get("url")))
    set_title(work, clean(book.get("title")), clean(book.get("subtitle")))
    work.fields["isbn"] = isbn
    places = _names(book.get("publish_places"))
    if places:
        work.fields["address"] = ", ".join(places)
    if clean(book.get("number_of_pages")):
        work.fields["pagetotal"] = clean(book.get("number_of_pages"))
    dois = (book.get("identifiers") or {}).get("doi") if isinstance(book.get("identifiers"), dict) else None
    if dois:
        work.doi = clean(dois)
    return work
