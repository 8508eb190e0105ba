"""`[net]` in config.toml, and its base addresses followed end to end by the real client."""

from __future__ import annotations

import json

import pytest

from tui.config import ConfigError, NetSettings, load_config
from tui.net import fetch_many


def test_net_settings_read_and_checked(tmp_path):
    path = tmp_path / "config.toml"
    path.write_text('[net]\nmailto = "me@example.edu"\ncrossref = "http://127.0.0.1:8000/"\n'
                    "timeout = 3\narxiv_delay = 0\nconcurrency = 2\n", encoding="utf-8")
    net = load_config(path).net
    assert net == NetSettings(mailto="me@example.edu", crossref="http://127.0.0.1:8000", timeout=3.0,
                              arxiv_delay=0.0, concurrency=2)
    assert load_config(tmp_path / "absent.toml").net == NetSettings()
    for bad, says in (('crossref = "ftp://x"', "[net] crossref must be an http:// or https:// address"),
                      ('timeout = "soon"', "[net] timeout must be a number of at least 0.1"),
                      ("concurrency = 0", "[net] concurrency must be a whole number of at least 1")):
        path.write_text(f"[net]\n{bad}\n", encoding="utf-8")
        with pytest.raises(ConfigError, match=__import__("re").escape(says)):
            load_config(path)


def test_base_addresses_reach_a_local_server_through_the_real_client(recorded, local_server):
    doi = "10.1103/physreva.106.022212"
    server = local_server({
        f"/crossref/works/{doi}": (200, {"Content-Type": "application/json"}, json.dumps(recorded.crossref[doi])),
        "/arxiv/query": (200, {"Content-Type": "application/atom+xml"}, recorded.arxiv["2104.12255v1"][1]),
        "/ol/api/books": (200, {"Content-Type": "application/json"}, recorded.openlibrary["9780262033848"]),
    })
    settings = NetSettings(mailto="me@example.edu", crossref=f"{server.url}/crossref", doi=f"{server.url}/doi",
                           arxiv=f"{server.url}/arxiv/query", openlibrary=f"{server.url}/ol", arxiv_delay=0,
                           retry_wait=0, timeout=5)
    outcomes = fetch_many([doi, "2104.12255v1", "0262033844", "10.5281/zenodo.1"], settings)
    assert [o.status for o in outcomes] == ["ok", "ok", "ok", "not found"]
    assert outcomes[0].fetched.work.title == recorded.crossref[doi]["message"]["title"][0]
    paths = sorted(path for path, _ in server.requests)
    assert f"/crossref/works/{doi}?mailto=me%40example.edu" in paths
    assert "/arxiv/query?id_list=2104.12255v1&max_results=1" in paths
    assert "/doi/10.5281/zenodo.1" in paths  # Crossref said 404: doi.org was asked next
    agents = {headers["user-agent"] for _, headers in server.requests}
    assert agents == {next(iter(agents))} and next(iter(agents)).startswith("ibid/")
    assert "mailto:me@example.edu" in next(iter(agents))
