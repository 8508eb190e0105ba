"""Attached files (issue 6, "links and files"): a copy lands in the catalogue's own folder under
a safe name, whatever the key or the file's name; nothing outside the folder is written,
overwritten or opened."""

from __future__ import annotations

import itertools
import os
import sqlite3
from pathlib import Path

import pytest

from tui.attach import attach, files_dir, safe_name, stored_path
from tui.models import Work
from tui.store import Store, StoreError

KEYS = ["../../etc/passwd", "/abs/olute", "..", ".", "a/../../b", "a\\..\\..\\b", "C:\\Windows\\x", "con",
        ".bashrc", "-rf", "--help", "key with spaces", "ключ", "鍵", "k\x00nul", "k\x1b[31mred", "k\u202eevil",
        "k" * 500, "", "~", "$(touch pwned)", "`id`", "a;b|c&d", "%2e%2e%2f", "k\ud7ff"]
NAMES = ["paper.pdf", "../../../../tmp/escape.pdf", "/etc/shadow", "..", ".", ".hidden", "....pdf",
         "a\\..\\..\\b.pdf", "name\x00nul.pdf", "x\x1b]52;c;aGk=\x07.pdf", "статья.PDF", "f" * 400 + ".pdf",
         "no-extension", "archive.tar.gz", "e.p" + "d" * 40, "rtl\u202efdp.exe", " spaced .pdf ", "$(id).pdf"]


@pytest.fixture
def catalogue(tmp_path):
    (tmp_path / "lib").mkdir()
    store = Store(tmp_path / "lib" / "catalog.db")
    yield store
    store.close()


def _inside(folder: Path, name: str) -> bool:
    return (folder / name).resolve().parent == folder.resolve()


def test_safe_names_for_every_hostile_key_and_file_name(cases):
    folder = Path("/catalogue/catalog.files")
    for key, name in itertools.product(KEYS, NAMES):
        cases()
        safe = safe_name(key, name)
        assert safe and not safe.startswith((".", "-")), (key, name, safe)
        assert all(c.isascii() and (c.isalnum() or c in "-_.") for c in safe), (key, name, safe)
        assert "/" not in safe and "\\" not in safe and len(safe) <= 133
        assert _inside(folder, safe), (key, name, safe)


def test_attaching_under_hostile_keys_writes_only_inside_the_folder(catalogue, tmp_path, cases):
    (tmp_path / "src").mkdir()
    source = tmp_path / "src" / "The Paper.pdf"
    source.write_bytes(b"%PDF-1.7 original")
    outside_before = {p for p in tmp_path.rglob("*") if "catalog.files" not in p.parts}
    works = {}
    for key in KEYS:
        if not key or "\x00" in key:
            continue  # a key cannot be empty or hold NUL in the catalogue; the name rule is tested above
        works[key] = catalogue.add_work(Work(key=key, title=f"Work {key!r}"))
    for key, work in works.items():
        for name in ("paper.pdf", "../../x.pdf", ".hidden"):
            cases()
            src = tmp_path / "src" / Path(name.replace("/", "_")).name
            src.write_bytes(b"%PDF " + key.encode("utf-8", "replace"))
            attachment = attach(catalogue, work, src)
            stored = stored_path(catalogue, attachment)
            assert stored.parent == files_dir(catalogue.path) and stored.read_bytes() == src.read_bytes()
    outside_after = {p for p in tmp_path.rglob("*") if "catalog.files" not in p.parts}
    new_outside = {p for p in outside_after - outside_before if p.parent != tmp_path / "src"}
    assert new_outside <= {catalogue.path.with_name(catalogue.path.name + s) for s in ("-wal", "-shm")}
    assert source.read_bytes() == b"%PDF-1.7 original"
    assert catalogue.archived_count() == 3 * len(works)


