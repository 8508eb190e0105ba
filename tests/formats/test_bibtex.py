"""BibTeX in and out: small hand-made fixtures, and the real files in ../shared/data."""

from __future__ import annotations

import re
from pathlib import Path

import bibtexparser
import pytest

from tests.conftest import SHARED_DATA, require_shared_data
from tui.formats import FormatError, parse_path
from tui.formats import bibtex
from tui.formats.latex import decode
from tui.models import Author, Work
from tui.store import Store

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"


def fields_by_key(library) -> dict[str, dict[str, str]]:
    """bibtexparser's own view: key -> {lower-cased field name: value}."""
    return {e.key: {f.key.lower(): f.value for f in e.fields} for e in library.entries}


def types_by_key(library) -> dict[str, str]:
    return {e.key: e.entry_type.lower() for e in library.entries}


def export_via_store(tmp_path: Path, path: Path) -> tuple[str, Store]:
    """Import a file into a new catalogue and export every work with bibtex.write."""
    store = Store(tmp_path / "catalog.db")
    store.import_batch(parse_path(path))
    return bibtex.write(list(store.works())), store


# ---------------------------------------------------------------------------- the small fixture


@pytest.fixture(scope="module")
def small():
    return bibtex.parse_file(FIXTURES / "small.bib")


def test_small_keys_and_problems(small):
    assert [w.key for w in small.works] == ["Goedel1931", "Turing1936", "Proc1936", "Twice1999", "Doe2020"]
    problems = [(p.kind, p.line) for p in small.problems]
    assert problems == [("mended", 28), ("duplicate", 35)]
    mended, duplicate = small.problems
    # a field given twice keeps the first, as BibTeX does, and says what it left out
    assert str(mended).endswith("small.bib:28: entry 'Twice1999' gives the field 'title' twice; "
                                "kept the first ('A title given twice'), left out 'Another title'")
    assert small.works[3].title == "A title given twice"
    assert str(duplicate).endswith("small.bib:35: duplicate key 'Goedel1931' (first at line 6); kept the first")
    assert all("\n" not in str(p) for p in small.problems)


def test_small_latex_decoded_for_display_raw_kept_for_export(small):
    goedel = small.works[0]
    assert goedel.title == "Über formal unentscheidbare Sätze"
    assert [a.name for a in goedel.authors] == ["Kurt Gödel"]
    assert goedel.fields["title"] == '{\\"U}ber formal unentscheidbare S{\\"a}tze'
    assert goedel.fields["author"] == 'G{\\"o}del, Kurt'
    assert (goedel.type, goedel.year, goedel.volume, goedel.pages) == ("article", 1931, "38", "173-198")
    assert goedel.fields["pages"] == "173--198"


def test_small_string_macro_resolved(small):
    goedel = small.works[0]
    assert goedel.venue == "Philosophical Review"
    assert goedel.fields["journal"] == "Philosophical Review"


def test_small_crossref_fills_in_from_the_parent(small):
    turing = small.works[1]
    assert turing.venue == "Proceedings of the London Mathematical Society"
    assert (turing.year, turing.publisher, turing.pages) == (1936, "LMS", "230-265")
    assert [a.name for a in turing.authors] == ["Alan M. Turing", "Alonzo Church"]
    assert "year" not in turing.fields  # the raw fields stay the entry's own, for export
    assert turing.fields["crossref"] == "Proc1936"


def test_small_names_specials_keywords_abstract(small):
    doe = small.works[4]
    assert [a.name for a in doe.authors] == ["Jane Doe", "Ludwig van Beethoven", "et al."]
    assert doe.title == "Plain & Simple: 50% of $x^2$"
    assert doe.keywords == ["logic", "computability", "proof"]
    assert doe.abstract == "An abstract with emphasis, a café and an em—dash."
    assert doe.fields["note"] == "Unicode kept as is: Łukasiewicz"


def test_small_round_trip(small):
    original = bibtexparser.parse_file(str(FIXTURES / "small.bib"))
    again = bibtexparser.parse_string(bibtex.write(small.works))
    assert again.failed_blocks == []
    twice = {"author": "Nobody, N.", "title": "A title given twice", "year": "1999"}  # bibtexparser fails it
    assert fields_by_key(again) == fields_by_key(original) | {"Twice1999": twice}
    assert types_by_key(again) == types_by_key(original) | {"Twice1999": "article"}


def test_small_imports_into_a_store(tmp_path: Path):
    store = Store(tmp_path / "c.db")
    try:
        summary = store.import_batch(parse_path(FIXTURES / "small.bib"))
        assert (summary.added, summary.duplicates, summary.refused) == (5, 1, 0)
        assert store.count() == 5
        assert [r.key for r in store.search("unentscheidbare")] == ["Goedel1931"]
        assert [r.key for r in store.search("godel")] == ["Goedel1931"]  # search folds the umlaut
        assert store.work("Goedel1931").type == "article"  # the first of the two Goedel1931 entries
    finally:
        store.close()


