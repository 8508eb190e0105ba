"""Real mess: every file in ../shared/data imports or is refused with one clear line.

Each file goes through `ibid import` (in process) into a new catalogue, then again: the
second run must add nothing and change nothing (the default keeps the existing work), and
report each duplicate key with file:line. bench/ is left to test_faults (kill -9 mid-import).
Then the duplicate-key policies, on hand-made clashes and on a real file.
"""

from __future__ import annotations

import os
import re
import shutil
import sqlite3
import tempfile
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from tests.conftest import SHARED_DATA, require_shared_data
from tui.cli import main
from tui.store import Store

from .conftest import FIXTURES, snapshot

HOSTILE = FIXTURES / "hostile"
SUMMARY = re.compile(r": (\d+) added, (\d+) updated, (\d+) duplicates, (\d+) renamed, (\d+) refused;")


def _real_files() -> list:
    if not SHARED_DATA.exists():
        return [None]
    return sorted(p for p in SHARED_DATA.rglob("*") if p.is_file() and p.relative_to(SHARED_DATA).parts[0] != "bench")


def _id(path) -> str:
    return str(path.relative_to(SHARED_DATA)) if path else "no-shared-data"


def ibid(*args) -> Result:
    return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=True)


def assert_no_traceback(result: Result) -> None:
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    assert "Traceback" not in result.output


def count(db: Path) -> int:
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        return conn.execute("SELECT count(*) FROM works").fetchone()[0]
    finally:
        conn.close()


def summary(result: Result) -> dict[str, int]:
    m = SUMMARY.search(result.stdout)
    assert m, result.output
    return dict(zip(("added", "updated", "duplicates", "renamed", "refused"), map(int, m.groups())))


def problem_lines(result: Result, path: Path) -> list[str]:
    """The problems listed on stderr; each names the file, and (but for `unlinked`) the line."""
    lines = [ln for ln in result.stderr.splitlines() if not ln.startswith("  ... and ")]
    for ln in lines:
        kind, _, rest = ln.strip().partition(": ")
        assert kind in ("refused", "mended", "duplicate", "renamed", "unlinked", "encoding", "possible duplicate"), ln
        assert rest.startswith(str(path)), ln
        if kind not in ("unlinked", "encoding"):  # (the file's encoding is said of the whole file)
            assert re.match(re.escape(str(path)) + r":\d+: ", rest), f"no file:line in {ln!r}"
    return lines


@pytest.fixture(scope="module")
def template(tmp_path_factory) -> Path:
    """An empty catalogue, copied for each case (making one costs more than copying it)."""
    path = tmp_path_factory.mktemp("template") / "catalog.db"
    Store(path).close()
    return path


@pytest.fixture
def scratch(tmp_path: Path):
    """A folder for one case's catalogue: in RAM when /dev/shm allows (1,800 fsynced imports
    on disk take minutes; the SQLite code run is the same)."""
    shm = Path("/dev/shm")
    if not (shm.is_dir() and os.access(shm, os.W_OK)):
        yield tmp_path
        return
    folder = Path(tempfile.mkdtemp(prefix="ibid-hostile-", dir=shm))
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


@pytest.mark.parametrize("path", _real_files(), ids=_id)
def test_real_file_imports_or_is_refused_clearly(path, template: Path, scratch: Path, cases):
    if path is None:
        require_shared_data()
    db = scratch / "catalog.db"
    shutil.copy(template, db)
    first = ibid("import", "--db", db, path)
    assert_no_traceback(first)
    if first.exit_code != 0:
        lines = first.stderr.splitlines()
        assert len(lines) == 1 and lines[0].startswith(f"ibid: {path}"), first.stderr
        assert count(db) == 0  # refused whole: nothing half-written
        return
    s = summary(first)
    problem_lines(first, path)
    assert count(db) == s["added"]
    if not s["added"]:
        return
    before = snapshot(db)
    again = ibid("import", "--db", db, path)
    assert_no_traceback(again)
    assert again.exit_code == 0, again.output
    s2 = summary(again)
    assert (s2["added"], s2["updated"]) == (0, 0)
    assert s2["duplicates"] >= s["added"]
    assert snapshot(db) == before  # the default keeps the existing works, untouched
    listed = problem_lines(again, path)
    # each key already there is reported with file:line (unless the 20 lines listed are full)
    assert any("already in the catalogue" in ln for ln in listed) or len(listed) == 20, again.stderr


