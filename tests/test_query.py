"""The search parser: what the user types -> a safe FTS5 expression and a year range."""

from __future__ import annotations

import random
import sqlite3

import pytest

from tui.query import Query, fold, parse, words


@pytest.mark.parametrize("text, match", [
    ("machine", '"machine"*'),                    # the word being typed is a prefix
    ("machine ", '"machine"'),                    # ... until a space ends it
    ("minds machines ", '"minds" "machines"'),
    ("minds machines", '"minds" "machines"*'),
    ('"turing test" ', '"turing test"'),          # a phrase
    ('"turing test', '"turing test"'),            # an unclosed quote is still a phrase
    ("author:turing ", 'author_names : "turing"'),
    ("author:turing", 'author_names : "turing"*'),
    ("Author:Turing ", 'author_names : "turing"'),     # qualifiers in any case
    ('author:"Li Wang"', 'author_names : "li wang"'),
    ('author:"Li', 'author_names : "li"'),
    ("journal:mind ", 'venue : "mind"'),
    ("venue:mind ", 'venue : "mind"'),
    ("title:minds-machines", 'title : "minds machines"'),
    ("abstract:game ", 'abstract : "game"'),
    ("keyword:logic ", 'keywords : "logic"'),
    ("foo:bar ", '"foo" "bar"'),                  # not a qualifier: just words
    ("year:abc", '"year" "abc"*'),                # not a year: just words
    ("AND OR", '"and" "or"*'),                    # operators are words
    ("NEAR(", '"near"*'),
    ('"unbalanced', '"unbalanced"'),
    ('O"Brien ', '"o" "brien"'),
    ("a\x00b ", '"a" "b"'),                       # NUL is a space
    ("gödel_turing", '"gödel" "turing"*'),         # the tokenizer's words: _ separates
])
def test_parse_match(text, match):
    q = parse(text)
    assert q.match == match
    assert (q.year_from, q.year_to) == (None, None)
    assert not q.empty


@pytest.mark.parametrize("text", ["", "   ", "*", "^", "-", ":", "()", "title:", "author:", '"', '""', "\x00"])
def test_parse_nothing_to_search(text):
    q = parse(text)
    assert q.match is None and q.empty and q.words == []


@pytest.mark.parametrize("text, years", [
    ("year:2019", (2019, 2019)),
    ("YEAR:2019", (2019, 2019)),
    ('year:"2019"', (2019, 2019)),
    ("year:2010..2020", (2010, 2020)),
    ("year:2010-2020", (2010, 2020)),
    ("year:2010..", (2010, None)),
    ("year:..2020", (None, 2020)),
    ("year:2019 year:2020", (2020, 2020)),  # the last one wins
    ("year:2020..2010", (2010, 2020)),  # a range written backwards is the same range
])
def test_parse_years(text, years):
    q = parse(text)
    assert (q.year_from, q.year_to) == years
    assert q.match is None and not q.empty


def test_years_and_words_together():
    q = parse("x year:1999 yo")
    assert (q.match, q.year_from, q.year_to, q.words) == ('"x" "yo"*', 1999, 1999, ["x", "yo"])


def test_one_letter_being_typed_is_a_word_not_a_prefix():
    assert parse("machine t").match == '"machine" "t"'
    assert parse("machine th").match == '"machine" "th"*'
    assert parse("author:w").match == 'author_names : "w"'
    assert parse("author:wa").match == 'author_names : "wa"*'


def test_words_collects_the_search_terms():
    assert parse('author:"Li Wang" china sco ').words == ["li", "wang", "china", "sco"]


def test_words_and_fold():
    assert words("Gödel_Turing, (1950)!") == ["gödel", "turing", "1950"]
    assert fold("Gödel") == "Godel"
    assert fold("café") == "cafe"


def test_query_defaults():
    assert Query().empty
    assert not Query(year_from=1).empty


# Every parse() result must be a valid FTS5 expression for the catalogue's columns.
FTS_COLUMNS = "title, author_names, abstract, keywords, venue"
SPECIALS = ['"', "'", "(", ")", "*", "^", "-", "+", ":", "{", "}", "NEAR", "AND", "OR", "NOT", "\x00", "\\",
            "year:", "title:", "author:", "..", " ", " ", "a", "é", "中", "_", ",", ";", "\n", "\t"]


def _fuzz(n: int, seed: int = 1950) -> list[str]:
    rng = random.Random(seed)
    return ["".join(rng.choice(SPECIALS) for _ in range(rng.randint(1, 12))) for _ in range(n)]


@pytest.fixture(scope="module")
def fts():
    conn = sqlite3.connect(":memory:")
    conn.execute(f"CREATE VIRTUAL TABLE f USING fts5({FTS_COLUMNS}, tokenize='unicode61 remove_diacritics 2', prefix='2 3')")
    conn.execute("INSERT INTO f VALUES ('Minds and Machines', 'Jane Smith', 'near and far', 'logic', 'Mind')")
    yield conn
    conn.close()


def test_every_parse_is_valid_fts5(fts):
    texts = _fuzz(3000) + ['"unbalanced', "AND OR", "*", "NEAR(", "(", ")", "^", "-", ":", "title:", "year:abc",
                           'O"Brien', "don't", "NEAR(a b, 2)", "{title}:x", "a:b:c", "col:(x OR y)"]
    checked = 0
    for text in texts:
        q = parse(text)
        assert isinstance(q, Query)
        if q.match is not None:
            fts.execute("SELECT count(*) FROM f WHERE f MATCH ?", (q.match,)).fetchone()
            checked += 1
    assert checked > 1000  # the fuzz really exercised FTS5


def test_parsed_queries_find_the_row(fts):
    def hits(text: str) -> int:
        return fts.execute("SELECT count(*) FROM f WHERE f MATCH ?", (parse(text).match,)).fetchone()[0]

    assert hits("mach") == 1
    assert hits("mach ") == 0
    assert hits("author:smith") == 1
    assert hits("title:smith") == 0
    assert hits("NEAR(") == 1  # "near" is in the abstract: a word, not an operator
    assert hits('"minds and machines"') == 1
    assert hits('"machines and minds"') == 0


def test_the_word_being_typed_is_known_and_can_be_spelled_out():
    assert parse("network mode").typed == (None, "mode")
    assert parse("title:mode").typed == ("title", "mode")
    for text in ("mode ", '"mode"', "m", "title:\"mode\"", "year:2001"):
        assert parse(text).typed is None
    q = parse("network title:mode").typed_as(["model", 'o"dd'])
    assert q.match == '"network" AND title : ("model" OR "o""dd")' and q.typed is None
    assert q.parts[-1] == 'title : ("model" OR "o""dd")'


def test_hints_say_what_a_search_that_found_nothing_may_have_got_wrong():
    def hints(text: str) -> list[str]:
        return parse(text).hints

    assert hints("year:abc") == ["year: takes a year or a range: year:2019, year:2010..2020, year:..1950"]
    assert hints("kant author:") == ["author: needs words after it, as in author:kant"]
    assert hints('title:"" year:19x9 year:zz') == ["title: needs words after it, as in title:kant",
                                                    "year: takes a year or a range: year:2019, year:2010..2020, year:..1950"]
    for fine in ("year:2019", "year:..1950", "author:kant", "kant", "nosuchcolumn:x", ""):
        assert hints(fine) == [], fine
