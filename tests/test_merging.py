"""The full-text index's segments are merged by the store, not by FTS5 in the middle of a
write (see Store._settle_merging): a catch-up after an edit only writes its own segment; the
merging runs in steps after it, in the background, and an edit interrupts a step rather than
wait for it; an import merges what it wrote before it ends."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

import tui.store as store_module
from tests.conftest import line, merging, sound, write
from tui.models import Work
from tui.store import Store


@pytest.fixture(autouse=True)
def merge_at_once(monkeypatch):
    monkeypatch.setattr(store_module.index, "MERGE_IDLE", 0)  # (the test of the pause sets its own)


def levels(store: Store) -> list[tuple[int, int]]:
    """(segments being merged, segments) of each level of the index (FTS5's structure record,
    id 10: a cookie, maybe a version marker, then varints: levels, segments, write counter;
    each level: nMerge, nSeg, then each segment's id, first and last page)."""
    blob = store._read("SELECT block FROM works_fts_data WHERE id = 10")[0][0]
    v2 = blob[4:8] == b"\xff\x00\x00\x01"
    i = 8 if v2 else 4

    def varint() -> int:
        nonlocal i
        v = 0
        for k in range(9):
            c = blob[i]
            i += 1
            if k == 8:
                return (v << 8) | c
            v = (v << 7) | (c & 0x7F)
            if not c & 0x80:
                return v
        return v

    n_levels, _, _ = varint(), varint(), varint()
    out = []
    for _ in range(n_levels):
        n_merge, n_seg = varint(), varint()
        for _ in range(n_seg):
            for _ in range(8 if v2 else 3):
                varint()
        out.append((n_merge, n_seg))
    return out


def segments(store: Store) -> int:
    return sum(n for _, n in levels(store))


def due(store: Store) -> bool:
    """What FTS5's `merge` would work on: a level of 4 segments or more, or a merge begun."""
    return any(m or n >= 4 for m, n in levels(store))


def catalogue(tmp_path: Path, n: int = 30) -> Store:
    store = Store(tmp_path / "c.db")
    for i in range(n):
        store.add_work(Work(key=f"w{i}", title=f"Segment study {i}", year=2000 + i % 20,
                            abstract=" ".join(f"word{(i * 7 + k) % 300} text{k}" for k in range(60))))
    store.index_pending()
    return store


def edit(store: Store, key: str, extra: str) -> None:
    work = store.work(key)
    work.abstract = f"{work.abstract} {extra}"
    store.update_work(work.id, work)


def merges_due(tmp_path: Path, word: str) -> Store:
    """A catalogue whose index has merging due: six edits, each caught up (a segment each)."""
    store = catalogue(tmp_path)
    for i in range(6):
        edit(store, f"w{i}", f"{word}{i}x")
        store.index_pending()
    assert due(store)
    return store


def test_a_writable_open_settles_the_merge_settings_a_read_only_one_leaves_them(tmp_path: Path):
    store = catalogue(tmp_path, 3)
    assert merging(store) == store_module.index._FTS_MERGING
    with store._write() as conn:  # a catalogue of an older ibid: FTS5's own
        store._fts_merging(conn, {"automerge": 4, "crisismerge": 16})
    store.close()
    with Store(tmp_path / "c.db", read_only=True) as reader:
        assert merging(reader) == {"automerge": 4, "crisismerge": 16}
    with Store(tmp_path / "c.db") as writer:
        assert merging(writer) == store_module.index._FTS_MERGING


def test_catch_ups_write_a_segment_each_and_the_store_merges_them_after(tmp_path: Path, monkeypatch):
    monkeypatch.setattr(store_module.index, "INDEX_DELAY", 3600)  # catch-ups only when asked here
    store = catalogue(tmp_path)
    start = segments(store)
    for i in range(8):
        edit(store, f"w{i}", f"zebrafish{i}")
        store.index_pending()
        assert segments(store) == start + i + 1  # FTS5 merged nothing in the catch-up
    assert due(store)
    with store._index_cond:
        rounds = store.merge_rounds
        store._index_due = None  # (the background catch-up those edits asked for: done above)
    store._merge_while_idle(store._epoch)
    assert store.merge_rounds == rounds + 1 and store.merge_steps >= 1
    assert not due(store) and segments(store) < start + 8
    for i in range(8):
        assert [store.work_by_id(x).key for x in store.search_ids(f"zebrafish{i}")] == [f"w{i}"]
    sound(store)
    store.close()


def test_the_background_merges_after_the_catch_up(tmp_path: Path, monkeypatch):
    monkeypatch.setattr(store_module.index, "INDEX_DELAY", 3600)
    store = merges_due(tmp_path, "okapi")
    with store._index_cond:
        rounds = store.merge_rounds
    edit(store, "w9", "okapi9")
    store._index_soon(0)  # the background thread: catch-up, then merge steps
    with store._index_cond:
        assert store._index_cond.wait_for(lambda: store.merge_rounds > rounds, 30)
    assert not due(store) and store.index_pending() == 0
    assert [store.work_by_id(x).key for x in store.search_ids("okapi9")] == ["w9"]
    sound(store)
    store.close()


def test_an_edit_interrupts_a_merge_step_rather_than_wait(tmp_path: Path, monkeypatch):
    """A merge step made slow (each of its looks for a waiting write takes 20 ms, 200 of them
    if nothing stops it) is stopped by an edit from another thread: the edit is committed,
    the step rolled back (nothing merged), and merging goes on later."""
    import threading

    monkeypatch.setattr(store_module.index, "INDEX_DELAY", 3600)
    store = merges_due(tmp_path, "lemur")
    before = levels(store)
    calls, started = [], threading.Event()
    real = Store._merge_should_stop

    def slow(self) -> int:
        calls.append(1)
        started.set()
        threading.Event().wait(0.02) if len(calls) < 200 else None
        return real(self)

    monkeypatch.setattr(Store, "_merge_should_stop", slow)
    monkeypatch.setattr(store_module.index, "MERGE_CHECK_STEPS", 50)
    store._index_due = None  # (the background catch-up those edits asked for: done above)
    merger = threading.Thread(target=store._merge_while_idle, args=(store._epoch,))
    merger.start()
    assert started.wait(30)
    edit(store, "w20", "tapir")  # interrupts the step
    merger.join(30)
    assert not merger.is_alive()
    assert len(calls) < 200  # the step did not run its course
    assert not store._index_conn.in_transaction  # rolled back, the write lock let go
    assert levels(store) == before  # rolled back: nothing merged (the edit wrote no segment yet)
    monkeypatch.setattr(Store, "_merge_should_stop", real)
    store.index_pending()
    store._index_due = None
    store._merge_while_idle(store._epoch)
    assert not due(store)
    assert [store.work_by_id(x).key for x in store.search_ids("tapir")] == ["w20"]
    sound(store)
    store.close()


def test_an_import_merges_the_segments_it_wrote(tmp_path: Path, monkeypatch):
    from tui.formats import open_path

    store = catalogue(tmp_path, 40)  # more works than the file: row at a time
    path = write(tmp_path, [line(f"i{k}", f"Imported work {k}") for k in range(12)])
    store.import_batches(open_path(path, chunk=1).batches, expected=12)
    assert store.count() == 52
    assert not due(store)
    assert len(store.search_ids("imported")) == 12
    sound(store)
    store.close()
    conn = sqlite3.connect(tmp_path / "c.db")
    assert conn.execute("SELECT count(*) FROM fts_pending").fetchone()[0] == 0
    conn.close()


def test_edits_racing_the_background_catch_ups_and_merges_all_commit(tmp_path: Path, monkeypatch):
    """Edits meeting the background thread's merge statements (made slow: 1 ms each 50 of
    SQLite's steps), twenty times over: each edit interrupts the statement and commits, and
    nothing is left half done (no transaction left open, the index sound, every edit found)."""
    import threading

    monkeypatch.setattr(store_module.index, "INDEX_DELAY", 0.001)
    store = merges_due(tmp_path, "gnu")
    in_merge = threading.Event()
    real = Store._merge_should_stop

    def slow(self) -> int:
        in_merge.set()
        threading.Event().wait(0.001)
        return real(self)

    monkeypatch.setattr(Store, "_merge_should_stop", slow)
    monkeypatch.setattr(store_module.index, "MERGE_CHECK_STEPS", 50)
    met = []
    for i in range(20):
        in_merge.clear()
        with store._index_cond:
            rounds = store.merge_rounds
        edit(store, f"w{i % 30}", f"quagga{i}x")  # its catch-up, then merge steps, in the background
        while not in_merge.wait(0.01) and store.merge_rounds == rounds:
            pass  # (until a merge statement runs, or the round ends with none due)
        if in_merge.is_set():
            met.append(i)
            edit(store, f"w{(i + 7) % 30}", f"zorilla{i}x")  # meets a merge statement
    assert len(met) >= 5
    assert store._index_conn is None or not store._index_conn.in_transaction
    store.close()
    with Store(tmp_path / "c.db") as again:
        for i in range(20):
            assert [again.work_by_id(x).key for x in again.search_ids(f"quagga{i}x")] == [f"w{i % 30}"]
            assert [again.work_by_id(x).key for x in again.search_ids(f"zorilla{i}x")] == ([f"w{(i + 7) % 30}"] if i in met else [])
        again.index_pending()
        sound(again)


def test_merging_waits_for_a_pause_in_the_edits(tmp_path: Path, monkeypatch):
    """No merge step until MERGE_IDLE seconds pass without an edit: an edit in the pause
    ends the wait (its own catch-up will wait again), so a run of edits meets no merge."""
    import threading

    monkeypatch.setattr(store_module.index, "INDEX_DELAY", 3600)
    monkeypatch.setattr(store_module.index, "MERGE_IDLE", 3600)
    store = merges_due(tmp_path, "ibex")
    store._index_due = None  # (the background catch-up those edits asked for: done above)
    waiting = threading.Thread(target=store._merge_while_idle, args=(store._epoch,))
    waiting.start()
    edit(store, "w8", "ibex8x")  # in the pause
    waiting.join(30)
    assert not waiting.is_alive() and store.merge_steps == 0 and due(store)
    store.close()


def test_a_write_that_cannot_open_its_connection_lets_go_of_the_lock(tmp_path: Path, monkeypatch):
    """A thread's first write whose connection fails to open (too many open files, a folder
    gone) raises, and holds no lock after: other threads' writes and close() go on."""
    import threading

    from tui.store import StoreError

    store = catalogue(tmp_path, 2)
    real = store._connect
    failed = []

    def first_write_fails() -> None:
        store._connect = lambda: (_ for _ in ()).throw(StoreError("cannot open the catalogue"))
        try:
            store.record_event(1, "view")
        except StoreError as exc:
            failed.append(str(exc))
        finally:
            store._connect = real

    worker = threading.Thread(target=first_write_fails)
    worker.start()
    worker.join(30)
    assert failed == ["cannot open the catalogue"]
    done = []
    writer = threading.Thread(target=lambda: (store.record_event(1, "view"), done.append(1)))
    writer.start()
    writer.join(30)
    assert done == [1]
    store.close()
