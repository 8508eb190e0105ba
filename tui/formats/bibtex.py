"""BibTeX <-> works, through bibtexparser v2.

Field values are kept raw (LaTeX intact, enclosing braces removed, @string references
resolved) in `Work.fields` so that export re-parses to the same values; the decoded
Unicode the catalogue shows and searches is derived from them here.
"""

from __future__ import annotations

import bisect
import logging
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import bibtexparser
from bibtexparser import Library, model
from bibtexparser.middlewares import AddEnclosingMiddleware
from bibtexparser.middlewares.parsestack import default_parse_stack
from bibtexparser.middlewares.names import parse_single_name_into_parts, split_multiple_persons_names
from bibtexparser.splitter import Splitter

from ..models import Author, Work
from .batch import Batch, FormatError, Problem
from .keys import YEAR, free_key, make_key
from .textfile import read_text
from .latex import decode
from .macros import Macros, expand, language_is_german
from .names import display_from_parts, extended_parts, split_name
from .notes import READSTATUS_OUT, joined_notes

# bibtexparser logs every failed block itself; we report them with file:line instead.
logging.getLogger("bibtexparser").setLevel(logging.CRITICAL)

_VENUE_FIELDS = ("journal", "journaltitle", "booktitle", "series", "howpublished", "school",
                 "institution", "organization")


def parse_file(path: Path, encoding: str | None = None) -> Batch:
    """Read a .bib file: works, plus every failed block and duplicate key as a Problem."""
    return parse_string(read_text(path, encoding), str(path))


@dataclass
class Definitions:
    """What the files of one import define for the files after them, as BibTeX reads
    `\\bibliography{strings,refs}`: @string abbreviations and @preamble macros."""

    strings: dict[str, model.String] = field(default_factory=dict)
    macros: Macros = field(default_factory=Macros)
    defined: int = 0  # @strings and @preambles in the file read last


def parse_string(text: str, source: str = "<text>", mend: bool = True, shared: Definitions | None = None) -> Batch:
    """Parse BibTeX text into a Batch; never raises on bad entries.

    With `mend` (an import), two kinds of entry BibTeX tools accept are kept rather than
    refused, and reported: one that gives a field twice keeps the first (as BibTeX does), and
    one without a usable key gets one made from its author, year and title. Without it (one
    entry typed in the editor) both are refused, so the user mends them.

    With `shared`, the @strings and @preamble macros of the files read before are used
    (this file's own win), and this file's are added for the files after it.
    """
    text = strip_comments(text)
    parsed = Splitter(bibstr=text).split()
    true_line = _line_finder(text, parsed.blocks)
    batch = Batch(source=source)
    made_up: dict[str, str] = {}  # stand-in key -> the key the entry gave
    library = _mend(parsed, batch, source, true_line, made_up) if mend else parsed
    if shared is not None:
        # (copies as written: the middlewares below change the file's own in place)
        own = {s.key: model.String(s.key, s.value, s.start_line, s.raw) for s in library.strings}
        earlier = [s for key, s in shared.strings.items() if key not in own]
        if earlier:
            blocks = [model.String(s.key, s.value, s.start_line, s.raw) for s in earlier] + library.blocks
            library = Library()
            library.add(blocks, fail_on_duplicate_key=False)
        shared.strings.update(own)
        shared.defined = len(own) + len(library.preambles)
    for middleware in default_parse_stack(allow_inplace_modification=True):
        library = middleware.transform(library=library)
    macros = shared.macros if shared is not None else Macros()
    for preamble in library.preambles:
        macros.read_preamble(str(preamble.value))
    first_line: dict[str, int] = {}
    for entry in library.entries:
        first_line.setdefault(entry.key, true_line(entry.start_line))
    for block in library.failed_blocks:
        line = true_line(block.start_line)
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
        elif isinstance(block, model.DuplicateFieldKeyBlock):  # only when not mended
            names = ", ".join(repr(k) for k in sorted(block.duplicate_keys))
            batch.problems.append(Problem(source, line, f"refused entry {block.ignore_error_block.key!r}: "
                                                        f"it gives the field {names} twice"))
        else:
            error = getattr(block, "error", None)
            lines = str(error or "").strip().splitlines()
            detail = lines[0] if lines else "the entry is not closed or not well formed"
            head = block.raw.strip().splitlines()[0][:60] if block.raw and block.raw.strip() else ""
            batch.problems.append(Problem(source, line, f"refused block {head!r}: {detail}"))
    if batch.repeats:
        batch.strings = "\n".join(s.raw for s in library.strings if s.raw)
    by_key = {e.key: e for e in library.entries}
    taken = set(by_key) | {b.key for b in library.failed_blocks if isinstance(b, model.DuplicateBlockKeyBlock)}
    for entry in library.entries:
        line = true_line(entry.start_line)
        if _bad_key(entry.key):
            batch.problems.append(Problem(source, line, f"refused entry with invalid key {entry.key!r}"))
            continue
        work = entry_to_work(entry, by_key, macros)
        if entry.key in made_up:
            work.key = free_key(_made_key(work), taken)
            taken.add(work.key)
            batch.generated.add(work.key)
            given = made_up[entry.key]
            why = "the entry has no key" if not given.strip() else f"the entry's key {given!r} has a space"
            batch.problems.append(Problem(source, line, f"{why}; imported as {work.key!r}", kind="renamed"))
        batch.works.append(work)
        batch.lines[work.key] = line
    return batch


