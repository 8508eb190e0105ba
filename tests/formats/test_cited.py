"""The keys a manuscript cites: real .aux and .bcf files that pdflatex and biber wrote for
tests/fixtures/manuscripts/paper.tex, the .tex itself, and a pandoc Markdown file."""

from __future__ import annotations

from pathlib import Path

import pytest

from tui.formats import FormatError
from tui.formats import cited as cited_module
from tui.formats.cited import Cited, cited_keys, format_keys

MANUSCRIPTS = Path(__file__).resolve().parents[1] / "fixtures" / "manuscripts"

# paper.tex's citations, in order: every form it uses, then chapter.tex (\input), \nocite,
# and appendix.tex (\include); none from comments, verbatim, \verb or the missing file
PAPER = [
    "aksin", "angenendt", "baez/article", "bertram", "doody", "gillies", "glashow", "herrmann",
    "kastenholz", "murray", "reese", "sarfraz", "shore", "sigfridsson", "spiegelberg", "springer",
    "weinberg", "yoon", "aristotle:anima", "aristotle:physics", "knuth:ct:a", "knuth:ct:b",
    "cicero", "coleridge", "companion", "cotton", "kant:kpv", "kant:ku", "nietzsche:ksa1",
    "iliad", "worman", "wilde", "vangennep", "ctan", "markey", "loh",
    "geer", "chiu",  # chapter.tex
    "cms",  # \nocite
    "moraux", "salam",  # appendix.tex, by \include
]


def test_tex_gives_every_form_in_order():
    cited = cited_keys(MANUSCRIPTS / "paper.tex")
    assert cited.keys == PAPER
    assert not cited.all
    assert [str(p) for p in cited.problems] == [
        f"{MANUSCRIPTS / 'paper.tex'}:54: \\input{{missing-chapter}}: no such file beside the manuscript; skipped"]


def test_biber_aux_gives_the_same_keys():
    """biblatex's `\\abx@aux@cite{0}{key}` lines, the appendix's through `\\@input{appendix.aux}`."""
    cited = cited_keys(MANUSCRIPTS / "paper.aux")
    assert cited.keys == PAPER
    assert cited.problems == [] and not cited.all


def test_bibtex_aux_gives_the_same_keys_without_biblatex_control():
    """backend=bibtex: `\\citation{key}` lines too, and biblatex's own `biblatex-control`."""
    assert "\\citation{biblatex-control}" in (MANUSCRIPTS / "bibtex" / "paper.aux").read_text()
    cited = cited_keys(MANUSCRIPTS / "bibtex" / "paper.aux")
    assert cited.keys == PAPER
    assert cited.problems == []


def test_bcf_gives_the_same_keys():
    cited = cited_keys(MANUSCRIPTS / "paper.bcf")
    assert cited.keys == PAPER
    assert cited.problems == [] and not cited.all


def test_natbib_aux_with_several_keys_a_line_an_include_and_nocite_all():
    cited = cited_keys(MANUSCRIPTS / "natbib" / "thesis.aux")
    # westfahl:frontier: plainnat's .bbl cites the collection a crossref'd entry is in
    assert cited.keys == ["aksin", "angenendt", "baez/article", "doody", "gillies", "geer", "chiu",
                          "westfahl:frontier"]
    assert cited.all


def test_natbib_tex():
    cited = cited_keys(MANUSCRIPTS / "natbib" / "thesis.tex")
    assert cited.keys == ["aksin", "angenendt", "baez/article", "doody", "gillies", "geer", "chiu"]
    assert cited.all


def test_pandoc_markdown():
    """The same keys pandoc 2.17 finds in paper.md (`pandoc -t json`), in the same order."""
    cited = cited_keys(MANUSCRIPTS / "paper.md")
    assert cited.keys == [
        "loh", "cms", "jcg",  # the front matter: the title, and nocite
        "aksin", "angenendt", "baez/article", "bertram", "doody", "gillies", "glashow", "herrmann",
        "knuth:ct:a", "murray", "reese", "aristotle:anima", "aristotle:physics", "kastenholz",
        "sarfraz", "shore", "coleridge", "companion", "cotton"]
    assert cited.problems == [] and not cited.all


def test_several_files_in_order_of_first_citation():
    cited = cited_keys(MANUSCRIPTS / "natbib" / "thesis.tex", MANUSCRIPTS / "paper.md")
    assert cited.keys[:8] == ["aksin", "angenendt", "baez/article", "doody", "gillies", "geer", "chiu", "loh"]
    assert cited.keys.count("aksin") == 1 and cited.all


# --- .tex in detail ---------------------------------------------------------------------------

