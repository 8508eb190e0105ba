"""Reading import files as text: BOMs, UTF-16, JabRef's `% Encoding:` line, binary files refused."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

from .batch import FormatError


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