_ENTRY_HEAD = re.compile(r"[ \t]*@[ \t]*(\w+)[ \t\n]*[{(]")


def strip_comments(text: str) -> str:
    """`text` with its `%` comments blanked (to the end of the line; spaces, so that lines and
    columns stay), as biber reads a .bib file: a `%` outside entries, or inside an entry but
    outside a braced or quoted value, starts a comment; in a value, and escaped (`\\%`), it is
    text. So a field commented out, a comment after a field's comma, and a template entry
    commented out line by line are not read."""
    pieces, done = [], 0
    at = text.find("%")
    while at >= 0:
        # the stretch from the entry before the `%` (one starting a line) to the next one:
        # a stretch that starts with no entry but the file's head (a value's line that starts
        # with `@`) is left alone, rather than read a value as comments
        start = text.rfind("\n@", done, at)
        start = done if start < 0 else start + 1
        end = text.find("\n@", at)
        end = len(text) if end < 0 else end + 1
        if start == 0 or _ENTRY_HEAD.match(text, start):
            pieces += [text[done:start], _blank_comments(text[start:end])]
            done = end
        at = text.find("%", end)
    return "".join(pieces) + text[done:] if pieces else text


_NEXT = re.compile(r'[\\%@{}"()]')  # what can change the state of `_blank_comments`
_LINE_END = re.compile(r"[\r\n]")
_NEXT_IN_VALUE = re.compile(r'[\\{}"()]')


def _blank_comments(text: str) -> str:
    spans: list[tuple[int, int]] = []
    n = len(text)
    entry: str | None = None  # the closing character of the entry we are in, if any
    at = _NEXT.search(text)
    while at:
        i, c = at.start(), at.group()
        if c == "\\":
            i += 2
        elif c == "%":
            end = _LINE_END.search(text, i)  # (a Mac's old files end lines in \r alone)
            end = end.start() if end else n
            spans.append((i, end))
            i = end
        elif entry is None:
            head = _ENTRY_HEAD.match(text, i) if c == "@" else None
            if head and head.group(1).lower() != "comment":
                entry = "}" if text[head.end() - 1] == "{" else ")"
                i = head.end()
            elif head:  # @comment{...}: as it is, to its closing brace
                i = _value_end(text, head.end() - 1)
            else:
                i += 1
        elif c == "{" or c == '"':
            i = _value_end(text, i)
        else:
            if c == entry:
                entry = None
            i += 1
        at = _NEXT.search(text, i)
    if not spans:
        return text
    out, last = [], 0
    for start, end in spans:
        out += [text[last:start], " " * (end - start)]
        last = end
    out.append(text[last:])
    return "".join(out)


def _value_end(text: str, i: int) -> int:
    """Where the braced or quoted value (or @comment body) opening at i ends (after it)."""
    quote, depth = text[i] == '"', 0
    closer = ")" if text[i] == "(" else "}"
    at = _NEXT_IN_VALUE.search(text, i + 1)
    while at:
        j, c = at.start(), at.group()
        if c == "\\":
            at = _NEXT_IN_VALUE.search(text, j + 2)
            continue
        if c == "{":
            depth += 1
        elif c == "}" or (c == closer and not quote):
            if depth == 0:
                return j + 1
            depth -= 1
        elif c == '"' and quote and depth == 0:
            return j + 1
        at = _NEXT_IN_VALUE.search(text, j + 1)
    return len(text)


_STAND_IN = "ibid,nokey,{}"  # never a key the parser gives: a key ends at its first comma


