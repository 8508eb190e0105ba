"""The formatted reference (`Y`): the record page's own line."""

from tui.formats.reference import format_reference
from tui.models import Author, Work


def test_seed_record():
    work = Work(key="k", title="China and Russia in the SCO: Consensus & divergence", authors=[Author("Li Wang")],
                year=2020, venue="Human Affairs", volume="30", number="2", pages="189-198")
    assert format_reference(work) == ("Wang, Li (2020). China and Russia in the SCO: Consensus & divergence. "
                                      "Human Affairs 30 (2):189-198.")


def test_no_pages_no_issue():
    work = Work(key="k", title="A Title", authors=[Author("A. Turing")], year=1950, venue="Mind", volume="LIX")
    assert format_reference(work) == "Turing, A. (1950). A Title. Mind LIX."


def test_no_venue_uses_publisher_or_nothing():
    work = Work(key="k", title="Why?", authors=[Author("Jane Roe")], year=None)
    assert format_reference(work) == "Roe, Jane (n.d.). Why?"
    work.publisher = "Princeton University Press"
    assert format_reference(work) == "Roe, Jane (n.d.). Why? Princeton University Press."


def test_many_authors_are_cut_with_et_al():
    work = Work(key="k", title="Big Science", authors=[Author(f"Ann Person{i}") for i in range(12)], year=2001,
                venue="Nature", volume="1", pages="1-2")
    text = format_reference(work)
    assert text.startswith("Person0, Ann, Person1, Ann, ")
    assert "Person9, Ann & et al. (2001)" in text and "Person10" not in text


def test_two_authors_and_no_authors():
    two = Work(key="k", title="T", authors=[Author("Rui-Zhuang Zhang"), Author("Xiao-Ding Chen")], year=2009,
               venue="Nankai University (Philosophy and Social Sciences)", volume="4", pages="1-9")
    assert format_reference(two) == ("Zhang, Rui-Zhuang & Chen, Xiao-Ding (2009). T. "
                                     "Nankai University (Philosophy and Social Sciences) 4:1-9.")
    assert format_reference(Work(key="k", title="")) == "(n.d.). Untitled."
