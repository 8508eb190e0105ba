"""Merging one work into another (Store.merge): every kind of data a work holds ends on the kept
work, the gone key becomes an alias found wherever a key is looked up, and one undo puts every
table back exactly as it was."""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

import pytest

from tests.conftest import assert_one_error_line, ibid
from tui.formats import bibtex
from tui.formats import Batch
from tui.merging import differences, merged
from tui.models import Author, Work
from tui.store import Gone, Store, StoreError
from tui.store.merges import WORK_ID_COLUMNS

# the full-text index's own tables: their pages differ after any rewrite; searches check them
_NOT_DUMPED = ("works_fts", "works_vocab", "notes_fts", "sqlite_")  # (an index: what it finds is checked by search)


def dump(store: Store) -> dict[str, list]:
    """Every row of every table, sorted (the full-text index brought up to date first)."""
    store.index_pending()
    out = {}
    for (name,) in store._read("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name"):
        if name.startswith(_NOT_DUMPED):
            continue
        out[name] = sorted(store._read(f'SELECT * FROM "{name}"'), key=repr)
    return out


def work(key: str, title: str, **kw) -> Work:
    return Work(key=key, type=kw.pop("type", "article"), title=title, **kw)


@pytest.fixture
def cat(fresh_db: Store) -> Store:
    """A catalogue where B (to merge into A) holds every kind of data a work can hold."""
    s = fresh_db
    s.import_batch(Batch(works=[
        work("A", "The TeXbook", authors=[Author("Donald E. Knuth")], year=1984, keywords=["typesetting"],
             fields={"note": "kept note"}),
        work("C", "A work citing both", year=1990),
        work("D", "A work B cites", year=1970, doi="10.1000/d"),
        work("E", "An earlier copy of B", year=1984),
    ], citations=[("C", "A")], similar=[]))
    # B: arrives by identifier, with its reference list (one naming D, one waiting)
    b, _linked, _waiting = s.add_with_references(
        work("B", "The {TeX}book", authors=[Author("Donald Ervin Knuth"), Author("Anon")], year=1984,
             doi="10.1000/texbook", abstract="A longer abstract than A has.", keywords=["TeX", "typesetting"],
             fields={"isbn": "0201134470", "note": "gone note", "publisher": "Addison-Wesley"},
             publisher="Addison-Wesley"),
        [("Knuth 1970", "10.1000/d", ""), ("Someone 2001", "10.9999/waiting", "")])
    ids = s.ids_by_key(["A", "B", "C", "D", "E"])
    # C's reference list names B (by its DOI): resolved to B
    s.add_with_references(work("F", "A work listing B", year=2000), [("The TeXbook", "10.1000/texbook", "")])
    for citing, cited in [("C", "B"), ("B", "A"), ("A", "B"), ("E", "B")]:
        s.cite(citing, cited)
    s.conn.executemany("INSERT INTO similar_links(work_id, other_id, position) VALUES (?, ?, ?)",
                       [(ids[x], ids[y], n) for n, (x, y) in enumerate([("B", "C"), ("C", "B"), ("A", "B"), ("A", "C")])])
    s.add_file(ids["B"], "b.pdf", "texbook.pdf", remember=False)
    for kind in ("view", "view", "copy"):
        s.record_event(ids["B"], kind)
    s.record_event(ids["A"], "export")
    s.merge(ids["B"], ids["E"], remember=False)  # B already has an alias: E
    return s


def test_merge_moves_every_kind_of_data(cat: Store):
    ids = cat.ids_by_key(["A", "B", "C", "D", "F"])
    a, b = ids["A"], ids["B"]
    result = cat.merge(a, b)
    kept = cat.work_by_id(a)
    assert kept.key == "A" and kept.title == "The TeXbook"  # A's, not B's
    assert kept.abstract == "A longer abstract than A has."  # the longer one
    assert kept.doi == "10.1000/texbook"  # A lacked one
    assert kept.keywords == ["typesetting", "TeX"]  # both
    assert [x.name for x in kept.authors] == ["Donald E. Knuth"]
    assert kept.fields["note"] == "kept note" and kept.fields["isbn"] == "0201134470"
    assert sorted(kept.fields["ids"].split(", ")) == ["B", "E"]
    with pytest.raises(Gone):
        cat.work_by_id(b)
    # citations both ways; the two between A and B dropped and said; C cited both: one link
    assert sorted(r.key for r in cat.citations(a)) == ["C", "F"]
    assert [r.key for r in cat.references(a)] == ["D"]
    assert result.self_citations == 2 and result.collapsed >= 1
    assert cat.citation_counts(a) == (2, 1)
    assert cat._read("SELECT cited_by FROM citation_counts WHERE work_id = ?", (a,))[0][0] == 2
    # similar works: B's moved, A's kept, the one between them gone
    assert sorted(r.key for r in cat.curated_similar(a)) == ["C"]
    assert [r.key for r in cat.curated_similar(ids["C"])] == ["A"]
    # archived copies, usage, identifiers, reference lists (citing and cited), aliases
    assert [f.name for f in cat.files(a)] == ["texbook.pdf"]
    stats = cat.stats(a)
    assert (stats.views, stats.copies, stats.exports) == (2, 1, 1)
    assert cat._read("SELECT total FROM usage WHERE work_id = ?", (a,))[0][0] == 4
    assert cat.work_by_identifier("doi", "10.1000/texbook") == a
    assert cat.work_by_identifier("isbn", "9780201134476") == a
    assert [r.text for r in cat.unresolved_references(a)] == ["Someone 2001"]
    assert [x["key"] for x in cat.reference_list_json(a)] == ["D", None]
    assert [x["key"] for x in cat.reference_list_json(ids["F"])] == ["A"]
    assert cat.aliases(a) == ["B", "E"]
    assert "moved" in result.describe() and "dropped 2 citations between the two" in result.describe()
    assert set(result.taken) >= {"abstract", "doi", "keywords", "isbn"}


