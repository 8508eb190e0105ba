"""`ibid export --cited-in`: exactly the works a manuscript cites (issue 21), from the real
LaTeX, biber and pandoc files in tests/fixtures/manuscripts, against biblatex's examples."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.conftest import REPO, ibid, require_shared_data
from tui.formats.cited import cited_keys

MANUSCRIPTS = REPO / "tests" / "fixtures" / "manuscripts"


@pytest.fixture(scope="module")
def examples(tmp_path_factory) -> Path:
    bib = require_shared_data("bib/biblatex/biblatex-examples.bib")
    db = tmp_path_factory.mktemp("cited") / "examples.db"
    assert ibid("import", "--db", db, bib).exit_code == 0
    return db


def exported_keys(text: str) -> list[str]:
    return re.findall(r"^@\w+\{([^,\s]+),", text, re.M)


@pytest.mark.parametrize("name", ["paper.aux", "paper.bcf", "paper.tex", "paper.md"])
def test_exactly_the_cited_works_and_what_they_crossref(examples, name):
    wanted = cited_keys(MANUSCRIPTS / name).keys
    assert len(wanted) >= 20
    result = ibid("export", "--db", examples, "--cited-in", MANUSCRIPTS / name)
    assert result.exit_code == 0, result.stderr
    keys = exported_keys(result.stdout)
    assert keys == sorted(keys)  # sorted: the same file for the same keys
    assert set(wanted) <= set(keys)
    extra = set(keys) - set(wanted)  # only the parents cited entries name in crossref / xdata
    for key in extra:
        assert re.search(r"(crossref|xdata)\s*=\s*\{[^}]*\b" + re.escape(key), result.stdout, re.I), key


def test_keys_the_catalogue_lacks_are_named_with_the_nearest_and_the_exit_status_says_so(examples, tmp_path):
    tex = tmp_path / "draft.tex"
    tex.write_text("\\documentclass{article}\\begin{document}\\cite{knuth:ct:a,knuth:ct:zz} "
                   "\\parencite[see][12]{sigfridsson}\\end{document}\n")
    result = ibid("export", "--db", examples, "--cited-in", tex)
    assert result.exit_code == 1
    assert exported_keys(result.stdout) == ["knuth:ct:a", "sigfridsson"]
    line = next(l for l in result.stderr.splitlines() if "knuth:ct:zz" in l)
    assert "not in the catalogue; did you mean knuth:ct:" in line
    assert "1 of 3 cited keys not in the catalogue" in result.stderr


def test_cite_star_exports_everything_and_a_missing_manuscript_is_one_line(examples, tmp_path):
    aux = tmp_path / "all.aux"
    aux.write_text("\\relax\n\\citation{*}\n")
    everything = ibid("export", "--db", examples)
    assert exported_keys(ibid("export", "--db", examples, "--cited-in", aux).stdout) == exported_keys(everything.stdout)
    gone = ibid("export", "--db", examples, "--cited-in", tmp_path / "nope.aux")
    assert gone.exit_code == 1 and len(gone.stderr.strip().splitlines()) == 1
