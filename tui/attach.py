"""Archived copies ("Upload a copy of this work"): files copied into the catalogue's own folder.

The folder sits beside the catalogue (`catalog.db` -> `catalog.files/`). A copy's name is
made from the work's key and the file's name, reduced to letters, digits, `-` and `_`, so
no key or file name can climb out of the folder (`../`), hide (`.name`) or clash: a name
already taken gets `-2`, `-3`. The copy is written and synced before the catalogue records
it; if recording fails, the copy is removed.
"""

from __future__ import annotations

import os
import re
import unicodedata
from pathlib import Path

from .models import Attachment, Work
from .store import Store, StoreError, files_dir

_UNSAFE = re.compile(r"[^A-Za-z0-9_-]+")
MAX_STEM = 60


__all__ = ["attach", "files_dir", "safe_name", "stored_path"]


def _slug(text: str, limit: int) -> str:
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return _UNSAFE.sub("_", text).strip("_-")[:limit].strip("_-")


def safe_name(key: str, filename: str) -> str:
    """`knuth:ct:a` + `../../TeX Book.PDF` -> `knuth_ct_a--TeX_Book.pdf`."""
    base = Path(filename.replace("\\", "/")).name
    stem, dot, ext = base.rpartition(".")
    if not dot or not stem:
        stem, ext = base, ""
    ext = _slug(ext, 10).lower()
    name = "--".join(p for p in (_slug(key, MAX_STEM), _slug(stem, MAX_STEM)) if p) or "file"
    return name + (f".{ext}" if ext else "")


def stored_path(store: Store, attachment: Attachment) -> Path:
    """Where an archived copy is on disk: always a name inside the folder, even if the catalogue
    was edited by hand to say `../../etc/passwd`."""
    name = Path(attachment.stored.replace("\x00", "")).name
    return files_dir(store.path) / (name if name not in ("", ".", "..") else "_")


def attach(store: Store, work: Work, source: Path) -> Attachment:
    """Copy `source` into the catalogue's folder and record it for the work."""
    import shutil
    if store.read_only:
        raise StoreError(f"{store.path}: opened read-only; nothing was changed")
    source = Path(source).expanduser()
    if not source.exists():
        raise StoreError(f"{source}: no such file")
    if not source.is_file():
        raise StoreError(f"{source}: not a regular file")
    folder = files_dir(store.path)
    try:
        folder.mkdir(exist_ok=True)
    except OSError as exc:
        raise StoreError(f"{folder}: cannot create the catalogue's files folder ({exc.strerror or exc})") from None
    name = safe_name(work.key, source.name)
    stem, dot, ext = name.rpartition(".")
    if not dot:
        stem, ext = name, ""
    target = None
    for n in range(1, 10_000):
        candidate = folder / (name if n == 1 else f"{stem}-{n}" + (f".{ext}" if ext else ""))
        try:
            out = open(candidate, "xb")  # never overwrites: another copy keeps its name
        except FileExistsError:
            continue
        except OSError as exc:
            raise StoreError(f"{candidate}: cannot write ({exc.strerror or exc})") from None
        target = candidate
        break
    if target is None:
        raise StoreError(f"{folder}: too many copies named {name}")
    try:
        with out, open(source, "rb") as src:
            shutil.copyfileobj(src, out, 1 << 20)
            out.flush()
            os.fsync(out.fileno())
        return store.add_file(work.id, target.name, source.name)
    except BaseException as exc:
        target.unlink(missing_ok=True)
        if isinstance(exc, OSError):
            raise StoreError(f"{source}: cannot copy ({exc.strerror or exc}); nothing was archived") from None
        raise
