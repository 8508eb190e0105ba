"""Injection: Rich markup, ANSI/OSC/DCS escapes, C1 controls, NUL, bidi overrides, huge fields.

Every payload goes into every field of a work (key, title, author, affiliation, abstract,
venue, keywords, DOI, URL), through a real import and through the store. Then every surface
that draws it is read: the CLI's text, BibTeX and JSON output (with colour on, as a terminal
would get it), and in the TUI what the compositor would send for each screen (list, record
page, status, search box, edit, author, pick, notifications). Nothing may reach the terminal
as a control character; markup must show literally; JSON must stay exact.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import time
import uuid
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from tui.app import IbidApp
from tui.cli import main
from tui.formats import parse_path
from tui.models import Author, Work
from tui.safe import printable
from tui.screens.main import MainScreen
from tui.store import Store
from tui.widgets.record import RecordView

from ..ui.conftest import settle

# What must never reach a terminal from the data: C0 (but tab, newline), DEL, C1, bidi overrides.
UNSAFE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")

PAYLOADS = {
    "rich-bold": "[bold]bold[/bold] text",
    "rich-link": "[link=https://evil.example/x]click me[/link]",
    "rich-close-all": "a [/] b [/bold] c",
    "rich-unclosed": "[red on blue]colour never closed",
    "textual-click-action": "[@click=app.quit]quit[/]",
    "textual-click-screen": "[@click=screen.action_edit()]edit[/]",
    "rich-emoji-code": ":warning: :skull: $variable ${x}",
    "brackets": "[[x]] [ ] [/ ] \\[escaped]",
    "ansi-sgr": "\x1b[31mred\x1b[0m \x1b[5mblink\x1b[25m",
    "ansi-clear": "\x1b[2J\x1b[Hcleared \x1b[?1049h",
    "osc52-clipboard": "\x1b]52;c;cm0gLXJmIH4=\x07copied",
    "osc8-hyperlink": "\x1b]8;;https://evil.example\x1b\\link\x1b]8;;\x1b\\",
    "osc0-title": "\x1b]0;pwned title\x07",
    "dcs": "\x1bP+q544e\x1b\\dcs",
    "c1-csi": "\x9b31mc1 red\x9b0m",
    "c1-osc": "\x9d0;c1 title\x9c",
    "nul": "before\x00after",
    "bell-backspace": "ring\x07\x07 back\x08\x08\x08space",
    "carriage-return": "visible\rHIDDEN overwrite",
    "vertical-tab-ff": "a\x0bb\x0cc",
    "del": "rub\x7fout",
    "rlo": "invoice\u202egpj.exe",
    "bidi-isolates": "\u2066isolated\u2069 \u2067rtl\u2069 \u2068fs\u2069",
    "rlm-lrm-marks": "שלום\u200f abc\u200e مرحبا\u061c",
    "zero-width": "zero\u200bwidth\ufeffbom\u200djoin",
    "combining-flood": "e" + "\u0301" * 300,
    "line-separators": "para\u2028line\u2029sep\x85nel",
    "wide-and-emoji": "漢字テスト 👩‍👩‍👧‍👦 🏳️‍🌈",
    "format-strings": "%s %d {0} {title} %(x)s",
    "sql-ish": "'; DROP TABLE works; --",
    "latex-ish": "\\textbf{x} $\\alpha$ {\\\"o} \\input{/etc/passwd}",
    "tab-and-newlines": "a\tb\nc\n\nd",
    "only-escapes": "\x1b\x1b\x1b",
    "long-line-no-spaces": "x" * 5000,
}

IDS = list(PAYLOADS)


def payload_work(i: int, payload: str) -> Work:
    return Work(
        key=f"evil{i}",
        type="article",
        title=f"T{i} {payload}",
        authors=[Author(f"A{i} {payload}", f"Aff {payload}"), Author("Plain Author")],
        year=2000 + i,
        venue=f"V {payload}",
        volume="1", number="2", pages="3-4",
        doi=f"10.1234/{i}{payload}",
        url=f"https://example.org/{i}{payload}",
        abstract=f"Abstract {payload} end of abstract.",
        keywords=[f"kw {payload}", "plain"],
    )


def unsafe(text: str) -> list[str]:
    return sorted(set(UNSAFE.findall(text)))


def ibid(*args) -> Result:
    # color=True: click would otherwise strip ANSI codes from output that is not a terminal,
    # hiding exactly what this module looks for
    return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=True, color=True)


def no_traceback(result: Result) -> None:
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    assert "Traceback" not in result.output


# ---------------------------------------------------------------------------- the command line


@pytest.fixture(scope="module")
def cli_db(tmp_path_factory) -> Path:
    """Every payload as a work, added through the store."""
    path = tmp_path_factory.mktemp("inj") / "catalog.db"
    store = Store(path)
    for i, payload in enumerate(PAYLOADS.values()):
        store.add_work(payload_work(i, payload))
    store.cite("evil0", "evil1")
    store.close()
    return path


def stored(db: Path, key: str) -> Work:
    store = Store(db, read_only=True)
    try:
        return store.work(key)
    finally:
        store.close()


@pytest.mark.parametrize("name", IDS)
def test_cli_output_is_inert_and_json_is_exact(name: str, cli_db: Path, cases):
    i = IDS.index(name)
    payload = PAYLOADS[name]
    key = f"evil{i}"
    work = stored(cli_db, key)
    assert work.title == f"T{i} {payload}"  # stored exactly as given
    runs = {
        "show": ibid("show", "--db", cli_db, key),
        "show-bibtex": ibid("show", "--db", cli_db, key, "--format", "bibtex"),
        "show-json": ibid("show", "--db", cli_db, key, "--format", "json"),
        "search": ibid("search", "--db", cli_db, f"T{i}"),
        "search-json": ibid("search", "--db", cli_db, f"T{i}", "--json"),
        "export": ibid("export", "--db", cli_db, f"T{i}"),
        "export-json": ibid("export", "--db", cli_db, f"T{i}", "--format", "json"),
        "search-for-payload": ibid("search", "--db", cli_db, payload),
        "show-payload-key": ibid("show", "--db", cli_db, payload),
        "cite-payload-key": ibid("cite", "--db", cli_db, key, payload),
    }
    cases(len(runs))
    for what, result in runs.items():
        no_traceback(result)
        assert unsafe(result.stdout) == [] and unsafe(result.stderr) == [], (what, unsafe(result.output))
    for what in ("show", "show-bibtex", "show-json", "search", "search-json", "export", "export-json"):
        assert runs[what].exit_code == 0, (what, runs[what].output)
    for what in ("show-payload-key", "cite-payload-key"):
        assert runs[what].exit_code == 1 and len(runs[what].stderr.splitlines()) == 1
    # JSON keeps every character (escaped, not dropped)
    shown = json.loads(runs["show-json"].stdout)
    assert (shown["title"], shown["abstract"], shown["authors"][0]["name"]) == (
        work.title, work.abstract, work.authors[0].name)
    assert json.loads(runs["search-json"].stdout)[0]["title"] == work.title
    assert json.loads(runs["export-json"].stdout)[0]["venue"] == work.venue
    # text shows it literally: markup stays markup-looking text, escapes become visible symbols
    assert printable(work.title, False) in runs["show"].stdout
    assert printable(work.title, False) in runs["search"].stdout


def test_hostile_bibtex_file_imports_and_reports_inertly(tmp_path: Path, cases):
    """The payloads through a real .bib import: refused blocks and keys quoted, never raw."""
    entries = []
    for i, payload in enumerate(PAYLOADS.values()):
        text = payload.replace("{", "(").replace("}", ")").replace("\\", "/")
        entries.append(f"@article{{bib{i}{text[:8] if not any(c.isspace() for c in text[:8]) else ''},\n"
                       f"  title = {{{text}}},\n  author = {{{text} and Doe, Jane}},\n"
                       f"  abstract = {{{text}}},\n  journal = {{{text}}},\n  year = {{2001}},\n}}\n")
        entries.append(f"@article{{broken{i}, title = {{{text}\n\n")  # never closed: a refused block
    path = tmp_path / "hostile.bib"
    path.write_text("\n".join(entries), encoding="utf-8")
    db = tmp_path / "catalog.db"
    result = ibid("import", "--db", db, path)
    cases(2 * len(PAYLOADS))
    no_traceback(result)
    assert result.exit_code == 0, result.output
    assert unsafe(result.output) == []
    batch = parse_path(path)
    store = Store(db, read_only=True)
    try:
        got = {w.key: w.title for w in store.works()}
    finally:
        store.close()
    assert all(got.get(w.key) == w.title for w in batch.works)  # nothing lost on the way in


def test_hostile_jsonl_file_imports_exactly(tmp_path: Path, cases):
    path = tmp_path / "hostile.jsonl"
    lines = [json.dumps({"title": f"J{i} {p}", "authors": [f"N {p}"], "abstract": p, "year": 1999})
             for i, p in enumerate(PAYLOADS.values())]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    db = tmp_path / "catalog.db"
    result = ibid("import", "--db", db, path)
    cases(len(lines))
    no_traceback(result)
    assert result.exit_code == 0 and unsafe(result.output) == []
    store = Store(db, read_only=True)
    titles = {w.title for w in store.works()}
    store.close()
    # titles come in with their whitespace runs made one space (a JSONL title is one line)
    assert {" ".join(f"J{i} {p}".split()) for i, p in enumerate(PAYLOADS.values())} <= titles


def test_a_lone_surrogate_in_jsonl_is_refused_with_its_line(tmp_path: Path):
    path = tmp_path / "s.jsonl"
    path.write_text('{"title": "ok"}\n{"title": "bad \\ud800 half"}\n{"title": "pair \\ud83d\\ude00 fine"}\n')
    result = ibid("import", "--db", tmp_path / "c.db", path)
    no_traceback(result)
    assert result.exit_code == 0
    assert "2 added" in result.stdout and f"{path}:2: refused line" in result.stderr


def test_a_lone_surrogate_reaching_the_store_is_a_store_error(tmp_path: Path):
    from tui.store import StoreError

    store = Store(tmp_path / "c.db")
    before = store.count()
    with pytest.raises(StoreError, match="not valid Unicode"):
        store.add_work(Work(key="s", title="half \ud800"))
    assert store.count() == before
    store.close()


# ---------------------------------------------------------------------------- huge fields


@pytest.fixture(scope="module")
def huge_db(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("huge") / "catalog.db"
    store = Store(path)
    words = " ".join(f"word{i % 5000}" for i in range(150_000))
    abstract = (words + " \x1b[31m[bold]") * (1_000_000 // len(words) + 1)
    store.add_work(Work(key="bigabstract", title="A one-megabyte abstract", abstract=abstract[:1_000_000],
                        authors=[Author("Solo Author")]))
    store.add_work(Work(key="manyauthors", title="Ten thousand authors",
                        authors=[Author(f"Author{i} Surname{i}", f"Inst {i % 7}") for i in range(10_000)]))
    store.add_work(Work(key="longtitle", title="T" * 100_000, keywords=[f"k{i}" for i in range(2000)]))
    store.close()
    return path


@pytest.mark.parametrize("key", ["bigabstract", "manyauthors", "longtitle"])
def test_huge_fields_on_the_command_line(key: str, huge_db: Path, cases):
    for args in (["show", key], ["show", key, "--format", "json"], ["show", key, "--format", "bibtex"]):
        cases()
        t = time.perf_counter()
        result = ibid(*args[:1], "--db", huge_db, *args[1:])
        no_traceback(result)
        assert result.exit_code == 0 and unsafe(result.output) == []
        assert time.perf_counter() - t < 30
    work = stored(huge_db, key)
    assert len(work.abstract) == 1_000_000 if key == "bigabstract" else True
    assert len(work.authors) == 10_000 if key == "manyauthors" else True
    found = ibid("search", "--db", huge_db, "Surname9999" if key == "manyauthors" else "word4999")
    assert found.exit_code == 0


async def test_huge_fields_in_the_browser(huge_db: Path, cases):
    app = IbidApp(Store(huge_db))
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        for key in ("bigabstract", "manyauthors", "longtitle"):
            cases()
            view = app.screen.query_one(RecordView)
            assert view.doc is not None and unsafe(screen_text(app)) == []
            assert app.screen.page.work.key == key
            view.scroll_end(animate=False)  # the whole page: every author line drawn
            await settle(pilot)
            assert unsafe(screen_text(app)) == []
            await pilot.press("j")
            await settle(pilot)
        assert app.is_running


# ---------------------------------------------------------------------------- the browser


def screen_text(app) -> str:
    """Every character the compositor would send for the whole screen now."""
    update = app.screen._compositor.render_update(full=True)
    return "".join(seg.text for line in update.strips for strip in line for seg in strip if not seg.control)


def page_text(app) -> str:
    view = app.screen.query_one(RecordView)
    return "\n".join(line.text.plain if line.text is not None else "" for line in view.doc.lines)


@pytest.fixture(scope="module")
def tui_db(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("inj-tui") / "catalog.db"
    store = Store(path)
    for i, payload in enumerate(PAYLOADS.values()):
        store.add_work(payload_work(i, payload))
    store.close()
    return path


async def test_every_payload_on_the_record_page_and_list(tui_db: Path, cases):
    app = IbidApp(Store(tui_db))
    async with app.run_test(size=(160, 50)) as pilot:
        await settle(pilot)
        seen = set()
        for _ in IDS:
            cases()
            main = app.screen
            assert isinstance(main, MainScreen) and main.page is not None
            work = main.page.work
            seen.add(work.key)
            assert unsafe(screen_text(app)) == [], work.key
            text = page_text(app)
            # literal: markup is text; escapes visible; the link markup made no link
            flat = text.replace("\n", "")  # a long title wraps
            assert printable(work.title, False)[:40] in flat
            assert printable(work.authors[0].name, False)[:40] in flat
            for line in app.screen.query_one(RecordView).doc.lines:
                if line.text is not None:
                    assert all(not (span.style and "link" in str(span.style)) for span in line.text.spans)
            await pilot.press("j")
            await settle(pilot)
        assert seen == {f"evil{i}" for i in range(len(IDS))}
        assert app.is_running


@pytest.mark.parametrize("name", ["rich-link", "textual-click-action", "osc52-clipboard", "c1-csi", "rlo",
                                  "carriage-return"])
async def test_every_screen_with_a_payload(name: str, tui_db: Path, cases):
    """List, page, edit, author, pick, copy notification, search box and status, all inert."""
    i = IDS.index(name)
    payload = PAYLOADS[name]
    app = IbidApp(Store(tui_db))
    async with app.run_test(size=(140, 45)) as pilot:
        await settle(pilot)
        main = app.screen
        main.query_one("#search").value = f"T{i} "  # a whole word, not a prefix
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        assert main.page is not None and main.page.work.key == f"evil{i}"
        steps = [("e", "EditScreen"), ("escape", "MainScreen"), ("a", "AuthorScreen"), ("escape", "MainScreen"),
                 ("c", "PickWorkScreen"), ("escape", "MainScreen"), ("b", "MainScreen"), ("y", "MainScreen"),
                 ("o", "MainScreen")]
        for key, screen in steps:
            cases()
            await pilot.press(key)
            await settle(pilot)
            assert type(app.screen).__name__ == screen, (key, type(app.screen).__name__)
            assert unsafe(screen_text(app)) == [], (key, unsafe(screen_text(app)))
        # the payload typed (pasted) into the search box: the box, the status and the page stay inert
        cases()
        await pilot.press("slash")
        main.query_one("#search").value = payload[:200]
        await settle(pilot)
        assert unsafe(screen_text(app)) == []
        assert app.is_running


async def test_edit_screen_keeps_the_bytes_it_does_not_show(tmp_path: Path):
    """The editor draws escapes visibly but saves the text as it is: editing another field
    must not rewrite the title's bytes."""
    path = tmp_path / "c.db"
    store = Store(path)
    store.add_work(Work(key="esc", title="T \x1b[31mred", year=2001))
    store.close()
    app = IbidApp(Store(path))
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("e")
        await settle(pilot)
        area = app.screen.query_one("#bibtex")
        assert "\x1b[31m" in area.text and unsafe(screen_text(app)) == []
        area.text = area.text.replace("2001", "2002")
        await pilot.press("ctrl+s")
        await settle(pilot)
    store = Store(path, read_only=True)
    work = store.work("esc")
    store.close()
    assert (work.title, work.year) == ("T \x1b[31mred", 2002)


