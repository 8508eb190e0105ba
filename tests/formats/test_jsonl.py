"""JSON Lines of works with citation links: a small fixture and the real Turing 1950 graph."""

from __future__ import annotations

import json
from pathlib import Path

import bibtexparser
import pytest

from tests.conftest import require_shared_data
from tui.formats import bibtex, jsonl, parse_path
from tui.formats.bibtex import work_fields
from tui.store import Store

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"


@pytest.fixture(scope="module")
def small():
    return jsonl.parse_file(FIXTURES / "small.jsonl")


def test_small_works(small):
    assert [w.key for w in small.works] == [
        "Turing1950Computing", "Gödel1931ÜberFU", "Doe1951Reply", "Turing1950Computingb"]
    turing, goedel, doe, other = small.works
    assert (turing.title, turing.year, turing.venue, turing.doi) == (
        "Computing Machinery and Intelligence", 1950, "Mind", "10.1000/a1")
    assert turing.abstract == "I propose to consider the question, “Can machines think?”"
    assert turing.keywords == ["Computer Science", "Philosophy"]
    assert turing.fields["volume"] == "LIX" and work_fields(turing)["doi"] == "10.1000/a1"
    # display values from the JSON; the BibTeX keeps its LaTeX for export
    assert goedel.title == "Über formal unentscheidbare Sätze"
    assert [a.name for a in goedel.authors] == ["K. Gödel"]
    assert goedel.fields["title"] == '{\\"U}ber formal unentscheidbare S{\\"a}tze'
    # a bibtex key of "None" gets a made-up key; JSON-only values are exported as escaped BibTeX fields
    assert [a.name for a in doe.authors] == ["J. Doe", "R. Roe"]
    assert doe.abstract == "We disagree: 50% & more."
    assert "abstract" not in doe.fields  # the raw fields hold only what the embedded BibTeX had
    assert work_fields(doe)["abstract"] == r"We disagree: 50\% \& more."
    assert work_fields(doe)["author"] == "Doe, J. and Roe, R."
    assert other.title == "Another paper with the same key"


def test_small_links(small):
    assert sorted(small.citations) == sorted([
        ("Turing1950Computing", "Gödel1931ÜberFU"),
        ("Doe1951Reply", "Turing1950Computing"),       # its self-reference is dropped
        ("Turing1950Computingb", "Turing1950Computing"),
    ])


def test_small_problems_have_lines(small):
    lines = [(p.kind, p.line) for p in small.problems if p.line is not None]
    assert lines == [("refused", 5), ("refused", 6), ("refused", 7), ("renamed", 8)]
    renamed = [p for p in small.problems if p.kind == "renamed"][0]
    assert "'Turing1950Computing' already used at line 1" in renamed.message
    assert "'Turing1950Computingb'" in renamed.message
    unlinked = [p for p in small.problems if "not in the file" in p.message]
    assert len(unlinked) == 1 and unlinked[0].message.startswith("1 references")


def test_small_unlinked_references_are_not_counted_as_refused(small, tmp_path: Path):
    """Three lines were refused; a reference to a work outside the file is not a refused block."""
    store = Store(tmp_path / "c.db")
    try:
        summary = store.import_batch(small)
    finally:
        store.close()
    assert summary.refused == 3


def test_small_imports_with_links(tmp_path: Path, small):
    store = Store(tmp_path / "c.db")
    try:
        summary = store.import_batch(small)
        assert (summary.added, summary.citations, summary.renamed) == (4, 3, 1)
        turing = store.work("Turing1950Computing")
        assert store.citation_counts(turing.id) == (2, 1)
        assert [r.key for r in store.references(turing.id)] == ["Gödel1931ÜberFU"]
        assert sorted(r.key for r in store.citations(turing.id)) == ["Doe1951Reply", "Turing1950Computingb"]
        assert [r.key for r in store.search("godel")] == ["Gödel1931ÜberFU"]
        assert [r.key for r in store.search("keyword:philosophy")] == ["Turing1950Computing"]
    finally:
        store.close()


def test_small_export_round_trip(small):
    library = bibtexparser.parse_string(bibtex.write(small.works))
    assert library.failed_blocks == []
    got = {e.key: {f.key.lower(): f.value for f in e.fields} for e in library.entries}
    assert got == {w.key: work_fields(w) for w in small.works}


def test_empty_and_blank_text():
    batch = jsonl.parse_string("\n\n   \n", "x.jsonl")
    assert batch.works == [] and batch.problems == [] and batch.citations == []


# ---------------------------------------------------------------------------- the Turing graph


@pytest.fixture(scope="module")
def turing_store(tmp_path_factory):
    path = require_shared_data("graph/turing1950/works.jsonl")
    store = Store(tmp_path_factory.mktemp("turing") / "c.db")
    summary = store.import_batch(parse_path(path))
    yield store, summary
    store.close()


def _edges() -> list[tuple[str, str]]:
    path = require_shared_data("graph/turing1950/edges.tsv")
    rows = [line.split("\t") for line in path.read_text().splitlines()[1:] if line.strip()]
    return [(a.strip(), b.strip()) for a, b in rows]


def test_turing_graph_counts(turing_store):
    store, summary = turing_store
    assert store.count() == 1009
    assert summary.added == 1009
    assert summary.citations == len(_edges()) == 1008
    assert summary.renamed == 2  # two different works share a Semantic Scholar key in the file


def test_turing_1950_has_1000_citations_and_its_references(turing_store):
    store, _ = turing_store
    works = [json.loads(line) for line in require_shared_data("graph/turing1950/works.jsonl").read_text().splitlines() if line]
    turing_s2 = next(w["s2_id"] for w in works if w["bibtex"].lstrip().startswith("@Article{Turing1950ComputingMA,"))
    title_of = {w["s2_id"]: " ".join(w["title"].split()) for w in works}
    edges = _edges()
    cited_titles = sorted(title_of[b] for a, b in edges if a == turing_s2)
    citing_count = sum(1 for a, b in edges if b == turing_s2)

    work = store.work("Turing1950ComputingMA")
    assert work.title == "Computing Machinery and Intelligence"
    assert (work.year, work.doi) == (1950, "10.1093/MIND/LIX.236.433")
    assert citing_count == 1000
    assert store.citation_counts(work.id) == (1000, len(cited_titles))
    assert len(cited_titles) >= 5
    assert sorted(r.title for r in store.references(work.id)) == cited_titles
    assert len(store.citations(work.id, limit=5000)) == 1000
    assert store.rows([work.id])[0].cited_by == 1000
    assert store.browse("cited", 0, 1, descending=True)[0].key == "Turing1950ComputingMA"


def test_turing_search(turing_store):
    store, _ = turing_store
    assert "Turing1950ComputingMA" in [r.key for r in store.search("computing machinery intelligence", limit=5)]
    assert store.search_count("author:turing") >= 1
    assert store.search_count("year:1950") >= 1
