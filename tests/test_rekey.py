"""`ibid rekey`: keys by the [keys] pattern for works already in the catalogue, old keys kept as aliases."""

from __future__ import annotations

import pytest

from tests.conftest import assert_one_error_line, ibid, require_shared_data
from tui.formats import Batch, bibtex
from tui.models import Author, Work
from tui.store import Store, StoreError

BIB = r"""
@book{parent,
  author = {Knuth, Donald E.}, title = {Computers and Typesetting}, year = {1984},
}
@inbook{child,
  author = {Knuth, Donald E.}, title = {{TeX} by Topic}, year = {1984}, crossref = {parent},
}
@book{other,
  author = {Knuth, Donald E.}, title = {The METAFONTbook}, year = {1986},
}
@article{Knuth1984Tex,
  author = {Knuth, Donald E.}, title = {TeX again}, year = {1984},
}
@article{citer,
  author = {Lamport, Leslie}, title = {LaTeX}, year = {1986},
}
"""


def dump(store: Store) -> dict[str, list]:
    return {t: sorted(store._read(f"SELECT * FROM {t}"), key=repr) for t in ("works", "aliases", "citations")}


@pytest.fixture
def cat(fresh_db: Store) -> Store:
    fresh_db.import_batch(bibtex.parse_string(BIB, "k.bib"))
    fresh_db.cite("citer", "child")
    return fresh_db


def ids(store: Store) -> list[int]:
    return [r[0] for r in store._read("SELECT id FROM works ORDER BY id")]


def test_rekey_gives_the_pattern_keys_keeps_old_keys_as_aliases_and_links(cat: Store):
    child = cat.resolve_key("child")
    result = cat.rekey(ids(cat), "{auth}{year}{veryshorttitle}")
    changed = {old: new for _, old, new in result.changed}
    # Knuth1984Tex already is what the pattern gives: it stays, and child goes round it
    assert changed == {"parent": "Knuth1984Computers", "child": "Knuth1984Texa", "other": "Knuth1986Metafontbook",
                       "citer": "Lamport1986Latex"}
    assert result.unchanged == 1
    assert cat.work("child").key == "Knuth1984Texa" and cat.resolve_key("child") == child
    assert cat.aliases(child) == ["child"]
    assert cat._read("SELECT citing_id FROM citations WHERE cited_id = ?", (child,)) == [(cat.resolve_key("citer"),)]
    # the child's crossref follows its parent's new key
    assert cat.work("Knuth1984Texa").fields["crossref"] == "Knuth1984Computers"
    assert result.parents == 1


def test_one_undo_puts_every_key_alias_and_crossref_back(cat: Store):
    before = dump(cat)
    cat.rekey(ids(cat), "{auth:lower}{year}")
    assert dump(cat) != before
    assert cat.undo() == "new keys of 5 works"
    assert dump(cat) == before


def test_rekey_again_changes_nothing(cat: Store):
    cat.rekey(ids(cat), "{auth:lower}{year}")
    again = cat.rekey(ids(cat), "{auth:lower}{year}")
    assert again.changed == [] and again.unchanged == 5


def test_a_second_pattern_keeps_both_old_keys_as_aliases(cat: Store):
    child = cat.resolve_key("child")
    cat.rekey([child], "{auth:lower}{year}")
    cat.rekey([child], "{auth}{shortyear}")
    assert cat.work("child").id == child and sorted(cat.aliases(child)) == ["child", "knuth1984"]


def test_a_work_takes_back_its_own_earlier_key(cat: Store):
    child = cat.resolve_key("child")
    cat.rekey([child], "{auth:lower}{year}")
    cat.rekey([child], "{auth}{shortyear}")
    cat.rekey([child], "{auth:lower}{year}")  # its own alias: taken back, no longer an alias
    assert cat.work_by_id(child).key == "knuth1984" and cat.aliases(child) == ["Knuth84", "child"]
    cat.undo()
    assert cat.work_by_id(child).key == "Knuth84" and cat.aliases(child) == ["child", "knuth1984"]


def test_an_old_key_is_never_handed_to_another_work(fresh_db: Store):
    """B's pattern key is A's old key: citations of that key must still find A, so B goes round it."""
    fresh_db.import_batch(Batch(works=[
        Work(key="Other2001", type="article", title="First", authors=[Author("Zed, Q.")], year=2001),
        Work(key="B", type="article", title="Second", authors=[Author("Other, P.")], year=2001),
    ]))
    a, b = fresh_db.resolve_key("Other2001"), fresh_db.resolve_key("B")
    fresh_db.rekey([a], "{auth}{year}")  # Other2001 -> Zed2001
    result = fresh_db.rekey([b], "{auth}{year}")
    assert result.changed == [(b, "B", "Other2001a")]
    assert fresh_db.resolve_key("Other2001") == a


