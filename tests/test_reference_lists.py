"""Works by identifier, and reference lists that link themselves as works arrive (issue 18)."""

from __future__ import annotations

from tui.formats import Batch
from tui.models import Author, Work
from tui.store import Store


def counts(store: Store) -> list[tuple[int, int]]:
    """Each work's stored citation count beside its links: they must agree."""
    return store._read("SELECT c.cited_by, (SELECT count(*) FROM citations WHERE cited_id = c.work_id) "
                       "FROM citation_counts c")


def test_identifiers_are_kept_normalised_and_found(fresh_db):
    fresh_db.add_work(Work(key="turing", title="Computing machinery", doi="https://doi.org/10.1093/MIND/LIX.236.433"))
    fresh_db.add_work(Work(key="book", title="A book", fields={"isbn": "0-262-03384-4"}))
    fresh_db.add_work(Work(key="pre", title="A preprint", fields={"eprint": "2104.12255v2", "archiveprefix": "arXiv"}))
    assert fresh_db.work_by_identifier("doi", "10.1093/mind/lix.236.433") == fresh_db.work("turing").id
    assert fresh_db.work_by_identifier("isbn", "9780262033848") == fresh_db.work("book").id
    assert fresh_db.work_by_identifier("arxiv", "2104.12255") == fresh_db.work("pre").id
    assert fresh_db.work_by_identifier("doi", "10.1/none") is None


def test_a_work_added_links_to_the_references_already_there_and_keeps_the_rest(fresh_db):
    fresh_db.add_work(Work(key="turing", title="Computing machinery", doi="10.1093/mind/LIX.236.433"))
    work, linked, waiting = fresh_db.add_with_references(
        Work(key="new", title="On Turing"),
        [("Turing 1950", "10.1093/mind/lix.236.433", ""), ("Shannon 1948", "10.1002/j.1538-7305.1948.tb01338.x", ""),
         ("A preprint", "", "2104.12255"), ("No identifier at all", "", "")])
    assert (linked, waiting) == (1, 3)
    assert [r.key for r in fresh_db.references(work.id)] == ["turing"]
    assert [r.text for r in fresh_db.unresolved_references(work.id)] == ["Shannon 1948", "A preprint", "No identifier at all"]
    # the works named arrive later, by add and by import: linked then, in the right direction
    fresh_db.add_work(Work(key="shannon", title="A mathematical theory", doi="10.1002/J.1538-7305.1948.tb01338.X"))
    fresh_db.import_batch(Batch(works=[Work(key="pre", title="A preprint", fields={"eprint": "arXiv:2104.12255"})]))
    assert sorted(r.key for r in fresh_db.references(work.id)) == ["pre", "shannon", "turing"]
    assert [r.text for r in fresh_db.unresolved_references(work.id)] == ["No identifier at all"]
    assert all(a == b for a, b in counts(fresh_db))
    assert fresh_db.citation_counts(fresh_db.work("pre").id) == (1, 0)


def test_undo_of_an_add_takes_its_links_back_and_the_references_wait_again(fresh_db):
    fresh_db.add_with_references(Work(key="citing", title="Citing"), [("Later", "10.5555/later", "")])
    before = fresh_db._read("SELECT * FROM reference_list ORDER BY id")
    later, linked, _ = fresh_db.add_with_references(Work(key="later", title="Later", doi="10.5555/LATER"), [],
                                                    remember=True)
    assert linked == 1 and [r.key for r in fresh_db.citations(later.id)] == ["citing"]
    fresh_db.undo()
    assert fresh_db._read("SELECT * FROM reference_list ORDER BY id") == before  # waiting again, exactly
    assert fresh_db._read("SELECT count(*) FROM citations")[0][0] == 0 and all(a == b for a, b in counts(fresh_db))
    assert fresh_db._read("SELECT count(*) FROM identifiers WHERE value = '10.5555/later'")[0][0] == 0


def test_an_edit_that_gives_a_work_its_doi_links_it(fresh_db):
    citing, _, waiting = fresh_db.add_with_references(Work(key="citing", title="Citing"), [("X", "10.5555/x", "")])
    assert waiting == 1
    x = fresh_db.add_work(Work(key="x", title="X"))
    x.doi = "10.5555/X"
    fresh_db.update_work(x.id, x)
    assert [r.key for r in fresh_db.references(citing.id)] == ["x"]
    fresh_db.undo()  # the edit: the DOI goes, the identifier with it (the link made stays, as links do)
    assert fresh_db.work_by_identifier("doi", "10.5555/x") is None


def test_an_orcid_is_kept_with_its_author(fresh_db):
    work, _, _ = fresh_db.add_with_references(
        Work(key="w", title="W", authors=[Author("Jane Smith", "Oslo", orcid="0000-0002-2515-3842")]), [])
    author = fresh_db.work("w").authors[0]
    assert (author.orcid, author.affiliation) == ("0000-0002-2515-3842", "Oslo")
    assert fresh_db.author(author.id).orcid == "0000-0002-2515-3842"


def test_an_old_catalogue_gets_its_identifiers_when_it_is_upgraded(tmp_path):
    import tui.store as store_module

    path = tmp_path / "old.db"
    store = Store(path)
    store.add_work(Work(key="turing", title="T", doi="10.1093/mind/LIX.236.433", fields={"isbn": "0262033844"}))
    store._read("DROP TABLE identifiers")
    store._read("DROP TABLE reference_list")
    store._read("ALTER TABLE authors DROP COLUMN orcid")
    store._read("DELETE FROM _sqlite_migrations WHERE name = 'm006_identifiers'")
    store.close()
    assert "m006_identifiers" in store_module.schema.KNOWN_MIGRATIONS
    with Store(path) as upgraded:
        assert sorted(upgraded._read("SELECT kind, value FROM identifiers")) == [
            ("doi", "10.1093/mind/lix.236.433"), ("isbn", "9780262033848")]


def test_a_pickers_add_and_link_is_one_change(fresh_db):
    this = fresh_db.add_work(Work(key="this", title="This"))
    new, linked, _ = fresh_db.add_with_references(Work(key="new", title="New", doi="10.5555/new"), [],
                                                  link=("cited by", this.id))
    assert linked == 1 and [r.key for r in fresh_db.references(this.id)] == ["new"]
    fresh_db.undo()  # one u: the work and its link
    assert fresh_db.references(this.id) == [] and fresh_db.count() == 1
    assert all(a == b for a, b in counts(fresh_db))