def _mend(parsed: Library, batch: Batch, source: str, true_line, made_up: dict[str, str]) -> Library:
    """Before the middlewares run: an entry giving a field twice keeps the first (reported),
    and entries without a usable key (the second and later of them are failed blocks, keyed
    alike) go on under stand-in keys that `parse_string` replaces. The library is built anew
    if anything was mended (`Library.replace` costs a scan of the blocks each)."""
    blocks, mended = [], False
    for block in parsed.blocks:
        entry = block
        if isinstance(block, model.DuplicateFieldKeyBlock):
            entry = block.ignore_error_block
            first: dict[str, model.Field] = {}
            kept = []
            for f in entry.fields:
                name, value = f.key.lower(), str(f.value)
                if name not in first:
                    first[name] = f
                    kept.append(f)
                elif _same(value, str(first[name].value)):
                    continue
                elif name in _LIST_FIELDS and (joined := _join(str(first[name].value), value, _LIST_FIELDS[name])):
                    first[name].value = joined  # keywords (files) given twice: all kept
                else:
                    batch.problems.append(Problem(
                        source, true_line(block.start_line),
                        f"entry {entry.key!r} gives the field {f.key!r} twice; kept the first "
                        f"({_short(str(first[name].value))}), left out {_short(value)}", kind="mended"))
            entry.fields = kept
        elif isinstance(block, model.DuplicateBlockKeyBlock) and _bad_key(block.key):
            entry = block.ignore_error_block
        if isinstance(entry, model.Entry) and _bad_key(entry.key):
            stand_in = _STAND_IN.format(len(made_up))
            made_up[stand_in] = entry.key
            entry.key = stand_in
        blocks.append(entry)
        mended = mended or entry is not block
    if not mended:
        return parsed
    library = Library()
    library.add(blocks, fail_on_duplicate_key=False)
    return library


# fields that are lists, with the separator their values are joined by when given twice
# (`file` is JabRef's and Better BibTeX's list of attachments: BBT has been seen to repeat it)
_LIST_FIELDS = {"keywords": ", ", "keyword": ", ", "file": ";"}


def _inner(value: str) -> str | None:
    """The text inside one braced or quoted value; None for anything else (`a # "b"`, a name)."""
    value = value.strip()
    if len(value) < 2 or (value[0], value[-1]) not in (("{", "}"), ('"', '"')):
        return None
    inner, depth, escaped = value[1:-1], 0, False
    for c in inner:
        if escaped:  # `\{`, `\}`, `\"` are text, as the splitter reads them
            escaped = False
            continue
        escaped = c == "\\"
        depth += (c == "{") - (c == "}")
        if depth < 0 or (c == '"' and value[0] == '"' and depth == 0):
            return None
    return inner if depth == 0 else None


def _same(a: str, b: str) -> bool:
    """Two raw values that read the same (`{X}` and `"X"` do)."""
    x, y = _inner(a), _inner(b)
    return (x if x is not None else a.strip()) == (y if y is not None else b.strip())


def _join(a: str, b: str, sep: str) -> str | None:
    """Two braced or quoted values as one braced list, `{a, b}`; None for a @string name."""
    x, y = _inner(a), _inner(b)
    if x is None or y is None:
        return None
    items = [v.strip() for v in x.split(sep.strip())]
    if y.strip() in items or not y.strip():  # already there: nothing to add
        return a
    return "{" + sep.join([v for v in items if v] + [y.strip()]) + "}"


def _short(value: str, width: int = 40) -> str:
    """A raw field value for a message: one line, its enclosing braces or quotes off, cut short."""
    value = " ".join(value.split())
    inner = _inner(value)
    value = value if inner is None else inner
    return repr(value if len(value) <= width else value[:width - 1] + "…")


def _made_key(work: Work) -> str:
    family = split_name(work.authors[0].name).family if work.authors else ""
    return make_key(family, work.year, work.title)


def _line_finder(text: str, blocks: list[model.Block]):
    """Where each block starts, 1-based, from its parser start line.

    bibtexparser 2.1 does not count a newline that follows a backslash (a value's line ending
    in `\\\\`, common in TeX-made files), so its line numbers drift by one for each; here each
    block's text is found in the file, in order, and the newlines before it counted."""
    if "\\\n" not in text:
        return lambda start: (start or 0) + 1
    lines: dict[int, int] = {}
    at, line = 0, 1
    for block in blocks:
        if block.start_line is None or not block.raw:
            continue
        where = text.find(block.raw, at)
        if where < 0:
            continue
        line += text.count("\n", at, where)
        if not isinstance(block, (model.ImplicitComment, model.ExplicitComment)):
            # (a comment line ending in a backslash gives the next block the comment's start)
            lines.setdefault(block.start_line, line)
        line += block.raw.count("\n")
        at = where + len(block.raw)
    starts = sorted(lines)

    def true_line(start: int | None) -> int:
        if start is None:
            return 1
        if start in lines:
            return lines[start]
        i = bisect.bisect_right(starts, start) - 1  # the drift of the block found before it
        return start + 1 + (lines[starts[i]] - starts[i] - 1 if i >= 0 else 0)

    return true_line


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
    works = {w.key: w for w in parse_string(batch.strings + "\n" + "\n".join(marked)).works}
    out = []
    for mark, (line, key) in given.items():
        if mark in works:
            work = works[mark]
            work.key = key
            out.append((line, work))
    return out


