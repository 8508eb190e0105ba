"""Possible duplicates (issue 19, finding them): every rule, and the near misses it must not take."""

from __future__ import annotations

import json
import sqlite3

import pytest

from tui.dupkeys import (family_key, kinds_agree, likely_same, locator, locators_conflict, names_compatible,
                         person_name, title_key, titles_agree)
from tui.formats import Batch
from tui.models import Author, Work
from tui.store import Store, StoreError

from .conftest import assert_one_error_line, ibid


def work(key: str, title: str, year: int | None = 2001, authors: tuple[str, ...] = ("Donald E. Knuth",),
         **kw) -> Work:
    return Work(key=key, title=title, year=year, authors=[Author(a) for a in authors], **kw)


def reasons(store: Store, key: str) -> dict[str, str]:
    return {d.key: d.reason for d in store.duplicates_of(store.work(key).id)}


# ---------------------------------------------------------------- the keys (pure)

@pytest.mark.parametrize("a, b", [
    ("The TeXbook", "TeXbook"),                                   # a leading article
    ("Gödel, Escher, Bach", "Godel Escher Bach"),                  # accents, punctuation
    ("Consensus & divergence", "CONSENSUS AND DIVERGENCE."),      # & and case
    ("Non-linear  dynamics", "Nonlinear dynamics"),               # hyphen, spacing
    ("InGaN$\\slash$GaN wells", "InGaN/GaN wells"),               # LaTeX left in a decoded title
    ("Łukasiewicz logic", "Lukasiewicz Logic"),
    ("Les rites de passage", "rites de passage"),
])
def test_titles_that_are_one_title(a, b):
    assert title_key(a) and title_key(a) == title_key(b)


@pytest.mark.parametrize("a, b", [
    ("Computing machinery", "Computing machinery and intelligence"),  # a subtitle is not set aside
    ("The art of computer programming, volume 1", "The art of computer programming, volume 2"),
    ("A theory", "Theory B"),
])
def test_titles_that_are_not(a, b):
    assert title_key(a) != title_key(b)


@pytest.mark.parametrize("title", ["Introduction", "Preface", "Book Reviews", "Editorial", "The Index", "", "Go"])
def test_a_title_many_works_carry_has_no_key(title):
    assert title_key(title) == ""


@pytest.mark.parametrize("a, b", [
    ("Knuth, Donald E.", "Donald E. Knuth"), ("D. Knuth", "Knuth, D."),
    ("van der Waals, J. D.", "J. D. van der Waals"), ("García Márquez, Gabriel", "Gabriel García Márquez"),
    ("Martin Luther King, Jr.", "King, Jr., Martin Luther"), ("Kurt Gödel", "Godel, K."),
])
def test_family_names(a, b):
    assert family_key(a) and family_key(a) == family_key(b)


def test_anonymous_is_no_author():
    assert family_key("Anonymous") == "" and family_key("") == ""


def test_likely_same_years_and_authors():
    assert likely_same(2001, "knuth", 2001, "knuth")
    assert likely_same(2001, "knuth", 2002, "knuth")          # a preprint and its journal version
    assert not likely_same(2001, "knuth", 2003, "knuth")      # near miss: years far apart
    assert not likely_same(2001, "knuth", 2001, "lamport")    # near miss: another first author
    assert likely_same(2001, "", 2001, "knuth")               # one without authors: the same year
    assert not likely_same(2001, "", 2002, "knuth")           # ... not the next
    assert not likely_same(None, "knuth", 2001, "knuth")      # a year unknown says nothing


def test_locators():
    article = locator("article", "12", "3", "45--67")
    assert not locators_conflict(article, locator("article", "12", "", "45"))
    assert locators_conflict(article, locator("article", "13", "3", "45"))       # another volume
    assert locators_conflict(article, locator("article", "12", "4", "45"))       # another issue
    assert locators_conflict(article, locator("article", "12", "3", "101-110"))  # another first page
    assert locators_conflict(article, locator("phdthesis", "", "", ""))          # a thesis and its article
    assert not locators_conflict(article, locator("misc", "", "", ""))           # a preprint
    assert not locators_conflict(locator("techreport", "", "", ""), locator("inproceedings", "", "", ""), True)
    # a year apart, two of a kind with nothing in common: a yearly report, not one work
    assert locators_conflict(locator("inproceedings", "", "", ""), locator("inproceedings", "", "", ""), True)
    assert not locators_conflict(locator("article", "7", "", ""), locator("article", "7", "", ""), True)
    assert kinds_agree("article", "inproceedings") and not kinds_agree("book", "incollection")
    assert not kinds_agree("patent", "dataset")


