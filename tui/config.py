"""The user's settings: a small TOML file in the platform's config folder.

    # ~/.config/ibid/config.toml (platformdirs.user_config_path("ibid")), or $IBID_CONFIG
    [library]
    resolver = "https://resolver.example.edu/openurl"   # "Through your library" (L)

    [references]
    style = "apa"   # what Y copies: apa, chicago, mla, harvard, ieee, ibid, or any CSL style name
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path


class ConfigError(Exception):
    """The config file cannot be read: one line for the user."""


@dataclass
class Config:
    resolver: str = ""
    style: str = "apa"
    path: Path | None = None


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
    return Config(resolver=resolver, style=str(references.get("style") or "apa").strip(), path=path)


def resolver_hint(path: Path) -> str:
    """How to set the link resolver, for when it is not set."""
    return (f'No library link resolver set: add [library] resolver = "https://..." '
            f"(your library's OpenURL base address) to {path}")
