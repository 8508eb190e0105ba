"""The command line, in process with CliRunner and (for a few cases) as `python -m tui`."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import bibtexparser
import pytest
from click.testing import CliRunner

from tests.conftest import (assert_no_traceback, assert_one_error_line, ibid, require_shared_data, seeded_catalogue,
                            snapshot)

REPO = Path(__file__).resolve().parents[1]
FIXTURES = REPO / "tests" / "fixtures"
SEED_TITLE = "China and Russia in the SCO: Consensus & divergence"
SIMILAR_TITLES = [
    "A New Alliance against the US? Sino-Russian Relations in Response to Trump’s Redefined Foreign Policy Priorities",
    "The Factors of Sixty-Year Sino-US Relations and Its Implications",
    "Culture Coherence and Regional Economic Cooperation in Northeast Asia",
    "Reflection on the Enacting of Foreign Anti-Bribery Practices Act in China",
]


@pytest.fixture
def db(seeded_db: Path) -> Path:
    """A catalogue holding the seeds (as `ibid` first opens on its default one)."""
    return seeded_db


def check_seed_json(works: list[dict]) -> None:
    assert [w["key"] for w in works] == ["Wang2020China"]
    work = works[0]
    assert work["title"] == SEED_TITLE
    assert work["abstract"].startswith("The Shanghai Cooperation Organization is the largest")
    assert work["abstract"].endswith("reforms and systematic change are necessary.")
    assert work["authors"] == [{"name": "Li Wang", "affiliation": "Jilin University"}]
    assert (work["year"], work["venue"]) == (2020, "Human Affairs")
    assert work["venue_line"] == "Human Affairs 30 (2):189-198 (2020)"
    assert [s["title"] for s in work["similar"]] == SIMILAR_TITLES
    assert work["citations"] == [] and work["references"] == []
    assert work["philpapers"] == {"downloads": 22, "downloads_rank": 710008, "recent": 7, "recent_rank": 431609}


# ---------------------------------------------------------------------------- first run


@pytest.fixture
def browser(monkeypatch) -> list[tuple[str, list[str]]]:
    """`ibid` with no command opens the browser: here it records the catalogue it was given
    (file name and keys) instead of taking over the terminal."""
    from tui.app import IbidApp

    opened: list[tuple[str, list[str]]] = []

    def run(app: IbidApp) -> None:
        opened.append((app.store.path.name, keys(app.store.path)))

    monkeypatch.setattr(IbidApp, "run", run)
    return opened


def keys(db: Path) -> list[str]:
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        return sorted(row[0] for row in conn.execute("SELECT key FROM works"))
    finally:
        conn.close()


SEED_KEYS = sorted(["Wang2020China", "Ciborek2019New", "Zhang2009Factors", "Hu2006Culture", "Cheng2005Reflection"])


def test_the_browser_on_the_default_catalogue_starts_from_the_seeds(tmp_path: Path, monkeypatch, browser):
    """`ibid` with no catalogue named: ./catalog.db is created from seeds/ (the README's first
    command), and `ibid search` then finds the seed record in it."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("IBID_DB", raising=False)
    result = ibid()
    assert result.exit_code == 0, result.output
    assert browser == [("catalog.db", SEED_KEYS)]
    assert keys(tmp_path / "catalog.db") == SEED_KEYS
    found = ibid("search", "SCO", "--json")
    assert found.exit_code == 0 and found.stderr == ""
    check_seed_json(json.loads(found.stdout))
    # opened again it is the user's catalogue: nothing is added twice
    assert ibid().exit_code == 0 and browser[-1] == ("catalog.db", SEED_KEYS)


