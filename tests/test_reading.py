"""Reading states and notes in the store: set, undo, search (`state:`, `note:`, plain words), in and out."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from tui.formats import Batch, bibtex, csl
from tui.models import Author, Work
from tui.query import STATE_HINT, parse
from tui.store import Gone, Store, StoreError
from tui.formats.notes import joined_notes
from tui.store.reading import NOTE_MAX_BYTES

FIXTURES = Path(__file__).parent / "fixtures" / "reading"


def works() -> list[Work]:
    return [
        Work(key="Kant1781", title="Critique of Pure Reason", authors=[Author("Immanuel Kant")], year=1781),
        Work(key="Hume1748", title="An Enquiry Concerning Human Understanding", authors=[Author("David Hume")],
             year=1748),
        Work(key="Turing1950", title="Computing Machinery and Intelligence", authors=[Author("Alan Turing")],
             year=1950, abstract="Can machines think?"),
        Work(key="Searle1980", title="Minds, Brains, and Programs", authors=[Author("John Searle")], year=1980),
        Work(key="Kant1785", title="Groundwork of the Metaphysics of Morals", authors=[Author("Immanuel Kant")],
             year=1785),
    ]


@pytest.fixture
def store(fresh_db: Store) -> Store:
    fresh_db.import_batch(Batch(works=works()))
    return fresh_db


def wid(store: Store, key: str) -> int:
    return store.work(key).id


def keys(store: Store, ids: list[int]) -> list[str]:
    refs = store.refs(ids)
    return [refs[i].key for i in ids]


# -- states


def test_state_set_cycle_and_undo_exactly(store: Store):
    kant = wid(store, "Kant1781")
    assert store.reading_state(kant) is None
    store.set_reading([kant], "read")
    state, changed = store.reading_state(kant)
    assert state == "read" and changed
    # cycling: read -> none -> to read -> reading
    assert store.cycle_reading([kant]) is None
    assert store.reading_state(kant) is None
    assert store.cycle_reading([kant]) == "toread"
    assert store.cycle_reading([kant]) == "reading"
    assert store.undo() == "reading state of Kant1781 (reading)"
    assert store.reading_state(kant)[0] == "toread"
    store.undo()
    assert store.reading_state(kant) is None
    store.undo()  # back to read, with the very stamp it had
    assert store.reading_state(kant) == ("read", changed)


def test_marked_works_take_one_state_in_one_undo(store: Store):
    ids = [wid(store, k) for k in ("Kant1781", "Hume1748", "Searle1980")]
    store.set_reading([ids[1]], "read")
    assert store.cycle_reading(ids) == "toread"  # the first one's next state, for all
    assert store.reading_states(ids) == dict.fromkeys(ids, "toread")
    assert "3 works" in store.undo()
    assert store.reading_states(ids) == {ids[1]: "read"}


def test_a_misspelt_state_is_refused(store: Store):
    with pytest.raises(StoreError, match="toread, reading, read or none"):
        store.set_reading([wid(store, "Kant1781")], "raed")
    assert store.reading_counts() == {}


def test_the_table_refuses_a_state_it_does_not_know(store: Store):
    with pytest.raises(sqlite3.IntegrityError):
        with sqlite3.connect(store.path) as conn:
            conn.execute("INSERT INTO reading(work_id, state, changed) VALUES (1, 'skimmed', 'now')")


# -- notes


def test_note_set_replace_clear_and_undo(store: Store):
    kant = wid(store, "Kant1781")
    first = store.set_note(kant, "# Transcendental\n\nSee *B75*.")
    assert store.note(kant) == first
    store.set_note(kant, "second thoughts")
    assert store.work("Kant1781").note == "second thoughts"
    assert store.set_note(kant, "   \n") is None  # blank: no note
    assert store.note(kant) is None
    assert store.undo() == "note of Kant1781"
    assert store.note(kant).text == "second thoughts"
    store.undo()
    assert store.note(kant) == first  # the text and its stamp, exactly
    store.undo()
    assert store.note(kant) is None


def test_a_note_of_ten_megabytes_is_kept_and_one_byte_more_refused(store: Store):
    kant = wid(store, "Kant1781")
    big = "a" * (NOTE_MAX_BYTES - 3) + "é b"[:2]  # exactly the limit in UTF-8 (é is two bytes)
    assert len(big.encode()) == NOTE_MAX_BYTES
    store.set_note(kant, big)
    assert store.note(kant).text == big
    with pytest.raises(StoreError, match="at most 10 MB.*nothing was saved"):
        store.set_note(kant, big + "x")
    assert store.note(kant).text == big


def test_markup_and_escapes_are_kept_as_written(store: Store):
    kant = wid(store, "Kant1781")
    text = "[bold red]loud[/] \x1b[31mred\x1b[0m [link=file:///etc/passwd]x[/link]"
    store.set_note(kant, text)
    assert store.note(kant).text == text


def test_a_note_of_a_work_gone_is_not_saved_and_says_so(store: Store):
    kant = wid(store, "Kant1781")
    with sqlite3.connect(store.path) as conn:  # another process
        conn.execute("PRAGMA foreign_keys = ON")
        conn.execute("DELETE FROM works WHERE id = ?", (kant,))
    with pytest.raises(Gone, match="no longer in the catalogue.*not saved"):
        store.set_note(kant, "lost?")


def test_a_note_changed_elsewhere_is_not_overwritten(store: Store):
    kant = wid(store, "Kant1781")
    opened = store.set_note(kant, "mine").text
    with Store(store.path) as other:
        other.set_note(kant, "theirs")
    with pytest.raises(StoreError, match="changed elsewhere"):
        store.set_note(kant, "mine, edited", expected=opened)
    assert store.note(kant).text == "theirs"


def test_deleting_a_work_takes_its_note_and_state_and_index_entry(store: Store):
    kant = wid(store, "Kant1781")
    store.set_note(kant, "synthetic a priori")
    store.set_reading([kant], "read")
    with store._write() as conn:
        conn.execute("DELETE FROM works WHERE id = ?", (kant,))
    assert store.note(kant) is None and store.reading_state(kant) is None
    assert store._read("SELECT count(*) FROM notes_fts WHERE notes_fts MATCH 'synthetic'")[0][0] == 0


def test_read_only_catalogue_refuses_states_and_notes(store: Store):
    store.set_note(wid(store, "Kant1781"), "kept")
    path = store.path
    store.close()
    with Store(path, read_only=True) as ro:
        for change in (lambda: ro.set_reading([1], "read"), lambda: ro.set_note(1, "x")):
            with pytest.raises(StoreError, match="read-only"):
                change()
        assert ro.search_ids("state:none ") and ro.search_ids("kept ")


def test_joined_notes():
    assert joined_notes("a", "b") == "a\n\n---\n\nb"
    assert joined_notes("a and b", "b") == "a and b"
    assert joined_notes("", "b") == "b"


def test_merge_joins_notes_and_keeps_the_furthest_state(store: Store):
    kant, hume = wid(store, "Kant1781"), wid(store, "Hume1748")
    store.set_note(kant, "kant's note")
    store.set_note(hume, "hume's note")
    store.set_reading([kant], "toread")
    store.set_reading([hume], "read")
    with store._write() as conn:
        store._merge_reading(conn, kant, hume)
    assert store.note(kant).text == "kant's note\n\n---\n\nhume's note"
    assert store.reading_state(kant)[0] == "read"
    assert store.note(hume) is None and store.reading_state(hume) is None


# -- search


def test_state_restricts_any_search_and_sort(store: Store):
    kant, kant2, hume = wid(store, "Kant1781"), wid(store, "Kant1785"), wid(store, "Hume1748")
    store.set_reading([kant, hume], "toread")
    store.set_reading([kant2], "read")
    assert set(store.search_ids("state:toread ")) == {kant, hume}
    assert store.search_ids("state:toread kant ") == [kant]
    assert store.search_ids("state:read kant ") == [kant2]
    assert store.search_ids("state:toread ", "year") == [kant, hume]
    assert store.search_ids("state:toread ", "title") == [hume, kant]
    assert store.search_ids("state:toread year:1700..1760 ") == [hume]
    assert store.search_count("state:toread ") == 2
    assert store.search_count("state:toread kant ") == 1
    assert store.search_newest("state:toread ") == sorted([kant, hume], reverse=True)
    assert store.search_ids("state:reading ") == []
    assert set(store.search_ids("state:none ")) == {wid(store, "Turing1950"), wid(store, "Searle1980")}
    assert store.search_ids("state:none kant ") == []
    assert store.search_count("state:none ") == 2
    assert store.search_count("state:none machinery ") == 1
    assert store.search_ids("state:none machinery ", "cited") == [wid(store, "Turing1950")]


def test_restricted_words_read_as_a_list_give_the_same(store: Store, monkeypatch):
    """Above SEEK_UP_TO works in the restriction, the words' works are read as a list: the same answers."""
    from tui.store import reading_search

    kant, kant2, hume = wid(store, "Kant1781"), wid(store, "Kant1785"), wid(store, "Hume1748")
    store.set_reading([kant, hume, kant2], "toread")
    store.set_note(hume, "contra kant")
    for seek in (1000, 0):
        monkeypatch.setattr(reading_search, "SEEK_UP_TO", seek)
        assert set(store.search_ids("state:toread kant ")) == {hume, kant, kant2}
        assert store.search_ids("state:toread kant ")[0] == hume  # through its note: first
        assert store.search_count("state:toread kant ") == 3
        assert store.search_count("state:toread critique ") == 1
        assert store.search_ids("state:toread author:kant ", "year") == [kant2, kant]


