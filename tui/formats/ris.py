"""RIS (Zotero, EndNote, Mendeley, JabRef, publishers' "export citation") <-> works, through rispy.

rispy reads each tag; what the tags mean is decided here, the way Zotero's RIS translator
decides it: `TI`/`T1` the title, `T2`/`JF`/`JO` the venue, `AU`/`A1` the authors, `PY`/`Y1`/`DA`
the date, `SP`/`EP` the pages. Records are split here first, so that each keeps its line
number for problems, and so that one bad record never costs the others.
"""

from __future__ import annotations

import re
from pathlib import Path

import rispy

from ..models import Author, Work, page_range
from .batch import Batch, Problem
from .keys import YEAR, given_key, make_key, unique_key
from .names import bibtex_parts, split_name
from .textfile import read_text

_TAG = re.compile(r"^([A-Z][A-Z0-9]) {1,2}-(?: |$)(.*)$")
_DOI = re.compile(r"\b(10\.\d{4,9}/\S+)")

# RIS reference type -> BibTeX entry type
TYPES = {
    "JOUR": "article", "EJOUR": "article", "JFULL": "article", "MGZN": "article", "NEWS": "article",
    "INPR": "article", "ABST": "article",
    "BOOK": "book", "EBOOK": "book", "EDBOOK": "book", "WHOLE": "book",
    "CHAP": "incollection", "ECHAP": "incollection", "ENCYC": "incollection", "DICT": "incollection",
    "CONF": "inproceedings", "CPAPER": "inproceedings",
    "THES": "phdthesis", "RPRT": "techreport", "UNPB": "unpublished", "MANSCPT": "unpublished",
    "PAMP": "booklet",
}
# ... and back; anything else is GEN
RIS_TYPES = {
    "article": "JOUR", "book": "BOOK", "incollection": "CHAP", "inbook": "CHAP", "inproceedings": "CPAPER",
    "conference": "CPAPER", "proceedings": "CONF", "phdthesis": "THES", "mastersthesis": "THES",
    "thesis": "THES", "techreport": "RPRT", "report": "RPRT", "unpublished": "UNPB", "booklet": "PAMP",
    "online": "ELEC", "manual": "BOOK",
}


class _Parser(rispy.RisParser):
    """rispy's parser, lenient about the tag separator (`TY - ` as well as `TY  - `)."""

    def parse_line(self, line: str):
        match = _TAG.match(line.rstrip("\r"))
        if match:
            return match.group(1), match.group(2).strip()
        return None, line.strip()


def parse_file(path: Path, encoding: str | None = None) -> Batch:
    return parse_string(read_text(path, encoding), str(path))


def _records(text: str):
    """(first line number, the record's lines) for each `TY` ... `ER` record."""
    start, lines = None, []
    for number, line in enumerate(text.splitlines(), 1):
        match = _TAG.match(line)
        tag = match.group(1) if match else None
        if tag == "TY":
            if start is not None:  # a record that never ended: take it as it stands
                yield start, lines
            start, lines = number, [line]
        elif start is not None:
            lines.append(line)
            if tag == "ER":
                yield start, lines
                start, lines = None, []
    if start is not None:
        yield start, lines


def parse_string(text: str, source: str = "<text>") -> Batch:
    """RIS text -> a Batch; records without a title are refused with their line."""
    batch = Batch(source=source)
    seen: dict[str, int] = {}
    # A1 and AU are both authors, in the order the lines give them
    parser = _Parser(mapping={**rispy.TAG_KEY_MAPPING, "A1": "authors"}, enforce_list_tags=False)
    for number, lines in _records(text):
        if not lines[-1].startswith("ER"):
            lines = [*lines, "ER  - "]
        try:
            records = parser.parse_lines(iter(lines))
        except Exception as exc:  # rispy should not raise on text; if it does, only this record is lost
            batch.problems.append(Problem(source, number, f"refused record: {type(exc).__name__}: {exc}"))
            continue
        if not records:
            batch.problems.append(Problem(source, number, "refused record: no tags"))
            continue
        work = record_to_work(records[0])
        if not (work.title or work.authors or work.venue or work.doi or work.url or given_key(_one(records[0], "id"))):
            batch.problems.append(Problem(source, number, "refused record: no title, author, venue, DOI, URL or ID"))
            continue
        unique_key(work, seen, number, source, batch.problems)
        batch.works.append(work)
        batch.lines[work.key] = number
        if work.key != given_key(_one(records[0], "id")):
            batch.generated.add(work.key)
    return batch