# ---------------------------------------------------------------------------- duplicate keys


@pytest.fixture
def dup_db(tmp_path: Path) -> Path:
    db = tmp_path / "catalog.db"
    result = ibid("import", "--db", db, HOSTILE / "dupkeys.bib")
    assert result.exit_code == 0, result.output
    return db


def test_duplicate_key_and_broken_block_in_one_file_are_reported_with_lines(dup_db: Path):
    result = ibid("import", "--db", dup_db, HOSTILE / "dupkeys.bib")  # shown again on a rerun
    path = HOSTILE / "dupkeys.bib"
    out = ibid("import", "--db", dup_db.with_name("other.db"), path)
    assert summary(out) == {"added": 2, "updated": 0, "duplicates": 1, "renamed": 0, "refused": 1}
    assert f"{path}:9: duplicate key 'Same2020' (first at line 3); kept the first" in out.stderr
    assert f"{path}:15: refused block '@article{{Broken,'" in out.stderr
    # the rerun: every key already there, each reported at its own line
    assert f"{path}:3: key 'Same2020' already in the catalogue; kept the existing work" in result.stderr
    assert f"{path}:19: key 'Fine2001' already in the catalogue; kept the existing work" in result.stderr


def _fine(db: Path) -> dict:
    store = Store(db, read_only=True)
    try:
        w = store.work("Fine2001")
        return {"id": w.id, "title": w.title, "authors": [a.name for a in w.authors], "year": w.year}
    finally:
        store.close()


def test_default_policy_keeps_the_existing_work_and_says_where(dup_db: Path, cases):
    before, kept = snapshot(dup_db), _fine(dup_db)
    path = HOSTILE / "clash.bib"
    for args in ([], ["--on-duplicate", "skip"]):
        cases()
        result = ibid("import", "--db", dup_db, *args, path)
        assert result.exit_code == 0 and summary(result)["duplicates"] == 1
        assert f"duplicate: {path}:3: key 'Fine2001' already in the catalogue; kept the existing work" in result.stderr
    assert snapshot(dup_db) == before and _fine(dup_db) == kept


def test_rename_policy_adds_the_other_work_under_a_suffix(dup_db: Path):
    kept = _fine(dup_db)
    path = HOSTILE / "clash.bib"
    result = ibid("import", "--db", dup_db, "--on-duplicate", "rename", path)
    assert summary(result)["added"] == 1 and summary(result)["renamed"] == 1
    assert f"renamed: {path}:3: key 'Fine2001' already in the catalogue; imported as 'Fine2001a'" in result.stderr
    assert _fine(dup_db) == kept  # never merged: the first work is exactly as it was
    store = Store(dup_db, read_only=True)
    other = store.work("Fine2001a")
    assert (other.title, [a.name for a in other.authors], other.year) == (
        "Not the fine work: another one under its key", ["Gus Gamma"], 2011)
    store.close()
    again = ibid("import", "--db", dup_db, "--on-duplicate", "rename", path)
    assert "imported as 'Fine2001b'" in again.stderr


def test_update_policy_replaces_the_work_whole_never_a_mixture(dup_db: Path):
    kept = _fine(dup_db)
    result = ibid("import", "--db", dup_db, "--on-duplicate", "update", HOSTILE / "clash.bib")
    assert summary(result)["updated"] == 1 and summary(result)["added"] == 0
    now = _fine(dup_db)
    assert now == {"id": kept["id"], "title": "Not the fine work: another one under its key",
                   "authors": ["Gus Gamma"], "year": 2011}


