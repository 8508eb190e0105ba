"""Citation keys by pattern, the idea of JabRef's key patterns and Better BibTeX's formulas.

A pattern is text with fields in braces, each with modifiers after colons:

    {auth}{year}{veryshorttitle}        Wang2020China   (the house key: the default)
    {auth:lower}{year}{shorttitle}      wang2020ChinaRussiaSco
    {authors2}_{shortyear}              WangLiEtAl_20
    {auth}{year}{journal:abbr:upper}    Wang2020HA

Fields (`FIELDS`): `auth` the first author's family name; `authors` all their family names,
`authorsN` the first N and `EtAl` when there are more; `authorsAlpha` as BibTeX's alpha
style labels (three letters of one author, the initials of two to four, of the first three
of more); `authini` the first author's given-name initials; `year`, `shortyear`; `title`
every significant word, `shorttitle` the first three, `veryshorttitle` the first; `journal`
(or `venue`) its significant words; `firstpage`, `lastpage`; `doi`.

Words are folded to ASCII letters and digits, as the house key has them (`Przemysław` ->
`Przemyslaw`), and title and venue words capitalised as it does (`Dna`, `Sco`); stop words
(`the`, `of`, `der` ...) are left out of titles and venues. Modifiers (`MODIFIERS`), in
order: `lower`, `upper`, `abbr` (each word's first letter), `(N)` (the first N characters).
Text between fields may hold ASCII letters, digits, `_`, `:` and `-`. A field a work lacks
gives nothing; a key with nothing from any field is `work`.

`disambiguate(key, taken)` gives `key`, else `keya`, `keyb`, ... `keyz`, `keyaa` ...
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache

from ..models import Work, page_range
from .names import split_name

from .keys import _STOP, _WORD, ascii_fold  # the house key's own: the default pattern makes the same key

DEFAULT_PATTERN = "{auth}{year}{veryshorttitle}"  # the key every reader makes: Wang2020China

FIELDS = {
    "auth": "the first author's family name",
    "authors": "every author's family name",
    "authorsN": "the first N authors' family names, then EtAl if there are more",
    "authorsAlpha": "as BibTeX's alpha style: Knu, or the initials of two to four authors, or of the first three",
    "authini": "the first author's given-name initials",
    "year": "the year",
    "shortyear": "the year's last two digits",
    "title": "every significant word of the title, capitalised",
    "shorttitle": "the title's first three significant words",
    "veryshorttitle": "the title's first significant word",
    "journal": "the journal or other venue, its significant words",
    "venue": "the same as journal",
    "firstpage": "the first page",
    "lastpage": "the last page",
    "doi": "the DOI, letters and digits only",
}
MODIFIERS = {
    "lower": "lower case",
    "upper": "upper case",
    "abbr": "each word's first letter",
    "(N)": "the first N characters",
}
_LITERAL = re.compile(r"[A-Za-z0-9_:-]*")
_PART = re.compile(r"\{([^{}]*)\}|[^{}]+|[{}]")
_AUTHORS_N = re.compile(r"authors(\d+)")
_TRUNCATE = re.compile(r"\((\d+)\)")


class PatternError(ValueError):
    """A key pattern that cannot be used: one line for the user."""


@dataclass(frozen=True)
class _Field:
    name: str
    count: int  # authorsN's N
    modifiers: tuple[str, ...]


def check_pattern(pattern: str) -> None:
    """Raise PatternError when `pattern` cannot make keys."""
    _parse(pattern)


def make_key(work: Work, pattern: str = DEFAULT_PATTERN) -> str:
    """The key `pattern` makes for `work` (not yet disambiguated)."""
    parts = []
    fields_gave = False
    for part in _parse(pattern):
        if isinstance(part, str):
            parts.append(part)
            continue
        words = [w for w in _apply(_value(work, part), part.modifiers) if w]
        fields_gave = fields_gave or bool(words)
        parts.append("".join(words))
    return "".join(parts) if fields_gave else "work"


def disambiguate(key: str, taken: Callable[[str], bool]) -> str:
    """`key` if not taken, else the first of `keya`, `keyb`, ... `keyz`, `keyaa`, ... that is not."""
    if not taken(key):
        return key
    n = 1
    while taken(candidate := key + _letters(n)):
        n += 1
    return candidate


def _letters(n: int) -> str:
    """1 -> a, 26 -> z, 27 -> aa: never runs out."""
    out = ""
    while n:
        n, rest = divmod(n - 1, 26)
        out = chr(ord("a") + rest) + out
    return out


@lru_cache(maxsize=64)
def _parse(pattern: str) -> tuple[str | _Field, ...]:
    if not pattern.strip():
        raise PatternError("the key pattern is empty; e.g. " + DEFAULT_PATTERN)
    parts: list[str | _Field] = []
    for match in _PART.finditer(pattern):
        text = match.group(0)
        if text == "{":
            raise PatternError(f"key pattern {pattern!r}: a {{ not closed")
        if text == "}":
            raise PatternError(f"key pattern {pattern!r}: a }} with no {{ before it")
        if match.group(1) is None:
            if not _LITERAL.fullmatch(text):
                bad = next(c for c in text if not _LITERAL.fullmatch(c))
                raise PatternError(f"key pattern {pattern!r}: {bad!r} cannot be in a key "
                                   "(text between fields: letters, digits, _ : -)")
            parts.append(text)
            continue
        name, *modifiers = [m.strip() for m in match.group(1).split(":")]
        count = 0
        if (numbered := _AUTHORS_N.fullmatch(name)) is not None:
            name, count = "authorsN", int(numbered.group(1))
        canonical = {f.lower(): f for f in FIELDS}.get(name.lower())
        if canonical is None or canonical == "authorsN" and not count:
            raise PatternError(f"key pattern {pattern!r}: unknown field {{{name}}} "
                               f"(known: {', '.join(FIELDS)})")
        for modifier in modifiers:
            if modifier not in ("lower", "upper", "abbr") and not _TRUNCATE.fullmatch(modifier):
                raise PatternError(f"key pattern {pattern!r}: unknown modifier :{modifier} in {{{match.group(1)}}} "
                                   f"(known: {', '.join(':' + m for m in MODIFIERS)})")
        parts.append(_Field(canonical, count, tuple(modifiers)))
    if not any(isinstance(p, _Field) for p in parts):
        raise PatternError(f"key pattern {pattern!r} has no field, so every work would get one key; "
                           "e.g. " + DEFAULT_PATTERN)
    return tuple(parts)


def _apply(words: list[str], modifiers: tuple[str, ...]) -> list[str]:
    for modifier in modifiers:
        if modifier == "lower":
            words = [w.lower() for w in words]
        elif modifier == "upper":
            words = [w.upper() for w in words]
        elif modifier == "abbr":
            words = [w[:1] for w in words]
        else:
            words = ["".join(words)[: int(modifier[1:-1])]]
    return words


def _value(work: Work, field: _Field) -> list[str]:
    """The field's words, folded to ASCII letters and digits."""
    name = field.name
    if name.startswith("auth"):
        people = [split_name(a.name) for a in work.authors]
        families = [ascii_fold(p.family) for p in people]
        if not people:
            return []
        if name == "auth":
            return families[:1]
        if name == "authors":
            return families
        if name == "authorsN":
            return families[: field.count] + (["EtAl"] if len(families) > field.count else [])
        if name == "authorsAlpha":
            if len(families) == 1:
                return [families[0][:3]]
            return ["".join(f[:1] for f in families[: 4 if len(families) <= 4 else 3])]
        return ["".join(ascii_fold(g)[:1].upper() for g in re.split(r"[\s\-.]+", people[0].given))]
    if name in ("year", "shortyear"):
        return [str(work.year)[-2:] if name == "shortyear" else str(work.year)] if work.year else []
    if name in ("title", "shorttitle", "veryshorttitle"):
        return _significant(work.title, {"title": None, "shorttitle": 3, "veryshorttitle": 1}[name])
    if name in ("journal", "venue"):
        return _significant(work.venue, None)
    if name in ("firstpage", "lastpage"):
        return [ascii_fold(page_range(work.pages)[name == "lastpage"])]
    return [ascii_fold(work.doi)]