def test_a_misspelt_state_finds_nothing_and_says_why(store: Store):
    store.set_reading([wid(store, "Kant1781")], "read")
    assert store.search_ids("state:raed ") == []
    assert store.search_count("state:raed ") == 0
    assert STATE_HINT in parse("state:raed ").hints
    assert parse("state:to").state == "toread"  # being typed: the one state it begins


def test_note_words_and_plain_words_find_notes(store: Store):
    searle, turing = wid(store, "Searle1980"), wid(store, "Turing1950")
    store.set_note(searle, "The **Chinese room**: syntax is not semantics.")
    assert store.search_ids("note:chinese ") == [searle]
    assert store.search_ids("note:\"chinese room\" ") == [searle]
    assert store.search_ids("note:kant ") == []
    # plain words: the note's works come first, then the fields' matches
    store.set_note(turing, "the imitation game; compare searle")
    assert store.search_ids("searle ") == [turing, searle]
    assert store.search_count("searle ") == 2
    assert store.search_count("semantics ") == 1
    assert store.search_ids("semantics ", "year") == [searle]
    assert store.search_newest("semant") == [searle]  # the word being typed, as a prefix
    # a column word must hold in the fields, the plain ones in the note
    assert store.search_ids("author:turing searle ") == [turing]
    assert store.search_ids("author:kant searle ") == []
    assert store.search_ids("semantics year:1990..2000 ") == []
    assert store.search_ids("state:none semantics ") == [searle]


