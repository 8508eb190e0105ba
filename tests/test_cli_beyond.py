"""The command line beyond BibTeX: RIS and CSL-JSON import/export, attach, references, OpenURL."""

from __future__ import annotations

import json
import os
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

import bibtexparser
import pytest

from tests.conftest import (assert_no_traceback, assert_one_error_line, ibid, require_shared_data, seeded_catalogue,
                            snapshot)
from tui.attach import files_dir, safe_name
from tui.formats import csl, ris
from tui.formats.bibtex import parse_names
from tui.formats.latex import decode

BIBLATEX = "bib/biblatex/biblatex-examples.bib"


@pytest.fixture
def examples(tmp_path) -> tuple[Path, Path]:
    """A catalogue holding biblatex-examples.bib, and the file."""
    path = require_shared_data(BIBLATEX)
    db = tmp_path / "catalog.db"
    result = ibid("--db", db, "import", path)  # a new catalogue: the file's works only
    assert result.exit_code == 0, result.output
    return db, path


def _expected(path: Path) -> dict[str, tuple[str, list[str], int | None]]:
    """bibtexparser's own view of the file: key -> (title, author names, year)."""
    import re

    library = bibtexparser.parse_string(path.read_text(encoding="utf-8"))
    out = {}
    for e in library.entries:
        fields = {f.key.lower(): f.value for f in e.fields}
        year = re.search(r"\d{4}", fields.get("year", fields.get("date", "")))
        out[e.key] = (fields.get("title", ""), parse_names(fields.get("author", "")), int(year.group()) if year else None)
    return out


@pytest.mark.parametrize("fmt, reader, suffix", [("ris", ris, ".ris"), ("csl-json", csl, ".json")])
def test_export_of_biblatex_examples_gives_one_record_per_entry_and_reimports(examples, tmp_path, fmt, reader, suffix):
    from tui.store import Store

    db, path = examples
    result = ibid("--db", db, "export", "--format", fmt)
    assert result.exit_code == 0
    text = result.stdout
    expected = _expected(path)
    records = ris.parse_string(text).works if fmt == "ris" else json.loads(text)
    assert len(records) == len(expected)  # one record per entry
    out = tmp_path / f"export{suffix}"
    out.write_text(text, encoding="utf-8")
    back_db = tmp_path / "back.db"
    result = ibid("--db", back_db, "import", out)
    assert result.exit_code == 0, result.output
    assert f"{len(expected)} added" in result.stdout
    with Store(back_db, read_only=True) as back, Store(db, read_only=True) as before:
        for key in expected:
            # as ibid showed it before the export: title: subtitle, crossref's year, decoded names
            work, was = back.work(key), before.work(key)  # the key comes back too (RIS ID, CSL id)
            assert work.title == was.title, key
            assert [a.name for a in work.authors] == [a.name for a in was.authors], key
            assert work.year == was.year, key
            if was.type in ("article", "book", "incollection", "inproceedings", "phdthesis", "techreport"):
                assert work.type == was.type, key  # biblatex's own types (@set, @mvbook...) have no RIS/CSL twin


def test_import_ris_and_csl_json_from_the_command_line(tmp_path):
    db = tmp_path / "c.db"
    ris_file = tmp_path / "two.ris"
    ris_file.write_text("TY  - JOUR\nAU  - Doe, Jane\nTI  - First\nPY  - 2001\nER  - \n\n"
                        "TY  - JOUR\nN1  - nothing else\nER  - \n")
    result = ibid("--db", db, "import", ris_file)
    assert result.exit_code == 0
    assert "1 added" in result.stdout and "1 refused" in result.stdout
    assert f"{ris_file}:7: refused record" in result.stderr
    json_file = tmp_path / "one.json"
    json_file.write_text(json.dumps([{"id": "Roe2002", "type": "book", "title": "Second",
                                      "author": [{"family": "Roe", "given": "Rick"}], "issued": {"date-parts": [[2002]]}}]))
    result = ibid("--db", db, "import", json_file)
    assert result.exit_code == 0 and "1 added" in result.stdout
    shown = json.loads(ibid("--db", db, "show", "Roe2002", "--format", "json").stdout)
    assert shown["title"] == "Second" and shown["authors"][0]["name"] == "Rick Roe"


def test_show_formats_references_and_ris(tmp_path):
    db = seeded_catalogue(tmp_path / "catalog.db")
    apa = ibid("--db", db, "show", "Wang2020China", "--format", "apa")
    assert apa.exit_code == 0
    assert apa.stdout == ("Wang, L. (2020). China and Russia in the SCO: Consensus & divergence. "
                          "Human Affairs, 30(2), 189–198.\n")
    chicago = ibid("--db", db, "show", "Wang2020China", "--format", "chicago").stdout
    assert chicago.startswith("Wang, Li. 2020. “China and Russia in the SCO: Consensus & Divergence.”")
    text = ibid("--db", db, "show", "Wang2020China", "--format", "ris").stdout
    assert text.startswith("TY  - JOUR\n") and "AU  - Wang, Li" in text and text.rstrip().endswith("ER  -")