def _bad_key(key: str) -> bool:
    return not key or not key.strip() or any(c.isspace() for c in key)


def raw_fields(entry: model.Entry) -> dict[str, str]:
    """An entry's fields by lower-case name, values raw; a field given twice keeps the first."""
    fields: dict[str, str] = {}
    for f in entry.fields:
        fields.setdefault(f.key.lower(), str(f.value))
    return fields


def entry_to_work(entry: model.Entry, by_key: dict[str, model.Entry] | None = None,
                  macros: Macros | None = None) -> Work:
    """One bibtexparser entry as a Work; crossref parents fill in venue and year for display."""
    fields = raw_fields(entry)
    parent: dict[str, str] = {}
    seen = {entry.key}
    ref = fields.get("crossref")
    while ref and by_key and ref in by_key and ref not in seen:  # cascading, cycle-safe
        seen.add(ref)
        upper = raw_fields(by_key[ref])
        for k, v in upper.items():
            parent.setdefault(k, v)
        ref = upper.get("crossref")
    return fields_to_work(entry.key, entry.entry_type.lower(), fields, parent, macros)


def fields_to_work(key: str, entry_type: str, fields: dict[str, str], parent: dict[str, str] | None = None,
                   macros: Macros | None = None) -> Work:
    """Derive the decoded display attributes of a Work from raw BibTeX fields (with the
    macros its file defines)."""
    parent = parent or {}
    german = language_is_german(fields) or (not fields.get("langid") and not fields.get("language")
                                            and language_is_german(parent))

    def shown(value: str) -> str:
        return decode(value, macros, german)

    def get(name: str) -> str:
        return fields.get(name) or parent.get(name) or ""

    title = shown(fields.get("title", ""))
    if fields.get("subtitle"):
        title = f"{title}: {shown(fields['subtitle'])}" if title else shown(fields["subtitle"])
    people = fields.get("author") or fields.get("editor") or ""
    venue_raw = next((fields[f] for f in _VENUE_FIELDS if fields.get(f)), "")
    if not venue_raw and parent:
        venue_raw = parent.get("booktitle") or parent.get("title") or ""
    year_match = YEAR.search(get("year") or get("date"))
    keywords = [k.strip() for k in re.split(r"[;,]", shown(fields.get("keywords", ""))) if k.strip()]
    return Work(
        key=key,
        type=entry_type or "misc",
        title=title,
        authors=[Author(name) for name in parse_names(people, macros, german)],
        year=int(year_match.group(1)) if year_match else None,
        venue=shown(venue_raw),
        volume=shown(get("volume")),
        number=shown(get("number") or get("issue")),
        pages=shown(fields.get("pages", "").replace("--", "-")),
        publisher=shown(get("publisher")),
        doi=fields.get("doi", "").strip(),
        url=fields.get("url", "").strip(),
        abstract=shown(fields.get("abstract", "")),
        keywords=keywords,
        fields=fields,
    )


def parse_names(value: str, macros: Macros | None = None, german: bool = False) -> list[str]:
    """`Wang, Li and D{\\"u}rer, A.` -> [`Li Wang`, `A. Dürer`]."""
    if not value.strip():
        return []
    if "\\" in value or "`" in value:
        value = expand(value, macros, german)
    return [name for name in map(_display_name, split_multiple_persons_names(value)) if name]


@lru_cache(maxsize=262144)
def _display_name(person: str) -> str:
    """One BibTeX name as it reads: `von Neumann, John` -> `John von Neumann` (names repeat: cached)."""
    extended = extended_parts(person)
    if extended is not None:
        given = extended.get("given") or extended.get("given-i", "")
        return decode(display_from_parts(given, extended.get("family", ""), extended.get("prefix", ""),
                                         extended.get("suffix", "")))
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
    # the note goes out as `annote` (with an `annote` the work was read with before notes were
    # ibid's, once: the note first), the reading state as JabRef's `readstatus`
    if work.note.strip():
        fields["annote"] = joined_notes(work.note, fields.get("annote", ""))
    if work.reading in READSTATUS_OUT:
        fields["readstatus"] = READSTATUS_OUT[work.reading]
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


_BRACES = re.compile(r"[{}]")


def _brace_safe(value: str) -> str:
    if "{" not in value and "}" not in value:
        return value  # (most values; an abstract read a character at a time cost most of an export)
    depth = 0
    for brace in _BRACES.finditer(value):
        depth += 1 if brace.group() == "{" else -1
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
        batch = parse_string(text, "the BibTeX", mend=False)
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
