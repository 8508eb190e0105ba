"""What the user types into search, turned into a safe FTS5 expression and filters.

Every word is quoted before it reaches FTS5, so quotes, `AND`, `NEAR(`, `*` and
parentheses are only ever text: a query can find nothing but can never be a syntax error.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field, replace

QUALIFIERS = {"author": "author_names", "authors": "author_names", "title": "title", "venue": "venue",
              "journal": "venue", "abstract": "abstract", "keyword": "keywords", "keywords": "keywords"}
SORTS = ("relevance", "year", "title", "cited")
STATES = ("toread", "reading", "read", "none")  # `state:` (none: no reading state)
STATE_HINT = "state: takes toread, reading, read or none, as in state:toread"
# The word being typed matches as a prefix from two letters on: a one-letter prefix matches
# nearly every work (slow on a big catalogue) and the index keeps prefixes of 2 and 3 letters.
MIN_PREFIX = 2

_TOKEN = re.compile(r'(\w+):"([^"]*)"?|(\w+):(\S*)|"([^"]*)"?|(\S+)')
_WORD = re.compile(r"\w+")
_YEARS = re.compile(r"^(\d{1,4})?(?:(\.\.|-)(\d{1,4})?)?$")


@dataclass
class Query:
    """A parsed search: an FTS5 MATCH expression (or None) and a year range."""

    match: str | None = None
    year_from: int | None = None
    year_to: int | None = None
    words: list[str] = field(default_factory=list)
    parts: list[str] = field(default_factory=list)  # the phrases `match` requires, each an FTS5 expression
    # the word being typed, matched as a prefix (always the last part): its column (or None), the word
    typed: tuple[str | None, str] | None = None
    hints: list[str] = field(default_factory=list)  # what may be wrong, if it finds nothing
    # `state:` (one of STATES, or "" for a word that is none of them: nothing matches)
    state: str | None = None
    note: str | None = None  # `note:` words, an FTS5 expression the work's note must match
    plain: list[str] = field(default_factory=list)  # the parts without a column: a note may hold them

    @property
    def empty(self) -> bool:
        return (self.match is None and self.year_from is None and self.year_to is None
                and self.state is None and self.note is None)

    @property
    def restricted(self) -> bool:
        """Whether the search names a reading state or note words (Store._restricted_ids)."""
        return self.state is not None or self.note is not None

    def typed_as(self, words: list[str]) -> Query:
        """This query with the prefix being typed replaced by any of `words` (the words it
        begins): the same works, found another way (see Store._spelled_out)."""
        column, _ = self.typed
        spelled = (f"{column} : " if column else "") + "(" + " OR ".join(_quote(w) for w in words) + ")"
        parts = [*self.parts[:-1], spelled]
        # FTS5 joins a parenthesised expression to others only with an explicit AND
        return replace(self, match=" AND ".join(parts), parts=parts, typed=None)


def words(text: str) -> list[str]:
    """The words FTS5's unicode61 tokenizer would see, lower-cased."""
    return _WORD.findall(text.replace("_", " ").lower())


def fold(word: str) -> str:
    """Strip diacritics the way `remove_diacritics 2` does, for vocabulary lookups."""
    if word.isascii():
        return word
    return "".join(c for c in unicodedata.normalize("NFKD", word) if not unicodedata.combining(c))


def _quote(word: str) -> str:
    return '"' + word.replace('"', '""') + '"'


def _phrase(ws: list[str], prefix: bool) -> str:
    text = " ".join(_quote(w) for w in ws)
    if len(ws) > 1:
        text = _quote(" ".join(ws))
    return text + ("*" if prefix else "")


def parse(text: str) -> Query:
    """Parse a user's search string; never raises."""
    text = text.replace("\x00", " ")
    query = Query()
    parts: list[str] = []
    tokens = list(_TOKEN.finditer(text))
    typing_last = bool(text) and not text[-1].isspace()
    for i, m in enumerate(tokens):
        last = typing_last and i == len(tokens) - 1
        qual, value = (m.group(1), m.group(2)) if m.group(1) is not None else (m.group(3), m.group(4))
        if qual is not None and qual.lower() == "year":
            ym = _YEARS.match(value.strip())
            if ym and (ym.group(1) or ym.group(3)):
                lo, sep, hi = ym.group(1), ym.group(2), ym.group(3)
                query.year_from = int(lo) if lo else None
                query.year_to = (int(hi) if hi else None) if sep else query.year_from
                if query.year_from is not None and query.year_to is not None and query.year_from > query.year_to:
                    query.year_from, query.year_to = query.year_to, query.year_from  # year:2020..2010
                continue
            query.hints.append("year: takes a year or a range: year:2019, year:2010..2020, year:..1950")
        if qual is not None and qual.lower() == "state":
            value = value.strip().lower().replace("-", "").replace("_", "")
            if value not in STATES and last:  # being typed: a prefix of one state is that state
                begun = [s for s in STATES if s.startswith(value)] if value else []
                value = begun[0] if len(begun) == 1 else value
            query.state = value if value in STATES else ""
            if value not in STATES:
                query.hints.append(STATE_HINT)
            continue
        if qual is not None and qual.lower() == "note":
            ws = words(value)
            if ws:
                quoted = m.group(2) is not None
                phrase = _phrase(ws, last and not quoted and len(ws) == 1 and len(ws[0]) >= MIN_PREFIX)
                query.note = phrase if query.note is None else f"{query.note} {phrase}"
            else:
                query.hints.append("note: needs words after it, as in note:kant")
            continue
        if qual is not None and qual.lower() in QUALIFIERS:
            ws = words(value)
            if ws:
                column = QUALIFIERS[qual.lower()]
                quoted = m.group(2) is not None
                prefix = last and not quoted and len(ws) == 1 and len(ws[0]) >= MIN_PREFIX
                parts.append(f"{column} : {_phrase(ws, prefix)}")
                query.words += ws
                if prefix:
                    query.typed = (column, ws[0])
            else:
                query.hints.append(f"{qual}: needs words after it, as in {qual}:kant")
            continue
        if m.group(5) is not None:  # "a phrase"
            ws = words(m.group(5))
            if ws:
                parts.append(_phrase(ws, False))
                query.plain.append(parts[-1])
                query.words += ws
            continue
        ws = words(m.group(0))
        for j, w in enumerate(ws):
            prefix = last and j == len(ws) - 1 and len(w) >= MIN_PREFIX
            parts.append(_quote(w) + ("*" if prefix else ""))
            query.plain.append(parts[-1])
            query.words.append(w)
            if prefix:
                query.typed = (None, w)
    query.match = " ".join(parts) if parts else None
    query.parts = parts
    query.hints = list(dict.fromkeys(query.hints))
    return query

