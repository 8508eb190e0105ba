"""Each recorded Crossref, doi.org and arXiv answer, and the Open Library fixtures, read into a
work whose title, authors, year and abstract are the answer's own (read from the recorded file)."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

import httpx
import pytest

from tests.net.conftest import load_recorded, recorded_handler
from tui.formats.keys import make_key
from tui.net import fetch, fetch_many
from tui.net.fetched import RETRIEVED_FIELD, SOURCE_FIELD

NS = {"atom": "http://www.w3.org/2005/Atom", "arxiv": "http://arxiv.org/schemas/atom"}


def _words(text: str) -> str:
    """Markup dropped, entities kept as read, whitespace collapsed: to compare text with text."""
    import html

    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", text or "")).split())


def _crossref_dois() -> list[str]:
    try:
        return sorted(load_recorded().crossref)
    except BaseException:  # shared data absent: the tests skip through the fixture
        return ["(no recorded data)"]


@pytest.mark.parametrize("doi", _crossref_dois())
def test_each_recorded_crossref_work(doi, recorded, recorded_client, settings):
    message = recorded.crossref[doi]["message"]
    fetched = fetch(doi, settings, recorded_client)
    work = fetched.work
    assert fetched.source == work.fields[SOURCE_FIELD] == "Crossref"
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", work.fields[RETRIEVED_FIELD])
    title = _words(message["title"][0])
    subtitle = _words(message["subtitle"][0]) if message.get("subtitle") else ""
    assert work.title == (f"{title}: {subtitle}" if subtitle else title)
    assert [a.name for a in work.authors] == [f"{a.get('given', '')} {a['family']}".strip() for a in message["author"]]
    parts = message["issued"]["date-parts"][0]
    assert work.year == (parts[0] if parts[0] else None) or work.year == _first_other_year(message)
    assert " ".join(work.abstract.split()) == _words(message.get("abstract", "")).removeprefix("Abstract ")
    assert work.doi == message["DOI"] and work.venue == " ".join(message["container-title"][0].split())
    assert work.key == make_key(message["author"][0]["family"], work.year, work.title)
    with_doi = [r["DOI"] for r in message.get("reference", []) if r.get("DOI")]
    assert [r.doi for r in fetched.references if r.doi] == with_doi
    given = [r for r in message.get("reference", []) if set(r) - {"key", "doi-asserted-by"}]  # not the empty ones
    assert len(fetched.references) == len(given)
    assert all(r.text and "\n" not in r.text for r in fetched.references)


def _first_other_year(message):
    for name in ("published-print", "published-online", "published", "created"):
        parts = (message.get(name) or {}).get("date-parts") or [[None]]
        if parts[0][0]:
            return parts[0][0]
    return None


def test_orcid_affiliation_types_pages_and_isbns(recorded_client, settings):
    aps = fetch("https://doi.org/10.1103/PhysRevA.106.022212", settings, recorded_client).work
    assert aps.authors[1].orcid == "0000-0002-2515-3842" and aps.authors[0].orcid == ""
    assert aps.type == "article" and aps.pages == "022212"  # the article number stands for pages
    www = fetch("10.1145/3184558.3186235", settings, recorded_client).work
    assert www.type == "inproceedings" and www.authors[0].affiliation == "University of Leipzig, Leipzig, Germany"
    assert www.fields["isbn"] == "9781450356404" and www.publisher == "ACM Press"
    chapter = fetch("10.1007/978-3-0348-8720-5_13", settings, recorded_client).work
    assert chapter.type == "incollection" and chapter.pages == "113-118"
    assert chapter.fields["isbn"] == "9783034897426, 9783034887205"  # print first


def test_jats_abstract_keeps_paragraphs_and_drops_the_heading(recorded_client, settings):
    work = fetch("10.1136/jclinpath-2020-206745", settings, recorded_client).work
    paragraphs = work.abstract.split("\n\n")
    assert paragraphs[0] == "Background" and paragraphs[2] == "Objective" and "<" not in work.abstract
    assert not fetch("10.1038/srep16696", settings, recorded_client).work.abstract.startswith("Abstract")


def test_references_as_crossref_gives_them(recorded, recorded_client, settings):
    fetched = fetch("10.1145/3184558.3186235", settings, recorded_client)
    first = recorded.crossref["10.1145/3184558.3186235"]["message"]["reference"][0]
    assert fetched.references[0].text == first["unstructured"] and fetched.references[0].key == first["key"]
    chapter = fetch("10.1007/978-3-0348-8720-5_13", settings, recorded_client)
    assert chapter.references[0].text.startswith("F. Bouchut and F. James, Équations de transport")


def test_a_doi_crossref_does_not_hold_comes_from_doi_org(recorded, settings):
    seen: list[httpx.Request] = []
    raw = recorded.crossref.pop("10.1126/science.169.3946.635", None)  # as for a DataCite DOI
    try:
        with httpx.Client(transport=httpx.MockTransport(recorded_handler(recorded, seen))) as client:
            fetched = fetch("doi:10.1126/science.169.3946.635", settings, client)
    finally:
        if raw:
            recorded.crossref["10.1126/science.169.3946.635"] = raw
    import json

    item = json.loads(recorded.csl["10.1126/science.169.3946.635"])
    work = fetched.work
    assert fetched.source == "doi.org" and [r.url.host for r in seen] == ["api.crossref.org", "doi.org"]
    assert seen[1].headers["accept"] == "application/vnd.citationstyles.csl+json"
    assert work.title == f"{item['title']}: {item['subtitle'][0]}" and work.fields["subtitle"] == item["subtitle"][0]
    assert [a.name for a in work.authors] == [f"{a['given']} {a['family']}" for a in item["author"]]
    assert work.authors[0].affiliation == item["author"][0]["affiliation"][0]["name"]
    assert work.year == item["issued"]["date-parts"][0][0] and work.type == "article"
    assert " ".join(work.abstract.split()) == _words(item["abstract"])
    assert [r.doi for r in fetched.references if r.doi] == [r["DOI"] for r in item["reference"] if r.get("DOI")]


def _arxiv_ids() -> list[str]:
    try:
        ids = load_recorded().arxiv
    except BaseException:
        return ["(no recorded data)"]
    return sorted(i for i, (status, body) in ids.items() if status == 200 and b"<entry>" in body and "," not in i)


@pytest.mark.parametrize("arxiv_id", _arxiv_ids())
def test_each_recorded_arxiv_paper(arxiv_id, recorded, recorded_client, settings):
    entry = ET.fromstring(recorded.arxiv[arxiv_id][1]).find("atom:entry", NS)
    fetched = fetch(f"arXiv:{arxiv_id}", settings, recorded_client)
    work = fetched.work
    assert fetched.source == "arXiv" and fetched.references == []
    assert work.title == " ".join(entry.findtext("atom:title", "", NS).split())
    assert [a.name for a in work.authors] == [a.findtext("atom:name", "", NS) for a in entry.findall("atom:author", NS)]
    assert work.year == int(entry.findtext("atom:published", "", NS)[:4])
    assert work.abstract == " ".join(entry.findtext("atom:summary", "", NS).split())
    assert work.fields["eprint"] == arxiv_id.split("v")[0] if "/" not in arxiv_id else arxiv_id.rsplit("v", 1)[0]
    assert work.fields["archiveprefix"] == "arXiv"
    assert work.doi == (entry.findtext("arxiv:doi", "", NS) or "")


def test_arxiv_keeps_affiliations_journal_ref_and_utf8_names(recorded_client, settings):
    old = fetch("https://arxiv.org/abs/astro-ph/0601001", settings, recorded_client).work
    assert old.authors[3].affiliation == "Warsaw University Observatory"
    assert old.fields["note"] == "ActaAstron.56:1-50,2006" and old.fields["primaryclass"] == "astro-ph"
    aew = fetch("1707.08567", settings, recorded_client).work
    assert "Dirk Wübben" in [a.name for a in aew.authors]


def test_open_library_books(recorded_client, settings):
    fetched = fetch("ISBN 0-262-03384-4", settings, recorded_client)
    work = fetched.work
    assert fetched.source == "Open Library" and work.type == "book"
    assert work.title == "Introduction to algorithms" and work.year == 2009 and work.publisher == "MIT Press"
    assert [a.name for a in work.authors][:2] == ["Thomas H. Cormen", "Charles E. Leiserson"]
    assert work.fields["isbn"] == "9780262033848" and work.key == "Cormen2009Introduction"
    geb = fetch("978-0-465-02656-2", settings, recorded_client).work
    assert geb.title == "Gödel, Escher, Bach: an eternal golden braid" and geb.fields["subtitle"] == "an eternal golden braid"
    assert geb.key == "Hofstadter1999Godel" and geb.year == 1999


def test_fetch_many_gives_one_outcome_per_id_in_order(recorded_client, settings):
    calls = []
    ids = ["10.1103/physreva.106.022212", "abc", "2104.12255v1", "0000.0000", "9780262033848",
           "https://doi.org/10.1103/PhysRevA.106.022212", "10.1371/notarealdoi"]
    outcomes = fetch_many(ids, settings, recorded_client, progress=lambda d, t, o: calls.append((d, t)))
    assert [o.text for o in outcomes] == ids
    assert [o.status for o in outcomes] == ["ok", "invalid", "ok", "not found", "ok", "ok", "not found"]
    assert outcomes[0].fetched.work.key == outcomes[5].fetched.work.key  # given twice, fetched once
    assert outcomes[3].message == "arXiv has no paper 0000.0000"
    assert outcomes[6].message.startswith("no such DOI 10.1371/notarealdoi")
    assert sorted(calls) == [(n, len(ids)) for n in range(1, len(ids) + 1)]