@pytest.mark.parametrize("args, env", [
    (["--db", "new.db"], {}),                       # the browser on a new --db path
    ([], {"IBID_DB": "new.db"}),                    # the browser on a new $IBID_DB
    (["--db", "new.db", "search", "SCO"], {}),      # any command, on any new path
    (["search", "SCO", "--db", "new.db"], {}),
    (["search", "SCO"], {"IBID_DB": "new.db"}),
    (["search", "SCO"], {}),                        # a command on the default path too
], ids=["browser-db", "browser-env", "group-db", "command-db", "command-env", "command-default"])
def test_every_other_new_catalogue_starts_empty(tmp_path: Path, monkeypatch, browser, args, env):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("IBID_DB", raising=False)
    result = ibid(*args, env=env)
    assert result.exit_code == 0 and result.stderr == "", result.output
    made = tmp_path / ("catalog.db" if args == ["search", "SCO"] and not env else "new.db")
    assert keys(made) == []
    assert sorted(p.name for p in tmp_path.iterdir() if p.suffix == ".db") == [made.name]
    if "search" in args:
        assert result.stdout == "No works found.\n"
    else:
        assert browser == [(made.name, [])]


def test_import_into_a_new_catalogue_gives_only_the_files_works(tmp_path: Path):
    """The real entry point (`python -m tui`), from a folder that is not the repository:
    someone starting their own library gets the works they imported and no others."""
    proc = subprocess.run([sys.executable, "-m", "tui", "import", str(FIXTURES / "small.bib"), "--db", "new.db"],
                          capture_output=True, text=True, cwd=tmp_path, timeout=120,
                          env={k: v for k, v in os.environ.items() if k != "IBID_DB"})
    assert proc.returncode == 0, proc.stderr
    assert "Traceback" not in proc.stderr
    assert "5 added, 0 updated, 1 duplicates, 0 renamed, 0 refused" in proc.stdout
    assert keys(tmp_path / "new.db") == ["Doe2020", "Goedel1931", "Proc1936", "Turing1936", "Twice1999"]
    assert not (tmp_path / "catalog.db").exists()


def test_ibid_db_environment_variable(tmp_path: Path):
    path = seeded_catalogue(tmp_path / "env.db")
    result = ibid("search", "SCO", env={"IBID_DB": str(path)})
    assert result.exit_code == 0 and "Wang2020China" in result.stdout
    assert sorted(p.name for p in tmp_path.iterdir() if p.suffix == ".db") == ["env.db"]


def test_group_level_db_option(db: Path):
    result = ibid("--db", db, "show", "Wang2020China")
    assert result.exit_code == 0
    assert SEED_TITLE in result.stdout and "Li Wang, Jilin University" in result.stdout
    assert "Similar books and articles" in result.stdout and "Human Affairs 30 (2):189-198 (2020)" in result.stdout


# ---------------------------------------------------------------------------- import, show, export


def test_import_then_show(db: Path):
    result = ibid("import", "--db", db, FIXTURES / "small.bib")
    assert result.exit_code == 0, result.output
    assert_no_traceback(result)
    assert "5 added, 0 updated, 1 duplicates, 0 renamed, 0 refused" in result.stdout
    assert "small.bib:35" in result.stderr and "small.bib:28" in result.stderr
    # what was imported otherwise than given is listed before what was left out as a duplicate
    assert result.stderr.splitlines()[0].startswith("  mended: ") and "small.bib:28" in result.stderr.splitlines()[0]

    shown = ibid("show", "--db", db, "Goedel1931", "--format", "json")
    assert shown.exit_code == 0
    work = json.loads(shown.stdout)
    assert work["title"] == "Über formal unentscheidbare Sätze"
    assert work["authors"] == [{"name": "Kurt Gödel", "affiliation": ""}]
    assert work["fields"]["title"] == '{\\"U}ber formal unentscheidbare S{\\"a}tze'
    assert (work["year"], work["venue"]) == (1931, "Philosophical Review")
    for name in ("key", "title", "authors", "year", "venue", "abstract", "citations", "references", "similar"):
        assert name in work

    bib = ibid("show", "--db", db, "Goedel1931", "--format", "bibtex")
    assert bib.exit_code == 0
    library = bibtexparser.parse_string(bib.stdout)
    assert [e.key for e in library.entries] == ["Goedel1931"]
    fields = {f.key: f.value for f in library.entries[0].fields}
    assert fields["title"] == '{\\"U}ber formal unentscheidbare S{\\"a}tze'
    assert fields["journal"] == "Philosophical Review"


