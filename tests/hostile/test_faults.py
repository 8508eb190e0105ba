"""Faults: kill -9, SIGINT, a held write lock, read-only files and media, corrupt and foreign
files, a newer schema, a full disk. A clear message, and nothing confirmed is ever lost.

Real processes where it matters: `ibid import` is killed with SIGKILL mid-transaction; a
second Python process holds BEGIN IMMEDIATE; a full disk is a real size-limited tmpfs
(when this user may mount one) and a real RLIMIT_FSIZE on the writer; a read-only catalogue
is a real read-only mount (root) or chmod (anyone else). The full-disk error is also
injected at the connection, for the browser.
"""

from __future__ import annotations

import hashlib
import os
import resource
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from tests.conftest import require_shared_data
from tui.app import IbidApp
from tui.cli import main
from tui.formats import parse_path
from tui.models import Work
from tui.store import Store, StoreError

from ..ui.conftest import settle
from .conftest import FIXTURES, IBID, integrity, snapshot

HOLD_LOCK = """
import sqlite3, sys, time
conn = sqlite3.connect(sys.argv[1], isolation_level=None)
conn.execute("BEGIN IMMEDIATE")
conn.execute("INSERT INTO events(work_id, kind, at) VALUES (1, 'view', 'held')")
print("locked", flush=True)
if len(sys.argv) > 2:
    time.sleep(float(sys.argv[2]))  # the fault: held this long, then let go
else:
    sys.stdin.readline()  # held until the test says
conn.execute("ROLLBACK")
print("released", flush=True)
"""


def ibid(*args) -> Result:
    # an editor that changes nothing, should `ibid edit` ever get as far as starting one
    return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=True,
                              env={"EDITOR": "true", "VISUAL": "true"})


def one_error_line(result: Result) -> str:
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    assert "Traceback" not in result.output
    assert result.exit_code == 1, result.output
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("ibid: "), result.stderr
    return lines[0]


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def ibid_cmd() -> list[str]:
    return [str(IBID)] if IBID.exists() else [sys.executable, "-m", "tui"]


@pytest.fixture
def catalogue(tmp_path: Path) -> Path:
    """Seeds, small.bib, a citation made by hand and a view: what a user has confirmed."""
    db = tmp_path / "catalog.db"
    assert ibid("import", "--db", db, FIXTURES / "small.bib").exit_code == 0
    assert ibid("cite", "--db", db, "Turing1936", "Goedel1931").exit_code == 0
    return db


@contextmanager
def lock_held(db: Path, seconds: float | None = None):
    """Another process holding the catalogue's write lock (BEGIN IMMEDIATE)."""
    proc = subprocess.Popen([sys.executable, "-c", HOLD_LOCK, str(db)] + ([str(seconds)] if seconds else []),
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout.readline().strip() == "locked"
        yield proc
    finally:
        if proc.poll() is None and seconds is None:
            proc.stdin.write("\n")
            proc.stdin.flush()
        proc.wait(timeout=60)


# ---------------------------------------------------------------------------- kill -9 and ctrl-c


def _start_import(db: Path, big: Path, env=None) -> subprocess.Popen:
    # ctrl-c as a terminal sends it: SIGINT at its default in the child, whatever the tests'
    # process inherited (a shell starts a background job with SIGINT ignored, and an ignored
    # signal stays ignored across exec: the import never saw the interrupt)
    return subprocess.Popen(ibid_cmd() + ["--db", str(db), "import", str(big)], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, env=env,
                            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))


def _wait_until_writing(proc: subprocess.Popen, db: Path, wal_bytes: int, timeout: float = 600) -> bool:
    """True once the import's transaction has spilled `wal_bytes` into the WAL (it is mid-write)."""
    wal = db.with_name(db.name + "-wal")
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            return False
        if wal.exists() and wal.stat().st_size >= wal_bytes:
            return True
        time.sleep(0.02)  # polling a condition, not waiting for a time
    return False


