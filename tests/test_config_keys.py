"""[keys] in the settings: the key pattern and the form several copied keys take."""

from __future__ import annotations

import pytest

from tui.config import Config, ConfigError, load_config
from tui.formats.keypattern import DEFAULT_PATTERN


def test_defaults_change_nothing(tmp_path):
    assert Config().key_pattern == DEFAULT_PATTERN
    for text in ("", "[keys]\n"):
        (tmp_path / "c.toml").write_text(text)
        config = load_config(tmp_path / "c.toml")
        assert (config.key_pattern, config.cite_format) == (DEFAULT_PATTERN, "latex")
    assert load_config(tmp_path / "none.toml").key_pattern == DEFAULT_PATTERN


def test_keys_are_read(tmp_path):
    (tmp_path / "c.toml").write_text('[keys]\npattern = "{auth:lower}{year}{shorttitle}"\ncite_format = "pandoc"\n')
    config = load_config(tmp_path / "c.toml")
    assert (config.key_pattern, config.cite_format) == ("{auth:lower}{year}{shorttitle}", "pandoc")


@pytest.mark.parametrize("text, message", [
    ('[keys]\npattern = "{auth}{edition}"\n', r"c\.toml: \[keys\] key pattern '\{auth\}\{edition\}': unknown field \{edition\}"),
    ('[keys]\npattern = 3\n', r"\[keys\] pattern must be a string"),
    ('[keys]\ncite_format = "bibtex"\n', r"\[keys\] cite_format must be one of latex, pandoc, plain"),
])
def test_bad_keys_say_why(tmp_path, text, message):
    (tmp_path / "c.toml").write_text(text)
    with pytest.raises(ConfigError, match=message):
        load_config(tmp_path / "c.toml")


# ---------------------------------------------------------------- the pattern for imported works without keys

RIS = """TY  - JOUR
AU  - Wang, Li
TI  - China and Russia in the SCO
PY  - 2020
ER  - 
TY  - JOUR
AU  - Wang, Li
TI  - China and the Arctic
PY  - 2020
ER  - 
"""

CSL = """[{"type": "article-journal", "title": "Sea ice and shipping", "author": [{"family": "Wang", "given": "Li"}],
  "issued": {"date-parts": [[2020]]}}]"""

BIB = "@article{mykey, author = {Wang, Li}, title = {Kept as given}, year = {2020}}\n"


def _keys(db) -> list[str]:
    from tui.store import Store

    with Store(db) as s:
        return sorted(w.key for w in s.works())


def test_imports_without_keys_take_the_pattern_given_keys_stay(tmp_path, monkeypatch):
    from tests.conftest import ibid

    (tmp_path / "c.toml").write_text('[keys]\npattern = "{auth:lower}{year}"\n')
    monkeypatch.setenv("IBID_CONFIG", str(tmp_path / "c.toml"))
    for name, text in (("a.ris", RIS), ("b.json", CSL), ("c.bib", BIB)):
        (tmp_path / name).write_text(text)
    db = tmp_path / "lib.db"
    r = ibid("import", str(tmp_path / "a.ris"), "--db", db)
    assert r.exit_code == 0 and "0 renamed" in r.output, r.output
    assert _keys(db) == ["wang2020", "wang2020a"]
    r = ibid("import", str(tmp_path / "b.json"), str(tmp_path / "c.bib"), "--db", db)
    assert r.exit_code == 0, r.output
    # the catalogue's keys taken: the next letter, by the same rule; a key the file gives is its own
    assert _keys(db) == ["mykey", "wang2020", "wang2020a", "wang2020b"]


def test_without_a_pattern_set_the_house_keys_stay(tmp_path):
    from tests.conftest import ibid

    (tmp_path / "a.ris").write_text(RIS)
    db = tmp_path / "lib.db"
    assert ibid("import", str(tmp_path / "a.ris"), "--db", db).exit_code == 0
    assert _keys(db) == ["Wang2020China", "Wang2020Chinab"]


def test_links_within_the_file_follow_the_new_keys():
    from tui.formats import Batch
    from tui.formats.keypattern import apply_to_made_up_keys
    from tui.models import Author, Work

    works = [Work(key=k, type="article", title=t, authors=[Author("Wang, Li")], year=2020)
             for k, t in (("Wang2020China", "China"), ("Wang2020Chinab", "China again"), ("given", "Given"))]
    batch = Batch(works=works, citations=[("Wang2020Chinab", "Wang2020China"), ("given", "Wang2020Chinab")],
                  generated={"Wang2020China", "Wang2020Chinab"}, lines={"Wang2020China": 1, "Wang2020Chinab": 6})
    apply_to_made_up_keys(batch, "{auth}{shortyear}")
    assert [w.key for w in works] == ["Wang20", "Wang20a", "given"]
    assert batch.citations == [("Wang20a", "Wang20"), ("given", "Wang20a")]
    assert batch.lines == {"Wang20": 1, "Wang20a": 6} and batch.generated == {"Wang20", "Wang20a"}
