"""BibTeX <-> works, through bibtexparser v2.

Field values are kept raw (LaTeX intact, enclosing braces removed, @string references
resolved) in `Work.fields` so that export re-parses to the same values; the decoded
Unicode the catalogue shows and searches is derived from them here.
"""

from __future__ import annotations

import logging
import re
from functools import lru_cache
from pathlib import Path

import bibtexparser
from bibtexparser import model
from bibtexparser.middlewares import AddEnclosingMiddleware
from bibtexparser.middlewares.names import parse_single_name_into_parts, split_multiple_persons_names

from ..models import Author, Work
from . import YEAR, Batch, FormatError, Problem, read_text
from .latex import decode
from .names import split_name

# bibtexparser logs every failed block itself; we report them with file:line instead.
logging.getLogger("bibtexparser").setLevel(logging.CRITICAL)

_VENUE_FIELDS = ("journal", "journaltitle", "booktitle", "series", "howpublished", "school",
                 "institution", "organization")


def parse_file(path: Path, encoding: str | None = None) -> Batch:
    """Read a .bib file: works, plus every failed block and duplicate key as a Problem."""
    return parse_string(read_text(path, encoding), str(path))


def parse_string(text: str, source: str = "<text>") -> Batch:
    """Parse BibTeX text into a Batch; never raises on bad entries."""
    library = bibtexparser.parse_string(text)
    batch = Batch(source=source)
    first_line: dict[str, int] = {}
    for entry in library.entries:
        first_line.setdefault(entry.key, entry.start_line + 1)
    for block in library.failed_blocks:
        line = (block.start_line or 0) + 1
        if isinstance(block, model.DuplicateBlockKeyBlock) and _bad_key(block.key):
            batch.problems.append(Problem(source, line, f"refused entry with invalid key {block.key!r}"))
        elif isinstance(block, model.DuplicateBlockKeyBlock):
            batch.repeats.append((line, block.raw))
            first = first_line.get(block.key)
            batch.problems.append(Problem(
                source, line,
                f"duplicate key {block.key!r}" + (f" (first at line {first}); kept the first" if first else ""),
                kind="duplicate",
            ))
        else:
            error = getattr(block, "error", None)
            lines = str(error or "").strip().splitlines()
            detail = lines[0] if lines else "the entry is not closed or not well formed"
            head = block.raw.strip().splitlines()[0][:60] if block.raw and block.raw.strip() else ""
            batch.problems.append(Problem(source, line, f"refused block {head!r}: {detail}"))
    if batch.repeats:
        batch.strings = "\n".join(s.raw for s in library.strings if s.raw)
    by_key = {e.key: e for e in library.entries}
    for entry in library.entries:
        line = entry.start_line + 1
        if _bad_key(entry.key):
            batch.problems.append(Problem(source, line, f"refused entry with invalid key {entry.key!r}"))
            continue
        batch.works.append(entry_to_work(entry, by_key))
        batch.lines[entry.key] = line
    return batch


_HEAD_KEY = re.compile(r"^(\s*@\s*\w+\s*[{(]\s*)([^,\s]+)")


def parse_repeats(batch: Batch) -> list[tuple[int, Work]]:
    """The works of `batch.repeats` (a key used twice in one file), read in one parse with the
    file's @strings: each under a stand-in key while parsed, then its own again."""
    marked, given = [], {}
    for i, (line, raw) in enumerate(batch.repeats):
        m = _HEAD_KEY.match(raw)
        if m:
            mark = f"ibidrepeat{i}x"
            given[mark] = (line, m.group(2))
            marked.append(raw[:m.start(2)] + mark + raw[m.end(2):])
    if not marked:
        return []
    entries = {e.key: e for e in bibtexparser.parse_string(batch.strings + "\n" + "\n".join(marked)).entries}
    out = []
    for mark, (line, key) in given.items():
        if mark in entries:
            work = entry_to_work(entries[mark])
            work.key = key
            out.append((line, work))
    return out


def _bad_key(key: str) -> bool:
    return not key or not key.strip() or any(c.isspace() for c in key)


def _raw_fields(entry: model.Entry) -> dict[str, str]:
    fields: dict[str, str] = {}
    for f in entry.fields:
        fields.setdefault(f.key.lower(), str(f.value))
    return fields


def entry_to_work(entry: model.Entry, by_key: dict[str, model.Entry] | None = None) -> Work:
    """One bibtexparser entry as a Work; crossref parents fill in venue and year for display."""
    fields = _raw_fields(entry)
    parent: dict[str, str] = {}
    seen = {entry.key}
    ref = fields.get("crossref")
    while ref and by_key and ref in by_key and ref not in seen:  # cascading, cycle-safe
        seen.add(ref)
        upper = _raw_fields(by_key[ref])
        for k, v in upper.items():
            parent.setdefault(k, v)
        ref = upper.get("crossref")
    return fields_to_work(entry.key, entry.entry_type.lower(), fields, parent)


