"""Search: any string a user can type gives results or "no results", never an SQLite error.

The same strings go to the store (every sort, and the count), to `ibid search` (text and
--json), and into the browser's search box (typed, as the list narrows). FTS5 syntax,
unbalanced quotes and parentheses, NEAR(, a lone *, NUL, column filters, huge queries, and
400 random strings over the characters FTS5 and the query parser treat specially.
"""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest
from click.testing import CliRunner

from tui.app import IbidApp
from tui.cli import main
from tui.formats import parse_path
from tui.models import Author, Work
from tui.store import Store

from ..ui.conftest import settle
from .conftest import FIXTURES

TYPED = [
    "", " ", "*", "**", "* *", "a*", "*a", "^", "^Gödel", "-", "--", "-Gödel", "+", ":", "::", "title:", "title:*",
    '"', '""', '"""', '"Gödel', 'Gödel"', '"On Computable', "'", "''", "'Gödel", "(", ")", "((", "))", "(Gödel",
    "Gödel)", "()", "(()", "NEAR(", "NEAR(a b", "NEAR(a b, 2)", "NEAR(a b, -1)", "NEAR", "near", "AND", "OR", "NOT",
    "AND OR NOT", "Gödel AND", "AND Gödel", "Gödel OR", "NOT Gödel", "Gödel NOT Turing", "a OR b AND c NOT d",
    "{title}: x", "{title author_names}: Turing", "- title: x", "title : x", "works_fts", "rank", "rowid:1",
    "title:\"", 'author:"', 'author:"Turing', "author:", "year:", "year:abc", "year:-", "year:..", "year:1..",
    "year:..1936", "year:1936", "year:1931..1936", "year:99999999999", "year:0", "year:-5", "year:1936-",
    "year:2020..1900", "venue:", "venue:\"Philosophical", "keyword:", "abstract:*", "nosuch:thing", "x:y:z",
    "\x00", "Gödel\x00", "\x00\x00\x00", "a\x00b", "\x1b[31m", "\x1b", "\t", "\n", "\r\n", "\\", "\\\"", "%", "_",
    "%_%", "' OR 1=1 --", "'; DROP TABLE works; --", "\") OR (\"", "Gödel' OR '1'='1", "[bold]", "[/]",
    "[link=x]y[/link]", "🙂", "漢字", "ﬁ", "ß", "İ", "e\u0301", "\u202e", "\ufeff", "\ud800", "\udcff",
    "a" * 10_000, "Gödel " * 2_000, " ".join(f"w{i}" for i in range(3_000)), "(" * 5_000, '"' * 999,
    "NEAR(" * 300, "* " * 1000, "title:" + "x " * 3_000, "-" * 1_000, "a-b-c-d", "C++", "C#", ".NET", "1.5",
    "10.1007/BF01700692", "https://doi.org/10.1/x", "o'neil", "l'homme", "Gödel*", "Göd*", "G*del", "?",
    "!", "@", "#", "$", "&", "|", "~", "`", "=", "<>", "<", ">", "/", ";", ",", ".", "...",
]

SPECIAL = '"()*:^-+{}[],;.\'\\\x00 \tANDORNTEAR_%?~|/<>@'


def fuzz(n: int = 400) -> list[str]:
    rng = random.Random(42)
    words = ["AND", "OR", "NOT", "NEAR", "title:", "author:", "year:", "Gödel", "Turing", "on", "*", "\"", "(", ")"]
    out = []
    for _ in range(n):
        parts = []
        for _ in range(rng.randint(1, 8)):
            if rng.random() < 0.4:
                parts.append(rng.choice(words))
            else:
                parts.append("".join(rng.choice(SPECIAL) for _ in range(rng.randint(1, 6))))
        out.append(rng.choice(["", " "]).join(parts))
    return out


FUZZ = fuzz()


