"""The core never pulls in Textual: the store, formats and command line work without a screen."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]

CORE = ("tui.store", "tui.formats", "tui.formats.bibtex", "tui.formats.jsonl", "tui.formats.philpapers",
        "tui.formats.latex", "tui.query", "tui.models", "tui.similar", "tui.seeds", "tui.safe", "tui.cli",
        "tui.net", "tui.net.identifiers", "tui.net.crossref", "tui.net.doi", "tui.net.arxiv", "tui.net.openlibrary")


def _python(code: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO, timeout=120)


def test_core_does_not_import_textual():
    proc = _python("import tui.store, tui.formats.bibtex, tui.formats.jsonl, tui.formats.philpapers, "
                   "tui.similar, tui.cli, sys; assert 'textual' not in sys.modules")
    assert proc.returncode == 0, proc.stderr


def test_every_core_module_alone_does_not_import_textual():
    code = ("import importlib, sys\n"
            f"for name in {CORE!r}:\n"
            "    importlib.import_module(name)\n"
            "    bad = sorted(m for m in sys.modules if m == 'textual' or m.startswith('textual.'))\n"
            "    assert not bad, (name, bad[:3])\n")
    proc = _python(code)
    assert proc.returncode == 0, proc.stderr


def test_the_check_itself_can_fail():
    """The same check with textual imported must fail, or the tests above prove nothing."""
    proc = _python("import textual, sys; assert 'textual' not in sys.modules")
    assert proc.returncode != 0 and "AssertionError" in proc.stderr


SQL = re.compile(r"\b(SELECT\s+[\w*(),. ]+\s+FROM|INSERT\s+(OR\s+\w+\s+)?INTO|DELETE\s+FROM|UPDATE\s+\w+\s+SET"
                 r"|CREATE\s+(TABLE|INDEX|TRIGGER|VIRTUAL))\b")


def test_sql_lives_only_in_the_store():
    """SPEC: all SQL lives in tui/store.py; no other module talks to SQLite directly."""
    offenders = []
    for path in sorted((REPO / "tui").rglob("*.py")):
        if path == REPO / "tui" / "store.py":
            continue
        text = path.read_text(encoding="utf-8")
        if re.search(r"^\s*(import sqlite3|from sqlite3|import sqlite_utils|from sqlite_utils)", text, re.M) \
                or SQL.search(text):
            offenders.append(str(path.relative_to(REPO)))
    assert offenders == []


def test_the_network_layer_stays_below_the_store_and_the_screens():
    """tui/net fetches works and hands back models: it never imports the store, the app or SQLite."""
    proc = _python("import tui.net, sys; bad = sorted(m for m in sys.modules if m in ('tui.store', 'tui.app', "
                   "'sqlite3', 'sqlite_utils') or m.startswith(('tui.store.', 'tui.screens', 'tui.widgets', "
                   "'textual'))); assert not bad, bad")
    assert proc.returncode == 0, proc.stderr