def test_unknown_policy_is_one_line(dup_db: Path):
    result = ibid("import", "--db", dup_db, "--on-duplicate", "merge", HOSTILE / "clash.bib")
    assert_no_traceback(result)
    assert result.exit_code == 1 and len(result.stderr.splitlines()) == 1 and "--on-duplicate" in result.stderr


@pytest.mark.parametrize("policy", ["skip", "rename", "update"])
def test_policies_on_a_real_file(policy: str, tmp_path: Path):
    path = require_shared_data("bib/biblatex/biblatex-examples.bib")
    db = tmp_path / "catalog.db"
    first = ibid("import", "--db", db, path)
    n = summary(first)["added"]
    assert n > 80
    before, had = snapshot(db), count(db)
    assert had == n  # a new catalogue: the file's works only
    result = ibid("import", "--db", db, "--on-duplicate", policy, path)
    assert result.exit_code == 0
    s = summary(result)
    lines = [ln for ln in problem_lines(result, path) if "already in the catalogue" in ln]
    assert len(lines) == (0 if policy == "update" else 20)  # the first 20 listed, each with file:line
    if policy == "skip":
        assert s["duplicates"] == n and snapshot(db) == before
    elif policy == "rename":
        assert s["renamed"] == n and count(db) == had + n
        originals = {r[1]: r for r in before["works"]}
        after = {r[1]: r for r in snapshot(db)["works"]}
        assert all(after[k] == originals[k] for k in originals)  # the first copies untouched
    else:
        assert s["updated"] == n and count(db) == had


def test_rename_also_keeps_a_second_work_under_a_key_used_twice_in_one_file(tmp_path: Path):
    path = HOSTILE / "dupkeys.bib"
    db = tmp_path / "catalog.db"
    result = ibid("import", "--db", db, "--on-duplicate", "rename", path)
    assert summary(result) == {"added": 3, "updated": 0, "duplicates": 0, "renamed": 1, "refused": 1}
    assert (f"renamed: {path}:9: key 'Same2020' used twice in the file (first at line 3); "
            "this work imported as 'Same2020a'") in result.stderr
    store = Store(db, read_only=True)
    first, second = store.work("Same2020"), store.work("Same2020a")
    store.close()
    assert (first.title, [a.name for a in first.authors], first.type) == (
        "The first work called Same2020", ["Ann Alpha"], "article")
    assert (second.title, [a.name for a in second.authors], second.type, second.year) == (
        "A different work with the same key", ["Bob Beta"], "book", 1999)


def test_a_real_file_that_drops_entries_by_key_keeps_them_all_with_rename(tmp_path: Path):
    """Better BibTeX issue #873, "Some bibtex entries quietly discarded on import": 14 keys
    used twice. The default keeps the first of each and says so; rename keeps all."""
    path = require_shared_data("zotero-bbt/import/Some bibtex entries quietly discarded on import from bib file #873.bib")
    skip = ibid("import", "--db", tmp_path / "skip.db", path)
    s = summary(skip)
    assert s["duplicates"] == 14 and len([ln for ln in skip.stderr.splitlines() if "duplicate key" in ln]) == 14
    renamed = ibid("import", "--db", tmp_path / "rename.db", "--on-duplicate", "rename", path)
    r = summary(renamed)
    assert (r["added"], r["duplicates"], r["renamed"]) == (s["added"] + 14, 0, 14)
    assert all(re.search(re.escape(str(path)) + r":\d+: key '.+' used twice in the file \(first at line \d+\); "
                         r"this work imported as '.+'", ln)
               for ln in renamed.stderr.splitlines() if ln.startswith("  renamed"))
    # the first of each pair is the same work in both catalogues: the rename added, never merged
    a, b = snapshot(tmp_path / "skip.db"), snapshot(tmp_path / "rename.db")
    by_key_a = {r[1]: r[3] for r in a["works"]}
    by_key_b = {r[1]: r[3] for r in b["works"]}
    assert all(by_key_b[k] == t for k, t in by_key_a.items())
