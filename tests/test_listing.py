"""The search policy below the screens (tui/listing.py): what the browser and the pickers list."""

from __future__ import annotations

from tui.formats import Batch
from tui.listing import PAGE, catalogue, count_hits, pick_hits, search_hits
from tui.models import Author, Work
from tui.query import parse


def _fill(store, n: int = 150) -> None:
    works = [Work(key=f"W{i:03d}", title=f"Machines {i} and minds" if i % 3 else f"Tables {i}",
                  authors=[Author(f"Author {i % 7}")], year=1990 + i % 30) for i in range(n)]
    works.append(Work(key="turing", title="Computing machinery and intelligence", year=1950))
    store.import_batch(Batch(works=works))


def test_search_hits_show_the_newest_first_then_the_ranked_order(fresh_db):
    _fill(fresh_db)
    q = parse("machines")
    quick = []
    source = search_hits(fresh_db, q, "relevance", quick=quick.append)
    assert len(quick) == 1 and not quick[0].ranked  # the newest matches, shown while ranking
    assert quick[0].ids == fresh_db.search_newest(q, PAGE)
    assert source.ranked and source.ids == fresh_db.search_ids(q, "relevance")  # the same order as asked alone
    assert source.newest == quick[0].ids  # handed on: the count need not read them again
    assert count_hits(fresh_db, q, source) == fresh_db.search_count(q) == 100


def test_a_refresh_takes_no_quick_page_and_nothing_found_is_an_empty_list(fresh_db):
    _fill(fresh_db)
    called = []
    source = search_hits(fresh_db, parse("tables"), "year", quick=None)
    assert source.newest is None and len(source) == 50
    assert [fresh_db.work_by_id(i).year for i in source.ids][:2] == [2017, 2017]  # newest year first (i % 3 == 0: 1990 + 27 at most)
    empty = search_hits(fresh_db, parse("wombats"), "relevance", quick=called.append)
    assert len(empty) == 0 and called == []


def test_a_capped_list_is_not_exact_until_counted(fresh_db):
    _fill(fresh_db)
    source = search_hits(fresh_db, parse("machines"), "title", cap=10)
    assert len(source) == 10 and not source.exact


def test_the_picker_lists_the_work_whose_key_is_typed_first_then_titles_beginning_so(fresh_db):
    _fill(fresh_db)
    assert pick_hits(fresh_db, "turing", parse("turing")).ids[0] == fresh_db.work("turing").id
    hits = pick_hits(fresh_db, "computing mach", parse("computing mach"))
    assert hits.ids[0] == fresh_db.work("turing").id


def test_the_catalogue_in_an_order_reads_its_first_page(fresh_db):
    _fill(fresh_db)
    source = catalogue(fresh_db, "unknown sort")
    assert source.sort == "added" and source.total == 151 and len(source.first) == PAGE
