"""The installed ibid in a real terminal (tmux): a work marked read with `t`, a note written with
`N` and saved with ctrl+s; then the command line finds both (`ibid note`, `state:read`)."""

from __future__ import annotations

import json
import subprocess

from tests.e2e.conftest import import_into, record_loaded, search, tmux_env, wait_for

BIB = r"""
@book{knuth1984,
  author = {Knuth, Donald E.},
  title = {The TeXbook},
  year = {1984},
  publisher = {Addison-Wesley},
}
@article{lamport1986,
  author = {Lamport, Leslie},
  title = {LaTeX: A Document Preparation System},
  year = {1986},
}
"""


def run(ibid: str, db, *args: str, cwd) -> subprocess.CompletedProcess:
    return subprocess.run([ibid, *args, "--db", str(db)], cwd=cwd, env=tmux_env(), capture_output=True,
                          text=True, timeout=60)


def test_t_marks_read_and_n_writes_a_note_the_command_line_then_finds(start_ibid, ibid, tmp_path):
    bib = tmp_path / "lib.bib"
    bib.write_text(BIB)
    db = tmp_path / "lib.db"
    import_into(ibid, db, bib, cwd=tmp_path)
    pane = start_ibid(db)
    wait_for(pane, "2 works", what="the catalogue")
    search(pane, "texbook")
    wait_for(pane, record_loaded("The TeXbook"))
    for state in ("to read", "reading", "read"):  # none -> to read -> reading -> read
        pane.keys("t")
        wait_for(pane, f"Reading state: {state}", what=f"the state said: {state}")
    pane.keys("N")
    wait_for(pane, "ctrl+s", what="the note editor")
    pane.type("Chapter 8 on boxes and glue is the one to reread.")
    wait_for(pane, "the one to reread.", what="the note typed")  # (as a person: saved once it is all there)
    pane.keys("C-s")
    wait_for(pane, "boxes and glue", what="the note on the record page")
    pane.keys("q")
    wait_for(pane, "EXIT=0", what="ibid to quit")

    note = run(ibid, db, "note", "knuth1984", cwd=tmp_path)
    assert note.returncode == 0, note.stderr
    assert note.stdout.strip() == "Chapter 8 on boxes and glue is the one to reread."
    found = run(ibid, db, "search", "state:read", "--json", cwd=tmp_path)
    assert found.returncode == 0, found.stderr
    assert [w["key"] for w in json.loads(found.stdout)] == ["knuth1984"]
    found = run(ibid, db, "search", "note:glue", "--json", cwd=tmp_path)
    assert [w["key"] for w in json.loads(found.stdout)] == ["knuth1984"]