def fields_to_work(key: str, entry_type: str, fields: dict[str, str], parent: dict[str, str] | None = None) -> Work:
    """Derive the decoded display attributes of a Work from raw BibTeX fields."""
    parent = parent or {}

    def get(name: str) -> str:
        return fields.get(name) or parent.get(name) or ""

    title = decode(fields.get("title", ""))
    if fields.get("subtitle"):
        title = f"{title}: {decode(fields['subtitle'])}" if title else decode(fields["subtitle"])
    people = fields.get("author") or fields.get("editor") or ""
    venue_raw = next((fields[f] for f in _VENUE_FIELDS if fields.get(f)), "")
    if not venue_raw and parent:
        venue_raw = parent.get("booktitle") or parent.get("title") or ""
    year_match = YEAR.search(get("year") or get("date"))
    keywords = [k.strip() for k in re.split(r"[;,]", decode(fields.get("keywords", ""))) if k.strip()]
    return Work(
        key=key,
        type=entry_type or "misc",
        title=title,
        authors=[Author(name) for name in parse_names(people)],
        year=int(year_match.group(1)) if year_match else None,
        venue=decode(venue_raw),
        volume=decode(get("volume")),
        number=decode(get("number") or get("issue")),
        pages=decode(fields.get("pages", "").replace("--", "-")),
        publisher=decode(get("publisher")),
        doi=fields.get("doi", "").strip(),
        url=fields.get("url", "").strip(),
        abstract=decode(fields.get("abstract", "")),
        keywords=keywords,
        fields=fields,
    )


def parse_names(value: str) -> list[str]:
    """`Wang, Li and D{\\"u}rer, A.` -> [`Li Wang`, `A. Dürer`]."""
    if not value.strip():
        return []
    return [name for name in map(_display_name, split_multiple_persons_names(value)) if name]


@lru_cache(maxsize=262144)
def _display_name(person: str) -> str:
    """One BibTeX name as it reads: `von Neumann, John` -> `John von Neumann` (names repeat: cached)."""
    try:
        parts = parse_single_name_into_parts(person, strict=False)
        text = " ".join(parts.first + parts.von + parts.last)
        if parts.jr:
            text += ", " + " ".join(parts.jr)
    except Exception:
        text = person
    text = decode(text)
    return "et al." if text.lower() == "others" else text


def name_to_bibtex(name: str) -> str:
    """`Li Wang` -> `Wang, Li`; `John von Neumann` -> `von Neumann, John` (see names.split_name)."""
    return split_name(name).inverted or name


_LATEX_SPECIALS = re.compile(r"(?<!\\)([&%$#_])")


def latex_escape(text: str) -> str:
    """Plain text as a BibTeX value LaTeX can typeset: `&` -> `\\&` (Unicode is left as is)."""
    return _LATEX_SPECIALS.sub(r"\\\1", text)


# A field built from the work's attributes is added on export only when no field of its
# group is in the raw fields (a work read from BibTeX exports exactly what it was read with).
_GROUPS = {"author": ("author", "editor"), "year": ("year", "date"), "number": ("number", "issue"),
           "journal": _VENUE_FIELDS, "booktitle": _VENUE_FIELDS}


def work_fields(work: Work) -> dict[str, str]:
    """The BibTeX fields of a work: its raw fields, completed from its attributes."""
    fields = dict(work.fields)
    if "crossref" in fields:
        return fields  # what the attributes add beyond the raw fields came from the parent
    venue_field = {"article": "journal", "incollection": "booktitle", "inproceedings": "booktitle"}.get(work.type, "journal")
    built = (
        ("author", " and ".join(latex_escape(name_to_bibtex(a.name)) for a in work.authors)),
        ("title", latex_escape(work.title)), (venue_field, latex_escape(work.venue)),
        ("year", str(work.year or "")), ("volume", work.volume), ("number", work.number),
        ("pages", work.pages.replace("-", "--")), ("publisher", latex_escape(work.publisher)),
        ("doi", work.doi), ("url", work.url), ("abstract", latex_escape(work.abstract)),
        ("keywords", latex_escape(", ".join(work.keywords))),
    )
    for name, value in built:
        if value and not any(f in fields for f in _GROUPS.get(name, (name,))):
            fields[name] = value
    return fields


def _brace_safe(value: str) -> str:
    depth = 0
    for ch in value:
        depth += (ch == "{") - (ch == "}")
        if depth < 0:
            break
    if depth == 0:
        return value
    return value.replace("\\{", "{").replace("\\}", "}").replace("{", "\\{").replace("}", "\\}")


def to_entry(work: Work) -> model.Entry:
    """A bibtexparser entry for a work, fields in their original order."""
    return model.Entry(
        work.type or "misc",
        work.key,
        [model.Field(k, _brace_safe(v)) for k, v in work_fields(work).items()],
    )


def write(works: list[Work]) -> str:
    """BibTeX text for works, through bibtexparser's writer (in place: no deep copies)."""
    library = bibtexparser.Library([to_entry(w) for w in works])
    fmt = bibtexparser.BibtexFormat()
    fmt.indent = "  "
    fmt.trailing_comma = True
    stack = [AddEnclosingMiddleware(reuse_previous_enclosing=False, enclose_integers=True,
                                    default_enclosing="{", allow_inplace_modification=True)]
    return bibtexparser.write_string(library, unparse_stack=stack, bibtex_format=fmt)


def parse_one(text: str) -> Work:
    """The single work in BibTeX text; a clear error for anything else."""
    try:
        batch = parse_string(text, "the BibTeX")
    except Exception as exc:  # bibtexparser should not raise; if it does, it is still the user's text
        raise FormatError(f"not valid BibTeX ({type(exc).__name__}: {exc})") from None
    if batch.problems:
        first = batch.problems[0]
        raise FormatError(f"line {first.line}: {first.message}" if first.line else first.message)
    if len(batch.works) != 1:
        raise FormatError("no BibTeX entry found" if not batch.works else
                         f"write exactly one entry (found {len(batch.works)})")
    work_ = batch.works[0]
    if not work_.title:
        raise FormatError("the entry needs a title")
    return work_