def test_kill_9_mid_import_loses_nothing_and_a_rerun_completes(catalogue: Path, cases):
    big = require_shared_data("bench/combined-benchmark.bib")
    before = snapshot(catalogue)
    proc = _start_import(catalogue, big)
    try:
        assert _wait_until_writing(proc, catalogue, 8 << 20), proc.communicate()
        proc.send_signal(signal.SIGKILL)
    finally:
        proc.wait(timeout=60)
    cases()
    assert proc.returncode == -signal.SIGKILL
    assert integrity(catalogue) == "ok"
    assert snapshot(catalogue) == before  # every prior work, link and change, as it was
    # the rerun, after the kill, completes
    done = subprocess.run(ibid_cmd() + ["--db", str(catalogue), "import", str(big)],
                          capture_output=True, text=True, timeout=1800)
    cases()
    assert done.returncode == 0, done.stderr[-2000:]
    assert "Traceback" not in done.stderr
    added = int(done.stdout.split(": ", 1)[1].split(" added", 1)[0])
    assert added > 40_000
    assert integrity(catalogue) == "ok"
    after = snapshot(catalogue)
    assert len(after["works"]) == len(before["works"]) + added
    old = {r[0]: r for r in before["works"]}
    assert all(old[r[0]] == r for r in after["works"] if r[0] in old)  # prior works untouched
    assert set(before["citations"]) <= set(after["citations"])


def test_ctrl_c_mid_import_is_one_line_and_rolls_back(catalogue: Path):
    big = require_shared_data("bench/aan-acl-metadata.bib")
    before = snapshot(catalogue)
    proc = _start_import(catalogue, big)
    try:
        assert _wait_until_writing(proc, catalogue, 2 << 20), proc.communicate()
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=120)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 1 and "Traceback" not in err, (proc.returncode, err)
    assert integrity(catalogue) == "ok"
    # The import is one transaction; the WAL only shows it once SQLite writes pages out (a large
    # page cache may hold them to the commit), so ctrl-c can land mid-write or just after the
    # commit. Either way the message must say which, and the catalogue must be whole.
    (line,) = err.strip().splitlines()
    if snapshot(catalogue) == before:
        assert line == "ibid: interrupted; nothing after the last confirmed change was kept"
    else:
        assert line.startswith(f"ibid: interrupted, but {big} had been imported already (")
        assert "works added)" in line


@pytest.mark.parametrize("where", ["summary", "close"])
def test_ctrl_c_after_the_commit_says_the_file_was_imported(catalogue: Path, monkeypatch, where):
    """A ctrl-c that lands once the import has committed, while its summary prints or while
    the catalogue closes (the last fsync and checkpoint), says the works are in: it used to say
    "nothing after the last confirmed change was kept" (found by the run above under load)."""
    import tui.cli.catalogue

    real_close, real_summary = Store.close, tui.cli.catalogue._print_summary
    interrupted = []

    def close(self):
        if where == "close" and not interrupted:
            interrupted.append(True)
            real_close(self)  # (closed, as far as it got)
            raise KeyboardInterrupt
        real_close(self)

    def summary(*args, **kwargs):
        real_summary(*args, **kwargs)
        if where == "summary":
            raise KeyboardInterrupt

    bib = catalogue.with_name("two.bib")
    bib.write_text("@article{New2001, title = {One}, year = 2001}\n@book{New2002, title = {Two}, year = 2002}\n")
    before = Store(catalogue, read_only=True)
    count = before.count()
    before.close()
    monkeypatch.setattr(Store, "close", close)
    monkeypatch.setattr(tui.cli.catalogue, "_print_summary", summary)
    line = one_error_line(ibid("import", "--db", catalogue, bib))
    assert interrupted or where == "summary"
    after = Store(catalogue, read_only=True)
    assert after.count() == count + 2 and after.work("New2002").title == "Two"
    after.close()
    assert line == f"ibid: interrupted, but {bib} had been imported already (2 works added)"
    assert integrity(catalogue) == "ok"


# ---------------------------------------------------------------------------- a held write lock


