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
