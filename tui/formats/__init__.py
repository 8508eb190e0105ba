"""Text <-> models. No SQL and no Textual in this package."""

from __future__ import annotations

import itertools
import re
import unicodedata
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from ..models import Work


class FormatError(Exception):
    """A whole file cannot be read: one line for the user."""


@dataclass
class Problem:
    """Something in an input file that was not imported as given."""

    file: str
    line: int | None
    message: str
    kind: str = "refused"  # refused | duplicate | renamed | unlinked

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        return f"{where}: {self.message}"


@dataclass
class Batch:
    """What one file yields: works, the links between them, and what went wrong."""

    works: list[Work] = field(default_factory=list)
    citations: list[tuple[str, str]] = field(default_factory=list)  # (citing key, cited key)
    similar: list[tuple[str, str]] = field(default_factory=list)  # (work key, similar key)
    problems: list[Problem] = field(default_factory=list)
    source: str = ""  # the file, for problems found later (a key already in the catalogue)
    lines: dict[str, int] = field(default_factory=dict)  # key -> line where its work starts
    # keys ibid made up (RIS, CSL-JSON without usable ids): if the catalogue has another work
    # under one, the new work gets a free key; it is not a duplicate of a work it only shares a key with
    generated: set[str] = field(default_factory=set)
    last_line: int = 0  # of a chunk of a streamed file: the last line read (for progress)
    # BibTeX blocks whose key an earlier entry of the file took: (line, raw text), and the
    # file's @string definitions to read them with; read only if asked (--on-duplicate rename)
    repeats: list[tuple[int, str]] = field(default_factory=list)
    strings: str = ""

    def repeated_works(self) -> list[tuple[int, Work]]:
        """The works behind `repeats`, each with its line, under the key it was given."""
        from .bibtex import parse_repeats

        return parse_repeats(self) if self.repeats else []


_BINARY = [(b"%PDF", "a PDF"), (b"\x1f\x8b", "gzip-compressed (decompress it first)"),
           (b"PK\x03\x04", "a zip archive"), (b"SQLite format 3\x00", "a SQLite database")]
_DECLARED = re.compile(rb"^%\s*Encoding:\s*([A-Za-z0-9_.:-]+)\s*$", re.M)


def read_text(path: Path, encoding: str | None = None) -> str:
    """Read a text file, honouring a BOM; anything but UTF-8 needs `encoding`."""
    try:
        data = path.read_bytes()
    except IsADirectoryError:
        raise FormatError(f"{path}: is a directory, not a file") from None
    except FileNotFoundError:
        raise FormatError(f"{path}: no such file") from None
    except PermissionError:
        raise FormatError(f"{path}: permission denied") from None
    except OSError as exc:
        raise FormatError(f"{path}: cannot read ({exc.strerror or exc})") from None
    if encoding:
        try:
            return data.decode(encoding)
        except LookupError:
            raise FormatError(f"unknown encoding {encoding!r}") from None
        except UnicodeDecodeError as exc:
            raise FormatError(f"{path}: not valid {encoding} (byte {exc.start})") from None
    if data.startswith(b"\xef\xbb\xbf"):
        return _decode(path, data, "utf-8-sig", "UTF-8")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return _decode(path, data, "utf-16", "UTF-16")
    for magic, kind in _BINARY:
        if data.startswith(magic):
            raise FormatError(f"{path}: {kind}, not a text file ibid can import")
    declared = _DECLARED.search(data[:1024])
    if declared:
        # JabRef writes `% Encoding: windows-1252` on the first line: a reliable answer.
        try:
            return data.decode(declared.group(1).decode("ascii"))
        except (LookupError, UnicodeDecodeError):
            pass  # a wrong or unknown declaration: treat the file as undeclared
    if data[:200].count(b"\x00") * 4 >= min(len(data), 200):
        # UTF-16 without a BOM: text never holds NUL bytes, so where they fall tells the order
        head = data[:200]
        order = "utf-16-be" if head[0::2].count(0) > head[1::2].count(0) else "utf-16-le"
        try:
            return data.decode(order)
        except UnicodeDecodeError:
            pass
    if b"\x00" in data[:8192] and not _decodes(data, "utf-8"):
        raise FormatError(f"{path}: a binary file, not text ibid can import")
    return _decode(path, data, "utf-8", "UTF-8")


