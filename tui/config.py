"""The user's settings: a small TOML file in the platform's config folder.

    # ~/.config/ibid/config.toml (platformdirs.user_config_path("ibid")), or $IBID_CONFIG
    [library]
    resolver = "https://resolver.example.edu/openurl"   # "Through your library" (L)

    [references]
    style = "apa"   # what Y copies: apa, chicago, mla, harvard, ieee, ibid, or any CSL style name

    [net]   # where `ibid add` fetches a work by DOI, arXiv id or ISBN (a proxy, mirror or test server may stand in)
    mailto = "you@example.edu"   # sent to Crossref, which answers faster for a known address ("polite pool")
    crossref = "https://api.crossref.org"
    doi = "https://doi.org"
    arxiv = "https://export.arxiv.org/api/query"
    openlibrary = "https://openlibrary.org"
    timeout = 10        # seconds a service may take to answer
    arxiv_delay = 3     # seconds between two requests to arXiv (their rule); 0 for a local server
    concurrency = 4     # requests at once to one service when fetching many
    retry_wait = 5      # at most this many seconds before the one retry after a 429 or 5xx

    [keys]
    pattern = "{auth}{year}{veryshorttitle}"   # keys for works that arrive without one (formats/keypattern.py)
    cite_format = "latex"   # several keys copied: latex \\cite{a,b}, pandoc [@a; @b], plain a, b
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path


class ConfigError(Exception):
    """The config file cannot be read: one line for the user."""


@dataclass
class NetSettings:
    """`[net]`: where works are fetched from, and how politely."""

    mailto: str = ""
    crossref: str = "https://api.crossref.org"
    doi: str = "https://doi.org"
    arxiv: str = "https://export.arxiv.org/api/query"
    openlibrary: str = "https://openlibrary.org"
    timeout: float = 10.0
    arxiv_delay: float = 3.0
    concurrency: int = 4
    retry_wait: float = 5.0  # the longest wait before the one retry of a 429 or 5xx (Retry-After is capped to it)


@dataclass
class Config:
    resolver: str = ""
    style: str = "apa"
    path: Path | None = None
    net: NetSettings = field(default_factory=NetSettings)
    key_pattern: str = "{auth}{year}{veryshorttitle}"  # keypattern.DEFAULT_PATTERN: the house key
    cite_format: str = "latex"


def config_path() -> Path:
    """`$IBID_CONFIG`, or `config.toml` in the user's config folder."""
    if os.environ.get("IBID_CONFIG"):
        return Path(os.environ["IBID_CONFIG"])
    from platformdirs import user_config_path

    return user_config_path("ibid") / "config.toml"


def load_config(path: Path | None = None) -> Config:
    """The settings; defaults when the file does not exist."""
    import tomllib  # read when a key needs the settings, not at start-up

    path = path or config_path()
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return Config(path=path)
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read ({getattr(exc, 'strerror', None) or exc})") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML ({exc})") from None
    library = data.get("library") if isinstance(data.get("library"), dict) else {}
    references = data.get("references") if isinstance(data.get("references"), dict) else {}
    resolver = str(library.get("resolver") or "").strip()
    if resolver and not resolver.startswith(("http://", "https://")):
        raise ConfigError(f"{path}: [library] resolver must be an http:// or https:// address")
    net = _net(data.get("net") if isinstance(data.get("net"), dict) else {}, path)
    key_pattern, cite_format = _keys(data.get("keys") if isinstance(data.get("keys"), dict) else {}, path)
    return Config(resolver=resolver, style=str(references.get("style") or "apa").strip(), path=path, net=net,
                  key_pattern=key_pattern, cite_format=cite_format)


_URLS = ("crossref", "doi", "arxiv", "openlibrary")
_NUMBERS = {"timeout": (float, 0.1), "arxiv_delay": (float, 0.0), "concurrency": (int, 1), "retry_wait": (float, 0.0)}


def _net(table: dict, path: Path) -> NetSettings:
    """The `[net]` table, checked: base addresses are http(s), numbers are numbers."""
    net = NetSettings(mailto=str(table.get("mailto") or "").strip())
    for name in _URLS:
        if table.get(name) is None:
            continue
        url = str(table[name]).strip().rstrip("/")
        if not url.startswith(("http://", "https://")):
            raise ConfigError(f"{path}: [net] {name} must be an http:// or https:// address")
        setattr(net, name, url)
    for name, (kind, least) in _NUMBERS.items():
        if table.get(name) is None:
            continue
        value = table[name]
        if isinstance(value, bool) or not isinstance(value, (int, float)) or value < least \
                or (kind is int and value != int(value)):
            raise ConfigError(f"{path}: [net] {name} must be a {'whole ' if kind is int else ''}number "
                              f"of at least {kind(least)}")
        setattr(net, name, kind(value))
    return net


def _keys(keys: dict, path: Path) -> tuple[str, str]:
    """[keys] pattern and cite_format, checked now rather than at the first key made."""
    from .formats.cited import CITE_FORMATS
    from .formats.keypattern import DEFAULT_PATTERN, PatternError, check_pattern

    pattern = keys.get("pattern", DEFAULT_PATTERN)
    if not isinstance(pattern, str):
        raise ConfigError(f"{path}: [keys] pattern must be a string, e.g. {DEFAULT_PATTERN!r}")
    try:
        check_pattern(pattern)
    except PatternError as exc:
        raise ConfigError(f"{path}: [keys] {exc}") from None
    cite_format = keys.get("cite_format", "latex")
    if cite_format not in CITE_FORMATS:
        raise ConfigError(f"{path}: [keys] cite_format must be one of {', '.join(CITE_FORMATS)}")
    return pattern, cite_format


def resolver_hint(path: Path) -> str:
    """How to set the link resolver, for when it is not set."""
    return (f'No library link resolver set: add [library] resolver = "https://..." '
            f"(your library's OpenURL base address) to {path}")