def test_openurl_needs_a_resolver_and_then_carries_the_work(tmp_path):
    db = seeded_catalogue(tmp_path / "catalog.db")
    config = Path(os.environ["IBID_CONFIG"])
    result = ibid("--db", db, "show", "Wang2020China", "--format", "openurl")
    message = assert_one_error_line(result)
    assert "No library link resolver set" in message and str(config) in message
    config.write_text('[library]\nresolver = "https://resolver.example.edu/sfx?sid=ibid"\n')
    url = ibid("--db", db, "show", "Wang2020China", "--format", "openurl").stdout.strip()
    parts = urlsplit(url)
    assert (parts.scheme, parts.netloc, parts.path) == ("https", "resolver.example.edu", "/sfx")
    query = dict(parse_qsl(parts.query))
    assert query["sid"] == "ibid" and query["ctx_ver"] == "Z39.88-2004"
    assert query["rft.atitle"] == "China and Russia in the SCO: Consensus & divergence"
    assert (query["rft.jtitle"], query["rft.date"], query["rft.volume"], query["rft.issue"], query["rft.spage"]) == \
        ("Human Affairs", "2020", "30", "2", "189")
    config.write_text('[library]\nresolver = "javascript:alert(1)"\n')
    assert "must be an http:// or https://" in assert_one_error_line(
        ibid("--db", db, "show", "Wang2020China", "--format", "openurl"))


def test_attach_knuth_then_show_lists_the_file(examples, tmp_path):
    db, _ = examples
    pdf = tmp_path / "The TeXbook.pdf"
    pdf.write_bytes(b"%PDF-1.5\n" + os.urandom(2048))
    result = ibid("--db", db, "attach", "knuth:ct:a", pdf)
    assert result.exit_code == 0, result.output
    assert "papers currently archived: 1" in result.stdout
    shown = json.loads(ibid("--db", db, "show", "knuth:ct:a", "--format", "json").stdout)
    (entry,) = shown["files"]
    stored = Path(entry["path"])
    assert entry["name"] == "The TeXbook.pdf"
    assert stored.parent == files_dir(db).resolve() or stored.parent == files_dir(db)
    assert stored.name == "knuth_ct_a--The_TeXbook.pdf"
    assert stored.read_bytes() == pdf.read_bytes()
    # the same file again: a second copy under its own name, the first untouched
    assert ibid("--db", db, "attach", "knuth:ct:a", pdf).exit_code == 0
    shown = json.loads(ibid("--db", db, "show", "knuth:ct:a", "--format", "json").stdout)
    assert [Path(f["path"]).name for f in shown["files"]] == ["knuth_ct_a--The_TeXbook.pdf",
                                                              "knuth_ct_a--The_TeXbook-2.pdf"]


@pytest.mark.parametrize("key, filename", [
    ("../../etc/passwd", "x.pdf"), ("a/b\\c", "..\\..\\evil.pdf"), (".hidden", ".bashrc"),
    ("k", "../../../../tmp/escape.pdf"), ("k", "name\x00with\x1b[31mnul.pdf"), ("ключ", "статья.PDF"),
    ("k" * 300, "f" * 300 + ".pdf"), ("k", "no-extension"), ("k", "archive.tar.gz"), ("", ""),
])
def test_safe_names_never_leave_the_folder(key, filename):
    name = safe_name(key, filename)
    assert name and "/" not in name and "\\" not in name and not name.startswith(".")
    assert all(c.isascii() and (c.isalnum() or c in "-_.") for c in name)
    assert len(name) <= 2 * 60 + 2 + 11
    assert Path("/catalog.files", name).resolve().parent == Path("/catalog.files")


def test_attach_refuses_what_it_cannot_copy_and_changes_nothing(tmp_path):
    db = seeded_catalogue(tmp_path / "catalog.db")
    assert ibid("--db", db, "show", "Wang2020China").exit_code == 0
    before = snapshot(db)
    for args, words in (
        (("Wang2020China", tmp_path / "missing.pdf"), "no such file"),
        (("Wang2020China", tmp_path), "not a regular file"),
        (("NoSuchKey", __file__), "NoSuchKey"),
    ):
        message = assert_one_error_line(ibid("--db", db, "attach", *args))
        assert words in message
    pdf = tmp_path / "a.pdf"
    pdf.write_bytes(b"%PDF")
    message = assert_one_error_line(ibid("--db", db, "--read-only", "attach", "Wang2020China", pdf))
    assert "read-only" in message
    assert snapshot(db) == before
    assert not files_dir(db).exists() or not any(files_dir(db).iterdir())


def test_a_key_with_path_characters_is_archived_inside_the_folder(tmp_path):
    db = tmp_path / "catalog.db"
    bib = tmp_path / "evil.bib"
    bib.write_text("@article{../../../evil,\n  title = {Evil},\n  year = {2000},\n}\n")
    result = ibid("--db", db, "import", bib)
    assert "1 added" in result.stdout, result.output
    pdf = tmp_path / "..evil.pdf"
    pdf.write_bytes(b"%PDF")
    result = ibid("--db", db, "attach", "../../../evil", pdf)
    assert_no_traceback(result)
    assert result.exit_code == 0, result.output
    (stored,) = files_dir(db).iterdir()
    assert stored.name == "evil--evil.pdf"
    assert not (tmp_path.parent / "evil").exists()


def test_undo_takes_back_an_archived_copy(tmp_path):
    db = seeded_catalogue(tmp_path / "catalog.db")
    pdf = tmp_path / "a.pdf"
    pdf.write_bytes(b"%PDF-1.4")
    assert ibid("--db", db, "attach", "Wang2020China", pdf).exit_code == 0
    (stored,) = files_dir(db).iterdir()
    result = ibid("--db", db, "undo")
    assert result.stdout.strip() == "Undid the archived copy a.pdf of Wang2020China"
    assert not stored.exists() and pdf.exists()
    assert json.loads(ibid("--db", db, "show", "Wang2020China", "--format", "json").stdout)["files"] == []