def _one(record: dict, *names: str) -> str:
    for name in names:
        value = record.get(name)
        if isinstance(value, list):
            value = next((v for v in value if v and str(v).strip()), "")
        if value and str(value).strip():
            return " ".join(str(value).split())
    return ""


def _many(record: dict, *names: str) -> list[str]:
    out: list[str] = []
    for name in names:
        value = record.get(name)
        if not value:
            continue
        for item in value if isinstance(value, list) else [value]:
            item = " ".join(str(item).split())
            if item:
                out.append(item)
    return out


def _unknown(record: dict, tag: str) -> str:
    values = (record.get("unknown_tag") or {}).get(tag) or []
    return " ".join(" ".join(values).split())


def record_to_work(record: dict) -> Work:
    """One rispy record as a work."""
    ris_type = _one(record, "type_of_reference").upper()
    entry_type = TYPES.get(ris_type, "misc")
    title = _one(record, "title", "primary_title") or _unknown(record, "BT")
    venue = _one(record, "secondary_title", "alternate_title3", "journal_name", "alternate_title1",
                 "alternate_title2")
    if not title and venue and entry_type == "book":
        title, venue = venue, ""
    names = _many(record, "authors")  # A2 (editors), A3 (series editors) are not authors
    authors = [Author(split_name(n).display) for n in names]
    year = None
    for date in (_one(record, "year"), _one(record, "date"), _one(record, "publication_year")):
        match = YEAR.search(date)  # PY, then DA, then the deprecated Y1
        if match and int(match.group(1)) > 0:
            year = int(match.group(1))
            break
    start, end = _one(record, "start_page"), _one(record, "end_page")
    pages = start if not end or end == start else f"{start}-{end}"
    doi = _one(record, "doi")
    doi_match = _DOI.search(doi)
    doi = doi_match.group(1).rstrip(".") if doi_match else ""
    urls = _many(record, "urls")
    url = next((u for u in urls if u.startswith(("http://", "https://"))), "")
    keywords: list[str] = []
    for kw in _many(record, "keywords"):
        keywords += [k.strip() for k in kw.split(";") if k.strip()]
    key = given_key(_one(record, "id"))
    work = Work(
        key=key, type=entry_type, title=title, authors=authors, year=year, venue=venue,
        volume=_one(record, "volume"), number=_one(record, "number"), pages=pages,
        publisher=_one(record, "publisher"), doi=doi, url=url,
        abstract=_one(record, "abstract", "notes_abstract"), keywords=list(dict.fromkeys(keywords)),
    )
    if not work.key:
        work.key = make_key(split_name(names[0]).family if names else "", year, title)
    return work


def work_to_record(work: Work) -> dict:
    """A work as a rispy record (`ID` carries the citation key, so a re-import keeps it)."""
    record: dict = {"type_of_reference": RIS_TYPES.get(work.type, "GEN"), "id": work.key}
    if work.authors:
        given = bibtex_parts(work)
        parts = [given.get(a.name, split_name(a.name)) if given else split_name(a.name) for a in work.authors]
        record["authors"] = [a.name if p is None else p.inverted for a, p in zip(work.authors, parts)]
    record["title"] = work.title
    if work.venue:
        record["secondary_title"] = work.venue
    if work.year:
        record["year"] = str(work.year)
    for name, value in (("volume", work.volume), ("number", work.number), ("publisher", work.publisher),
                        ("doi", work.doi), ("abstract", work.abstract)):
        if value:
            record[name] = value
    if work.pages:
        start, end = page_range(work.pages)
        record["start_page"] = start
        if end:
            record["end_page"] = end
    if work.url:
        record["urls"] = [work.url]
    if work.keywords:
        record["keywords"] = list(work.keywords)
    return record


class _Writer(rispy.RisWriter):
    """rispy's writer without its `1.`, `2.` line before each record (Zotero and EndNote expect `TY` first)."""

    def set_header(self, count: int) -> str:
        return ""


def write(works: list[Work]) -> str:
    """RIS text for works, through rispy's writer."""
    return rispy.dumps([work_to_record(w) for w in works], implementation=_Writer) if works else ""
