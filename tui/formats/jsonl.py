"""JSON Lines of works with citation links (the shape of Semantic Scholar exports).

One object a line: `title`, `authors`, `venue`, `year`, `abstract`, `doi`, `fields`, a
`bibtex` string whose key is the work's citation key, `s2_id`, and `references`: the
`s2_id`s of works in the same file that it cites.

A file is read in chunks (`Reader`): each chunk is a Batch of its works, and the links
between works of the file are carried across chunks (a reference to a work of an earlier
chunk is linked by that work's key; one to a later chunk waits for it). Memory holds one
chunk of works, plus a key and an `s2_id` for every work seen.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator
from pathlib import Path

import bibtexparser

from ..models import Author, Work
from .batch import Batch, Problem
from .bibtex import fields_to_work, raw_fields
from .keys import make_key, unique_key
from .textfile import read_text

CHUNK = 20_000  # works a chunk when a file is streamed


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
    """Parse JSON Lines text into a Batch of works and citation links (one chunk)."""
    reader = Reader(source)
    batch = reader.feed(enumerate(text.splitlines(), 1))
    last = reader.finish()
    batch.citations += last.citations
    batch.problems += last.problems
    return batch


def iter_batches(lines: Iterable[tuple[int, str]], source: str, chunk: int = CHUNK) -> Iterator[Batch]:
    """Batches of at most `chunk` lines each, then one with the links that waited for a
    later chunk and the count of references to works not in the file (it may be empty)."""
    reader = Reader(source)
    pending: list[tuple[int, str]] = []
    for item in lines:
        pending.append(item)
        if len(pending) >= chunk:
            yield reader.feed(pending)
            pending = []
    if pending:
        yield reader.feed(pending)
    yield reader.finish()


class Reader:
    """Turns chunks of numbered lines into Batches, remembering across chunks the keys given
    (a key used again is renamed, as within one chunk) and each `s2_id`'s key (for links)."""

    def __init__(self, source: str = "<text>"):
        self.source = source
        self.key_of: dict[str, str] = {}  # s2_id -> the key its work was given
        self.seen: dict[str, int] = {}  # key -> line it was first used at
        self.waiting: list[tuple[str, str]] = []  # (citing key, s2_id not seen yet)

    def feed(self, lines: Iterable[tuple[int, str]]) -> Batch:
        """The works of these lines, their links to works seen so far, and what went wrong."""
        source, batch = self.source, Batch(source=self.source)
        records: list[tuple[int, dict]] = []
        for number, line in lines:
            batch.last_line = number
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

        key_of, seen = self.key_of, self.seen
        refs: list[tuple[str, list]] = []
        for number, obj in records:
            bib = obj.get("bibtex")
            head = _head_key(bib) if isinstance(bib, str) else None
            own = entries
            if head and head[1] in twice:
                own = {e.key: e for e in bibtexparser.parse_string(bib).entries}
            work = _work(obj, own, head)
            # Same key, another record (its own s2_id, title): a different work, never merged.
            unique_key(work, seen, number, source, batch.problems)
            batch.lines[work.key] = number
            batch.works.append(work)
            if obj.get("s2_id"):
                key_of[str(obj["s2_id"])] = work.key
            cited = obj.get("references")
            if cited:
                refs.append((work.key, cited))

        for citing, cited_ids in refs:
            for cited_id in cited_ids:
                cited = key_of.get(str(cited_id))
                if cited is None:
                    self.waiting.append((citing, str(cited_id)))
                elif cited != citing:
                    batch.citations.append((citing, cited))
        return batch

    def finish(self) -> Batch:
        """The links to works that came in a later chunk, and how many references point
        to works not in the file at all."""
        batch, missing = Batch(source=self.source), 0
        for citing, cited_id in self.waiting:
            cited = self.key_of.get(cited_id)
            if cited is None:
                missing += 1
            elif cited != citing:
                batch.citations.append((citing, cited))
        self.waiting = []
        if missing:
            batch.problems.append(Problem(self.source, None, f"{missing} references point to works not in the file; "
                                          "not linked", kind="unlinked"))
        return batch


def _head_key(bibtex: str) -> tuple[str, str] | None:
    head = bibtex.lstrip()
    if not head.startswith("@") or "{" not in head:
        return None
    entry_type, rest = head[1:].split("{", 1)
    key = rest.split(",", 1)[0].strip()
    return (entry_type.strip().lower(), key) if key else None


def _work(obj: dict, entries: dict, head: tuple[str, str] | None = None) -> Work:
    get = obj.get
    authors = [str(a) for a in get("authors") or [] if str(a).strip()]
    year = get("year") if isinstance(get("year"), int) else None
    if head is None and isinstance(get("bibtex"), str):
        head = _head_key(obj["bibtex"])
    entry_type = "article"
    if head and head[1] not in ("None", "null"):
        entry_type, key = head
        raw = entries.get(key)
        # Display values come from the JSON (plain Unicode); decode only what the BibTeX alone has.
        # The raw fields keep only the embedded BibTeX: export completes them from these values.
        work = fields_to_work(key, entry_type, raw_fields(raw)) if raw is not None else Work(key=key, type=entry_type or "misc")
    else:
        entry_type = head[0] if head else entry_type
        last = authors[0].split()[-1] if authors else ""
        key = make_key(last, year, str(get("title", "")))
        work = Work(key=key, type=entry_type or "misc")
    if get("title"):
        work.title = " ".join(str(obj["title"]).split())
    if authors:
        work.authors = [Author(a) for a in authors]
    if year:
        work.year = year
    if get("abstract"):
        work.abstract = str(obj["abstract"]).strip()
    if get("doi"):
        work.doi = str(obj["doi"]).strip()
    if get("venue") and not work.venue:
        work.venue = " ".join(str(obj["venue"]).split())
    keywords = get("fields") or []
    if keywords or work.keywords:
        work.keywords = list(dict.fromkeys(work.keywords + [str(f) for f in keywords]))
    return work