def _tex(tmp_path: Path, text: str, name: str = "main.tex") -> Cited:
    (tmp_path / name).write_text(text, encoding="utf-8")
    return cited_keys(tmp_path / name)


@pytest.mark.parametrize("text, keys", [
    (r"\cite{a}\cite*{b}\Textcite*[p.~1]{c}", ["a", "b", "c"]),
    (r"\citep[see][{p.~[3]}]{a} \citet[{x]y}]{b}", ["a", "b"]),
    (r"\cite [see] [p.~2] {a}", ["a"]),
    ("\\parencite[see][\n  12]{a,\n b}", ["a", "b"]),
    (r"\cites(all (of) these)(){a}[3]{b}[see][]{c,d} {e} text {f}", ["a", "b", "c", "d", "e"]),
    (r"\textcites[1]{a}[2]{b}. \footcites{c}", ["a", "b", "c"]),
    (r"50\% \cite{a} % \cite{b}", ["a"]),
    (r"\verb|\cite{a}| \verb*!\cite{b}! \lstinline{\cite{c}} \cite{d}", ["d"]),
    ("\\begin{Verbatim}[fontsize=\\small]\n\\cite{a}\n\\end{Verbatim}\\cite{b}", ["b"]),
    ("\\begin{minted}{latex}\n\\cite{a}\n\\end{minted}\\begin{comment}\\cite{b}\\end{comment}\\cite{c}", ["c"]),
    ("\\begin{verbatim*}\n\\cite{a}\n\\end{verbatim*}\\begin{lstlisting}\\cite{b}\\end{lstlisting}", []),
    (r"\cite{Müller:2020/ä&co, odd key, {braced}}", ["Müller:2020/ä&co", "odd key", "{braced}"]),
    (r"\citeauthor{a}\citeyear{b}\citetitle{c}\fullcite{d}\nocite{e}\smartcite{f}\supercite{g}",
     ["a", "b", "c", "d", "e", "f", "g"]),
    (r"\citealt{a} \citeincidental{b} \recite{c}", ["a"]),
])
def test_tex_forms(tmp_path, text, keys):
    cited = _tex(tmp_path, text)
    assert cited.keys == keys
    assert cited.problems == []


def test_tex_nocite_all(tmp_path):
    cited = _tex(tmp_path, r"\cite{a}\nocite{*}")
    assert cited.all and cited.keys == ["a"]


def test_tex_includes_with_and_without_suffix_and_subfile(tmp_path):
    (tmp_path / "chapters").mkdir()
    (tmp_path / "one.tex").write_text(r"\cite{one}")
    (tmp_path / "two.tex").write_text(r"\cite{two}")
    (tmp_path / "chapters" / "three.tex").write_text(r"\cite{three}\subfile{four}")  # subfile: beside it
    (tmp_path / "chapters" / "four.tex").write_text(r"\cite{four}")
    cited = _tex(tmp_path, "\\input{one}\\include{two}\\input{chapters/three.tex}\\cite{last}")
    assert cited.keys == ["one", "two", "three", "four", "last"]
    assert cited.problems == []


def test_tex_include_cycle_is_read_once_and_said(tmp_path):
    (tmp_path / "a.tex").write_text("\\cite{a}\n\\input{b}")
    (tmp_path / "b.tex").write_text("\\cite{b}\n\\input{a}\\cite{c}")
    cited = cited_keys(tmp_path / "a.tex")
    assert cited.keys == ["a", "b", "c"]
    assert [str(p) for p in cited.problems] == [
        f"{tmp_path / 'b.tex'}:2: \\input{{a}} brings in a file already being read (an include cycle): skipped"]


def test_tex_included_binary_is_skipped_and_said(tmp_path):
    (tmp_path / "fig.tex").write_bytes(b"\x00\x01binary")
    cited = _tex(tmp_path, "\\input{fig}\\cite{a}")
    assert cited.keys == ["a"]
    assert [p.message for p in cited.problems] == [f"skipped {tmp_path / 'fig.tex'}: a binary file, not a manuscript"]


def test_tex_cite_without_keys_is_said(tmp_path):
    cited = _tex(tmp_path, "\\cite{a}\n\\cite[p.~2]\n\\cite{b")
    assert cited.keys == ["a"]
    assert [(p.line, p.message) for p in cited.problems] == [
        (2, "a cite command without its {keys} (or not closed): skipped"),
        (3, "a cite command without its {keys} (or not closed): skipped")]


# --- .aux and .bcf in detail ------------------------------------------------------------------

