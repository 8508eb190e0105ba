"""Connections, transactions and the read/write helpers every part of the store uses."""

from __future__ import annotations

import os
import sqlite3
import sys
import threading
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Self
from urllib.parse import quote

from .errors import Cancelled, StoreError
from .schema import KNOWN_MIGRATIONS, _apply_migrations
from .sync import _SYNCER

BUSY_TIMEOUT_MS = 5000


class Connection:
    """Connections, transactions and the read/write helpers every part of the store uses (a part of Store)."""

    def __init__(self, path: str | Path, read_only: bool = False, create: bool = True):
        self.path = Path(path)
        self.read_only = read_only
        self._local = threading.local()
        self._write_lock = threading.RLock()
        self._connections: list[sqlite3.Connection] = []
        self._df_cache: dict[str, tuple[int, int | None]] = {}
        self._writes = 0  # transactions begun by this store: cached counts are keyed on it
        self._words_lock = threading.Lock()
        self._words: tuple[bytes | None, dict[str, list[str] | None]] = (None, {})  # see _words_beginning
        if self.path.is_dir():
            raise StoreError(f"{self.path}: is a directory, not a catalogue")
        exists = self.path.exists()
        if not exists and (read_only or not create):
            raise StoreError(f"{self.path}: no such catalogue")
        if not exists and not self.path.parent.exists():
            raise StoreError(f"{self.path.parent}: no such directory")
        self.created = not exists
        self._why_read_only = "opened read-only"
        if exists and not read_only and not (os.access(self.path, os.W_OK) and os.access(self.path.parent, os.W_OK)):
            # a read-only file or folder (permissions, read-only media): browse it, refuse edits
            self.read_only = True
            self._why_read_only = "the catalogue's file or folder is read-only"
        self._immutable = False
        self.commits = 0  # write transactions this store committed (see data_version)
        self.merge_steps = 0  # background merge steps tried (see _merge_while_idle)
        self.merge_rounds = 0  # ... and runs of them ended
        self._synced = 0  # the last generation of this catalogue's WAL asked of _SYNCER
        # edits not yet in the full-text index (see m004_index_queue and index_pending)
        self._unindexed = False
        self._index_conn: sqlite3.Connection | None = None
        self._index_thread: threading.Thread | None = None
        self._index_cond = threading.Condition()  # guards the three below (not the index itself)
        self._index_due: float | None = None  # when the background catch-up is due (monotonic)
        self._indexed = 0  # background catch-ups finished (a search waits for the next one)
        self._epoch = 0  # close() moves it on: a background re-index from before then stops
        self._waiters: set[int] = set()  # threads waiting to write: background merging gives way
        self._prepare()
        if not self.read_only:
            self._settle_merging()
        if not self.read_only and self._read("SELECT 1 FROM upkeep LIMIT 1"):
            self._mend_upkeep()  # what an import killed in the middle left undone
        if not self.read_only and self._read("SELECT 1 FROM fts_pending LIMIT 1"):
            self._index_soon()  # edits a crash (or another process) left out of the index

    def _connect(self) -> sqlite3.Connection:
        try:
            if self.read_only:
                # quoted: a '#' or '?' in the file name would end the path (and drop mode=ro)
                uri = f"file:{quote(str(self.path.resolve()))}?mode=ro" + ("&immutable=1" if self._immutable else "")
                conn = sqlite3.connect(uri, uri=True, timeout=BUSY_TIMEOUT_MS / 1000,
                                       isolation_level=None, check_same_thread=False)
                if not self._immutable and not os.access(self.path.parent, os.W_OK):
                    try:
                        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
                    except sqlite3.OperationalError as exc:
                        if "unable to open" not in str(exc):
                            raise
                        # WAL wants a -shm file beside it, and the folder is read-only (a CD, a
                        # read-only mount): nothing can write there, so read the file as it is.
                        conn.close()
                        self._immutable = True
                        return self._connect()
            else:
                conn = sqlite3.connect(self.path, timeout=BUSY_TIMEOUT_MS / 1000,
                                       isolation_level=None, check_same_thread=False)
            conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
            conn.execute("PRAGMA foreign_keys = ON")
            if not self.read_only:
                conn.execute("PRAGMA synchronous = NORMAL")  # and the WAL fsynced after: see _Syncer
                conn.execute("PRAGMA wal_autocheckpoint = 0")  # checkpoints off the committing thread: _Syncer
        except sqlite3.Error as exc:
            raise self._error(exc) from None
        self._connections.append(conn)
        return conn

    @property
    def conn(self) -> sqlite3.Connection:
        """This thread's connection."""
        conn = getattr(self._local, "conn", None)
        if conn is None:
            conn = self._local.conn = self._connect()
        return conn

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    @property
    def _wal(self) -> str:
        return f"{self.path}-wal"

    def sync(self) -> None:
        """Wait until every commit of this store is on the disk (the WAL fsynced)."""
        if self._synced:
            _SYNCER.wait(self._wal, self._synced)

    def close(self) -> None:
        """Re-index edited works, wait for the last commits to reach the disk, then close every
        connection this store opened."""
        self._take_write_lock()
        with self._write_lock:
            self._write_lock.release()  # (taken once above)
            with self._index_cond:
                self._epoch += 1
                self._index_thread = None
                self._index_cond.notify_all()
            if self._unindexed and not self.read_only:
                try:
                    self.index_pending()
                except StoreError:
                    pass  # (locked, disk full...): the next writable open does it
            self._index_conn = None
        self.sync()
        _SYNCER.release(self._wal)
        for conn in self._connections:
            try:
                conn.close()
            except sqlite3.Error:
                pass
        self._connections.clear()
        self._local = threading.local()

    def _error(self, exc: Exception) -> StoreError:
        text = str(exc)
        if isinstance(exc, sqlite3.DatabaseError) and ("not a database" in text or "malformed" in text):
            return StoreError(f"{self.path}: not an ibid catalogue (not a SQLite database, or damaged)")
        if "locked" in text or "busy" in text:
            return StoreError(f"{self.path}: the catalogue is locked by another process; try again")
        if "readonly" in text or "read-only" in text:
            return StoreError(f"{self.path}: the catalogue is read-only; nothing was changed")
        if "disk is full" in text or "full" in text:
            return StoreError(f"{self.path}: the disk is full; nothing was changed")
        if "disk I/O error" in text:  # EFBIG (a file size limit), EIO...: the write was rolled back
            return StoreError(f"{self.path}: disk I/O error (a full disk or a file size limit?); nothing was changed")
        if "unable to open" in text:
            return StoreError(f"{self.path}: cannot open the catalogue")
        return StoreError(f"{self.path}: {text}")

    def _prepare(self) -> None:
        conn = self.conn
        try:
            tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
            if tables and "_sqlite_migrations" not in tables:
                raise StoreError(f"{self.path}: a SQLite database, but not an ibid catalogue")
            if "_sqlite_migrations" in tables:
                applied = {r[0] for r in conn.execute(
                    "SELECT name FROM _sqlite_migrations WHERE migration_set = 'ibid'")}
                unknown = applied - KNOWN_MIGRATIONS
                if unknown:
                    raise StoreError(
                        f"{self.path}: made by a newer ibid (schema {sorted(unknown)[-1]}); "
                        "upgrade ibid to open it")
                if applied == KNOWN_MIGRATIONS:
                    return
            if self.read_only:
                raise StoreError(f"{self.path}: needs a schema upgrade, but is opened read-only")
            conn.execute("PRAGMA journal_mode = WAL")
            if tables and sys.stderr is not None and sys.stderr.isatty():  # (a catalogue of a million: ~15 s, once)
                print(f"ibid: bringing {self.path.name} up to this version of ibid (once) ...", file=sys.stderr, flush=True)
            with self._write_lock:
                _apply_migrations(conn)
        except sqlite3.Error as exc:
            raise self._error(exc) from None

    def check_writable(self) -> None:
        """Raise the StoreError a write would, before asking the user for anything."""
        if self.read_only:
            raise StoreError(f"{self.path}: {self._why_read_only}; nothing was changed")

    @contextmanager
    def _write(self, conn: sqlite3.Connection | None = None) -> Iterator[sqlite3.Connection]:
        """One transaction: all of it is committed, or none of it (on this thread's connection,
        or on `conn`, which only a holder of the write lock uses)."""
        self.check_writable()
        held = conn is None
        conn = conn or self.conn  # (may raise: before the lock is taken)
        if held:
            self._take_write_lock()  # this write goes before any background merge step
        with self._write_lock:
            if held:
                self._write_lock.release()  # (taken once above)
            try:
                conn.execute("BEGIN IMMEDIATE")
            except sqlite3.Error as exc:
                raise self._error(exc) from None
            try:
                yield conn
                conn.execute("COMMIT")
                self.commits += 1
                self._synced = _SYNCER.ask(self._wal)
            except BaseException as exc:
                try:
                    conn.execute("ROLLBACK")  # (a statement stopped by its handler may have ended it)
                except sqlite3.Error:
                    pass
                if conn.in_transaction:
                    self._drop(conn)  # cannot roll back: closing the connection does
                if isinstance(exc, sqlite3.Error):
                    raise self._error(exc) from None
                if isinstance(exc, UnicodeEncodeError):  # a lone surrogate: SQLite text is UTF-8
                    raise StoreError(f"text that is not valid Unicode ({exc.object[exc.start:exc.end]!a}); "
                                     "nothing was changed") from None
                raise
            finally:
                self._writes += 1  # what this store remembers of the catalogue may be out of date

    def _read(self, sql: str, params: Iterable = ()) -> list[tuple]:
        try:
            return self.conn.execute(sql, tuple(params)).fetchall()
        except sqlite3.Error as exc:
            raise self._error(exc) from None

    @contextmanager
    def _cancellable(self, cancel: Callable[[], bool] | None) -> Iterator[None]:
        """Reads in this block stop early (raising Cancelled) once `cancel()` is true: SQLite asks
        between steps of its program, so a newer search need not wait for a stale one."""
        if cancel is None:
            yield
            return
        if cancel():
            raise Cancelled()
        conn = self.conn
        conn.set_progress_handler(lambda: 1 if cancel() else 0, 20_000)
        try:
            yield
        except StoreError:
            if cancel():
                raise Cancelled() from None
            raise
        finally:
            conn.set_progress_handler(None, 0)

    def _select_in(self, sql: str, values: list, conn: sqlite3.Connection | None = None) -> Iterator[tuple]:
        """Rows of `sql`, whose `{marks}` is an IN list, over any number of values (500 a query)."""
        for i in range(0, len(values), 500):
            chunk = values[i:i + 500]
            query = sql.format(marks=",".join("?" * len(chunk)))
            yield from (conn.execute(query, chunk) if conn is not None else self._read(query, chunk))

    def data_version(self) -> int:
        """SQLite's `PRAGMA data_version` on this thread's connection: it moves when any other
        connection (another process, or another thread here) commits. Cheap: fit to poll."""
        return self._read("PRAGMA data_version")[0][0]

    def newest_id(self) -> int:
        """The highest work id (an index lookup): moves when works are added or the newest removed."""
        return self._read("SELECT coalesce(max(id), 0) FROM works")[0][0]

    def count(self) -> int:
        """Number of works. Remembered until the catalogue changes (through this store, or
        any other connection: SQLite's data_version says so): count(*) walks the whole table
        (or its smallest index), and so grows with the catalogue."""
        version = (self._writes, self._read("PRAGMA data_version")[0][0])
        cached = getattr(self._local, "count", None)
        if cached is not None and cached[0] == version:
            return cached[1]
        n = self._read("SELECT count(*) FROM works")[0][0]
        self._local.count = (version, n)
        return n

    def _drop(self, conn: sqlite3.Connection) -> None:
        """Close a connection whose transaction could not be ended (closing rolls it back), so
        that it holds no lock; the next use of the store opens another."""
        try:
            conn.close()
        except sqlite3.Error:
            pass
        if conn in self._connections:
            self._connections.remove(conn)
        if conn is self._index_conn:
            self._index_conn = None
        if getattr(self._local, "conn", None) is conn:
            self._local.conn = None

    def _take_write_lock(self) -> None:
        """Take the write lock for a write of this store; while we wait, a background merge
        statement stops (its progress handler sees us in `_waiters`) and no other merge step
        begins."""
        if self._write_lock.acquire(blocking=False):
            return
        me = threading.get_ident()
        self._waiters.add(me)
        try:
            self._write_lock.acquire()
        finally:
            self._waiters.discard(me)
