"""The installed ibid in a real terminal (tmux): `i`, a DOI typed, the new work's record page,
served by a local HTTP server on 127.0.0.1 that the `[net]` settings point at (issue 18)."""

from __future__ import annotations

import os
from pathlib import Path

from tests.e2e.conftest import record_first_line, wait_for
from tests.net.conftest import net_config, recorded, recorded_routes  # noqa: F401  (recorded: a fixture)
from tests.net.server import LocalServer
from tui.store import Store


def test_i_and_a_doi_typed_open_the_new_works_record_page(start_ibid, recorded, tmp_path):
    doi = "10.1371/journal.pone.0033693" if "10.1371/journal.pone.0033693" in recorded.crossref \
        else sorted(recorded.crossref)[0]
    title = recorded.crossref[doi]["message"]["title"][0]
    with LocalServer(recorded_routes(recorded)) as server:
        Path(os.environ["IBID_CONFIG"]).write_text(net_config(tmp_path, server.url).read_text())
        db = tmp_path / "lib.db"
        Store(db).close()  # an empty catalogue
        pane = start_ibid(db)
        wait_for(pane, "The catalogue is empty", what="the empty catalogue")
        pane.keys("i")
        wait_for(pane, "Add works by DOI", what="the prompt for identifiers")
        pane.type(f"doi:{doi}")
        pane.keys("Enter")
        screen = wait_for(pane, lambda s: record_first_line(s).startswith(title[:40]) and "Record from Crossref" in s,
                          timeout=30, what=f"the record page of {title[:40]!r}")
        assert "1 works" in screen.splitlines()[0] or "1 work" in screen.splitlines()[0]
        assert any(path.startswith("/crossref/works/") for path, _h in server.requests)
        pane.keys("u")
        wait_for(pane, "The catalogue is empty", what="the add undone")
        pane.keys("q")
        wait_for(pane, "EXIT=0", what="ibid to quit")
