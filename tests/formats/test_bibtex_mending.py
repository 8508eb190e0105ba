"""BibTeX that BibTeX itself accepts but bibtexparser fails or miscounts: a field given twice,
an entry without a usable key, a value's line ending in a backslash (the lines after it)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import require_shared_data
from tui.formats import FormatError
from tui.formats.textfile import read_text
from tui.formats.bibtex import parse_one, parse_string
from tui.store import Store

# 3 lines of a value end in `\\` (a TeX line break): bibtexparser 2.1 counts none of them
BACKSLASHES = r"""@book{First,
  title = {Contents},
  note = {Part one \\
          Part two \\
          Part three \\
          Part four},
}

@misc{Second, title = {Two}}

@misc{First, title = {A key used twice}}

@article{Broken
  title = {No comma after the key},
}

@misc{Third, title = {Three}, year = 2003}
"""


def line_of(text: str, needle: str, start: int = 0) -> int:
    return text.count("\n", 0, text.index(needle, start)) + 1


def test_line_numbers_count_lines_that_end_in_a_backslash():
    batch = parse_string(BACKSLASHES, "t.bib")
    assert batch.lines == {"First": 1, "Second": line_of(BACKSLASHES, "@misc{Second"),
                           "Third": line_of(BACKSLASHES, "@misc{Third")}
    assert batch.lines["Third"] == 17
    where = {p.kind: p.line for p in batch.problems}
    assert where == {"duplicate": line_of(BACKSLASHES, "@misc{First"),
                     "refused": line_of(BACKSLASHES, "@article{Broken")}
    duplicate = next(p for p in batch.problems if p.kind == "duplicate")
    assert duplicate.message == "duplicate key 'First' (first at line 1); kept the first"


TWICE = """@string{ack = {Thanks to the referees}}

@article{Twice,
  author = {Doe, Jane},
  title = {The first title},
  year = {2001},
  title = {The second title},
  keywords = {logic, proof},
  Keywords = "computability",
  note = ack,
  note = {A second note},
  year = {2001},
  file = {attachments/Doe - First (2001).pdf},
  file = {attachments/Doe - First (2001)a.pdf},
}
"""


def test_a_field_given_twice_keeps_the_first_and_says_what_it_left_out():
    batch = parse_string(TWICE, "t.bib")
    (work,) = batch.works
    assert (work.key, work.title, work.year) == ("Twice", "The first title", 2001)
    assert work.fields["note"] == "Thanks to the referees"  # the @string still resolved
    # keywords given twice are all kept, as one list
    assert work.keywords == ["logic", "proof", "computability"]
    assert work.fields["keywords"] == "logic, proof, computability"
    # Better BibTeX has been seen to give `file` twice (its issue #2300): both kept, as JabRef lists files
    assert work.fields["file"] == "attachments/Doe - First (2001).pdf;attachments/Doe - First (2001)a.pdf"
    # the same value twice loses nothing and is not reported; each value left out is
    assert [(p.kind, p.line, p.message) for p in batch.problems] == [
        ("mended", 3, "entry 'Twice' gives the field 'title' twice; kept the first ('The first title'), "
                      "left out 'The second title'"),
        ("mended", 3, "entry 'Twice' gives the field 'note' twice; kept the first ('ack'), "
                      "left out 'A second note'"),
    ]


NO_KEYS = """@article{,
  author = {Smith, Ann},
  title = {On the Origin of Keys},
  year = {1999},
}

@article{,
  author = {Smith, Ann},
  title = {On the Origin of Keys},
  year = {1999},
  note = {A second keyless entry: the parser calls it a duplicate of the first},
}

@book{Smith1999Origin,
  title = {A key the made-up one would take},
}

