"""A DOI, an arXiv id or an ISBN, recognised in any of the ways people write them.

    10.1093/mind/LIX.236.433   doi:10.1093/...   https://doi.org/...   https://dx.doi.org/...
    2104.12255   2104.12255v1   arXiv:2104.12255   astro-ph/0601001   https://arxiv.org/abs/...   /pdf/...
    978-0-262-03384-8   0262033844   ISBN 978 0 262 03384 8

Each becomes an `Identifier(kind, value)`: `value` as written (less its prefix), `normal`
the form to compare (a DOI lowercased, an arXiv id without its version, an ISBN as ISBN-13).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import unquote

DOI, ARXIV, ISBN = "doi", "arxiv", "isbn"

EXPECTED = ("a DOI (10.1093/mind/LIX.236.433), an arXiv id (2104.12255, astro-ph/0601001) "
            "or an ISBN (978-0-262-03384-8)")


class IdentifierError(ValueError):
    """Text that is not a DOI, an arXiv id or an ISBN: one line saying what was expected."""


@dataclass(frozen=True)
class Identifier:
    """One work's identifier: `kind` is doi, arxiv or isbn; `value` as the user wrote it."""

    kind: str
    value: str

    @property
    def normal(self) -> str:
        """The form two identifiers are compared in."""
        if self.kind == DOI:
            return self.value.lower()
        if self.kind == ARXIV:
            return _VERSION.sub("", self.value)
        return isbn13(self.value)

    @property
    def version(self) -> str:
        """An arXiv id's version (`v1`), or ''."""
        match = _VERSION.search(self.value) if self.kind == ARXIV else None
        return match.group(0) if match else ""

    def __str__(self) -> str:
        return {DOI: "DOI ", ARXIV: "arXiv:", ISBN: "ISBN "}[self.kind] + self.value


_DOI_PREFIX = re.compile(r"^(?:doi:\s*|info:doi/|https?://(?:dx\.|www\.)?doi\.org/|(?:dx\.)?doi\.org/)", re.I)
_DOI = re.compile(r"^10\.\d{4,9}(?:\.\d+)*/\S+$")
_ARXIV_PREFIX = re.compile(r"^(?:arxiv:\s*|https?://(?:www\.|export\.)?arxiv\.org/(?:abs|pdf)/|"
                           r"(?:www\.|export\.)?arxiv\.org/(?:abs|pdf)/)", re.I)
_ARXIV_NEW = re.compile(r"^\d{4}\.\d{4,5}(?:v\d+)?$")
_ARXIV_OLD = re.compile(r"^[a-z][a-z-]*(?:\.[A-Za-z]{2})?/\d{7}(?:v\d+)?$")
_VERSION = re.compile(r"v\d+$")
_ISBN_PREFIX = re.compile(r"^isbn(?:-1[03])?\s*:?\s*", re.I)
_ISBN_CHARS = re.compile(r"^[0-9Xx][0-9Xx\s-]*$")
_TRAILING = ".,;:'\"!?>]}"


def parse_identifier(text: str) -> Identifier:
    """`text` as an Identifier, or IdentifierError saying what was expected."""
    raw = " ".join(str(text).split()).lstrip("(<[{'\"")
    if not raw:
        raise IdentifierError(f"nothing to look up: expected {EXPECTED}")
    shown = raw if len(raw) <= 60 else raw[:57] + "..."
    if _DOI_PREFIX.match(raw) or raw.startswith("10."):
        return _doi(raw, shown)
    arxiv_id = _arxiv(raw)
    if arxiv_id:
        return Identifier(ARXIV, arxiv_id)
    if _ARXIV_PREFIX.match(raw):
        raise IdentifierError(f"{shown!r} is not an arXiv id: expected e.g. 2104.12255, 2104.12255v1 or astro-ph/0601001")
    if _ISBN_PREFIX.match(raw) or _ISBN_CHARS.match(raw):
        return _isbn(raw, shown)
    raise IdentifierError(f"{shown!r} is not an identifier ibid can look up: expected {EXPECTED}")


def _doi(raw: str, shown: str) -> Identifier:
    value = _trim(unquote(_DOI_PREFIX.sub("", raw, count=1)).strip())
    value = value.split("#", 1)[0] if value.count("#") == 1 and "://" in raw else value  # a URL's fragment
    if not _DOI.match(value):
        raise IdentifierError(f"{shown!r} is not a whole DOI: expected 10.<registrant>/<suffix>, "
                              "e.g. 10.1093/mind/LIX.236.433")
    return Identifier(DOI, value)


def _trim(value: str) -> str:
    """Drop punctuation a sentence or a list left after a DOI; a `)` only when unbalanced."""
    while value:
        if value[-1] in _TRAILING:
            value = value[:-1]
        elif value[-1] == ")" and value.count("(") < value.count(")"):
            value = value[:-1]
        else:
            break
    return value