def test_a_planted_symlink_or_file_in_the_folder_is_never_written_through(catalogue, tmp_path, cases):
    work = catalogue.add_work(Work(key="Wang2020", title="A work"))
    folder = files_dir(catalogue.path)
    folder.mkdir()
    victim = tmp_path / "victim.txt"
    victim.write_text("do not touch")
    (folder / "Wang2020--paper.pdf").symlink_to(victim)  # a name the copy would take
    (folder / "Wang2020--paper-2.pdf").write_text("someone else's copy")
    src = tmp_path / "paper.pdf"
    src.write_bytes(b"%PDF new")
    for _ in range(3):
        cases()
        attachment = attach(catalogue, work, src)
        assert attachment.stored.startswith("Wang2020--paper-") and attachment.stored.endswith(".pdf")
    assert victim.read_text() == "do not touch"
    assert (folder / "Wang2020--paper-2.pdf").read_text() == "someone else's copy"
    assert sorted(f.stored for f in catalogue.files(work.id)) == ["Wang2020--paper-3.pdf", "Wang2020--paper-4.pdf",
                                                                  "Wang2020--paper-5.pdf"]


def test_a_tampered_row_cannot_point_outside_the_folder(catalogue, tmp_path, cases):
    work = catalogue.add_work(Work(key="k", title="A work"))
    conn = sqlite3.connect(catalogue.path)
    for stored in ("../../etc/passwd", "/etc/passwd", "..", "sub/../../x", "a\x00b"):
        cases()
        conn.execute("INSERT INTO files(work_id, path, name, added) VALUES (?, ?, 'x', '2026')", (work.id, stored))
    conn.commit()
    conn.close()
    folder = files_dir(catalogue.path)
    for attachment in catalogue.files(work.id):
        path = stored_path(catalogue, attachment)
        assert path.resolve().parent == folder.resolve() and path.parent == folder, attachment.stored


def test_what_cannot_be_copied_is_refused_and_leaves_nothing(catalogue, tmp_path, cases):
    work = catalogue.add_work(Work(key="k", title="A work"))
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    unreadable = tmp_path / "secret.pdf"
    unreadable.write_bytes(b"x")
    for source, words in ((tmp_path / "missing.pdf", "no such file"), (tmp_path, "not a regular file"),
                          (fifo, "not a regular file"), (Path("/dev/null"), "not a regular file")):
        cases()
        with pytest.raises(StoreError, match=words):
            attach(catalogue, work, source)
    assert catalogue.files(work.id) == []
    assert not files_dir(catalogue.path).exists() or not any(files_dir(catalogue.path).iterdir())


def test_a_read_only_catalogue_archives_nothing(tmp_path, cases):
    path = tmp_path / "catalog.db"
    with Store(path) as store:
        work = store.add_work(Work(key="k", title="A work"))
    src = tmp_path / "a.pdf"
    src.write_bytes(b"%PDF")
    cases()
    with Store(path, read_only=True) as store, pytest.raises(StoreError, match="read-only"):
        attach(store, work, src)
    assert not files_dir(path).exists()


async def test_o_on_a_tampered_row_opens_nothing_outside_the_folder(tmp_path, monkeypatch, cases):
    from tui.app import IbidApp
    from tui.widgets.record import RecordView

    from ..ui.conftest import settle

    path = tmp_path / "catalog.db"
    with Store(path) as store:
        work = store.add_work(Work(key="k", title="A work"))
    conn = sqlite3.connect(path)
    conn.execute("INSERT INTO files(work_id, path, name, added) VALUES (?, '../../etc/passwd', 'evil', '2026')",
                 (work.id,))
    conn.commit()
    conn.close()
    opened: list[str] = []
    app = IbidApp(Store(path))
    monkeypatch.setattr(app, "open_url", lambda url, new_tab=True: opened.append(url))
    async with app.run_test(size=(160, 45)) as pilot:
        await settle(pilot)
        view = app.screen.query_one(RecordView)
        view.focus()
        for _ in range(len(view.items)):
            if view.target and view.target[0] == "file":
                break
            await pilot.press("down")
        cases()
        assert view.target == ("file", "../../etc/passwd")
        await pilot.press("o")
        await pilot.press("enter")
        await settle(pilot)
        assert opened == []  # catalog.files/passwd does not exist: nothing is opened
        assert "the archived copy is missing" in " ".join(str(n.message) for n in app._notifications)
