"""CSL-JSON and Zotero JSON in and out; formatted references through citeproc-py."""

from __future__ import annotations

import json

import pytest

from tests.conftest import require_shared_data
from tui.formats import FormatError, cite, csl, parse_path
from tui.models import Author, Work

SEED = Work(key="Wang2020China", type="article", title="China and Russia in the SCO: Consensus & divergence",
            authors=[Author("Li Wang")], year=2020, venue="Human Affairs", volume="30", number="2",
            pages="189-198", doi="10.1515/humaff-2020-0018")


def test_an_item_reads_with_particles_suffixes_literal_names_and_dates():
    text = json.dumps([{
        "id": "vonNeumann1945", "type": "report", "title": "First Draft of a Report on the EDVAC",
        "author": [{"family": "Neumann", "given": "John", "non-dropping-particle": "von"},
                   {"family": "King", "given": "Martin Luther", "suffix": "Jr."},
                   {"literal": "World Health Organization"}],
        "issued": {"date-parts": [["1945", 6, 30]]}, "container-title": "Moore School", "page": "1–43",
        "DOI": "10.1109/85.238389", "keyword": "computers, architecture",
    }])
    batch = csl.parse_string(text, "one.json")
    (work,) = batch.works
    assert work.key == "vonNeumann1945" and work.type == "techreport"
    assert [a.name for a in work.authors] == ["John von Neumann", "Martin Luther King, Jr.", "World Health Organization"]
    assert work.year == 1945 and work.pages == "1–43" and work.keywords == ["computers", "architecture"]


def test_dates_in_every_shape():
    for issued, year in (({"raw": "2019-05"}, 2019), ({"literal": "Spring 1999"}, 1999), ("2003", 2003),
                         ({"date-parts": [[]]}, None), ({"season": "winter"}, None), (None, None)):
        item = {"type": "book", "title": "T", "issued": issued}
        assert csl.item_to_work(item).year == year, issued


def test_ids_that_are_not_keys_are_replaced_and_clashes_renamed():
    text = json.dumps([
        {"id": "http://zotero.org/users/1/items/ABC", "type": "book", "title": "Alpha", "author": [{"family": "Doe"}],
         "issued": {"date-parts": [[2001]]}},
        {"id": "ITEM-1", "type": "book", "title": "Beta"},
        {"id": "ITEM-1", "type": "book", "title": "Gamma"},
        {"id": 17, "type": "book", "title": "Delta"},
    ])
    batch = csl.parse_string(text, "ids.json")
    assert [w.key for w in batch.works] == ["Doe2001Alpha", "ITEM-1", "ITEM-1b", "Delta"]
    assert [p.kind for p in batch.problems] == ["renamed"]