def _decodes(data: bytes, codec: str) -> bool:
    try:
        data.decode(codec)
    except UnicodeDecodeError:
        return False
    return True


def _decode(path: Path, data: bytes, codec: str, name: str) -> str:
    """`data` decoded, or (never replacing a byte) an error naming the line and `--encoding`."""
    try:
        return data.decode(codec)
    except UnicodeDecodeError as exc:
        line = data[: exc.start].decode(codec, errors="replace").count("\n") + 1
        raise FormatError(
            f"{path}:{line}: not {name}; give the file's encoding with --encoding "
            "(e.g. latin-1, cp1252, gbk, utf-16)"
        ) from None


_STOP = {
    "a", "an", "the", "on", "of", "in", "and", "for", "to", "at", "by", "with", "from",
    "der", "die", "das", "le", "la", "les", "un", "une", "el", "los", "zur", "zum", "über",
}


_NOT_ASCII_ALNUM = re.compile(r"[^A-Za-z0-9]+")


def ascii_fold(text: str) -> str:
    """`Przemysław` -> `Przemyslaw`: letters and digits only."""
    if text.isascii():
        return _NOT_ASCII_ALNUM.sub("", text)
    text = text.replace("ł", "l").replace("Ł", "L").replace("ø", "o").replace("Ø", "O")
    text = unicodedata.normalize("NFKD", text)
    return "".join(c for c in text if c.isascii() and c.isalnum())


_WORD = re.compile(r"\w+")


YEAR = re.compile(r"(?<!\d)(\d{4})(?!\d)")  # a year inside a date: `2020`, `2020-05-01`, `1996///`
_KEY_LIKE = re.compile(r"^[^\s,{}\"#%'()=\\~]+$")


def given_key(ident: str) -> str:
    """An id a file gives (RIS `ID`, CSL `id`) when it can serve as a citation key, else ''
    (record numbers and URLs are not keys)."""
    ident = ident.strip()
    return ident if ident and _KEY_LIKE.match(ident) and not ident.isdigit() and "://" not in ident else ""


def make_key(author_last: str, year: int | None, title: str) -> str:
    """A citation key in the usual `Wang2020China` shape."""
    first = next((w for w in _WORD.findall(title) if w.lower() not in _STOP), "")
    first = ascii_fold(first).capitalize()
    key = ascii_fold(author_last) + (str(year) if year else "") + first
    return key or "work"


def unique_key(work: Work, seen: dict[str, int], line: int | None, source: str, problems: list[Problem]) -> None:
    """Within one file, a key already taken by an earlier record gets a suffix, and says so.

    Two records of one file are two works (a file never lists a work twice on purpose), so
    they are never merged: the later one is renamed `…b`, `…c` and reported.
    """
    if work.key in seen:
        base = work.key
        work.key = free_key(base, seen)
        problems.append(Problem(source, line, f"key {base!r} already used at line {seen[base]} by another work; "
                                f"this one imported as {work.key!r}", kind="renamed"))
    seen[work.key] = line or 0


def free_key(key: str, taken) -> str:
    """`key`, or `key` with the first suffix b, c, ..., z, ba, ... that `taken` does not hold."""
    if key not in taken:
        return key
    return next(f"{key}{_letters(n)}" for n in itertools.count() if f"{key}{_letters(n)}" not in taken)


def _letters(n: int) -> str:
    """b, c, ..., z, ba, bb, ...: never runs out."""
    letters = "bcdefghijklmnopqrstuvwxyz"
    out = letters[n % 25]
    n //= 25
    while n:
        out = letters[n % 25] + out
        n //= 25
    return out


_SUFFIXES = (".bib", ".bibtex", ".jsonl", ".ndjson", ".txt", ".ris", ".json")


_NAMES = {".ris": "RIS", ".bib": "BibTeX", ".jsonl": "JSON Lines", ".json": "JSON"}


