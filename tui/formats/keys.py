"""Citation keys: made from a work (`Wang2020China`), taken from a file's ids, kept unique."""

from __future__ import annotations

import itertools
import re
import unicodedata

from ..models import Work
from .batch import Problem


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