def test_aux_forms_and_a_missing_included_aux(tmp_path):
    (tmp_path / "ch.aux").write_text("\\relax\n\\citation{c}\n")
    (tmp_path / "main.aux").write_text(
        "\\relax\n\\citation{a, b}\n\\abx@aux@cite{old}\n\\abx@aux@cite{0}{new}\n\\@input{ch.aux}\n"
        "\\@input{gone.aux}\n\\bibcite{notcited}{{1}{}}\n\\citation{*}\n")
    cited = cited_keys(tmp_path / "main.aux")
    assert cited.keys == ["a", "b", "old", "new", "c"]
    assert cited.all
    assert [str(p) for p in cited.problems] == [
        f"{tmp_path / 'main.aux'}:6: no gone.aux beside main.aux (the .aux of an \\include); skipped"]


def test_aux_that_inputs_itself(tmp_path):
    (tmp_path / "main.aux").write_text("\\citation{a}\n\\@input{main.aux}\n")
    cited = cited_keys(tmp_path / "main.aux")
    assert cited.keys == ["a"] and len(cited.problems) == 1


BCF = """<?xml version="1.0" encoding="UTF-8"?>
<bcf:controlfile version="3.9" bltxversion="3.18b" xmlns:bcf="https://sourceforge.net/projects/biblatex">
  <bcf:section number="0">
    <bcf:citekey order="1" intorder="1">aksin</bcf:citekey>
    <bcf:citekey order="2" intorder="1" nocite="1">*</bcf:citekey>
  </bcf:section>
  <bcf:section number="1">
    <bcf:citekey order="1" intorder="1">loh</bcf:citekey>
    <bcf:citekey order="2" intorder="1">aksin</bcf:citekey>
  </bcf:section>
  <bcf:section number="0">
  </bcf:section>
</bcf:controlfile>
"""


def test_bcf_sections_and_nocite_all(tmp_path):
    """As biblatex 3.18 writes `\\cite{aksin}\\nocite{*}\\newrefsection\\cite{loh}`."""
    (tmp_path / "m.bcf").write_text(BCF)
    cited = cited_keys(tmp_path / "m.bcf")
    assert cited.keys == ["aksin", "loh"] and cited.all


LAUGHS = """<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>
<bcf:controlfile xmlns:bcf="https://sourceforge.net/projects/biblatex"><bcf:citekey>&lol2;</bcf:citekey></bcf:controlfile>
"""


def test_bcf_with_a_doctype_is_refused(tmp_path, monkeypatch):
    monkeypatch.setattr(cited_module, "_SafeET", None)  # as without defusedxml
    (tmp_path / "m.bcf").write_text(LAUGHS)
    with pytest.raises(FormatError, match=r"m\.bcf:2: a DOCTYPE in a \.bcf"):
        cited_keys(tmp_path / "m.bcf")


def test_bcf_with_a_doctype_is_refused_by_defusedxml(tmp_path):
    (tmp_path / "m.bcf").write_text(LAUGHS)
    with pytest.raises(FormatError, match="refused"):
        cited_keys(tmp_path / "m.bcf")


def test_bcf_not_well_formed_or_not_biber(tmp_path):
    (tmp_path / "m.bcf").write_text(BCF.replace("</bcf:section>\n  <bcf:section number=\"1\">", "", 1)[:-20])
    with pytest.raises(FormatError, match=r"m\.bcf:\d+: not well-formed XML"):
        cited_keys(tmp_path / "m.bcf")
    (tmp_path / "n.bcf").write_text("<html><p>hi</p></html>")
    with pytest.raises(FormatError, match=r"not a biber control file \(its root is <html>\)"):
        cited_keys(tmp_path / "n.bcf")


# --- Markdown in detail -----------------------------------------------------------------------

@pytest.mark.parametrize("text, keys", [
    ("[@a]", ["a"]),
    ("@a says", ["a"]),
    ("[-@a; @b, p. 3]", ["a", "b"]),
    ("[see @a, pp. 33-35; also @b, chap. 1]", ["a", "b"]),
    ("@{key:with/odd.chars?} and [@{https://example.com/x?y=1&z=2}]",
     ["key:with/odd.chars?", "https://example.com/x?y=1&z=2"]),
    ("@{no spaces in braces} [@{nor here}]", []),  # pandoc 2.17 cites neither
    ("_@a_ *@b* (@c) \"@d\" @e's (see @f) [@g]{.x} @h-i @j--k", ["a_", "b", "c", "d", "e", "f", "g", "h-i", "j"]),
    ("@Smith_2004:a.b#c$d%e&f-g+h?i<j>k~l/m.", ["Smith_2004:a.b#c$d%e&f-g+h?i<j>k~l/m"]),
    ("@a, @b; @c: @d. @e!", ["a", "b", "c", "d", "e"]),
    ("@müller2020 and @_under", ["müller2020", "_under"]),
    ("me@example.org, <you@example.org>, \\@a, `@b`, [link](https://x.org/@c)", []),
    ("```\n@a\n```\n\n~~~ {.md}\n@b\n```\n@c\n~~~\n@d", ["d"]),
    ("para\n\n    @a\n    @b\n\n@c", ["c"]),
    ("para\n    @a continues the paragraph", ["a"]),
    ("---\nnocite: '@*'\n---\n@a", ["a"]),
])
def test_markdown_forms(tmp_path, text, keys):
    (tmp_path / "m.md").write_text(text)
    assert cited_keys(tmp_path / "m.md").keys == keys