def test_undo_puts_every_table_back_exactly(cat: Store):
    ids = cat.ids_by_key(["A", "B"])
    before = dump(cat)
    cat.merge(ids["A"], ids["B"], {"title": "gone", "authors": "gone"})
    assert dump(cat) != before
    assert cat.undo() == "merge of B into A"
    assert dump(cat) == before
    cat._read("INSERT INTO works_fts(works_fts, rank) VALUES ('integrity-check', 1)")
    # the full-text index follows: B's words find B again, and A's title is A's
    assert cat.search_ids("Ervin", "relevance", 10) == [ids["B"]]
    assert cat.search_ids("texbook", "relevance", 10) == [ids["A"]]  # A's own title again, not B's


def test_two_merges_undone_one_by_one(cat: Store):
    ids = cat.ids_by_key(["A", "C", "D"])
    before = dump(cat)
    cat.merge(ids["A"], cat.resolve_key("B"))
    middle = dump(cat)
    cat.merge(ids["D"], ids["A"], {"title": "gone"})
    assert cat.work("E").key == "D" and cat.aliases(ids["D"]) == ["A", "B", "E"]
    assert cat.undo() == "merge of A into D"
    assert dump(cat) == middle
    cat.undo()
    assert dump(cat) == before


def test_undo_after_the_kept_work_was_viewed_keeps_the_view(cat: Store):
    ids = cat.ids_by_key(["A", "B"])
    cat.merge(ids["A"], ids["B"])
    cat.record_event(ids["A"], "view")
    cat.undo()
    assert cat._read("SELECT total FROM usage WHERE work_id = ?", (ids["A"],))[0][0] == 2  # its export and the view
    assert cat._read("SELECT total FROM usage WHERE work_id = ?", (ids["B"],))[0][0] == 3


def test_choices_take_the_other_side(cat: Store):
    ids = cat.ids_by_key(["A", "B"])
    result = cat.merge(ids["A"], ids["B"], {"title": "gone", "abstract": "keep", "note": "gone", "keywords": "keep"})
    kept = cat.work_by_id(ids["A"])
    assert kept.title == "The {TeX}book" and kept.abstract == "" and kept.fields["note"] == "gone note"
    assert kept.keywords == ["typesetting"] and "title" in result.taken and "abstract" not in result.taken


def test_a_choice_of_an_unknown_field_or_side_changes_nothing(cat: Store):
    ids = cat.ids_by_key(["A", "B"])
    before = dump(cat)
    with pytest.raises(StoreError, match="no field 'colour'"):
        cat.merge(ids["A"], ids["B"], {"colour": "gone"})
    with pytest.raises(StoreError, match="'keep' or 'gone'"):
        cat.merge(ids["A"], ids["B"], {"title": "both"})
    assert dump(cat) == before


def test_a_work_cannot_be_merged_into_itself(cat: Store):
    a = cat.resolve_key("A")
    with pytest.raises(StoreError, match="into itself"):
        cat.merge(a, a)


def test_a_work_deleted_meanwhile_by_another_process(cat: Store):
    ids = cat.ids_by_key(["A", "B"])
    other = sqlite3.connect(cat.path)
    other.execute("PRAGMA foreign_keys = ON")
    other.execute("DELETE FROM works WHERE id = ?", (ids["A"],))
    other.commit()
    other.close()
    before = dump(cat)
    with pytest.raises(Gone, match="no longer in the catalogue"):
        cat.merge(ids["A"], ids["B"])
    assert dump(cat) == before


def test_read_only_catalogue(cat: Store):
    ids = cat.ids_by_key(["A", "B"])
    path = cat.path
    cat.close()
    with Store(path, read_only=True) as ro:
        with pytest.raises(StoreError, match="read-only"):
            ro.merge(ids["A"], ids["B"])
        assert ro.resolve_key("E") == ids["B"]