def test_broken_blocks_are_reported_with_their_line(tmp_path: Path):
    """Syntax errors: the good entries are kept, each bad block is a refused Problem with file:line;
    an entry without a key is kept under a key made from its title."""
    batch = bibtex.parse_file(FIXTURES / "broken.bib")
    assert [w.key for w in batch.works] == ["Before2001", "After2002", "Entry"]
    assert sorted((p.kind, p.line) for p in batch.problems) == [("refused", 4), ("renamed", 11)]
    assert batch.generated == {"Entry"}
    for p in batch.problems:
        assert p.file.endswith("broken.bib") and p.message and "\n" not in str(p)


# ---------------------------------------------------------------------------- writing works without raw fields


def test_write_builds_fields_from_attributes():
    work = Work(key="Wang2020China", type="article", title="China and Russia in the SCO: Consensus & divergence",
                authors=[Author("Li Wang", "Jilin University")], year=2020, venue="Human Affairs", volume="30",
                number="2", pages="189-198", abstract="50% of the $ and #1 in_short",
                keywords=["SCO", "China"])
    text = bibtex.write([work])
    library = bibtexparser.parse_string(text)
    assert library.failed_blocks == []
    fields = fields_by_key(library)["Wang2020China"]
    assert fields["author"] == "Wang, Li"
    assert fields["title"] == r"China and Russia in the SCO: Consensus \& divergence"
    assert (fields["journal"], fields["year"], fields["volume"], fields["number"], fields["pages"]) == (
        "Human Affairs", "2020", "30", "2", "189--198")
    back = bibtex.entry_to_work(library.entries[0])
    assert back.title == work.title
    assert back.abstract == work.abstract
    assert [a.name for a in back.authors] == ["Li Wang"]
    assert back.venue_line == "Human Affairs 30 (2):189-198 (2020)"
    assert back.keywords == ["SCO", "China"]


def test_write_with_unbalanced_braces_still_parses():
    work = Work(key="Odd", type="misc", fields={"title": "An { unbalanced title", "note": "close } first {"})
    library = bibtexparser.parse_string(bibtex.write([work]))
    assert library.failed_blocks == []
    assert [e.key for e in library.entries] == ["Odd"]
    assert set(fields_by_key(library)["Odd"]) == {"title", "note"}


def test_write_entry_type_defaults_to_misc():
    library = bibtexparser.parse_string(bibtex.write([Work(key="T", type="", title="t")]))
    assert types_by_key(library) == {"T": "misc"}


# ---------------------------------------------------------------------------- names and LaTeX


@pytest.mark.parametrize("value, names", [
    ('Wang, Li and D{\\"u}rer, A.', ["Li Wang", "A. Dürer"]),
    ("Li Wang", ["Li Wang"]),
    ("van Beethoven, Ludwig", ["Ludwig van Beethoven"]),
    ("King, Jr, Martin Luther", ["Martin Luther King, Jr"]),
    ("{World Health Organization}", ["World Health Organization"]),
    ("Smith, J. and others", ["J. Smith", "et al."]),
    ("Smith, J. AND Doe, K.", ["J. Smith", "K. Doe"]),
    ("", []),
    ("   ", []),
])
def test_parse_names(value, names):
    assert bibtex.parse_names(value) == names


def test_name_to_bibtex_and_escape():
    assert bibtex.name_to_bibtex("Li Wang") == "Wang, Li"
    assert bibtex.name_to_bibtex("Ada Augusta Lovelace") == "Lovelace, Ada Augusta"
    assert bibtex.name_to_bibtex("Plato") == "Plato"
    assert bibtex.latex_escape("A & B 50% $5 #1 a_b") == r"A \& B 50\% \$5 \#1 a\_b"
    assert bibtex.latex_escape(r"already \& escaped") == r"already \& escaped"


@pytest.mark.parametrize("raw, text", [
    ("", ""),
    ("plain text", "plain text"),
    ('{\\"U}ber', "Über"),
    ("G{\\\"o}del", "Gödel"),
    ("{Braces} only", "Braces only"),
    ("pages 1--2", "pages 1–2"),
    ("a---b", "a—b"),
    ("  many \n  spaces  ", "many spaces"),
    ("caf\\'e", "café"),
    ("\\textit{Italic}", "Italic"),
])
def test_decode(raw, text):
    assert decode(raw) == text


# ---------------------------------------------------------------------------- real files


def test_biblatex_examples_round_trip(tmp_path: Path):
    path = require_shared_data("bib/biblatex/biblatex-examples.bib")
    original = bibtexparser.parse_file(str(path))
    exported, store = export_via_store(tmp_path, path)
    try:
        assert store.count() == len(original.entries)
    finally:
        store.close()
    again = bibtexparser.parse_string(exported)
    assert again.failed_blocks == []
    want, got = fields_by_key(original), fields_by_key(again)
    assert set(got) == set(want)
    assert len(want) > 90
    for key in want:
        assert got[key] == want[key], key
    assert types_by_key(again) == types_by_key(original)


