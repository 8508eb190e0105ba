"""`ibid state`, `ibid note` and `state:` / `note:` in `ibid search` and `ibid export`."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import assert_one_error_line, ibid, seeded_catalogue, snapshot
from tui.store import Store


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return seeded_catalogue(tmp_path / "catalog.db")


def first_key(db: Path) -> str:
    with Store(db) as store:
        return sorted(w.key for w in store.works())[0]


def test_state_set_print_search_export_undo(db: Path):
    key = first_key(db)
    assert ibid("state", key, "--db", db).output == "none\n"
    result = ibid("state", key, "read", "--db", db)
    assert result.exit_code == 0 and result.output == f"{key}: read\n"
    assert ibid("state", key, "--db", db).output.startswith("read\t")
    found = ibid("search", "state:read", "--db", db)
    assert found.exit_code == 0 and found.output.splitlines()[0].split("\t")[0] == key
    assert len(found.output.splitlines()) == 1
    exported = ibid("export", "state:read", "--db", db).output
    assert exported.count("@") == 1 and "readstatus = {read}" in exported
    assert ibid("search", "state:none", "--db", db).output.count("\n") == 4
    assert "Undid the reading state of" in ibid("undo", "--db", db).output
    assert ibid("state", key, "--db", db).output == "none\n"


def test_a_misspelt_state_is_one_line_and_changes_nothing(db: Path):
    key = first_key(db)
    before = snapshot(db)
    line = assert_one_error_line(ibid("state", key, "raed", "--db", db))
    assert "toread, reading, read or none" in line
    assert snapshot(db) == before
    result = ibid("search", "state:raed", "--db", db)
    assert "No works found." in result.output and "state: takes toread" in result.stderr


def test_note_set_print_stdin_search_export(db: Path):
    key = first_key(db)
    assert ibid("note", key, "--db", db).exit_code == 1
    assert ibid("note", key, "--set", "# Heading\n\nzyxwv point", "--db", db).exit_code == 0
    assert ibid("note", key, "--db", db).output == "# Heading\n\nzyxwv point\n"
    assert ibid("search", "note:zyxwv", "--db", db).output.split("\t")[0] == key
    assert ibid("search", "zyxwv", "--db", db).output.split("\t")[0] == key  # plain words find notes
    out = ibid("export", "zyxwv", "--db", db).output
    assert "annote = {# Heading" in out
    result = CliStdin("from stdin \x1b[31m\n").run("note", key, "--set", "-", "--db", db)
    assert result.exit_code == 0
    printed = ibid("note", key, "--db", db).output
    assert "\x1b" not in printed and "␛[31m" in printed  # escape bytes shown, never sent
    assert ibid("note", key, "--set", "", "--db", db).output == f"{key} has no note now\n"


class CliStdin:
    def __init__(self, text: str) -> None:
        self.text = text

    def run(self, *args):
        from click.testing import CliRunner

        from tui.cli import main

        return CliRunner().invoke(main, [str(a) for a in args], input=self.text)


def test_note_edit_in_editor(db: Path, tmp_path: Path):
    key = first_key(db)
    editor = tmp_path / "editor.sh"
    editor.write_text("#!/bin/sh\nprintf 'written in the *editor*\\n' > \"$1\"\n")
    editor.chmod(0o755)
    result = ibid("note", key, "--edit", "--db", db, env={"EDITOR": str(editor), "VISUAL": str(editor)})
    assert result.exit_code == 0, result.output
    assert ibid("note", key, "--db", db).output == "written in the *editor*\n"
    shown = json.loads(ibid("show", key, "--format", "json", "--db", db).output)
    assert shown["note"] == "written in the *editor*\n" and shown["reading"] is None


def test_note_edit_of_a_work_deleted_meanwhile_keeps_the_text(db: Path, tmp_path: Path):
    key = first_key(db)
    editor = tmp_path / "editor.sh"
    # the editor's user writes; meanwhile another process deletes the work
    editor.write_text(f"#!/bin/sh\nprintf 'precious words' > \"$1\"\n"
                      f"sqlite3 '{db}' 'PRAGMA foreign_keys=ON; DELETE FROM works WHERE key = \"{key}\"' "
                      f"|| python3 -c \"import sqlite3; c = sqlite3.connect('{db}'); "
                      f"c.execute('DELETE FROM works WHERE key = ?', ('{key}',)); c.commit()\"\n")
    editor.chmod(0o755)
    result = ibid("note", key, "--edit", "--db", db, env={"EDITOR": str(editor), "VISUAL": str(editor)})
    line = assert_one_error_line(result)
    assert "no longer in the catalogue" in line and "your text is kept in" in line
    kept = Path(line.rsplit("kept in ", 1)[1])
    assert kept.read_text() == "precious words"
    kept.unlink()


def test_note_too_big_and_read_only(db: Path, tmp_path: Path):
    key = first_key(db)
    big = tmp_path / "big.md"
    big.write_text("x" * (10 * 1024 * 1024 + 1))
    before = snapshot(db)
    result = CliStdin(big.read_text()).run("note", key, "--set", "-", "--db", db)
    assert result.exit_code == 1 and "at most 10 MB" in result.stderr
    assert snapshot(db) == before
    line = assert_one_error_line(ibid("note", key, "--set", "x", "--read-only", "--db", db))
    assert "read-only" in line
    line = assert_one_error_line(ibid("state", key, "read", "--read-only", "--db", db))
    assert "read-only" in line
