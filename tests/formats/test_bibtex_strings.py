"""@string definitions (and @preamble macros) of one file used by the files after it in one
import, as BibTeX reads \\bibliography{strings,refs} (issue 22)."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from tui.cli import main
from tui.formats import FormatError, parse_path
from tui.formats.bibtex import Definitions
from tui.store import Store

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "bib22"


def test_strings_of_an_earlier_file_are_used_and_a_files_own_win():
    shared = Definitions()
    assert parse_path(FIXTURES / "strings.bib", shared=shared).works == []
    works = {w.key: w for w in parse_path(FIXTURES / "refs.bib", shared=shared).works}
    ernst = works["Ernst2001"]
    assert ernst.venue == "ACM Transactions on Programming Languages and Systems"
    assert ernst.publisher == "Association for Computing Machinery"  # refs.bib's own @string
    assert ernst.fields["month"] == "January"
    assert ernst.title == "Dynamically discovering likely program invariants"  # its @preamble's macro
    assert works["Beebe2002"].venue == "TUGboat"


def test_without_the_earlier_file_the_names_stay_names():
    works = {w.key: w for w in parse_path(FIXTURES / "refs.bib").works}
    assert works["Ernst2001"].venue.startswith("TOPLAS")


def test_a_file_of_strings_only_is_still_refused_alone():
    with pytest.raises(FormatError, match="only comments and @string definitions"):
        parse_path(FIXTURES / "strings.bib")


def test_ibid_import_of_several_files(tmp_path):
    db = tmp_path / "catalog.db"
    result = CliRunner().invoke(main, ["import", "--db", str(db), str(FIXTURES / "strings.bib"),
                                       str(FIXTURES / "refs.bib")])
    assert result.exit_code == 0, result.output
    assert "strings.bib: 0 added" in result.stdout and "refs.bib: 2 added" in result.stdout
    store = Store(db, read_only=True)
    try:
        assert store.work("Ernst2001").venue == "ACM Transactions on Programming Languages and Systems"
    finally:
        store.close()


def test_the_files_before_only(tmp_path):
    """BibTeX reads the files in order: a file after the one using a name does not define it."""
    db = tmp_path / "catalog.db"
    result = CliRunner().invoke(main, ["import", "--db", str(db), str(FIXTURES / "refs.bib"),
                                       str(FIXTURES / "strings.bib")])
    assert result.exit_code == 0, result.output
    store = Store(db, read_only=True)
    try:
        assert store.work("Ernst2001").venue.startswith("TOPLAS")
    finally:
        store.close()
