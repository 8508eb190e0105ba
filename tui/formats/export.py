"""Works out to a file or a stream, as the browser's `x` and `ibid export` write them."""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Iterable, Iterator
from pathlib import Path

from ..models import Work

# the formats other tools read, by the file name's suffix
BY_SUFFIX = {".bib": "bibtex", ".bibtex": "bibtex", ".ris": "ris", ".json": "csl-json"}
CHUNK = 500  # works a stream writes at a time


def format_for_suffix(path: Path) -> str | None:
    """The format a file name asks for (`x.bib` -> bibtex), or None."""
    return BY_SUFFIX.get(Path(path).suffix.lower())


def _writer(fmt: str):
    # imported when first used: the browser's first paint does without bibtexparser
    from . import bibtex, csl, ris

    return {"bibtex": bibtex.write, "ris": ris.write, "csl-json": csl.write}[fmt]


def render(works: list[Work], fmt: str) -> str:
    """The works as one text in `fmt` (bibtex, ris or csl-json)."""
    return _writer(fmt)(works)


def render_chunks(works: Iterable[Work], fmt: str) -> Iterator[str]:
    """The works in `fmt` as pieces of text to write one after another, so that a million
    works never sit in memory at once."""
    if fmt == "csl-json":
        from . import csl

        # one JSON array, written item by item
        yield "[\n"
        first = True
        for work in works:
            text = json.dumps(csl.work_to_item(work), ensure_ascii=False, indent=2)
            yield ("" if first else ",\n") + "  " + text.replace("\n", "\n  ")
            first = False
        yield "\n]\n"
        return
    writer = _writer(fmt)
    chunk: list[Work] = []
    for work in works:
        chunk.append(work)
        if len(chunk) == CHUNK:
            # (BibTeX's full chunks are followed by a blank line, as `ibid export` has written them)
            yield writer(chunk) + ("\n" if fmt == "bibtex" else "")
            chunk = []
    if chunk:
        yield writer(chunk)


def file_mode(path: Path) -> int:
    """The mode a file written at `path` should have: the replaced file's, or a new file's
    (0666 less the umask)."""
    try:
        return os.stat(path).st_mode & 0o7777
    except OSError:
        mask = os.umask(0o022)  # (read by setting it: put back at once)
        os.umask(mask)
        return 0o666 & ~mask


def write_atomic(path: Path, text: str) -> int:
    """Write `text` as UTF-8 to `path`, whole or not at all, keeping the mode of the file it
    replaces; the bytes written. An OSError leaves `path` as it was."""
    path = Path(path)
    data = text.encode("utf-8")
    # written whole beside the target, then renamed over it: never a half-written file
    fd, temp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        os.fchmod(fd, file_mode(path))  # (mkstemp makes it 0600)
        with os.fdopen(fd, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.replace(temp, path)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise
    return len(data)