def test_import_again_skips_then_updates(db: Path):
    assert ibid("import", "--db", db, FIXTURES / "small.bib").exit_code == 0
    again = ibid("import", "--db", db, FIXTURES / "small.bib")
    assert again.exit_code == 0 and "0 added" in again.stdout and "6 duplicates" in again.stdout
    update = ibid("import", "--db", db, "--on-duplicate", "update", FIXTURES / "small.bib")
    assert update.exit_code == 0 and "5 updated" in update.stdout


def test_export_round_trip_biblatex_examples(db: Path):
    path = require_shared_data("bib/biblatex/biblatex-examples.bib")
    assert ibid("import", "--db", db, path).exit_code == 0
    result = ibid("export", "--db", db)
    assert result.exit_code == 0
    exported = bibtexparser.parse_string(result.stdout)
    original = bibtexparser.parse_file(str(path))
    assert exported.failed_blocks == []
    got = {e.key: {f.key.lower(): f.value for f in e.fields} for e in exported.entries}
    want = {e.key: {f.key.lower(): f.value for f in e.fields} for e in original.entries}
    assert set(got) == set(want) | {"Wang2020China", "Ciborek2019New", "Zhang2009Factors", "Hu2006Culture",
                                    "Cheng2005Reflection"}
    assert {k: got[k] for k in want} == want


def test_export_query_and_json(db: Path):
    assert ibid("import", "--db", db, FIXTURES / "small.bib").exit_code == 0
    some = ibid("export", "--db", db, "author:turing")
    assert some.exit_code == 0
    assert [e.key for e in bibtexparser.parse_string(some.stdout).entries] == ["Turing1936"]
    as_json = ibid("export", "--db", db, "--format", "json")
    assert as_json.exit_code == 0
    works = json.loads(as_json.stdout)
    assert len(works) == 10 and {w["key"] for w in works} >= {"Goedel1931", "Twice1999", "Wang2020China"}
    nothing = ibid("export", "--db", db, "--format", "json", "zzzzqqq")
    assert nothing.exit_code == 0 and json.loads(nothing.stdout) == []


def test_search_limit(db: Path):
    path = require_shared_data("bib/biblatex/biblatex-examples.bib")
    assert ibid("import", "--db", db, path).exit_code == 0
    total = len(json.loads(ibid("search", "--db", db, "the", "--json", "--limit", "1000").stdout))
    assert total > 5
    three = ibid("search", "--db", db, "the", "--limit", "3")
    assert three.exit_code == 0
    assert len(three.stdout.splitlines()) == 3
    assert three.stderr.strip() == f"(3 of {total} shown; --limit for more)"
    two = json.loads(ibid("search", "--db", db, "the", "--json", "--limit", "2").stdout)
    assert len(two) == 2
    by_year = ibid("search", "--db", db, "year:1998", "--sort", "title", "--limit", "100")
    assert by_year.exit_code == 0 and "(1998)" in by_year.stdout and "(2006)" not in by_year.stdout
    backwards = ibid("search", "--db", db, "year:1998..1997", "--limit", "100")
    assert backwards.stdout == ibid("search", "--db", db, "year:1997..1998", "--limit", "100").stdout != ""
    wrong = ibid("search", "--db", db, "year:nineties")
    assert wrong.exit_code == 0 and wrong.stdout == "No works found.\n"
    assert "year: takes a year or a range" in wrong.stderr


