"""The catalogue's tables, indexes, triggers and full-text index, as migrations."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable

_COLUMN_WEIGHTS = {"title": 10.0, "author_names": 5.0, "keywords": 3.0, "venue": 2.0, "abstract": 1.0}


_MIGRATIONS: list[Callable] = []


def migration(func: Callable) -> Callable:
    """A schema step, applied in order through sqlite-utils' Migrations (imported only when a
    catalogue needs one: sqlite_utils is slow to import, and opening costs none)."""
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
        # a larger in-memory hash before flushing a segment: bulk imports faster
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

    An import into a big catalogue recounts many earlier works a chunk: in `works` (wide
    rows, with their abstracts) that dirtied a page a work; in a table of two integers, many
    counts share a page, and the recount writes a small fraction of the WAL, in a small
    fraction of the time."""
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

    Re-indexing an edited abstract in the edit's transaction wrote many pages of the index
    in the edit's commit, and now and then made it wait far longer; without it the commit is
    a fraction of that. An edit now only notes what the index holds for the work (its old
    indexed text, kept until
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


@migration
def m006_identifiers(db) -> None:
    """Works found by their identifiers, and the reference lists works arrive with.

    `identifiers`: each work's DOI, arXiv id and ISBNs in the form they are compared in
    (tui/identifiers.py), filled in for the works already there. `reference_list`: the
    references a source (Crossref) listed for a work, in order; `cited_id` is the work of the
    catalogue one names, once there (a citation link then joins them), and goes back to NULL
    when that work is deleted (undoing its add), so the reference waits for it again.
    `authors.orcid`: an author's ORCID, when a source gave it."""
    from ..identifiers import work_identifiers

    db.execute("""CREATE TABLE identifiers (
        work_id INTEGER NOT NULL REFERENCES works(id) ON DELETE CASCADE,
        kind TEXT NOT NULL,   -- doi, arxiv, isbn
        value TEXT NOT NULL,  -- the normal form: a DOI lowercased, an arXiv id without version, ISBN-13
        PRIMARY KEY (kind, value, work_id)
    ) WITHOUT ROWID""")
    db.execute("CREATE INDEX identifiers_work ON identifiers(work_id)")
    db.execute("""CREATE TABLE reference_list (
        id INTEGER PRIMARY KEY,
        citing_id INTEGER NOT NULL REFERENCES works(id) ON DELETE CASCADE,
        position INTEGER NOT NULL,
        text TEXT NOT NULL,              -- as the source gave it
        doi TEXT NOT NULL DEFAULT '',    -- normal forms, '' when none
        arxiv TEXT NOT NULL DEFAULT '',
        cited_id INTEGER REFERENCES works(id) ON DELETE SET NULL
    )""")
    db.execute("CREATE INDEX reference_list_citing ON reference_list(citing_id, position)")
    db.execute("CREATE INDEX reference_list_cited ON reference_list(cited_id) WHERE cited_id IS NOT NULL")
    db.execute("CREATE INDEX reference_list_doi ON reference_list(doi) WHERE doi != '' AND cited_id IS NULL")
    db.execute("CREATE INDEX reference_list_arxiv ON reference_list(arxiv) WHERE arxiv != '' AND cited_id IS NULL")
    db.execute("ALTER TABLE authors ADD COLUMN orcid TEXT NOT NULL DEFAULT ''")
    import json

    rows = []
    for work_id, doi, fields in db.execute("SELECT id, doi, fields FROM works WHERE doi != '' OR fields LIKE '%eprint%' "
                                           "OR fields LIKE '%isbn%' OR fields LIKE '%arxiv%'").fetchall():
        try:
            values = json.loads(fields or "{}")
        except ValueError:
            values = {}
        rows += [(work_id, kind, value) for kind, value in work_identifiers(doi or "", values)]
    db.conn.executemany("INSERT OR IGNORE INTO identifiers(work_id, kind, value) VALUES (?, ?, ?)", rows)


@migration
def m007_kept_exports(db) -> None:
    """Files kept in step with the catalogue (`ibid export ... --to FILE --keep`): what each holds
    (a query, or the keys a manuscript cites), in what format, when it was last written, and
    the error of the last try, if it failed (the browser's header shows it)."""
    db.execute("""CREATE TABLE kept_exports (
        path TEXT PRIMARY KEY,         -- absolute
        query TEXT NOT NULL DEFAULT '',
        cited_in TEXT NOT NULL DEFAULT '[]',  -- JSON list of manuscript files (absolute)
        format TEXT NOT NULL,
        added TEXT NOT NULL,
        written TEXT NOT NULL DEFAULT '',
        error TEXT NOT NULL DEFAULT ''
    )""")


@migration
def m008_duplicates(db) -> None:
    """What finds two records of one work or one person (tui/dupkeys.py; Store.duplicates_of).

    `work_match`: a work's title as compared (case, accents, punctuation, a leading article set
    aside), its year and its first author's family name, for each work whose title names one
    work (not "Introduction"); found through its index by title, so finding duplicates costs a
    lookup a work, not a comparison with every other. `author_match`: each author's family
    name as compared, found the same way. `distinct_works`: pairs the user said are not
    duplicates (a < b), never offered again. Rows go with their works (ON DELETE CASCADE).
    Filled in here for the works and authors already there; the store keeps them in step."""
    db.execute("""CREATE TABLE work_match (
        work_id INTEGER PRIMARY KEY REFERENCES works(id) ON DELETE CASCADE,
        title TEXT NOT NULL,    -- tui.dupkeys.title_key of the title
        year INTEGER,
        family TEXT NOT NULL    -- tui.dupkeys.family_key of the first author; '' when none
    )""")
    db.execute("""CREATE TABLE author_match (
        author_id INTEGER PRIMARY KEY REFERENCES authors(id) ON DELETE CASCADE,
        family TEXT NOT NULL    -- tui.dupkeys.family_key of the name
    )""")
    db.execute("""CREATE TABLE distinct_works (
        a INTEGER NOT NULL REFERENCES works(id) ON DELETE CASCADE,
        b INTEGER NOT NULL REFERENCES works(id) ON DELETE CASCADE,
        PRIMARY KEY (a, b),
        CHECK (a < b)
    ) WITHOUT ROWID""")
    db.execute("CREATE INDEX distinct_works_b ON distinct_works(b)")
    from .duplicates import fill_match_tables

    fill_match_tables(db.conn)
    db.execute(_MATCH_INDEX)
    db.execute(_AUTHOR_MATCH_INDEX)


_MATCH_INDEX = "CREATE INDEX work_match_title ON work_match(title, year)"
_AUTHOR_MATCH_INDEX = "CREATE INDEX author_match_family ON author_match(family)"


@migration
def m009_aliases(db) -> None:
    """The keys of works merged into others (`Store.merge`): each names the work it was merged
    into, so a manuscript, a command or a picker that uses the old key still finds it. Also an
    index on `similar_links(other_id)`: a merge moves, and a work's deletion clears, the links
    naming a work from either side."""
    db.execute("""CREATE TABLE aliases (
        key TEXT PRIMARY KEY,
        work_id INTEGER NOT NULL REFERENCES works(id) ON DELETE CASCADE
    )""")
    db.execute("CREATE INDEX aliases_work ON aliases(work_id)")
    db.execute("CREATE INDEX IF NOT EXISTS similar_links_other ON similar_links(other_id)")


@migration
def m011_reading(db) -> None:
    """Each work's reading state (to read, reading, read; no row: none) and its note (Markdown),
    each with when it last changed; and a full-text index of the notes alone (notes are few:
    works_fts is left as it is, and a search ORs the notes' matches in: see Store._note_matches).
    The index follows `notes` through triggers. New tables only: instant at a million works."""
    for sql in [
        """CREATE TABLE reading (
            work_id INTEGER PRIMARY KEY REFERENCES works(id) ON DELETE CASCADE,
            state TEXT NOT NULL CHECK (state IN ('toread', 'reading', 'read')),
            changed TEXT NOT NULL
        )""",
        "CREATE INDEX reading_state ON reading(state, work_id)",
        """CREATE TABLE notes (
            work_id INTEGER PRIMARY KEY REFERENCES works(id) ON DELETE CASCADE,
            text TEXT NOT NULL,     -- Markdown, as the user wrote it
            updated TEXT NOT NULL
        )""",
        """CREATE VIRTUAL TABLE notes_fts USING fts5(
            text, content='notes', content_rowid='work_id', tokenize='unicode61 remove_diacritics 2'
        )""",
        """CREATE TRIGGER notes_fts_insert AFTER INSERT ON notes BEGIN
            INSERT INTO notes_fts(rowid, text) VALUES (new.work_id, new.text);
        END""",
        """CREATE TRIGGER notes_fts_delete AFTER DELETE ON notes BEGIN
            INSERT INTO notes_fts(notes_fts, rowid, text) VALUES ('delete', old.work_id, old.text);
        END""",
        """CREATE TRIGGER notes_fts_update AFTER UPDATE OF text, work_id ON notes BEGIN
            INSERT INTO notes_fts(notes_fts, rowid, text) VALUES ('delete', old.work_id, old.text);
            INSERT INTO notes_fts(rowid, text) VALUES (new.work_id, new.text);
        END""",
    ]:
        db.execute(sql)


KNOWN_MIGRATIONS = {"m001_catalogue", "m002_changes", "m003_citation_counts", "m004_index_queue", "m005_upkeep",
                    "m006_identifiers", "m007_kept_exports", "m008_duplicates", "m009_aliases", "m011_reading"}
