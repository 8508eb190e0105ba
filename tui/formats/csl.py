"""CSL-JSON (pandoc, Zotero's "CSL JSON" export, citeproc) and Zotero's own JSON <-> works.

CSL-JSON is a list of items: `type`, `title`, `author` [{family, given, ...} or {literal}],
`issued` {date-parts | raw | literal}, `container-title`, `volume`, `issue`, `page`, `DOI`,
`URL`, `abstract`, `keyword`, `publisher`, `id` (a citation key when it looks like one).
Zotero's JSON (its API, Better BibTeX's library export) has `itemType`, `creators`, `date`,
`publicationTitle`; it is read too, since it comes cheap.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from ..models import Author, Work
from .batch import Batch, FormatError, Problem
from .keys import YEAR, given_key, make_key, unique_key
from .names import bibtex_parts, display_from_parts, split_name
from .notes import html_to_markdown, joined_notes
from .textfile import read_text


# CSL type -> BibTeX entry type
TYPES = {
    "article-journal": "article", "article-magazine": "article", "article-newspaper": "article",
    "article": "article", "review": "article", "review-book": "article",
    "book": "book", "chapter": "incollection", "entry-encyclopedia": "incollection",
    "entry-dictionary": "incollection", "paper-conference": "inproceedings", "thesis": "phdthesis",
    "report": "techreport", "manuscript": "unpublished", "webpage": "online", "post-weblog": "online",
    "dataset": "misc", "software": "software", "standard": "misc", "patent": "patent",
}
CSL_TYPES = {
    "article": "article-journal", "book": "book", "inbook": "chapter", "incollection": "chapter",
    "inproceedings": "paper-conference", "conference": "paper-conference", "proceedings": "book",
    "phdthesis": "thesis", "mastersthesis": "thesis", "thesis": "thesis", "techreport": "report",
    "report": "report", "unpublished": "manuscript", "online": "webpage", "manual": "book",
    "booklet": "pamphlet", "software": "software", "patent": "patent", "dataset": "dataset",
}
# Zotero itemType -> BibTeX entry type
ZOTERO_TYPES = {
    "journalArticle": "article", "magazineArticle": "article", "newspaperArticle": "article",
    "book": "book", "bookSection": "incollection", "encyclopediaArticle": "incollection",
    "dictionaryEntry": "incollection", "conferencePaper": "inproceedings", "thesis": "phdthesis",
    "report": "techreport", "manuscript": "unpublished", "webpage": "online", "blogPost": "online",
    "computerProgram": "software", "patent": "patent",
}
_ZOTERO_VENUES = ("publicationTitle", "bookTitle", "proceedingsTitle", "encyclopediaTitle",
                  "dictionaryTitle", "websiteTitle", "blogTitle", "university", "institution")


def parse_file(path: Path, encoding: str | None = None) -> Batch:
    return parse_string(read_text(path, encoding), str(path))


def parse_string(text: str, source: str = "<text>") -> Batch:
    """A CSL-JSON or Zotero JSON document -> a Batch; an item without a title is refused."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise FormatError(f"{source}:{exc.lineno}: not valid JSON ({exc.msg})") from None
    if isinstance(data, dict):
        data = data.get("items") if isinstance(data.get("items"), list) else [data]
    if not isinstance(data, list):
        raise FormatError(f"{source}: not CSL-JSON (expected a list of items)")
    batch = Batch(source=source)
    seen: dict[str, int] = {}
    lines = _item_lines(text, data)
    by_zotero_key: dict[str, Work] = {}  # Zotero's item keys, for its notes' parentItem
    child_notes: list[tuple[int, int, dict]] = []
    for number, item in enumerate(data, 1):
        line = lines[number - 1]
        if not isinstance(item, dict):
            batch.problems.append(Problem(source, line, f"item {number}: refused: not an object"))
            continue
        if item.get("itemType") == "note":  # a Zotero note: its parent's, once every item is read
            child_notes.append((number, line, item))
            continue
        try:
            work = zotero_to_work(item) if "itemType" in item else item_to_work(item)
        except (TypeError, ValueError, AttributeError) as exc:  # a field of the wrong shape
            batch.problems.append(Problem(source, line, f"item {number}: refused: {type(exc).__name__}: {exc}"))
            continue
        given = _given(item)
        if not (work.title or work.authors or work.venue or work.doi or work.url or given):
            batch.problems.append(Problem(source, line, f"item {number}: refused: no title, author, venue, DOI, URL or id"))
            continue
        unique_key(work, seen, line, source, batch.problems)
        batch.lines[work.key] = line
        batch.works.append(work)
        if isinstance(item.get("key"), str):
            by_zotero_key[item["key"]] = work
        if work.key != given:
            batch.generated.add(work.key)
    for number, line, item in child_notes:
        parent = by_zotero_key.get(item.get("parentItem")) if isinstance(item.get("parentItem"), str) else None
        if parent is None:
            batch.problems.append(Problem(source, line, f"item {number}: a note of no item in the file: not imported"))
            continue
        parent.note = joined_notes(parent.note, html_to_markdown(str(item.get("note") or "")))
    return batch


