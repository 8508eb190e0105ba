"""Shared fixtures: a fresh catalogue, and the real data beside the repository (skipped when absent);
and the helpers more than one test module uses (the command line in process, JSON Lines
graphs, the full-text index's soundness), so that no test module imports another."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

import tui.store as store_module
from tui.cli import main
from tui.store import Store

REPO = Path(__file__).resolve().parents[1]
# Real third-party files live beside the repository and are never copied into it.
SHARED_DATA = (REPO / ".." / "shared" / "data").resolve()


def require_shared_data(relative: str | Path = "") -> Path:
    """A path under ../shared/data (relative to it, or already joined to it), or skip the test
    with the reason when it is absent. The one guard for real data: every test module uses it."""
    path = SHARED_DATA / relative if relative else SHARED_DATA
    if not path.exists():
        pytest.skip(f"../shared/data not present: {path} does not exist (real-data tests need it)")
    return path


@pytest.fixture(autouse=True)
def no_user_config(tmp_path_factory, monkeypatch):
    """Tests never read the user's own config file (their resolver, their citation style)."""
    monkeypatch.setenv("IBID_CONFIG", str(tmp_path_factory.mktemp("config") / "config.toml"))


@pytest.fixture
def shared_data() -> Path:
    """The root of ../shared/data (skips when absent)."""
    return require_shared_data()


@pytest.fixture
def fresh_db(tmp_path: Path):
    """An empty catalogue (no seeds) in a temporary folder."""
    store = Store(tmp_path / "catalog.db")
    try:
        yield store
    finally:
        store.close()


def seeded_catalogue(path: Path) -> Path:
    """A catalogue at `path` built from seeds/, as `ibid` builds its default one on first run
    (only that one: a catalogue any other way creates starts empty)."""
    from tui.seeds import seed

    with Store(path) as store:
        assert seed(store) == 5
    return path


@pytest.fixture
def seeded_db(tmp_path: Path) -> Path:
    """A catalogue holding the seed record page's five works, in a temporary folder."""
    return seeded_catalogue(tmp_path / "catalog.db")


# ---------------------------------------------------------------- the command line, in process

def ibid(*args: str, env: dict | None = None) -> Result:
    return CliRunner().invoke(main, [str(a) for a in args], env=env, catch_exceptions=True)


def snapshot(db: Path):
    """Everything a user could lose, read without touching the file; None when it does not exist."""
    if not db.exists():
        return None
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        return [conn.execute(f"SELECT * FROM {t} ORDER BY 1, 2").fetchall()
                for t in ("works", "authors", "work_authors", "citations", "similar_links", "keywords", "events")]
    finally:
        conn.close()


def assert_no_traceback(result: Result) -> None:
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    assert "Traceback" not in result.output


def assert_one_error_line(result: Result) -> str:
    """Failed: non-zero exit, exactly one line on stderr starting `ibid:`, no traceback."""
    assert_no_traceback(result)
    assert result.exit_code != 0, result.output
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("ibid: ") and len(lines[0]) > len("ibid: ")
    return lines[0]


# ---------------------------------------------------------------- JSON Lines graphs, imported in chunks

def line(s2: str, title: str, refs: list[str] = (), key: str | None = None, author: str = "A. Author",
         year: int = 2000) -> str:
    obj = {"s2_id": s2, "title": title, "authors": [author], "year": year, "references": list(refs)}
    if key:
        obj["bibtex"] = f"@article{{{key},\n title = {{{title}}}\n}}\n"
    return json.dumps(obj)


def graph_lines() -> list[str]:
    """Links backwards and forwards over chunk boundaries (chunks of 2 lines), a bad line,
    a key used twice in different chunks, a reference out of the file, a self-reference."""
    return [
        line("s1", "First work", ["s5"], key="K1"),          # forward, three chunks on
        line("s2", "Second work", ["s1"], key="K2"),
        "not json",
        line("s3", "Third work", ["s1", "s2", "zz"], key="K1"),  # key K1 again: renamed K1b
        line("s4", "Fourth work", ["s3", "s4"], key="K4"),  # links the renamed one; itself: dropped
        line("s5", "Fifth work", ["s4", "s1"]),              # no bibtex: a key made from the JSON
        "",
        line("s6", "Sixth work", ["s3", "s5", "s7"], key="K6"),  # s7 is the next line, next chunk
        line("s7", "Seventh work", ["s1"], key="K7"),
    ]


def write(tmp_path: Path, lines: list[str], name: str = "g.jsonl") -> Path:
    path = tmp_path / name
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def fail_in_third_chunk(monkeypatch) -> None:
    """Store._insert_new raises "disk on fire" the third time it is called (the third chunk)."""
    calls = {"n": 0}
    real = Store._insert_new

    def failing(self, conn, new_works, cache):
        calls["n"] += 1
        if calls["n"] == 3:
            raise RuntimeError("disk on fire")
        return real(self, conn, new_works, cache)

    monkeypatch.setattr(Store, "_insert_new", failing)


# ---------------------------------------------------------------- the full-text index and upkeep after an import

def sound(store: Store) -> None:
    """Every index back, nothing left to do, SQLite's and FTS5's checks pass, each count is its links."""
    assert store._read("SELECT count(*) FROM upkeep")[0][0] == 0
    names = {r[0] for r in store._read("SELECT name FROM sqlite_master WHERE type = 'index'")}
    assert set(store_module.importing._BULK_INDEXES) <= names
    assert [r[0] for r in store._read("PRAGMA integrity_check")] == ["ok"]
    store._read("INSERT INTO works_fts(works_fts, rank) VALUES ('integrity-check', 1)")
    wrong = store._read("SELECT work_id FROM citation_counts c WHERE cited_by != "
                        "(SELECT count(*) FROM citations WHERE cited_id = c.work_id)")
    assert wrong == []
    assert not Path(f"{store.path}-import").exists()
    assert merging(store) == store_module.index._FTS_MERGING


def merging(store: Store) -> dict[str, int]:
    """FTS5's merge settings, as it keeps them in the catalogue (its defaults when not set)."""
    kept = dict(store._read("SELECT k, v FROM works_fts_config WHERE k IN ('automerge', 'crisismerge')"))
    return {"automerge": kept.get("automerge", 4), "crisismerge": kept.get("crisismerge", 16)}
