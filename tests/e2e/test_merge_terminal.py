"""The installed ibid in a real terminal (tmux): `M` merges the work shown into another, and
the old key then finds the kept work on the command line (`ibid show OLDKEY`)."""

from __future__ import annotations

import subprocess

from tests.e2e.conftest import import_into, record_loaded, search, tmux_env, wait_for

BIB = r"""
@book{knuth1984,
  author = {Knuth, Donald E.},
  title = {The TeXbook},
  year = {1984},
  publisher = {Addison-Wesley},
}
@book{texbook84,
  author = {Knuth, Donald Ervin},
  title = {The TeXbook, second printing},
  year = {1984},
  doi = {10.1000/texbook},
}
@article{citer,
  author = {Other, Anne},
  title = {On typesetting},
  year = {1990},
}
"""


def test_m_merges_the_work_shown_and_its_key_finds_the_kept_one(start_ibid, ibid, tmp_path):
    bib = tmp_path / "dups.bib"
    bib.write_text(BIB)
    db = tmp_path / "lib.db"
    import_into(ibid, db, bib, cwd=tmp_path)
    pane = start_ibid(db)
    wait_for(pane, "3 works", what="the catalogue")
    search(pane, "printing")
    wait_for(pane, record_loaded("The TeXbook, second printing"))
    pane.keys("M")
    wait_for(pane, "the work to keep", what="the picker")
    pane.type("knuth1984")
    wait_for(pane, "knuth1984", what="the key typed")
    pane.keys("Enter")
    screen = wait_for(pane, "Merge texbook84 into knuth1984", what="the merge screen")
    assert "10.1000/texbook" in screen and "Donald Ervin Knuth" in screen
    pane.keys("Enter")
    wait_for(pane, ["Merged texbook84 into knuth1984"], what="the merge said")
    wait_for(pane, record_loaded("The TeXbook"))  # (the search "printing" now matches nothing: the page stays)
    wait_for(pane, "2 works", what="the header's count")
    pane.keys("q")
    wait_for(pane, "EXIT=0", what="ibid to quit")
    shown = subprocess.run([ibid, "show", "texbook84", "--db", str(db)], cwd=tmp_path, env=tmux_env(),
                           capture_output=True, text=True, timeout=60)
    assert shown.returncode == 0, shown.stderr
    lines = shown.stdout.splitlines()
    assert lines[0] == "The TeXbook"
    assert "Also known as texbook84 (an earlier key, merged or renamed: it finds knuth1984)" in lines[1]
    assert "doi:10.1000/texbook" in shown.stdout