def test_a_write_waits_for_the_lock_then_succeeds(catalogue: Path):
    store = Store(catalogue)
    with lock_held(catalogue, seconds=1.0):
        t = time.monotonic()
        store.cite("Goedel1931", "Turing1936")  # waits (busy timeout), then writes
        waited = time.monotonic() - t
    assert waited >= 0.5  # it did wait for the other process
    assert store.citation_counts(store.work("Turing1936").id)[0] == 1
    store.close()


def test_a_held_lock_fails_a_cli_write_after_the_busy_timeout(catalogue: Path, cases):
    before = snapshot(catalogue)
    with lock_held(catalogue):
        for args in (["cite", "Goedel1931", "Turing1936"], ["import", str(FIXTURES / "small.jsonl")], ["undo"]):
            cases()
            t = time.monotonic()
            proc = subprocess.run(ibid_cmd() + ["--db", str(catalogue), *args], capture_output=True, text=True,
                                  timeout=120)
            waited = time.monotonic() - t
            assert proc.returncode == 1 and "Traceback" not in proc.stderr, proc.stderr
            line = proc.stderr.strip().splitlines()[-1]
            assert line == f"ibid: {catalogue}: the catalogue is locked by another process; try again", proc.stderr
            assert waited >= 4.5  # the 5 s busy timeout, not at once
        cases()
        reading = subprocess.run(ibid_cmd() + ["--db", str(catalogue), "search", "Gödel"], capture_output=True,
                                 text=True, timeout=120)
        assert reading.returncode == 0 and "Goedel1931" in reading.stdout  # reads never wait
    assert snapshot(catalogue) == before


async def test_the_browser_keeps_browsing_under_a_held_lock(catalogue: Path, monkeypatch, cases):
    monkeypatch.setattr("tui.store.connection.BUSY_TIMEOUT_MS", 300)  # fail fast; the waiting is tested above
    before = snapshot(catalogue)
    app = IbidApp(Store(catalogue))
    async with app.run_test(size=(140, 45)) as pilot:
        await settle(pilot)
        main_screen = app.screen
        with lock_held(catalogue):
            titles = []
            for key in ("j", "j", "j", "k"):  # browsing: reads, never blocked in WAL mode
                cases()
                await pilot.press(key)
                await settle(pilot)
                titles.append(main_screen.page.work.title)
            assert len(set(titles)) == 3
            cases()
            await pilot.press("tab", "down", "enter")  # open an item on the page: a view is written
            await settle(pilot)
            assert main_screen.page is not None and app.screen is main_screen or app.is_running
            cases()
            await pilot.press("escape", "b")  # copy: the count cannot be written; the copy is made
            await settle(pilot)
            messages = [str(n.message) for n in app._notifications]
            assert any(m.startswith("Copied") for m in messages), messages
            assert not [n for n in app._notifications if n.severity == "error"], messages
            cases()
            await pilot.press("u")  # an edit: refused with the reason, the app goes on
            await settle(pilot)
            assert any("locked by another process" in str(n.message) for n in app._notifications)
            cases()
            await pilot.press("j")
            await settle(pilot)
            assert main_screen.page is not None and app.is_running
    assert snapshot(catalogue) == before


# ---------------------------------------------------------------------------- read-only


def test_read_only_flag_browses_and_refuses_every_edit(catalogue: Path, cases):
    before = digest(catalogue)
    for args in (["search", "Gödel"], ["show", "Goedel1931"], ["export"], ["show", "Goedel1931", "--format", "json"]):
        cases()
        result = ibid("--read-only", "--db", catalogue, *args)
        assert result.exit_code == 0, result.output
    for args in (["import", FIXTURES / "small.jsonl"], ["cite", "Goedel1931", "Turing1936"],
                 ["uncite", "Turing1936", "Goedel1931"], ["undo"], ["edit", "Goedel1931"]):
        cases()
        line = one_error_line(ibid("--read-only", "--db", catalogue, *args))
        assert line.endswith("opened read-only; nothing was changed"), line
    assert digest(catalogue) == before