def test_undo_refused_when_the_kept_work_is_gone(cat: Store):
    ids = cat.ids_by_key(["A", "B"])
    cat.merge(ids["A"], ids["B"])
    cat.conn.execute("DELETE FROM works WHERE id = ?", (ids["A"],))
    with pytest.raises(StoreError, match="cannot undo the merge of B into A"):
        cat.undo()


def test_two_works_that_cite_each_other(fresh_db: Store):
    s = fresh_db
    s.import_batch(Batch(works=[work("X", "One"), work("Y", "One")], citations=[("X", "Y"), ("Y", "X")]))
    ids = s.ids_by_key(["X", "Y"])
    before = dump(s)
    result = s.merge(ids["X"], ids["Y"])
    assert result.self_citations == 2 and s.citation_counts(ids["X"]) == (0, 0)
    assert "dropped 2 citations between the two" in result.describe()
    s.undo()
    assert dump(s) == before


def test_every_table_holding_a_work_id_is_in_the_merge_list(fresh_db: Store):
    """A table whose column REFERENCES works(id), and is not in WORK_ID_COLUMNS, would keep
    pointing at the gone work (or lose its rows with it): this fails until it is added."""
    listed = {(t, c) for t, c, _ in WORK_ID_COLUMNS}
    conn = fresh_db.conn
    referencing = set()
    for (table,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'"):
        for fk in conn.execute(f'PRAGMA foreign_key_list("{table}")'):
            if fk[2] == "works":
                referencing.add((table, fk[3]))
    assert referencing, "no foreign keys found: the check itself is broken"
    assert referencing - listed == set()
    assert {t for t, _ in listed} <= {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}


def test_the_check_of_the_list_can_fail(fresh_db: Store):
    fresh_db.conn.execute("CREATE TABLE notes_x (work_id INTEGER REFERENCES works(id))")
    with pytest.raises(AssertionError):
        test_every_table_holding_a_work_id_is_in_the_merge_list(fresh_db)


# ---------------------------------------------------------------- aliases wherever a key is looked up

def test_aliases_resolve_in_the_store(cat: Store):
    ids = cat.ids_by_key(["A", "B"])
    cat.merge(ids["A"], ids["B"])
    assert cat.work("B").key == "A" and cat.work("E").key == "A"
    assert cat.resolve_key("B") == ids["A"] and cat.resolve_key("nope") is None
    assert cat.ids_by_key(["B", "A", "nope"]) == {"B": ids["A"], "A": ids["A"]}
    cat.cite("D", "B")
    assert "D" in [r.key for r in cat.citations(ids["A"])]
    with pytest.raises(StoreError, match="cannot cite itself"):
        cat.cite("A", "B")


def test_a_new_work_cannot_take_an_alias(cat: Store):
    ids = cat.ids_by_key(["A", "B"])
    cat.merge(ids["A"], ids["B"])
    assert cat.add_work(work("B", "Another")).key == "Ba"
    with pytest.raises(StoreError, match="alias"):
        cat.add_work(work("B", "Another"), rename=False)
    with pytest.raises(StoreError, match="alias"):
        cat.update_work(ids["C"] if (ids := cat.ids_by_key(["C"])) else 0, work("B", "A work citing both"))


def test_import_treats_an_alias_as_its_work(cat: Store):
    ids = cat.ids_by_key(["A", "B"])
    cat.merge(ids["A"], ids["B"])
    s = cat.import_batch(Batch(works=[work("B", "The TeXbook again")], citations=[("C", "B")]))
    assert s.added == 0 and s.duplicates == 1 and "alias" in s.problems[-1].message
    s = cat.import_batch(Batch(works=[work("B", "The TeXbook, updated", year=1986)]), on_duplicate="update")
    assert s.updated == 1 and cat.work_by_id(ids["A"]).key == "A" and cat.work_by_id(ids["A"]).year == 1986
    s = cat.import_batch(Batch(works=[work("B", "Yet another")]), on_duplicate="rename")
    assert s.added == 1 and cat.resolve_key("Ba") not in (None, ids["A"])


def test_bibtex_export_writes_aliases_as_ids_and_import_recreates_them(cat: Store, tmp_path: Path):
    ids = cat.ids_by_key(["A", "B"])
    cat.merge(ids["A"], ids["B"])
    text = bibtex.write([cat.work("A")])
    assert "ids = {B, E}" in text
    with Store(tmp_path / "other.db") as other:
        other.import_batch(bibtex.parse_string(text, "a.bib"))
        assert other.aliases(other.resolve_key("A")) == ["B", "E"]
        assert other.work("E").key == "A"


def test_cli_merge_show_and_undo(cat: Store):
    path = cat.path
    ids = cat.ids_by_key(["A", "B"])
    cat.close()
    r = ibid("merge", "A", "B", "--take", "title=gone", "--db", path)
    assert r.exit_code == 0, r.output
    assert "Merged B into A" in r.output and "took" in r.output
    r = ibid("show", "B", "--db", path)
    assert r.exit_code == 0 and "The {TeX}book" in r.output
    r = ibid("show", "E", "--format", "json", "--db", path)
    assert '"key": "A"' in r.output and '"aliases"' in r.output
    r = ibid("undo", "--db", path)
    assert r.exit_code == 0 and "Undid the merge of B into A" in r.output
    with Store(path) as s:
        assert s.resolve_key("B") == ids["B"]


@pytest.mark.parametrize("args, message", [
    (("A", "A"), "into itself"),
    (("A", "nope"), "no work with key 'nope'"),
    (("A", "B", "--take", "title"), "FIELD=keep or FIELD=gone"),
    (("A", "B", "--take", "colour=gone"), "no field 'colour'"),
])
def test_cli_merge_refusals(cat: Store, args, message):
    path = cat.path
    cat.close()
    r = ibid("merge", *args, "--db", path)
    assert message in assert_one_error_line(r)


def test_cli_merge_read_only(cat: Store):
    path = cat.path
    cat.close()
    r = ibid("merge", "A", "B", "--db", path, "--read-only")
    assert "read-only" in assert_one_error_line(r)


def test_export_cited_in_counts_an_alias_as_its_work(cat: Store, tmp_path: Path):
    path = cat.path
    ids = cat.ids_by_key(["A", "B"])
    cat.merge(ids["A"], ids["B"])
    cat.close()
    aux = tmp_path / "paper.aux"
    aux.write_text("\\citation{B}\n\\citation{A}\n\\citation{C}\n")
    r = ibid("export", "--cited-in", aux, "--db", path)
    assert r.exit_code == 0, r.stderr
    assert r.output.count("@article{A,") == 1 and "@article{C," in r.output


def test_merged_is_pure_and_says_the_differences():
    a = work("A", "T", year=None, doi="")
    b = work("B", "T", year=2001, doi="10.1000/x", fields={"isbn": "1"})
    names = {d.name: d.side for d in differences(a, b)}
    assert names == {"year": "gone", "doi": "gone", "isbn": "gone"}
    w, taken = merged(a, b)
    assert (w.year, w.doi, w.fields["isbn"], w.fields["ids"]) == (2001, "10.1000/x", "1", "B")
    assert a.year is None  # the kept work given is not changed


def test_write_permission_gone_is_read_only(cat: Store, tmp_path: Path):
    if os.geteuid() == 0:
        pytest.skip("root writes to read-only files")
    path = cat.path
    cat.close()
    path.chmod(0o444)
    try:
        r = ibid("merge", "A", "B", "--db", path)
        assert "read-only" in assert_one_error_line(r)
    finally:
        path.chmod(0o644)


# ---------------------------------------------------------------- reading state and notes

@pytest.mark.parametrize("keep_state, gone_state, expected", [
    (None, "read", "read"), ("toread", "reading", "reading"), ("read", "toread", "read"), ("reading", None, "reading")])
def test_merge_keeps_the_further_reading_state_and_undo_puts_both_back(cat: Store, keep_state, gone_state, expected):
    ids = cat.ids_by_key(["A", "B"])
    if keep_state:
        cat.set_reading([ids["A"]], keep_state, remember=False)
    if gone_state:
        cat.set_reading([ids["B"]], gone_state, remember=False)
    before = dump(cat)
    cat.merge(ids["A"], ids["B"])
    assert cat.reading_state(ids["A"])[0] == expected
    cat.undo()
    assert dump(cat) == before


def test_merge_keeps_both_notes_found_by_the_search_and_undo_puts_them_back(cat: Store):
    ids = cat.ids_by_key(["A", "B"])
    cat.set_note(ids["A"], "Read chapter 3 first.", remember=False)
    cat.set_note(ids["B"], "Compare with *plainTeX* macros.", remember=False)
    before = dump(cat)
    cat.merge(ids["A"], ids["B"])
    text = cat.note(ids["A"]).text
    assert text == "Read chapter 3 first.\n\n---\n\nCompare with *plainTeX* macros."
    assert cat.search_ids("note:plaintex ") == [ids["A"]]
    cat.undo()
    assert dump(cat) == before
    assert cat.search_ids("note:plaintex ") == [ids["B"]]


def test_the_gone_works_note_alone_moves_whole(cat: Store):
    ids = cat.ids_by_key(["A", "B"])
    cat.set_note(ids["B"], "only here", remember=False)
    cat.merge(ids["A"], ids["B"])
    assert cat.note(ids["A"]).text == "only here"