def test_titles_agree_under_one_identifier():
    assert titles_agree("The TeXbook", "TeXbook")
    assert titles_agree("Relief: a scalable actuated shape display", "Relief")            # a subtitle dropped
    assert titles_agree("Energy-filtered electron backscatter diffraction.", "Energy-Filtered Electron Backscatter Diffraction")
    assert titles_agree("", "Anything")                                                     # nothing to contradict
    assert not titles_agree("Grain boundary networks", "Present state of electron backscatter diffraction")


def test_name_variants():
    knuth = person_name("Donald E. Knuth")
    for variant in ("Donald Ervin Knuth", "D. E. Knuth", "Knuth, Donald", "Knuth, D."):
        assert names_compatible(knuth, person_name(variant)), variant
    for other in ("David Knuth", "D. F. Knuth", "Knuth", "Donald E. Knoth"):
        assert not names_compatible(knuth, person_name(other)), other
    assert names_compatible(person_name("J.-P. Sartre"), person_name("Jean-Paul Sartre"))


# ---------------------------------------------------------------- the store: each rule, each near miss

def test_same_doi_arxiv_isbn(fresh_db):
    fresh_db.add_work(work("a", "Computing machinery and intelligence", doi="10.1093/mind/LIX.236.433"))
    fresh_db.add_work(work("b", "Computing Machinery and Intelligence.", year=1999, doi="https://doi.org/10.1093/MIND/lix.236.433"))
    fresh_db.add_work(work("c", "Attention is all you need", fields={"eprint": "1706.03762v5", "archiveprefix": "arXiv"}))
    fresh_db.add_work(work("d", "Attention Is All You Need", year=2017, authors=("Ashish Vaswani",),
                           fields={"eprint": "arXiv:1706.03762"}))
    fresh_db.add_work(work("e", "The TeXbook", type="book", fields={"isbn": "0-201-13447-0"}))
    fresh_db.add_work(work("f", "TeXbook", type="book", year=1986, fields={"isbn": "978-0-201-13447-6"}))
    assert reasons(fresh_db, "a") == {"b": "same DOI"}   # (years and authors do not matter for an identifier)
    assert reasons(fresh_db, "d") == {"c": "same arXiv id"}
    assert reasons(fresh_db, "e") == {"f": "same ISBN"}


def test_one_identifier_on_two_different_works_is_not_a_duplicate(fresh_db):
    # a chapter carrying its book's DOI or ISBN: a record error or a part, not the same work
    fresh_db.add_work(work("book", "Electron backscatter diffraction in materials science", type="book",
                           doi="10.1007/978-0-387-88136-2", fields={"isbn": "9780387881355"}))
    fresh_db.add_work(work("ch", "Grain boundary networks", type="incollection", doi="10.1007/978-0-387-88136-2"))
    fresh_db.add_work(work("ch2", "Electron backscatter diffraction in materials science", type="incollection",
                           authors=("Someone Else",), fields={"isbn": "9780387881355"}))
    assert reasons(fresh_db, "book") == {}
    # another edition under a reused ISBN: its page count differs
    fresh_db.add_work(work("ed1", "Das Vieweg LaTeX-Buch", type="book", pages="xvi + 169", fields={"isbn": "3528051728"}))
    fresh_db.add_work(work("ed2", "Das Vieweg LaTeX-Buch", type="book", year=1996, pages="xviii + 226",
                           fields={"isbn": "3528051728"}))
    assert reasons(fresh_db, "ed1") == {}


def test_same_title_year_and_first_author(fresh_db):
    fresh_db.add_work(work("knuth84", "The TeXbook", year=1984, type="book", authors=("Knuth, Donald E.",)))
    fresh_db.add_work(work("tex", "TeXbook.", year=1984, type="book", authors=("D. Knuth", "Someone")))
    fresh_db.add_work(work("pre", "The texbook", year=1985, type="misc", authors=("Donald Ervin Knuth",)))
    fresh_db.add_work(work("anon", "The TeXbook", year=1984, type="book", authors=()))
    assert reasons(fresh_db, "knuth84") == {k: "same title, year and first author" for k in ("tex", "pre", "anon")}


