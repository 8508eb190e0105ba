"""The LaTeX a file means beyond the decoder (issue 22): @preamble macros, sort-key no-ops,
language and quotation macros, quotation ligatures, symbols that must not vanish."""

from __future__ import annotations

from pathlib import Path

import pytest

from tui.formats import parse_path
from tui.formats.latex import decode
from tui.formats.macros import Macros, expand

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "bib22" / "macros.bib"


@pytest.fixture(scope="module")
def works():
    batch = parse_path(FIXTURE)
    assert batch.problems == []
    return {w.key: w for w in batch.works}


def test_preamble_macros_and_sort_no_ops(works):
    assert works["Sorted1984"].title == "TeX in Practice"
    assert works["Sorted1984"].publisher == "Association for Computing Machinery"
    assert works["Undefined1990"].title == "Second volume and more"
    assert works["Undefined1990"].venue == "TUGboat"
    # the raw fields keep the LaTeX as written: export gives the file back
    assert works["Sorted1984"].fields["title"] == r"{\noopsort{1984}}{\TeX} in Practice"


def test_language_macros_give_the_text_without_the_language(works):
    assert works["Lang2001"].title == "Die Welt and le monde, logos Silbentrennung"


def test_quotation_macros_nest_and_definitions_tex_cannot_show_as_text_are_skipped(works):
    assert works["Lang2001"].abstract == ("“Outer ‘inner’ text” and “q”; stress. The biblatex way, "
                                          "Влияние, Francu.")


def test_quotation_ligatures_and_apostrophes(works):
    assert works["Quotes2002"].title == "“Double” and ‘single’ quotes, Turing's ‘don't’ test, and $f''(x)$"
    assert works["Quotes2002"].authors[0].name == "Pat O'Brien"


def test_german_quotes_where_the_entry_is_german(works):
    assert works["German2003"].title == "„Intention“ und „Intentionalität“"
    assert decode(",,nicht deutsch''") == ",,nicht deutsch”"


def test_symbols_never_vanish(works):
    assert works["Symbols2004"].title == "£5 for § 4 and ¶2: © 2004 † ‡, €3, 20°C"


@pytest.mark.parametrize("value, shown", [
    (r"\textsection 1 \textparagraph", "§1 ¶"), (r"\textpounds{}10", "£10"), (r"\euro 2", "€2"),
    (r"\glqq Welt\grqq", "„Welt“"), (r"\flqq x\frqq", "«x»"), (r"\textless a\textgreater", "<a>"),
    (r"\Sigma \Pi", "ΣΠ"), (r"\Sec", "Sec"),  # (other control words as before)
])
def test_more_symbols(value, shown):
    assert decode(value) == shown


def test_a_macro_defined_by_itself_stops():
    macros = Macros()
    macros.read_preamble(r"\def\loop{\loop a}")
    assert expand(r"\loop", macros).count("a") <= 500


def test_providecommand_does_not_replace_a_definition():
    macros = Macros()
    macros.read_preamble(r"\newcommand{\X}{first} \providecommand{\X}{second} \renewcommand\Y[2][d]{#1-#2}")
    assert decode(r"\X \Y{b} \Y[a]{b}", macros) == "first d-b a-b"