def test_merged_orders(store: Store):
    ids = {w.key: w.id for w in store.works()}
    store.set_note(ids["Hume1748"], "on kant's critique")
    assert store.search_ids("kant ", "year") == [ids["Kant1785"], ids["Kant1781"], ids["Hume1748"]]
    assert store.search_ids("kant ", "title") == [ids["Hume1748"], ids["Kant1781"], ids["Kant1785"]]
    assert store.search_ids("kant ", "added") == sorted([ids["Kant1785"], ids["Kant1781"], ids["Hume1748"]])
    assert store.search_ids("kant ", "year", limit=2) == [ids["Kant1785"], ids["Kant1781"]]
    assert store.search_ids("kant ")[0] == ids["Hume1748"]
    assert store.search_count("kant ") == 3


def test_list_rows_carry_the_state(store: Store):
    kant = wid(store, "Kant1781")
    store.set_reading([kant], "reading")
    rows = {r.id: r.state for r in store.rows([w.id for w in store.works()])}
    assert rows[kant] == "reading" and list(rows.values()).count(None) == 4
    assert store.browse()[0].state in (None, "reading")


# -- in and out


def test_bibtex_annote_and_readstatus_in_and_out(fresh_db: Store):
    batch = bibtex.parse_string((FIXTURES / "jabref.bib").read_text(), "jabref.bib")
    fresh_db.import_batch(batch)
    read, skimmed, plain = fresh_db.work("Read2001"), fresh_db.work("Skimmed2002"), fresh_db.work("Plain2003")
    assert read.reading == "read" and skimmed.reading == "reading" and plain.reading == ""
    assert read.note == "Chapter 3 is the *argument*."
    assert "annote" not in read.fields and "readstatus" not in read.fields
    assert plain.fields["readstatus"] == "maybe"  # a value with no state: kept as a field
    text = bibtex.write([read, skimmed, plain])
    assert text.count("annote") == 1 and "Chapter 3 is the *argument*." in text
    assert "readstatus = {read}" in text and "readstatus = {skimmed}" in text and "readstatus = {maybe}" in text
    # and back: the same notes and states
    again = Store(fresh_db.path.with_name("again.db"))
    try:
        again.import_batch(bibtex.parse_string(text, "out.bib"))
        assert again.work("Read2001").note == read.note and again.work("Skimmed2002").reading == "reading"
    finally:
        again.close()