def test_near_misses_are_not_duplicates(fresh_db):
    fresh_db.add_work(work("a", "Literate programming", year=1984, type="article"))
    fresh_db.add_work(work("far", "Literate Programming", year=1992))                              # years far apart
    fresh_db.add_work(work("other", "Literate programming", year=1984, authors=("Leslie Lamport",)))  # another first author
    fresh_db.add_work(work("second", "Literate programming", year=1984, authors=("Someone", "Donald E. Knuth")))
    fresh_db.add_work(work("anon", "Literate programming", year=1985, authors=()))                 # no authors, another year
    fresh_db.add_work(work("nodate", "Literate programming", year=None))                           # no year
    fresh_db.add_work(work("intro", "Introduction", year=1984))
    fresh_db.add_work(work("intro2", "Introduction", year=1984))                                   # a generic title
    fresh_db.add_work(work("thesis", "Literate programming", year=1984, type="phdthesis"))
    assert reasons(fresh_db, "a") == {}
    assert reasons(fresh_db, "intro") == {}


def test_a_column_in_every_issue_is_not_one_work(fresh_db):
    fresh_db.add_work(work("ed1", "Editorial comments", year=2017, type="article", volume="38", number="1"))
    fresh_db.add_work(work("ed2", "Editorial comments", year=2017, type="article", volume="38", number="2"))
    fresh_db.add_work(work("ed3", "Editorial comments", year=2017, type="article", volume="38", number="2"))
    assert reasons(fresh_db, "ed1") == {}
    assert reasons(fresh_db, "ed2") == {"ed3": "same title, year and first author"}


def test_edits_and_undo_keep_the_keys_in_step(fresh_db):
    fresh_db.add_work(work("a", "Literate programming", year=1984))
    b = fresh_db.add_work(work("b", "Something else", year=1984))
    assert reasons(fresh_db, "a") == {}
    fresh_db.update_work(b.id, work("b", "Literate Programming", year=1984))
    assert reasons(fresh_db, "a") == {"b": "same title, year and first author"}
    fresh_db.undo()
    assert reasons(fresh_db, "a") == {}
    fresh_db.update_work(b.id, work("b", "Literate Programming", year=1984, authors=("Leslie Lamport",)))
    assert reasons(fresh_db, "a") == {}


def test_a_deleted_work_takes_its_rows_with_it(fresh_db):
    a = fresh_db.add_work(work("a", "Literate programming", year=1984))
    b = fresh_db.add_work(work("b", "Literate programming", year=1984), remember=True)
    fresh_db.not_duplicates(a.id, b.id, remember=False)
    fresh_db.undo()  # the add of b
    assert fresh_db._read("SELECT count(*) FROM work_match WHERE work_id = ?", (b.id,)) == [(0,)]
    assert fresh_db._read("SELECT count(*) FROM distinct_works") == [(0,)]


def test_not_duplicates_is_remembered_and_undone(fresh_db):
    a = fresh_db.add_work(work("a", "Literate programming", year=1984, doi="10.1093/comjnl/27.2.97"))
    b = fresh_db.add_work(work("b", "Literate Programming", year=1984, doi="10.1093/COMJNL/27.2.97"))
    c = fresh_db.add_work(work("c", "Literate programming.", year=1984))
    assert [d.key for d in fresh_db.duplicates_of(a.id)] == ["b", "c"]   # the identifier first
    assert len(fresh_db.duplicate_groups()) == 1
    fresh_db.not_duplicates(b.id, a.id)
    assert [d.key for d in fresh_db.duplicates_of(a.id)] == ["c"]
    assert [d.key for d in fresh_db.duplicates_of(b.id)] == ["c"]
    assert all({w.key for w in g.works} != {"a", "b"} for g in fresh_db.duplicate_groups())
    assert fresh_db.undo() == "a and b marked as not duplicates"
    assert [d.key for d in fresh_db.duplicates_of(a.id)] == ["b", "c"]
    assert fresh_db._read("SELECT count(*) FROM distinct_works") == [(0,)]


