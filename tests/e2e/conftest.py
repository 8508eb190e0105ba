"""Real-terminal tests: the installed `ibid` runs in a private tmux server, driven by keys."""

from __future__ import annotations


def pytest_configure(config) -> None:
    config.addinivalue_line("markers", "e2e: real-terminal tests in tmux")
