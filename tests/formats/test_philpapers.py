"""The PhilPapers record page: the seed in seeds/, single lines, and text that is not a record page."""

from __future__ import annotations

from pathlib import Path

import pytest

from tui.formats import FormatError, parse_path, philpapers
from tui.seeds import open_catalogue, seed_dir
from tui.store import Store

REPO = Path(__file__).resolve().parents[2]
SEED = REPO / "seeds" / "philpapers-WANCAR-china-russia-sco.txt"
ABSTRACT_START = "The Shanghai Cooperation Organization is the largest regional security"
ABSTRACT_END = "But if progress is to be sustained, reforms and systematic change are necessary."


@pytest.fixture(scope="module")
def seed():
    return philpapers.parse_file(SEED)


def test_seed_record(seed):
    work = seed.works[0]
    assert work.title == "China and Russia in the SCO: Consensus & divergence"
    assert work.venue_line == "Human Affairs 30 (2):189-198 (2020)"
    assert (work.venue, work.volume, work.number, work.pages, work.year) == ("Human Affairs", "30", "2", "189-198", 2020)
    assert work.abstract.startswith(ABSTRACT_START) and work.abstract.endswith(ABSTRACT_END)
    assert "Big Two’s cooperation" in work.abstract
    for junk in ("Copy", "BIBTEX", "Upload a copy", "Papers currently archived"):
        assert junk not in work.abstract
    assert [(a.name, a.affiliation) for a in work.authors] == [("Li Wang", "Jilin University")]
    assert (work.pp_downloads, work.pp_downloads_rank) == (22, 710008)
    assert (work.pp_recent, work.pp_recent_rank) == (7, 431609)
    assert work.key == "Wang2020China"
    assert seed.problems == []


def test_seed_similar_works(seed):
    similar = [(w.title, [a.name for a in w.authors], w.year, w.venue, w.volume, w.number, w.pages)
               for w in seed.works[1:]]
    assert similar == [
        ("A New Alliance against the US? Sino-Russian Relations in Response to Trump’s Redefined Foreign "
         "Policy Priorities", ["Przemysław Ciborek"], 2019,
         "International Studies. Interdisciplinary Political and Cultural Journal", "23", "1", "149-159"),
        ("The Factors of Sixty-Year Sino-US Relations and Its Implications", ["Rui-Zhuang Zhang", "Xiao-Ding Chen"],
         2009, "Nankai University (Philosophy and Social Sciences)", "4", "", "1-9"),
        ("Culture Coherence and Regional Economic Cooperation in Northeast Asia", ["Lian-guo Hu"], 2006,
         "Nankai University (Philosophy and Social Sciences)", "5", "", "100-109"),
        ("Reflection on the Enacting of Foreign Anti-Bribery Practices Act in China", ["Bao-ku Cheng", "Xiao-Feng Li"],
         2005, "Nankai University (Philosophy and Social Sciences)", "5", "", "95-101"),
    ]
    keys = [w.key for w in seed.works]
    assert len(set(keys)) == 5
    assert seed.similar == [(keys[0], k) for k in keys[1:]]


def test_seed_imports_with_its_similar_links(tmp_path: Path, seed):
    store = Store(tmp_path / "c.db")
    try:
        summary = store.import_batch(seed)
        assert (summary.added, summary.similar) == (5, 4)
        work = store.work("Wang2020China")
        assert [r.title for r in store.curated_similar(work.id)] == [w.title for w in seed.works[1:]]
        assert store.work("Ciborek2019New").authors[0].name == "Przemysław Ciborek"
    finally:
        store.close()


def test_first_run_catalogue_is_the_seed(tmp_path: Path):
    assert seed_dir() is not None and (seed_dir() / SEED.name).exists()
    store = open_catalogue(tmp_path / "catalog.db")
    try:
        assert store.created and store.count() == 5
        assert [r.key for r in store.search("SCO")] == ["Wang2020China"]
        assert store.work("Wang2020China").authors[0].affiliation == "Jilin University"
    finally:
        store.close()
    again = open_catalogue(tmp_path / "catalog.db")  # an existing catalogue is not seeded twice
    try:
        assert not again.created and again.count() == 5
    finally:
        again.close()


def test_parse_path_chooses_the_record_reader():
    batch = parse_path(SEED)
    assert batch.works[0].title == "China and Russia in the SCO: Consensus & divergence"


@pytest.mark.parametrize("text, parts", [
    ("Human Affairs 30 (2):189-198", ("Human Affairs", "30", "2", "189-198")),
    ("Mind:433-460", ("Mind", "", "", "433-460")),
    ("Mind 59 (236):433-460.", ("Mind", "59", "236", "433-460")),
    ("Nankai University (Philosophy and Social Sciences) 4:1-9", (
        "Nankai University (Philosophy and Social Sciences)", "4", "", "1-9")),
    ("Synthese 12 (3):10–20", ("Synthese", "12", "3", "10-20")),
    ("Oxford University Press", ("Oxford University Press", "", "", "")),
])
def test_split_venue(text, parts):
    assert philpapers.split_venue(text) == parts


def test_parse_similar_line():
    work = philpapers.parse_similar("Knowledge and Its Limits.Timothy Williamson - 2000 - Oxford University Press.")
    assert (work.title, [a.name for a in work.authors], work.year, work.venue) == (
        "Knowledge and Its Limits", ["Timothy Williamson"], 2000, "Oxford University Press")
    question = philpapers.parse_similar("Can Machines Think?Daniel Dennett & Jane Roe - forthcoming - Mind 3:1-2.")
    assert question.title == "Can Machines Think?"
    assert [a.name for a in question.authors] == ["Daniel Dennett", "Jane Roe"]
    assert question.year is None and (question.venue, question.volume, question.pages) == ("Mind", "3", "1-2")
    assert philpapers.parse_similar("no dashes, no year here") is None


def test_a_similar_line_not_understood_is_reported():
    text = SEED.read_text(encoding="utf-8").replace(
        "Similar books and articles\n\n", "Similar books and articles\n\nThis line is not an entry\n", 1)
    batch = philpapers.parse_string(text, "page.txt")
    assert len(batch.works) == 5
    assert [(p.kind, p.file) for p in batch.problems] == [("refused", "page.txt")]
    assert "This line is not an entry" in batch.problems[0].message and batch.problems[0].line


def test_too_short_is_not_a_record_page():
    with pytest.raises(FormatError, match="not a PhilPapers record page"):
        philpapers.parse_string("Just a title\n", "x.txt")


def test_prose_is_not_a_record_page(tmp_path: Path):
    """A .txt of ordinary prose must be refused, not imported as a work titled by its first line."""
    path = tmp_path / "notes.txt"
    path.write_text("Shopping list\n\nmilk\neggs\nbread\n\nRemember to call the plumber.\n", encoding="utf-8")
    with pytest.raises(FormatError) as info:
        parse_path(path)
    assert "\n" not in str(info.value) and str(path) in str(info.value)