def test_toread_goes_out_as_itself(store: Store):
    store.set_reading([wid(store, "Kant1781")], "toread")
    assert "readstatus = {toread}" in bibtex.write([store.work("Kant1781")])


def test_a_note_and_an_old_annote_both_go_out_once(store: Store):
    kant = store.work("Kant1781")
    kant.fields["annote"] = "from the old file"
    store.update_work(kant.id, kant)
    store.set_note(kant.id, "my note")
    text = bibtex.write([store.work("Kant1781")])
    assert text.count("annote") == 1 and "my note" in text and "from the old file" in text


def test_zotero_notes_come_in(fresh_db: Store):
    batch = csl.parse_string((FIXTURES / "zotero.json").read_text(), "zotero.json")
    fresh_db.import_batch(batch)
    by_title = {w.title: w for w in fresh_db.works()}
    assert set(by_title) == {"With a child note", "With notes in an array", "No note"}
    child = by_title["With a child note"].note
    assert "Read *slowly*" in child and "<p>" not in child and "R&D" in child
    assert by_title["With notes in an array"].note.startswith("first")
    assert "second" in by_title["With notes in an array"].note
    assert by_title["No note"].note == ""


def test_real_better_bibtex_notes(fresh_db: Store, shared_data: Path):
    path = shared_data / "zotero-bbt" / "export" / "error during export; duplicate field note #1636.json"
    if not path.exists():
        pytest.skip(f"{path} not present")
    batch = csl.parse_string(path.read_text(), str(path))
    fresh_db.import_batch(batch)
    noted = [w for w in fresh_db.works() if w.note]
    assert noted and all("<p>" not in w.note for w in noted)
    assert any("lichess.org/analysis" in w.note for w in noted)
    assert fresh_db.search_ids("note:lichess ")


def test_import_of_an_annote_twice_keeps_one(fresh_db: Store):
    text = (FIXTURES / "jabref.bib").read_text()
    fresh_db.import_batch(bibtex.parse_string(text, "a.bib"))
    fresh_db.import_batch(bibtex.parse_string(text, "a.bib"), on_duplicate="update")
    assert fresh_db.work("Read2001").note == "Chapter 3 is the *argument*."


def test_json_view_names_note_and_state(store: Store):
    from tui.cli.catalogue import work_json

    store.set_note(wid(store, "Kant1781"), "n")
    out = work_json(store, store.work("Kant1781"), similar=False)
    assert json.loads(json.dumps(out))["note"] == "n"
