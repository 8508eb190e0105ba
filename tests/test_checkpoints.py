"""Checkpoints run off the committing thread (store._Syncer), not in a commit."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import tui.store as store_module
from tui.models import Work
from tui.store import Store


def in_the_file_alone(path: Path) -> int:
    """Works in the database file itself, its WAL ignored (what a checkpoint has copied)."""
    conn = sqlite3.connect(f"file:{path}?mode=ro&immutable=1", uri=True)
    try:
        return conn.execute("SELECT count(*) FROM works").fetchone()[0]
    except sqlite3.OperationalError:  # not even the schema copied yet
        return 0
    finally:
        conn.close()


def test_commits_leave_checkpoints_to_the_syncer(tmp_path: Path, monkeypatch):
    path = tmp_path / "c.db"
    store = Store(path)
    try:
        assert store.conn.execute("PRAGMA wal_autocheckpoint").fetchone()[0] == 0
        monkeypatch.setattr(store_module.sync, "CHECKPOINT_BYTES", 1 << 40)  # never: the WAL keeps it all
        for i in range(30):
            store.add_work(Work(key=f"K{i}", title=f"Work {i}"))
        store.sync()
        assert store.count() == 30 and in_the_file_alone(path) == 0
        monkeypatch.setattr(store_module.sync, "CHECKPOINT_BYTES", 1)  # now: after the next commit's fsync
        store.add_work(Work(key="K30", title="Work 30"))
        store.sync()  # (waits for the fsync and the checkpoint after it)
        assert in_the_file_alone(path) == 31
        # then only every CHECKPOINT_COMMITS-th commit while the WAL does not grow past its size then
        for i in range(31, 40):
            store.add_work(Work(key=f"K{i}", title=f"Work {i}"))
        store.sync()
        assert in_the_file_alone(path) < 40 and store.count() == 40
    finally:
        store.close()
    # closing the last connection (the syncer's included) checkpoints and removes the WAL
    assert not Path(f"{path}-wal").exists()
    assert in_the_file_alone(path) == 40


def test_a_reader_holding_an_old_snapshot_does_not_stop_commits(tmp_path: Path, monkeypatch):
    monkeypatch.setattr(store_module.sync, "CHECKPOINT_BYTES", 1)
    path = tmp_path / "c.db"
    with Store(path) as store:
        store.add_work(Work(key="A", title="First"))
        reader = sqlite3.connect(path, isolation_level=None)
        reader.execute("BEGIN")
        assert reader.execute("SELECT count(*) FROM works").fetchone()[0] == 1  # a snapshot held
        for i in range(20):
            store.add_work(Work(key=f"B{i}", title=f"Later {i}"))
        store.sync()
        assert store.count() == 21
        assert reader.execute("SELECT count(*) FROM works").fetchone()[0] == 1
        reader.execute("COMMIT")
        reader.close()
    with Store(path) as again:
        assert again.count() == 21
