"""Shared fixtures: a fresh catalogue, and the real data beside the repository (skipped when absent)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tui.store import Store

REPO = Path(__file__).resolve().parents[1]
# Real third-party files live beside the repository and are never copied into it.
SHARED_DATA = (REPO / ".." / "shared" / "data").resolve()


def require_shared_data(relative: str | Path = "") -> Path:
    """A path under ../shared/data (relative to it, or already joined to it), or skip the test
    with the reason when it is absent. The one guard for real data: every test module uses it."""
    path = SHARED_DATA / relative if relative else SHARED_DATA
    if not path.exists():
        pytest.skip(f"../shared/data not present: {path} does not exist (real-data tests need it)")
    return path


@pytest.fixture(autouse=True)
def no_user_config(tmp_path_factory, monkeypatch):
    """Tests never read the user's own config file (their resolver, their citation style)."""
    monkeypatch.setenv("IBID_CONFIG", str(tmp_path_factory.mktemp("config") / "config.toml"))


@pytest.fixture
def shared_data() -> Path:
    """The root of ../shared/data (skips when absent)."""
    return require_shared_data()


@pytest.fixture
def fresh_db(tmp_path: Path):
    """An empty catalogue (no seeds) in a temporary folder."""
    store = Store(tmp_path / "catalog.db")
    try:
        yield store
    finally:
        store.close()
