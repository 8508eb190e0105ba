"""Links out: only http(s) and DOI targets, and OpenURL built from a work."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

import pytest

from tui.config import ConfigError, load_config
from tui.links import doi_url, external_url, openurl
from tui.models import Author, Work


def test_dois_become_doi_org_addresses():
    # the full rule is tested with hostile input in tests/hostile/test_links.py (tui.safe.web_link)
    assert doi_url("doi:10.1515/humaff-2020-0018") == "https://doi.org/10.1515/humaff-2020-0018"
    assert doi_url("10.1000/x\x1b]52;c;aGk=\x07") == "" and doi_url("javascript:alert(1)") == ""


def test_o_prefers_the_doi_and_skips_unsafe_urls():
    assert external_url(Work(key="a", doi="10.1000/x", url="https://e.org")) == "https://doi.org/10.1000/x"
    assert external_url(Work(key="a", url="https://e.org")) == "https://e.org"
    assert external_url(Work(key="a", url="file:///etc/passwd")) == ""


def test_openurl_for_an_article_a_chapter_and_a_book():
    article = Work(key="a", type="article", title="T & U", authors=[Author("John von Neumann"), Author("Li Wang")],
                   year=1945, venue="J", volume="1", number="2", pages="10--20", doi="10.1000/x")
    query = dict(parse_qsl(urlsplit(openurl(article, "https://r.example/openurl")).query))
    assert query == {"ctx_ver": "Z39.88-2004", "rft_val_fmt": "info:ofi/fmt:kev:mtx:journal", "rft.genre": "article",
                     "rft.atitle": "T & U", "rft.jtitle": "J", "rft.date": "1945", "rft.volume": "1",
                     "rft.issue": "2", "rft.spage": "10", "rft.epage": "20", "rft.aulast": "von Neumann",
                     "rft.aufirst": "John", "rft.au": "Li Wang", "rft_id": "info:doi/10.1000/x"}
    chapter = Work(key="c", type="incollection", title="Ch", venue="The Book", year=2000)
    query = dict(parse_qsl(urlsplit(openurl(chapter, "https://r.example/?sid=me")).query))
    assert (query["sid"], query["rft.genre"], query["rft.atitle"], query["rft.btitle"]) == ("me", "bookitem", "Ch", "The Book")
    book = Work(key="b", type="book", title="B", publisher="P")
    query = dict(parse_qsl(urlsplit(openurl(book, "https://r.example/")).query))
    assert (query["rft_val_fmt"], query["rft.btitle"], query["rft.pub"]) == ("info:ofi/fmt:kev:mtx:book", "B", "P")
    assert "rft.atitle" not in query


def test_config_file(tmp_path: Path):
    path = tmp_path / "config.toml"
    assert load_config(path).resolver == "" and load_config(path).style == "apa"
    path.write_text('[library]\nresolver = "https://sfx.example.edu/sfx"\n[references]\nstyle = "chicago"\n')
    config = load_config(path)
    assert (config.resolver, config.style) == ("https://sfx.example.edu/sfx", "chicago")
    for text, words in (("[library\n", "not valid TOML"), ('[library]\nresolver = "file:///x"\n', "http"),
                        (b"\xff\xfe\x00", "cannot read")):
        path.write_bytes(text if isinstance(text, bytes) else text.encode())
        with pytest.raises(ConfigError, match=words):
            load_config(path)
