"""Names as biblatex and BibTeX give them (issue 22): the extended name format, and names in
braces kept one name in every export."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tui.formats import csl, parse_path, ris
from tui.formats.bibtex import parse_names, write
from tui.formats.names import braced_whole, extended_parts

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "bib22" / "names.bib"


@pytest.fixture(scope="module")
def works():
    return {w.key: w for w in parse_path(FIXTURE).works}


def test_the_extended_name_format_reads_as_a_name(works):
    assert [a.name for a in works["Hua2019"].authors] == ["Linfu Hua", "Ludwig van Beethoven", "Jürgen Müller, Jr."]
    assert extended_parts("given=Linfu, family={Hua, Jr}") == {"given": "Linfu", "family": "Hua, Jr"}
    assert extended_parts("Hua, Linfu") is None


def test_extended_names_export_in_parts(works):
    item = csl.work_to_item(works["Hua2019"])
    assert item["author"][0] == {"family": "Hua", "given": "Linfu"}
    assert item["author"][1]["non-dropping-particle"] == "van" and item["author"][1]["family"] == "Beethoven"
    assert ris.work_to_record(works["Hua2019"])["authors"][0] == "Hua, Linfu"


def test_braced_names_are_one_name_everywhere(works):
    press = works["Press2017"]
    assert [a.name for a in press.authors] == ["University of Chicago Press", "Charles W. Bauschlicher Jr", "Li Wang"]
    item = json.loads(csl.write([press]))[0]
    assert item["author"][0] == {"literal": "University of Chicago Press"}
    assert item["author"][1] == {"family": "Bauschlicher Jr", "given": "Charles W."}
    assert ris.work_to_record(press)["authors"][:2] == ["University of Chicago Press", "Bauschlicher Jr, Charles W."]
    assert "{{University of Chicago Press} and {Bauschlicher Jr}, Charles W. and Wang, Li}" in write([press])


def test_a_braced_name_alone_and_with_latex(works):
    work = works["Bauschlicher1995"]
    assert [a.name for a in work.authors] == ["Bauschlicher Jr", "Österreichische Akademie der Wissenschaften"]
    assert [p["literal"] for p in csl.work_to_item(work)["author"]] == [a.name for a in work.authors]
    assert ris.work_to_record(work)["authors"] == [a.name for a in work.authors]
    back = ris.parse_string(ris.write([work])).works[0]
    assert [a.name for a in back.authors] == [a.name for a in work.authors]


@pytest.mark.parametrize("person, whole", [("{ACME}", True), (" {A B} ", True), ("{A} {B}", False),
                                           ("{\\relax Ch}ristopher", False), ("A", False)])
def test_braced_whole(person, whole):
    assert braced_whole(person) is whole


def test_parse_names_of_the_extended_format_in_a_list():
    assert parse_names("family=Hua, given=Linfu and Wang, Li") == ["Linfu Hua", "Li Wang"]
