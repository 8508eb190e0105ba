"""The core never pulls in Textual: the store, formats and command line work without a screen."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]

# every module below the UI: found, not listed, so a new one is checked the day it is added
UI = ("tui.app", "tui.__main__", "tui.screens", "tui.widgets")
CORE = tuple(sorted(
    name for name in (".".join(p.relative_to(REPO).with_suffix("").parts).removesuffix(".__init__")
                      for p in (REPO / "tui").rglob("*.py"))
    if not name.startswith(UI)))


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
    """SPEC: all SQL lives in the store (tui/store/); no other module talks to SQLite directly."""
    offenders = []
    for path in sorted((REPO / "tui").rglob("*.py")):
        if path.parent == REPO / "tui" / "store":
            continue
        text = path.read_text(encoding="utf-8")
        if re.search(r"^\s*(import sqlite3|from sqlite3|import sqlite_utils|from sqlite_utils)", text, re.M) \
                or SQL.search(text):
            offenders.append(str(path.relative_to(REPO)))
    assert offenders == []


def test_the_store_is_a_package_of_its_concerns():
    """The check above skips tui/store/ only: the package is there, and holds the SQL."""
    store = REPO / "tui" / "store"
    assert (store / "__init__.py").exists() and not (REPO / "tui" / "store.py").exists()
    assert any(SQL.search(p.read_text(encoding="utf-8")) for p in store.glob("*.py"))


def test_the_network_layer_stays_below_the_store_and_the_screens():
    """tui/net fetches works and hands back models: it never imports the store, the app or SQLite."""
    proc = _python("import tui.net, sys; bad = sorted(m for m in sys.modules if m in ('tui.store', 'tui.app', "
                   "'sqlite3', 'sqlite_utils') or m.startswith(('tui.store.', 'tui.screens', 'tui.widgets', "
                   "'textual'))); assert not bad, bad")
    assert proc.returncode == 0, proc.stderr
