"""LaTeX -> Unicode: the fast path gives pylatexenc's text wherever it takes a value."""

from __future__ import annotations

import re

import bibtexparser
import pytest
from bibtexparser.middlewares.names import split_multiple_persons_names

from tests.conftest import require_shared_data
from tui.formats.latex import _converter, _simple, decode

HANDMADE = [
    r"\ss x", r"{\ss}x", r"\"o", r"\"{o}", r"{\"o}", r"\'{\i}", r"\c{c}", r"\c c", r"\v{s}", r"\emph{Hi} there",
    r"a \& b", r"a~b", r"a--b", r"a---b", r"\"{}", r"\o{}", r"\o x", r"\AA", r"\l{}", r"\u{g}", r"\H{o}",
    r"\k{a}", r"\r{a}", r"\=a", r"\.z", r"\textit{x}y", r"\textbf {x}", r"\'E", r"\`a", r"\^{\i}", r"\~n",
    r"\%", r"\_", r"\#", r"\{x\}", r"\"\i", r"\u\i", r"\'\ae", r"{\'{E}}cole", r"\textsc{Abc} d", r"\' e",
    r"\^{}a", r"D{\"u}rer, A.", r"Gödel", r"{Sch{\"o}nberg}", r"Ca{\~n}izares", r"a\,b", "a\\par\nb",
    r"x\textendash y", r"a\ldots b", r"hy\-phen", r"it\/ b", "fields.\\par\n\n   Then", r"a\ b", "\\ss\nx",
]
# what the fast path leaves to pylatexenc (and why): unknown macros, math, comments, quotes
DECLINED = [r"\TeX", r"$x^2$", r"a%b", r"``q''", r"\texttt{x}", r"\textup{x}", r"\slash", r"\\", r"{unclosed",
            r"closed}"]


def same(value: str) -> bool:
    norm = lambda text: re.sub(r"\s+", " ", text).strip()  # noqa: E731  (decode collapses spaces too)
    return norm(_simple(value)) == norm(_converter().latex_to_text(value))


@pytest.mark.parametrize("value", HANDMADE)
def test_fast_path_equals_pylatexenc(value):
    assert _simple(value) is not None
    assert same(value)


@pytest.mark.parametrize("value", DECLINED)
def test_fast_path_declines(value):
    assert _simple(value) is None
    if "\\" in value or "$" in value or "{" in value or "}" in value:  # what decode sends to pylatexenc
        assert decode(value) == re.sub(r"\s+", " ", _converter().latex_to_text(value)).strip()


def test_fast_path_on_real_files():
    values = set()
    for name in ("bib/biblatex/biblatex-examples.bib", "bib/tugboat.bib"):
        library = bibtexparser.parse_file(str(require_shared_data(name)))
        for entry in library.entries:
            for f in entry.fields:
                value = str(f.value)
                if "\\" in value:
                    values.add(value)
                if f.key.lower() in ("author", "editor"):
                    values.update(p for p in split_multiple_persons_names(value) if "\\" in p)
    taken = [v for v in values if _simple(v) is not None]
    assert len(taken) > 100
    assert [v for v in taken if not same(v)] == []
