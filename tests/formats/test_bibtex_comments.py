"""`%` comments in and around entries, as biber reads them (issue 22)."""

from __future__ import annotations

from pathlib import Path

from tui.formats import parse_path
from tui.formats.bibtex import parse_one, parse_string, strip_comments

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "bib22" / "comments.bib"


def test_every_entry_of_a_commented_file_is_read_and_the_template_is_not():
    batch = parse_path(FIXTURE)
    assert [w.key for w in batch.works] == ["Wang2020China", "Knuth1984TeX", "Url2001"]
    assert batch.problems == []
    assert batch.lines == {"Wang2020China": 10, "Knuth1984TeX": 19, "Url2001": 28}


def test_a_field_commented_out_is_not_read_and_a_comment_after_a_comma_is_dropped():
    works = {w.key: w for w in parse_path(FIXTURE).works}
    wang = works["Wang2020China"]
    assert set(wang.fields) == {"author", "title", "journal", "volume", "year"}
    assert wang.authors[0].name == "Li Wang" and wang.volume == "30" and wang.year == 2020
    assert wang.doi == ""
    assert "publisher" not in works["Knuth1984TeX"].fields


def test_a_percent_in_a_value_is_text():
    works = {w.key: w for w in parse_path(FIXTURE).works}
    assert works["Knuth1984TeX"].title == "The TeXbook: 100% of it"
    assert works["Knuth1984TeX"].fields["note"].startswith("Discount 50\\% % on the second copy")
    assert works["Url2001"].url == "https://example.org/a%20b?q=%25"


def test_blanking_keeps_every_line_and_column():
    text = FIXTURE.read_text(encoding="utf-8")
    out = strip_comments(text)
    assert len(out) == len(text) and out.count("\n") == text.count("\n")
    assert "template" not in out and "checked against" not in out


def test_quoted_values_comments_in_parentheses_entries_and_comment_blocks():
    text = ('@comment{ % kept as it is }\n'
            '@article(k1, title = "50% off" % comment\n, year = 1999)\n'
            '@misc{k2, title = {A} % } not the end\n}\n')
    batch = parse_string(text)
    assert [(w.key, w.fields["title"]) for w in batch.works] == [("k1", "50% off"), ("k2", "A")]
    assert batch.problems == []


def test_a_value_line_starting_with_at_does_not_turn_the_value_into_comments():
    text = "@misc{k, abstract = {Mail us\n@ home: 100% sure}, year = 2000}\n"
    assert parse_string(text).works[0].fields["abstract"] == "Mail us\n@ home: 100% sure"


def test_the_editor_reads_comments_the_same_way():
    work = parse_one("@article{k,\n  title = {T}, % a comment\n  % year = {1},\n}\n")
    assert work.title == "T" and "year" not in work.fields


def test_a_comment_ends_at_a_carriage_return_too():
    text = "% Encoding: UTF-8\r\r@article{k,\r  title = {T}, % note\r  year = 2000,\r}\r"
    works = parse_string(text).works
    assert [(w.key, w.title, w.year) for w in works] == [("k", "T", 2000)]
