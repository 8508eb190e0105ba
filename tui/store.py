"""The catalogue: all SQL lives here. No Textual.

One SQLite file in WAL mode. Each thread gets its own connection (reads run in parallel
with a write); writes are serialised by a lock and each user action is one
`BEGIN IMMEDIATE` transaction, committed before the caller hears it succeeded.

Durability: `synchronous = NORMAL`. A commit is in the WAL file when the caller hears of it
(a crash or `kill -9` of ibid loses nothing; the file is never corrupted), and the WAL is
fsynced right after, off the caller's thread (`_Syncer`), so a power cut can lose only the
last few milliseconds; `close()` waits for that fsync. An edit's commit then costs the SQL,
not the disk: under `FULL` the fsync was 3-20 ms of every edit on this machine. The same
thread copies the WAL into the database (a checkpoint) when it has grown, which SQLite would
otherwise do inside the commit that crosses 1,000 pages (0.8 s once, for a 0.2 ms edit).
"""

from __future__ import annotations

import atexit
import heapq
import json
import os
import sqlite3
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from itertools import islice
from pathlib import Path
from urllib.parse import quote

from .formats import Batch, Problem
from .models import Attachment, Author, AuthorPage, ListRow, Stats, Work, WorkRef, join_names
from .query import Query, parse

BUSY_TIMEOUT_MS = 5000


def files_dir(db_path: Path) -> Path:
    """The catalogue's own folder for archived copies: `catalog.db` -> `catalog.files` beside it."""
    db_path = Path(db_path)
    return db_path.with_name(db_path.stem + ".files")

RANK_CANDIDATES = 5_000  # searches ranked by relevance rank at most this many (the newest) matches
EXACT_RANK_UP_TO = 100_000  # works: above, common words are left out of the ranking (see Store._ranked)
DENSITY_PROBE = 200  # matches read to judge whether a word is in most works
COUNT_WALK_FROM = 20_000  # matches expected: a search's count in a year range walks the year index (_count_in_years)
CHECKPOINT_BYTES = 4 << 20  # the WAL copied into the database past this (SQLite's own: 1,000 pages of 4 KiB)
CHECKPOINT_COMMITS = 128  # ... or after this many commits into a WAL file that no longer grows
PREFIX_WORDS_MAX = 64  # a prefix of 4+ letters is spelled out as its words up to this many (see _spelled_out)
PREFETCH_WORDS_MAX = 5000  # the words of a 3-letter prefix read ahead, up to this many (see prefetch_words)
_COLUMN_WEIGHTS = {"title": 10.0, "author_names": 5.0, "keywords": 3.0, "venue": 2.0, "abstract": 1.0}
BULK_IMPORT_MIN = 20_000  # works: an import of at least this many, into a catalogue not bigger, goes in bulk
# indexes a bulk import drops and makes again at its end (a sort, instead of a row at a time)
_BULK_INDEXES = ("works_title", "works_year", "works_venue", "works_doi", "work_authors_author",
                 "keywords_keyword", "citations_cited", "citation_counts_cited_by")
# the orders of a search's sorts, over `works w` (joined to `citation_counts c` for `cited`)
_ORDERS = {"year": "w.year DESC, w.id", "title": "w.title COLLATE NOCASE, w.id", "cited": "c.cited_by DESC, w.id"}
# a sort of a search with words -> what Store._by_index walks: the table, its work id, the index,
# and the order (the same as _search_sql's: the index's, or SQLite sorts the works of one
# year, or of one count of citations, by id as it goes)
_SORT_INDEXES = {"year": ("works", "id", "works_year", "year DESC, id"),
                 "title": ("works", "id", "works_title", "title COLLATE NOCASE, id"),
                 "cited": ("citation_counts", "work_id", "citation_counts_cited_by", "cited_by DESC, work_id")}
IMPORT_CACHE_KIB = 256 * 1024  # SQLite's page cache while importing (the default is 2 MB)
# FTS5's merge settings, kept in the catalogue (see Store._settle_merging): FTS5 never merges
# segments in a write of its own accord (automerge 0) but past 64 segments on a level; the
# store merges them in steps of MERGE_STEP_PAGES pages, in the background, giving way to edits
_FTS_MERGING = {"automerge": 0, "crisismerge": 64}
_BULK_FTS_MERGING = {"automerge": 0, "crisismerge": 256}  # while a bulk import runs (see _put_off)
MERGE_STEP_PAGES = 2000  # ~0.15-0.3 s of merging at 1M works
MERGE_CHECK_STEPS = 1000  # SQLite steps between a merge statement's looks for a waiting write
MERGE_IDLE = 1.0  # seconds without an edit before the background merges: a run of edits meets none
LIST_AUTHORS = 3  # names shown in a list row before "et al."


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
    # 1,000 pages, writing and fsyncing the database file in the committing thread (an `uncite`
    # of 0.2 ms took 885 ms once, on a 100k catalogue). Writable connections turn them off, and
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


class StoreError(Exception):
    """A catalogue operation failed; the message is one line for the user."""


class Cancelled(Exception):
    """A read given a `cancel` check was abandoned because the check said so (not an error)."""


# ---------------------------------------------------------------------------- schema

_MIGRATIONS: list[Callable] = []


def migration(func: Callable) -> Callable:
    """A schema step, applied in order through sqlite-utils' Migrations (imported only when a
    catalogue needs one: sqlite_utils costs ~0.1 s to import, and opening costs none)."""
    _MIGRATIONS.append(func)
    return func


def _apply_migrations(conn: sqlite3.Connection) -> None:
    import sqlite_utils
    from sqlite_utils.migrations import Migrations

    migrations = Migrations("ibid")
    for func in _MIGRATIONS:
        migrations()(func)
    migrations.apply(sqlite_utils.Database(conn))

# `authors` is the short form a list row shows ("A, B, C et al."); `author_names` has them all.
_FTS_COLUMNS = "title, author_names, abstract, keywords, venue"
_FTS_NAMES = [c.strip() for c in _FTS_COLUMNS.split(",")]
_BM25_WEIGHTS = ", ".join(str(_COLUMN_WEIGHTS[c]) for c in _FTS_NAMES)  # in the index's column order
_FTS_INSERT_TRIGGER = f"""
CREATE TRIGGER works_fts_insert AFTER INSERT ON works BEGIN
  INSERT INTO works_fts(rowid, {_FTS_COLUMNS})
  VALUES (new.id, new.title, new.author_names, new.abstract, new.keywords, new.venue);
END"""


_CITED_BY_TRIGGER = """CREATE TRIGGER citations_count_insert AFTER INSERT ON citations BEGIN
    UPDATE works SET cited_by = cited_by + 1 WHERE id = new.cited_id;
END"""  # m001's; m003 moves the count to citation_counts (_COUNT_TRIGGER)

_COUNT_TRIGGER = """CREATE TRIGGER citations_count_insert AFTER INSERT ON citations BEGIN
    UPDATE citation_counts SET cited_by = cited_by + 1 WHERE work_id = new.cited_id;
END"""


@migration
def m001_catalogue(db) -> None:
    """Works, authors, links, keywords, files, usage, and the full-text index."""
    for sql in [
        """CREATE TABLE works (
            id INTEGER PRIMARY KEY,
            key TEXT NOT NULL UNIQUE,
            type TEXT NOT NULL DEFAULT 'misc',
            title TEXT NOT NULL DEFAULT '',
            authors TEXT NOT NULL DEFAULT '',   -- "A, B, C et al.": kept with work_authors, for list rows
            author_names TEXT NOT NULL DEFAULT '',  -- every name, '; '-joined: kept with work_authors, for search
            year INTEGER,
            venue TEXT NOT NULL DEFAULT '',
            volume TEXT NOT NULL DEFAULT '',
            number TEXT NOT NULL DEFAULT '',
            pages TEXT NOT NULL DEFAULT '',
            publisher TEXT NOT NULL DEFAULT '',
            doi TEXT NOT NULL DEFAULT '',
            url TEXT NOT NULL DEFAULT '',
            abstract TEXT NOT NULL DEFAULT '',
            keywords TEXT NOT NULL DEFAULT '',  -- '; '-joined, kept with the keywords table
            fields TEXT NOT NULL DEFAULT '{}',  -- raw BibTeX fields (JSON), for faithful export
            pp_downloads INTEGER, pp_downloads_rank INTEGER,
            pp_recent INTEGER, pp_recent_rank INTEGER,
            cited_by INTEGER NOT NULL DEFAULT 0,
            added TEXT NOT NULL,
            updated TEXT NOT NULL
        )""",
        "CREATE INDEX works_title ON works(title COLLATE NOCASE, id)",
        "CREATE INDEX works_year ON works(year, id)",
        "CREATE INDEX works_cited_by ON works(cited_by, id)",
        "CREATE INDEX works_venue ON works(venue) WHERE venue != ''",
        "CREATE INDEX works_doi ON works(doi COLLATE NOCASE) WHERE doi != ''",
        """CREATE TABLE authors (
            id INTEGER PRIMARY KEY,
            name TEXT NOT NULL UNIQUE,
            affiliation TEXT NOT NULL DEFAULT ''
        )""",
        """CREATE TABLE work_authors (
            work_id INTEGER NOT NULL REFERENCES works(id) ON DELETE CASCADE,
            position INTEGER NOT NULL,
            author_id INTEGER NOT NULL REFERENCES authors(id),
            PRIMARY KEY (work_id, position)
        ) WITHOUT ROWID""",
        "CREATE INDEX work_authors_author ON work_authors(author_id, work_id)",
        """CREATE TABLE keywords (
            work_id INTEGER NOT NULL REFERENCES works(id) ON DELETE CASCADE,
            keyword TEXT NOT NULL,
            PRIMARY KEY (work_id, keyword)
        ) WITHOUT ROWID""",
        "CREATE INDEX keywords_keyword ON keywords(keyword)",
        """CREATE TABLE citations (
            citing_id INTEGER NOT NULL REFERENCES works(id) ON DELETE CASCADE,
            cited_id INTEGER NOT NULL REFERENCES works(id) ON DELETE CASCADE,
            added TEXT NOT NULL,
            PRIMARY KEY (citing_id, cited_id),
            CHECK (citing_id != cited_id)
        ) WITHOUT ROWID""",
        "CREATE INDEX citations_cited ON citations(cited_id, citing_id)",
        _CITED_BY_TRIGGER,
        """CREATE TRIGGER citations_count_delete AFTER DELETE ON citations BEGIN
            UPDATE works SET cited_by = cited_by - 1 WHERE id = old.cited_id;
        END""",
        """CREATE TABLE similar_links (
            work_id INTEGER NOT NULL REFERENCES works(id) ON DELETE CASCADE,
            other_id INTEGER NOT NULL REFERENCES works(id) ON DELETE CASCADE,
            position INTEGER NOT NULL DEFAULT 0,
            PRIMARY KEY (work_id, other_id)
        ) WITHOUT ROWID""",
        """CREATE TABLE files (
            id INTEGER PRIMARY KEY,
            work_id INTEGER NOT NULL REFERENCES works(id) ON DELETE CASCADE,
            path TEXT NOT NULL,
            name TEXT NOT NULL,
            added TEXT NOT NULL
        )""",
        "CREATE INDEX files_work ON files(work_id)",
        """CREATE TABLE events (
            id INTEGER PRIMARY KEY,
            work_id INTEGER NOT NULL REFERENCES works(id) ON DELETE CASCADE,
            kind TEXT NOT NULL,  -- view | copy | export
            at TEXT NOT NULL
        )""",
        "CREATE INDEX events_work ON events(work_id, at)",
        """CREATE TABLE usage (
            work_id INTEGER PRIMARY KEY REFERENCES works(id) ON DELETE CASCADE,
            total INTEGER NOT NULL DEFAULT 0
        )""",
        "CREATE INDEX usage_total ON usage(total)",
        """CREATE TRIGGER events_usage AFTER INSERT ON events BEGIN
            INSERT INTO usage(work_id, total) VALUES (new.work_id, 1)
            ON CONFLICT(work_id) DO UPDATE SET total = total + 1;
        END""",
        f"""CREATE VIRTUAL TABLE works_fts USING fts5(
            {_FTS_COLUMNS}, content='works', content_rowid='id',
            tokenize='unicode61 remove_diacritics 2', prefix='2 3'
        )""",
        # a larger in-memory hash before flushing a segment: bulk imports ~30% faster
        "INSERT INTO works_fts(works_fts, rank) VALUES ('hashsize', 67108864)",
        "CREATE VIRTUAL TABLE works_vocab USING fts5vocab(works_fts, 'row')",
        _FTS_INSERT_TRIGGER,
        f"""CREATE TRIGGER works_fts_delete AFTER DELETE ON works BEGIN
            INSERT INTO works_fts(works_fts, rowid, {_FTS_COLUMNS})
            VALUES ('delete', old.id, old.title, old.author_names, old.abstract, old.keywords, old.venue);
        END""",
        f"""CREATE TRIGGER works_fts_update AFTER UPDATE OF {_FTS_COLUMNS} ON works BEGIN
            INSERT INTO works_fts(works_fts, rowid, {_FTS_COLUMNS})
            VALUES ('delete', old.id, old.title, old.author_names, old.abstract, old.keywords, old.venue);
            INSERT INTO works_fts(rowid, {_FTS_COLUMNS})
            VALUES (new.id, new.title, new.author_names, new.abstract, new.keywords, new.venue);
        END""",
    ]:
        db.execute(sql)