def _suffix(path: Path, text: str) -> tuple[str, bool]:
    """The reader a file wants, by extension or else by its first characters (then `sniffed`)."""
    suffix = path.suffix.lower()
    if suffix not in _SUFFIXES:
        head = text.lstrip()[:2]
        suffix = ".ris" if head == "TY" else {"@": ".bib", "{": ".jsonl", "[": ".json"}.get(head[:1], "")
        if not suffix:
            raise FormatError(f"{path}: unknown format (ibid reads .bib, .ris, CSL-JSON .json, .jsonl "
                              "and PhilPapers record .txt)")
        return suffix, True
    if suffix == ".txt" and text.lstrip().startswith("TY"):
        return ".ris", False  # many "export citation" buttons save RIS as .txt
    return suffix, False


def parse_path(path: Path, encoding: str | None = None) -> Batch:
    """Read any file ibid imports, choosing the reader by extension (or by content)."""
    path = Path(path)
    text = read_text(path, encoding)
    suffix, sniffed = _suffix(path, text)
    try:
        return _parse_text(path, text, suffix, sniffed)
    except FormatError as exc:
        if not sniffed or "unknown format" in str(exc):
            raise
        # a name ibid does not know, read by its first character: say both
        detail = str(exc).removeprefix(str(path))
        line = re.match(r":(\d+):\s*", detail)
        detail = f"line {line[1]}: {detail[line.end():]}" if line else detail.lstrip(": ")
        raise FormatError(f"{path}: unknown format (ibid reads .bib, .ris, CSL-JSON .json, .jsonl and "
                          f"PhilPapers record .txt); read as {_NAMES[suffix]} for its first character, "
                          f"but {detail}") from None


def _parse_text(path: Path, text: str, suffix: str, sniffed: bool = False) -> Batch:
    from . import bibtex, csl, jsonl, philpapers, ris

    if suffix in (".jsonl", ".ndjson"):
        batch = jsonl.parse_string(text, str(path))
        if sniffed and not batch.works:
            # `{` first but not one work a line: a JSON document (a Zotero or CSL-JSON export)?
            try:
                batch = csl.parse_string(text, str(path))
            except FormatError:
                batch.works = []
            if not batch.works:
                raise FormatError(f"{path}: unknown format (ibid reads .bib, .ris, CSL-JSON .json, .jsonl and "
                                  "PhilPapers record .txt; this is JSON, but neither JSON Lines of works nor CSL-JSON)")
    elif suffix == ".ris":
        batch = ris.parse_string(text, str(path))
        if not batch.works and not batch.problems:
            raise FormatError(f"{path}: no RIS records to import (no `TY  - ` line)")
    elif suffix == ".json":
        batch = csl.parse_string(text, str(path))
    elif suffix == ".txt":
        batch = philpapers.parse_string(text, str(path))
    else:
        batch = bibtex.parse_string(text, str(path))
        if not batch.works and not batch.problems:
            what = "only comments and @string definitions" if "@" in text else "no BibTeX at all"
            raise FormatError(f"{path}: no BibTeX entries to import ({what})")
    return batch


def _plain_head(path: Path, encoding: str | None) -> bytes | None:
    """The file's first bytes when it can be read a line at a time as UTF-8 (or as the
    single-byte-safe `encoding` given); None when it must be read whole."""
    try:
        with open(path, "rb") as f:
            head = f.read(4096)
    except OSError:
        return None  # read_text gives the message
    if head.startswith((b"\xff\xfe", b"\xfe\xff")) or b"\x00" in head[:200]:
        return None  # UTF-16
    if encoding and encoding.lower().replace("_", "-") not in ("utf-8", "utf8", "utf-8-sig"):
        return None
    return head


def _check_utf8(path: Path, strict: bool = True) -> int:
    """The file's number of lines; first, the same error as read_text for a file that is
    not UTF-8 (`strict`), so that nothing of it is imported."""
    import codecs

    decoder = codecs.getincrementaldecoder("utf-8")()
    lines, last = 0, b"\n"
    with open(path, "rb") as f:
        while block := f.read(1 << 22):
            if strict:
                try:
                    decoder.decode(block)
                except UnicodeDecodeError as exc:
                    line = lines + block[: exc.start].count(b"\n") + 1
                    raise FormatError(
                        f"{path}:{line}: not UTF-8; give the file's encoding with --encoding "
                        "(e.g. latin-1, cp1252, gbk, utf-16)") from None
            lines += block.count(b"\n")
            last = block
        if strict:
            try:
                decoder.decode(b"", final=True)
            except UnicodeDecodeError:
                raise FormatError(f"{path}:{lines + 1}: not UTF-8; give the file's encoding with --encoding "
                                  "(e.g. latin-1, cp1252, gbk, utf-16)") from None
    return lines + (not last.endswith(b"\n"))


