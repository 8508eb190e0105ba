"""Identifiers in every way people write them, and the near-misses."""

from __future__ import annotations

import pytest

from tui.identifiers import Identifier, IdentifierError, isbn13, parse_identifier, split_identifiers

DOI = "10.1093/mind/LIX.236.433"


@pytest.mark.parametrize("text", [
    DOI, f"doi:{DOI}", f"DOI: {DOI}", f"https://doi.org/{DOI}", f"https://dx.doi.org/{DOI}", f"http://doi.org/{DOI}",
    f"http://dx.doi.org/{DOI}", f"doi.org/{DOI}", f"{DOI}.", f"({DOI}),", f"<https://doi.org/{DOI}>",
    "https://doi.org/10.1093%2Fmind%2FLIX.236.433", f"  {DOI}\n", f"info:doi/{DOI}",
])
def test_a_doi_in_every_written_form(text):
    ident = parse_identifier(text)
    assert ident == Identifier("doi", DOI)
    assert ident.normal == DOI.lower() and str(ident) == f"DOI {DOI}"


def test_a_doi_keeps_its_balanced_parentheses():
    assert parse_identifier("10.1016/S0370-1573(03)00103-0").value == "10.1016/S0370-1573(03)00103-0"
    assert parse_identifier("(see 10.1016/S0370-1573(03)00103-0)".split(" ", 1)[1]).value == "10.1016/S0370-1573(03)00103-0"


@pytest.mark.parametrize("text, value, normal", [
    ("2104.12255", "2104.12255", "2104.12255"),
    ("2104.12255v1", "2104.12255v1", "2104.12255"),
    ("arXiv:2104.12255", "2104.12255", "2104.12255"),
    ("arxiv: 2104.12255v3", "2104.12255v3", "2104.12255"),
    ("astro-ph/0601001", "astro-ph/0601001", "astro-ph/0601001"),
    ("quant-ph/0201082v1", "quant-ph/0201082v1", "quant-ph/0201082"),
    ("math.GT/0309136", "math.GT/0309136", "math.GT/0309136"),
    ("https://arxiv.org/abs/2104.12255", "2104.12255", "2104.12255"),
    ("https://arxiv.org/abs/2104.12255v2", "2104.12255v2", "2104.12255"),
    ("http://arxiv.org/abs/astro-ph/0601001v1", "astro-ph/0601001v1", "astro-ph/0601001"),
    ("https://arxiv.org/pdf/2104.12255v1", "2104.12255v1", "2104.12255"),
    ("https://arxiv.org/pdf/2104.12255.pdf", "2104.12255", "2104.12255"),
    ("https://export.arxiv.org/abs/1605.08386", "1605.08386", "1605.08386"),
])
def test_an_arxiv_id_in_every_written_form(text, value, normal):
    ident = parse_identifier(text)
    assert (ident.kind, ident.value, ident.normal) == ("arxiv", value, normal)


@pytest.mark.parametrize("text, normal", [
    ("978-0-262-03384-8", "9780262033848"), ("9780262033848", "9780262033848"),
    ("978 0 262 03384 8", "9780262033848"), ("ISBN 978-0-262-03384-8", "9780262033848"),
    ("ISBN-13: 9780262033848", "9780262033848"), ("0-262-03384-4", "9780262033848"),
    ("0262033844", "9780262033848"), ("ISBN-10: 0 306 40615 2", "9780306406157"),
    ("080442957X", "9780804429573"), ("080442957x", "9780804429573"),
])
def test_an_isbn_with_or_without_hyphens_becomes_isbn13(text, normal):
    ident = parse_identifier(text)
    assert ident.kind == "isbn" and ident.normal == normal == isbn13(text.split(":")[-1])


@pytest.mark.parametrize("text, says", [
    ("978-0-262-03384-9", "check digit is wrong (expected 8, not 9)"),
    ("0-262-03384-5", "check digit is wrong (expected 4, not 5)"),
    ("abc", "expected a DOI (10.1093/mind/LIX.236.433), an arXiv id"),
    ("10.", "not a whole DOI: expected 10.<registrant>/<suffix>"),
    ("10.1093", "not a whole DOI"),
    ("doi:", "not a whole DOI"),
    ("arXiv:foo", "not an arXiv id"),
    ("12345", "expected 10 or 13 digits"),
    ("123456789012X", "expected 10 or 13 digits"),
    ("1234567890123", "an ISBN-13 starts with 978 or 979"),
    ("", "nothing to look up"),
    ("https://example.org/paper.pdf", "not an identifier ibid can look up"),
])
def test_near_misses_say_what_was_expected(text, says):
    with pytest.raises(IdentifierError) as caught:
        parse_identifier(text)
    assert says in str(caught.value) and "\n" not in str(caught.value)


def test_pasted_text_splits_into_identifiers():
    text = (f"{DOI}, arXiv: 2104.12255\nISBN 978 0 262 03384 8  doi: 10.1103/physreva.106.022212;"
            " 0-306-40615-2 https://arxiv.org/abs/astro-ph/0601001\r\n\nabc")
    assert split_identifiers(text) == [DOI, "arXiv: 2104.12255", "ISBN 978 0 262 03384 8",
                                       "doi: 10.1103/physreva.106.022212", "0-306-40615-2",
                                       "https://arxiv.org/abs/astro-ph/0601001", "abc"]
    assert [parse_identifier(t).kind for t in split_identifiers(text)[:-1]] == \
        ["doi", "arxiv", "isbn", "doi", "isbn", "arxiv"]
    assert split_identifiers(" \n ,, ") == []


def test_the_identifiers_a_record_holds():
    from tui.identifiers import work_identifiers

    assert work_identifiers("https://doi.org/10.1093/MIND/LIX.236.433", {}) == {("doi", "10.1093/mind/lix.236.433")}
    assert work_identifiers("10.48550/arXiv.2104.12255", {}) == {("doi", "10.48550/arxiv.2104.12255"),
                                                                 ("arxiv", "2104.12255")}
    assert work_identifiers("", {"eprint": "astro-ph/0601001v2", "archivePrefix": "arXiv"}) == {("arxiv", "astro-ph/0601001")}
    assert work_identifiers("", {"eprint": "hep-th/9901001", "eprinttype": "pubmed"}) == set()  # not arXiv's
    assert work_identifiers("", {"isbn": "978-0-262-03384-8, 0262033844"}) == {("isbn", "9780262033848")}
    assert work_identifiers("", {"isbn": "0-201-13447-0 978-0-262-03384-8"}) == {("isbn", "9780201134476"),
                                                                                 ("isbn", "9780262033848")}
    assert work_identifiers("not a doi", {"isbn": "12345", "eprint": "abc"}) == set()  # anything else: nothing
