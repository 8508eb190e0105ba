"""Hostile input and faults (issue 6): shared helpers, and a count of the cases each module tried.

Every test module here is one family. A test counts one input, or as many as it says with
`cases(n)`; the terminal summary prints, per family, the inputs tried and how the tests
ended: "injection: 412 inputs in 60 tests: 60 passed; 0 tracebacks, 0 lost". A failure
raised by an assertion is a wrong outcome (something lost, injected or misreported); any
other exception is counted as a traceback.
"""

from __future__ import annotations

import sqlite3
from collections import Counter, defaultdict
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
FIXTURES = REPO / "tests" / "fixtures"
IBID = REPO / ".venv" / "bin" / "ibid"

_inputs: Counter[str] = Counter()
_outcomes: defaultdict[str, Counter[str]] = defaultdict(Counter)


def pytest_configure(config) -> None:
    config.addinivalue_line("markers", "e2e: real-terminal tests in tmux")


def _family(nodeid: str) -> str:
    name = nodeid.split("::", 1)[0].rsplit("/", 1)[-1]
    return name.removeprefix("test_").removesuffix(".py").replace("_", " ")


@pytest.fixture
def cases(request):
    """`cases(n)`: this test tried n inputs (a test that never calls it counts one)."""
    counted = [0]

    def add(n: int = 1) -> None:
        counted[0] += n

    yield add
    request.node.user_properties.append(("hostile_inputs", counted[0]))


_skipped: set[str] = set()


def pytest_runtest_logreport(report) -> None:
    if "tests/hostile/" not in report.nodeid.replace("\\", "/"):
        return
    family = _family(report.nodeid)
    if report.when == "call" or (report.when == "setup" and not report.passed):
        if report.skipped:
            _outcomes[family]["skipped"] += 1
            _skipped.add(report.nodeid)
            return
        if report.failed:
            text = str(report.longrepr)
            kind = "lost" if "AssertionError" in text or "assert " in text else "tracebacks"
            _outcomes[family][kind] += 1
            _outcomes[family]["failed"] += 1
        else:
            _outcomes[family]["passed"] += 1
    if report.when == "teardown":
        if report.nodeid not in _skipped:
            _inputs[family] += max(dict(report.user_properties).get("hostile_inputs", 0), 1)


def pytest_terminal_summary(terminalreporter) -> None:
    if not _outcomes:
        return
    terminalreporter.section("hostile input and faults (issue 6)")
    for family in sorted(_outcomes):
        o = _outcomes[family]
        tests = o["passed"] + o["failed"]
        skipped = f", {o['skipped']} skipped" if o["skipped"] else ""
        terminalreporter.write_line(
            f"{family}: {_inputs[family]} inputs in {tests} tests: {o['passed']} passed, {o['failed']} failed{skipped}; "
            f"{o['tracebacks']} tracebacks, {o['lost']} lost or wrong")


@pytest.fixture(autouse=True)
def no_browser(monkeypatch) -> list[str]:
    """`o` in these tests never starts a real browser: what would be opened is recorded."""
    opened: list[str] = []
    monkeypatch.setattr("webbrowser.open", lambda url, *a, **k: opened.append(url) or True)
    return opened


def snapshot(db: Path):
    """Everything a user could lose, read without changing the file."""
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        return {t: conn.execute(f"SELECT * FROM {t} ORDER BY 1, 2").fetchall()
                for t in ("works", "authors", "work_authors", "citations", "similar_links", "keywords", "changes")}
    finally:
        conn.close()


def integrity(db: Path) -> str:
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        return conn.execute("PRAGMA integrity_check").fetchone()[0]
    finally:
        conn.close()
