"""Text <-> models. No SQL and no Textual in this package.

This module is the registry: which reader a file wants (by suffix, or by its first
characters). The readers and writers are one module per format (bibtex, ris, csl, jsonl,
philpapers); what they share is in batch (Batch, Problem, FormatError), keys (citation
keys), textfile (reading files as text), readahead (a file's Batches as a stream), names
and latex.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING

from .batch import Batch, FormatError, Problem
from .readahead import ReadAhead, Stream
from .textfile import check_utf8, numbered_lines, plain_head, read_file

if TYPE_CHECKING:
    from .bibtex import Definitions

__all__ = ["Batch", "FormatError", "Problem", "Stream", "open_path", "parse_path"]


_SUFFIXES = (".bib", ".bibtex", ".jsonl", ".ndjson", ".txt", ".ris", ".json")


CODEC_NAMES = {"cp1252": "Windows-1252", "gb18030": "GB18030 (GBK)", "cp932": "Shift-JIS (cp932)",
               "cp1253": "Windows-1253 (Greek)", "cp1251": "Windows-1251 (Cyrillic)",
               "cp1250": "Windows-1250 (Central European)", "big5": "Big5", "cp949": "EUC-KR (cp949)"}
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


def parse_path(path: Path, encoding: str | None = None, shared: Definitions | None = None) -> Batch:
    """Read any file ibid imports, choosing the reader by extension (or by content); BibTeX
    with the definitions of the files before it (`shared`: see bibtex.Definitions)."""
    path = Path(path)
    text, guessed = read_file(path, encoding)
    suffix, sniffed = _suffix(path, text)
    try:
        batch = _parse_text(path, text, suffix, sniffed, shared)
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
    if guessed:
        batch.problems.insert(0, Problem(str(path), None, f"not UTF-8 and it does not say its encoding: read as "
                                         f"{CODEC_NAMES.get(guessed, guessed)} (--encoding reads it in another)",
                                         kind="encoding"))
    return batch


def _parse_text(path: Path, text: str, suffix: str, sniffed: bool = False,
                shared: Definitions | None = None) -> Batch:
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
        batch = bibtex.parse_string(text, str(path), shared=shared)
        if not batch.works and not batch.problems and not (shared is not None and shared.defined):
            # (in an import of several files, one of @strings only is for the files after it)
            what = "only comments and @string definitions" if "@" in text else "no BibTeX at all"
            raise FormatError(f"{path}: no BibTeX entries to import ({what})")
    return batch


def open_path(path: Path, encoding: str | None = None, chunk: int | None = None,
              shared: Definitions | None = None) -> Stream:
    """Open a file as parse_path reads it, for a stream of Batches: JSON Lines in UTF-8 a
    chunk of `chunk` lines at a time (the reader carries links between chunks, and a last
    Batch holds the links that waited for a later chunk), anything else whole. Whatever
    makes the whole file unreadable (missing, not UTF-8, unknown format) is raised here,
    before any Batch."""
    from . import jsonl

    path = Path(path)
    suffix = path.suffix.lower()
    if suffix in (".jsonl", ".ndjson"):  # anything else is read whole: a `{` file may be a JSON document
        head = plain_head(path, encoding)
        if head is not None:
            bom = head.startswith(b"\xef\xbb\xbf")  # read_text decodes those leniently
            lines = check_utf8(path, strict=not bom)
            numbered = numbered_lines(path, "replace" if bom else "strict")
            return Stream(ReadAhead(jsonl.iter_batches(numbered, str(path), chunk or jsonl.CHUNK)), lines=lines)
    batch = parse_path(path, encoding, shared)
    return Stream(iter([batch]), works=len(batch.works))