@migration
def m002_changes(db) -> None:
    """The last few changes made by hand, kept so `u` can undo them across restarts."""
    db.execute("""CREATE TABLE changes (
        id INTEGER PRIMARY KEY,
        at TEXT NOT NULL,
        kind TEXT NOT NULL,  -- cite | uncite | edit | new
        data TEXT NOT NULL   -- JSON: what undoing needs
    )""")


@migration
def m003_citation_counts(db) -> None:
    """Each work's citation count in a narrow table of its own, not in the works row.

    An import at a million works recounts ~100,000 earlier works a chunk: in `works` (rows
    of ~1.5 kB with their abstracts) that dirtied a page a work, 158 MB of WAL for 60,000
    counts at 100k works; in a table of two integers, 3 MB (0.27 s instead of 3.2 s)."""
    for sql in [
        """CREATE TABLE citation_counts (
            work_id INTEGER PRIMARY KEY,  -- a work's id; the row comes and goes with the work
            cited_by INTEGER NOT NULL DEFAULT 0
        )""",
        "INSERT INTO citation_counts(work_id, cited_by) SELECT id, cited_by FROM works",
        "CREATE INDEX citation_counts_cited_by ON citation_counts(cited_by, work_id)",
        "DROP TRIGGER citations_count_insert",
        "DROP TRIGGER citations_count_delete",
        _COUNT_TRIGGER,
        """CREATE TRIGGER citations_count_delete AFTER DELETE ON citations BEGIN
            UPDATE citation_counts SET cited_by = cited_by - 1 WHERE work_id = old.cited_id;
        END""",
        """CREATE TRIGGER works_count_insert AFTER INSERT ON works BEGIN
            INSERT INTO citation_counts(work_id) VALUES (new.id);
        END""",
        """CREATE TRIGGER works_count_delete AFTER DELETE ON works BEGIN
            DELETE FROM citation_counts WHERE work_id = old.id;
        END""",
        "DROP INDEX works_cited_by",
        "ALTER TABLE works DROP COLUMN cited_by",  # rewrites the table: once, on upgrade
    ]:
        db.execute(sql)


_OLD = ", ".join(f"old.{c}" for c in _FTS_NAMES)
_PENDING_DELETE = (f"INSERT INTO works_fts(works_fts, rowid, {_FTS_COLUMNS}) "
                   f"SELECT 'delete', work_id, {_FTS_COLUMNS} FROM fts_pending")


@migration
def m004_index_queue(db) -> None:
    """An edit re-indexes its work after its commit, not in it.

    Re-indexing an edited abstract in the edit's transaction wrote 0.8-1.6 MB of index pages
    (p95 15 ms, at worst over a second, at 100k works); without it the commit is ~1.5 ms. An
    edit now only notes what the index holds for the work (its old indexed text, kept until
    the index catches up: external-content FTS5 needs it to take the old words out);
    `Store.index_pending` brings the index up to date in a transaction of its own, soon
    after, before any search of this store, on close, and on the next writable open after a
    crash. Invariant: the index holds, for each work, its `fts_pending` row if it has one,
    else its `works` row."""
    changed = " OR ".join(f"old.{c} IS NOT new.{c}" for c in _FTS_NAMES)
    for sql in [
        f"""CREATE TABLE fts_pending (
            work_id INTEGER PRIMARY KEY,  -- an edited work whose index entry is out of date
            {_FTS_COLUMNS}                -- what the index holds for it
        )""",
        "DROP TRIGGER works_fts_update",
        f"""CREATE TRIGGER works_fts_update AFTER UPDATE OF {_FTS_COLUMNS} ON works WHEN {changed} BEGIN
            INSERT OR IGNORE INTO fts_pending(work_id, {_FTS_COLUMNS}) VALUES (old.id, {_OLD});
        END""",
        "DROP TRIGGER works_fts_delete",
        f"""CREATE TRIGGER works_fts_delete AFTER DELETE ON works BEGIN
            INSERT INTO works_fts(works_fts, rowid, {_FTS_COLUMNS})
            SELECT 'delete', old.id, {_OLD} WHERE NOT EXISTS (SELECT 1 FROM fts_pending WHERE work_id = old.id);
            {_PENDING_DELETE} WHERE work_id = old.id;
            DELETE FROM fts_pending WHERE work_id = old.id;
        END""",
    ]:
        db.execute(sql)


@migration
def m005_upkeep(db) -> None:
    """Work a big import put off until its end (see Store.import_batches), kept here so that a
    crash in the middle is mended on the next writable open: the indexes it dropped (their
    CREATE statements), `citation_counts`, when the counts are to be recounted, and
    `fts_merging`, when FTS5's merging of segments is to be put back (see Store._put_off)."""
    db.execute("""CREATE TABLE upkeep (
        name TEXT PRIMARY KEY,  -- an index to make again, or 'citation_counts'
        sql TEXT                -- the index's CREATE statement
    )""")


KNOWN_MIGRATIONS = {"m001_catalogue", "m002_changes", "m003_citation_counts", "m004_index_queue", "m005_upkeep"}
INDEX_DELAY = 0.2  # seconds without a write before edited works are re-indexed in the background
CATCH_UP_WAIT = 0.05  # seconds a search waits for the index to take in this store's edits
UNDO_DEPTH = 50


# ---------------------------------------------------------------------------- results


@dataclass
class ImportSummary:
    """What an import did, for the user."""

    added: int = 0
    updated: int = 0
    duplicates: int = 0
    renamed: int = 0
    citations: int = 0
    similar: int = 0
    problems: list[Problem] = field(default_factory=list)

    @property
    def refused(self) -> int:
        return sum(1 for p in self.problems if p.kind == "refused")


def today() -> datetime:
    """The current UTC time (one place, so tests can fix the clock)."""
    return datetime.now(timezone.utc)


def now() -> str:
    """UTC time as stored: ISO 8601 to the second."""
    return today().strftime("%Y-%m-%dT%H:%M:%SZ")


_ROW_COLUMNS = "w.id, w.key, w.title, w.authors, w.year, c.cited_by"
_ROWS = "works w JOIN citation_counts c ON c.work_id = w.id"  # the FROM of list rows
# sort -> (a table, its work id, the sort's column, or None for the id alone; the ListRow attribute
# holding that column). Each column and id pair is an index (works_title, works_year,
# citation_counts_cited_by), and `citation_counts`, a row of two numbers a work, is the
# smallest table keyed by the id: a page is found in an index alone, then its rows read.
_SORT_ORDER = {
    "added": ("citation_counts", "work_id", None, None),
    "title": ("works", "id", "title COLLATE NOCASE", "title"),
    "year": ("works", "id", "year", "year"),
    "cited": ("citation_counts", "work_id", "cited_by", "cited_by"),
}


def _work_state(work: Work) -> dict:
    """What undoing an edit needs to put a work back as it was."""
    return {"values": Store._work_values(work),
            "authors": [[a.name, a.affiliation] for a in work.authors], "keywords": work.keywords}


def _row(r: tuple) -> ListRow:
    return ListRow(id=r[0], key=r[1], title=r[2], authors=r[3], year=r[4], cited_by=r[5])


def _ref(r: tuple) -> WorkRef:
    return WorkRef(id=r[0], key=r[1], title=r[2], authors=r[3], year=r[4])


# ---------------------------------------------------------------------------- the store