_ITEMS = re.compile(r'"items"\s*:\s*\[')


def _item_lines(text: str, items: list) -> list[int]:
    """The line each item of the document's list starts on (1 where it cannot be told)."""
    decoder = json.JSONDecoder()
    head = text.lstrip()
    count = len(items)
    if head.startswith("["):
        pos = len(text) - len(head) + 1
    else:  # Zotero's {"config": ..., "items": [...]}: the "items" whose list is the one read
        for match in _ITEMS.finditer(text):
            try:
                if decoder.raw_decode(text, match.end() - 1)[0] == items:
                    pos = match.end()
                    break
            except ValueError:
                continue
        else:
            return [1] * count
    lines: list[int] = []
    line, counted = 1, 0
    try:
        while len(lines) < count:
            while text[pos] in " \t\r\n,":
                pos += 1
            line += text.count("\n", counted, pos)
            counted = pos
            lines.append(line)
            _, pos = decoder.raw_decode(text, pos)
    except (ValueError, IndexError):
        pass
    return lines + [1] * (count - len(lines))


def _text(value) -> str:
    if value is None or isinstance(value, (dict, list)):
        return ""
    return " ".join(str(value).split())


def _year(value) -> int | None:
    """From `issued`: {date-parts: [[2020, 5]]}, {raw: "2020-05"}, {literal: "..."}, or a string."""
    if isinstance(value, dict):
        parts = value.get("date-parts")
        if isinstance(parts, list) and parts and isinstance(parts[0], list) and parts[0]:
            try:
                return int(str(parts[0][0]).strip())
            except ValueError:
                pass
        value = value.get("raw") or value.get("literal") or value.get("season") or ""
    match = YEAR.search(str(value or ""))
    return int(match.group(1)) if match else None


def _name(person) -> str:
    if isinstance(person, str):
        return " ".join(person.split())
    if not isinstance(person, dict):
        return ""
    if person.get("literal"):
        return _text(person["literal"])
    particle = " ".join(p for p in (_text(person.get("dropping-particle")),
                                    _text(person.get("non-dropping-particle"))) if p)
    return display_from_parts(_text(person.get("given")), _text(person.get("family")), particle,
                              _text(person.get("suffix")))


def _given(item: dict) -> str:
    """The item's own citation key, if it has one."""
    return given_key(_text(item.get("citation-key") or item.get("citationKey") or item.get("id")))


def _key(item: dict, names: list[str], year: int | None, title: str) -> str:
    if given := _given(item):
        return given
    return make_key(split_name(names[0]).family if names else "", year, title)


