"""The full-text index of edited works, and merging its segments in the background."""

from __future__ import annotations

import sqlite3
import threading
import time

from .errors import StoreError
from .schema import _FTS_COLUMNS, _FTS_NAMES

# FTS5's merge settings, kept in the catalogue (see Store._settle_merging): FTS5 never merges
# segments in a write of its own accord (automerge 0) but past 64 segments on a level; the
# store merges them in steps of MERGE_STEP_PAGES pages, in the background, giving way to edits
_FTS_MERGING = {"automerge": 0, "crisismerge": 64}
_BULK_FTS_MERGING = {"automerge": 0, "crisismerge": 256}  # while a bulk import runs (see _put_off)
MERGE_STEP_PAGES = 2000  # pages of FTS5 `merge` a background step asks for, each step its own transaction
MERGE_CHECK_STEPS = 1000  # SQLite steps between a merge statement's looks for a waiting write
MERGE_IDLE = 1.0  # seconds without an edit before the background merges: a run of edits meets none
INDEX_DELAY = 0.2  # seconds without a write before edited works are re-indexed in the background
CATCH_UP_WAIT = 0.05  # seconds a search waits for the index to take in this store's edits


class Index:
    """The full-text index of edited works, and merging its segments in the background (a part of Store)."""

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

    def _settle_merging(self) -> None:
        """On a writable open: FTS5's merge settings as the store wants them (_FTS_MERGING),
        unless a bulk import (which has its own) is running or left them to finish_upkeep.

        Why: FTS5 merges a level's segments once it holds `automerge` (4) of them, a little in
        each write, and all at once when it holds `crisismerge` (16); its levels are not kept by
        size, so the one big segment of an imported catalogue sits on level 1, and the small
        segments of edits' catch-ups reach it soon. A few hundred edits after an import, one
        catch-up merged the whole index in one go (a long wait, and a WAL as large as the
        index), every edit and other process's write waiting for it (bench/README.md).
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
        waits for no merge (only for the stopped statement to end)."""
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

    def _catch_up(self) -> None:
        """Before a search: this store's edits into the index, so that it finds them. The
        background thread does it at once and the search waits for it CATCH_UP_WAIT at most: a
        catch-up is short, but FTS5 now and then merges big segments in one, which takes long,
        and a search then runs on the index as it is rather than wait."""
        if self.read_only:
            return
        with self._index_cond:
            seen = self._indexed
            if not self._unindexed:
                return
            self._index_soon(0)
            self._index_cond.wait_for(lambda: self._indexed != seen, CATCH_UP_WAIT)

    def optimize_index(self) -> None:
        """Merge the full-text index into one segment (FTS5 `optimize`), in a transaction of
        its own. A bulk import ends with it: the many segments it leaves would otherwise be
        merged later, by FTS5, in the catch-up after some edit, which then takes long (none
        did after `optimize`; bench/README.md)."""
        with self._bulk(), self._write() as conn:
            conn.execute("INSERT INTO works_fts(works_fts) VALUES ('optimize')")

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