def _significant(text: str, count: int | None) -> list[str]:
    """The first `count` (or all) words that are not stop words, capitalised as the house key
    capitalises its title word (`DNA` -> `Dna`)."""
    words = [w for w in _WORD.findall(text) if w.lower() not in _STOP]
    return [ascii_fold(w).capitalize() for w in words[:count]]


def apply_to_made_up_keys(batch, pattern: str):
    """The keys a reader made up for works that came without one (`batch.generated`: RIS,
    CSL-JSON, Zotero JSON without usable ids) made again by `pattern`, disambiguated within the
    file by `disambiguate` (a key the catalogue already holds is the import's to settle, by the
    same rule); the file's links follow. A key the file gave is never touched. Returns `batch`."""
    if not batch.generated or pattern == DEFAULT_PATTERN:
        return batch
    used = {w.key for w in batch.works if w.key not in batch.generated}
    renamed: dict[str, str] = {}
    for work in batch.works:
        if work.key not in batch.generated or work.key in renamed:
            continue
        key = disambiguate(make_key(work, pattern), used.__contains__)
        used.add(key)
        renamed[work.key] = key
        work.key = key
    if renamed:
        batch.generated = {renamed.get(k, k) for k in batch.generated}
        batch.lines = {renamed.get(k, k): line for k, line in batch.lines.items()}
        batch.citations = [(renamed.get(a, a), renamed.get(b, b)) for a, b in batch.citations]
        batch.similar = [(renamed.get(a, a), renamed.get(b, b)) for a, b in batch.similar]
        # the reader's word on clashes of the keys it made up no longer holds: those keys are gone
        batch.problems = [p for p in batch.problems
                          if not (p.kind == "renamed" and any(f"'{old}'" in p.message for old in renamed))]
    return batch
