"""LaTeX -> Unicode: the fast path gives pylatexenc's text wherever it takes a value."""

from __future__ import annotations

import re

import bibtexparser
import pytest
from bibtexparser.middlewares.names import split_multiple_persons_names

from tests.conftest import require_shared_data
from tui.formats.latex import _converter, _known_macros, _simple, decode

HANDMADE = [
    r"\ss x", r"{\ss}x", r"\"o", r"\"{o}", r"{\"o}", r"\'{\i}", r"\c{c}", r"\c c", r"\v{s}", r"\emph{Hi} there",
    r"a \& b", r"a~b", r"a--b", r"a---b", r"\"{}", r"\o{}", r"\o x", r"\AA", r"\l{}", r"\u{g}", r"\H{o}",
    r"\k{a}", r"\r{a}", r"\=a", r"\.z", r"\textit{x}y", r"\textbf {x}", r"\'E", r"\`a", r"\^{\i}", r"\~n",
    r"\%", r"\_", r"\#", r"\{x\}", r"\"\i", r"\u\i", r"\'\ae", r"{\'{E}}cole", r"\textsc{Abc} d", r"\' e",
    r"\^{}a", r"D{\"u}rer, A.", r"Gödel", r"{Sch{\"o}nberg}", r"Ca{\~n}izares", r"a\,b", "a\\par\nb",
    r"x\textendash y", r"a\ldots b", r"hy\-phen", r"it\/ b", "fields.\\par\n\n   Then", r"a\ b", "\\ss\nx",
    r"$x^2$ y", r"a $\alpha + \beta$ b", r"{$x$}y", r"\unknownmacro{a}{b} x", r"{\it x} y", r"\em x", r"\acro{TUG} x",
    r"\booktitle{A B} c", r"x \bf y", r"a \\ b", r"a \\[2pt] b", r"a\\* b", "a\\\\ \n *b", "a\\\\* [1pt] b", r"``q''", r"`q'", r"x''", r"\url{x} y",
    r"\textbackslash x", r"a\:b", r"a # b_c^d", r"\vphantom {x} y", r"a\@. b", r"a\!b", r"a\quad b", r"\dots x",
    r"x\textquoteright s", r"\Acro{NASA} x", r"{\SMC SGML}, and",
]
# what the fast path leaves to pylatexenc (and why): unknown macros, math, comments, quotes
DECLINED = [r"a%b", r"a & b", r"{unclosed", r"closed}", r"\url{a{b}}", r"$$x$$", r"$x", r"\cite{k}",
            r"\begin{verbatim}x\end{verbatim}", r"\hspace{1em}x", r"a \\[2pt"]
# where pylatexenc loses text, the fast path keeps it: what the LaTeX prints
KEPT = [(r"Publishing \& \TeX", "Publishing & TeX", "Publishing &"),
        (r"The format of {\TeX}'s {DVI} files", "The format of TeX's DVI files", "The format of 's DVI files"),
        (r"\TeX users", "TeX users", "users"), (r"\LaTeXe{} and \BibTeX", "LaTeX2\u03b5 and BibTeX", "and"),
        (r"\MF{} fonts", "METAFONT fonts", "fonts"), (r"\texttt{grep} x", "grep x", "x"),
        (r"\mbox{a b} c", "a b c", "c"), (r"a\slash b", "a/b", "ab"), (r"1990\Dash 2000", "1990\u20142000", "19902000"),
        (r"Database publishing with {\Java} and \TeX", "Database publishing with Java and TeX",
         "Database publishing with and"), (r"\XML{} files", "XML files", "files"),
        (r"\CTAN: x", "CTAN: x", ": x"), (r"on the \VAX.", "on the VAX.", "on the ."),
        (r"Robert \Mc Gaffey", "Robert McGaffey", "Robert Gaffey"),
        (r"\url{http://x.org/~a/b%20c}", "<http://x.org/~a/b%20c>", "<http://x.org/ a/b>")]
# which it compares with pylatexenc only without these (nor a macro that ends the math, as in
# `{$\not$}a`, where pylatexenc takes the closing `$` for the macro's argument: `$\not$}a`)
OURS = re.compile(r"\\(TeX|LaTeX|LaTeXe|BibTeX|BibLaTeX|AmSTeX|AmSLaTeX|ConTeXt|LuaTeX|LuaLaTeX|XeTeX|XeLaTeX|pdfTeX|"
                  r"pdfLaTeX|eTeX|SliTeX|MF|MP|METAFONT|METAPOST|texttt|textup|textnormal|mbox|textsf|textmd|slash|Dash|"
                  r"emdash|endash|url)(?![A-Za-z])|\\[A-Za-z]+\$")


def same(value: str) -> bool:
    norm = lambda text: re.sub(r"\s+", " ", text).strip()  # noqa: E731  (decode collapses spaces too)
    return norm(_simple(value)) == norm(_converter().latex_to_text(value))


@pytest.mark.parametrize("value", HANDMADE)
def test_fast_path_equals_pylatexenc(value):
    assert _simple(value) is not None
    assert same(value)


@pytest.mark.parametrize("value, ours, theirs", KEPT)
def test_the_fast_path_keeps_text_pylatexenc_drops(value, ours, theirs):
    assert decode(value) == ours
    assert re.sub(r"\s+", " ", _converter().latex_to_text(value)).strip() == theirs  # (why it is not theirs)


@pytest.mark.parametrize("value", DECLINED)
def test_fast_path_declines(value):
    assert _simple(value) is None
    if "\\" in value or "$" in value or "{" in value or "}" in value:  # what decode sends to pylatexenc
        assert decode(value) == re.sub(r"\s+", " ", _converter().latex_to_text(value)).strip()


def test_fast_path_on_real_files():
    values = set()
    for name in ("bib/biblatex/biblatex-examples.bib", "bib/tugboat.bib", "bench/combined-benchmark.bib"):
        library = bibtexparser.parse_file(str(require_shared_data(name)))
        for entry in library.entries:
            for f in entry.fields:
                value = str(f.value)
                if "\\" in value or "$" in value:
                    values.add(value)
                if f.key.lower() in ("author", "editor"):
                    values.update(p for p in split_multiple_persons_names(value) if "\\" in p)
    known = _known_macros()
    taken = [v for v in values if _simple(v) is not None and not OURS.search(v)
             and all(m in known for m in re.findall(r"\\([A-Z][A-Za-z]*)", v))]  # (capitals unknown to it: ours)
    assert len(taken) > 10_000
    assert [v for v in taken if not same(v)] == []
