"""Kept exports (issue 21): `ibid export --to FILE --keep`, rewritten by every command that
changes what FILE holds, atomically and only when its content changes."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

from tests.conftest import ibid

BIB = """@book{knuth:tb, author = {Donald E. Knuth}, title = {The {\\TeX}book}, year = 1984, publisher = {Addison-Wesley}}
@book{knuth:mf, author = {Donald E. Knuth}, title = {The {METAFONT}book}, year = 1986, publisher = {Addison-Wesley}}
@article{turing, author = {Alan Turing}, title = {Computing Machinery and Intelligence}, year = 1950, journal = {Mind}}
"""


@pytest.fixture
def kept(tmp_path) -> tuple[Path, Path]:
    db, bib, out = tmp_path / "lib.db", tmp_path / "lib.bib", tmp_path / "paper" / "refs.bib"
    bib.write_text(BIB)
    out.parent.mkdir()
    assert ibid("import", "--db", db, bib).exit_code == 0
    result = ibid("export", "knuth", "--db", db, "--to", out, "--keep")
    assert result.exit_code == 0, result.stderr
    return db, out


def keys(path: Path) -> list[str]:
    return [line.split("{", 1)[1].rstrip(",") for line in path.read_text().splitlines() if line.startswith("@")]


def test_the_file_holds_the_query_sorted_and_is_listed(kept):
    db, out = kept
    assert keys(out) == ["knuth:mf", "knuth:tb"]
    listing = ibid("exports", "--db", db).stdout
    assert str(out) in listing and "query 'knuth'" in listing and "written 20" in listing


def test_rewritten_after_import_edit_and_undo_not_after_a_change_it_does_not_hold(kept, tmp_path):
    db, out = kept
    more = tmp_path / "more.bib"
    more.write_text("@book{knuth:ct, author = {Donald E. Knuth}, title = {Computers and Typesetting}, year = 1986}\n")
    assert ibid("import", "--db", db, more).exit_code == 0
    assert keys(out) == ["knuth:ct", "knuth:mf", "knuth:tb"]
    editor = tmp_path / "editor.py"
    editor.write_text("import sys, pathlib\np = pathlib.Path(sys.argv[1])\n"
                      "p.write_text(p.read_text().replace('Computers and Typesetting', 'Computers and Typesetting, Volume A'))\n")
    result = ibid("edit", "--db", db, "knuth:ct", env={"EDITOR": f"{sys.executable} {editor}", "VISUAL": ""})
    assert result.exit_code == 0, result.output
    assert "Volume A" in out.read_text()
    os.utime(out, (1_000_000_000, 1_000_000_000))
    assert ibid("cite", "--db", db, "turing", "knuth:tb").exit_code == 0  # links are not in BibTeX
    other = tmp_path / "other.bib"
    other.write_text("@article{shannon, author = {Claude Shannon}, title = {A Mathematical Theory}, year = 1948}\n")
    assert ibid("import", "--db", db, other).exit_code == 0  # not a Knuth: not in the file
    assert out.stat().st_mtime == 1_000_000_000  # untouched
    assert ibid("undo", "--db", db).exit_code == 0  # the cite
    assert ibid("undo", "--db", db).exit_code == 0  # the edit
    assert "Volume A" not in out.read_text() and out.stat().st_mtime != 1_000_000_000


def test_a_folder_gone_is_said_and_the_next_change_tries_again(kept, tmp_path):
    db, out = kept
    out.unlink()
    out.parent.rmdir()
    more = tmp_path / "more.bib"
    more.write_text("@book{knuth:ct, author = {Donald E. Knuth}, title = {Computers and Typesetting}, year = 1986}\n")
    result = ibid("import", "--db", db, more)
    assert result.exit_code == 0 and "kept export" in result.stderr and "cannot write" in result.stderr
    assert "FAILED" in ibid("exports", "--db", db).stdout
    out.parent.mkdir()
    assert ibid("cite", "--db", db, "turing", "knuth:ct").exit_code == 0
    assert keys(out) == ["knuth:ct", "knuth:mf", "knuth:tb"] and "FAILED" not in ibid("exports", "--db", db).stdout


def test_removing_and_bad_requests(kept, tmp_path):
    db, out = kept
    assert ibid("export", "--db", db, "--keep").exit_code == 1  # --keep without --to
    assert ibid("export", "--db", db, "--to", tmp_path / "nowhere" / "x.bib").exit_code == 1
    again = ibid("export", "knuth", "--db", db, "--to", out, "--keep", "--format", "ris")
    assert again.exit_code == 0 and "replaces the kept export" in again.stderr
    assert ibid("exports", "--db", db, "--remove", out).exit_code == 0
    assert "No kept exports" in ibid("exports", "--db", db).stdout
    assert ibid("exports", "--db", db, "--remove", out).exit_code == 1