def test_not_duplicates_refuses_itself_a_gone_work_and_a_read_only_catalogue(fresh_db, tmp_path):
    a = fresh_db.add_work(work("a", "Literate programming"))
    with pytest.raises(StoreError, match="itself"):
        fresh_db.not_duplicates(a.id, a.id)
    with pytest.raises(StoreError, match="no longer"):
        fresh_db.not_duplicates(a.id, a.id + 100)
    b = fresh_db.add_work(work("b", "Literate programming"))
    fresh_db.close()
    with Store(fresh_db.path, read_only=True) as ro, pytest.raises(StoreError, match="read-only"):
        ro.not_duplicates(a.id, b.id)


def test_groups_split_where_two_works_are_not_a_pair(fresh_db):
    # A ~ B (2001, 2002), B ~ C (2002, 2003), A and C two years apart: not one group of three
    for key, year in (("a", 2001), ("b", 2002), ("c", 2003)):
        fresh_db.add_work(work(key, "Literate programming", year=year, type="article", volume="27"))
    groups = fresh_db.duplicate_groups()
    assert [[w.key for w in g.works] for g in groups] == [["a", "b"]]
    assert {d.key for d in fresh_db.duplicates_of(fresh_db.work("b").id)} == {"a", "c"}


def test_the_migration_fills_the_tables_for_works_already_there(tmp_path):
    path = tmp_path / "old.db"
    with Store(path) as store:
        store.add_work(work("a", "Literate programming", year=1984, authors=("Knuth, Donald E.",)))
        store.add_work(work("b", "Literate Programming", year=1984, authors=("D. E. Knuth",)))
    conn = sqlite3.connect(path)  # as a catalogue from before m008
    conn.executescript("DROP TABLE work_match; DROP TABLE author_match; DROP TABLE distinct_works; "
                       "DELETE FROM _sqlite_migrations WHERE name = 'm008_duplicates';")
    conn.close()
    with Store(path) as store:
        assert reasons(store, "a") == {"b": "same title, year and first author"}
        assert store._read("SELECT count(*) FROM author_match") == [(2,)]


# ---------------------------------------------------------------- authors

def test_author_variants_share_a_coauthor_or_a_venue(fresh_db):
    fresh_db.add_work(work("t1", "The TeXbook", authors=("Donald E. Knuth", "Duane Bibby")))
    fresh_db.add_work(work("t2", "Metafont", authors=("Donald Ervin Knuth", "Duane Bibby")))
    fresh_db.add_work(work("t3", "Surreal numbers", authors=("D. E. Knuth",), venue="TUGboat"))
    fresh_db.add_work(work("t4", "Errors of TeX", authors=("Knuth, Donald",), venue="TUGboat"))
    fresh_db.add_work(work("t5", "Other", authors=("David F. Knuth",), venue="TUGboat"))  # not compatible
    fresh_db.add_work(work("t6", "Alone", authors=("Knuth, D.",)))                      # nothing in common
    knuth = fresh_db.work("t1").authors[0]
    assert [a.name for a in fresh_db.author_variants(knuth.id)] == ["Donald Ervin Knuth"]
    de = fresh_db.work("t3").authors[0]
    assert [a.name for a in fresh_db.author_variants(de.id)] == ["Knuth, Donald"]
    groups = fresh_db.duplicate_groups(authors=True)
    assert sorted(sorted(a.name for a in g.authors) for g in groups) == [
        ["D. E. Knuth", "Knuth, Donald"], ["Donald E. Knuth", "Donald Ervin Knuth"]]
    assert {g.shared for g in groups} == {"co-author Duane Bibby", "venue TUGboat"}


# ---------------------------------------------------------------- import and the command line

def bib(tmp_path, name: str, text: str):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


KNUTH = """@book{knuth:tex, title = {The {\\TeX}book}, author = {Knuth, Donald E.}, year = 1984,
  publisher = {Addison-Wesley}, isbn = {0-201-13447-0}}
@article{lp, title = {Literate Programming}, author = {Knuth, Donald E.}, year = 1984,
  journal = {The Computer Journal}, volume = 27, number = 2, pages = {97--111}, doi = {10.1093/comjnl/27.2.97}}
"""
MORE = """@book{texbook84, title = {The TeXbook}, author = {Donald Ervin Knuth}, year = 1984}
@article{knuth84lp, title = {Literate programming}, author = {Knuth, D. E.}, year = 1983,
  journal = {Comput. J.}, doi = {https://doi.org/10.1093/COMJNL/27.2.97}}
@article{unrelated, title = {The TeXbook}, author = {Lamport, Leslie}, year = 1984}
"""