def test_turing_graph_show_json(db: Path):
    path = require_shared_data("graph/turing1950/works.jsonl")
    result = ibid("import", "--db", db, path)
    assert result.exit_code == 0 and "1009 added" in result.stdout and "1008 citation links" in result.stdout
    shown = ibid("show", "--db", db, "Turing1950ComputingMA", "--format", "json")
    assert shown.exit_code == 0
    work = json.loads(shown.stdout)
    assert work["title"] == "Computing Machinery and Intelligence"
    assert len(work["citations"]) == 1000
    assert len({c["key"] for c in work["citations"]}) == 1000
    assert len(work["references"]) == 8
    assert {"key", "title"} <= set(work["references"][0])


# ---------------------------------------------------------------------------- cite / uncite


def test_cite_and_uncite(db: Path):
    ok = ibid("cite", "--db", db, "Wang2020China", "Hu2006Culture")
    assert ok.exit_code == 0 and "Wang2020China now cites Hu2006Culture" in ok.stdout
    shown = json.loads(ibid("show", "--db", db, "Hu2006Culture", "--format", "json").stdout)
    assert shown["citations"] == [{"key": "Wang2020China", "title": SEED_TITLE}]
    refs = json.loads(ibid("show", "--db", db, "Wang2020China", "--format", "json").stdout)["references"]
    assert [r["key"] for r in refs] == ["Hu2006Culture"]

    before = snapshot(db)
    for args, words in [
        (("cite", "Wang2020China", "Hu2006Culture"), "already cites"),
        (("cite", "Wang2020China", "Wang2020China"), "cannot cite itself"),
        (("cite", "Wang2020China", "NoSuchKey"), "no work with key 'NoSuchKey'"),
        (("uncite", "Hu2006Culture", "Wang2020China"), "does not cite"),
    ]:
        line = assert_one_error_line(ibid(args[0], "--db", db, *args[1:]))
        assert words in line
    assert snapshot(db) == before

    gone = ibid("uncite", "--db", db, "Wang2020China", "Hu2006Culture")
    assert gone.exit_code == 0 and "no longer cites" in gone.stdout
    assert json.loads(ibid("show", "--db", db, "Hu2006Culture", "--format", "json").stdout)["citations"] == []


def test_read_only_refuses_changes(db: Path):
    before = snapshot(db)
    line = assert_one_error_line(ibid("cite", "--db", db, "--read-only", "Wang2020China", "Hu2006Culture"))
    assert "read-only" in line
    line = assert_one_error_line(ibid("import", "--db", db, "--read-only", FIXTURES / "small.bib"))
    assert "read-only" in line
    assert snapshot(db) == before
    assert ibid("search", "--db", db, "--read-only", "SCO").exit_code == 0


# ---------------------------------------------------------------------------- bad input


def _bad_files(tmp: Path) -> dict[str, Path]:
    files = {
        "prose.bib": "Dear colleague,\n\nthank you for the draft. I will read it this week.\n",
        "mail.bib": "Dear colleague,\n\nplease send the draft to me@example.com by Friday.\n",
        "notes.txt": "Shopping list\n\nmilk\neggs\nbread\n\nRemember to call the plumber.\n",
        "pyproject.toml": '[project]\nname = "ibid"\n',  # `[`: read as JSON, for want of a known name
    }
    out = {}
    for name, text in files.items():
        (tmp / name).write_text(text, encoding="utf-8")
        out[name] = tmp / name
    png = tmp / "picture.png"
    png.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x10" + bytes(range(256)))
    out["picture.png"] = png
    latin = tmp / "latin1.bib"
    latin.write_bytes("@misc{Caf\u00e9, title = {Caf\u00e9 au lait}}\n".encode("latin-1"))
    out["latin1.bib"] = latin
    declared = tmp / "latin1-declared-utf8.bib"  # says UTF-8 and is not: refused, not guessed
    declared.write_bytes(b"% Encoding: UTF-8\n" + "@misc{Caf\u00e9, title = {Caf\u00e9}}\n".encode("latin-1"))
    out["latin1-declared-utf8.bib"] = declared
    (tmp / "folder").mkdir()
    out["folder"] = tmp / "folder"
    out["missing.bib"] = tmp / "missing.bib"
    return out


