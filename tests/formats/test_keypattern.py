"""Citation keys by pattern: the fields, the modifiers, the errors, and the default that
makes the key every reader makes today."""

from __future__ import annotations

from pathlib import Path

import pytest

from tui.formats import parse_path
from tui.formats.bibtex import _made_key
from tui.formats.keypattern import (DEFAULT_PATTERN, FIELDS, PatternError, check_pattern, disambiguate,
                                    make_key)
from tui.models import Author, Work

DATA = Path(__file__).resolve().parents[3] / "shared" / "data" / "bib"

WANG = Work(key="x", type="article", title="China and Russia in the SCO: Consensus & divergence",
            authors=[Author("Li Wang")], year=2020, venue="Human Affairs", volume="30", number="2",
            pages="189--198", doi="10.1515/humaff-2020-0017")
MANY = Work(key="y", title="Über die Natur der Dinge", year=1999, pages="e1234",
            authors=[Author("Przemysław Żółć-Nowak"), Author("John von Neumann"), Author("Martin Luther King, Jr."),
                     Author("Ōe, Kenzaburō"), Author("Jean-Paul Sartre")])
BARE = Work(key="z")


@pytest.mark.parametrize("pattern, key", [
    (DEFAULT_PATTERN, "Wang2020China"),
    ("{auth}{year}{shorttitle}", "Wang2020ChinaRussiaSco"),
    ("{auth:lower}{year}{title}", "wang2020ChinaRussiaScoConsensusDivergence"),
    ("{auth}_{shortyear}:{veryshorttitle:upper}", "Wang_20:CHINA"),
    ("{auth}{year}{journal:abbr}", "Wang2020HA"),
    ("{venue}-{firstpage}-{lastpage}", "HumanAffairs-189-198"),
    ("{authini}{auth}{year}", "LWang2020"),
    ("{doi}", "101515humaff20200017"),
    ("{title:abbr:lower}", "crscd"),
    ("{title:(12)}", "ChinaRussiaS"),
    ("{shorttitle:(8):upper}", "CHINARUS"),
    ("{AUTH}{Year}", "Wang2020"),  # field names in any case
    ("{ auth : lower }", "wang"),
])
def test_fields_and_modifiers(pattern, key):
    assert make_key(WANG, pattern) == key


@pytest.mark.parametrize("pattern, key", [
    (DEFAULT_PATTERN, "ZolcNowak1999Natur"),  # accents folded, `Über` and `die` are stop words
    ("{authors}", "ZolcNowakNeumannKingOeSartre"),
    ("{authors2}", "ZolcNowakNeumannEtAl"),
    ("{authors5}", "ZolcNowakNeumannKingOeSartre"),
    ("{authorsAlpha}{shortyear}", "ZNK99"),
    ("{authini}", "P"),
    ("{firstpage}{lastpage}", "e1234"),
    ("{shorttitle}", "NaturDinge"),
])
def test_many_authors_and_accents(pattern, key):
    assert make_key(MANY, pattern) == key


def test_authors_alpha_for_one_to_four():
    def alpha(*names):
        return make_key(Work(key="k", authors=[Author(n) for n in names]), "{authorsAlpha}")
    assert alpha("Donald E. Knuth") == "Knu"
    assert alpha("A Abel", "B Baker") == "AB"
    assert alpha("A Abel", "B Baker", "C Cole", "D Dean") == "ABCD"
    assert alpha("A Abel", "B Baker", "C Cole", "D Dean", "E Eve") == "ABC"  # alpha's `+` cannot be in a key


def test_initials_of_several_given_names():
    work = Work(key="k", authors=[Author("John Ronald Reuel Tolkien")])
    assert make_key(work, "{auth}{authini}") == "TolkienJRR"
    assert make_key(Work(key="k", authors=[Author("Sartre, Jean-Paul")]), "{authini}") == "JP"


def test_missing_fields_give_nothing_and_an_empty_key_is_work():
    assert make_key(BARE, DEFAULT_PATTERN) == "work"
    assert make_key(BARE, "ibid_{auth}{year}") == "work"
    assert make_key(Work(key="k", year=2001), "ibid_{auth}{year}") == "ibid_2001"
    assert make_key(Work(key="k", title="The"), "{shorttitle}{firstpage}{doi}") == "work"


@pytest.mark.parametrize("pattern, message", [
    ("{auth}{edition}", "unknown field {edition} (known: auth, authors, authorsN, authorsAlpha, authini, year, "
                        "shortyear, title, shorttitle, veryshorttitle, journal, venue, firstpage, lastpage, doi)"),
    ("{authorsN}", "unknown field {authorsN}"),
    ("{auth:title}", "unknown modifier :title in {auth:title} (known: :lower, :upper, :abbr, :(N))"),
    ("{auth:(x)}", "unknown modifier :(x)"),
    ("{auth}{year", "a { not closed"),
    ("auth}{year}", "a } with no { before it"),
    ("{auth} {year}", "' ' cannot be in a key"),
    ("{auth}/{year}", "'/' cannot be in a key"),
    ("ibid", "has no field"),
    ("  ", "the key pattern is empty"),
])
def test_bad_patterns_say_why(pattern, message):
    with pytest.raises(PatternError) as error:
        check_pattern(pattern)
    assert message in str(error.value)
    with pytest.raises(PatternError):
        make_key(WANG, pattern)


def test_every_field_is_documented_and_works():
    for name in FIELDS:
        pattern = "{authors2}" if name == "authorsN" else "{" + name + "}"
        assert make_key(WANG, pattern) != "work", name


def test_disambiguate():
    taken = {"Wang2020China", "Wang2020Chinaa", "Wang2020Chinab"}
    assert disambiguate("Wang2020Russia", taken.__contains__) == "Wang2020Russia"
    assert disambiguate("Wang2020China", taken.__contains__) == "Wang2020Chinac"
    many = {"k"} | {"k" + chr(c) for c in range(ord("a"), ord("z") + 1)}
    assert disambiguate("k", many.__contains__) == "kaa"
    assert disambiguate("k", lambda key: len(key) < 4) == "kaaa"


@pytest.mark.parametrize("bib", ["biblatex/biblatex-examples.bib", "tugboat.bib"])
def test_default_pattern_makes_the_house_key(bib):
    """Nothing changes unasked: the default pattern gives the key every reader makes today."""
    path = DATA / bib
    if not path.exists():
        pytest.skip(f"{path} is not here")
    works = parse_path(path).works
    assert len(works) > 50
    for work in works:
        assert make_key(work, DEFAULT_PATTERN) == _made_key(work), work.key