def test_markdown_nocite_all_and_suffixes(tmp_path):
    for name in ("m.qmd", "m.Rmd", "m.markdown"):
        (tmp_path / name).write_text("---\ntitle: x\nnocite: |\n  @*\n---\n[@a]\n")
        cited = cited_keys(tmp_path / name)
        assert cited.all and cited.keys == ["a"]


def test_markdown_a_dashed_line_later_is_not_front_matter(tmp_path):
    (tmp_path / "m.md").write_text("@a\n\n---\nnocite: '@b'\n---\n")
    assert cited_keys(tmp_path / "m.md").keys == ["a", "b"]  # text, as pandoc reads it (a rule, then prose)


# --- bad input --------------------------------------------------------------------------------

def test_unknown_suffix_names_the_known(tmp_path):
    (tmp_path / "paper.docx").write_text("x")
    with pytest.raises(FormatError, match=r"not a manuscript ibid reads \(it reads \.aux, \.bcf, \.tex, \.ltx, "
                                          r"\.md, \.markdown, \.qmd, \.Rmd\)"):
        cited_keys(tmp_path / "paper.docx")


def test_missing_file_and_directory(tmp_path):
    with pytest.raises(FormatError, match="no such file"):
        cited_keys(tmp_path / "gone.aux")
    (tmp_path / "d.tex").mkdir()
    with pytest.raises(FormatError, match="is a directory"):
        cited_keys(tmp_path / "d.tex")


def test_binary_aux_is_refused(tmp_path):
    (tmp_path / "m.aux").write_bytes(b"\\citation{a}\n\x00\x00\x7fELF")
    with pytest.raises(FormatError, match=r"m\.aux: a binary file, not a manuscript"):
        cited_keys(tmp_path / "m.aux")


def test_huge_aux_is_refused_without_reading_it(tmp_path, monkeypatch):
    with open(tmp_path / "m.aux", "wb") as f:
        f.truncate(100 * 1024 * 1024)  # sparse: 100 MB that take no room

    def never(self):
        raise AssertionError("read a file too large to read")

    monkeypatch.setattr(Path, "read_bytes", never)
    with pytest.raises(FormatError, match=r"m\.aux: 105 MB, too large for a manuscript \(ibid reads up to 50 MB\)"):
        cited_keys(tmp_path / "m.aux")


def test_not_utf8_is_read_and_said(tmp_path):
    (tmp_path / "m.tex").write_bytes("\\cite{a}\n% Gr\xfc\xdfe\n\\cite{b}\n".encode("latin-1"))
    cited = cited_keys(tmp_path / "m.tex")
    assert cited.keys == ["a", "b"]
    assert [(p.line, p.message.split(":")[0]) for p in cited.problems] == [(2, "not UTF-8")]


def test_bom_is_not_part_of_a_key(tmp_path):
    (tmp_path / "m.md").write_bytes("\ufeff@a".encode("utf-8"))
    assert cited_keys(tmp_path / "m.md").keys == ["a"]


# --- keys for a manuscript --------------------------------------------------------------------

def test_format_keys():
    keys = ["aksin", "baez/article", "knuth:ct:a"]
    assert format_keys(keys, "latex") == r"\cite{aksin,baez/article,knuth:ct:a}"
    assert format_keys(keys, "pandoc") == "[@aksin; @baez/article; @knuth:ct:a]"
    assert format_keys(keys, "plain") == "aksin, baez/article, knuth:ct:a"
    assert format_keys(["odd&key?", "x."], "pandoc") == "[@{odd&key?}; @{x.}]"
    with pytest.raises(ValueError, match=r"unknown citation format 'apa' \(known: latex, pandoc, plain\)"):
        format_keys(keys, "apa")


def test_format_keys_round_trips_through_the_readers(tmp_path):
    keys = ["aksin", "baez/article", "knuth:ct:a", "odd&key?", "x."]
    (tmp_path / "m.md").write_text(format_keys(keys, "pandoc"))
    (tmp_path / "m.tex").write_text(format_keys(keys, "latex"))
    assert cited_keys(tmp_path / "m.md").keys == keys
    assert cited_keys(tmp_path / "m.tex").keys == keys