@pytest.fixture
def read_only_catalogue(catalogue: Path, tmp_path: Path):
    """The catalogue on read-only media: a read-only tmpfs when root may mount one, else chmod."""
    if os.geteuid() != 0:
        catalogue.chmod(0o444)
        catalogue.parent.chmod(0o555)
        yield catalogue
        catalogue.parent.chmod(0o755)
        return
    mnt = tmp_path / "ro"
    mnt.mkdir()
    if subprocess.run(["mount", "-t", "tmpfs", "-o", "size=8m", "tmpfs", str(mnt)], capture_output=True).returncode:
        pytest.skip("root, but may not mount a tmpfs here: a read-only file cannot be simulated (root ignores chmod)")
    try:
        shutil.copy(catalogue, mnt / "catalog.db")
        assert subprocess.run(["mount", "-o", "remount,ro", str(mnt)]).returncode == 0
        yield mnt / "catalog.db"
    finally:
        unmount(mnt)


def unmount(mnt: Path) -> None:
    """Unmount a test's filesystem; lazily if a file on it is still open."""
    if subprocess.run(["umount", str(mnt)], capture_output=True).returncode:
        subprocess.run(["umount", "-l", str(mnt)], capture_output=True)


def test_a_read_only_file_browses_and_refuses_edits(read_only_catalogue: Path, cases):
    db = read_only_catalogue
    before = digest(db)
    for flag in ([], ["--read-only"]):
        for args in (["search", "Gödel"], ["show", "Goedel1931"], ["export", "Gödel"]):
            cases()
            result = ibid(*flag, "--db", db, *args)
            assert result.exit_code == 0 and ("Gödel" in result.output or "G{\\\"o}del" in result.output), result.output
        for args in (["cite", "Goedel1931", "Turing1936"], ["undo"], ["import", FIXTURES / "small.jsonl"]):
            cases()
            line = one_error_line(ibid(*flag, "--db", db, *args))
            assert "read-only" in line and "nothing was changed" in line
    assert digest(db) == before


async def test_the_browser_on_a_read_only_file(read_only_catalogue: Path, cases):
    db = read_only_catalogue
    before = digest(db)
    app = IbidApp(Store(db))
    async with app.run_test(size=(140, 45)) as pilot:
        await settle(pilot)
        main_screen = app.screen
        for key in ("j", "j", "k", "b"):
            cases()
            await pilot.press(key)
            await settle(pilot)
            assert main_screen.page is not None
        cases()
        await pilot.press("u")
        await settle(pilot)
        assert any("read-only" in str(n.message) for n in app._notifications)
        cases()
        app._notifications.clear()
        await pilot.press("e")  # refused at the key: no editor to type an edit that cannot be saved
        await settle(pilot)
        assert app.screen is main_screen
        assert any("read-only" in str(n.message) for n in app._notifications)
        await pilot.press("enter")
        await settle(pilot)
        assert app.is_running
    app.store.close()
    assert digest(db) == before


def test_a_read_only_path_with_uri_characters_opens_that_file(tmp_path: Path):
    """`file:` URIs end the path at '#' or '?': quoted, --read-only opens the named file and
    creates nothing (it used to open, and create, `a`)."""
    for name in ("a#b.db", "a?b.db", "100%.db", "sp ace.db"):
        db = tmp_path / name
        assert ibid("import", "--db", db, FIXTURES / "small.bib").exit_code == 0
        files = {p.name for p in tmp_path.iterdir()}
        result = ibid("--read-only", "--db", db, "search", "Gödel")
        assert result.exit_code == 0 and "Goedel1931" in result.stdout, result.output
        assert {p.name for p in tmp_path.iterdir()} - files <= {f"{name}-wal", f"{name}-shm"}


# ---------------------------------------------------------------------------- corrupt, foreign, newer