def test_bad_documents_are_refused_whole_and_bad_items_one_by_one(tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text('[{"title": "x",}]')
    with pytest.raises(FormatError, match=r"bad.json:1: not valid JSON"):
        parse_path(bad)
    scalar = tmp_path / "scalar.json"
    scalar.write_text('"just a string"')
    with pytest.raises(FormatError, match="not CSL-JSON"):
        parse_path(scalar)
    mixed = csl.parse_string(json.dumps([1, {"type": "book"}, {"title": "Kept", "author": "not a list"},
                                         {"title": "Good"}]), "mixed.json")
    assert [w.title for w in mixed.works] == ["Kept", "Good"]
    assert [p.message.split(":")[0] for p in mixed.problems] == ["item 1", "item 2"]


def test_round_trip_through_csl_json():
    work = Work(key="knuth:ct:a", type="book", title="The TeXbook", authors=[Author("Donald E. Knuth"),
                Author("Ludwig van Beethoven")], year=1984, publisher="Addison-Wesley", doi="10.1000/x",
                url="https://example.org", abstract="TeX.", keywords=["tex"], volume="A", number="2", pages="1-9")
    (back,) = csl.parse_string(csl.write([work]), "back.json").works
    for name in ("key", "type", "title", "year", "publisher", "doi", "url", "abstract", "keywords", "volume",
                 "number", "pages"):
        assert getattr(back, name) == getattr(work, name), name
    assert [a.name for a in back.authors] == ["Donald E. Knuth", "Ludwig van Beethoven"]


def test_zotero_json_items_read_authors_only():
    item = {"itemType": "bookSection", "title": "A chapter", "date": "March 3, 2011", "bookTitle": "The book",
            "creators": [{"creatorType": "author", "firstName": "Ada", "lastName": "Lovelace"},
                         {"creatorType": "editor", "firstName": "Ed", "lastName": "Itor"},
                         {"creatorType": "author", "name": "CERN"}],
            "tags": [{"tag": "history"}, "maths"], "DOI": "10.1/2", "citationKey": "lovelace2011"}
    (work,) = csl.parse_string(json.dumps({"items": [item]}), "zotero.json").works
    assert (work.key, work.type, work.venue, work.year) == ("lovelace2011", "incollection", "The book", 2011)
    assert [a.name for a in work.authors] == ["Ada Lovelace", "CERN"]
    assert work.keywords == ["history", "maths"]


def test_the_csl_test_suite_items_all_import_or_are_refused_with_a_reason():
    path = require_shared_data("formats/csl-test-suite/csl-test-suite-inputs.json")
    items = json.loads(path.read_text())
    batch = parse_path(path)
    refused = [p for p in batch.problems if p.kind == "refused"]
    print(f"\nCSL test suite: {len(items)} items, {len(batch.works)} imported, {len(refused)} refused, "
          f"{len(batch.problems) - len(refused)} keys renamed")
    assert len(batch.works) + len(refused) == len(items)
    assert len(batch.works) >= 0.9 * len(items)
    assert all("no title, author, venue, DOI, URL or id" in p.message or "not an object" in p.message for p in refused)
    assert len({w.key for w in batch.works}) == len(batch.works)


def test_zoteros_csl_json_case_matches_its_expected_item():
    path = require_shared_data("formats/zotero-translators-testcases/CSL_JSON/_expected_items.json")
    for case in json.loads(path.read_text()):
        works = csl.parse_string(case["input"], "case").works
        assert len(works) == len(case["items"])
        for work, item in zip(works, case["items"]):
            assert work.title == item["title"]
            assert [a.name for a in work.authors] == [f"{c['firstName']} {c['lastName']}" for c in item["creators"]
                                                     if c["creatorType"] == "author"]
            assert str(work.year) in item["date"]


def test_zotero_libraries_from_better_bibtex_import():
    files = sorted(require_shared_data("zotero-bbt/export").glob("*.json"))
    items = works = refused = 0
    for path in files:
        data = json.loads(path.read_text(encoding="utf-8"))
        items += len(data.get("items", [data]) if isinstance(data, dict) else data)
        batch = parse_path(path)  # a whole file refused would raise FormatError and fail here
        works += len(batch.works)
        refused += sum(p.kind == "refused" for p in batch.problems)
    print(f"\nBetter BibTeX's Zotero libraries: {len(files)} files, {items} items, {works} works, {refused} refused")
    assert works + refused == items and works >= 0.98 * items


# ------------------------------------------------------------------ formatted references


def test_apa_and_chicago_through_citeproc():
    assert cite.format_reference(SEED, "apa") == (
        "Wang, L. (2020). China and Russia in the SCO: Consensus & divergence. Human Affairs, 30(2), 189–198. "
        "https://doi.org/10.1515/humaff-2020-0018")
    assert cite.format_reference(SEED, "chicago") == (
        "Wang, Li. 2020. “China and Russia in the SCO: Consensus & Divergence.” Human Affairs 30 (2): 189–98. "
        "https://doi.org/10.1515/humaff-2020-0018.")
    assert cite.format_reference(SEED, "ibid") == (
        "Wang, Li (2020). China and Russia in the SCO: Consensus & divergence. Human Affairs 30 (2):189-198.")


def test_every_named_style_formats_books_and_odd_works():
    odd = [SEED, Work(key="x", title=""), Work(key="b", type="book", title="A book", authors=[Author("Plato")]),
           Work(key="m", type="misc", title="[bold]x[/] \x1b[31m", authors=[Author(f"A{i} B") for i in range(30)])]
    for style in cite.style_names():
        for work in odd:
            try:
                text = cite.format_reference(work, style)
            except FormatError as exc:  # a style may have nothing to say about an empty work
                assert work.key == "x" and "gives nothing" in str(exc), (style, work.key)
                continue
            assert text and "\n" not in text, (style, work.key)


def test_an_unknown_style_is_one_clear_error():
    with pytest.raises(FormatError, match="unknown citation style 'nope'"):
        cite.format_reference(SEED, "nope")