def _numbered_lines(path: Path, errors: str = "strict") -> Iterator[tuple[int, str]]:
    with open(path, "rb") as f:
        for number, raw in enumerate(f, 1):
            if number == 1 and raw.startswith(b"\xef\xbb\xbf"):
                raw = raw[3:]
            yield number, raw.decode("utf-8", errors)


@dataclass
class Stream:
    """A file opened for import: its Batches, read as they are consumed."""

    batches: Iterator[Batch]
    lines: int | None = None  # the file's lines, when it is read a chunk at a time
    works: int | None = None  # the works, when it was read whole

    @property
    def overlap(self) -> Callable[[], None] | None:
        """For Store.import_batches: when the next Batch may be parsed (see ReadAhead)."""
        return self.batches.go if isinstance(self.batches, ReadAhead) else None


def open_path(path: Path, encoding: str | None = None, chunk: int | None = None) -> Stream:
    """Open a file as parse_path reads it, for a stream of Batches: JSON Lines in UTF-8 a
    chunk of `chunk` lines at a time (the reader carries links between chunks, and a last
    Batch holds the links that waited for a later chunk), anything else whole. Whatever
    makes the whole file unreadable (missing, not UTF-8, unknown format) is raised here,
    before any Batch."""
    from . import jsonl

    path = Path(path)
    suffix = path.suffix.lower()
    if suffix in (".jsonl", ".ndjson"):  # anything else is read whole: a `{` file may be a JSON document
        head = _plain_head(path, encoding)
        if head is not None:
            bom = head.startswith(b"\xef\xbb\xbf")  # read_text decodes those leniently
            lines = _check_utf8(path, strict=not bom)
            numbered = _numbered_lines(path, "replace" if bom else "strict")
            return Stream(ReadAhead(jsonl.iter_batches(numbered, str(path), chunk or jsonl.CHUNK)), lines=lines)
    batch = parse_path(path, encoding)
    return Stream(iter([batch]), works=len(batch.works))


class ReadAhead:
    """The same Batches, the next one parsed in a thread while the caller imports this one.

    Parsing is Python and holds the GIL; importing is mostly SQLite, which lets go of it
    only while a statement runs. A parse that overlapped the import's many small statements
    (`executemany`: the GIL taken back for every row) slowed both, so the next Batch is parsed
    when the caller says it is about to run a long statement (`go()`, e.g. before building the
    full-text index), or when it asks for a Batch that is not there yet. An error in the
    reader is raised to the caller, in order."""

    def __init__(self, batches: Iterator[Batch]):
        import queue
        import threading

        self._batches = iter(batches)
        self._done = object()
        self._waiting: queue.Queue = queue.Queue(maxsize=1)
        self._go = threading.Event()
        self._go.set()  # the first Batch at once
        self._parsing = False
        self._finished = False
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._produce, name="ibid-read-ahead", daemon=True)
        self._thread.start()

    def go(self) -> None:
        """The caller is about to spend a while in SQLite: parse the next Batch now."""
        self._go.set()

    def _produce(self) -> None:
        import queue

        try:
            while True:
                while not self._go.wait(0.1):
                    if self._stop.is_set():
                        return
                self._parsing = True
                self._go.clear()
                batch = next(self._batches, self._done)  # parsed here
                while not self._stop.is_set():
                    try:
                        self._waiting.put((batch, None), timeout=0.1)
                        break
                    except queue.Full:
                        continue
                self._parsing = False
                if batch is self._done or self._stop.is_set():
                    return
        except BaseException as exc:  # handed to the consumer, raised there
            self._waiting.put((self._done, exc))

    def __iter__(self) -> ReadAhead:
        return self

    def __next__(self) -> Batch:
        if self._finished:
            raise StopIteration
        if self._waiting.empty() and not self._parsing:
            self.go()  # nobody said when: parse now
        batch, error = self._waiting.get()
        if batch is self._done:
            self._finished = True
            self.close()
            if error is not None:
                raise error
            raise StopIteration
        return batch

    def close(self) -> None:
        self._stop.set()

    __del__ = close
