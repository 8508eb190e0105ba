"""JSON Lines read and imported a chunk at a time: the same works, links and problems as one batch."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import fail_in_third_chunk, graph_lines, line, write
from tui.formats import FormatError, jsonl, open_path, parse_path
from tui.store import Store

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"


def import_stream(store: Store, path: Path, chunk: int, on_duplicate: str = "skip"):
    return store.import_batches(open_path(path, chunk=chunk).batches, on_duplicate)


def catalogue(store: Store) -> tuple[list, list]:
    works = sorted((w.key, w.title, w.year, [a.name for a in w.authors]) for w in store.works())
    links = sorted((w.key, r.key) for w in store.works() for r in store.references(w.id))
    return works, links


@pytest.mark.parametrize("chunk", [1, 2, 3, 100])
def test_chunks_give_the_same_catalogue_as_one_batch(tmp_path: Path, chunk: int):
    path = write(tmp_path, graph_lines())
    one = Store(tmp_path / "one.db")
    many = Store(tmp_path / f"many{chunk}.db")
    try:
        whole = one.import_batch(parse_path(path))
        streamed = import_stream(many, path, chunk)
        assert catalogue(many) == catalogue(one)
        assert (streamed.added, streamed.citations, streamed.renamed, streamed.refused) == \
            (whole.added, whole.citations, whole.renamed, whole.refused) == (7, 11, 1, 1)
        assert sorted(map(str, streamed.problems)) == sorted(map(str, whole.problems))
        # cited_by follows the links made in every chunk
        for w in many.works():
            assert many._read("SELECT cited_by FROM citation_counts WHERE work_id = ?", (w.id,))[0][0] == many.citation_counts(w.id)[0]
        assert many.search("seventh")[0].key == "K7"  # the full-text index has every chunk
    finally:
        one.close()
        many.close()


def test_links_across_chunks(tmp_path: Path):
    store = Store(tmp_path / "c.db")
    try:
        summary = import_stream(store, write(tmp_path, graph_lines()), chunk=2)
        refs = {w.key: sorted(r.key for r in store.references(w.id)) for w in store.works()}
        assert refs["K1"] == ["Author2000Fifth"]               # a link forward, to a later chunk
        assert refs["K1b"] == ["K1", "K2"]                     # the renamed work links back
        assert refs["K4"] == ["K1b"]                           # to the renamed work, never to itself
        assert refs["K6"] == ["Author2000Fifth", "K1b", "K7"]  # back two chunks, and forward one
        assert refs["K7"] == ["K1"]
        unlinked = [p for p in summary.problems if p.kind == "unlinked"]
        assert [p.message for p in unlinked] == ["1 references point to works not in the file; not linked"]
        renamed = [p for p in summary.problems if p.kind == "renamed"]
        assert len(renamed) == 1 and "already used at line 1" in renamed[0].message and renamed[0].line == 4
        assert [(p.kind, p.line) for p in summary.problems if p.kind == "refused"] == [("refused", 3)]
    finally:
        store.close()


def test_reader_batches_and_last_lines(tmp_path: Path):
    batches = list(open_path(write(tmp_path, graph_lines()), chunk=4).batches)
    assert [len(b.works) for b in batches] == [3, 3, 1, 0]  # the last: links that waited
    assert [b.last_line for b in batches[:3]] == [4, 8, 9]
    assert batches[-1].citations == [("K1", "Author2000Fifth"), ("K6", "K7")]
    assert [p.kind for p in batches[-1].problems] == ["unlinked"]


@pytest.mark.parametrize("policy, added, duplicates, renamed", [
    ("skip", 1, 6, 1), ("update", 1, 0, 1), ("rename", 7, 0, 7)])
def test_duplicates_across_chunks_and_the_catalogue(tmp_path: Path, policy, added, duplicates, renamed):
    """The file imported again in chunks: its works are in the catalogue already."""
    store = Store(tmp_path / "c.db")
    try:
        lines = graph_lines()
        import_stream(store, write(tmp_path, lines[:-1]), chunk=100)  # all but the last work
        before = catalogue(store)[1]
        again = import_stream(store, write(tmp_path, lines, "again.jsonl"), chunk=2, on_duplicate=policy)
        assert (again.added, again.duplicates, again.renamed - 1) == (added, duplicates, renamed - 1)
        assert store.count() == 6 + added
        refs = {w.key: sorted(r.key for r in store.references(w.id)) for w in store.works()}
        if policy == "rename":  # the new copies link among themselves, as the file says
            assert refs["K7"] == ["K1a"] and refs["K1ba"] == ["K1a", "K2a"]
            assert set(catalogue(store)[1]) >= set(before)
        else:  # the works kept are linked; the new one links to the existing works
            assert refs["K7"] == ["K1"] and refs["K6"] == ["Author2000Fifth", "K1b", "K7"]
    finally:
        store.close()


def test_small_fixture_streamed_matches(tmp_path: Path):
    batches = list(open_path(FIXTURES / "small.jsonl", chunk=1).batches)
    whole = jsonl.parse_file(FIXTURES / "small.jsonl")
    assert [w.key for b in batches for w in b.works] == [w.key for w in whole.works]
    assert sorted(c for b in batches for c in b.citations) == sorted(whole.citations)
    assert [str(p) for b in batches for p in b.problems] == [str(p) for p in whole.problems]


def test_not_utf8_is_refused_before_any_chunk(tmp_path: Path):
    path = tmp_path / "bad.jsonl"
    path.write_bytes(("\n".join(graph_lines()[:4]) + "\n").encode() + b'{"title": "caf\xe9"}\n')
    with pytest.raises(FormatError, match=r"bad.jsonl:5: not UTF-8"):
        open_path(path, chunk=1)


def test_a_failing_chunk_keeps_the_ones_before(tmp_path: Path, monkeypatch):
    """Each chunk is its own transaction: an error in the third loses only the third."""
    store = Store(tmp_path / "c.db")
    fail_in_third_chunk(monkeypatch)
    try:
        with pytest.raises(RuntimeError):
            import_stream(store, write(tmp_path, graph_lines()), chunk=2)
        assert sorted(w.key for w in store.works()) == ["K1", "K1b", "K2"]
        assert store._read("PRAGMA foreign_keys")[0][0] == 1
        assert store._read("SELECT count(*) FROM sqlite_master WHERE type = 'trigger' AND tbl_name != 'notes'")[0][0] == 8
        assert [r[0] for r in store._read("PRAGMA integrity_check")] == ["ok"]
        store._read("INSERT INTO works_fts(works_fts) VALUES('integrity-check')")
    finally:
        store.close()


# ---------------------------------------------------------------------------- the read-ahead thread


def _recorded(n: int, log: list[str], fail_at: int | None = None):
    from tui.formats import Batch

    for i in range(n):
        if i == fail_at:
            raise ValueError(f"bad chunk {i}")
        log.append(f"parsed {i}")
        yield Batch(source=str(i))


def test_read_ahead_parses_the_next_batch_only_when_told_or_asked():
    """The next Batch is parsed when the importer says go (its long statement) or waits for it,
    never during the rest of an import (where a parse slowed every executemany)."""
    import threading
    import time

    from tui.formats.readahead import ReadAhead

    log: list[str] = []
    ahead = ReadAhead(_recorded(3, log))
    first = next(ahead)
    assert first.source == "0"
    deadline = time.monotonic() + 0.5
    while time.monotonic() < deadline:  # no go(): batch 1 must not be parsed meanwhile
        assert log == ["parsed 0"]
        threading.Event().wait(0.02)
    ahead.go()
    deadline = time.monotonic() + 5
    while "parsed 1" not in log and time.monotonic() < deadline:
        threading.Event().wait(0.01)
    assert log == ["parsed 0", "parsed 1"]
    assert [b.source for b in ahead] == ["1", "2"]  # without go(): asked for, parsed then
    assert list(ahead) == []


def test_read_ahead_raises_the_readers_error_in_order():
    from tui.formats.readahead import ReadAhead

    log: list[str] = []
    ahead = ReadAhead(_recorded(5, log, fail_at=2))
    assert next(ahead).source == "0"
    assert next(ahead).source == "1"
    with pytest.raises(ValueError, match="bad chunk 2"):
        next(ahead)


def test_an_import_gives_the_reader_its_turn(tmp_path: Path):
    """Store.import_batches calls overlap() once a Batch, before building its full-text index."""
    path = tmp_path / "w.jsonl"
    path.write_text("\n".join(line(f"s{i}", f"Work number {i}") for i in range(7)) + "\n")
    stream = open_path(path, chunk=2)
    assert stream.overlap is not None
    calls: list[int] = []

    def overlap() -> None:
        calls.append(1)
        stream.overlap()

    with Store(tmp_path / "c.db") as store:
        summary = store.import_batches(stream.batches, overlap=overlap)
        assert summary.added == 7 and store.count() == 7
    assert len(calls) == 5  # four chunks and the last Batch of waiting links
