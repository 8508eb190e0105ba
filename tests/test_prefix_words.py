"""The first page of a search spells a typed prefix of 4+ letters out as the index's words it
begins (Store._spelled_out): the same works as FTS5's own prefix query, in the same order,
whatever the catalogue became since the words were looked up."""

from __future__ import annotations

from pathlib import Path

import pytest

import tui.store as store_module
from tui.formats import Batch
from tui.models import Author, Work
from tui.query import parse
from tui.store import Store

TITLES = ["A model of models", "Modern times", "The mode of being", "Modest proposals", "Moderation in all",
          "Modal logic", "Network models", "Mode and modality", "Théorie des modèles", "Unrelated work"]


def as_fts5_would(store: Store, text: str, limit: int = 100) -> list[int]:
    """The first page through FTS5's own prefix query (what search_newest did before)."""
    sql, params = store._search_sql(parse(text), "w.id", "newest")
    return [r[0] for r in store._read(sql + " LIMIT ?", (*params, limit))]


@pytest.fixture
def store(tmp_path: Path):
    s = Store(tmp_path / "c.db")
    s.import_batch(Batch(works=[
        Work(key=f"W{i}", title=t, authors=[Author("Mo Modesto" if i % 2 else "Ann Network")], year=2000 + i,
             abstract=f"On {t.lower()} and modelling.", keywords=["modes"] if i % 3 == 0 else [])
        for i, t in enumerate(TITLES)]))
    try:
        yield s
    finally:
        s.close()


SEARCHES = ["mode", "model", "models", "moder", "modes", "modest", "modell", "modal", "mo", "mod",
            "title:mode", "author:mode", "keywords:mode", "network mode", "mode network", '"a model" mode',
            "year:2003..2008 mode", "modality", "mode ", "modèle", "théo", "zzzz", "unre"]


@pytest.mark.parametrize("text", SEARCHES)
def test_the_same_first_page_as_fts5s_prefix_query(store: Store, text: str):
    assert store.search_newest(text) == as_fts5_would(store, text)


def test_a_prefix_is_spelled_out_as_the_index_words_it_begins(store: Store):
    mode = ('("mode" OR "model" OR "modeles" OR "modelling" OR "models" OR "moderation" OR "modern" '
            'OR "modes" OR "modest" OR "modesto")')  # "modèles" is in the index folded, "modeles"
    assert store._spelled_out(parse("mode")).match == mode
    assert store._spelled_out(parse("network mode")).match == '"network" AND ' + mode
    assert store._spelled_out(parse("title:mode")).match == "title : " + mode  # (words of any column)
    assert store._spelled_out(parse("model")).match == '("model" OR "modeles" OR "modelling" OR "models")'
    for text in ("mod", "mode ", "modèle", "zzzz", '"mode"'):  # 3 letters, not typed, not ASCII, no words, quoted
        assert store._spelled_out(parse(text)).match == parse(text).match


def test_too_many_words_leave_the_prefix_to_fts5(store: Store, monkeypatch):
    monkeypatch.setattr(store_module.words, "PREFIX_WORDS_MAX", 3)
    assert store._spelled_out(parse("mode")).match == parse("mode").match
    assert store._spelled_out(parse("model")).match == parse("model").match  # 4 words: too many as well
    monkeypatch.setattr(store_module.words, "PREFIX_WORDS_MAX", 4)
    assert store._spelled_out(parse("model")).match == '("model" OR "modeles" OR "modelling" OR "models")'
    assert store.search_newest("mode") == as_fts5_would(store, "mode")


def test_words_new_since_the_lookup_are_found(store: Store, tmp_path: Path):
    assert store.search_newest("mode")  # the words of "mode" remembered
    store.add_work(Work(key="N1", title="Modernity and its discontents"))
    assert store.search_newest("moder") == as_fts5_would(store, "moder")
    assert store.work_by_id(store.search_newest("modernity")[0]).key == "N1"
    # an edit: its new words reach the index in the catch-up before the search
    work = store.work("W9")
    work.title = "Modelisation at last"
    store.update_work(work.id, work)
    assert "W9" in [store.work_by_id(i).key for i in store.search_newest("modeli")]
    # another process's import (this store's connection sees PRAGMA data_version move)
    with Store(store.path) as other:
        other.import_batch(Batch(works=[Work(key="N2", title="Modelled worlds")]))
    assert "N2" in [store.work_by_id(i).key for i in store.search_newest("model")]
    assert store.search_newest("model") == as_fts5_would(store, "model")


def test_real_bibliography_every_prefix_the_same(tmp_path: Path):
    """TUGboat's bibliography (../shared/data): for every prefix of 4 to 7 letters of the
    titles' words, the first page is the one FTS5's prefix query gives."""
    import re

    from tests.conftest import require_shared_data
    from tui.formats import parse_path

    with Store(tmp_path / "real.db") as store:
        store.import_batch(parse_path(require_shared_data("bib/tugboat.bib")))
        words = sorted({w for r in store._read("SELECT title FROM works") for w in re.findall(r"[a-z]+", r[0].lower())})
        prefixes = sorted({w[:k] for w in words for k in range(4, 8) if len(w) >= k})
        assert len(prefixes) > 1000
        spelled = 0
        for p in prefixes:
            assert store.search_newest(p, limit=50) == as_fts5_would(store, p, 50), p
            spelled += store._spelled_out(parse(p)).match != parse(p).match
        assert spelled > len(prefixes) // 2  # most were spelled out, the rest left to FTS5


def vocabulary_reads(store: Store) -> list[str]:
    """The statements that read the index's vocabulary, on this thread's connection, from now."""
    seen: list[str] = []
    store.conn.set_trace_callback(lambda sql: seen.append(sql) if "works_vocab" in sql else None)
    return seen


def test_a_prefetched_3_letter_word_spells_out_the_4th_without_reading_the_vocabulary(store: Store):
    cold = {p: store._spelled_out(parse(p)).match for p in ("mode", "modern", "moda")}
    store._words = (None, {})  # forget
    reads = vocabulary_reads(store)
    store.prefetch_words("year:2000..2030 mod")
    assert len(reads) == 1 and "mod" in store._words[1]
    assert {p: store._spelled_out(parse(p)).match for p in ("mode", "modern", "moda")} == cold
    assert len(reads) == 1  # the 4th letter and on: filtered from the prefetched words
    for p in ("mode", "modern"):
        assert store.search_newest(p) == as_fts5_would(store, p)
    # not for other lengths, nor for a word that is not ASCII
    for text in ("mo", "mode", "mød", ""):
        store.prefetch_words(text)
    assert len(reads) == 1
    # a word new since: the index changed, so the words are read again
    store.add_work(Work(key="N3", title="Modular forms"))
    assert "N3" in [store.work_by_id(i).key for i in store.search_newest("modu")]
    assert len(reads) == 2


def test_the_words_read_on_one_thread_serve_every_thread(store: Store):
    import threading

    store._spelled_out(parse("netw"))  # read here: remembered for the store, not the thread
    reads: list[list[str]] = []
    pages: list[list[int]] = []

    def other() -> None:
        reads.append(vocabulary_reads(store))
        pages.append(store.search_newest("network"))

    thread = threading.Thread(target=other)
    thread.start()
    thread.join()
    assert reads == [[]] and pages[0] == as_fts5_would(store, "network")
