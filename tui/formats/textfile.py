"""Reading import files as text: BOMs, UTF-16, JabRef's `% Encoding:` line, binary files refused."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

from .batch import FormatError

_BINARY = [(b"%PDF", "a PDF"), (b"\x1f\x8b", "gzip-compressed (decompress it first)"),
           (b"PK\x03\x04", "a zip archive"), (b"SQLite format 3\x00", "a SQLite database")]
_DECLARED = re.compile(rb"^%\s*Encoding:\s*([A-Za-z0-9_.:-]+)\s*$", re.M)


def read_bytes(path: Path, most: int | None = None, what: str = "a file") -> bytes:
    """A file's bytes, or FormatError in one line (no such file, a folder, no permission; with
    `most`, a file larger than that, said before a byte of it is read)."""
    try:
        if path.is_dir():
            raise FormatError(f"{path}: is a directory, not a file")
        if most is not None:
            size = path.stat().st_size
            if size > most:
                raise FormatError(f"{path}: {size / 1e6:.0f} MB, too large for {what} "
                                  f"(ibid reads up to {most // (1024 * 1024)} MB)")
        return path.read_bytes()
    except FileNotFoundError:
        raise FormatError(f"{path}: no such file") from None
    except PermissionError:
        raise FormatError(f"{path}: permission denied") from None
    except OSError as exc:
        raise FormatError(f"{path}: cannot read ({exc.strerror or exc})") from None


def read_text(path: Path, encoding: str | None = None) -> str:
    """Read a text file, honouring a BOM (see read_file)."""
    return read_file(path, encoding)[0]


def read_file(path: Path, encoding: str | None = None) -> tuple[str, str | None]:
    """A text file's text, and the encoding it was read in when that was a guess (else None).

    Told reliably: `encoding`, a BOM, UTF-16 (its NUL bytes), JabRef's `% Encoding:` line,
    UTF-8 itself. A file that is none of those and says nothing is read in the encoding a
    detector finds likely, Windows-1252 first (see `guess`): the caller says so, and
    `encoding` reads it otherwise. A file that declares an encoding it is not in, or starts
    with a UTF-8 BOM and is not UTF-8, or is UTF-8 with a broken character among good ones,
    is refused (nothing is guessed for a file that says what it is)."""
    data = read_bytes(path)
    if encoding:
        try:
            return data.decode(encoding), None
        except LookupError:
            raise FormatError(f"unknown encoding {encoding!r}") from None
        except UnicodeDecodeError as exc:
            raise FormatError(f"{path}: not valid {encoding} (byte {exc.start})") from None
    if data.startswith(b"\xef\xbb\xbf"):
        return _decode(path, data, "utf-8-sig", "UTF-8"), None
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return _decode(path, data, "utf-16", "UTF-16"), None
    for magic, kind in _BINARY:
        if data.startswith(magic):
            raise FormatError(f"{path}: {kind}, not a text file ibid can import")
    declared = _DECLARED.search(data[:1024])
    if declared:
        # JabRef writes `% Encoding: windows-1252` on the first line: a reliable answer.
        try:
            return data.decode(declared.group(1).decode("ascii")), None
        except (LookupError, UnicodeDecodeError):
            pass  # a wrong or unknown declaration: treat the file as undeclared
    if data[:200].count(b"\x00") * 4 >= min(len(data), 200):
        # UTF-16 without a BOM: text never holds NUL bytes, so where they fall tells the order
        head = data[:200]
        order = "utf-16-be" if head[0::2].count(0) > head[1::2].count(0) else "utf-16-le"
        try:
            return data.decode(order), None
        except UnicodeDecodeError:
            pass
    if b"\x00" in data[:8192] and not _decodes(data, "utf-8"):
        raise FormatError(f"{path}: a binary file, not text ibid can import")
    if declared or _faulty_utf8(data):
        return _decode(path, data, "utf-8", "UTF-8"), None
    codec = guess(data)
    if codec is None:
        return _decode(path, data, "utf-8", "UTF-8"), None
    return data.decode(codec), codec


def _faulty_utf8(data: bytes) -> bool:
    """UTF-8 with a fault (cut short, a tool that wrote another encoding into it), rather than
    a file in another encoding: its characters beyond ASCII mostly decode as UTF-8 (a legacy
    encoding's bytes make a valid UTF-8 pair now and then, rarely three to one)."""
    text = data.decode("utf-8", errors="replace")
    faults = text.count("\ufffd")
    good = sum(1 for c in text if ord(c) > 127) - faults
    return good >= 3 * faults


# the encodings a file is most likely in, among those the detector finds about as likely:
# Western European first (BibTeX files made on Windows), then the common East Asian, Greek,
# Cyrillic, Central European
_LIKELY = ["cp1252", "gb18030", "cp932", "big5", "cp1253", "cp1251", "cp1250", "cp949", "cp1254",
           "cp1257", "iso8859_15", "latin_1"]


def guess(data: bytes) -> str | None:
    """The encoding of text that is not UTF-8 and does not say: of those charset-normalizer
    finds least garbled (within 0.1 of the best), the most common; Windows-1252 for a few
    bytes beyond ASCII; None if none fits."""
    from charset_normalizer import from_bytes

    if len(data) - len(data.translate(None, bytes(range(0x80, 0x100)))) < 8 and _decodes(data, "cp1252"):
        return "cp1252"  # a few bytes beyond ASCII: too few for a detector to be sure of
    matches = [m for m in from_bytes(data) if m.encoding not in ("utf_8", "ascii")]
    if not matches:
        return "cp1252" if _decodes(data, "cp1252") else None
    best = min(m.chaos for m in matches)
    close = [m.encoding for m in matches if m.chaos <= best + 0.1]
    close += [alias for m in matches if m.chaos <= best + 0.1 for alias in m.could_be_from_charset]
    ranked = sorted(set(close), key=lambda c: (_LIKELY.index(c) if c in _LIKELY else len(_LIKELY), c not in close[:1]))
    for codec in ranked:
        if _decodes(data, codec):
            return codec
    return None


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





def plain_head(path: Path, encoding: str | None) -> bytes | None:
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


def check_utf8(path: Path, strict: bool = True) -> int:
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


def numbered_lines(path: Path, errors: str = "strict") -> Iterator[tuple[int, str]]:
    """The file's lines as (number, text), read as UTF-8 one at a time."""
    with open(path, "rb") as f:
        for number, raw in enumerate(f, 1):
            if number == 1 and raw.startswith(b"\xef\xbb\xbf"):
                raw = raw[3:]
            yield number, raw.decode("utf-8", errors)
