"""JSON Lines of works with citation links (the shape of Semantic Scholar exports).

One object a line: `title`, `authors`, `venue`, `year`, `abstract`, `doi`, `fields`, a
`bibtex` string whose key is the work's citation key, `s2_id`, and `references`: the
`s2_id`s of works in the same file that it cites.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import bibtexparser

from ..models import Author, Work
from . import Batch, Problem, make_key, read_text
from .bibtex import _raw_fields, fields_to_work


def parse_file(path: Path, encoding: str | None = None) -> Batch:
    """Read a .jsonl file of works; bad lines become Problems with their line number."""
    return parse_string(read_text(path, encoding), str(path))


_SURROGATE = re.compile(r"\\u[d][89a-f]", re.I)


def _encodes(obj) -> bool:
    try:
        json.dumps(obj, ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def parse_string(text: str, source: str = "<text>") -> Batch:
    """Parse JSON Lines text into a Batch of works and citation links."""
    batch = Batch(source=source)
    records: list[tuple[int, dict]] = []
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as exc:
            batch.problems.append(Problem(source, number, f"refused line: invalid JSON ({exc.msg})"))
            continue
        if _SURROGATE.search(line) and not _encodes(obj):
            batch.problems.append(Problem(source, number, "refused line: a \\u escape that is no character "
                                          "(a lone UTF-16 surrogate)"))
            continue
        if not isinstance(obj, dict) or not (obj.get("title") or obj.get("bibtex")):
            batch.problems.append(Problem(source, number, "refused line: not a work (no title or bibtex)"))
            continue
        records.append((number, obj))

    # One bibtexparser call for all embedded entries: per-line calls cost more than parsing.
    # A key used twice is parsed again line by line below, so each line gets its own fields.
    joined = "\n".join(o["bibtex"] for _, o in records if isinstance(o.get("bibtex"), str))
    library = bibtexparser.parse_string(joined) if joined else None
    entries = {e.key: e for e in library.entries} if library else {}
    twice = {b.key for b in library.failed_blocks if hasattr(b, "key")} if library else set()

    key_of: dict[str, str] = {}
    seen: dict[str, int] = {}
    refs: list[tuple[str, list, int]] = []
    for number, obj in records:
        head = _head_key(obj["bibtex"]) if isinstance(obj.get("bibtex"), str) else None
        own = entries
        if head and head[1] in twice:
            own = {e.key: e for e in bibtexparser.parse_string(obj["bibtex"]).entries}
        work = _work(obj, own)
        if work.key in seen:
            # Same key, another record (its own s2_id, title): a different work, never merged.
            base, suffix = work.key, ord("b")
            while work.key in seen:
                work.key = f"{base}{chr(suffix)}"
                suffix += 1
            batch.problems.append(Problem(
                source, number, f"key {base!r} already used at line {seen[base]} by another work; "
                f"this one imported as {work.key!r}", kind="renamed"))
        seen[work.key] = number
        batch.lines[work.key] = number
        batch.works.append(work)
        if obj.get("s2_id"):
            key_of[str(obj["s2_id"])] = work.key
        refs.append((work.key, obj.get("references") or [], number))

    missing = 0
    for citing, cited_ids, _ in refs:
        for cited_id in cited_ids:
            cited = key_of.get(str(cited_id))
            if cited is None:
                missing += 1
            elif cited != citing:
                batch.citations.append((citing, cited))
    if missing:
        batch.problems.append(Problem(source, None, f"{missing} references point to works not in the file; not linked",
                                      kind="unlinked"))
    return batch


def _head_key(bibtex: str) -> tuple[str, str] | None:
    head = bibtex.lstrip()
    if not head.startswith("@") or "{" not in head:
        return None
    entry_type, rest = head[1:].split("{", 1)
    key = rest.split(",", 1)[0].strip()
    return (entry_type.strip().lower(), key) if key else None


def _work(obj: dict, entries: dict) -> Work:
    authors = [str(a) for a in obj.get("authors") or [] if str(a).strip()]
    year = obj.get("year") if isinstance(obj.get("year"), int) else None
    head = _head_key(obj["bibtex"]) if isinstance(obj.get("bibtex"), str) else None
    fields: dict[str, str] = {}
    entry_type = "article"
    if head and head[1] not in ("None", "null"):
        entry_type, key = head
        if key in entries:
            fields = _raw_fields(entries[key])
    else:
        entry_type = head[0] if head else entry_type
        last = authors[0].split()[-1] if authors else ""
        key = make_key(last, year, str(obj.get("title", "")))
    # Display values come from the JSON (plain Unicode); decode only what the BibTeX alone has.
    # The raw fields keep only the embedded BibTeX: export completes them from these values.
    work = fields_to_work(key, entry_type, fields)
    if obj.get("title"):
        work.title = " ".join(str(obj["title"]).split())
    if authors:
        work.authors = [Author(a) for a in authors]
    if year:
        work.year = year
    if obj.get("abstract"):
        work.abstract = str(obj["abstract"]).strip()
    if obj.get("doi"):
        work.doi = str(obj["doi"]).strip()
    if obj.get("venue") and not work.venue:
        work.venue = " ".join(str(obj["venue"]).split())
    keywords = [str(f) for f in obj.get("fields") or []]
    work.keywords = list(dict.fromkeys(work.keywords + keywords))
    return work