class Store:
    """A catalogue file. Safe to share between threads: each gets its own connection."""

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

    # -- connections

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

    def __enter__(self) -> Store:
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

    # -- noticing other processes

    def data_version(self) -> int:
        """SQLite's `PRAGMA data_version` on this thread's connection: it moves when any other
        connection (another process, or another thread here) commits. Microseconds: fit to poll."""
        return self._read("PRAGMA data_version")[0][0]

    def newest_id(self) -> int:
        """The highest work id (an index lookup): moves when works are added or the newest removed."""
        return self._read("SELECT coalesce(max(id), 0) FROM works")[0][0]

    # -- size

    def count(self) -> int:
        """Number of works. Remembered until the catalogue changes (through this store, or
        any other connection: SQLite's data_version says so): a million-row count costs ~10 ms."""
        version = (self._writes, self._read("PRAGMA data_version")[0][0])
        cached = getattr(self._local, "count", None)
        if cached is not None and cached[0] == version:
            return cached[1]
        n = self._read("SELECT count(*) FROM works")[0][0]
        self._local.count = (version, n)
        return n

    def archived_count(self) -> int:
        """Number of attached files (the record page's "Papers currently archived")."""
        return self._read("SELECT count(*) FROM files")[0][0]

    # -- writing works

    def _author_id(self, conn: sqlite3.Connection, author: Author, cache: dict[str, int]) -> int:
        name = author.name.strip()
        if name in cache and not author.affiliation:
            return cache[name]
        row = conn.execute(
            "INSERT INTO authors(name, affiliation) VALUES (?, ?) ON CONFLICT(name) DO UPDATE SET "
            "affiliation = CASE WHEN excluded.affiliation != '' THEN excluded.affiliation ELSE affiliation END "
            "RETURNING id",
            (name, author.affiliation or ""),
        ).fetchone()
        cache[name] = row[0]
        return row[0]

    @staticmethod
    def _work_values(work: Work) -> dict:
        return {
            "key": work.key, "type": work.type or "misc", "title": work.title,
            "authors": join_names([a.name for a in work.authors], LIST_AUTHORS),
            "author_names": "; ".join(a.name for a in work.authors),
            "year": work.year, "venue": work.venue, "volume": work.volume, "number": work.number,
            "pages": work.pages, "publisher": work.publisher, "doi": work.doi, "url": work.url,
            "abstract": work.abstract, "keywords": "; ".join(work.keywords),
            "fields": json.dumps(work.fields, ensure_ascii=False),
            "pp_downloads": work.pp_downloads, "pp_downloads_rank": work.pp_downloads_rank,
            "pp_recent": work.pp_recent, "pp_recent_rank": work.pp_recent_rank,
        }

    def _insert_work(self, conn: sqlite3.Connection, work: Work, cache: dict[str, int]) -> int:
        values = self._work_values(work)
        stamp = now()
        values["added"] = values["updated"] = stamp
        cols = ", ".join(values)
        marks = ", ".join("?" for _ in values)
        work_id = conn.execute(f"INSERT INTO works({cols}) VALUES ({marks})", tuple(values.values())).lastrowid
        self._set_people(conn, work_id, work, cache)
        return work_id

    def _update_work(self, conn: sqlite3.Connection, work_id: int, work: Work, cache: dict[str, int],
                     before: Work | None = None) -> None:
        """Write `work` over the work `work_id`; given the work as it is (`before`), only what
        changed is written (an abstract edited rewrites neither the title's index nor the authors)."""
        values = self._work_values(work)
        if before is not None:
            old = self._work_values(before)
            values = {c: v for c, v in values.items() if v != old[c]}
        values["updated"] = now()
        sets = ", ".join(f"{c} = ?" for c in values)
        conn.execute(f"UPDATE works SET {sets} WHERE id = ?", (*values.values(), work_id))
        same_authors = before is not None and len(before.authors) == len(work.authors) and all(
            a.name == b.name and (not a.affiliation or a.affiliation == b.affiliation)
            for a, b in zip(work.authors, before.authors))
        same_keywords = before is not None and before.keywords == work.keywords
        if not same_authors:
            conn.execute("DELETE FROM work_authors WHERE work_id = ?", (work_id,))
        if not same_keywords:
            conn.execute("DELETE FROM keywords WHERE work_id = ?", (work_id,))
        self._set_people(conn, work_id, work, cache, authors=not same_authors, keywords=not same_keywords)

    def _set_people(self, conn: sqlite3.Connection, work_id: int, work: Work, cache: dict[str, int],
                    authors: bool = True, keywords: bool = True) -> None:
        if authors:
            rows = []
            for position, author in enumerate(work.authors):
                if author.name.strip():
                    rows.append((work_id, position, self._author_id(conn, author, cache)))
            conn.executemany("INSERT INTO work_authors(work_id, position, author_id) VALUES (?, ?, ?)", rows)
        if not keywords:
            return
        seen: set[str] = set()
        kws = []
        for kw in work.keywords:
            if kw.lower() not in seen:
                seen.add(kw.lower())
                kws.append((work_id, kw))
        conn.executemany("INSERT OR IGNORE INTO keywords(work_id, keyword) VALUES (?, ?)", kws)

    @staticmethod
    def _same_work(conn: sqlite3.Connection, work_id: int, work: Work) -> bool:
        """The same title (ignoring case and spacing) and year: the same work, whatever its key."""
        row = conn.execute("SELECT title, year FROM works WHERE id = ?", (work_id,)).fetchone()
        return row is not None and " ".join(row[0].split()).casefold() == " ".join(work.title.split()).casefold() \
            and row[1] == work.year

    def _free_key(self, conn: sqlite3.Connection, key: str, also_taken: set[str] = frozenset()) -> str:
        taken = {r[0] for r in conn.execute(
            "SELECT key FROM works WHERE key >= ? AND key < ?", (key, key + "\U0010ffff"))} | also_taken
        if key not in taken:
            return key
        for i in range(26 * 26):
            suffix = chr(ord("a") + i % 26) if i < 26 else chr(ord("a") + i // 26 - 1) + chr(ord("a") + i % 26)
            if key + suffix not in taken:
                return key + suffix
        raise StoreError(f"no free key near {key!r}")

    def add_work(self, work: Work, rename: bool = True, remember: bool = False) -> Work:
        """Add one work; a key already taken gets a letter appended (`rename`) or is refused."""
        with self._write() as conn:
            if rename:
                work.key = self._free_key(conn, work.key)
            elif conn.execute("SELECT 1 FROM works WHERE key = ?", (work.key,)).fetchone():
                raise StoreError(f"the key {work.key!r} is already used by another work")
            work.id = self._insert_work(conn, work, {})
            if remember:
                self._remember(conn, "new", {"work": work.id, "key": work.key})
        return work

    def update_work(self, work_id: int, work: Work, remember: bool = True) -> Work:
        """Replace a work's fields (its id, so every link, stays); its key must stay unique."""
        with self._write() as conn:
            before = self.work_by_id(work_id)  # (this thread's connection: in the transaction)
            clash = conn.execute("SELECT 1 FROM works WHERE key = ? AND id != ?", (work.key, work_id)).fetchone()
            if clash:
                raise StoreError(f"the key {work.key!r} is already used by another work")
            self._update_work(conn, work_id, work, {}, before)
            if remember:
                self._remember(conn, "edit", {"work": work_id, "before": _work_state(before)})
        self._index_soon()
        work.id = work_id
        return work

    # -- the full-text index of edited works (see m004_index_queue)

    def index_pending(self) -> int:
        """Bring the full-text index up to date with the works edited since it last was, in
        one transaction; how many works were re-indexed."""
        with self._write_lock:
            if self.read_only:
                return 0
            if self._index_conn is None:
                self._index_conn = self._connect()
            self._unindexed = False
            try:
                with self._write(self._index_conn) as conn:
                    n = self._reindex(conn)
            except BaseException:
                self._unindexed = True
                raise
        return n

    @staticmethod
    def _reindex(conn: sqlite3.Connection) -> int:
        n = conn.execute("SELECT count(*) FROM fts_pending").fetchone()[0]
        if n:
            # One statement, each work's old words out then its new ones in, by rising id: FTS5
            # writes a new segment each time the ids it is given go back (all the deletes, then
            # all the inserts, made two), and every segment brings the next merge nearer.
            conn.execute(
                f"INSERT INTO works_fts(works_fts, rowid, {_FTS_COLUMNS}) SELECT cmd, id, {_FTS_COLUMNS} FROM ("
                f"SELECT 'delete' AS cmd, work_id AS id, 0 AS step, {_FTS_COLUMNS} FROM fts_pending UNION ALL "
                f"SELECT NULL, w.id, 1, {', '.join('w.' + c for c in _FTS_NAMES)} FROM fts_pending p JOIN works w ON w.id = p.work_id"
                ") ORDER BY id, step")
            conn.execute("DELETE FROM fts_pending")
        return n

    def _index_soon(self, delay: float | None = None) -> None:
        """Works were edited (committed): re-index them on a background thread once no edit
        came for INDEX_DELAY seconds (or `delay`): the edit's commit does not wait for the
        index, nor does a run of edits."""
        self._unindexed = True
        with self._index_cond:
            self._index_due = time.monotonic() + (INDEX_DELAY if delay is None else delay)
            if self._index_thread is None:
                self._index_thread = threading.Thread(target=self._index_later, args=(self._epoch,),
                                                      name="ibid-index", daemon=True)
                self._index_thread.start()
            self._index_cond.notify_all()

    def _index_later(self, epoch: int) -> None:
        while True:
            with self._index_cond:
                while True:
                    if epoch != self._epoch or self._index_due is None:
                        if self._index_thread is threading.current_thread():
                            self._index_thread = None
                        return
                    wait = self._index_due - time.monotonic()
                    if wait <= 0:
                        self._index_due = None
                        break
                    self._index_cond.wait(wait)
            try:
                with self._write_lock:
                    if epoch == self._epoch:
                        self.index_pending()
            except StoreError:
                pass  # (locked by another process, disk full...): the next edit, search or close asks again
            finally:
                with self._index_cond:
                    self._indexed += 1
                    self._index_cond.notify_all()
            self._merge_while_idle(epoch)

    # -- merging the full-text index's segments

    def _settle_merging(self) -> None:
        """On a writable open: FTS5's merge settings as the store wants them (_FTS_MERGING),
        unless a bulk import (which has its own) is running or left them to finish_upkeep.

        Why: FTS5 merges a level's segments once it holds `automerge` (4) of them, a little in
        each write, and all at once when it holds `crisismerge` (16); its levels are not kept by
        size, so the one big segment of an imported catalogue sits on level 1, and the small
        segments of edits' catch-ups reach it soon. At 100,000 works the 210th catch-up of a
        new import merged the whole index in one go (4.4 s; at 1.1M works: 79 s and a 4.3 GB
        WAL), every edit and other process's write waiting for it (bench/README.md).
        Now a catch-up only writes its own segment, and the merging is done by
        _merge_while_idle, a step at a time, or by an import at its end."""
        try:
            kept = dict(self._read("SELECT k, v FROM works_fts_config WHERE k IN ('automerge', 'crisismerge')"))
            if kept.get("automerge") == 0 and kept.get("crisismerge") in (_FTS_MERGING["crisismerge"],
                                                                          _BULK_FTS_MERGING["crisismerge"]):
                return
            with self._write() as conn:
                self._fts_merging(conn, _FTS_MERGING)
        except StoreError:
            pass  # (locked, disk full): FTS5's own merging, as before, until the next writable open

    def merge_step(self, pages: int = MERGE_STEP_PAGES, conn: sqlite3.Connection | None = None) -> bool:
        """Merge up to about `pages` pages of the full-text index's segments (FTS5 `merge`: a
        level holding 4 segments or more, or a merge begun before), in a transaction of its
        own. Whether it did anything (FTS5 rewrites its structure record when it does)."""
        background = conn is not None and conn is self._index_conn
        with self._write(conn) as c:
            before = c.execute("SELECT block FROM works_fts_data WHERE id = 10").fetchall()
            if background:
                # a write of this store waiting, or an edit to catch up: this statement stops
                # (SQLite asks every MERGE_CHECK_STEPS of its steps), the transaction rolls back.
                # A progress handler stops only the statement it runs in; sqlite3_interrupt
                # from the waiting thread could land after it and stop the ROLLBACK too.
                c.set_progress_handler(self._merge_should_stop, MERGE_CHECK_STEPS)
            try:
                c.execute("INSERT INTO works_fts(works_fts, rank) VALUES ('merge', ?)", (pages,))
            finally:
                if background:
                    c.set_progress_handler(None, 0)
            return c.execute("SELECT block FROM works_fts_data WHERE id = 10").fetchall() != before

    def _merge_should_stop(self) -> int:
        return 1 if self._waiters or self._index_due is not None else 0

    def merge_all(self) -> int:
        """Merge steps until none is due (an import's end: the user waits for it anyway)."""
        steps = 0
        while self.merge_step():
            steps += 1
        return steps

    def _merge_while_idle(self, epoch: int) -> None:
        """After a background catch-up, once no edit came for MERGE_IDLE seconds: merge steps
        while they are due and no edit comes. A write of this store waiting stops a step (see
        merge_step), which is rolled back and done again after the edit's catch-up: an edit
        waits for no merge (for the stopped statement to end: ~1-3 ms at 1M works)."""
        try:
            with self._index_cond:
                self._index_cond.wait_for(lambda: epoch != self._epoch or self._index_due is not None, MERGE_IDLE)
            while True:
                with self._index_cond:
                    if epoch != self._epoch or self._index_due is not None:
                        return  # closed, or an edit came: its catch-up will merge on
                with self._write_lock:
                    if epoch != self._epoch or self.read_only or self._waiters or self._index_due is not None:
                        return  # (an edit may have committed just before: its catch-up comes first)
                    if self._index_conn is None:
                        self._index_conn = self._connect()
                    try:
                        if not self.merge_step(conn=self._index_conn):
                            return
                    except StoreError:
                        return  # stopped for an edit (or locked, disk full): the next catch-up tries again
                    finally:
                        self.merge_steps += 1
        finally:
            with self._index_cond:
                self.merge_rounds += 1
                self._index_cond.notify_all()

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

    def _catch_up(self) -> None:
        """Before a search: this store's edits into the index, so that it finds them. The
        background thread does it at once and the search waits for it CATCH_UP_WAIT at most: a
        catch-up is a few ms, but FTS5 now and then merges big segments in one (seconds at
        100k works), and a search then runs on the index as it is rather than wait."""
        if self.read_only:
            return
        with self._index_cond:
            seen = self._indexed
            if not self._unindexed:
                return
            self._index_soon(0)
            self._index_cond.wait_for(lambda: self._indexed != seen, CATCH_UP_WAIT)

    # -- undo

    def _remember(self, conn: sqlite3.Connection, kind: str, data: dict) -> None:
        conn.execute("INSERT INTO changes(at, kind, data) VALUES (?, ?, ?)", (now(), kind, json.dumps(data)))
        conn.execute("DELETE FROM changes WHERE id <= (SELECT max(id) FROM changes) - ?", (UNDO_DEPTH,))

    def last_change(self) -> str | None:
        """What `undo` would undo, in words; None when there is nothing."""
        rows = self._read("SELECT kind, data FROM changes ORDER BY id DESC LIMIT 1")
        return self._describe(*rows[0]) if rows else None

    def _describe(self, kind: str, data_text: str) -> str:
        data = json.loads(data_text)
        if kind in ("cite", "uncite"):
            return f"{'link' if kind == 'cite' else 'removal of'} {data['citing_key']} → {data['cited_key']}"
        if kind == "edit":
            return f"edit of {data['before']['values']['key']}"
        if kind == "attach":
            return f"archived copy {data['name']} of {data['key']}"
        return f"new work {data['key']}"

    def undo(self) -> str:
        """Undo the last remembered change (in one transaction); says what was undone."""
        with self._write() as conn:
            row = conn.execute("SELECT id, kind, data FROM changes ORDER BY id DESC LIMIT 1").fetchone()
            if row is None:
                raise StoreError("nothing to undo")
            change_id, kind, data_text = row
            data = json.loads(data_text)
            what = self._describe(kind, data_text)
            if kind == "cite":
                conn.execute("DELETE FROM citations WHERE citing_id = ? AND cited_id = ?", (data["citing"], data["cited"]))
            elif kind == "uncite":
                if conn.execute("SELECT 1 FROM works WHERE id IN (?, ?) GROUP BY NULL HAVING count(*) = 2",
                                (data["citing"], data["cited"])).fetchone() is None:
                    raise StoreError(f"cannot undo the {what}: one of the works is gone")
                conn.execute("INSERT OR IGNORE INTO citations(citing_id, cited_id, added) VALUES (?, ?, ?)",
                             (data["citing"], data["cited"], data.get("added") or now()))
            elif kind == "edit":
                state = data["before"]
                if conn.execute("SELECT 1 FROM works WHERE key = ? AND id != ?", (state["values"]["key"], data["work"])).fetchone():
                    raise StoreError(f"cannot undo the {what}: its old key is used by another work now")
                self._restore(conn, data["work"], state)
            elif kind == "new":
                conn.execute("DELETE FROM works WHERE id = ?", (data["work"],))
            elif kind == "attach":
                conn.execute("DELETE FROM files WHERE id = ?", (data["file"],))
            conn.execute("DELETE FROM changes WHERE id = ?", (change_id,))
        if kind == "edit":
            self._index_soon()
        if kind == "attach":  # the copy goes once the catalogue no longer lists it (the original was never touched)
            try:
                (files_dir(self.path) / Path(data["stored"]).name).unlink(missing_ok=True)
            except OSError:
                pass
        return what

    def _restore(self, conn: sqlite3.Connection, work_id: int, state: dict) -> None:
        values = dict(state["values"])
        values["updated"] = now()
        sets = ", ".join(f"{c} = ?" for c in values)
        conn.execute(f"UPDATE works SET {sets} WHERE id = ?", (*values.values(), work_id))
        conn.execute("DELETE FROM work_authors WHERE work_id = ?", (work_id,))
        conn.execute("DELETE FROM keywords WHERE work_id = ?", (work_id,))
        work = Work(key=values["key"], authors=[Author(n, a) for n, a in state["authors"]], keywords=state["keywords"])
        self._set_people(conn, work_id, work, {})

    def import_batches(self, batches: Iterable[Batch], on_duplicate: str = "skip",
                       progress: Callable[[Batch, int, int], None] | None = None,
                       summary: ImportSummary | None = None,
                       overlap: Callable[[], None] | None = None,
                       expected: int | None = None) -> ImportSummary:
        """Import the Batches of one file (a stream, see formats.iter_path), each in its own
        transaction: a crash or an error loses at most the Batch being imported. Citation
        and similar links name works by the key the file gave them: they resolve against
        every work of the file imported so far (a work renamed on import too).

        `summary`, when given, is filled in as the Batches go in (what was kept before an
        interruption); `progress(batch, done, total)` follows the works of each Batch, and
        is called with no Batch (None, 0, 0) before a bulk import makes its indexes, or an
        import merges the full-text index's segments it wrote.
        `overlap()` is called as each Batch's full-text index is built (one long statement,
        the GIL let go): the moment for a reader thread to parse the next (see ReadAhead).

        `expected`: how many works (or lines) the file holds, when known. An import of at least
        BULK_IMPORT_MIN into a catalogue that holds no more goes in bulk: the indexes of
        _BULK_INDEXES are dropped first and made again at the end (a sort, where inserting a
        million rows one by one into B-trees that outgrew the cache wrote pages all over the
        file), and citation counts are recounted once, at the end. What is put off is noted in
        `upkeep` (m005) in the transaction that drops the indexes: an import stopped by an
        error or ctrl-c does it before it returns, one killed outright leaves it to the next
        writable open. One import at a time: a second one is refused while one runs."""
        total = summary if summary is not None else ImportSummary()
        linked: dict[str, int] = {}
        with self._import_lock():
            bulk = expected is not None and expected >= BULK_IMPORT_MIN and expected >= self.count()
            if bulk:
                self._put_off()
            try:
                for batch in batches:
                    step = None if progress is None else (lambda done, n, b=batch: progress(b, done, n))
                    s = self.import_batch(batch, on_duplicate, step, linked=linked, overlap=overlap,
                                          count_links=not bulk)
                    total.added += s.added
                    total.updated += s.updated
                    total.duplicates += s.duplicates
                    total.renamed += s.renamed
                    total.citations += s.citations
                    total.similar += s.similar
                    total.problems += s.problems
            except BaseException:
                if bulk:
                    try:
                        self.finish_upkeep(recount=True)
                    except (StoreError, KeyboardInterrupt):
                        pass  # noted in upkeep: the next writable open does it
                raise
            if bulk:
                if progress is not None:
                    progress(None, 0, 0)  # (no Batch: the indexes are being made)
                self.finish_upkeep(recount=True)
                self.optimize_index()
            elif total.added or total.updated:
                # FTS5 merges nothing as it writes (see _settle_merging): the segments this
                # import wrote are merged now rather than by the browser in the background
                try:
                    if self.merge_step():
                        if progress is not None:
                            progress(None, 0, 0)
                        self.merge_all()
                except StoreError:
                    pass  # (full disk, locked): the works are in; the browser merges in the background
        return total

    def optimize_index(self) -> None:
        """Merge the full-text index into one segment (FTS5 `optimize`), in a transaction of
        its own. A bulk import ends with it: the many segments it leaves would otherwise be
        merged later, by FTS5, in the catch-up after some edit (seconds at 100,000 works:
        catch-ups of 2.0, 1.3 and 9.3 s in 300 edits; none over 26 ms after `optimize`, which
        took 5.9 s there)."""
        with self._bulk(), self._write() as conn:
            conn.execute("INSERT INTO works_fts(works_fts) VALUES ('optimize')")

    @contextmanager
    def _import_lock(self) -> Iterator[None]:
        """Held while importing: an advisory lock on `<catalogue>-import` (the file is removed
        after), which the system lets go of if the process dies. It tells a writable open
        whether the work an import put off (m005) is the running import's to do."""
        self.check_writable()
        try:
            import fcntl
        except ImportError:  # (not on this system: imports are not kept apart)
            yield
            return
        path = f"{self.path}-import"
        try:
            fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
        except OSError as exc:
            raise StoreError(f"{path}: cannot make the import lock ({exc.strerror})") from None
        try:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError:
                raise StoreError(f"{self.path}: another import into this catalogue is running; "
                                 "try again when it has finished") from None
            try:
                yield
            finally:
                try:
                    os.unlink(path)
                except OSError:
                    pass
        finally:
            os.close(fd)

    def _put_off(self) -> None:
        """Drop the indexes a bulk import makes again at its end, and note them (see m005).
        Also stop FTS5 merging the full-text index's segments as the import writes them
        (`automerge` 0; a level's segments merged only past `crisismerge`): the import ends
        by merging them all into one (optimize_index), and merging them on the way as well
        made the index cost 320 s instead of 214 s at 1M works (in chunks of 20,000, then
        `optimize`; bench/README.md). FTS5 keeps these settings in the catalogue:
        finish_upkeep puts the store's back (_FTS_MERGING; 'fts_merging' in upkeep)."""
        with self._write() as conn:
            names = ", ".join("?" * len(_BULK_INDEXES))
            for name, sql in conn.execute(f"SELECT name, sql FROM sqlite_master WHERE type = 'index' "
                                          f"AND name IN ({names})", _BULK_INDEXES).fetchall():
                conn.execute("INSERT OR REPLACE INTO upkeep(name, sql) VALUES (?, ?)", (name, sql))
                conn.execute(f'DROP INDEX "{name}"')
            conn.execute("INSERT OR REPLACE INTO upkeep(name) VALUES ('citation_counts')")
            conn.execute("INSERT OR REPLACE INTO upkeep(name) VALUES ('fts_merging')")
            self._fts_merging(conn, _BULK_FTS_MERGING)

    @staticmethod
    def _fts_merging(conn: sqlite3.Connection, settings: dict[str, int]) -> None:
        for name, value in settings.items():
            conn.execute("INSERT INTO works_fts(works_fts, rank) VALUES (?, ?)", (name, value))

    def finish_upkeep(self, recount: bool = False) -> bool:
        """Do, in one transaction, what an import put off (see m005_upkeep): make the indexes
        it dropped, recount every work's citations (also when `recount`), and put back FTS5's
        merging. Whether there was anything to do."""
        with self._bulk(), self._write() as conn:  # (the large page cache: sorts for the indexes)
            rows = conn.execute("SELECT name, sql FROM upkeep").fetchall()
            if not rows and not recount:
                return False
            have = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'index'")}
            for name, sql in rows:
                if sql and name not in have:
                    conn.execute(sql)
            if recount or any(name == "citation_counts" for name, _ in rows):
                conn.execute("UPDATE citation_counts SET cited_by = c.n FROM (SELECT cited_id, count(*) AS n "
                             "FROM citations GROUP BY cited_id) AS c "
                             "WHERE c.cited_id = citation_counts.work_id AND citation_counts.cited_by != c.n")
                conn.execute("UPDATE citation_counts SET cited_by = 0 WHERE cited_by != 0 "
                             "AND work_id NOT IN (SELECT cited_id FROM citations)")
            if any(name == "fts_merging" for name, _ in rows):
                self._fts_merging(conn, _FTS_MERGING)
            conn.execute("DELETE FROM upkeep")
        return True

    def _mend_upkeep(self) -> None:
        """On a writable open: finish what an import killed in the middle put off, unless an
        import is still running (it will)."""
        try:
            with self._import_lock():
                self.finish_upkeep()
        except StoreError:
            pass  # an import runs, or the catalogue is locked or full: the next open tries again

    def import_batch(self, batch: Batch, on_duplicate: str = "skip",
                     progress: Callable[[int, int], None] | None = None,
                     linked: dict[str, int] | None = None,
                     overlap: Callable[[], None] | None = None, count_links: bool = True) -> ImportSummary:
        """Import a parsed file in one transaction: all of it, or (on error) none of it.

        A key already in the catalogue is skipped (`skip`, the default: the existing work
        is kept), overwritten (`update`) or imported under a free key (`rename`).
        New works go in with a few set-wise statements (not a statement a row), and the
        full-text index and citation counts are brought up to date once, at the end.

        `linked`: the ids of works imported before from the same file, by the key the file
        gave them; links to them resolve too, and this Batch's works are added to it.
        `count_links=False` leaves citation counts to the caller (a bulk import recounts them).
        """
        if on_duplicate not in ("skip", "update", "rename"):
            raise StoreError(f"unknown duplicate policy {on_duplicate!r} (skip, update or rename)")
        summary = ImportSummary(problems=list(batch.problems))
        works = batch.works
        repeat_line: dict[int, int] = {}  # id(work) -> line, for another work under a key the file used
        if on_duplicate == "rename" and batch.repeats:
            repeats = batch.repeated_works()
            lines = {line for line, _ in repeats}
            summary.problems = [p for p in summary.problems if not (p.kind == "duplicate" and p.line in lines)]
            works = works + [w for _, w in repeats]
            repeat_line = {id(w): line for line, w in repeats}
        summary.duplicates = sum(1 for p in summary.problems if p.kind == "duplicate")
        summary.renamed = sum(1 for p in batch.problems if p.kind == "renamed")
        total = len(works)
        ids: dict[str, int] = {}
        with self._bulk(), self._write() as conn:
            first_new = conn.execute("SELECT coalesce(max(id), 0) FROM works").fetchone()[0]
            # DDL is transactional: a crash or an error leaves both triggers as they were.
            conn.execute("DROP TRIGGER works_fts_insert")
            conn.execute("DROP TRIGGER citations_count_insert")
            existing = dict(self._select_in("SELECT key, id FROM works WHERE key IN ({marks})",
                                            [w.key for w in works], conn))
            cache: dict[str, int] = {}
            next_id = first_new + 1
            taken: set[str] = set()
            new_works: list[tuple[int, Work]] = []
            for done, work in enumerate(works, 1):
                old_id = existing.get(work.key)
                if old_id is None and work.key not in taken:
                    new_works.append((next_id, work))
                elif old_id is not None and work.key in batch.generated and not self._same_work(conn, old_id, work):
                    # a key ibid made up, taken by another work: this one is new, under a free key
                    old = work.key
                    work.key = self._free_key(conn, old, taken)
                    new_works.append((next_id, work))
                    summary.renamed += 1
                    summary.problems.append(Problem(batch.source, batch.lines.get(old), f"made-up key {old!r} is "
                                                    f"another work's in the catalogue; imported as {work.key!r}", "renamed"))
                elif on_duplicate == "update" and old_id is not None:
                    self._update_work(conn, old_id, work, cache)
                    ids[work.key] = old_id
                    summary.updated += 1
                    continue
                elif on_duplicate == "rename":
                    old = work.key
                    work.key = self._free_key(conn, old, taken)
                    new_works.append((next_id, work))
                    summary.renamed += 1
                    if id(work) in repeat_line:
                        summary.problems.append(Problem(
                            batch.source, repeat_line[id(work)], f"key {old!r} used twice in the file (first at line "
                            f"{batch.lines.get(old)}); this work imported as {work.key!r}", "renamed"))
                    else:
                        summary.problems.append(Problem(batch.source, batch.lines.get(old),
                                                        f"key {old!r} already in the catalogue; imported as {work.key!r}", "renamed"))
                    ids.setdefault(old, next_id)
                else:
                    ids.setdefault(work.key, old_id or ids.get(work.key, 0))
                    summary.duplicates += 1
                    summary.problems.append(Problem(
                        batch.source, batch.lines.get(work.key), f"key {work.key!r} already in the catalogue; kept the existing work "
                        "(--on-duplicate update|rename to change)", "duplicate"))
                    continue
                taken.add(work.key)
                ids.setdefault(work.key, next_id)
                next_id += 1
                if progress and done % 5000 == 0:
                    progress(done, total)
            self._insert_new(conn, new_works, cache)
            summary.added = len(new_works)
            if overlap is not None:
                overlap()
            conn.execute(
                f"INSERT INTO works_fts(rowid, {_FTS_COLUMNS}) SELECT id, {_FTS_COLUMNS} FROM works WHERE id > ?",
                (first_new,))
            stamp = now()
            get = ids.get
            if linked:  # works of the same file from earlier Batches
                def get(key: str, _ids=ids, _linked=linked) -> int | None:
                    return _ids.get(key) or _linked.get(key)
            links = [(a, b, stamp) for a, b in ((get(x), get(y)) for x, y in batch.citations) if a and b and a != b]
            similar = [(a, b, pos) for pos, (a, b) in enumerate((get(x), get(y)) for x, y in batch.similar)
                       if a and b and a != b]
            # Foreign keys are not checked row by row here (see _bulk): the ids of this Batch
            # were made or looked up in this transaction; those of works imported before are
            # checked to be still there, set-wise.
            older = {i for a, b, _ in links for i in (a, b) if i <= first_new}
            older.update(i for a, b, _ in similar for i in (a, b) if i <= first_new)
            gone = older - {r[0] for r in self._select_in("SELECT id FROM works WHERE id IN ({marks})",
                                                          sorted(older), conn)}
            if gone:
                links = [r for r in links if r[0] not in gone and r[1] not in gone]
                similar = [r for r in similar if r[0] not in gone and r[1] not in gone]
            before = conn.total_changes
            links = list(dict.fromkeys(links))
            conn.executemany("INSERT OR IGNORE INTO citations(citing_id, cited_id, added) VALUES (?, ?, ?)", links)
            summary.citations = conn.total_changes - before
            # cited_by: a work new in this Batch had no links before, so each of its links is new
            # and adds one; a work cited by an older one (a link that may have been there) is
            # recounted. Counting at a million works costs its in-degree for every work cited.
            recount = {b for a, b, _ in links if a <= first_new} if count_links else set()
            added = Counter(b for a, b, _ in links if a > first_new and b not in recount) if count_links else {}
            list(self._select_in(
                "UPDATE citation_counts SET cited_by = (SELECT count(*) FROM citations "
                "WHERE cited_id = citation_counts.work_id) WHERE work_id IN ({marks})", sorted(recount), conn))
            conn.executemany("UPDATE citation_counts SET cited_by = cited_by + ? WHERE work_id = ?",
                             [(n, b) for b, n in sorted(added.items())])
            before = conn.total_changes
            conn.executemany("INSERT OR IGNORE INTO similar_links(work_id, other_id, position) VALUES (?, ?, ?)", similar)
            summary.similar = conn.total_changes - before
            if summary.updated:
                self._reindex(conn)  # the works it updated, in the import's transaction
            conn.execute(_FTS_INSERT_TRIGGER)
            conn.execute(_COUNT_TRIGGER)
            if progress:
                progress(total, total)
        if linked is not None:
            linked.update(ids)
        self._df_cache.clear()
        return summary


    @contextmanager
    def _bulk(self) -> Iterator[None]:
        """Settings for an import's transaction, on this thread's connection: a larger page
        cache (the indexes of a big catalogue are written all over), and foreign keys not
        checked a row at a time (import_batch makes or checks every id it links, set-wise:
        the checks doubled the time to insert citation links). Both are restored after;
        `PRAGMA foreign_keys` cannot change inside a transaction, hence outside it."""
        conn = self.conn
        if self.read_only:
            yield
            return
        try:
            cache = conn.execute("PRAGMA cache_size").fetchone()[0]
            conn.execute(f"PRAGMA cache_size = -{IMPORT_CACHE_KIB}")
            conn.execute("PRAGMA foreign_keys = OFF")
        except sqlite3.Error as exc:
            raise self._error(exc) from None
        try:
            yield
        finally:
            try:
                conn.execute("PRAGMA foreign_keys = ON")
                conn.execute(f"PRAGMA cache_size = {cache}")
            except sqlite3.Error:
                pass

    def _insert_new(self, conn: sqlite3.Connection, new_works: list[tuple[int, Work]], cache: dict[str, int]) -> None:
        """Insert new works with their ids chosen, their authors and keywords: a statement a table."""
        if not new_works:
            return
        stamp = now()
        rows = []
        for work_id, work in new_works:
            values = self._work_values(work)
            values["added"] = values["updated"] = stamp
            rows.append((work_id, *values.values()))
            work.id = work_id
        cols = "id, " + ", ".join(values)
        conn.executemany(f"INSERT INTO works({cols}) VALUES ({', '.join('?' * (len(values) + 1))})", rows)
        # authors: look the names up set-wise, add the new ones, then fill in affiliations
        affiliation: dict[str, str] = {}
        for _, work in new_works:
            for a in work.authors:
                name = a.name.strip()
                if name and (a.affiliation or name not in affiliation):
                    affiliation[name] = a.affiliation or affiliation.get(name, "")
        for add_missing in (True, False):
            cache.update(self._select_in("SELECT name, id FROM authors WHERE name IN ({marks})",
                                         [n for n in affiliation if n not in cache], conn))
            if add_missing:
                conn.executemany("INSERT INTO authors(name, affiliation) VALUES (?, ?)",
                                 [(n, affiliation[n]) for n in affiliation if n not in cache])
        conn.executemany("UPDATE authors SET affiliation = ? WHERE id = ? AND affiliation != ?",
                         [(aff, cache[n], aff) for n, aff in affiliation.items() if aff])
        people, keywords = [], []
        for work_id, work in new_works:
            position = 0
            for a in work.authors:
                if a.name.strip():
                    people.append((work_id, position, cache[a.name.strip()]))
                    position += 1
            seen: set[str] = set()
            for kw in work.keywords:
                if kw.lower() not in seen:
                    seen.add(kw.lower())
                    keywords.append((work_id, kw))
        conn.executemany("INSERT INTO work_authors(work_id, position, author_id) VALUES (?, ?, ?)", people)
        conn.executemany("INSERT OR IGNORE INTO keywords(work_id, keyword) VALUES (?, ?)", keywords)

    # -- links

    def _id(self, key: str) -> int:
        row = self._read("SELECT id FROM works WHERE key = ?", (key,))
        if not row:
            raise StoreError(f"no work with key {key!r}")
        return row[0][0]

    def cite(self, citing_key: str, cited_key: str, remember: bool = False) -> None:
        """Record that `citing_key` cites `cited_key`; refuses self-citation and repeats."""
        if citing_key == cited_key:
            raise StoreError(f"a work cannot cite itself ({citing_key})")
        citing, cited = self._id(citing_key), self._id(cited_key)
        with self._write() as conn:
            if conn.execute("SELECT 1 FROM citations WHERE citing_id = ? AND cited_id = ?", (citing, cited)).fetchone():
                raise StoreError(f"{citing_key} already cites {cited_key}")
            conn.execute("INSERT INTO citations(citing_id, cited_id, added) VALUES (?, ?, ?)", (citing, cited, now()))
            if remember:
                self._remember(conn, "cite", {"citing": citing, "cited": cited,
                                              "citing_key": citing_key, "cited_key": cited_key})

    def uncite(self, citing_key: str, cited_key: str, remember: bool = False) -> None:
        """Remove the link `citing_key` -> `cited_key`; says so when there is none."""
        citing, cited = self._id(citing_key), self._id(cited_key)
        with self._write() as conn:
            row = conn.execute("SELECT added FROM citations WHERE citing_id = ? AND cited_id = ?", (citing, cited)).fetchone()
            if row is None:
                raise StoreError(f"{citing_key} does not cite {cited_key}")
            conn.execute("DELETE FROM citations WHERE citing_id = ? AND cited_id = ?", (citing, cited))
            if remember:
                self._remember(conn, "uncite", {"citing": citing, "cited": cited, "added": row[0],
                                                "citing_key": citing_key, "cited_key": cited_key})

    # -- usage

    def record_event(self, work_id: int, kind: str) -> None:
        """Count a view, copy or export of a work."""
        with self._write() as conn:
            conn.execute("INSERT INTO events(work_id, kind, at) VALUES (?, ?, ?)", (work_id, kind, now()))

    def record_events(self, work_ids: list[int], kind: str) -> None:
        """Count the same event for many works at once (an export of a marked set)."""
        stamp = now()
        with self._write() as conn:
            conn.executemany("INSERT INTO events(work_id, kind, at) VALUES (?, ?, ?)",
                             [(i, kind, stamp) for i in work_ids])

    def stats(self, work_id: int, months: int = 12) -> Stats:
        """Local usage counts, the last six months, rank and monthly history."""
        stats = Stats()
        for kind, n in self._read("SELECT kind, count(*) FROM events WHERE work_id = ? GROUP BY kind", (work_id,)):
            if kind == "view":
                stats.views = n
            elif kind == "copy":
                stats.copies = n
            elif kind == "export":
                stats.exports = n
        today_ = today()
        six = (today_ - timedelta(days=183)).strftime("%Y-%m-%dT%H:%M:%SZ")
        stats.recent = self._read("SELECT count(*) FROM events WHERE work_id = ? AND at >= ?", (work_id, six))[0][0]
        total = self._read("SELECT total FROM usage WHERE work_id = ?", (work_id,))
        if total and total[0][0] > 0:
            stats.rank = self._read("SELECT count(*) + 1 FROM usage WHERE total > ?", (total[0][0],))[0][0]
        by_month = dict(self._read(
            "SELECT substr(at, 1, 7), count(*) FROM events WHERE work_id = ? GROUP BY 1", (work_id,)))
        year, month = today_.year, today_.month
        history = []
        for _ in range(months):
            history.append(by_month.get(f"{year:04d}-{month:02d}", 0))
            year, month = (year, month - 1) if month > 1 else (year - 1, 12)
        stats.history = history[::-1]
        return stats

    # -- reading works

    def _work_from_row(self, r: sqlite3.Row | tuple) -> Work:
        (wid, key, type_, title, year, venue, volume, number, pages, publisher, doi, url, abstract,
         keywords_text, fields, ppd, ppdr, ppr, pprr, added, updated) = r
        authors = [Author(name, aff, aid) for aid, name, aff in self._read(
            "SELECT a.id, a.name, a.affiliation FROM work_authors wa JOIN authors a ON a.id = wa.author_id "
            "WHERE wa.work_id = ? ORDER BY wa.position", (wid,))]
        keywords = [k for k in (fields_kw.strip() for fields_kw in keywords_text.split(";")) if k]
        return Work(key=key, type=type_, title=title, authors=authors, year=year, venue=venue,
                    volume=volume, number=number, pages=pages, publisher=publisher, doi=doi, url=url,
                    abstract=abstract, keywords=keywords, fields=json.loads(fields or "{}"),
                    pp_downloads=ppd, pp_downloads_rank=ppdr, pp_recent=ppr, pp_recent_rank=pprr,
                    id=wid, added=added, updated=updated)

    _WORK_COLUMNS = ("id, key, type, title, year, venue, volume, number, pages, publisher, doi, url, "
                     "abstract, keywords, fields, pp_downloads, pp_downloads_rank, pp_recent, pp_recent_rank, added, updated")

    def work(self, key: str) -> Work:
        """The work with this citation key."""
        rows = self._read(f"SELECT {self._WORK_COLUMNS} FROM works WHERE key = ?", (key,))
        if not rows:
            raise StoreError(f"no work with key {key!r}")
        return self._work_from_row(rows[0])

    def work_by_id(self, work_id: int) -> Work:
        """The work with this row id."""
        rows = self._read(f"SELECT {self._WORK_COLUMNS} FROM works WHERE id = ?", (work_id,))
        if not rows:
            raise StoreError(f"work #{work_id} is no longer in the catalogue")
        return self._work_from_row(rows[0])

    def works(self, ids: Iterable[int] | None = None, batch: int = 500) -> Iterator[Work]:
        """Stream works (all, or the given ids in that order) without holding them all."""
        if ids is None:
            last = 0
            while True:
                rows = self._read(f"SELECT {self._WORK_COLUMNS} FROM works WHERE id > ? ORDER BY id LIMIT ?", (last, batch))
                if not rows:
                    return
                for r in rows:
                    yield self._work_from_row(r)
                last = rows[-1][0]
        else:
            for work_id in ids:
                rows = self._read(f"SELECT {self._WORK_COLUMNS} FROM works WHERE id = ?", (work_id,))
                if rows:
                    yield self._work_from_row(rows[0])

    def citations(self, work_id: int, limit: int = 2000, offset: int = 0) -> list[WorkRef]:
        """Works that cite this one, most cited first."""
        return [_ref(r) for r in self._read(
            "SELECT w.id, w.key, w.title, w.authors, w.year FROM citations c JOIN works w ON w.id = c.citing_id "
            "JOIN citation_counts n ON n.work_id = w.id "
            "WHERE c.cited_id = ? ORDER BY n.cited_by DESC, w.year DESC, w.id LIMIT ? OFFSET ?", (work_id, limit, offset))]

    def references(self, work_id: int, limit: int = 2000, offset: int = 0) -> list[WorkRef]:
        """Works this one cites."""
        return [_ref(r) for r in self._read(
            "SELECT w.id, w.key, w.title, w.authors, w.year FROM citations c JOIN works w ON w.id = c.cited_id "
            "WHERE c.citing_id = ? ORDER BY w.year, w.title LIMIT ? OFFSET ?", (work_id, limit, offset))]

    def citation_counts(self, work_id: int) -> tuple[int, int]:
        """(works citing this one, works it cites)."""
        cited_by = self._read("SELECT count(*) FROM citations WHERE cited_id = ?", (work_id,))[0][0]
        cites = self._read("SELECT count(*) FROM citations WHERE citing_id = ?", (work_id,))[0][0]
        return cited_by, cites

    def curated_similar(self, work_id: int) -> list[WorkRef]:
        """Similar works given by the record page, in its order."""
        return [_ref(r) for r in self._read(
            "SELECT w.id, w.key, w.title, w.authors, w.year FROM similar_links s JOIN works w ON w.id = s.other_id "
            "WHERE s.work_id = ? ORDER BY s.position", (work_id,))]

    def files(self, work_id: int) -> list[Attachment]:
        """The copies archived for a work, oldest first."""
        return [Attachment(name, stored, added, file_id) for file_id, stored, name, added in self._read(
            "SELECT id, path, name, added FROM files WHERE work_id = ? ORDER BY id", (work_id,))]

    def add_file(self, work_id: int, stored: str, name: str, remember: bool = True) -> Attachment:
        """Record an archived copy (the file itself is already in the catalogue's folder); `u` undoes it."""
        stamp = now()
        with self._write() as conn:
            row = conn.execute("SELECT key FROM works WHERE id = ?", (work_id,)).fetchone()
            if row is None:
                raise StoreError("that work is no longer in the catalogue")
            cur = conn.execute("INSERT INTO files(work_id, path, name, added) VALUES (?, ?, ?, ?)",
                               (work_id, stored, name, stamp))
            if remember:
                self._remember(conn, "attach", {"file": cur.lastrowid, "stored": stored, "name": name, "key": row[0]})
        return Attachment(name, stored, stamp, cur.lastrowid)

    def refs(self, ids: Iterable[int]) -> dict[int, WorkRef]:
        """Short handles for the given work ids."""
        return {r[0]: _ref(r) for r in self._select_in(
            "SELECT id, key, title, authors, year FROM works WHERE id IN ({marks})", list(ids))}

    # -- the similar-items primitives (the choosing is in similar.py)

    def document_frequency(self, terms: Iterable[str], at_most: int | None = None) -> dict[str, int]:
        """How many works hold each term (a word as the index spells it).

        With `at_most`, counting stops there: a term held by more works is given as
        `at_most + 1`, so a common word costs what a rare one does (the index's vocabulary
        reads a word's whole list of works: 10-25 ms for a common word at a million).
        Remembered (up to 200k terms) until the next import: an estimate a little out of date
        does not change what is similar.
        """
        self._catch_up()
        out = {}
        for term in terms:
            cached = self._df_cache.get(term)
            # (count, the cap it was counted to, or None when exact)
            if cached is None or (cached[1] is not None and (at_most is None or at_most > cached[1])):
                if at_most is None:
                    rows = self._read("SELECT doc FROM works_vocab WHERE term = ?", (term,))
                    cached = (rows[0][0] if rows else 0, None)
                else:
                    n = self._read("SELECT count(*) FROM (SELECT rowid FROM works_fts WHERE works_fts MATCH ? "
                                   "LIMIT ?)", ('"' + term.replace('"', '""') + '"', at_most + 1))[0][0]
                    cached = (n, None) if n <= at_most else (n, at_most)
                if len(self._df_cache) > 200_000:
                    self._df_cache.clear()
                self._df_cache[term] = cached
            out[term] = cached[0] if at_most is None else min(cached[0], at_most + 1)
        return out

    def works_matching_any(self, terms: list[str], exclude: int, limit: int) -> list[tuple[int, str, str]]:
        """(id, title, abstract) of the works best matching any of the terms in title or abstract."""
        if not terms:
            return []
        self._catch_up()
        expr = "{title abstract} : (" + " OR ".join('"' + t.replace('"', '""') + '"' for t in terms) + ")"
        return self._read(
            "SELECT w.id, w.title, w.abstract FROM (SELECT rowid AS id, rank FROM works_fts "
            "WHERE works_fts MATCH ? ORDER BY rank LIMIT ?) f JOIN works w ON w.id = f.id WHERE w.id != ? ORDER BY f.rank",
            (expr, limit + 1, exclude))

    def works_holding(self, term: str, exclude: int, limit: int) -> list[int]:
        """Ids of the newest `limit` works (not `exclude`) holding a word in title or abstract:
        one list a word, each as cheap at a million works as at a thousand."""
        self._catch_up()
        return [r[0] for r in self._read(
            "SELECT rowid FROM works_fts WHERE works_fts MATCH ? AND rowid != ? ORDER BY rowid DESC LIMIT ?",
            ('{title abstract} : "' + term.replace('"', '""') + '"', exclude, limit))]

    def titles_and_abstracts(self, ids: list[int]) -> list[tuple[int, str, str]]:
        """(id, title, abstract) of the given works, in that order."""
        found = {r[0]: r for r in self._select_in("SELECT id, title, abstract FROM works WHERE id IN ({marks})", ids)}
        return [found[i] for i in ids if i in found]

    def works_sharing_authors(self, work_id: int, limit: int) -> list[tuple[int, str]]:
        """(id, shared author name) for other works by this work's authors."""
        return self._read(
            "SELECT wa2.work_id, min(a.name) FROM work_authors wa JOIN work_authors wa2 ON wa2.author_id = wa.author_id "
            "JOIN authors a ON a.id = wa.author_id WHERE wa.work_id = ? AND wa2.work_id != ? "
            "AND a.name != 'et al.' GROUP BY wa2.work_id LIMIT ?", (work_id, work_id, limit))

    def works_in_venue(self, venue: str, exclude: int, limit: int) -> list[int]:
        """Other works in the same venue, the newest first (the venue index gives that order)."""
        if not venue:
            return []
        return [r[0] for r in self._read(
            # `venue != ''` lets SQLite use the partial index (without it: a scan of every work)
            "SELECT id FROM works WHERE venue = ? AND venue != '' AND id != ? ORDER BY id DESC LIMIT ?",
            (venue, exclude, limit))]

    def works_sharing_keywords(self, work_id: int, limit: int) -> list[tuple[int, str]]:
        """(id, keyword) for other works sharing a keyword, rarest keywords first."""
        return self._read(
            "SELECT k2.work_id, k.keyword FROM keywords k JOIN keywords k2 ON k2.keyword = k.keyword "
            "WHERE k.work_id = ? AND k2.work_id != ? AND k.keyword IN ("
            " SELECT keyword FROM keywords WHERE work_id = ? AND "
            " (SELECT count(*) FROM (SELECT 1 FROM keywords x WHERE x.keyword = keywords.keyword LIMIT 201)) <= 200)"
            " LIMIT ?",
            (work_id, work_id, work_id, limit))

    # -- authors

    def author(self, author_id: int) -> Author:
        """An author by id."""
        rows = self._read("SELECT id, name, affiliation FROM authors WHERE id = ?", (author_id,))
        if not rows:
            raise StoreError(f"author #{author_id} is no longer in the catalogue")
        return Author(rows[0][1], rows[0][2], rows[0][0])

    def author_page(self, author_id: int, limit: int = 2000) -> AuthorPage:
        """An author, their works in the catalogue, and their co-authors."""
        author = self.author(author_id)
        works = [_ref(r) for r in self._read(
            "SELECT w.id, w.key, w.title, w.authors, w.year FROM work_authors wa JOIN works w ON w.id = wa.work_id "
            "WHERE wa.author_id = ? ORDER BY w.year DESC, w.title LIMIT ?", (author_id, limit))]
        coauthors = [(Author(name, aff, aid), n) for aid, name, aff, n in self._read(
            "SELECT a.id, a.name, a.affiliation, count(*) AS n FROM work_authors wa "
            "JOIN work_authors wa2 ON wa2.work_id = wa.work_id AND wa2.author_id != wa.author_id "
            "JOIN authors a ON a.id = wa2.author_id WHERE wa.author_id = ? "
            "GROUP BY a.id ORDER BY n DESC, a.name LIMIT 50", (author_id,))]
        return AuthorPage(author, works, coauthors)

    # -- the list and search

    def browse(self, sort: str = "added", offset: int = 0, limit: int = 100, descending: bool = False) -> list[ListRow]:
        """A page of the whole catalogue in a sort order (OFFSET: for jumps; see browse_after).
        The offset is walked in the sort's index alone and only the page's rows are read: a jump
        to the middle of a million works read every row it skipped, 0.06-1.8 s (9 s by
        citations, most cited first, whose ids are scattered over the file)."""
        table, key, column, _ = _SORT_ORDER.get(sort, _SORT_ORDER["added"])
        d = " DESC" if descending else ""
        order = f"{column}{d}, {key}{d}" if column else f"{key}{d}"
        return self.rows([r[0] for r in self._read(
            f"SELECT {key} FROM {table} ORDER BY {order} LIMIT ? OFFSET ?", (limit, offset))])

    def browse_from_id(self, after_id: int, limit: int = 100) -> list[ListRow]:
        """A page in catalogue order from the first id above `after_id`: where ids run 1..N
        with no gap (see `ids_dense`), the page at any position is one index seek."""
        return [_row(r) for r in self._read(
            f"SELECT {_ROW_COLUMNS} FROM {_ROWS} WHERE w.id > ? ORDER BY w.id LIMIT ?", (after_id, limit))]

    def ids_dense(self) -> bool:
        """Whether the works' ids are exactly 1..count (nothing deleted): position = id - 1."""
        top = self._read("SELECT max(id) FROM works")[0][0]
        return (top or 0) == self.count()

    def browse_after(self, row: ListRow, sort: str = "added", limit: int = 100,
                     descending: bool = False) -> list[ListRow] | None:
        """The page after `row` in a sort order, by keyset: as fast at the millionth row as at
        the first. None when `row` cannot anchor a keyset (a NULL year): use `browse`.

        Read as the works tied with `row` after it, then those past its value (then, going
        down, those with none): each a range of the index. One statement with an OR of the two
        read whole runs of the index when the tie was long: 45-120 ms a page in the middle of a
        million works sorted by title, year or citations."""
        table, key, column, attribute = _SORT_ORDER.get(sort, _SORT_ORDER["added"])
        cmp = "<" if descending else ">"
        d = " DESC" if descending else ""
        if column is None:
            return self.rows([r[0] for r in self._read(
                f"SELECT {key} FROM {table} WHERE {key} {cmp} ? ORDER BY {key}{d} LIMIT ?", (row.id, limit))])
        value = getattr(row, attribute)
        if value is None:
            return None
        ids = [r[0] for r in self._read(f"SELECT {key} FROM {table} WHERE {column} = ? AND {key} {cmp} ? "
                                        f"ORDER BY {key}{d} LIMIT ?", (value, row.id, limit))]
        if len(ids) < limit:
            ids += [r[0] for r in self._read(f"SELECT {key} FROM {table} WHERE {column} {cmp} ? "
                                             f"ORDER BY {column}{d}, {key}{d} LIMIT ?", (value, limit - len(ids)))]
        if len(ids) < limit and descending and attribute == "year":  # (no year sorts last going down;
            # the other columns are NOT NULL, and their IS NULL would be a scan of the table)
            ids += [r[0] for r in self._read(f"SELECT {key} FROM {table} WHERE year IS NULL "
                                             f"ORDER BY {key} DESC LIMIT ?", (limit - len(ids),))]
        return self.rows(ids)

    def rows(self, ids: list[int]) -> list[ListRow]:
        """List rows for the given ids, in that order (gone ones are left out)."""
        found = {r[0]: _row(r) for r in self._select_in(
            f"SELECT {_ROW_COLUMNS} FROM {_ROWS} WHERE w.id IN ({{marks}})", ids)}
        return [found[i] for i in ids if i in found]

    @staticmethod
    def _years_where(q: Query, column: str = "w.year") -> tuple[list[str], list[int]]:
        """A search's year range as SQL conditions on `column`, and their parameters."""
        where, params = [], []
        if q.year_from is not None:
            where.append(f"{column} >= ?")
            params.append(q.year_from)
        if q.year_to is not None:
            where.append(f"{column} <= ?")
            params.append(q.year_to)
        return where, params

    def _search_sql(self, q: Query, select: str, sort: str) -> tuple[str, list]:
        where, params = self._years_where(q)
        if q.match is None:
            # (no bound on the ids, as below: SQLite then read a year range in catalogue order,
            # whole rows, where the index on year counts it or orders it by citations)
            counts = " JOIN citation_counts c ON c.work_id = w.id" if sort == "cited" else ""
            sql = f"SELECT {select} FROM works w{counts}" + (" WHERE " + " AND ".join(where) if where else "")
            order = {"year": "w.year DESC, w.id", "title": "w.title COLLATE NOCASE, w.id",
                     "cited": "c.cited_by DESC, c.work_id", "newest": "w.id DESC"}.get(sort, "w.id")
            return sql + f" ORDER BY {order}", params
        if where:
            # The works of those years lie between two ids: FTS reads only that stretch of each
            # word's works (a year range over a broad word read most of the index at a million).
            lo, hi = self._year_ids(q.year_from, q.year_to)
            where.append("f.rowid BETWEEN ? AND ?")
            params += [lo, hi]
        filters = "".join(f" AND {c}" for c in where)
        if sort in ("newest", "relevance"):
            join = " JOIN works w ON w.id = f.rowid" if where else ""
            newest = (f"SELECT f.rowid FROM works_fts f{join} WHERE works_fts MATCH ?{filters} "
                      "ORDER BY f.rowid DESC")
            if sort == "newest":
                return newest, [q.match, *params]
            # bm25 over the newest RANK_CANDIDATES matches (see _ranked)
            return (f"SELECT id FROM (SELECT f.rowid AS id, bm25(works_fts, {_BM25_WEIGHTS}) AS score "
                    f"FROM works_fts f{join} WHERE works_fts MATCH ?{filters} ORDER BY f.rowid DESC "
                    f"LIMIT {RANK_CANDIDATES}) ORDER BY score, id"), [q.match, *params]
        counts = " JOIN citation_counts c ON c.work_id = w.id" if sort == "cited" else ""
        sql = f"SELECT {select} FROM works_fts f JOIN works w ON w.id = f.rowid{counts} WHERE works_fts MATCH ?{filters}"
        return sql + f" ORDER BY {_ORDERS.get(sort, 'w.id')}", [q.match, *params]

    def _by_years(self, q: Query, sort: str, limit: int) -> list[int] | None:
        """The works of a year range alone (no words), in catalogue order (`relevance`, `added`),
        newest first (`newest`) or by `year`, read a year at a time from the index on (year, id),
        which holds each year's works in catalogue order: each year's list is read lazily and
        the lists merged, stopping at `limit` (a few ms at a million works, where SQLite read
        whole rows in catalogue order, 280-320 ms for `year:2001..`, or sorted every work of
        the range, 1.5 s by year); by `title` as below. None where that does not serve: another
        order, over 400 years, or an index missing (a bulk import making it)."""
        if sort not in ("relevance", "added", "newest", "year", "title"):
            return None
        if not self._indexes_present("works_year", *(["works_title"] if sort == "title" else [])):
            return None
        span = self._year_span(q.year_from, q.year_to)
        if span is None:
            return None
        lo, hi = span
        if hi < lo:
            return []
        if sort == "title":
            # Each work's title is in its row: either every work of the range is read and sorted
            # (~2 us a work), or works in title order read until `limit` are in the range (~6 us
            # a work, limit / share of them). SQLite, without statistics, guessed: 2.2 s to find
            # the 10,000 first titles of `year:..1960` (2% of a million) in title order.
            n = self._read("SELECT count(*) FROM works INDEXED BY works_year WHERE year BETWEEN ? AND ?", (lo, hi))[0][0]
            index = "works_year" if n * n < 3 * limit * self.count() else "works_title"
            return [r[0] for r in self._read(f"SELECT id FROM works INDEXED BY {index} WHERE year BETWEEN ? AND ? "
                                             "ORDER BY title COLLATE NOCASE, id LIMIT ?", (lo, hi, limit))]
        if hi - lo > 400:
            return None
        descending = sort == "newest"
        sql = f"SELECT id FROM works INDEXED BY works_year WHERE year = ? ORDER BY id{' DESC' if descending else ''}"
        conn = self.conn
        cursors: list[sqlite3.Cursor] = []
        try:
            if sort == "year":  # the newest year first, each year in catalogue order
                ids: list[int] = []
                for year in range(hi, lo - 1, -1):
                    ids += [r[0] for r in conn.execute(sql + " LIMIT ?", (year, limit - len(ids)))]
                    if len(ids) >= limit:
                        break
                return ids
            cursors = [conn.execute(sql, (year,)) for year in range(lo, hi + 1)]
            return [r[0] for r in islice(heapq.merge(*cursors, reverse=descending), limit)]
        except sqlite3.Error as exc:
            raise self._error(exc) from None
        finally:
            for cursor in cursors:
                cursor.close()

    def _by_index(self, q: Query, sort: str, limit: int) -> list[int] | None:
        """The matches of a search with words by `year`, `title` or `cited`. The plain way
        (_search_sql) reads every match's row and sorts them all: 0.8-1.8 s for `the` at a
        million works, 1 s for a 2-letter prefix, 0.3 s for a word in 15% of the works. When
        there are many, they are read in that order from its index (_SORT_INDEXES) until `limit`
        are in, SQLite making the ids FTS5 finds a list to look each work up in as it goes:
        0.15-0.3 s and 60-80 ms. When there are few the walk could read most of the index to find
        them (60-100 ms at a million; the year index only the range's) where their rows cost a
        few us each: so the plain way (None) when fewer than sqrt(limit * works / 10) are
        expected (31,623 of a million, for 10,000), judged on how close together the newest of
        them are (_newest_matches: counting them cost as much as the plain way for `quantum
        theory model`, 20-30 ms); and by title or citations in a year range holding half the works
        or fewer (a catalogue's years can be bunched in its ids, misleading the judgement; such a
        walk is of every work: 0.25 s against 0.16 for `theory year:2001..2005`). None too when an
        index is missing (a bulk import is making it)."""
        table, column, index, order = _SORT_INDEXES[sort]
        years, year_params = self._years_where(q, "year")
        if not self._indexes_present(index, *(["works_year"] if years else [])):
            return None
        total = self.count()
        if years and sort != "year" and 2 * self._read(
                f"SELECT count(*) FROM works INDEXED BY works_year WHERE {' AND '.join(years)}", year_params)[0][0] <= total:
            return None  # a narrow range, by title or citations: the walk would be of every work to find it
        expected = self._expected_matches(q)
        if expected is None or 10 * expected * expected <= limit * total:
            return None  # few
        fts, params = self._match_ids(q)
        if sort == "year":  # the walk is of the years asked for only
            where, params = [*years, f"id IN ({fts})"], [*year_params, *params]
        else:
            where = [f"{column} IN ({fts})"]
            if years:
                where.append(f"{column} IN (SELECT id FROM works INDEXED BY works_year WHERE {' AND '.join(years)})")
                params += year_params
        return [r[0] for r in self._read(f"SELECT {column} FROM {table} INDEXED BY {index} "
                                         f"WHERE {' AND '.join(where)} ORDER BY {order} LIMIT ?", (*params, limit))]

    def _year_span(self, year_from: int | None, year_to: int | None) -> tuple[int, int] | None:
        """A year range cut to the catalogue's oldest and newest years (empty when the first
        exceeds the last); None when no work has a year, or one is not a number (written by some
        other program). Two index seeks (min and max, each alone: together they scan)."""
        first = self._read("SELECT min(year) FROM works")[0][0]
        last = self._read("SELECT max(year) FROM works")[0][0]
        if not isinstance(first, int) or not isinstance(last, int):
            return None
        return (first if year_from is None else max(first, year_from),
                last if year_to is None else min(last, year_to))

    def _year_ids(self, year_from: int | None, year_to: int | None) -> tuple[int, int]:
        """The smallest and largest id of the works in these years (index seeks, two a year),
        remembered until the catalogue changes; (1, 0) when there are none."""
        version = (self._writes, self._read("PRAGMA data_version")[0][0])
        cache = getattr(self._local, "year_ids", None)
        if cache is None or cache[0] != version:
            cache = self._local.year_ids = (version, {})
        key = (year_from, year_to)
        if key not in cache[1]:
            span = self._year_span(year_from, year_to)
            bounds = (1, 0)
            if span is None or span[1] - span[0] > 400:
                bounds = (0, 2**63 - 1)  # no years to seek, or too many: no bound
            else:
                ids = [self._read(f"SELECT id FROM works WHERE year = ? ORDER BY id {d} LIMIT 1", (y,))
                       for y in range(span[0], span[1] + 1) for d in ("", "DESC")]
                found = [r[0][0] for r in ids if r]
                if found:
                    bounds = (min(found), max(found))
            if len(cache[1]) > 100:
                cache[1].clear()
            cache[1][key] = bounds
        return cache[1][key]

    def search_ids(self, text: str | Query, sort: str = "relevance", limit: int = 10000,
                   cancel: Callable[[], bool] | None = None) -> list[int]:
        """Ids of the works matching a user's search, at most `limit`, in a sort order: `relevance`
        (the best first; only the newest RANK_CANDIDATES matches are ranked), `year`, `title`,
        `cited`, or `added` (catalogue order, uncapped). With `cancel`, raises Cancelled as soon
        as it can once `cancel()` is true."""
        self._catch_up()
        q = parse(text) if isinstance(text, str) else text
        if q.empty:
            return []
        if sort == "relevance" and q.match is not None:
            with self._cancellable(cancel):
                return self._ranked(q)[:limit]
        if q.match is None or sort in _SORT_INDEXES:
            with self._cancellable(cancel):
                ids = self._by_years(q, sort, limit) if q.match is None else self._by_index(q, sort, limit)
            if ids is not None:
                return ids
        sql, params = self._search_sql(q, "w.id", sort)
        with self._cancellable(cancel):
            return [r[0] for r in self._read(sql + " LIMIT ?", (*params, limit))]

    def _ranked(self, q: Query) -> list[int]:
        """The newest RANK_CANDIDATES matches, best first (bm25, as FTS5 ranks).

        Above EXACT_RANK_UP_TO works, two shortcuts. bm25 reads, for each phrase, every work
        holding it (its idf): 50-130 ms for `the` or `of the` at a million works, however few
        the candidates. And bm25 gives a word held by more than half the works no weight (its
        idf is clamped to 1e-6). So such words are left out of the ranking (they still
        select): a query with rarer words is ranked by bm25 over its rarer words alone (the
        same order, less reading). When every word is in more than half the works around the
        candidates (`the`, `of th`), the candidates are ordered by where the words are
        (title 10, authors 5, keywords 3, venue 2, abstract 1, as bm25 weighs the columns),
        the newest first among equals: a few ms. Whether a word is that common is judged on
        the newest DENSITY_PROBE works holding it (a ms)."""
        sql, params = self._search_sql(q, "f.rowid", "newest")
        rare = q.parts
        if self.count() > EXACT_RANK_UP_TO:
            probe = self._newest_matches(q)
            if len(probe) < 2:
                return probe
            if probe[0] - probe[-1] < 2 * len(probe):  # the whole query holds in most works: so does each word
                candidates = [r[0] for r in self._read(sql + " LIMIT ?", (*params, RANK_CANDIDATES))]
                return self._by_columns(q, candidates)
            if len(q.parts) > 1:
                rare = [part for part in q.parts if not self._dense(part, probe[0])] or q.parts
        if len(rare) == len(q.parts):
            sql, params = self._search_sql(q, "w.id", "relevance")  # in one statement
            return [r[0] for r in self._read(sql, params)]
        candidates = [r[0] for r in self._read(sql + " LIMIT ?", (*params, RANK_CANDIDATES))]
        chosen = set(candidates)
        scores = {i: score for i, score in self._read(
            f"SELECT f.rowid, bm25(works_fts, {_BM25_WEIGHTS}) FROM works_fts f "
            "WHERE works_fts MATCH ? AND f.rowid BETWEEN ? AND ?", (" ".join(rare), candidates[-1], candidates[0]))
            if i in chosen}
        return sorted(candidates, key=lambda i: (scores.get(i, 0.0), i))

    def _newest_matches(self, q: Query) -> list[int]:
        """The newest DENSITY_PROBE matches of a search with words (a ms), or the first page the
        browser just showed for it (search_newest), which serves as well."""
        newest = getattr(self._local, "newest", None)
        if newest is not None and newest[:2] == ((q.match, q.year_from, q.year_to), self._writes) \
                and len(newest[2]) >= min(DENSITY_PROBE, 100):
            return newest[2]
        sql, params = self._search_sql(q, "f.rowid", "newest")
        return [r[0] for r in self._read(sql + " LIMIT ?", (*params, DENSITY_PROBE))]

    def _expected_matches(self, q: Query) -> float | None:
        """How many works a search with words matches, judged on how close together its newest
        matches are (_newest_matches); None when fewer than 100 were found (few: those, or
        about)."""
        newest = self._newest_matches(q)
        if len(newest) < 100:
            return None
        return len(newest) * self.count() / (newest[0] - newest[-1] + 1)

    def _match_ids(self, q: Query) -> tuple[str, list]:
        """A statement for the ids of a search's matches, from FTS5 alone (its years are not
        checked: the ids are bounded by theirs, as in _search_sql), and its parameters."""
        sql, params = "SELECT rowid FROM works_fts WHERE works_fts MATCH ?", [q.match]
        if q.year_from is not None or q.year_to is not None:
            sql += " AND rowid BETWEEN ? AND ?"
            params += self._year_ids(q.year_from, q.year_to)
        return sql, params

    def _indexes_present(self, *names: str) -> bool:
        """Whether these indexes are in the catalogue (a bulk import drops some while it runs)."""
        found = self._read(f"SELECT count(*) FROM sqlite_master WHERE type = 'index' "
                           f"AND name IN ({', '.join('?' * len(names))})", names)[0][0]
        return found == len(set(names))

    def _dense(self, part: str, below: int) -> bool:
        """Whether a phrase is in more than half the works, judged on the newest DENSITY_PROBE
        works holding it up to id `below`. A prefix of four letters or more is taken as not:
        the index has no list of its own for it (it merges every word it begins; 20-30 ms for
        `mode*` at a million), and so long a prefix is rarely in most works."""
        if part.endswith("*") and len(part.rsplit('"', 2)[-2]) >= 4:
            return False
        ids = [r[0] for r in self._read("SELECT rowid FROM works_fts WHERE works_fts MATCH ? AND rowid <= ? "
                                        "ORDER BY rowid DESC LIMIT ?", (part, below, DENSITY_PROBE))]
        return len(ids) > 1 and ids[0] - ids[-1] < 2 * len(ids)

    def _by_columns(self, q: Query, candidates: list[int]) -> list[int]:
        """Candidates ordered by the weights of the columns holding each phrase, newest first among equals."""
        lo, hi = candidates[-1], candidates[0]
        score = dict.fromkeys(candidates, 0.0)
        for part in q.parts:
            for column, weight in _COLUMN_WEIGHTS.items():
                for (i,) in self._read("SELECT rowid FROM works_fts WHERE works_fts MATCH ? AND rowid BETWEEN ? AND ?",
                                       (f"{{{column}}} : ({part})", lo, hi)):
                    if i in score:
                        score[i] += weight
        return sorted(candidates, key=lambda i: (-score[i], -i))

    def search_newest(self, text: str | Query, limit: int = 100,
                      cancel: Callable[[], bool] | None = None) -> list[int]:
        """Ids of the newest `limit` matches, unranked: a first page to show at once (a few
        milliseconds at a million works, where ranking a broad word costs a few hundred)."""
        self._catch_up()
        q = parse(text) if isinstance(text, str) else text
        if q.empty:
            return []
        with self._cancellable(cancel):
            ids = self._by_years(q, "newest", limit) if q.match is None else None
            if ids is None:
                sql, params = self._search_sql(self._spelled_out(q), "w.id", "newest")
                ids = [r[0] for r in self._read(sql + " LIMIT ?", (*params, limit))]
        # what _ranked needs to judge the query's density, if it is asked next (as the browser does)
        self._local.newest = ((q.match, q.year_from, q.year_to), self._writes, ids)
        return ids

    def _spelled_out(self, q: Query) -> Query:
        """`q` with the word being typed, a prefix of 4+ letters, spelled out as the words of the
        index it begins (`"mode"*` -> `("model" OR "modern")`): the same works. The index keeps
        prefixes of 2 and 3 letters only; for a longer one FTS5 first merges the works of every
        word it begins into one list (28-36 ms for `mode*`, `theo*` at a million works), where an
        OR of words is read lazily, newest first, and stops after a page (0.3 ms). The words come
        from the index's vocabulary (`_words_beginning`). Not for ranking (bm25 weighs each word
        of an OR apart), nor for a word that is not ASCII (FTS5 folds it its own way)."""
        if q.typed is None or len(q.typed[1]) < 4 or not q.typed[1].isascii():
            return q
        found = self._words_beginning(q.typed[1], PREFIX_WORDS_MAX)
        if not found:
            return q  # (too many; or none, which FTS5 finds at once)
        return q.typed_as(found)

    @staticmethod
    def _word_ahead(text: str | Query) -> str | None:
        """The word being typed, when it is one whose words `prefetch_words` reads (3 ASCII letters)."""
        q = parse(text) if isinstance(text, str) else text
        return q.typed[1] if q.typed is not None and len(q.typed[1]) == 3 and q.typed[1].isascii() else None

    def reads_ahead(self, text: str | Query) -> bool:
        """Whether `prefetch_words` has anything to read for this search."""
        return self._word_ahead(text) is not None

    def prefetch_words(self, text: str | Query) -> None:
        """While the user looks at the hits of a 3-letter word, read the index's words it
        begins (7-220 ms at a million works), so that the 4th letter's first page needs no read
        of the vocabulary (10-20 ms of it, the most of that keystroke) but a filter of them."""
        word = self._word_ahead(text)
        if word is not None:
            self._words_beginning(word, PREFETCH_WORDS_MAX)

    def _words_beginning(self, word: str, most: int) -> list[str] | None:
        """The words of the full-text index that begin with `word` (its vocabulary, `works_vocab`:
        10-20 ms for 4 letters at a million works, as fts5vocab counts the works of each word),
        or None when there are more than `most`. Remembered, for every thread, until the index
        changes: its structure record (FTS5's, rewritten whenever a segment is added or merged,
        i.e. on every change of the index, by this process or another) is the stamp. So `model`
        after `mode`, or `mode` after a prefetched `mod`, only filters a list already read."""
        rows = self._read("SELECT block FROM works_fts_data WHERE id = 10")
        stamp = rows[0][0] if rows else b""
        with self._words_lock:
            if self._words[0] != stamp:
                self._words = (stamp, {})
            known = self._words[1]
        for k in range(len(word), 2, -1):
            complete = known.get(word[:k])
            if complete is not None:
                found = [w for w in complete if w.startswith(word)]
                return found if len(found) <= most else None
        rows = self._read("SELECT term FROM works_vocab WHERE term >= ? AND term < ? LIMIT ?",
                          (word, word[:-1] + chr(ord(word[-1]) + 1), most + 1))
        found = [r[0] for r in rows] if len(rows) <= most else None
        if found is not None or word not in known:
            known[word] = found  # None: more than `most` (a list is every such word)
        return found

    def search_count(self, text: str | Query, cancel: Callable[[], bool] | None = None) -> int:
        """How many works match a search."""
        self._catch_up()
        q = parse(text) if isinstance(text, str) else text
        if q.empty:
            return self.count()
        with self._cancellable(cancel):
            if q.match is not None and q.year_from is None and q.year_to is None:
                # The index holds every work and no other (the invariant of m004): no need to
                # read each match's row (0.65 s for `the` at a million works; 50 ms without)
                return self._read("SELECT count(*) FROM works_fts WHERE works_fts MATCH ?", (q.match,))[0][0]
            if q.match is not None:
                n = self._count_in_years(q)
                if n is not None:
                    return n
            sql, params = self._search_sql(q, "count(*)", "none")
            return self._read(sql.rsplit(" ORDER BY", 1)[0], params)[0][0]

    def _count_in_years(self, q: Query) -> int | None:
        """The matches of words in a year range, counted on the index on (year, id), the
        matches' ids a list SQLite looks each up in: reading each match's row for its year cost
        5-10 us (at a million works `the year:2000..` 1.0 -> 0.66 s, `theory year:2001..2005`
        124 -> 39 ms). None (each match's row read) unless COUNT_WALK_FROM matches or more are
        expected, judged on how close together the newest of them are (_newest_matches): for
        a rarer word the walk of the range's index would cost more than the rows (`quantum
        theory model year:2000..`, 4,828: 34 ms, walked 60)."""
        expected = self._expected_matches(q) if self._indexes_present("works_year") else None
        if expected is None or expected < COUNT_WALK_FROM:
            return None
        years, year_params = self._years_where(q, "year")
        fts, params = self._match_ids(q)
        return self._read(f"SELECT count(*) FROM works INDEXED BY works_year WHERE {' AND '.join(years)} "
                          f"AND id IN ({fts})", (*year_params, *params))[0][0]

    def search(self, text: str, sort: str = "relevance", limit: int = 50) -> list[ListRow]:
        """The best `limit` matches as list rows."""
        return self.rows(self.search_ids(text, sort, limit))