@pytest.mark.parametrize("name, words", [
    ("missing.bib", "no such file"),
    ("folder", "is a directory"),
    ("prose.bib", "no BibTeX entries"),
    ("mail.bib", "BibTeX"),
    ("picture.png", ""),
    ("latin1-declared-utf8.bib", "not UTF-8"),
    ("notes.txt", "not a PhilPapers record page"),
    ("pyproject.toml", "unknown format (ibid reads .bib"),
])
def test_import_bad_file(db: Path, tmp_path: Path, name, words):
    path = _bad_files(tmp_path)[name]
    before = snapshot(db)
    line = assert_one_error_line(ibid("import", "--db", db, path))
    assert words in line and path.name in line
    assert snapshot(db) == before


def test_import_with_an_unknown_encoding(db: Path):
    before = snapshot(db)
    line = assert_one_error_line(ibid("import", "--db", db, "--encoding", "klingon", FIXTURES / "small.bib"))
    assert "unknown encoding" in line
    assert snapshot(db) == before


def test_import_without_an_encoding_reads_windows_1252_and_says_so(db: Path, tmp_path: Path):
    path = _bad_files(tmp_path)["latin1.bib"]
    result = ibid("import", "--db", db, path)
    assert result.exit_code == 0 and "1 added" in result.stdout and "0 refused" in result.stdout
    assert result.stderr.splitlines() == [f"  encoding: {path}: not UTF-8 and it does not say its encoding: "
                                          "read as Windows-1252 (--encoding reads it in another)"]
    assert json.loads(ibid("show", "--db", db, "Café", "--format", "json").stdout)["title"] == "Café au lait"


def test_import_with_the_right_encoding(db: Path, tmp_path: Path):
    path = _bad_files(tmp_path)["latin1.bib"]
    result = ibid("import", "--db", db, "--encoding", "latin-1", path)
    assert result.exit_code == 0 and "1 added" in result.stdout
    assert json.loads(ibid("show", "--db", db, "Café", "--format", "json").stdout)["title"] == "Café au lait"


def test_import_report_lists_every_problem(db: Path, tmp_path: Path):
    """The summary lists 20 problems, refusals first; --report FILE has every one of them."""
    bib = tmp_path / "many.bib"
    bib.write_text("".join(f"@misc{{K{i}, title = {{Work {i}}}}}\n@misc{{K{i}, title = {{Again {i}}}}}\n"
                           for i in range(30)) + "@article{Broken\n  title = {x},\n}\n", encoding="utf-8")
    plain = ibid("import", "--db", db, bib)
    assert plain.exit_code == 0 and "30 added" in plain.stdout and "30 duplicates" in plain.stdout
    listed = plain.stderr.splitlines()
    assert len(listed) == 21 and listed[0].startswith("  refused: ") and "many.bib:61" in listed[0]
    assert listed[-1] == "  ... and 11 more (11 duplicate) (--report FILE lists them all)"
    report = tmp_path / "problems.txt"
    again = ibid("import", "--db", tmp_path / "other.db", "--report", report, bib)
    assert again.exit_code == 0
    assert again.stderr.splitlines()[-1] == f"  ... and 11 more (11 duplicate); all in {report}"
    lines = report.read_text(encoding="utf-8").splitlines()
    assert len(lines) == 31 and lines[0].startswith("refused: ") and f"{bib}:61:" in lines[0]
    assert lines[1:] == [f"duplicate: {bib}:{2 * i + 2}: duplicate key 'K{i}' (first at line {2 * i + 1}); "
                         "kept the first" for i in range(30)]
    # a report that cannot be written: one line, and nothing imported
    before = snapshot(tmp_path / "other.db")
    line = assert_one_error_line(ibid("import", "--db", tmp_path / "other.db", "--report", tmp_path / "no" / "r.txt", bib))
    assert "cannot write the report" in line and "nothing was imported" in line
    assert snapshot(tmp_path / "other.db") == before