def test_import_lists_possible_duplicates_and_still_imports_them(tmp_path):
    db = tmp_path / "c.db"
    assert ibid("--db", db, "import", bib(tmp_path, "a.bib", KNUTH)).exit_code == 0
    result = ibid("--db", db, "import", bib(tmp_path, "b.bib", MORE))
    assert result.exit_code == 0, result.output
    assert "3 added" in result.stdout and "2 possible duplicates" in result.stdout
    lines = [l for l in result.stderr.splitlines() if "possible duplicate of" in l]
    assert lines == ["  possible duplicate: " + str(tmp_path / "b.bib") + ":1: texbook84 is a possible duplicate of "
                     "knuth:tex (same title, year and first author)",
                     "  possible duplicate: " + str(tmp_path / "b.bib") + ":2: knuth84lp is a possible duplicate of "
                     "lp (same DOI)"]
    with Store(db) as store:
        assert store.count() == 5


def test_a_bulk_import_lists_them_too(fresh_db):
    works = [work(f"w{i}", f"Distinct title number {i}", year=2000) for i in range(30)]
    works.append(work("again", "Distinct title number 7", year=2000))
    summary = fresh_db.import_batches([Batch(works=works, source="big.bib")], expected=25_000)  # bulk: the indexes made after
    assert summary.possible_duplicates == 1
    assert [p.message for p in summary.problems] == ["again is a possible duplicate of w7 (same title, year and first author)"]


def test_cli_duplicates_text_and_json(tmp_path):
    db = tmp_path / "c.db"
    ibid("--db", db, "import", bib(tmp_path, "a.bib", KNUTH))
    ibid("--db", db, "import", bib(tmp_path, "b.bib", MORE))
    result = ibid("--db", db, "duplicates")
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == [
        "same DOI:", "  knuth84lp  Literate programming (1983)", "  lp  Literate Programming (1984)",
        "same title, year and first author:", "  knuth:tex  The TeXbook (1984)", "  texbook84  The TeXbook (1984)",
        "2 groups of possible duplicates: 1 exact (same DOI, arXiv id or ISBN), 1 likely (same title, year and first author)"]
    data = json.loads(ibid("--db", db, "duplicates", "--json").stdout)
    assert [(g["reason"], g["exact"], [w["key"] for w in g["works"]]) for g in data] == [
        ("same DOI", True, ["knuth84lp", "lp"]), ("same title, year and first author", False, ["knuth:tex", "texbook84"])]
    assert data[0]["works"][1] == {"key": "lp", "title": "Literate Programming", "year": 1984, "authors": "Donald E. Knuth"}


def test_cli_duplicates_authors(tmp_path):
    db = tmp_path / "c.db"
    ibid("--db", db, "import", bib(tmp_path, "a.bib", KNUTH))
    ibid("--db", db, "import", bib(tmp_path, "b.bib", MORE + """@article{x, title = {On fonts}, author = {D. Knuth},
      journal = {The Computer Journal}, year = 1990}"""))
    result = ibid("--db", db, "duplicates", "--authors")
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == ["Donald E. Knuth (2 works), D. Knuth (1 work): venue The Computer Journal",
                                          "1 group of names that may be one person's"]
    data = json.loads(ibid("--db", db, "duplicates", "--authors", "--json").stdout)
    assert data == [{"names": ["Donald E. Knuth", "D. Knuth"], "works": [2, 1], "shared": "venue The Computer Journal"}]


def test_cli_duplicates_on_an_empty_and_a_missing_catalogue(tmp_path):
    db = tmp_path / "c.db"
    Store(db).close()
    result = ibid("--db", db, "duplicates")
    assert result.exit_code == 0 and result.stdout.endswith("0 groups of possible duplicates: 0 exact (same DOI, "
                                                            "arXiv id or ISBN), 0 likely (same title, year and first author)\n")
    assert json.loads(ibid("--db", db, "duplicates", "--json").stdout) == []
    assert "no such catalogue" in assert_one_error_line(ibid("--db", tmp_path / "none.db", "duplicates"))