def item_to_work(item: dict) -> Work:
    """One CSL-JSON item as a work."""
    names = [n for n in map(_name, item.get("author") or []) if n]
    title = _text(item.get("title"))
    year = _year(item.get("issued"))
    keywords = item.get("keyword") or ""
    keywords = keywords if isinstance(keywords, list) else re.split(r"[;,]", str(keywords))
    return Work(
        key=_key(item, names, year, title), type=TYPES.get(_text(item.get("type")), "misc"), title=title,
        authors=[Author(n) for n in names], year=year, venue=_text(item.get("container-title")),
        volume=_text(item.get("volume")), number=_text(item.get("issue") or item.get("number")),
        pages=_text(item.get("page")), publisher=_text(item.get("publisher")), doi=_text(item.get("DOI")),
        url=_text(item.get("URL")), abstract=str(item.get("abstract") or "").strip(),
        keywords=list(dict.fromkeys(k.strip() for k in map(str, keywords) if k.strip())),
    )


def zotero_to_work(item: dict) -> Work:
    """One Zotero JSON item as a work (authors only: editors and translators are not authors)."""
    names = []
    for creator in item.get("creators") or []:
        if isinstance(creator, dict) and creator.get("creatorType", "author") == "author":
            name = _text(creator.get("name")) or display_from_parts(_text(creator.get("firstName")),
                                                                     _text(creator.get("lastName")))
            if name:
                names.append(name)
    title = _text(item.get("title"))
    year = _year(item.get("date"))
    tags = [(_text(t.get("tag")) if isinstance(t, dict) else _text(t)) for t in item.get("tags") or []]
    venue = next((_text(item[f]) for f in _ZOTERO_VENUES if _text(item.get(f))), "")
    note = ""
    for each in item.get("notes") or []:  # Better BibTeX's JSON: the item's notes, HTML
        each = each.get("note") if isinstance(each, dict) else each
        if isinstance(each, str):
            note = joined_notes(note, html_to_markdown(each))
    return Work(
        key=_key(item, names, year, title), type=ZOTERO_TYPES.get(_text(item.get("itemType")), "misc"),
        title=title, authors=[Author(n) for n in names], year=year, venue=venue,
        volume=_text(item.get("volume")), number=_text(item.get("issue")), pages=_text(item.get("pages")),
        publisher=_text(item.get("publisher")), doi=_text(item.get("DOI")), url=_text(item.get("url")),
        abstract=str(item.get("abstractNote") or "").strip(), keywords=list(dict.fromkeys(t for t in tags if t)),
        note=note,
    )


def work_to_item(work: Work) -> dict:
    """A work as a CSL-JSON item, the shape citeproc-py, pandoc and Zotero read."""
    item: dict = {"id": work.key, "type": CSL_TYPES.get(work.type, "document"), "title": work.title}
    if work.authors:
        people = []
        given = bibtex_parts(work)
        for author in work.authors:
            parts = given.get(author.name, split_name(author.name)) if given else split_name(author.name)
            if parts is None:
                people.append({"literal": author.name})
                continue
            if not parts.given and not parts.particle:
                people.append({"literal": author.name} if " " in author.name else {"family": author.name})
                continue
            person = {"family": parts.family, "given": parts.given}
            if parts.particle:
                person["non-dropping-particle"] = parts.particle
            if parts.suffix:
                person["suffix"] = parts.suffix
            people.append(person)
        item["author"] = people
    if work.year:
        item["issued"] = {"date-parts": [[work.year]]}
    for name, value in (("container-title", work.venue), ("volume", work.volume), ("issue", work.number),
                        ("page", work.pages.replace("--", "-")), ("publisher", work.publisher),
                        ("DOI", work.doi), ("URL", work.url), ("abstract", work.abstract)):
        if value:
            item[name] = value
    if work.keywords:
        item["keyword"] = ", ".join(work.keywords)
    return item


def write(works: list[Work]) -> str:
    """A CSL-JSON document (a list of items)."""
    return json.dumps([work_to_item(w) for w in works], ensure_ascii=False, indent=2) + "\n"
