"""The browser's add by identifier (issue 18), against the recorded services on a local
server that `[net]` points at: `i`, a picker's typed DOI, and `enter` on a listed reference."""

from __future__ import annotations

import copy
import json
import os
from pathlib import Path

import pytest

from tests.net.conftest import net_config, recorded, recorded_routes  # noqa: F401  (recorded: a fixture)
from tests.net.server import LocalServer
from tests.ui.conftest import make_app, page_text, settle
from tui.models import Work
from tui.store import Store
from tui.widgets.record import RecordView
from tui.widgets.work_list import WorkList


def _with_references(recorded) -> tuple[str, list[str]]:
    """A recorded DOI whose Crossref answer lists references with DOIs, and those DOIs."""
    return next((d, [r["DOI"].lower() for r in a["message"].get("reference", []) if r.get("DOI")])
                for d, a in sorted(recorded.crossref.items())
                if sum(1 for r in a["message"].get("reference", []) if r.get("DOI")) >= 2)


@pytest.fixture
def library(recorded, tmp_path):
    """(db, doi, reference DOIs, server): a catalogue holding one work the recorded DOI's list names;
    the server also answers for that list's second DOI (a recorded answer under its DOI)."""
    doi, refs = _with_references(recorded)
    routes = recorded_routes(recorded)
    other = copy.deepcopy(recorded.crossref[sorted(d for d in recorded.crossref if d != doi)[0]])
    other["message"]["DOI"] = refs[1]
    body = json.dumps(other).encode()
    fallback = routes["*"]

    def route(path: str, headers: dict):
        if path.split("?")[0].lower() == f"/crossref/works/{refs[1]}":
            return 200, {"Content-Type": "application/json"}, body
        return fallback(path, headers)

    with LocalServer({"*": route}) as server:
        Path(os.environ["IBID_CONFIG"]).write_text(net_config(tmp_path, server.url).read_text())
        db = tmp_path / "lib.db"
        with Store(db) as store:
            store.add_work(Work(key="there", title="A work already there", year=1999, doi=refs[0].upper()))
        yield db, doi, refs, server


def shown_work(app) -> Work:
    return app.screen.page.work


async def test_i_adds_a_work_by_doi_opens_it_links_it_and_u_undoes(library):
    db, doi, refs, _server = library
    app = make_app(db)
    async with app.run_test(size=(160, 45)) as pilot:
        await settle(pilot)
        await pilot.press("i")
        await pilot.press(*f"https://doi.org/{doi}", "enter")
        await settle(pilot)
        work = shown_work(app)
        assert work.doi.lower() == doi and work.fields["ibid-source"] == "Crossref"
        assert app.screen.query_one(WorkList).total == 2
        text = page_text(app)
        assert "A work already there" in text  # its reference, linked at once
        assert "Record from Crossref" in text and "not in the catalogue" in text
        # enter on a listed reference: fetched, added, linked; the page stays
        view = app.screen.query_one(RecordView)
        view.focus()
        await pilot.pause()
        for _ in range(400):
            if view.target == ("listed", view.target[1] if view.target else 0) and \
                    app.screen.store.listed_reference(view.target[1]).doi == refs[1]:
                break
            await pilot.press("down")
        assert view.target and view.target[0] == "listed"
        await pilot.press("enter")
        await settle(pilot)
        assert shown_work(app).id == work.id
        assert app.screen.store.work_by_identifier("doi", refs[1]) is not None
        assert refs[1] in {r.key and app.screen.store.work_by_id(r.id).doi.lower() for r in app.screen.page.references}
        # the same DOI again: nothing added, the work opens, and it says so
        await pilot.press("i", *doi, "enter")
        await settle(pilot)
        assert shown_work(app).id == work.id and app.screen.query_one(WorkList).total == 3
        assert any("already in the catalogue" in str(n.message) for n in app._notifications)
        await pilot.press("u")  # the last add (the listed reference's)
        await settle(pilot)
        await pilot.press("u")  # the DOI's add
        await settle(pilot)
        assert app.screen.query_one(WorkList).total == 1


async def test_a_doi_typed_in_the_picker_is_fetched_added_and_linked_in_one_change(library):
    db, doi, _refs, _server = library
    app = make_app(db)
    async with app.run_test(size=(160, 45)) as pilot:
        await settle(pilot)
        assert shown_work(app).key == "there"
        await pilot.press("c")  # a work that cites this one
        await settle(pilot)
        await pilot.press(*doi)
        await settle(pilot)
        assert "enter fetches it" in str(app.screen.query_one("#pick-status").render())
        await pilot.press("enter")
        await settle(pilot)
        store = app.screen.store
        new = store.work_by_identifier("doi", doi)
        assert new is not None and shown_work(app).key == "there", [str(n.message) for n in app._notifications]
        assert [r.id for r in store.citations(store.work("there").id)] == [new]
        await pilot.press("u")  # one u: the work and the link
        await settle(pilot)
        assert store.work_by_identifier("doi", doi) is None and store.count() == 1


async def test_a_service_that_does_not_answer_says_so_and_adds_nothing(tmp_path):
    Path(os.environ["IBID_CONFIG"]).write_text(net_config(tmp_path, "http://127.0.0.1:9").read_text())
    db = tmp_path / "lib.db"
    Store(db).close()
    app = make_app(db)
    async with app.run_test(size=(160, 45)) as pilot:
        await settle(pilot)
        await pilot.press("i", *"10.5555/nowhere", "enter")
        await settle(pilot)
        assert any("Crossref" in str(n.message) and n.severity == "error" for n in app._notifications)
        assert app.screen.store.count() == 0
