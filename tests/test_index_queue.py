"""Edited works are re-indexed after the edit's commit (m004_index_queue): the edit commits
without the full-text index, and the index catches up soon after, before a search, on
close, and on the next open after a crash. Each test ends by checking the index against
the works table (FTS5's own integrity-check, rank 1: it fails on any word out of step)."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

import tui.store as store_module
from tui.formats import Batch
from tui.models import Author, Work
from tui.store import Store

REPO = Path(__file__).resolve().parents[1]


def in_step(store: Store) -> bool:
    """Whether the full-text index holds exactly the works' text (nothing stale, nothing missing).
    On a connection of its own: after the check fails, FTS5 keeps a stale view of the index on
    the connection that ran it."""
    conn = sqlite3.connect(store.path)
    try:
        conn.execute("INSERT INTO works_fts(works_fts, rank) VALUES ('integrity-check', 1)")
    except sqlite3.DatabaseError:
        return False
    finally:
        conn.close()
    return True


def pending(store: Store) -> list[int]:
    return [r[0] for r in store._read("SELECT work_id FROM fts_pending ORDER BY work_id")]


def found(store: Store, text: str) -> list[str]:
    return sorted(r.key for r in store.search(text, limit=100))


@pytest.fixture
def store(tmp_path: Path, monkeypatch):
    monkeypatch.setattr(store_module.index, "INDEX_DELAY", 3600.0)  # no background re-index unless a test wants it
    monkeypatch.setattr(store_module.index, "CATCH_UP_WAIT", 60.0)  # a search waits for its catch-up, however slow the machine
    s = Store(tmp_path / "catalog.db")
    s.import_batch(Batch(works=[
        Work(key="A", title="Turtles all the way down", authors=[Author("Ann Ant")], year=2001,
             abstract="An infinite regress of turtles.", keywords=["regress"], venue="Mind"),
        Work(key="B", title="Elephants and the world", authors=[Author("Bo Bee")], year=2002,
             abstract="The world stands on elephants.", venue="Nous"),
    ]))
    try:
        yield s
    finally:
        s.close()


def test_an_edit_commits_before_the_index_and_a_search_catches_up(store: Store):
    work = store.work("A")
    work.title = "Tortoises all the way down"
    work.abstract = "A finite chain of tortoises."
    store.update_work(work.id, work)
    # committed, and queued with what the index still holds for it
    assert store.work("A").title == "Tortoises all the way down"
    assert pending(store) == [work.id]
    assert store._read("SELECT title FROM fts_pending")[0][0] == "Turtles all the way down"
    assert not in_step(store)
    # the next search brings the index up to date first: the new words, not the old
    assert found(store, "tortoises") == ["A"]
    assert found(store, "turtles") == []
    assert found(store, "regress") == ["A"]  # keywords unchanged, still indexed once
    assert pending(store) == []
    assert in_step(store)


def test_several_edits_before_the_index_catches_up_leave_only_the_last(store: Store):
    work = store.work("B")
    for word in ("giraffes", "zebras", "okapis"):
        work.abstract = f"The world stands on {word}."
        store.update_work(work.id, work)
    assert pending(store) == [work.id]
    assert store._read("SELECT abstract FROM fts_pending")[0][0] == "The world stands on elephants."
    assert store.index_pending() == 1
    assert in_step(store)
    assert found(store, "okapis") == ["B"]
    assert found(store, "giraffes") == found(store, "zebras") == []
    assert found(store, "elephants") == ["B"]  # still in B's title


def test_an_edit_of_unindexed_fields_queues_nothing(store: Store):
    work = store.work("A")
    work.year = 1999
    work.pages = "1-10"
    store.update_work(work.id, work)
    assert pending(store) == []
    assert in_step(store)


def test_the_index_catches_up_in_the_background_after_a_pause(store: Store, monkeypatch):
    monkeypatch.setattr(store_module.index, "INDEX_DELAY", 0.05)
    work = store.work("A")
    work.abstract = "Background indexing of armadillos."
    store.update_work(work.id, work)
    deadline = time.monotonic() + 30
    while pending(store) and time.monotonic() < deadline:
        time.sleep(0.01)
    assert pending(store) == []
    assert not store._unindexed
    assert in_step(store)
    assert found(store, "armadillos") == ["A"]


def test_close_brings_the_index_up_to_date(tmp_path: Path, store: Store):
    work = store.work("A")
    work.title = "Closing words"
    store.update_work(work.id, work)
    store.close()
    with Store(tmp_path / "catalog.db", read_only=True) as reader:
        assert pending(reader) == []
        assert in_step(reader)
        assert found(reader, "closing") == ["A"]


def test_a_work_deleted_while_queued_leaves_the_index_clean(store: Store):
    new = store.add_work(Work(key="C", title="Capybaras", abstract="Large rodents."), remember=True)
    new.title = "Capybaras renamed"
    store.update_work(new.id, new, remember=False)
    assert pending(store) == [new.id]
    assert store.undo() == "new work C"  # deletes the work: its queued index entry goes with it
    assert pending(store) == []
    assert in_step(store)
    assert found(store, "capybaras") == []


def test_undoing_an_edit_is_indexed_too(store: Store):
    work = store.work("B")
    work.title = "Hippos"
    store.update_work(work.id, work)
    assert found(store, "hippos") == ["B"]
    store.undo()
    assert found(store, "hippos") == []
    assert found(store, "elephants") == ["B"]
    assert in_step(store)


def test_an_import_that_updates_a_queued_work_indexes_it_in_its_transaction(store: Store):
    work = store.work("A")
    work.abstract = "Edited by hand: pangolins."
    store.update_work(work.id, work)
    summary = store.import_batch(Batch(works=[Work(key="A", title="Imported title about lemurs")]),
                                 on_duplicate="update")
    assert summary.updated == 1
    assert pending(store) == []
    assert in_step(store)
    assert found(store, "lemurs") == ["A"]
    assert found(store, "pangolins") == found(store, "turtles") == []


def test_a_crash_before_the_index_caught_up_is_mended_on_the_next_open(tmp_path: Path, store: Store):
    store.close()
    path = tmp_path / "catalog.db"
    # another process edits and dies at once (os._exit: no close, no atexit)
    code = (f"import os, sys; sys.path.insert(0, {str(REPO)!r}); import tui.store as m; m.index.INDEX_DELAY = 3600\n"
            f"s = m.Store({str(path)!r}); w = s.work('A'); w.title = 'Wombats'; s.update_work(w.id, w); s.sync()\n"
            "os._exit(0)")
    subprocess.run([sys.executable, "-c", code], check=True, timeout=60)
    with Store(path, read_only=True) as reader:
        assert len(pending(reader)) == 1  # the edit is there, its index entry not yet
        assert reader.work("A").title == "Wombats"
    with Store(path) as writer:
        assert found(writer, "wombats") == ["A"]
        assert pending(writer) == []
        assert in_step(writer)


def test_a_catalogue_from_before_the_queue_is_upgraded_and_edits_index(tmp_path: Path):
    import sqlite_utils
    from sqlite_utils.migrations import Migrations

    path = tmp_path / "old.db"
    conn = sqlite3.connect(path, isolation_level=None)
    migrations = Migrations("ibid")
    for func in (store_module.schema.m001_catalogue, store_module.schema.m002_changes, store_module.schema.m003_citation_counts):
        migrations()(func)
    migrations.apply(sqlite_utils.Database(conn))
    conn.execute("INSERT INTO works(id, key, title, abstract, added, updated) VALUES (1, 'A', 'Old title', 'Aardvarks.', '', '')")
    conn.close()
    with Store(path) as store:
        assert found(store, "aardvarks") == ["A"]
        work = store.work("A")
        work.abstract = "Bandicoots."
        store.update_work(work.id, work)
        assert found(store, "bandicoots") == ["A"]
        assert found(store, "aardvarks") == []
        assert in_step(store)


def test_a_search_does_not_wait_long_for_a_slow_catch_up(store: Store, monkeypatch):
    """A catch-up that merges big index segments can take seconds: a search waits
    CATCH_UP_WAIT for it, then runs on the index as it is; the catch-up still finishes."""
    import threading

    monkeypatch.setattr(store_module.index, "CATCH_UP_WAIT", 0.05)
    release = threading.Event()
    real = Store._reindex

    def slow(conn):
        release.wait(60)  # a merge that takes as long as the test wants
        return real(conn)

    monkeypatch.setattr(Store, "_reindex", staticmethod(slow))
    work = store.work("A")
    work.title = "Quokkas all the way down"
    store.update_work(work.id, work)
    assert found(store, "quokkas") == []  # not waited for: the index as it was
    assert found(store, "turtles") == ["A"]
    release.set()
    deadline = time.monotonic() + 30
    while pending(store) and time.monotonic() < deadline:
        time.sleep(0.01)
    assert pending(store) == []
    assert found(store, "quokkas") == ["A"]
    assert in_step(store)
