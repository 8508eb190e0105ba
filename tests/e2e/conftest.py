"""Real-terminal tests: the installed `ibid` runs in a private tmux server, driven by keys.

The harness lives here (the tmux pane, `wait_for`, reading the screen and its colours, the
fixtures that start ibid), so the hostile-input tests can drive a real terminal too without
importing a test module.
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

import pytest


def pytest_configure(config) -> None:
    config.addinivalue_line("markers", "e2e: real-terminal tests in tmux")


WIDTH, HEIGHT = 160, 45
SEPARATOR = "▕"  # the border between the work list and the record page

# -- the executable and tmux


def ibid_executable() -> str:
    """The `ibid` installed beside this Python (the venv), else the one on PATH."""
    beside = Path(sys.executable).parent / "ibid"
    if beside.exists():
        return str(beside)
    found = shutil.which("ibid")
    if found is None:
        pytest.skip("the `ibid` command is not installed (pip install -e .): nothing to run in tmux")
    return found


def tmux_env() -> dict[str, str]:
    """The environment the private tmux server (and so ibid) starts with."""
    env = dict(os.environ)
    # Not inside whatever tmux runs the tests; tmux gives the size, not the environment.
    for name in ("TMUX", "TMUX_PANE", "COLUMNS", "LINES", "NO_COLOR", "COLORTERM", "IBID_DB"):
        env.pop(name, None)
    env["TERM"] = "xterm-256color"
    return env


class Pane:
    """One tmux window on a private server, running one command."""

    def __init__(self, socket: str, cwd: Path) -> None:
        self.socket = socket
        self.cwd = cwd
        self.target = "ibid"
        # Where `-L` puts the socket; corrected from tmux itself once the server runs.
        self.socket_path = Path(os.environ.get("TMUX_TMPDIR") or "/tmp") / f"tmux-{os.getuid()}" / socket

    def tmux(self, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        return subprocess.run(
            ["tmux", "-L", self.socket, *args],
            cwd=self.cwd, env=tmux_env(), capture_output=True, text=True, timeout=15, check=check,
        )

    def start(self, script: str) -> None:
        """Run `script` with bash in a new 160x45 window (no tmux.conf is read)."""
        self.tmux("-f", "/dev/null", "new-session", "-d", "-s", self.target,
                  "-x", str(WIDTH), "-y", str(HEIGHT), "-c", str(self.cwd),
                  "bash", "-c", f"export TERM=xterm-256color; {script}")
        info = self.tmux("display-message", "-p", "-t", self.target,
                         "#{socket_path}\t#{pane_width}x#{pane_height}").stdout.strip()
        socket_path, size = info.split("\t")
        self.socket_path = Path(socket_path)
        assert size == f"{WIDTH}x{HEIGHT}", f"tmux pane is {size}, not {WIDTH}x{HEIGHT}"

    def capture(self, escapes: bool = False) -> str:
        """The visible screen as text (`escapes`: with the SGR sequences of its colours)."""
        args = ["capture-pane", "-p", "-t", self.target] + (["-e"] if escapes else [])
        result = self.tmux(*args, check=False)
        if result.returncode != 0:
            raise PaneGone(f"tmux capture-pane failed (did the pane exit?): {result.stderr.strip()}")
        return result.stdout

    def keys(self, *keys: str) -> None:
        """tmux key names: Enter, Tab, End, Home, BSpace, Escape, `q`, `/`..."""
        self.tmux("send-keys", "-t", self.target, *keys)

    def type(self, text: str) -> None:
        """Literal text, character by character."""
        self.tmux("send-keys", "-t", self.target, "-l", text)

    def title(self) -> str:
        return self.tmux("display-message", "-p", "-t", self.target, "#{pane_title}").stdout.strip()

    def kill(self) -> None:
        """Stop this private server (and ibid in it); tmux leaves its socket file behind."""
        self.tmux("kill-server", check=False)
        if self.socket_path.name == self.socket and not self.socket_path.is_dir():
            self.socket_path.unlink(missing_ok=True)


class PaneGone(RuntimeError):
    pass


def wait_for(pane: Pane, text: str | Iterable[str] | Callable[[str], bool], timeout: float = 15,
             escapes: bool = False, what: str = "") -> str:
    """Poll the screen every 0.1 s until `text` shows (all of them, or the predicate holds).

    Returns that screen; fails with the last screen in the message after `timeout` seconds.
    """
    if callable(text):
        check = text
        what = what or getattr(text, "__name__", "the condition")
    else:
        wanted = [text] if isinstance(text, str) else list(text)
        check = lambda screen: all(w in screen for w in wanted)  # noqa: E731
        what = what or " and ".join(repr(w) for w in wanted)
    deadline = time.monotonic() + timeout
    screen = ""
    while True:
        try:
            screen = pane.capture(escapes=escapes)
        except PaneGone as exc:
            pytest.fail(f"waiting for {what}: {exc}\n--- last screen ---\n{screen}")
        if check(screen):
            return screen
        if escapes:
            screen = "\n".join(decode_line(row)[0] for row in screen_lines(screen))
        if "Traceback (most recent call last)" in screen and "Traceback" not in what:
            pytest.fail(f"ibid crashed while waiting for {what}\n--- last screen ---\n{screen}")
        if time.monotonic() > deadline:
            pytest.fail(f"timed out after {timeout} s waiting for {what}\n--- last screen ---\n{screen}")
        time.sleep(0.1)


# -- reading the screen


def screen_lines(screen: str) -> list[str]:
    return screen.split("\n")


_SCROLLBAR = re.compile(r"[\s\u2580-\u259f]+$")  # the scrollbar's block characters at the right edge


def record_pane(screen: str) -> list[str]:
    """The record page on the right of the main screen, one string a row (header/footer excluded)."""
    rows = screen_lines(screen)[1:HEIGHT - 1]
    return [_SCROLLBAR.sub("", row.split(SEPARATOR, 1)[1]).strip() if SEPARATOR in row else ""
            for row in rows]


def record_first_line(screen: str) -> str:
    return record_pane(screen)[0]


def footer(screen: str) -> str:
    rows = screen_lines(screen.rstrip("\n"))
    return rows[HEIGHT - 1] if len(rows) >= HEIGHT else rows[-1]


# The footer's right edge; `q Quit` itself can be cut off when the footer holds many keys.
FOOTER_END = "^p palette"


def letter_keys_in_footer(screen: str) -> bool:
    """The footer shows one-letter keys (`a Author`, `q Quit`...): the search box does not have
    focus (an Input takes printable keys, so Textual leaves them out of the footer then)."""
    return re.search(r"(?<!\S)[a-zA-Z] [A-Z]", footer(screen)) is not None


def section(lines: list[str], heading_start: str) -> list[str]:
    """The non-empty lines under the heading that starts with `heading_start`, up to the next blank."""
    for i, line in enumerate(lines):
        if line.startswith(heading_start):
            out = []
            for following in lines[i + 1:]:
                if not following:
                    break
                out.append(following)
            return out
    raise AssertionError(f"no heading {heading_start!r} on the record page:\n" + "\n".join(lines))


# SGR decoding, to see which colours and attributes tmux holds for each character.

_ESCAPE = re.compile(r"\x1b\[([0-9;:]*)m|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)")


@dataclass(frozen=True)
class Cell:
    attrs: frozenset[int] = frozenset()  # 1 bold, 2 dim, 3 italic, 4 underline, 7 reverse...
    fg: str | None = None  # "c1" (palette colour 1), "#rrggbb", None (default)
    bg: str | None = None


_ATTR_OFF = {21: (1,), 22: (1, 2), 23: (3,), 24: (4,), 25: (5,), 27: (7,), 28: (8,), 29: (9,)}


def _apply_sgr(cell: Cell, params: str) -> Cell:
    codes = [int(p) if p else 0 for p in re.split("[;:]", params)] if params else [0]
    attrs, fg, bg = set(cell.attrs), cell.fg, cell.bg
    i = 0
    while i < len(codes):
        code = codes[i]
        if code == 0:
            attrs, fg, bg = set(), None, None
        elif 1 <= code <= 9:
            attrs.add(code)
        elif code in _ATTR_OFF:
            attrs.difference_update(_ATTR_OFF[code])
        elif 30 <= code <= 37 or 90 <= code <= 97:
            fg = f"c{code - 30 if code < 90 else code - 90 + 8}"
        elif 40 <= code <= 47 or 100 <= code <= 107:
            bg = f"c{code - 40 if code < 100 else code - 100 + 8}"
        elif code in (38, 48) and i + 1 < len(codes):
            if codes[i + 1] == 5 and i + 2 < len(codes):
                colour, i = f"c{codes[i + 2]}", i + 2
            elif codes[i + 1] == 2 and i + 4 < len(codes):
                colour, i = "#{:02x}{:02x}{:02x}".format(*codes[i + 2:i + 5]), i + 4
            else:
                colour = None
            if code == 38:
                fg = colour
            else:
                bg = colour
        elif code == 39:
            fg = None
        elif code == 49:
            bg = None
        i += 1
    return Cell(frozenset(attrs), fg, bg)


def decode_line(line: str) -> tuple[str, list[Cell]]:
    """A `capture-pane -e` row as its text and the style of each character."""
    text: list[str] = []
    cells: list[Cell] = []
    cell = Cell()
    pos = 0
    for m in _ESCAPE.finditer(line):
        chunk = line[pos:m.start()]
        text.append(chunk)
        cells.extend([cell] * len(chunk))
        if m.group(1) is not None:
            cell = _apply_sgr(cell, m.group(1))
        pos = m.end()
    text.append(line[pos:])
    cells.extend([cell] * (len(line) - pos))
    return "".join(text), cells


def style_of(escaped_screen: str, needle: str, after: str = "") -> tuple[Cell, str]:
    """The style of the first character of `needle` (searched after `after` on its row), and the row."""
    for row in screen_lines(escaped_screen):
        plain, cells = decode_line(row)
        if after and after not in plain:
            continue
        at = plain.find(needle, plain.index(after) + len(after) if after else 0)
        if at >= 0:
            return cells[at], plain
    raise AssertionError(f"{needle!r} is not on the screen:\n"
                         + "\n".join(decode_line(r)[0] for r in screen_lines(escaped_screen)))


# -- fixtures


@pytest.fixture
def tmux() -> str:
    if shutil.which("tmux") is None:
        pytest.skip("tmux is not installed: the real-terminal tests need it (apt-get install tmux)")
    return "tmux"


@pytest.fixture
def ibid() -> str:
    return ibid_executable()


@pytest.fixture
def start_ibid(tmux, ibid, tmp_path):
    """Start `ibid --db DB [args]` in a private tmux server, in `tmp_path`; the server is killed
    afterwards. With `db` None, no `--db` (and no `$IBID_DB`): the default `./catalog.db`."""
    panes: list[Pane] = []

    def start(db: Path | None, *args: str) -> Pane:
        pane = Pane(f"ibid-e2e-{os.getpid()}-{uuid.uuid4().hex[:10]}", tmp_path)
        panes.append(pane)
        named = () if db is None else ("--db", str(db))
        command = " ".join(shlex.quote(a) for a in (ibid, *named, *args))
        # The shell stays a while after ibid exits, so the exit status can be read on screen.
        pane.start(f"{command}; echo EXIT=$?; sleep 30")
        return pane

    yield start
    for pane in panes:
        pane.kill()


def import_into(ibid: str, db: Path, *files: Path, cwd: Path) -> str:
    """`ibid import --db DB FILES`, before the browser starts; returns its output."""
    result = subprocess.run([ibid, "import", "--db", str(db), *map(str, files)], cwd=cwd,
                            env=tmux_env(), capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, f"ibid import failed ({result.returncode}):\n{result.stdout}\n{result.stderr}"
    return result.stdout + result.stderr


def record_loaded(title: str) -> Callable[[str], bool]:
    """The record page shows `title` on its first line and has been laid out to the end."""
    def check(screen: str) -> bool:
        return record_first_line(screen) == title and "Citations of this work (" in screen
    check.__name__ = f"the record page of {title!r}"
    return check


def record_focused(screen: str) -> bool:
    """The record page has focus: its `enter` (Open) comes first in the footer."""
    return re.search(r"Open\s+/ Search", footer(screen)) is not None


def search_box(escaped_screen: str) -> str:
    """The search box (rows 1-3 left of the list's border), with its colours."""
    rows = screen_lines(escaped_screen)[1:4]
    return "\n".join(row.split(SEPARATOR, 1)[0] for row in rows)


def search(pane: Pane, text: str) -> None:
    """`/`, the text, `enter`: the first hit opens.

    Waits for the box to change look (focus border, cursor) before typing, like a person;
    typing straight after `/` is tested on its own below.
    """
    before = search_box(pane.capture(escapes=True))
    pane.keys("/")
    wait_for(pane, lambda s: search_box(s) != before, escapes=True, what="the search box to take focus")
    pane.type(text)
    wait_for(pane, lambda s: text in screen_lines(s)[2], what=f"{text!r} in the search box")
    pane.keys("Enter")
    wait_for(pane, letter_keys_in_footer, what="the search box to give up focus (letter keys back in the footer)")


# -- a work whose title and abstract hold markup and escape sequences

HOSTILE_BIB = (
    "@article{Hostile2024,\n"
    "  title = {Hostile [bold]x[/bold] [link=http://e.vil]y[/link] \x1b[31mRED},\n"
    "  author = {Mallory, Eve},\n"
    "  journal = {Journal of Tests},\n"
    "  year = {2024},\n"
    "  abstract = {Zap \x1b]2;PWNED\x07 then \x1b[31mREDDER and [on red]z[/on red].}\n"
    "}\n"
)