def test_import_a_bad_block_among_good_ones(db: Path):
    """Refused blocks are reported with file:line and do not stop the good entries."""
    before = len(snapshot(db)[0])
    result = ibid("import", "--db", db, FIXTURES / "broken.bib")
    assert_no_traceback(result)
    assert result.exit_code == 0
    assert "3 added" in result.stdout and "1 renamed, 1 refused" in result.stdout
    assert "broken.bib:4" in result.stderr and "broken.bib:11" in result.stderr
    assert "broken.bib:11: the entry has no key; imported as 'Entry'" in result.stderr
    assert len(snapshot(db)[0]) == before + 3


def test_show_unknown_key(db: Path):
    line = assert_one_error_line(ibid("show", "--db", db, "NoSuchKey"))
    assert "no work with key 'NoSuchKey'" in line


@pytest.mark.parametrize("content", [b"this is not a catalogue\n" * 50, bytes(range(256)) * 16],
                         ids=["text", "binary"])
@pytest.mark.parametrize("args", [("search", "x"), ("import", str(FIXTURES / "small.bib")), ("show", "K"),
                                  ("export",), ("cite", "A", "B")], ids=lambda a: a[0])
def test_corrupt_db_file(tmp_path: Path, content: bytes, args):
    path = tmp_path / "catalog.db"
    path.write_bytes(content)
    line = assert_one_error_line(ibid(args[0], "--db", path, *args[1:]))
    assert "not an ibid catalogue" in line and str(path) in line
    assert path.read_bytes() == content
    assert sorted(p.name for p in tmp_path.iterdir()) == ["catalog.db"]


def test_corrupt_db_file_as_python_m_tui(tmp_path: Path):
    path = tmp_path / "catalog.db"
    path.write_bytes(b"garbage, not SQLite\n" * 10)
    proc = subprocess.run([sys.executable, "-m", "tui", "search", "--db", str(path), "SCO"],
                          capture_output=True, text=True, cwd=tmp_path, timeout=120)
    assert proc.returncode != 0
    assert proc.stdout == ""
    assert proc.stderr.splitlines() == [f"ibid: {path}: not an ibid catalogue (not a SQLite database, or damaged)"]
    assert path.read_bytes() == b"garbage, not SQLite\n" * 10


def test_sqlite_db_that_is_not_a_catalogue(tmp_path: Path):
    path = tmp_path / "other.db"
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE t(x)")
    conn.commit()
    conn.close()
    before = path.read_bytes()
    line = assert_one_error_line(ibid("search", "--db", path, "x"))
    assert "not an ibid catalogue" in line
    assert path.read_bytes() == before


def test_db_is_a_directory_or_in_a_missing_folder(tmp_path: Path):
    assert "is a directory" in assert_one_error_line(ibid("search", "--db", tmp_path, "x"))
    missing = tmp_path / "nowhere" / "c.db"
    assert "no such directory" in assert_one_error_line(ibid("search", "--db", missing, "x"))
    assert not missing.parent.exists()


HOSTILE = ['"unbalanced', "AND OR", "*", "NEAR(", "(", ")", "^", "-", ":", "title:", "year:abc", 'O"Brien',
           "'; DROP TABLE works; --", "NOT", "a AND", "{title}:x", "\\"]


@pytest.mark.parametrize("query", HOSTILE)
def test_fts_syntax_searches(db: Path, query):
    before = snapshot(db)
    result = ibid("search", "--db", db, query)
    assert_no_traceback(result)
    assert result.exit_code == 0
    assert "ibid:" not in result.stderr
    assert result.stdout == "No works found.\n" or all(
        line.split("\t", 1)[0] in {"Wang2020China", "Ciborek2019New", "Zhang2009Factors", "Hu2006Culture",
                                  "Cheng2005Reflection"} for line in result.stdout.splitlines())
    as_json = ibid("search", "--db", db, query, "--json")
    assert as_json.exit_code == 0 and isinstance(json.loads(as_json.stdout), list)
    exported = ibid("export", "--db", db, query)
    assert_no_traceback(exported)
    assert exported.exit_code == 0
    assert snapshot(db) == before