async def test_catalogue_file_name_with_markup_and_escapes(tmp_path: Path):
    path = tmp_path / "[bold]cat\x1b[31m.db"
    Store(path).close()
    app = IbidApp(Store(path))
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        assert unsafe(screen_text(app)) == []
        assert "[bold]cat␛[31m.db" in screen_text(app)
        assert app.is_running


# ---------------------------------------------------------------------------- a real terminal


@pytest.mark.e2e
def test_edit_screen_in_a_real_terminal_sends_no_escape(tmp_path: Path, request, cases):
    """The installed ibid in tmux (the e2e harness): the edit screen shows a work whose title
    and abstract hold SGR and OSC 2 (set title) sequences; tmux must receive neither."""
    from ..e2e import conftest as e2e

    if shutil.which("tmux") is None:
        pytest.skip("tmux is not installed: no real terminal to run ibid in")
    ibid_path = e2e.ibid_executable()
    panes = []
    bib = tmp_path / "hostile.bib"
    bib.write_text(e2e.HOSTILE_BIB, encoding="utf-8")
    db = tmp_path / "hostile.db"
    e2e.import_into(ibid_path, db, bib, cwd=tmp_path)
    pane = e2e.Pane(f"ibid-hostile-{os.getpid()}-{uuid.uuid4().hex[:10]}", tmp_path)
    panes.append(pane)
    try:
        pane.start(f"{shlex.quote(ibid_path)} --db {shlex.quote(str(db))}; echo EXIT=$?; sleep 30")
        e2e.wait_for(pane, [e2e.FOOTER_END, "Citations of this work ("])
        e2e.search(pane, "Hostile")
        e2e.wait_for(pane, lambda s: e2e.record_first_line(s).startswith("Hostile"), what="the hostile work")
        cases()
        pane.keys("e")
        escaped = e2e.wait_for(pane, ["ctrl+s save", "REDDER"], escapes=True)
        plain = "\n".join(e2e.decode_line(row)[0] for row in e2e.screen_lines(escaped))
        assert "\x1b[31mRED" not in escaped and "␛[31mRED" in plain, plain
        assert "␛]2;PWNED" in plain, plain  # ESC made visible (Rich drops the BEL)
        assert "PWNED" not in pane.title(), "an OSC sequence in the edit screen set the terminal title"
        cases()
        pane.keys("Escape")
        e2e.wait_for(pane, lambda s: "ctrl+s save" not in s, what="the edit screen to close")
        pane.keys("q")
        assert "EXIT=0" in e2e.wait_for(pane, "EXIT=")
    finally:
        for p in panes:
            p.kill()