def _damaged_catalogues(tmp_path: Path, good: Path) -> dict[str, Path]:
    out = {}

    def put(name: str, data: bytes) -> None:
        out[name] = tmp_path / f"{name}.db"
        out[name].write_bytes(data)

    data = good.read_bytes()
    put("text", b"this is not a catalogue\n" * 100)
    put("random", os.urandom(64 * 1024))
    put("bib-file", (FIXTURES / "small.bib").read_bytes())
    put("header-only", data[:100])
    put("truncated-half", data[: len(data) // 2])
    put("first-page-zeroed", bytes(4096) + data[4096:])
    put("header-garbled", data[:16] + os.urandom(84) + data[100:])
    mid = bytearray(data)
    for page in range(2, len(data) // 4096):
        mid[page * 4096: page * 4096 + 4096] = os.urandom(4096) if page % 2 else bytes(4096)
    put("pages-garbled", bytes(mid))
    foreign = tmp_path / "foreign.db"
    conn = sqlite3.connect(foreign)
    conn.execute("CREATE TABLE accounts (id INTEGER PRIMARY KEY, balance REAL)")
    conn.execute("INSERT INTO accounts VALUES (1, 99.5)")
    conn.commit()
    conn.close()
    out["other-sqlite-app"] = foreign
    newer = tmp_path / "newer.db"
    shutil.copy(good, newer)
    conn = sqlite3.connect(newer)
    conn.execute("INSERT INTO _sqlite_migrations(migration_set, name, applied_at) VALUES ('ibid', 'm099_future', 'x')")
    conn.commit()
    conn.close()
    out["newer-schema"] = newer
    return out


COMMANDS = [("search", "x"), ("show", "Goedel1931"), ("export",), ("import", str(FIXTURES / "small.jsonl")),
            ("cite", "Goedel1931", "Turing1936"), ("undo",)]


def test_corrupt_foreign_and_newer_catalogues(catalogue: Path, tmp_path: Path, cases):
    store = Store(catalogue)  # checkpoint: every page in the main file
    store.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    store.close()
    for name, db in _damaged_catalogues(tmp_path / "..", catalogue).items():
        before = digest(db)
        for args in COMMANDS:
            cases()
            result = ibid(args[0], "--db", db, *args[1:])
            assert result.exception is None or isinstance(result.exception, SystemExit), (name, args, result.exception)
            assert "Traceback" not in result.output
            if result.exit_code == 0:
                # a page damaged where this command did not look: it worked, and said nothing wrong
                assert name in ("pages-garbled",), (name, args, result.output)
                continue
            line = one_error_line(result)
            assert str(db) in line, line
            if name == "newer-schema":
                assert "made by a newer ibid" in line and "upgrade ibid" in line
            elif name == "other-sqlite-app":
                assert "not an ibid catalogue" in line
        assert digest(db) == before, name  # refused, or only read: never rewritten


async def test_the_browser_on_a_catalogue_damaged_inside(catalogue: Path, tmp_path: Path):
    """Pages damaged after the schema: the app opens, the failures are messages, not a crash."""
    store = Store(catalogue)
    store.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    store.close()
    db = _damaged_catalogues(tmp_path, catalogue)["pages-garbled"]
    try:
        store = Store(db)
    except StoreError as exc:
        assert "not an ibid catalogue" in str(exc)
        return
    app = IbidApp(store)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        for key in ("j", "j", "end", "slash", "x", "escape", "b", "u"):
            await pilot.press(key)
            await settle(pilot)
        assert app.is_running


# ---------------------------------------------------------------------------- a full disk


@pytest.fixture
def small_disk(tmp_path: Path):
    """A real 3 MB filesystem (tmpfs), when this user may mount one."""
    mnt = tmp_path / "small"
    mnt.mkdir()
    if os.geteuid() != 0 or subprocess.run(["mount", "-t", "tmpfs", "-o", "size=3m", "tmpfs", str(mnt)],
                                           capture_output=True).returncode:
        pytest.skip("may not mount a small tmpfs here (needs root): the full disk is tested by RLIMIT_FSIZE "
                    "and by injection instead")
    try:
        yield mnt
    finally:
        unmount(mnt)


def test_a_real_full_disk_mid_import(catalogue: Path, small_disk: Path, cases):
    db = small_disk / "catalog.db"
    shutil.copy(catalogue, db)
    before = snapshot(db)
    big = require_shared_data("bench/aan-acl-metadata.bib")
    proc = subprocess.run(ibid_cmd() + ["--db", str(db), "import", str(big)], capture_output=True, text=True,
                          timeout=600)
    cases()
    assert proc.returncode == 1 and "Traceback" not in proc.stderr, proc.stderr
    assert proc.stderr.strip().splitlines()[-1] == f"ibid: {db}: the disk is full; nothing was changed"
    assert integrity(db) == "ok" and snapshot(db) == before
    # with the disk full, browsing still works and a small edit either fits or is refused cleanly
    cases()
    assert "Goedel1931" in subprocess.run(ibid_cmd() + ["--db", str(db), "search", "Gödel"],
                                          capture_output=True, text=True, timeout=120).stdout


def test_a_file_size_limit_mid_import(catalogue: Path, cases):
    """RLIMIT_FSIZE: writes past it fail (EFBIG) as on a full disk; no root needed."""
    big = require_shared_data("bench/aan-acl-metadata.bib")
    before = snapshot(catalogue)
    room = catalogue.stat().st_size + 256 * 1024

    def limit() -> None:
        resource.setrlimit(resource.RLIMIT_FSIZE, (room, room))

    proc = subprocess.run(ibid_cmd() + ["--db", str(catalogue), "import", str(big)], capture_output=True,
                          text=True, timeout=600, preexec_fn=limit)
    cases()
    assert proc.returncode == 1 and "Traceback" not in proc.stderr, proc.stderr
    line = proc.stderr.strip().splitlines()[-1]
    assert line.startswith(f"ibid: {catalogue}: ") and "nothing was changed" in line, line
    assert integrity(catalogue) == "ok" and snapshot(catalogue) == before


class FullDisk:
    """A connection whose writes fail as SQLite fails on a full disk; reads work."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self._conn = conn

    def execute(self, sql: str, *args):
        if sql.lstrip().split(None, 1)[0].upper() in ("INSERT", "UPDATE", "DELETE", "COMMIT", "DROP", "CREATE"):
            raise sqlite3.OperationalError("database or disk is full")
        return self._conn.execute(sql, *args)

    def executemany(self, sql: str, *args):
        raise sqlite3.OperationalError("database or disk is full")

    def __getattr__(self, name):
        return getattr(self._conn, name)


@pytest.fixture
def full_disk(monkeypatch):
    real = Store.conn

    def conn(self):
        return FullDisk(real.fget(self))

    def on() -> None:
        monkeypatch.setattr(Store, "conn", property(conn))

    return on


def test_injected_full_disk_every_write_is_refused_and_nothing_lost(catalogue: Path, full_disk, cases):
    before = snapshot(catalogue)
    store = Store(catalogue)
    full_disk()
    writes = [
        lambda: store.cite("Goedel1931", "Turing1936", remember=True),
        lambda: store.uncite("Turing1936", "Goedel1931", remember=True),
        lambda: store.add_work(Work(key="New", title="new")),
        lambda: store.update_work(store.work("Goedel1931").id, Work(key="Goedel1931", title="changed")),
        lambda: store.record_event(1, "view"),
        lambda: store.undo(),
        lambda: store.import_batch(parse_path(FIXTURES / "small.jsonl")),
    ]
    for write in writes:
        cases()
        with pytest.raises(StoreError, match="the disk is full; nothing was changed"):
            write()
    assert store.count() == len(before["works"])  # reading still works
    store.close()
    assert snapshot(catalogue) == before and integrity(catalogue) == "ok"


async def test_injected_full_disk_in_the_browser(catalogue: Path, full_disk, cases):
    before = snapshot(catalogue)
    app = IbidApp(Store(catalogue))
    async with app.run_test(size=(140, 45)) as pilot:
        await settle(pilot)
        full_disk()
        main_screen = app.screen
        for key in ("j", "j", "b", "u"):
            cases()
            await pilot.press(key)
            await settle(pilot)
            assert main_screen.page is not None
        assert any("disk is full" in str(n.message) for n in app._notifications)
        cases()
        await pilot.press("e")
        await settle(pilot)
        area = app.screen.query_one("#bibtex")
        area.text = area.text.replace("}", "}", 1) + "\n"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert "disk is full" in str(app.screen.query_one("#edit-error").render())
        assert app.is_running
    assert snapshot(catalogue) == before