def test_terminal_escapes_in_titles_are_made_visible(db: Path, tmp_path: Path):
    path = tmp_path / "evil.bib"
    path.write_text("@misc{Evil2020, title = {Evil \x1b[2J\x1b]0;pwned\x07 [bold]title[/bold]}, year = {2020}}\n",
                    encoding="utf-8")
    assert ibid("import", "--db", db, path).exit_code == 0
    for result in (ibid("search", "--db", db, "evil"), ibid("show", "--db", db, "Evil2020"),
                   ibid("show", "--db", db, "Evil2020", "--format", "bibtex"), ibid("export", "--db", db, "evil")):
        assert result.exit_code == 0
        assert "\x1b" not in result.output and "\x07" not in result.output
        assert "␛[2J" in result.output and "[bold]title[/bold]" in result.output


def test_edit_in_editor_then_undo(db: Path, tmp_path: Path):
    editor = tmp_path / "editor.sh"
    editor.write_text("#!/bin/sh\nsed -i 's/Consensus/CONSENSUS/' \"$1\"\n")
    editor.chmod(0o755)
    result = ibid("edit", "Wang2020China", "--db", db, env={"EDITOR": str(editor), "VISUAL": str(editor)})
    assert result.exit_code == 0, result.output
    assert "Saved Wang2020China" in result.output
    shown = json.loads(ibid("show", "Wang2020China", "--format", "json", "--db", db).output)
    assert shown["title"] == "China and Russia in the SCO: CONSENSUS & divergence"
    result = ibid("undo", "--db", db)
    assert result.exit_code == 0 and "Undid the edit of Wang2020China" in result.output
    shown = json.loads(ibid("show", "Wang2020China", "--format", "json", "--db", db).output)
    assert shown["title"] == "China and Russia in the SCO: Consensus & divergence"
    result = ibid("undo", "--db", db)
    assert result.exit_code == 1
    assert assert_one_error_line(result) == "ibid: nothing to undo"


def test_edit_refuses_bad_bibtex_and_changes_nothing(db: Path, tmp_path: Path):
    editor = tmp_path / "editor.sh"
    editor.write_text("#!/bin/sh\nprintf '@article{broken, title = {unclosed' > \"$1\"\n")
    editor.chmod(0o755)
    before = snapshot(db)
    result = ibid("edit", "Wang2020China", "--db", db, env={"EDITOR": str(editor), "VISUAL": str(editor)})
    assert result.exit_code == 1
    assert assert_one_error_line(result).startswith("ibid: line 1: refused block")
    assert snapshot(db) == before


@pytest.mark.parametrize("args", [["search", "--limit", "0", "x"], ["nosuch"], ["show"],
                                  ["import", "--on-duplicate", "bogus", "x.bib"]])
def test_usage_errors_are_one_line(db: Path, args):
    before = snapshot(db)
    result = ibid(*args, "--db", db) if args[0] != "nosuch" else ibid(*args)
    line = assert_one_error_line(result)
    assert "(see ibid --help)" in line
    assert snapshot(db) == before


def test_export_of_a_query_is_not_capped(db: Path):
    store_path = db
    result = ibid("export", "nankai", "--db", store_path)
    assert result.exit_code == 0
    assert result.output.count("@article{") == 3


def test_cite_then_undo_from_the_command_line(db: Path):
    assert ibid("cite", "Hu2006Culture", "Wang2020China", "--db", db).exit_code == 0
    result = ibid("undo", "--db", db)
    assert result.exit_code == 0 and "Undid the link Hu2006Culture → Wang2020China" in result.output
    shown = json.loads(ibid("show", "Wang2020China", "--format", "json", "--db", db).output)
    assert shown["citations"] == []
