"""Importing parsed files: in one transaction a file, or in bulk with the indexes made after."""

from __future__ import annotations

import os
import sqlite3
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from ..formats import Batch, Problem
from ..models import Work
from .clock import now
from .errors import StoreError
from .index import _BULK_FTS_MERGING
from .schema import _COUNT_TRIGGER, _FTS_COLUMNS, _FTS_INSERT_TRIGGER

BULK_IMPORT_MIN = 20_000  # works: an import of at least this many, into a catalogue not bigger, goes in bulk
# indexes a bulk import drops and makes again at its end (a sort, instead of a row at a time)
_BULK_INDEXES = ("works_title", "works_year", "works_venue", "works_doi", "work_authors_author",
                 "keywords_keyword", "citations_cited", "citation_counts_cited_by")


IMPORT_CACHE_KIB = 256 * 1024  # SQLite's page cache while importing (the default is 2 MB)


@dataclass
class ImportSummary:
    """What an import did, for the user."""

    added: int = 0
    updated: int = 0
    duplicates: int = 0
    renamed: int = 0
    citations: int = 0
    similar: int = 0
    possible_duplicates: int = 0  # works added that may be works already there (listed in problems)
    problems: list[Problem] = field(default_factory=list)

    @property
    def refused(self) -> int:
        return sum(1 for p in self.problems if p.kind == "refused")


class Importing:
    """Importing parsed files: in one transaction a file, or in bulk with the indexes made after (a part of Store)."""

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
                    total.possible_duplicates += s.possible_duplicates
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
        made the index markedly slower to build (bench/README.md). FTS5 keeps these settings
        in the catalogue: finish_upkeep puts the store's back (_FTS_MERGING; 'fts_merging' in
        upkeep)."""
        with self._write() as conn:
            names = ", ".join("?" * len(_BULK_INDEXES))
            for name, sql in conn.execute(f"SELECT name, sql FROM sqlite_master WHERE type = 'index' "
                                          f"AND name IN ({names})", _BULK_INDEXES).fetchall():
                conn.execute("INSERT OR REPLACE INTO upkeep(name, sql) VALUES (?, ?)", (name, sql))
                conn.execute(f'DROP INDEX "{name}"')
            conn.execute("INSERT OR REPLACE INTO upkeep(name) VALUES ('citation_counts')")
            conn.execute("INSERT OR REPLACE INTO upkeep(name) VALUES ('fts_merging')")
            self._fts_merging(conn, _BULK_FTS_MERGING)

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
        self._reading_from_fields(works)  # annote -> note, readstatus -> reading state
        ids: dict[str, int] = {}
        with self._bulk(), self._write() as conn:
            first_new = conn.execute("SELECT coalesce(max(id), 0) FROM works").fetchone()[0]
            # DDL is transactional: a crash or an error leaves both triggers as they were.
            conn.execute("DROP TRIGGER works_fts_insert")
            conn.execute("DROP TRIGGER citations_count_insert")
            existing = dict(self._select_in("SELECT key, id FROM works WHERE key IN ({marks})",
                                            [w.key for w in works], conn))
            # a key that is an alias (a work merged into another) names the work it was merged into
            aliased = dict(self._select_in("SELECT key, work_id FROM aliases WHERE key IN ({marks})",
                                           [w.key for w in works if w.key not in existing], conn))
            existing.update(aliased)
            cache: dict[str, int] = {}
            next_id = first_new + 1
            taken: set[str] = set()
            new_works: list[tuple[int, Work]] = []
            updated: list[tuple[int, Work]] = []
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
                    file_key = work.key
                    if file_key in aliased:  # the work it was merged into keeps its own key
                        work.key = conn.execute("SELECT key FROM works WHERE id = ?", (old_id,)).fetchone()[0]
                    self._update_work(conn, old_id, work, cache, resolve=False)
                    ids[file_key] = old_id
                    updated.append((old_id, work))
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
                    where = "an alias of a work (merged into it)" if work.key in aliased else "already"
                    summary.problems.append(Problem(
                        batch.source, batch.lines.get(work.key), f"key {work.key!r} {where} in the catalogue; kept the existing work "
                        "(--on-duplicate update|rename to change)", "duplicate"))
                    continue
                taken.add(work.key)
                ids.setdefault(work.key, next_id)
                next_id += 1
                if progress and done % 5000 == 0:
                    progress(done, total)
            self._insert_new(conn, new_works, cache)
            self._import_reading(conn, [*new_works, *updated])
            self._identify_all(conn, new_works)
            self._aliases_from_fields(conn, new_works + updated)
            summary.added = len(new_works)
            self._note_duplicates(conn, batch, new_works, first_new, summary)
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
            # works named in reference lists (`ibid add`) by a DOI or arXiv id: linked as they arrive
            arrived = self._resolve_arrivals(conn, sorted(set(ids.values()) - {0}))
            summary.citations += len(arrived)
            if arrived and count_links:
                list(self._select_in(
                    "UPDATE citation_counts SET cited_by = (SELECT count(*) FROM citations "
                    "WHERE cited_id = citation_counts.work_id) WHERE work_id IN ({marks})",
                    sorted({b for _a, b in arrived}), conn))
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

    def _note_duplicates(self, conn: sqlite3.Connection, batch: Batch, new_works: list[tuple[int, Work]],
                         first_new: int, summary: ImportSummary) -> None:
        """List each work added that may be one already there (or one added before it from the
        same import): it is imported all the same, and the user decides (ibid duplicates)."""
        if not new_works:
            return
        found = self._new_duplicates(conn, first_new)
        for work_id, work in new_works:
            if work_id in found:
                _old, old_key, reason = found[work_id]
                summary.problems.append(Problem(batch.source, batch.lines.get(work.key),
                                                f"{work.key} is a possible duplicate of {old_key} ({reason})",
                                                "possible duplicate"))
        summary.possible_duplicates += len(found)

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
            found = dict(self._select_in("SELECT name, id FROM authors WHERE name IN ({marks})",
                                         [n for n in affiliation if n not in cache], conn))
            cache.update(found)
            if add_missing:
                conn.executemany("INSERT INTO authors(name, affiliation) VALUES (?, ?)",
                                 [(n, affiliation[n]) for n in affiliation if n not in cache])
            else:
                self._match_authors(conn, [(i, n) for n, i in found.items()])  # the authors new in this import
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
        self._match_works(conn, new_works)
        conn.executemany("INSERT OR IGNORE INTO keywords(work_id, keyword) VALUES (?, ?)", keywords)
