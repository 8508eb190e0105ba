"""What two records of one work have in common, as keys an index can find: a title with case,
accents, punctuation, spacing and a leading article set aside, and the first author's family
name. And whether two personal names may be one person's. Pure: no SQL, no Textual.

    "The {\\TeX}book" (decoded: "The TeXbook")  ->  "texbook"
    "Consensus & Divergence: China's SCO"      ->  "consensusanddivergencechinassco"
    "Knuth, Donald E." / "Donald E. Knuth"     ->  "knuth"

A title made only of a word like "Introduction", "Preface" or "Book reviews" names no one work
(every volume has one): it gets no key, and is never a likely duplicate.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

# a first word set aside, when more follow: English, French, German, Spanish, Italian articles
_ARTICLES = frozenset({"a", "an", "the", "le", "la", "les", "l", "un", "une", "der", "die", "das",
                       "ein", "eine", "el", "los", "las", "il", "lo", "gli"})
# titles (as keys) that many different works carry: no key
GENERIC_TITLES = frozenset("""
abstract abstracts acknowledgement acknowledgements acknowledgment acknowledgments addendum
appendix backmatter bibliography bookreview bookreviews books booksreceived briefnotices
comment comments commentary conclusion conclusions contents contributors correction
corrections corrigendum discussion editorial editorialboard editorialnote editorsnote
editorsintroduction epilogue erratum errata foreword frontmatter frontcover backcover glossary
index introduction introductoryremarks letter letters lettertotheeditor letterstotheeditor
news notes noticesofbooks obituary overview postscript preface prologue proceedings
publications recentpublications references reply response review reviews rejoinder summary
tableofcontents titlepage untitled volumeinformation welcome notitle
""".split())
MIN_TITLE = 4  # characters: a shorter key ("Go", "Pi") is too common to say anything

_SUFFIXES = frozenset({"jr", "sr", "jnr", "snr", "ii", "iii", "iv", "v", "vi"})
_NOT_WORD = re.compile(r"[\W_]+")
_LATEX_COMMAND = re.compile(r"\\[A-Za-z]+")  # left in a decoded title (`InGaN$\slash$GaN`)


def fold(text: str) -> str:
    """Lowercase without accents: `Gödel` -> `godel`, `Straße` -> `strasse`, `Łukasiewicz` -> `lukasiewicz`."""
    if text.isascii():
        return text.lower()
    text = unicodedata.normalize("NFKD", text.translate(_LETTERS))
    return "".join(c for c in text if not unicodedata.combining(c)).casefold()


# letters with no decomposition into a base letter and an accent
_LETTERS = str.maketrans({"ł": "l", "Ł": "L", "ø": "o", "Ø": "O", "đ": "d", "Đ": "D", "ı": "i",
                          "æ": "ae", "Æ": "AE", "œ": "oe", "Œ": "OE", "þ": "th", "Þ": "Th", "ð": "d"})


def title_key(title: str) -> str:
    """The form two titles are compared in; '' for a title that names no one work."""
    words = _NOT_WORD.sub(" ", fold(_LATEX_COMMAND.sub(" ", title.replace("&", " and ")))).split()
    if len(words) > 1 and words[0] in _ARTICLES:
        words = words[1:]
    key = "".join(words)
    if len(key) < MIN_TITLE or key in GENERIC_TITLES:
        return ""
    return key


@lru_cache(maxsize=65536)
def family_key(name: str) -> str:
    """The last word of a personal name's family part, folded: the same for `Knuth, Donald E.`,
    `Donald E. Knuth` and `D. Knuth`; for `van der Waals, J. D.` and `J. D. van der Waals`
    (`waals`), `García Márquez, Gabriel` and `Gabriel García Márquez` (`marquez`). A suffix
    (`Jr.`, `III`) is set aside. '' for no name."""
    family = name.split(",", 1)[0] if "," in name and not _suffix_only(name.split(",", 1)[1]) else name
    if "," in family:
        family = family.split(",", 1)[0]
    words = _NOT_WORD.sub(" ", fold(family)).split()
    while len(words) > 1 and words[-1] in _SUFFIXES:
        words.pop()
    return words[-1] if words and words[-1] not in NO_AUTHOR else ""


def _suffix_only(text: str) -> bool:
    words = _NOT_WORD.sub(" ", text.lower()).split()
    return len(words) == 1 and words[0] in _SUFFIXES


def years_close(a: int | None, b: int | None) -> bool:
    """Years within one of each other (a preprint and its journal version); both must be known."""
    return a is not None and b is not None and abs(a - b) <= 1


def likely_same(year_a: int | None, family_a: str, year_b: int | None, family_b: str) -> bool:
    """Two works of one title key (see title_key) that are likely one: the same first author's
    family name and years within one of each other, or, one work without authors (or by
    "Anonymous"), the same year: a title and a year alone say less."""
    if not years_close(year_a, year_b):
        return False
    if family_a and family_b:
        return family_a == family_b
    return year_a == year_b


# ---- personal names: "Donald E. Knuth", "Donald Ervin Knuth", "D. E. Knuth", "Knuth, Donald"

@dataclass(frozen=True)
class PersonName:
    """A name split for comparing: its family key and its given names, folded, in order."""

    family: str
    given: tuple[str, ...]


def person_name(name: str) -> PersonName:
    """`Knuth, Donald E.` -> (knuth, (donald, e)); `Donald Ervin Knuth` -> (knuth, (donald, ervin))."""
    name = " ".join(name.split())
    family = family_key(name)
    if "," in name:
        head, _, tail = name.partition(",")
        if _suffix_only(tail):
            given_part = " ".join(head.split()[:-1])
        else:
            rest = [p for p in tail.split(",") if not _suffix_only(p)]
            given_part = " ".join(rest)
    else:
        words = name.split()
        while len(words) > 1 and _NOT_WORD.sub("", words[-1].lower()) in _SUFFIXES:
            words.pop()
        # the family's last word and any lowercase particle before it (`von`, `van der`) go
        given_words = words[:-1]
        while given_words and given_words[-1][:1].islower():
            given_words.pop()
        given_part = " ".join(given_words)
    # `D.E.` and `D-E` are two initials; `Jean-Paul` is one name, seen as two parts
    given = tuple(w for w in _NOT_WORD.sub(" ", fold(given_part.replace(".", ". "))).split() if w)
    return PersonName(family, given)


def _compatible(a: str, b: str) -> bool:
    """Two given names of one person: equal, or one an initial of the other."""
    if len(a) == 1 or len(b) == 1:
        return a[0] == b[0]
    return a == b


def names_compatible(a: PersonName, b: PersonName) -> bool:
    """Whether two names may be one person's: the same family key, and given names that agree
    where both have them (`D. E.` ~ `Donald Ervin`, `Donald` ~ `Donald E.`; not `Donald` ~
    `David`, not `D. E.` ~ `D. F.`). A name without given names agrees with none: `Knuth` alone
    says too little."""
    if not a.family or a.family != b.family or not a.given or not b.given:
        return False
    return all(_compatible(x, y) for x, y in zip(a.given, b.given))


# ---- two records naming one identifier: do their titles let them be one work?

TITLES_CLOSE = 0.8  # difflib's ratio of two titles' keys at or above which they agree


def loose_title(title: str) -> str:
    """A title folded to its letters and digits (no article or generic title set aside): what
    two titles of one identifier are compared in."""
    return "".join(_NOT_WORD.sub(" ", fold(_LATEX_COMMAND.sub(" ", title.replace("&", " and ")))).split())


def titles_agree(a: str, b: str) -> bool:
    """Whether two works sharing a DOI, an arXiv id or an ISBN may be one work by their titles:
    either title missing, equal once folded, one the other less a subtitle, or close (a typo,
    LaTeX left in one). Two different titles under one identifier are a record given another's
    identifier (a chapter given its book's DOI), not one work."""
    from difflib import SequenceMatcher

    a, b = loose_title(a), loose_title(b)
    if not a or not b or a == b or a.startswith(b) or b.startswith(a):
        return True
    return SequenceMatcher(None, a, b, autojunk=False).ratio() >= TITLES_CLOSE


# types whose ISBN is their container's, not their own: a chapter and its book share one
PART_TYPES = frozenset({"article", "inproceedings", "incollection", "inbook", "inreference", "conference",
                        "suppbook", "suppcollection", "suppperiodical", "bookinbook", "chapter",
                        "book_section", "review"})


def isbn_names_work(type_: str) -> bool:
    """Whether a work of this type is the one its ISBN names (a book), not a part of it."""
    return (type_ or "misc").lower() not in PART_TYPES


# ---- two records of one title: does anything else say they are two works?

@dataclass(frozen=True)
class Locator:
    """Where a work is found, as far as its record says: checked when two titles agree."""

    type: str = ""
    volume: str = ""
    number: str = ""
    first_page: str = ""


def locator(type_: str, volume: str, number: str, pages: str) -> Locator:
    """A work's type and its volume, issue and first page, folded for comparing."""
    first = re.split(r"\s*(?:--|-|–|—|,)\s*", pages.strip(), maxsplit=1)[0] if pages else ""
    return Locator((type_ or "misc").lower(), _fold_locator(volume), _fold_locator(number), _fold_locator(first))


def _fold_locator(text: str) -> str:
    return "".join(_NOT_WORD.sub(" ", fold(text or "")).split())


# kinds of record: two works of one title are one only if of one kind (or either says little)
_KINDS = {
    **dict.fromkeys(("article", "inproceedings", "conference", "incollection", "inbook", "inreference", "bookinbook",
                     "suppbook", "suppcollection", "suppperiodical", "chapter", "book_section", "review"), "part"),
    **dict.fromkeys(("book", "mvbook", "collection", "mvcollection", "proceedings", "mvproceedings", "reference",
                     "mvreference", "booklet", "manual", "periodical"), "whole"),
    **dict.fromkeys(("phdthesis", "mastersthesis", "thesis"), "thesis"),
    **dict.fromkeys(("techreport", "report"), "report"),
    **dict.fromkeys(("misc", "unpublished", "online", "electronic", "preprint", "www", ""), "any"),
}
_AKIN = {frozenset({"part", "report"})}  # a report and the article it became


def kinds_agree(a: str, b: str) -> bool:
    """Whether works of these types may be one: the same kind (a journal article and a
    conference paper are both parts), a report and an article, or either a misc or unpublished
    record (a preprint). Not a thesis and its article, a book and a chapter, a patent and a
    dataset (a type not listed is a kind of its own)."""
    ka, kb = _KINDS.get(a, a), _KINDS.get(b, b)
    return ka == kb or "any" in (ka, kb) or frozenset({ka, kb}) in _AKIN


def _differ(a: str, b: str) -> bool:
    return bool(a and b) and not (a.startswith(b) or b.startswith(a))


def places_differ(a: Locator, b: Locator) -> bool:
    """Volumes, issues or first pages that differ (where both records give them)."""
    return _differ(a.volume, b.volume) or _differ(a.number, b.number) or _differ(a.first_page, b.first_page)


def locators_conflict(a: Locator, b: Locator, years_apart: bool = False) -> bool:
    """Whether two records of one title key are two works after all: their volumes, issues or
    first pages differ (a column in every issue of a journal, "Editorial comments"), their
    types do not agree (a thesis and the article drawn from it), or, `years_apart` (a year
    between them), nothing says they are one: neither the same volume or first page, nor a
    report or preprint and its publication (a yearly "Research in natural language processing")."""
    if places_differ(a, b) or not kinds_agree(a.type, b.type):
        return True
    if not years_apart:
        return False
    same_place = (a.volume and a.volume == b.volume) or (a.first_page and a.first_page == b.first_page)
    return not same_place and _KINDS.get(a.type, a.type) == _KINDS.get(b.type, b.type)


# first authors that name no one: as if the work had no authors
NO_AUTHOR = frozenset({"anonymous", "anon", "unknown", "various", "others", "nn"})
