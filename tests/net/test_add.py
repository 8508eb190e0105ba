"""`ibid add` end to end: the command line, the store and the recorded services on a local
server at 127.0.0.1 that `[net]` points at (issue 18). Never the live network."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from tests.conftest import ibid
from tests.net.conftest import net_config, recorded_routes
from tests.net.server import LocalServer
from tui import net
from tui.config import NetSettings
from tui.store import Store


def dump(db: Path) -> list[str]:
    """The whole catalogue as SQL text: what a fault must leave as it was."""
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        return list(conn.iterdump())
    finally:
        conn.close()


@pytest.fixture
def served(recorded, tmp_path):
    """(env, server, settings): the recorded services on a local server, and a config pointing at it."""
    with LocalServer(recorded_routes(recorded)) as server:
        config = net_config(tmp_path, server.url)
        settings = NetSettings(crossref=f"{server.url}/crossref", doi=f"{server.url}/doi",
                               arxiv=f"{server.url}/arxiv", openlibrary=f"{server.url}/openlibrary",
                               arxiv_delay=0, retry_wait=0, timeout=3)
        yield {"IBID_CONFIG": str(config)}, server, settings


def empty_db(tmp_path: Path) -> Path:
    path = tmp_path / "lib.db"
    Store(path).close()
    return path


def test_every_recorded_doi_and_arxiv_id_is_added_as_its_source_gives_it_and_only_once(recorded, served, tmp_path):
    env, _server, settings = served
    db = empty_db(tmp_path)
    dois = sorted(recorded.crossref)
    recorded_ids = sorted(i for i in recorded.arxiv if "," not in i and i not in ("0000.0000", "abc"))
    missing = []  # recorded as arXiv answered them: a feed with no entry (0808.05394 names no paper)
    for i in recorded_ids:
        try:
            net.fetch(i, settings)
        except net.NotFound:
            missing.append(i)
    arxiv_ids = [i for i in recorded_ids if i not in missing]
    assert len(dois) >= 10 and len(arxiv_ids) >= 4
    result = ibid("add", "--db", db, *dois, *arxiv_ids, env=env)
    assert result.exit_code == 0, result.output + result.stderr
    if missing:
        gone = ibid("add", "--db", db, *missing, env=env)
        assert gone.exit_code == 1 and all(f"not found" in line for line in gone.stderr.splitlines() if "[" not in line)
    with Store(db, read_only=True) as store:
        for ident in dois + arxiv_ids:
            fetched = net.fetch(ident, settings)
            kind, normal = fetched.identifier.kind, fetched.identifier.normal
            work_id = store.work_by_identifier(kind, normal)
            assert work_id is not None, ident
            work = store.work_by_id(work_id)
            assert (work.title, work.year, work.abstract) == (fetched.work.title, fetched.work.year, fetched.work.abstract)
            assert [a.name for a in work.authors] == [a.name for a in fetched.work.authors]
            assert work.fields["ibid-source"] in ("Crossref", "arXiv")
            if kind == "doi":  # and the title is the recorded response's own
                assert recorded.crossref[normal]["message"]["title"][0].split()[0] in work.title
        count = store.count()
    again = ibid("add", "--db", db, dois[0], f"https://doi.org/{dois[0].upper()}", arxiv_ids[0], env=env)
    assert again.exit_code == 0 and again.stdout.count(": already there (") == 3
    with Store(db, read_only=True) as store:
        assert store.count() == count


def test_references_with_dois_link_to_works_there_now_and_to_works_that_arrive_later(recorded, served, tmp_path):
    env, _server, _settings = served
    # a recorded work with references giving DOIs, and two of those DOIs
    doi, refs = next((d, [r["DOI"] for r in a["message"].get("reference", []) if r.get("DOI")])
                     for d, a in sorted(recorded.crossref.items())
                     if sum(1 for r in a["message"].get("reference", []) if r.get("DOI")) >= 2)
    db = empty_db(tmp_path)
    bib = tmp_path / "there.bib"
    bib.write_text(f"@article{{there, title = {{Cited, there first}}, year = 2000, doi = {{{refs[0].upper()}}}}}\n")
    assert ibid("import", "--db", db, bib).exit_code == 0
    added = ibid("add", "--db", db, doi, env=env)
    assert added.exit_code == 0 and "citation link made" in added.stdout, added.output
    later = tmp_path / "later.bib"
    later.write_text(f"@article{{later, title = {{Cited, arriving later}}, year = 2001, doi = {{https://doi.org/{refs[1]}}}}}\n")
    assert ibid("import", "--db", db, later).exit_code == 0
    with Store(db, read_only=True) as store:
        citing = store.work_by_id(store.work_by_identifier("doi", doi.lower()))
        assert {"there", "later"} <= {r.key for r in store.references(citing.id)}
        assert store.citation_counts(store.work("later").id) == (1, 0)
        listed = store._read("SELECT count(*) FROM reference_list WHERE citing_id = ?", (citing.id,))[0][0]
        waiting = len(store.unresolved_references(citing.id))
        assert listed == len(recorded.crossref[doi]["message"]["reference"]) - sum(
            1 for r in recorded.crossref[doi]["message"]["reference"] if not (r.get("unstructured") or r.get("DOI")
                                                                              or r.get("article-title") or r.get("author")))
        assert waiting == listed - 2


def _fault(routes: dict, tmp_path: Path, ident: str, url: str | None = None):
    db = empty_db(tmp_path)
    before = dump(db)
    with LocalServer(routes) as server:
        env = {"IBID_CONFIG": str(net_config(tmp_path, url or server.url))}
        result = ibid("add", "--db", db, ident, env=env)
    assert result.exit_code == 1, result.output
    assert dump(db) == before  # nothing half-written
    assert "Traceback" not in result.output + result.stderr
    return result.stderr


def test_faults_say_what_happened_and_change_nothing(tmp_path):
    html = (200, {"Content-Type": "text/html"}, b"<html><body>Log in to the hotel wifi</body></html>")
    assert "no such DOI" in _fault({}, tmp_path, "10.5555/nothing-here") or "not found" in _fault({}, tmp_path, "10.5555/nothing-here")
    assert "Crossref" in _fault({"*": lambda p, h: html}, tmp_path, "10.5555/portal")
    assert "Crossref" in _fault({"*": lambda p, h: (503, {"Retry-After": "0"}, b"down")}, tmp_path, "10.5555/down")
    assert "Crossref" in _fault({"*": lambda p, h: (200, {"Content-Type": "application/json"}, b'{"status": "ok", "mess')},
                                tmp_path, "10.5555/truncated")
    refused = _fault({}, tmp_path, "10.5555/x", url="http://127.0.0.1:9")  # nothing listens on port 9
    assert "Crossref" in refused
    invalid = _fault({}, tmp_path, "not-an-identifier")
    assert "expected" in invalid and "DOI" in invalid


def test_a_file_of_identifiers_and_a_summary(recorded, served, tmp_path):
    env, _server, _settings = served
    db = empty_db(tmp_path)
    ids = tmp_path / "ids.txt"
    dois = sorted(recorded.crossref)[:3]
    ids.write_text(f"{dois[0]}\n{dois[1]}, {dois[2]}\n10.5555/unknown-doi\nnonsense\n")
    result = ibid("add", "--db", db, "-f", ids, env=env)
    assert result.exit_code == 1  # two of the five are not in the catalogue
    assert result.stdout.strip().splitlines()[-1] == "3 added, 0 already there, 1 not found, 1 invalid"
    assert "[5/5]" in result.stderr


def test_keys_of_added_works_follow_the_keys_pattern(recorded, served, tmp_path):
    env, _server, _settings = served
    config = Path(env["IBID_CONFIG"])
    config.write_text(config.read_text() + '\n[keys]\npattern = "{auth:lower}_{year}_{shorttitle:(12)}"\n')
    db = empty_db(tmp_path)
    doi = sorted(recorded.crossref)[0]
    result = ibid("add", "--db", db, doi, env=env)
    assert result.exit_code == 0, result.output
    with Store(db, read_only=True) as store:
        key = store.work_by_id(store.work_by_identifier("doi", doi)).key
    assert key.count("_") == 2 and key.split("_")[0].islower() and len(key.split("_")[2]) <= 12, key
