"""The catalogue store: imports, links, search, the list, usage, authors, and failure modes."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from tui.formats import Batch, Problem
from tui.models import Author, Work
from tui.store import Store, StoreError


# ---------------------------------------------------------------------------- literal works


def corpus() -> list[Work]:
    """Six small works, written out so every expectation below can be checked by eye."""
    return [
        Work(key="Smith2019Minds", type="article", title="Minds and Machines Revisited",
             authors=[Author("Jane Smith", "University of Oslo"), Author("Wei Chen")], year=2019,
             venue="Journal of Philosophy", volume="116", number="3", pages="121-140",
             abstract="We revisit the imitation game and ask whether computers can think.",
             keywords=["philosophy of mind", "artificial intelligence"],
             fields={"title": "Minds and Machines Revisited", "year": "2019"}),
        Work(key="Chen2015Tables", title="Tables of Logarithms", authors=[Author("Wei Chen")], year=2015,
             venue="Mathematical Gazette",
             abstract="A history of numerical tables before electronic computers.",
             keywords=["history of mathematics"]),
        Work(key="Doe2010Quantum", title="Quantum Gravity for Beginners", authors=[Author("John Doe")],
             year=2010, venue="Physics Letters", abstract="Loops, strings and spin foams."),
        Work(key="Przybylski2021Zebra", title="Zebra Crossings and Pedestrian Safety",
             authors=[Author("Przemysław Przybylski")], year=2021, venue="Transport Reviews",
             keywords=["urban planning"]),
        Work(key="Notes", title="Untitled notes on machines"),  # no authors, year, venue, abstract
        Work(key="Lovelace1843History", title="A History of Computing", authors=[Author("Ada Lovelace")],
             year=1843, venue="Scientific Memoirs", abstract="From Babbage's engine to Gödel's theorems."),
    ]


def keys(rows) -> list[str]:
    return [r.key for r in rows]


@pytest.fixture
def db(fresh_db: Store) -> Store:
    """A catalogue holding `corpus()`."""
    summary = fresh_db.import_batch(Batch(works=corpus()))
    assert summary.added == len(corpus())
    return fresh_db


@pytest.fixture(scope="module")
def shared_db(tmp_path_factory):
    """`corpus()` in a catalogue shared by read-only tests."""
    store = Store(tmp_path_factory.mktemp("shared") / "catalog.db")
    store.import_batch(Batch(works=corpus()))
    yield store
    store.close()


# ---------------------------------------------------------------------------- import


def test_import_adds_every_work_with_its_fields(fresh_db: Store):
    summary = fresh_db.import_batch(Batch(works=corpus()))
    assert (summary.added, summary.updated, summary.duplicates, summary.renamed) == (6, 0, 0, 0)
    assert summary.problems == [] and summary.refused == 0
    assert fresh_db.count() == 6
    w = fresh_db.work("Smith2019Minds")
    assert w.title == "Minds and Machines Revisited"
    assert [a.name for a in w.authors] == ["Jane Smith", "Wei Chen"]
    assert w.authors[0].affiliation == "University of Oslo"
    assert (w.year, w.venue, w.volume, w.number, w.pages) == (2019, "Journal of Philosophy", "116", "3", "121-140")
    assert w.venue_line == "Journal of Philosophy 116 (3):121-140 (2019)"
    assert w.keywords == ["philosophy of mind", "artificial intelligence"]
    assert w.fields == {"title": "Minds and Machines Revisited", "year": "2019"}
    assert w.added and w.updated and w.id is not None
    assert fresh_db.work_by_id(w.id).key == "Smith2019Minds"


def test_import_is_durable_in_a_new_store(tmp_path: Path):
    path = tmp_path / "c.db"
    s = Store(path)
    s.import_batch(Batch(works=corpus()))
    s.close()
    again = Store(path)
    try:
        assert again.created is False
        assert again.count() == 6
        assert again.work("Doe2010Quantum").title == "Quantum Gravity for Beginners"
    finally:
        again.close()


def test_work_with_no_abstract_and_no_authors(db: Store):
    w = db.work("Notes")
    assert w.authors == [] and w.abstract == "" and w.year is None and w.venue == ""
    assert w.author_names == "" and w.venue_line == ""
    row = db.rows([w.id])[0]
    assert row.authors == "" and row.year is None
    assert "Notes" in keys(db.search("untitled"))
    page_ids = [r.key for r in db.browse(limit=100)]
    assert "Notes" in page_ids


def test_unknown_key_is_a_store_error(db: Store):
    with pytest.raises(StoreError, match="no work with key 'Nope'"):
        db.work("Nope")
    with pytest.raises(StoreError, match="no longer in the catalogue"):
        db.work_by_id(99999)


def test_duplicate_policy_skip_keeps_the_existing_work(db: Store):
    changed = Work(key="Smith2019Minds", title="A Different Title")
    summary = db.import_batch(Batch(works=[changed, Work(key="New2024", title="Something new")]))
    assert (summary.added, summary.updated, summary.duplicates) == (1, 0, 1)
    assert [p.kind for p in summary.problems] == ["duplicate"]
    assert "Smith2019Minds" in str(summary.problems[0])
    assert db.work("Smith2019Minds").title == "Minds and Machines Revisited"
    assert db.count() == 7


def test_duplicate_policy_update_overwrites_and_reindexes(db: Store):
    before = db.work("Smith2019Minds")
    new = Work(key="Smith2019Minds", title="Thinking Engines", authors=[Author("Jane Smith")], year=2020,
               abstract="Entirely rewritten.", keywords=["engines"])
    summary = db.import_batch(Batch(works=[new]), on_duplicate="update")
    assert (summary.added, summary.updated, summary.duplicates) == (0, 1, 0)
    after = db.work("Smith2019Minds")
    assert after.id == before.id
    assert (after.title, after.year, after.keywords) == ("Thinking Engines", 2020, ["engines"])
    assert [a.name for a in after.authors] == ["Jane Smith"]
    assert db.count() == 6
    # the full-text index follows the update: old words gone, new ones found
    assert "Smith2019Minds" not in keys(db.search("imitation"))
    assert "Smith2019Minds" in keys(db.search("engines"))
    assert "Smith2019Minds" not in keys(db.search("author:chen"))


def test_duplicate_policy_rename_adds_under_a_free_key(db: Store):
    batch = Batch(works=[Work(key="Smith2019Minds", title="Another Minds Paper"), Work(key="Fresh", title="f")],
                  citations=[("Fresh", "Smith2019Minds")])
    summary = db.import_batch(batch, on_duplicate="rename")
    assert (summary.added, summary.renamed, summary.duplicates) == (2, 1, 0)
    assert any(p.kind == "renamed" and "Smith2019Mindsa" in str(p) for p in summary.problems)
    assert db.work("Smith2019Mindsa").title == "Another Minds Paper"
    assert db.work("Smith2019Minds").title == "Minds and Machines Revisited"
    # links in the batch follow the work to its new key
    assert keys(db.references(db.work("Fresh").id)) == ["Smith2019Mindsa"]
    assert db.citation_counts(db.work("Smith2019Minds").id) == (0, 0)
    again = db.import_batch(Batch(works=[Work(key="Smith2019Minds", title="Third")]), on_duplicate="rename")
    assert again.renamed == 1 and db.work("Smith2019Mindsb").title == "Third"


def test_unknown_duplicate_policy_is_refused(db: Store):
    with pytest.raises(StoreError, match="unknown duplicate policy"):
        db.import_batch(Batch(works=[Work(key="X", title="x")]), on_duplicate="merge")
    assert db.count() == 6


def test_batch_problems_are_passed_on_and_counted(fresh_db: Store):
    problems = [Problem("f.bib", 3, "duplicate key 'A'", "duplicate"),
                Problem("f.bib", 9, "refused block", "refused"),
                Problem("f.jsonl", 2, "renamed", "renamed")]
    summary = fresh_db.import_batch(Batch(works=[Work(key="A", title="a")], problems=problems))
    assert summary.duplicates == 1 and summary.refused == 1 and summary.renamed == 1
    assert summary.problems[:3] == problems
    assert str(problems[0]) == "f.bib:3: duplicate key 'A'"


def test_batch_links_reach_works_already_in_the_catalogue(db: Store):
    batch = Batch(works=[Work(key="Chen2015Tables", title="dup"), Work(key="Later2022", title="Later work")],
                  citations=[("Later2022", "Chen2015Tables"), ("Later2022", "Later2022"), ("Later2022", "Missing")],
                  similar=[("Later2022", "Doe2010Quantum"), ("Later2022", "Chen2015Tables")])
    summary = db.import_batch(batch)
    assert summary.citations == 1  # self-link and the missing key are dropped
    later = db.work("Later2022")
    assert keys(db.references(later.id)) == ["Chen2015Tables"]
    # Doe2010Quantum was not in the batch: the similar link to it is not made; Chen's is (a skipped duplicate)
    assert keys(db.curated_similar(later.id)) == ["Chen2015Tables"]
    assert summary.similar == 1


def test_similar_links_keep_the_page_order(fresh_db: Store):
    ws = [Work(key=k, title=k) for k in ("Main", "S3", "S1", "S2")]
    summary = fresh_db.import_batch(Batch(works=ws, similar=[("Main", "S3"), ("Main", "S1"), ("Main", "S2")]))
    assert summary.similar == 3
    assert keys(fresh_db.curated_similar(fresh_db.work("Main").id)) == ["S3", "S1", "S2"]


def test_add_work_takes_a_free_key(db: Store):
    w = db.add_work(Work(key="Notes", title="More notes"))
    assert w.key == "Notesa" and w.id is not None
    assert db.work("Notesa").title == "More notes"
    assert "Notesa" in keys(db.search("more notes"))


# ---------------------------------------------------------------------------- a failed import


def _fail_on_third_call(monkeypatch, exc: BaseException) -> None:
    """The third work of an import fails, after the first two were written."""
    original = Store._work_values
    calls = {"n": 0}

    def flaky(work):
        calls["n"] += 1
        if calls["n"] == 3:
            raise exc
        return original(work)

    monkeypatch.setattr(Store, "_work_values", staticmethod(flaky))


def _table_dump(path: Path) -> list:
    conn = sqlite3.connect(path)
    try:
        out = []
        for table in ("works", "authors", "work_authors", "keywords", "citations", "similar_links"):
            out.append(conn.execute(f"SELECT * FROM {table} ORDER BY 1, 2").fetchall())
        out.append(conn.execute("SELECT name FROM sqlite_master WHERE type = 'trigger' ORDER BY name").fetchall())
        return out
    finally:
        conn.close()


@pytest.mark.parametrize("exc", [RuntimeError("boom"), sqlite3.OperationalError("disk I/O error")],
                         ids=["python-error", "sqlite-error"])
def test_a_failure_mid_import_leaves_the_catalogue_unchanged(db: Store, monkeypatch, exc):
    before = _table_dump(db.path)
    new = [Work(key=f"New{i}", title=f"Fresh work {i}", authors=[Author(f"Author {i}")]) for i in range(5)]
    _fail_on_third_call(monkeypatch, exc)
    expected = StoreError if isinstance(exc, sqlite3.Error) else RuntimeError
    with pytest.raises(expected):
        db.import_batch(Batch(works=new, citations=[("New0", "Notes")]))
    assert db.count() == 6
    assert _table_dump(db.path) == before
    monkeypatch.undo()
    # the FTS insert trigger dropped inside the transaction is back: new works are searchable
    db.add_work(Work(key="AfterFailure", title="Pterodactyl studies"))
    assert keys(db.search("pterodactyl")) == ["AfterFailure"]
    assert keys(db.search("fresh")) == []


# ---------------------------------------------------------------------------- citations


def test_cite_and_uncite_keep_the_counter(db: Store):
    chen = db.work("Chen2015Tables")
    db.cite("Smith2019Minds", "Chen2015Tables")
    db.cite("Doe2010Quantum", "Chen2015Tables")
    assert db.citation_counts(chen.id) == (2, 0)
    assert sorted(keys(db.citations(chen.id))) == ["Doe2010Quantum", "Smith2019Minds"]
    assert keys(db.references(db.work("Smith2019Minds").id)) == ["Chen2015Tables"]
    row = db.rows([chen.id])[0]
    assert row.cited_by == 2
    db.uncite("Doe2010Quantum", "Chen2015Tables")
    assert db.citation_counts(chen.id) == (1, 0)
    assert db.rows([chen.id])[0].cited_by == 1
    assert keys(db.citations(chen.id)) == ["Smith2019Minds"]


def test_cite_refusals(db: Store):
    db.cite("Smith2019Minds", "Chen2015Tables")
    with pytest.raises(StoreError, match="cannot cite itself"):
        db.cite("Notes", "Notes")
    with pytest.raises(StoreError, match="already cites"):
        db.cite("Smith2019Minds", "Chen2015Tables")
    with pytest.raises(StoreError, match="does not cite"):
        db.uncite("Chen2015Tables", "Smith2019Minds")
    with pytest.raises(StoreError, match="no work with key 'Ghost'"):
        db.cite("Ghost", "Notes")
    with pytest.raises(StoreError, match="no work with key 'Ghost'"):
        db.uncite("Notes", "Ghost")
    # nothing changed by the refusals
    assert db.citation_counts(db.work("Chen2015Tables").id) == (1, 0)
    assert db.citation_counts(db.work("Notes").id) == (0, 0)
    assert db.rows([db.work("Notes").id])[0].cited_by == 0


def test_citations_are_ordered_most_cited_first(db: Store):
    db.cite("Smith2019Minds", "Lovelace1843History")
    db.cite("Doe2010Quantum", "Lovelace1843History")
    db.cite("Notes", "Doe2010Quantum")  # Doe is now cited once, Smith never
    cited = db.citations(db.work("Lovelace1843History").id)
    assert keys(cited) == ["Doe2010Quantum", "Smith2019Minds"]


# ---------------------------------------------------------------------------- search


@pytest.mark.parametrize("text, expected", [
    ("logarithms", ["Chen2015Tables"]),            # title
    ("przybylski", ["Przybylski2021Zebra"]),       # author
    ("przemysław", ["Przybylski2021Zebra"]),       # author, as written
    ("godel", ["Lovelace1843History"]),            # diacritics folded: Gödel
    ("imitation", ["Smith2019Minds"]),             # abstract
    ("gazette", ["Chen2015Tables"]),               # venue
    ("planning", ["Przybylski2021Zebra"]),         # keyword
    ("Logar", ["Chen2015Tables"]),                 # the word being typed is a prefix
    ("quantum gravity", ["Doe2010Quantum"]),       # every word must match
    ('"gravity quantum"', []),                      # a quoted phrase keeps its order
])
def test_search_finds_by_each_column(shared_db: Store, text, expected):
    db = shared_db
    assert keys(db.search(text)) == expected
    assert db.search_count(text) == len(expected)


def test_a_finished_word_is_not_a_prefix(db: Store):
    assert keys(db.search("Logar ")) == []


@pytest.mark.parametrize("text, expected", [
    ("author:chen", {"Smith2019Minds", "Chen2015Tables"}),
    ("authors:chen", {"Smith2019Minds", "Chen2015Tables"}),
    ('author:"wei chen"', {"Smith2019Minds", "Chen2015Tables"}),
    ("title:chen", set()),
    ("title:machines", {"Smith2019Minds", "Notes"}),
    ("venue:physics", {"Doe2010Quantum"}),
    ("journal:physics", {"Doe2010Quantum"}),
    ("abstract:spin", {"Doe2010Quantum"}),
    ("keyword:mathematics", {"Chen2015Tables"}),
    ("year:2019", {"Smith2019Minds"}),
    ("year:2010..2020", {"Smith2019Minds", "Chen2015Tables", "Doe2010Quantum"}),
    ("year:2010-2020", {"Smith2019Minds", "Chen2015Tables", "Doe2010Quantum"}),
    ("year:2016..", {"Smith2019Minds", "Przybylski2021Zebra"}),
    ("year:..1900", {"Lovelace1843History"}),
    ("machines year:2016..2020", {"Smith2019Minds"}),
    ("year:2019 author:chen", {"Smith2019Minds"}),
    ("year:2015 author:smith", set()),
])
def test_search_qualifiers(shared_db: Store, text, expected):
    db = shared_db
    assert set(keys(db.search(text))) == expected
    assert db.search_count(text) == len(expected)


def test_every_author_is_searchable(fresh_db: Store):
    """A paper with many authors is found by its fourth and fifth author too."""
    names = ["Ann Alpha", "Bob Beta", "Cy Gamma", "Dee Delta", "Eve Epsilon"]
    fresh_db.import_batch(Batch(works=[Work(key="Team2020", title="Big team paper",
                                            authors=[Author(n) for n in names])]))
    assert [a.name for a in fresh_db.work("Team2020").authors] == names
    for surname in ("alpha", "gamma", "delta", "epsilon"):
        assert keys(fresh_db.search(surname)) == ["Team2020"], surname
        assert keys(fresh_db.search(f"author:{surname}")) == ["Team2020"], surname


def test_relevance_puts_title_matches_first(db: Store):
    # "history" is in Lovelace's title, and only in Chen's abstract and keywords
    assert keys(db.search("history")) == ["Lovelace1843History", "Chen2015Tables"]


def test_search_sorts(db: Store):
    db.cite("Smith2019Minds", "Notes")
    db.cite("Doe2010Quantum", "Notes")
    db.cite("Notes", "Smith2019Minds")
    assert keys(db.search("machines", sort="year")) == ["Smith2019Minds", "Notes"]  # no year last
    assert keys(db.search("machines", sort="title")) == ["Smith2019Minds", "Notes"]
    assert keys(db.search("machines", sort="cited")) == ["Notes", "Smith2019Minds"]
    assert keys(db.search("year:1800..2100", sort="year")) == [
        "Przybylski2021Zebra", "Smith2019Minds", "Chen2015Tables", "Doe2010Quantum", "Lovelace1843History"]
    assert keys(db.search("year:1800..2100", sort="title")) == [
        "Lovelace1843History", "Smith2019Minds", "Doe2010Quantum", "Chen2015Tables", "Przybylski2021Zebra"]
    # no words, only a year range: catalogue order
    assert db.search_ids("year:1800..2100", limit=2) == [db.work(k).id for k in ("Smith2019Minds", "Chen2015Tables")]
    assert len(db.search("year:1800..2100", limit=3)) == 3


def test_empty_search_finds_nothing_but_counts_everything(db: Store):
    assert db.search("") == [] and db.search("   ") == []
    assert db.search_count("") == 6


HOSTILE = [
    '"unbalanced', 'AND OR', "AND", "OR", "NOT", "a AND", "NOT machines", "*", "**", "machines*", "*machines",
    "NEAR(", "NEAR(minds machines)", "NEAR(minds machines, 2)", "(", ")", "()", "(minds", "minds)", "^", "^minds",
    "-", "-minds", "+", ":", "::", "a:b:c", "title:", "author:", 'title:"', 'title:"unclosed', "venue:(",
    "year:abc", "year:", "year:..", "year:-", "year:99999999", "year:2020..2010", "year:0", "nosuchcolumn:x",
    "{title}: minds", "{title abstract}:minds", "minds \x00 machines", "\x00", 'O"Brien', "don't", "l'homme",
    '""', '"', "'", '"a" "b', "min\"ds", "\\", "\\\\\"", "'; DROP TABLE works; --", "%", "_", "?", "$x^2$",
    "\u202e evil", "\x1b[31mred", "[bold]x[/bold]", "🙂", "中文", "a" * 2000, "minds " * 300,
]


@pytest.mark.parametrize("text", HOSTILE, ids=lambda t: repr(t[:30]))
def test_hostile_queries_never_raise(shared_db: Store, text):
    db = shared_db
    rows = db.search(text)
    assert isinstance(rows, list)
    assert isinstance(db.search_count(text), int)
    for sort in ("relevance", "year", "title", "cited", "bogus"):
        assert isinstance(db.search_ids(text, sort=sort), list)
    assert db.count() == 6
    assert db.work("Smith2019Minds").title == "Minds and Machines Revisited"


def test_hostile_queries_still_find_their_words(db: Store):
    assert keys(db.search('"minds')) == ["Smith2019Minds"]
    assert keys(db.search("(minds machines)")) == ["Smith2019Minds"]
    assert keys(db.search("minds AND machines")) == ["Smith2019Minds"]  # "and" is only a word
    assert keys(db.search("minds OR logarithms")) == []  # ... and so is "or"
    assert keys(db.search("minds\x00")) == ["Smith2019Minds"]
    assert db.search("'; DROP TABLE works; --") == [] and db.count() == 6


# ---------------------------------------------------------------------------- the list


@pytest.fixture(scope="module")
def listing(tmp_path_factory):
    """31 works with NULL years, titles equal but for case, and tied citation counts (read only)."""
    store = Store(tmp_path_factory.mktemp("listing") / "catalog.db")
    titles = ["alpha", "Beta", "gamma", "ALPHA", "beta", "Same title", "same TITLE", "Zeta", "eta"]
    years = [None, 2001, 2001, 1999, None, 2020, 1850, None, 2001, 2010, 1999]
    works = [Work(key=f"W{i:02d}", title=f"{titles[i % len(titles)]}", year=years[i % len(years)])
             for i in range(31)]
    citations = [(f"W{(i + j + 1) % 31:02d}", f"W{i:02d}") for i in range(31) for j in range(i % 4)]
    store.import_batch(Batch(works=works, citations=citations))  # cited_by of W(i) is i % 4: plenty of ties
    yield store
    store.close()


def _keyset_walk(store: Store, sort: str, descending: bool, page: int) -> list[str]:
    rows = store.browse(sort, 0, page, descending)
    out = list(rows)
    while rows:
        rows = store.browse_after(out[-1], sort, page, descending)
        if rows is None:  # a NULL year cannot anchor a keyset: the store says use offsets
            rows = store.browse(sort, len(out), page, descending)
        out += rows
    return keys(out)


def _offset_walk(store: Store, sort: str, descending: bool, page: int) -> list[str]:
    out, offset = [], 0
    while rows := store.browse(sort, offset, page, descending):
        out += rows
        offset += page
    return keys(out)


@pytest.mark.parametrize("page", [1, 4, 7])
@pytest.mark.parametrize("descending", [False, True], ids=["asc", "desc"])
@pytest.mark.parametrize("sort", ["added", "title", "year", "cited"])
def test_browse_after_matches_browse_with_offsets(listing: Store, sort, descending, page):
    whole = keys(listing.browse(sort, 0, 1000, descending))
    assert len(whole) == 31 and len(set(whole)) == 31
    assert _offset_walk(listing, sort, descending, page) == whole
    assert _keyset_walk(listing, sort, descending, page) == whole


def test_browse_orders(listing: Store):
    rows = listing.browse("year", 0, 1000)
    years = [r.year for r in rows]
    nulls = years.count(None)
    assert nulls == 9 and years[:nulls] == [None] * nulls  # NULL years first going up
    assert years[nulls:] == sorted(years[nulls:])
    titles = [r.title.lower() for r in listing.browse("title", 0, 1000)]
    assert titles == sorted(titles)
    cited = [r.cited_by for r in listing.browse("cited", 0, 1000, descending=True)]
    assert cited == sorted(cited, reverse=True) and cited[0] == 3
    assert keys(listing.browse("added", 0, 3)) == ["W00", "W01", "W02"]
    assert keys(listing.browse("nonsense", 0, 3)) == ["W00", "W01", "W02"]
    assert listing.browse_after(listing.browse("year", 0, 1)[0], "year") is None  # W00 has no year


def test_rows_keeps_the_order_and_drops_missing_ids(db: Store):
    ids = [db.work(k).id for k in ("Notes", "Doe2010Quantum", "Chen2015Tables")]
    assert keys(db.rows([ids[0], 12345, ids[1], ids[2]])) == ["Notes", "Doe2010Quantum", "Chen2015Tables"]
    assert set(db.refs(ids)) == set(ids)


# ---------------------------------------------------------------------------- usage


def test_stats_record_event_and_rank(db: Store):
    a, b, c, d = (db.work(k).id for k in ("Smith2019Minds", "Chen2015Tables", "Doe2010Quantum", "Notes"))
    for kind in ("view", "view", "copy"):
        db.record_event(a, kind)
    db.record_event(b, "export")
    db.record_event(c, "view")
    sa = db.stats(a)
    assert (sa.views, sa.copies, sa.exports, sa.recent, sa.rank) == (2, 1, 0, 3, 1)
    assert len(sa.history) == 12 and sa.history[-1] == 3 and sum(sa.history) == 3
    sb, sc = db.stats(b), db.stats(c)
    assert (sb.exports, sb.rank) == (1, 2)
    assert sc.rank == 2  # a tie shares the rank
    sd = db.stats(d)
    assert (sd.views, sd.recent, sd.rank, sum(sd.history)) == (0, 0, None, 0)
    assert len(db.stats(a, months=3).history) == 3


def test_old_events_count_but_are_not_recent(db: Store):
    wid = db.work("Notes").id
    db.record_event(wid, "view")
    conn = sqlite3.connect(db.path)
    with conn:
        conn.execute("INSERT INTO events(work_id, kind, at) VALUES (?, 'view', '2001-01-15T10:00:00Z')", (wid,))
    conn.close()
    s = db.stats(wid)
    assert (s.views, s.recent, sum(s.history)) == (2, 1, 1)


# ---------------------------------------------------------------------------- authors


def test_author_page_with_coauthors(db: Store):
    db.import_batch(Batch(works=[Work(key="Smith2022Late", title="Late work", year=2022,
                                      authors=[Author("Jane Smith"), Author("John Doe")])]))
    chen = db.work("Chen2015Tables").authors[0]
    page = db.author_page(chen.id)
    assert page.author.name == "Wei Chen"
    assert keys(page.works) == ["Smith2019Minds", "Chen2015Tables"]  # newest first
    assert [(a.name, a.affiliation, n) for a, n in page.coauthors] == [("Jane Smith", "University of Oslo", 1)]
    smith = db.work("Smith2019Minds").authors[0]
    page = db.author_page(smith.id)
    # the later import without an affiliation did not erase it
    assert page.author.affiliation == "University of Oslo"
    assert keys(page.works) == ["Smith2022Late", "Smith2019Minds"]
    assert sorted((a.name, n) for a, n in page.coauthors) == [("John Doe", 1), ("Wei Chen", 1)]
    with pytest.raises(StoreError, match="no longer in the catalogue"):
        db.author_page(99999)


def test_a_later_affiliation_fills_in(db: Store):
    db.import_batch(Batch(works=[Work(key="Doe2023", title="x", authors=[Author("John Doe", "CERN")])]))
    assert db.work("Doe2010Quantum").authors[0].affiliation == "CERN"


# ---------------------------------------------------------------------------- opening catalogues


def test_read_only_store_refuses_writes_and_keeps_browsing(tmp_path: Path):
    path = tmp_path / "c.db"
    s = Store(path)
    s.import_batch(Batch(works=corpus()))
    s.cite("Smith2019Minds", "Chen2015Tables")
    s.close()
    before = path.read_bytes()
    ro = Store(path, read_only=True)
    try:
        attempts = [
            lambda: ro.import_batch(Batch(works=[Work(key="X", title="x")])),
            lambda: ro.cite("Doe2010Quantum", "Chen2015Tables"),
            lambda: ro.uncite("Smith2019Minds", "Chen2015Tables"),
            lambda: ro.record_event(1, "view"),
            lambda: ro.add_work(Work(key="Y", title="y")),
        ]
        for attempt in attempts:
            with pytest.raises(StoreError, match="read-only"):
                attempt()
        assert ro.count() == 6
        assert len(ro.browse(limit=100)) == 6
        assert keys(ro.search("logarithms")) == ["Chen2015Tables"]
        assert ro.citation_counts(ro.work("Chen2015Tables").id) == (1, 0)
        assert ro.stats(1).views == 0
    finally:
        ro.close()
    assert path.read_bytes() == before


def test_read_only_needs_an_existing_catalogue(tmp_path: Path):
    with pytest.raises(StoreError, match="no such catalogue"):
        Store(tmp_path / "missing.db", read_only=True)
    with pytest.raises(StoreError, match="no such catalogue"):
        Store(tmp_path / "missing.db", create=False)
    assert not (tmp_path / "missing.db").exists()


def test_missing_folder_is_a_store_error(tmp_path: Path):
    with pytest.raises(StoreError, match="no such directory"):
        Store(tmp_path / "nowhere" / "c.db")


def test_a_directory_is_not_a_catalogue(tmp_path: Path):
    with pytest.raises(StoreError, match="is a directory"):
        Store(tmp_path)


@pytest.mark.parametrize("content", [b"this is plain text, not a database\n" * 20, bytes(range(256)) * 8],
                         ids=["text", "binary"])
def test_a_non_sqlite_file_is_refused_unchanged(tmp_path: Path, content: bytes):
    path = tmp_path / "c.db"
    path.write_bytes(content)
    with pytest.raises(StoreError) as info:
        Store(path)
    message = str(info.value)
    assert "not an ibid catalogue" in message and str(path) in message and "\n" not in message
    assert path.read_bytes() == content
    assert not Path(str(path) + "-wal").exists()


def test_a_sqlite_file_that_is_not_a_catalogue_is_refused(tmp_path: Path):
    path = tmp_path / "other.db"
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE notes(id INTEGER PRIMARY KEY, text TEXT)")
    conn.execute("INSERT INTO notes(text) VALUES ('keep me')")
    conn.commit()
    conn.close()
    before = path.read_bytes()
    with pytest.raises(StoreError, match="a SQLite database, but not an ibid catalogue"):
        Store(path)
    assert path.read_bytes() == before


def test_a_catalogue_from_a_newer_ibid_is_refused(tmp_path: Path):
    path = tmp_path / "c.db"
    Store(path).close()
    conn = sqlite3.connect(path)
    conn.execute("INSERT INTO _sqlite_migrations(migration_set, name, applied_at) "
                 "VALUES ('ibid', 'm999_from_the_future', '2099-01-01')")
    conn.commit()
    conn.close()
    for read_only in (False, True):
        with pytest.raises(StoreError, match=r"newer ibid.*m999_from_the_future.*upgrade ibid"):
            Store(path, read_only=read_only)


def test_an_empty_file_becomes_a_catalogue(tmp_path: Path):
    path = tmp_path / "c.db"
    path.write_bytes(b"")
    s = Store(path)
    try:
        assert s.count() == 0
        s.add_work(Work(key="A", title="a"))
        assert s.count() == 1
    finally:
        s.close()


def test_relevance_ranks_a_capped_set_of_the_newest_matches(tmp_path: Path, monkeypatch):
    store = Store(tmp_path / "many.db")
    store.import_batch(Batch(works=[Work(key=f"W{i}", title=f"common word {i}" + (" common" * (i % 3)))
                                    for i in range(30)]))
    monkeypatch.setattr("tui.store.search.RANK_CANDIDATES", 10)
    ranked = store.search_ids("common ", "relevance")
    assert len(ranked) == 10
    newest = {store.work(f"W{i}").id for i in range(20, 30)}
    assert set(ranked) == newest  # the ten newest matches, best first
    assert [store.work_by_id(i).key for i in ranked[:4]] == ["W20", "W23", "W26", "W29"]  # most "common"s; ties by id
    assert len(store.search_ids("common ", "added", limit=10**9)) == 30  # other orders are not capped
    assert len(store.search_ids("common ", "year", limit=10**9)) == 30
    assert store.search_count("common ") == 30
    store.close()


def test_newest_matches_come_first_unranked_and_a_search_can_be_cancelled(tmp_path: Path):
    from tui.store import Cancelled

    store = Store(tmp_path / "many.db")
    store.import_batch(Batch(works=[Work(key=f"W{i}", title=f"common word {i}" + (" common" * (i % 3)),
                                         year=2000 + i % 7) for i in range(3000)]))
    newest = store.search_newest("common", 5)
    assert newest == sorted(newest, reverse=True) and len(newest) == 5
    assert newest == sorted(store.search_ids("common", "added", limit=10**9))[-5:][::-1]
    assert set(newest) <= set(store.search_ids("common", "relevance"))  # the ranked candidates hold them
    years = store.search_newest("common year:2003", 50)
    assert years and all(store.work_by_id(i).year == 2003 for i in years)
    assert store.search_newest("year:2003", 3) == sorted(
        store.search_ids("year:2003", "added", limit=10**9))[-3:][::-1]
    assert store.search_newest("", 3) == [] and store.search_newest("nothingmatches", 3) == []
    with pytest.raises(Cancelled):
        store.search_ids("common", "relevance", cancel=lambda: True)
    asked = []

    def cancel() -> bool:  # false when first asked, true from then on: stops the read midway
        asked.append(1)
        return len(asked) > 1

    with pytest.raises(Cancelled):
        store.search_ids("common", "title", limit=10**9, cancel=cancel)
    assert len(asked) >= 2
    # a cancelled read leaves the connection as it was
    assert store.search_count("common") == 3000
    assert store.search_ids("common", "title", limit=3, cancel=lambda: False)
    store.close()


def test_document_frequency_can_stop_counting_and_words_list_their_newest_works(tmp_path: Path):
    store = Store(tmp_path / "df.db")
    store.import_batch(Batch(works=[Work(key=f"W{i}", title=f"common {'rare' if i % 10 == 0 else 'plain'} {i}",
                                         abstract="shared words" if i < 5 else "")
                                    for i in range(100)]))
    exact = store.document_frequency(["common", "rare", "shared", "absent"])
    assert exact == {"common": 100, "rare": 10, "shared": 5, "absent": 0}
    assert store.document_frequency(["common", "rare", "absent"], at_most=20) == {"common": 21, "rare": 10, "absent": 0}
    assert store.document_frequency(["common"]) == {"common": 100}  # a capped count is not taken as exact
    assert store.document_frequency(["common"], at_most=200) == {"common": 100}
    rare = [store.work(f"W{i}").id for i in range(0, 100, 10)]
    assert store.works_holding("rare", exclude=rare[-1], limit=3) == rare[::-1][1:4]
    assert store.works_holding("shared", exclude=0, limit=10) == [store.work(f"W{i}").id for i in range(4, -1, -1)]
    assert store.works_holding("absent", exclude=0, limit=10) == []
    picked = [rare[3], rare[1], 10**9]
    assert [r[0] for r in store.titles_and_abstracts(picked)] == picked[:2]
    store.close()


def test_pages_of_a_catalogue_without_gaps_are_read_by_id(tmp_path: Path):
    from tui.listing import PAGE, BrowseSource

    store = Store(tmp_path / "dense.db")
    store.import_batch(Batch(works=[Work(key=f"W{i}", title=f"work {i}") for i in range(2 * PAGE + 30)]))
    total = store.count()
    assert store.ids_dense()
    dense = BrowseSource(store, total, "added", dense=True)
    for page in range(3):
        assert dense.fetch(page, None) == store.browse("added", page * PAGE, PAGE)
    other = sqlite3.connect(tmp_path / "dense.db")  # another process deletes a work: a gap
    other.execute("DELETE FROM works WHERE id = 5")
    other.commit()
    other.close()
    assert store.count() == total - 1  # the remembered count sees the other connection's change
    assert not store.ids_dense()
    store.close()


# ---------------------------------------------------------------------------- durability


def test_commits_are_fsynced_off_the_callers_thread_and_close_waits(tmp_path: Path, monkeypatch):
    """synchronous = NORMAL: the commit is in the WAL when update_work returns; the WAL's fsync
    follows on the syncer thread, and close() returns only after it."""
    import threading

    import tui.store as store_module

    synced: list[tuple[str, str]] = []
    real = store_module.sync._fsync

    def recording(path: str) -> None:
        real(path)
        synced.append((path, threading.current_thread().name))

    monkeypatch.setattr(store_module.sync, "_fsync", recording)
    store = Store(tmp_path / "c.db")
    assert store.conn.execute("PRAGMA synchronous").fetchone()[0] == 1  # NORMAL
    work = store.add_work(Work(key="k", title="Before"))
    work.title = "After"
    store.update_work(work.id, work)
    store.close()
    wal = f"{tmp_path / 'c.db'}-wal"
    assert synced, "close() returned before the WAL was fsynced"
    assert {path for path, _ in synced} == {wal}
    assert {name for _, name in synced} == {"ibid-wal-sync"}
    with Store(tmp_path / "c.db") as again:
        assert again.work("k").title == "After"


def test_a_commit_made_during_an_fsync_is_synced_again(tmp_path: Path, monkeypatch):
    """An fsync that began before a commit does not count for it: sync() waits for a later one."""
    import threading

    import tui.store as store_module

    started, release = threading.Event(), threading.Event()
    calls: list[int] = []

    def slow(path: str) -> None:
        calls.append(1)
        if len(calls) == 1:
            started.set()
            release.wait(5)

    monkeypatch.setattr(store_module.sync, "_fsync", slow)
    store = Store(tmp_path / "c.db")
    store.add_work(Work(key="a", title="A"))
    assert started.wait(5)
    store.add_work(Work(key="b", title="B"))  # committed while the first fsync is held
    release.set()
    store.sync()
    assert len(calls) >= 2
    store.close()


def test_a_read_only_store_never_asks_for_an_fsync(tmp_path: Path, monkeypatch):
    import tui.store as store_module

    Store(tmp_path / "c.db").close()
    asked: list[str] = []
    monkeypatch.setattr(store_module.sync._SYNCER, "ask", lambda wal: asked.append(wal) or 1)
    with Store(tmp_path / "c.db", read_only=True) as store:
        store.count()
    assert asked == []


# ---------------------------------------------------------------------------- schema upgrades


def test_a_catalogue_from_before_citation_counts_is_upgraded_with_its_counts(tmp_path: Path):
    """m003 moves each work's count out of `works` into citation_counts: same counts, same
    order by citations, and later links and unlinks keep them."""
    import sqlite_utils
    from sqlite_utils.migrations import Migrations

    import tui.store as store_module

    path = tmp_path / "old.db"
    conn = sqlite3.connect(path, isolation_level=None)
    migrations = Migrations("ibid")
    for func in (store_module.schema.m001_catalogue, store_module.schema.m002_changes):
        migrations()(func)
    migrations.apply(sqlite_utils.Database(conn))
    for i, key in enumerate(["A", "B", "C", "D"], 1):
        conn.execute("INSERT INTO works(id, key, title, added, updated) VALUES (?, ?, ?, '', '')",
                     (i, key, f"Work {key}"))
    for citing, cited in [(2, 1), (3, 1), (4, 1), (3, 2), (4, 2), (4, 3)]:
        conn.execute("INSERT INTO citations(citing_id, cited_id, added) VALUES (?, ?, '')", (citing, cited))
    assert [r[0] for r in conn.execute("SELECT cited_by FROM works ORDER BY id")] == [3, 2, 1, 0]
    conn.close()

    with Store(path) as store:
        columns = {r[1] for r in store._read("PRAGMA table_info(works)")}
        assert "cited_by" not in columns
        assert [(r.key, r.cited_by) for r in store.browse("cited", descending=True)] == \
            [("A", 3), ("B", 2), ("C", 1), ("D", 0)]
        store.uncite("D", "A")
        store.cite("A", "D")
        store.add_work(Work(key="E", title="Work E"))
        store.cite("E", "C")
        assert {r.key: r.cited_by for r in store.browse()} == {"A": 2, "B": 2, "C": 2, "D": 1, "E": 0}
        assert [r[0] for r in store._read("PRAGMA integrity_check")] == ["ok"]


def test_a_large_catalogue_ranks_common_words_by_their_columns(tmp_path: Path, monkeypatch):
    """Above EXACT_RANK_UP_TO works, when every word of a search is in most works (bm25 gives
    such words no weight, and reads every work holding them), the newest candidates are
    ordered by the columns holding the words, newest first among equals."""
    store = Store(tmp_path / "common.db")
    works = [Work(key=f"W{i}", title=("Common ground" if i % 4 == 0 else f"Plain title {i}"),
                  venue=("Common Review" if i % 5 == 0 else "Journal"), abstract="The common case.")
             for i in range(40)]
    store.import_batch(Batch(works=works))
    ids = {w.key: store.work(w.key).id for w in works}
    exact = store.search_ids("common", "relevance")
    assert set(exact) == set(ids.values())
    monkeypatch.setattr("tui.store.search.EXACT_RANK_UP_TO", 0)
    monkeypatch.setattr("tui.store.search.RANK_CANDIDATES", 20)
    ranked = [store.work_by_id(i).key for i in store.search_ids("common", "relevance")]
    newest = [f"W{i}" for i in range(39, 19, -1)]
    assert sorted(ranked) == sorted(newest)  # the 20 newest matches
    by_title = [k for k in newest if int(k[1:]) % 4 == 0]
    by_venue = [k for k in newest if int(k[1:]) % 4 and int(k[1:]) % 5 == 0]
    rest = [k for k in newest if int(k[1:]) % 4 and int(k[1:]) % 5]
    # title 10 (+ venue 2 when both: W20), title, venue, abstract only; newest first among equals
    assert ranked == ["W20"] + [k for k in by_title if k != "W20"] + by_venue + rest
    store.close()


def test_a_large_catalogue_leaves_common_words_out_of_bm25_in_the_same_order(tmp_path: Path, monkeypatch):
    """A search with a rarer word: the common word still selects, but bm25 (which gives it
    no weight) is computed over the rarer word alone: the order exact bm25 gives."""
    store = Store(tmp_path / "mixed.db")
    works = []
    for i in range(200):
        rare = i % 4 == 0
        title = f"Rare finds {i}" if rare and i % 8 == 0 else f"Title {i}"
        abstract = "The story" + (" of a rare bird" * (1 + i % 3) if rare else ".")
        works.append(Work(key=f"W{i}", title=title, abstract=abstract))
    store.import_batch(Batch(works=works))
    monkeypatch.setattr("tui.store.search.RANK_CANDIDATES", 20)
    exact = store.search_ids("the rare", "relevance")
    assert len(exact) == 20
    matched = []
    real_read = Store._read

    def spy(self, sql, params=()):
        if "bm25" in sql:
            matched.append(params[0])
        return real_read(self, sql, params)

    monkeypatch.setattr(Store, "_read", spy)
    monkeypatch.setattr("tui.store.search.EXACT_RANK_UP_TO", 0)
    assert store.search_ids("the rare", "relevance") == exact
    assert matched == ['"rare"*']  # "the" (in every work) was not ranked
    monkeypatch.setattr(Store, "_read", real_read)
    store.close()


def test_a_year_range_alone_is_found_in_every_order(tmp_path: Path):
    store = Store(tmp_path / "years.db")
    store.import_batch(Batch(works=[Work(key=f"W{i}", title=f"Work {i}", year=1990 + i % 10) for i in range(100)]))
    in_range = sorted(store.work(f"W{i}").id for i in range(100) if 1993 <= 1990 + i % 10 <= 1995)
    for sort in ("relevance", "added", "year", "title", "cited"):
        assert sorted(store.search_ids("year:1993..1995", sort, limit=10**9)) == in_range
    assert store.search_ids("year:1993..1995", "relevance", limit=10**9) == in_range  # catalogue order
    store.close()


def test_a_year_range_alone_in_each_order_as_sql_sorts_it_with_or_without_the_index(tmp_path: Path):
    """A year range without words is read a year at a time from the index on (year, id) and the
    years merged (Store._by_years): the same works in the same order as SQL's ORDER BY, for
    any limit, with years in no order in the catalogue, works with no year, open ranges; and
    the same again with the index gone (as during a bulk import)."""
    import random

    rng = random.Random(5)
    works = [Work(key=f"W{i}", title=rng.choice(["alpha", "Beta", "gamma", "delta"]) + f" {rng.randrange(30)}",
                  year=rng.choice([None, *range(1980, 2000)])) for i in range(600)]
    store = Store(tmp_path / "years.db")
    store.import_batch(Batch(works=works))
    check = sqlite3.connect(tmp_path / "years.db")
    orders = {"relevance": "id", "added": "id", "year": "year DESC, id", "title": "title COLLATE NOCASE, id"}
    ranges = {"year:1985..1990": "year BETWEEN 1985 AND 1990", "year:1995..": "year >= 1995",
              "year:..1982": "year <= 1982", "year:1999": "year = 1999", "year:1970..2030": "year BETWEEN 1970 AND 2030",
              "year:2001..": "year >= 2001"}

    def expected(where: str, order: str, limit: int) -> list[int]:
        return [r[0] for r in check.execute(f"SELECT id FROM works WHERE {where} ORDER BY {order} LIMIT ?", (limit,))]

    for dropped in (False, True):
        if dropped:
            store.conn.execute("DROP INDEX works_year")
            store.conn.commit()
        for text, where in ranges.items():
            for limit in (1, 7, 60, 10**9):
                for sort, order in orders.items():
                    assert store.search_ids(text, sort, limit=limit) == expected(where, order, limit), (text, sort, limit)
                assert store.search_newest(text, limit) == expected(where, "id DESC", limit), (text, limit)
            assert store.search_count(text) == check.execute(f"SELECT count(*) FROM works WHERE {where}").fetchone()[0]
    # a year some other program wrote as text: no error, the same works as SQL finds
    check.execute("CREATE INDEX works_year ON works(year, id)")  # (back, so the index is read)
    check.execute("UPDATE works SET year = 'circa 1990' WHERE id = (SELECT max(id) FROM works)")
    check.commit()
    for sort, order in orders.items():
        assert store.search_ids("year:1985..1990", sort) == expected("year BETWEEN 1985 AND 1990", order, 10**9)
    with_word = [r[0] for r in check.execute("SELECT id FROM works WHERE title LIKE 'alpha%' "
                                             "AND year BETWEEN 1985 AND 1990 ORDER BY id")]
    assert with_word and store.search_ids("alpha year:1985..1990", "added") == with_word  # (the FTS path too)
    check.close()
    store.close()


def test_a_search_by_year_title_or_citations_is_ordered_as_python_orders_its_matches(tmp_path: Path, monkeypatch):
    """Words with a sort: many matches are read in the sort's index order (Store._by_index),
    few are read and sorted; a narrow year range by title or citations, or an index missing,
    goes the plain way. Whatever the way, the same works in the same order as sorting the
    matches here: words common and rare, prefixes, year ranges broad and narrow, limits from 1
    to all (the walk's threshold depends on the limit), with and without the indexes."""
    import random

    rng = random.Random(11)
    works, cited = [], {}
    for i in range(600):
        words = [w for w, share in (("alpha", 0.9), ("beta", 0.4), ("gamma", 0.05)) if rng.random() < share]
        title = " ".join([rng.choice(["On", "the", "Zeta", "of", "Ion"]), *words, str(rng.randrange(50))])
        works.append(Work(key=f"W{i}", title=title, year=rng.choice([None, *range(1980, 2000)])))
    links = {(f"W{rng.randrange(600)}", f"W{rng.randrange(60)}") for _ in range(900)}  # the first 60 cited most
    links = [(a, b) for a, b in links if a != b]
    for _, b in links:
        cited[b] = cited.get(b, 0) + 1
    store = Store(tmp_path / "sorts.db")
    store.import_batch(Batch(works=works, citations=links))
    by_key = {w.key: store.work(w.key) for w in works}

    def expected(words: list[str], prefix: str | None, lo: int | None, hi: int | None, sort: str, limit: int):
        found = []
        for key, w in by_key.items():
            tokens = w.title.lower().split()
            if not all(x in tokens for x in words) or (prefix and not any(t.startswith(prefix) for t in tokens)):
                continue
            if (lo is not None or hi is not None) and (w.year is None or (lo is not None and w.year < lo)
                                                       or (hi is not None and w.year > hi)):
                continue
            found.append((key, w))
        keys = {"year": lambda kw: (kw[1].year is None, -(kw[1].year or 0), kw[1].id),  # NULL last, as SQLite
                "title": lambda kw: (kw[1].title.lower(), kw[1].id),
                "cited": lambda kw: (-cited.get(kw[0], 0), kw[1].id)}[sort]
        return [w.id for _, w in sorted(found, key=keys)][:limit]

    searches = {"alpha": (["alpha"], None, None, None), "beta": (["beta"], None, None, None),
                "gamma": (["gamma"], None, None, None), "alpha beta": (["alpha", "beta"], None, None, None),
                "alpha be": (["alpha"], "be", None, None), "the": (["the"], None, None, None),
                "alpha year:1983..": (["alpha"], None, 1983, None), "alpha year:..1997": (["alpha"], None, None, 1997),
                "alpha year:1990..1991": (["alpha"], None, 1990, 1991), "beta year:1999": (["beta"], None, 1999, 1999),
                "zeta year:1985..1999": (["zeta"], None, 1985, 1999), "omega": (["omega"], None, None, None)}
    for dropped in (False, True):
        if dropped:
            for index in ("works_year", "works_title", "citation_counts_cited_by"):
                store.conn.execute(f"DROP INDEX {index}")
            store.conn.commit()
        for text, (words, prefix, lo, hi) in searches.items():
            for limit in (1, 7, 60, 250, 10**9):
                for sort in ("year", "title", "cited"):
                    assert store.search_ids(text, sort, limit=limit) == expected(words, prefix, lo, hi, sort, limit), \
                        (text, sort, limit, dropped)
            # the count too, read each match's row or (here, with so few works, only when told
            # to expect any number of matches) walking the year index
            for walk_from in (20_000, 0):
                monkeypatch.setattr("tui.store.search.COUNT_WALK_FROM", walk_from)
                assert store.search_count(text) == len(expected(words, prefix, lo, hi, "year", 10**9)), (text, walk_from)
    store.close()


def test_a_search_count_is_the_works_matching_now_after_edits_and_deletions(tmp_path: Path):
    """search_count with words and no years counts in the full-text index alone (no row read
    per match): the index must hold every work and no other, edited or deleted, by this store
    or another connection to the catalogue. Checked against the works' titles read here."""
    import random

    rng = random.Random(3)
    path = tmp_path / "count.db"
    store = Store(path)
    store.import_batch(Batch(works=[Work(key=f"W{i}", title=" ".join(rng.sample(["alpha", "beta", "gamma", "delta",
                                                                                    "alphabet", "betamax"], 3)))
                                    for i in range(300)]))
    other = Store(path)

    def check() -> None:
        titles = [r[0].split() for r in sqlite3.connect(path).execute("SELECT title FROM works")]
        for text, hit in {"alpha ": lambda t: "alpha" in t, "alph": lambda t: any(w.startswith("alph") for w in t),
                          "beta gamma ": lambda t: "beta" in t and "gamma" in t, "omega ": lambda t: "omega" in t,
                          "title:delta ": lambda t: "delta" in t}.items():  # (a last word typed on is a prefix)
            expected = sum(1 for t in titles if hit(t))
            assert store.search_count(text) == expected == len(store.search_ids(text, "added", 10**9)), text

    check()
    for i in range(0, 300, 7):  # edits: their index entries are pending until the store catches up
        work = store.work(f"W{i}")
        work.title = "omega alpha" if i % 2 else "delta"
        store.update_work(work.id, work)
    check()
    new = store.add_work(Work(key="NEW", title="omega beta gamma"), remember=True)
    check()
    store.undo()  # the new work is deleted
    assert store.search_count("omega beta gamma") == 0
    check()
    work = other.work("W1")  # another connection's edit
    work.title = "omega"
    other.update_work(work.id, work)
    other.close()
    check()
    store.close()
    assert new.key == "NEW"


@pytest.mark.parametrize("sort", ["added", "title", "year", "cited"])
def test_the_browsed_catalogue_reads_the_newest_year_and_the_most_cited_first_page_by_page(tmp_path: Path, sort):
    """BrowseSource's pages, read one after another (a keyset seek from the row before) or
    jumped to (an offset; past the middle, read from the end), are the same list: by year the
    newest first (no year last), by citations the most cited first, as a search sorts them."""
    import random

    from tui.listing import PAGE, BrowseSource

    rng = random.Random(2)
    n = 2 * PAGE + 57
    works = [Work(key=f"W{i}", title=rng.choice(["alpha", "Beta", "gamma"]) + f" {rng.randrange(40)}",
                  year=rng.choice([None, *range(1990, 2000)])) for i in range(n)]
    links = {(f"W{rng.randrange(n)}", f"W{rng.randrange(30)}") for _ in range(300)}
    store = Store(tmp_path / "browse.db")
    store.import_batch(Batch(works=works, citations=[(a, b) for a, b in links if a != b]))
    source = BrowseSource(store, store.count(), sort)
    pages = (n + PAGE - 1) // PAGE
    walked, previous = [], None
    for page in range(pages):
        rows = source.fetch(page, previous)
        walked += rows
        previous = rows[-1]
    jumped = [row for page in range(pages) for row in source.fetch(page, None)]
    assert [r.id for r in walked] == [r.id for r in jumped] and len(walked) == n
    years = [r.year for r in walked if r.year is not None]
    value = {"added": lambda r: r.id, "title": lambda r: r.title.lower(), "cited": lambda r: -r.cited_by,
             "year": lambda r: (r.year is None, -(r.year or 0))}[sort]
    assert [value(r) for r in walked] == sorted(value(r) for r in walked)
    if sort == "year":
        assert walked[0].year == max(years) and walked[-1].year is None
    if sort == "cited":
        assert walked[0].cited_by == max(r.cited_by for r in walked) > 0
    store.close()