@pytest.fixture(scope="module")
def db(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("search") / "catalog.db"
    store = Store(path)
    store.import_batch(parse_path(FIXTURES / "small.bib"))
    store.add_work(Work(key="near", title="Near and far: AND, OR, NOT (a study)", authors=[Author("O'Neil, Nor")],
                        year=2001, abstract='quotes " and (parentheses) and * stars and NEAR(x y)'))
    store.add_work(Work(key="cpp", title="C++ and C# for .NET", year=2010))
    store.close()
    return path


@pytest.fixture(scope="module")
def store(db: Path):
    s = Store(db, read_only=True)
    yield s
    s.close()


@pytest.mark.parametrize("text", TYPED + FUZZ, ids=[f"q{i}" for i in range(len(TYPED) + len(FUZZ))])
def test_store_search_never_raises(text: str, store: Store, cases):
    for sort in ("relevance", "year", "title", "cited", "added"):
        for typed in (text, text + " "):  # as typed (last word a prefix) and given whole
            cases()
            ids = store.search_ids(typed, sort, 50)
            n = store.search_count(typed)
            assert isinstance(ids, list) and n >= len(ids) >= 0
            assert store.rows(ids) is not None


def test_searches_that_look_like_syntax_still_find_the_words(store: Store):
    def keys(q: str) -> set[str]:
        return {r.key for r in store.search(q + " ", "relevance", 50)}

    assert keys('"Gödel') == {"Goedel1931"}
    assert keys("(Gödel") == {"Goedel1931"} == keys("Gödel)") == keys("^Gödel") == keys("Gödel\x00")
    assert keys('title:"On Computable') == {"Turing1936"}
    assert "near" in keys("NEAR(") and "near" in keys("AND OR NOT")
    assert keys("year:1931") == {"Goedel1931"}
    assert keys("*") == set() and keys("\x00") == set()
    assert keys("O'Neil") == {"near"} and "cpp" in keys("C++")


# an argv string cannot hold NUL (the OS ends it there): those go through the store and the TUI
ARGV = [t for t in TYPED[::2] + FUZZ[:60] if "\x00" not in t]


@pytest.mark.parametrize("text", ARGV, ids=[f"q{i}" for i in range(len(ARGV))])
def test_ibid_search_answers_every_string(text: str, db: Path, cases):
    runner = CliRunner()
    for args in (["search", "--db", str(db), text], ["search", "--db", str(db), "--json", text],
                 ["search", "--db", str(db), "--sort", "year", "--limit", "3", text],
                 ["export", "--db", str(db), "--format", "json", text]):
        cases()
        result = runner.invoke(main, args, catch_exceptions=True)
        assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
        assert "Traceback" not in result.output
        if text.startswith("-") and result.exit_code:
            # `-x` reads as an option: one usage line, and `--` makes it a query
            assert len(result.stderr.splitlines()) == 1 and result.stderr.startswith("ibid: ")
            result = runner.invoke(main, args[:-1] + ["--", text], catch_exceptions=True)
        assert result.exit_code == 0, result.output
        if "--json" in args or "export" in args:
            assert isinstance(json.loads(result.stdout), list)
        elif result.stdout.strip() != "No works found.":
            assert all("\t" in line for line in result.stdout.splitlines())


async def test_typing_every_string_in_the_browser(db: Path, cases):
    app = IbidApp(Store(db))
    async with app.run_test(size=(120, 35)) as pilot:
        await settle(pilot)
        main_screen = app.screen
        box = main_screen.query_one("#search")
        await pilot.press("slash")
        strings = TYPED[:120] + FUZZ[:80]
        for text in strings:
            cases()
            box.value = text
            await settle(pilot)
            status = str(main_screen.query_one("#status").render())
            assert "match" in status or "works" in status, (text, status)
            assert not [n for n in app._notifications if n.severity == "error"], (text, list(app._notifications))
        # and typed key by key, as a user would, with the list narrowing at each key
        box.value = ""
        await settle(pilot)
        for key in ['quotation_mark', 'N', 'E', 'A', 'R', 'left_parenthesis', 'asterisk', 'colon', 'circumflex_accent',
                    'minus', 'right_parenthesis', 'quotation_mark', 'space', 'O', 'R']:
            cases()
            await pilot.press(key)
            await settle(pilot)
        assert box.value == '"NEAR(*:^-)" OR'
        assert not [n for n in app._notifications if n.severity == "error"]
        assert app.is_running


async def test_search_in_the_picker_too(db: Path, cases):
    from tui.screens.pick import PickWorkScreen

    app = IbidApp(Store(db))
    async with app.run_test(size=(120, 35)) as pilot:
        await settle(pilot)
        await pilot.press("c")
        await settle(pilot)
        assert isinstance(app.screen, PickWorkScreen)
        box = app.screen.query_one("#pick-search")
        for text in TYPED[:60]:
            cases()
            box.value = text
            await settle(pilot)
            assert "works" in str(app.screen.query_one("#pick-status").render()) or "No works match" in str(
                app.screen.query_one("#pick-status").render())
        assert not [n for n in app._notifications if n.severity == "error"]