def test_biblatex_examples_decoded_values(tmp_path: Path):
    path = require_shared_data("bib/biblatex/biblatex-examples.bib")
    batch = parse_path(path)
    by_key = {w.key: w for w in batch.works}
    assert by_key["aristotle:poetics"].title == "Poetics"
    assert [a.name for a in by_key["knuth:ct:a"].authors] == ["Donald E. Knuth"]
    sigfridsson = by_key["sigfridsson"]
    assert sigfridsson.year == 1998 and sigfridsson.abstract
    assert "\\" not in sigfridsson.title and "{" not in sigfridsson.title


def test_tugboat_round_trip(tmp_path: Path):
    """A large hand-kept file (2,720 entries) goes out and back with every field equal."""
    path = require_shared_data("bib/tugboat.bib")
    original = bibtexparser.parse_file(str(path))
    exported, store = export_via_store(tmp_path, path)
    store.close()
    again = bibtexparser.parse_string(exported)
    want, got = fields_by_key(original), fields_by_key(again)
    assert set(got) == set(want) and len(want) > 2000
    assert [k for k in want if got[k] != want[k]] == []


def _real_bib_files() -> list:
    files = sorted(SHARED_DATA.glob("bib/**/*.bib")) + sorted(SHARED_DATA.glob("zotero-bbt/import/*.bib"))
    return files or [None]


def _file_id(path) -> str:
    return str(path.relative_to(SHARED_DATA)) if path else "no-shared-data"


def _reference_text(path: Path) -> str | None:
    """The file as text, read independently of ibid: a BOM decides, then JabRef's `% Encoding:`
    line when it decodes, NULs mean UTF-16, else UTF-8; None when none of these read it."""
    data = path.read_bytes()
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16")
    declared = re.search(rb"^% Encoding: (\S+)", data[:1024], re.M)
    if declared:
        try:
            return data.decode(declared.group(1).decode())
        except (LookupError, UnicodeDecodeError):
            pass
    if b"\x00" in data:  # UTF-16 without a BOM (JabRef's tiny-BE/LE-noBOM): the NULs say which order
        return data.decode("utf-16-be" if data[0] == 0 else "utf-16-le")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return None


@pytest.mark.parametrize("path", _real_bib_files(), ids=_file_id)
def test_real_bib_file_imports(path, tmp_path: Path):
    """Every real .bib imports (or is refused whole with one line); the counts add up to bibtexparser's."""
    if path is None:
        require_shared_data("bib")
    name = _file_id(path)
    text = _reference_text(path)
    # (bibtexparser reads `%` comments as text; ibid as biber does: comments blanked first)
    reference = bibtexparser.parse_string(bibtex.strip_comments(text)) if text is not None else None
    try:
        batch = parse_path(path)
    except FormatError as exc:
        message = str(exc)
        print(f"{name}: refused whole: {message}")
        assert message and "\n" not in message and str(path) in message
        # Refusing a whole file is only right when it is not UTF-8 or holds no entries at all.
        assert reference is None or (reference.entries == [] and reference.failed_blocks == []), message
        return
    store = Store(tmp_path / "catalog.db")
    try:
        summary = store.import_batch(batch)
        works = store.count()
    finally:
        store.close()
    duplicates = sum(1 for p in batch.problems if p.kind == "duplicate")
    refused = sum(1 for p in batch.problems if p.kind == "refused")
    if reference is None:  # not UTF-8 and says nothing: read in a guessed encoding, and said so
        assert batch.problems[0].kind == "encoding" and "read as" in batch.problems[0].message
        return
    entries, failed = len(reference.entries), len(reference.failed_blocks)
    print(f"{name}: ibid {works} works / bibtexparser {entries} entries "
          f"(ibid: {duplicates} duplicates, {refused} refused; bibtexparser: {failed} failed blocks)")
    assert summary.added == works == len(batch.works)
    assert works + duplicates + refused == entries + failed
    for p in batch.problems:
        assert "\n" not in str(p) and p.file == str(path)
        assert p.line is None or p.line >= 1


@pytest.mark.parametrize("encoding", ["utf-16-le", "utf-16-be"])
def test_utf16_without_bom_is_read(tmp_path: Path, encoding: str):
    path = tmp_path / "w.bib"
    path.write_bytes("@article{k, title = {Über Ästhetik}, year = {2001}}\n".encode(encoding))
    batch = parse_path(path)
    assert [(w.key, w.title) for w in batch.works] == [("k", "Über Ästhetik")]


def test_a_bib_with_only_strings_and_comments_says_so(tmp_path: Path):
    path = tmp_path / "s.bib"
    path.write_text('@string{jan = "January"}\n% nothing else\n')
    with pytest.raises(FormatError, match="no BibTeX entries to import .only comments and @string definitions."):
        parse_path(path)