def test_dry_run_changes_nothing_and_works_read_only(cat: Store):
    before = dump(cat)
    path = cat.path
    cat.close()
    with Store(path, read_only=True) as ro:
        result = ro.rekey(None, "{auth:lower}{year}", dry_run=True)
        assert len(result.changed) == 5
        with pytest.raises(StoreError):
            ro.rekey(None, "{auth:lower}{year}")
    with Store(path) as s:
        assert dump(s) == before


def test_an_unknown_field_in_the_pattern_is_refused(cat: Store):
    with pytest.raises(StoreError, match="colour"):
        cat.rekey(None, "{colour}{year}")


def test_undo_refused_when_an_old_key_was_taken_meanwhile(cat: Store):
    other = cat.resolve_key("other")
    cat.rekey([other], "{auth:lower}{year}")
    cat.conn.execute("DELETE FROM aliases WHERE key = 'other'")  # (another process: the key freed and taken)
    cat.import_batch(Batch(works=[Work(key="other", type="misc", title="Someone else")]))
    with pytest.raises(StoreError, match="another work's now"):
        cat.undo()
    assert cat.work_by_id(other).key == "knuth1986"


# ---------------------------------------------------------------- the command line

def test_cli_rekey_query_dry_run_then_for_real_then_undo(cat: Store):
    path = cat.path
    cat.close()
    r = ibid("rekey", "metafontbook", "--pattern", "{auth:lower}{year}{shorttitle}", "--dry-run", "--db", path)
    assert r.exit_code == 0, r.output
    assert r.output.splitlines() == ["other -> knuth1986Metafontbook",
                                     "1 key would change; nothing changed (--dry-run)"]
    r = ibid("rekey", "*", "--pattern", "{auth:lower}{year}", "--db", path)
    assert r.exit_code == 0 and "5 keys changed; crossref/xdata of 1 work rewritten; ibid undo takes it back" in r.output
    r = ibid("show", "child", "--db", path)
    assert r.exit_code == 0 and "Also known as child" in r.output
    r = ibid("undo", "--db", path)
    assert r.exit_code == 0 and "new keys of 5 works" in r.output


def test_cli_rekey_uses_the_settings_pattern(cat: Store, tmp_path, monkeypatch):
    config = tmp_path / "config.toml"
    config.write_text('[keys]\npattern = "{authors2}_{shortyear}"\n')
    monkeypatch.setenv("IBID_CONFIG", str(config))
    path = cat.path
    cat.close()
    r = ibid("rekey", "latex", "--db", path)
    assert r.exit_code == 0 and "citer -> Lamport_86" in r.output


@pytest.mark.parametrize("args, message", [
    (("nothingmatchesthis",), "no work matches"),
    (("*", "--pattern", "{colour}"), "colour"),
])
def test_cli_rekey_refusals(cat: Store, args, message):
    path = cat.path
    cat.close()
    r = ibid("rekey", *args, "--db", path)
    assert message in assert_one_error_line(r)


def test_rekey_biblatex_examples_and_cite_by_old_keys(fresh_db: Store, tmp_path):
    """Every work of biblatex-examples.bib rekeyed: a manuscript citing the old keys exports the
    same works, crossref parents included."""
    from tui.keep import cited_selection

    bib = require_shared_data("bib/biblatex/biblatex-examples.bib")
    fresh_db.import_batch(bibtex.parse_file(bib))
    aux = tmp_path / "paper.aux"
    aux.write_text("\\citation{westfahl:frontier}\n\\citation{knuth:ct:a}\n\\citation{aksin}\n")
    before = cited_selection(fresh_db, [str(aux)])
    result = fresh_db.rekey(None)
    assert len(result.changed) > 50
    after = cited_selection(fresh_db, [str(aux)])
    assert after.missing == [] and sorted(after.ids) == sorted(before.ids)
    keys = {w.key for w in fresh_db.works()}
    assert len(keys) == len(list(fresh_db.works()))
    for work in fresh_db.works():
        for name in ("crossref", "xdata"):
            for parent in (work.fields.get(name) or "").split(","):
                assert not parent.strip() or parent.strip() in keys, (work.key, name, parent)