@misc{has space, title = {A key with a space}, year = 2020}
"""


def test_entries_without_a_usable_key_get_one_made_from_author_year_and_title():
    batch = parse_string(NO_KEYS, "t.bib")
    keys = [w.key for w in batch.works]
    assert keys == ["Smith1999Originb", "Smith1999Originc", "Smith1999Origin", "2020Key"]
    by_key = {w.key: w for w in batch.works}
    # the file's own Smith1999Origin keeps its key; the made-up ones go around it
    assert by_key["Smith1999Origin"].title == "A key the made-up one would take"
    assert by_key["Smith1999Originb"].title == by_key["Smith1999Originc"].title == "On the Origin of Keys"
    assert "second keyless" in by_key["Smith1999Originc"].fields["note"]
    assert batch.generated == {"Smith1999Originb", "Smith1999Originc", "2020Key"}
    assert [(p.kind, p.line, p.message) for p in batch.problems] == [
        ("renamed", 1, "the entry has no key; imported as 'Smith1999Originb'"),
        ("renamed", 7, "the entry has no key; imported as 'Smith1999Originc'"),
        ("renamed", 18, "the entry's key 'has space' has a space; imported as '2020Key'"),
    ]
    assert batch.lines == {"Smith1999Originb": 1, "Smith1999Originc": 7, "Smith1999Origin": 14, "2020Key": 18}


def test_keyless_entries_imported_twice_are_not_added_twice(tmp_path: Path):
    path = tmp_path / "nokeys.bib"
    path.write_text(NO_KEYS, encoding="utf-8")
    store = Store(tmp_path / "c.db")
    try:
        from tui.formats import parse_path

        first = store.import_batch(parse_path(path))
        assert (first.added, first.renamed, first.refused) == (4, 3, 0)
        again = store.import_batch(parse_path(path))
        assert (again.added, again.duplicates) == (0, 4)
        assert store.count() == 4
        assert [r.key for r in store.search("origin keys")] and store.work("Smith1999Originc").year == 1999
    finally:
        store.close()


@pytest.mark.parametrize("text, message", [
    ("@article{X, title = {One}, title = {Two}}", "gives the field 'title' twice"),
    ("@article{, title = {One}}", "invalid key ''"),
])
def test_the_editor_still_refuses_what_an_import_mends(text: str, message: str):
    """One entry typed by the user is theirs to mend: an error, not a guess."""
    with pytest.raises(FormatError, match=message):
        parse_one(text)


def test_real_file_every_line_points_at_its_entry():
    """combined-benchmark.bib has values with lines ending in `\\\\` (tugboat, font.bib), 342
    keyless entries (a test suite's) and entries giving a field twice."""
    path = require_shared_data("bench/combined-benchmark.bib")
    text = read_text(path, None)
    lines = text.split("\n")
    batch = parse_string(text, str(path))
    assert len(batch.works) > 50_000
    for key, line in batch.lines.items():
        assert "@" in lines[line - 1], (key, line)  # `%@ARTICLE{...` is an entry to BibTeX too
        if key not in batch.generated:
            assert key in lines[line - 1], (key, line)
    for p in batch.problems:
        assert "@" in lines[p.line - 1], p
    kinds = {p.kind for p in batch.problems}
    assert kinds == {"duplicate", "renamed", "mended", "refused"}
    renamed = [p for p in batch.problems if p.kind == "renamed"]
    assert len(renamed) == len(batch.generated) >= 300
    # what is still refused is a block the parser cannot read, never a key or a repeated field
    for p in batch.problems:
        if p.kind == "refused":
            assert "refused block" in p.message and "Duplicate field" not in p.message, p


def test_a_comment_line_ending_in_a_backslash_does_not_move_the_next_entry():
    text = "% a path: C:\\\n@article{A, title = {X}}\n\n@article{B, title = {Y}}\n"
    assert parse_string(text, "t.bib").lines == {"A": 2, "B": 4}


def test_a_real_key_is_never_taken_for_a_made_up_one():
    """Keyless entries go by a stand-in key while parsed: one no file can hold."""
    batch = parse_string("@article{ibid-no-key-0-x, title = {Real}}\n@article{, title = {Keyless}}\n", "t.bib")
    assert [w.key for w in batch.works] == ["ibid-no-key-0-x", "Keyless"]
    assert [(p.kind, p.line) for p in batch.problems] == [("renamed", 2)]


def test_values_given_twice_are_compared_as_read_and_lists_not_repeated():
    batch = parse_string('@misc{K, title = {Same}, title = "Same", keywords = {a \\{ b}, keywords = {c},\n'
                         '  keywords = "c", keywords = {a \\{ b}}\n', "t.bib")
    (work,) = batch.works
    assert batch.problems == []  # `{Same}` and `"Same"` are the same title; `c` and `a \{ b` are kept once
    assert work.fields["keywords"] == "a \\{ b, c"
