"""Durability: the WAL fsynced and checkpointed off the committing thread."""

from __future__ import annotations

import atexit
import os
import sqlite3
import threading

CHECKPOINT_BYTES = 4 << 20  # the WAL copied into the database past this (SQLite's own: 1,000 pages of 4 KiB)
CHECKPOINT_COMMITS = 128  # ... or after this many commits into a WAL file that no longer grows


class _Syncer:
    """One daemon thread that fsyncs the WAL files of catalogues that have just committed,
    so the committing thread (the UI's) does not wait for the disk. A commit asked for while
    an fsync of its file runs is synced again after it: never taken as synced by an fsync
    that began before it. At exit, the process waits for what is pending."""

    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._asked: dict[str, int] = {}  # WAL path -> generation asked for (only grows)
        self._done: dict[str, int] = {}  # WAL path -> generation synced
        self._pending: set[str] = set()
        self._thread: threading.Thread | None = None
        self._checkpoint_lock = threading.Lock()
        self._checkpointers: dict[str, sqlite3.Connection] = {}  # WAL path -> this thread's connection
        self._checkpointed: dict[str, tuple[int, int]] = {}  # WAL path -> (its size then, commits since)

    def ask(self, wal: str) -> int:
        with self._cond:
            generation = self._asked[wal] = self._asked.get(wal, 0) + 1
            self._pending.add(wal)
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._run, name="ibid-wal-sync", daemon=True)
                self._thread.start()
                atexit.register(self.drain)
            self._cond.notify_all()
            return generation

    def wait(self, wal: str, generation: int, timeout: float = 10.0) -> None:
        with self._cond:
            self._cond.wait_for(lambda: self._done.get(wal, 0) >= generation, timeout)

    def drain(self, timeout: float = 10.0) -> None:
        with self._cond:
            self._cond.wait_for(lambda: all(self._done.get(w, 0) >= g for w, g in self._asked.items()), timeout)

    def _run(self) -> None:
        while True:
            with self._cond:
                self._cond.wait_for(lambda: self._pending)
                todo = {w: self._asked[w] for w in self._pending}
                self._pending.clear()
            for wal, generation in todo.items():
                _fsync(wal)
                self._checkpoint(wal)  # (before done: a store's close waits for it too)
                with self._cond:
                    self._done[wal] = max(self._done.get(wal, 0), generation)
                    self._cond.notify_all()

    # Checkpoints: SQLite's own (`wal_autocheckpoint`) run in the commit that takes the WAL past
    # 1,000 pages, writing and fsyncing the database file in the committing thread (so now and
    # then a small edit waited for a whole checkpoint). Writable connections turn them off, and
    # this thread runs them instead, on a connection of its own, after the WAL's fsync.

    def _checkpoint(self, wal: str) -> None:
        """A passive checkpoint when the WAL file holds more than CHECKPOINT_BYTES and it grew,
        or CHECKPOINT_COMMITS commits came, since the last one (SQLite reuses the file from its
        start after a checkpoint, so its size alone says little; a checkpoint's writes and fsync
        slow the commits that meet it a little, so not after every one). Passive: it never
        waits for a reader or a writer, and what it cannot copy now the next one does. Errors
        (the file gone, a full disk, busy) leave the WAL as it is: nothing in it is lost, only
        not yet copied."""
        try:
            size = os.path.getsize(wal)
        except OSError:
            return
        with self._checkpoint_lock:
            last_size, commits = self._checkpointed.get(wal, (0, 0))
            if size < CHECKPOINT_BYTES or (size <= last_size and commits < CHECKPOINT_COMMITS):
                self._checkpointed[wal] = (last_size, commits + 1)
                return
            self._checkpointed[wal] = (size, 0)
            try:
                conn = self._checkpointers.get(wal)
                if conn is None:
                    conn = sqlite3.connect(wal[:-len("-wal")], timeout=0, isolation_level=None,
                                           check_same_thread=False)
                    conn.execute("PRAGMA wal_autocheckpoint = 0")
                    self._checkpointers[wal] = conn
                conn.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()
            except sqlite3.Error:
                pass

    def release(self, wal: str) -> None:
        """Close the checkpointing connection of a catalogue whose store closes (so the last
        connection's close can checkpoint and remove the WAL, as SQLite does)."""
        with self._checkpoint_lock:
            conn = self._checkpointers.pop(wal, None)
            self._checkpointed.pop(wal, None)
            if conn is not None:
                try:
                    conn.close()
                except sqlite3.Error:
                    pass


def _fsync(path: str) -> None:
    """fsync a file by name (any descriptor of it flushes its pages); gone or unreadable: nothing
    to do (the last connection's checkpoint synced the database and removed the WAL)."""
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


_SYNCER = _Syncer()
