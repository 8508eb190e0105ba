"""Export in the formats layer: the format a file name asks for, the texts, the atomic write."""

from __future__ import annotations

import json
import os

import pytest

from tui.formats import bibtex, csl, ris
from tui.formats.export import file_mode, format_for_suffix, render, render_chunks, write_atomic
from tui.models import Author, Work


def _works(n: int) -> list[Work]:
    return [Work(key=f"Wang{2000 + i}China", title=f"China and Russia {i}", authors=[Author("Li Wang")],
                 year=2000 + i % 20, venue="Human Affairs") for i in range(n)]


@pytest.mark.parametrize("name, fmt", [("a.bib", "bibtex"), ("A.BIB", "bibtex"), ("a.bibtex", "bibtex"),
                                       ("a.ris", "ris"), ("a.json", "csl-json"), ("a.txt", None), ("a", None)])
def test_format_for_suffix(name, fmt):
    assert format_for_suffix(name) == fmt


def test_render_is_the_formats_writer():
    works = _works(3)
    assert render(works, "bibtex") == bibtex.write(works)
    assert render(works, "ris") == ris.write(works)
    assert render(works, "csl-json") == csl.write(works)


@pytest.mark.parametrize("fmt", ["bibtex", "ris", "csl-json"])
def test_chunks_read_back_as_the_same_works(fmt):
    works = _works(1203)  # three chunks
    text = "".join(render_chunks(iter(works), fmt))
    reader = {"bibtex": bibtex.parse_string, "ris": ris.parse_string, "csl-json": csl.parse_string}[fmt]
    assert [w.key for w in reader(text).works] == [w.key for w in works]
    if fmt == "csl-json":
        assert json.loads(text) == json.loads(csl.write(works))


def test_no_works_is_an_empty_array_in_csl_json():
    assert json.loads("".join(render_chunks([], "csl-json"))) == []
    assert "".join(render_chunks([], "bibtex")) == ""


def test_write_atomic_new_file_gets_the_umask_mode(tmp_path):
    target = tmp_path / "out.bib"
    size = write_atomic(target, "@misc{a, title={Ü}}\n")
    assert target.read_text(encoding="utf-8") == "@misc{a, title={Ü}}\n"
    assert size == len("@misc{a, title={Ü}}\n".encode())
    mask = os.umask(0o022)
    os.umask(mask)
    assert target.stat().st_mode & 0o777 == 0o666 & ~mask  # not mkstemp's 0600
    assert os.listdir(tmp_path) == ["out.bib"]  # no temporary file left


def test_write_atomic_keeps_the_mode_of_the_file_it_replaces(tmp_path):
    target = tmp_path / "out.ris"
    target.write_text("old")
    target.chmod(0o640)
    assert file_mode(target) == 0o640
    write_atomic(target, "new")
    assert target.read_text() == "new"
    assert target.stat().st_mode & 0o777 == 0o640


def test_write_atomic_failing_leaves_the_old_file_and_no_temporary(tmp_path, monkeypatch):
    target = tmp_path / "out.json"
    target.write_text("precious")

    def full_disk(fd):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "fsync", full_disk)
    with pytest.raises(OSError):
        write_atomic(target, "[]")
    assert target.read_text() == "precious"
    assert os.listdir(tmp_path) == ["out.json"]


def test_write_atomic_into_a_missing_folder_is_an_oserror(tmp_path):
    with pytest.raises(OSError):
        write_atomic(tmp_path / "nowhere" / "out.bib", "x")


def test_values_with_unbalanced_braces_are_escaped_and_balanced_ones_kept():
    from tui.formats.bibtex import _brace_safe

    assert _brace_safe("no braces at all") == "no braces at all"
    assert _brace_safe("The {\\TeX}book {of} {{Knuth}}") == "The {\\TeX}book {of} {{Knuth}}"
    assert _brace_safe("a}b{c") == "a\\}b\\{c"  # closes before it opens
    assert _brace_safe("{unclosed") == "\\{unclosed"
    assert _brace_safe("set \\{x\\} and {y") == "set \\{x\\} and \\{y"
