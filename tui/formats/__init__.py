"""Text <-> models. No SQL and no Textual in this package."""

from __future__ import annotations

import re
import unicodedata
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


def ascii_fold(text: str) -> str:
    """`Przemysław` -> `Przemyslaw`: letters and digits only."""
    text = text.replace("ł", "l").replace("Ł", "L").replace("ø", "o").replace("Ø", "O")
    text = unicodedata.normalize("NFKD", text)
    return "".join(c for c in text if c.isascii() and c.isalnum())


def make_key(author_last: str, year: int | None, title: str) -> str:
    """A citation key in the usual `Wang2020China` shape."""
    words = [w for w in re.findall(r"\w+", title) if w.lower() not in _STOP]
    first = ascii_fold(words[0]).capitalize() if words else ""
    key = ascii_fold(author_last) + (str(year) if year else "") + first
    return key or "work"


def parse_path(path: Path, encoding: str | None = None) -> Batch:
    """Read any file ibid imports, choosing the reader by extension (or by content)."""
    from . import bibtex, jsonl, philpapers

    path = Path(path)
    text = read_text(path, encoding)
    suffix = path.suffix.lower()
    sniffed = False
    if suffix not in (".bib", ".bibtex", ".jsonl", ".ndjson", ".txt"):
        head = text.lstrip()[:1]
        suffix = {"@": ".bib", "{": ".jsonl"}.get(head, "")
        if not suffix:
            raise FormatError(f"{path}: unknown format (ibid reads .bib, .jsonl and PhilPapers record .txt)")
        sniffed = True
    if suffix in (".jsonl", ".ndjson"):
        batch = jsonl.parse_string(text, str(path))
        if sniffed and not batch.works:
            # `{` first but not one work a line (a JSON document, a Zotero or CSL-JSON export)
            raise FormatError(f"{path}: unknown format (ibid reads .bib, .jsonl and PhilPapers record .txt; "
                              "this is JSON, but not JSON Lines of works)")
    elif suffix == ".txt":
        batch = philpapers.parse_string(text, str(path))
    else:
        batch = bibtex.parse_string(text, str(path))
        if not batch.works and not batch.problems:
            what = "only comments and @string definitions" if "@" in text else "no BibTeX at all"
            raise FormatError(f"{path}: no BibTeX entries to import ({what})")
    return batch