def _arxiv(raw: str) -> str:
    """The arXiv id `raw` names, or ''."""
    value = _ARXIV_PREFIX.sub("", raw, count=1)
    value = _trim(unquote(value).split("?", 1)[0].split("#", 1)[0]).strip()
    value = value.removesuffix(".pdf").rstrip("/")
    if _ARXIV_NEW.match(value) or _ARXIV_OLD.match(value):
        return value
    return ""


def _isbn(raw: str, shown: str) -> Identifier:
    value = _trim(_ISBN_PREFIX.sub("", raw, count=1))
    digits = re.sub(r"[\s-]", "", value).upper()
    if len(digits) not in (10, 13) or not (digits[:-1].isdigit() and (digits[-1].isdigit() or
                                                                       (digits[-1] == "X" and len(digits) == 10))):
        raise IdentifierError(f"{shown!r} is not an ISBN: expected 10 or 13 digits "
                              "(hyphens and spaces allowed, an ISBN-10 may end in X)")
    if len(digits) == 13 and not digits.startswith(("978", "979")):
        raise IdentifierError(f"{shown!r} is not an ISBN: an ISBN-13 starts with 978 or 979")
    want = _check_digit(digits)
    if digits[-1] != want:
        raise IdentifierError(f"ISBN {value}: the check digit is wrong (expected {want}, not {digits[-1]}): "
                              "a digit was mistyped")
    return Identifier(ISBN, value)


def _check_digit(digits: str) -> str:
    """The check digit an ISBN-10 or ISBN-13 should end with."""
    if len(digits) == 10:
        total = sum((10 - i) * int(d) for i, d in enumerate(digits[:9]))
        check = (11 - total % 11) % 11
        return "X" if check == 10 else str(check)
    total = sum(int(d) * (3 if i % 2 else 1) for i, d in enumerate(digits[:12]))
    return str((10 - total % 10) % 10)


def isbn13(isbn: str) -> str:
    """An ISBN-10 or ISBN-13, hyphens and spaces dropped, as ISBN-13 digits."""
    digits = re.sub(r"[^0-9Xx]", "", isbn).upper()
    if len(digits) == 10:
        body = "978" + digits[:9]
        return body + _check_digit(body + "0")
    return digits


_PREFIX_ONLY = re.compile(r"^(?:doi:|arxiv:|isbn(?:-1[03])?:?)$", re.I)
_DIGITS = re.compile(r"^[0-9Xx-]+$")


def split_identifiers(text: str) -> list[str]:
    """Pasted text -> the identifiers in it, one string each (spaces, commas, semicolons and
    newlines separate them; `doi: 10.1/x`, `ISBN 978 0 262 03384 8` stay whole)."""
    pieces: list[str] = []
    for chunk in re.split(r"[,;\n\r]+", text):
        tokens = chunk.split()
        i = 0
        while i < len(tokens):
            token = tokens[i]
            if _PREFIX_ONLY.match(token) and i + 1 < len(tokens):
                token, i = f"{token} {tokens[i + 1]}", i + 1
            if _DIGITS.match(token.split()[-1]) and not _valid(token):
                # an ISBN written in groups: take as many following groups as make a valid one
                for j in range(i + 1, min(len(tokens), i + 5)):
                    candidate = " ".join([token, *tokens[i + 1: j + 1]])
                    if not _DIGITS.match(tokens[j]):
                        break
                    if _valid(candidate):
                        token, i = candidate, j
                        break
            pieces.append(token)
            i += 1
    return pieces


def _valid(text: str) -> bool:
    try:
        parse_identifier(text)
    except IdentifierError:
        return False
    return True


_ARXIV_DOI = re.compile(r"^10\.48550/arxiv\.(.+)$", re.I)


def work_identifiers(doi: str, fields: dict[str, str]) -> set[tuple[str, str]]:
    """The (kind, normal form) identifiers a work's record holds: its DOI, its arXiv id (an
    `eprint` of arXiv, an `arxiv` field, or an arXiv DOI `10.48550/arXiv.…`) and its ISBNs
    (one or several in `isbn`). What does not parse is left out: a record may hold anything."""
    found: set[tuple[str, str]] = set()

    def add(text: str, kind: str) -> None:
        try:
            ident = parse_identifier(text)
        except IdentifierError:
            return
        if ident.kind == kind:
            found.add((kind, ident.normal))

    if doi:
        add(doi, DOI)
        arxiv_doi = _ARXIV_DOI.match(_DOI_PREFIX.sub("", doi.strip(), count=1))
        if arxiv_doi:
            add(arxiv_doi.group(1), ARXIV)
    lower = {k.lower(): v for k, v in fields.items() if isinstance(v, str)}
    prefix = (lower.get("archiveprefix") or lower.get("eprinttype") or "").strip().lower()
    if lower.get("eprint") and prefix in ("arxiv", ""):
        add(lower["eprint"].strip(), ARXIV)
    if lower.get("arxiv"):
        add(lower["arxiv"], ARXIV)
    for isbn in re.split(r"[,;]|\s{2,}|\s(?=97[89])", lower.get("isbn", "")):
        if isbn.strip():
            add(isbn.strip(), ISBN)
    return found
