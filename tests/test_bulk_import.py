"""A big import goes in bulk (Store.import_batches, m005_upkeep): the indexes of _BULK_INDEXES are
dropped first and made again at the end, and citation counts recounted once. The catalogue
must come out the same as a row-at-a-time import, whatever stops the import: an error, or the
process killed in the middle (the next writable open finishes the work)."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

import tui.store as store_module
from tests.conftest import fail_in_third_chunk, graph_lines, line, merging, sound, write
from tui.formats import open_path
from tui.store import Store, StoreError


REPO = Path(__file__).resolve().parents[1]


def schema(path: Path) -> list[tuple]:
    conn = sqlite3.connect(path)
    try:
        return conn.execute("SELECT type, name, sql FROM sqlite_master WHERE name NOT LIKE 'sqlite_%' "
                            "ORDER BY type, name").fetchall()
    finally:
        conn.close()


def everything(store: Store) -> dict:
    """What a user can see of the catalogue: works, links both ways, counts, search."""
    works = sorted((w.key, w.title, w.year, [a.name for a in w.authors]) for w in store.works())
    refs = sorted((w.key, r.key) for w in store.works() for r in store.references(w.id))
    cited = sorted((w.key, c.key) for w in store.works() for c in store.citations(w.id))
    counts = sorted((w.key, store._read("SELECT cited_by FROM citation_counts WHERE work_id = ?", (w.id,))[0][0])
                    for w in store.works())
    return {"works": works, "refs": refs, "cited": cited, "counts": counts,
            "search": [r.key for r in store.search("work", sort="title", limit=100)],
            "by citations": [r.key for r in store.browse("cited_by", limit=100)]}


def segments(store: Store) -> int:
    """How many segments the full-text index is in (FTS5's structure record, id 10: a
    4-byte cookie, an optional 4-byte version marker, then varints nLevel, nSegment)."""
    blob = store._read("SELECT block FROM works_fts_data WHERE id = 10")[0][0]
    i = 8 if blob[4:8] == b"\xff\x00\x00\x01" else 4
    values = []
    while len(values) < 2:
        v = 0
        while True:
            c = blob[i]
            i += 1
            v = (v << 7) | (c & 0x7F)
            if not c & 0x80:
                break
        values.append(v)
    return values[1]


@pytest.fixture
def bulk_from_two(monkeypatch):
    monkeypatch.setattr(store_module.importing, "BULK_IMPORT_MIN", 2)


def import_file(store: Store, path: Path, chunk: int = 2, expected: int | None = None, **kw):
    stream = open_path(path, chunk=chunk)
    return store.import_batches(stream.batches, expected=expected, **kw)


@pytest.mark.parametrize("chunk", [1, 2, 100])
def test_bulk_gives_the_same_catalogue_as_row_at_a_time(tmp_path: Path, bulk_from_two, chunk: int, monkeypatch):
    path = write(tmp_path, graph_lines())
    calls = []
    real = Store._put_off
    monkeypatch.setattr(Store, "_put_off", lambda self: (calls.append(1), real(self))[1])
    with Store(tmp_path / "rows.db") as rows, Store(tmp_path / "bulk.db") as bulk:
        a = import_file(rows, path, chunk)
        assert calls == []
        b = import_file(bulk, path, chunk, expected=9)
        assert calls == [1]
        assert (a.added, a.citations, a.renamed, a.refused) == (b.added, b.citations, b.renamed, b.refused) == (7, 11, 1, 1)
        assert everything(bulk) == everything(rows)
        assert max(n for _, n in everything(bulk)["counts"]) > 1
        sound(bulk)
        # the bulk import ends with the full-text index in one segment (FTS5 optimize)
        # (a row-at-a-time import merges its segments at its end: nothing left due)
        assert segments(bulk) == 1 and segments(rows) < 4
    assert schema(tmp_path / "bulk.db") == schema(tmp_path / "rows.db")


def test_only_an_import_at_least_as_big_as_the_catalogue_goes_in_bulk(tmp_path: Path, bulk_from_two, monkeypatch):
    calls = []
    real = Store._put_off
    monkeypatch.setattr(Store, "_put_off", lambda self: (calls.append(1), real(self))[1])
    with Store(tmp_path / "c.db") as store:
        import_file(store, write(tmp_path, [line(f"s{i}", f"Old work {i}") for i in range(5)], "old.jsonl"), expected=5)
        assert calls == [1]  # 5 works into an empty catalogue
        import_file(store, write(tmp_path, graph_lines()), expected=9)
        assert calls == [1, 1]  # 9 lines into 5 works
        import_file(store, write(tmp_path, [line(f"t{i}", f"New work {i}") for i in range(3)], "new.jsonl"), expected=3)
        assert calls == [1, 1]  # 3 into 12: row at a time
        monkeypatch.setattr(store_module.importing, "BULK_IMPORT_MIN", 20)
        import_file(store, write(tmp_path, [line(f"u{i}", f"More {i}") for i in range(19)], "more.jsonl"), expected=19)
        assert calls == [1, 1]  # 19 into 15, but under BULK_IMPORT_MIN
        assert store.count() == 34
        sound(store)


def test_an_error_in_a_bulk_import_keeps_the_chunks_before_and_makes_the_indexes(tmp_path: Path, bulk_from_two, monkeypatch):
    fail_in_third_chunk(monkeypatch)
    with Store(tmp_path / "c.db") as store:
        with pytest.raises(RuntimeError, match="disk on fire"):
            import_file(store, write(tmp_path, graph_lines()), expected=9)
        assert sorted(w.key for w in store.works()) == ["K1", "K1b", "K2"]
        assert everything(store)["counts"] == [("K1", 2), ("K1b", 0), ("K2", 1)]
        sound(store)


def test_a_bulk_import_killed_in_the_middle_is_finished_by_the_next_writable_open(tmp_path: Path):
    path = tmp_path / "c.db"
    source = write(tmp_path, graph_lines())
    # another process imports in bulk and dies in the third chunk (os._exit: no finally, no close)
    code = (f"import os, sys; sys.path.insert(0, {str(REPO)!r})\n"
            "import tui.store as m; from tui.formats import open_path\n"
            "m.importing.BULK_IMPORT_MIN = 2; real = m.Store._insert_new; n = [0]\n"
            "def dying(self, conn, works, cache):\n"
            "    n[0] += 1\n"
            "    if n[0] == 3: self.sync(); os._exit(0)\n"
            "    return real(self, conn, works, cache)\n"
            "m.Store._insert_new = dying\n"
            f"s = m.Store({str(path)!r}); s.import_batches(open_path(__import__('pathlib').Path({str(source)!r}), "
            "chunk=2).batches, expected=9)\n")
    subprocess.run([sys.executable, "-c", code], check=True, timeout=60)
    with Store(path, read_only=True) as reader:
        left = {r[0] for r in reader._read("SELECT name FROM upkeep")}
        assert left == {*store_module.importing._BULK_INDEXES, "citation_counts", "fts_merging"}
        assert merging(reader) == store_module.index._BULK_FTS_MERGING
        assert not reader._read("SELECT 1 FROM sqlite_master WHERE name = 'works_title'")
        assert reader.count() == 3
        assert [r.key for r in reader.browse("title", limit=10)] == ["K1", "K2", "K1b"]  # slower, still right
    with Store(path) as writer:
        sound(writer)
        assert everything(writer)["counts"] == [("K1", 2), ("K1b", 0), ("K2", 1)]
        # the rest of the file, imported again: the works in are skipped, the links made
        summary = import_file(writer, source, expected=9)
        assert summary.added == 4 and writer.count() == 7
        sound(writer)


def test_while_an_import_runs_another_is_refused_and_an_open_leaves_its_work_alone(tmp_path: Path, bulk_from_two):
    path = tmp_path / "c.db"
    with Store(path) as store:
        store._put_off()  # as a running bulk import has
        with store._import_lock():
            assert Path(f"{path}-import").exists()
            with Store(path) as other:  # a writable open while the import runs: the import's work
                assert other._read("SELECT count(*) FROM upkeep")[0][0] == len(store_module.importing._BULK_INDEXES) + 2
                assert merging(other) == store_module.index._BULK_FTS_MERGING
                with pytest.raises(StoreError, match="another import into this catalogue is running"):
                    import_file(other, write(tmp_path, graph_lines()), expected=9)
                assert other.count() == 0
        assert not Path(f"{path}-import").exists()
    with Store(path) as store:  # no import runs now: the open does it
        sound(store)


def test_the_cli_imports_a_big_file_in_bulk(tmp_path: Path, bulk_from_two, monkeypatch):
    from click.testing import CliRunner

    from tui.cli import main

    calls = []
    real = Store._put_off
    monkeypatch.setattr(Store, "_put_off", lambda self: (calls.append(1), real(self))[1])
    db = tmp_path / "c.db"
    Store(db, create=True).close()
    result = CliRunner().invoke(main, ["--db", str(db), "import", str(write(tmp_path, graph_lines()))])
    assert result.exit_code == 0, result.output
    assert calls == [1]
    with Store(db) as store:
        assert store.count() >= 7
        sound(store)


def test_progress_hears_when_the_indexes_are_made(tmp_path: Path, bulk_from_two, monkeypatch):
    seen = []
    real = Store.finish_upkeep
    monkeypatch.setattr(Store, "finish_upkeep", lambda self, recount=False: (seen.append("finish"), real(self, recount))[1])
    with Store(tmp_path / "c.db") as store:
        import_file(store, write(tmp_path, graph_lines()), expected=9,
                    progress=lambda batch, done, total: seen.append("batch" if batch is not None else (done, total)))
        assert seen[-2:] == [(0, 0), "finish"] and "batch" in seen[:-2]
        seen.clear()
        import_file(store, write(tmp_path, [line("z", "Last work")], "z.jsonl"), expected=1,
                    progress=lambda batch, done, total: seen.append("batch" if batch is not None else (done, total)))
        assert seen and set(seen) == {"batch"}  # not in bulk, no segments to merge: no such call


def test_a_bulk_import_leaves_the_segments_to_its_one_merge_at_the_end(tmp_path: Path, bulk_from_two, monkeypatch):
    """FTS5 does not merge segments as a bulk import writes them (each chunk's commit writes
    one): they are merged once, by optimize_index, and FTS5's merging is back after."""
    during, before_optimize = [], []
    real = Store.optimize_index
    monkeypatch.setattr(Store, "optimize_index", lambda self: (before_optimize.append((segments(self), merging(self))),
                                                                real(self))[1])
    path = write(tmp_path, [line(f"w{i}", f"Work number {i}") for i in range(20)])
    with Store(tmp_path / "rows.db") as rows, Store(tmp_path / "bulk.db") as bulk:
        import_file(rows, path, chunk=1)
        assert before_optimize == [] and segments(rows) < 20  # FTS5 merged them as they came (16 at most)
        summary = import_file(bulk, path, chunk=1, expected=20,
                              progress=lambda batch, done, total: during.append(merging(bulk)))
        assert summary.added == 20
        assert during and all(m == store_module.index._BULK_FTS_MERGING for m in during)
        assert before_optimize == [(20, store_module.index._FTS_MERGING)]  # one a chunk; merging back on
        assert segments(bulk) == 1
        sound(bulk)
        assert everything(bulk) == everything(rows)
