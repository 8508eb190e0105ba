"""Measure alternatives to what Store.import_batch does today, on a copy of a catalogue.

    python bench/store_variants.py CATALOGUE.db [--runs N]

Nothing here changes tui/ or the given catalogue: it is copied (SQLite backup API) to a
temporary file under bench/out/, and every variant runs on that copy. Two questions:

1. Building the full-text index over every work (`INSERT INTO fts(fts) VALUES('rebuild')`),
   for an FTS5 table like the store's (external content `works`, same tokenizer), with:
   `prefix='2 3'` and SQLite's default 1 MB in-memory hash (the store before 2466087); no
   prefix index; `prefix='2'`; `prefix='2 3'` with `hashsize` 64 MB (the store since 2466087).
2. Inserting citation links: one `INSERT OR IGNORE` a link with the `cited_by` trigger
   (import_batch before 2466087), `executemany` with the trigger, and `executemany` with the
   trigger dropped and `cited_by` updated once per cited work afterwards (what import_batch
   does since 2466087).

Each variant prints wall and CPU seconds and a rate; the median of --runs.
"""

from __future__ import annotations

import argparse
import os
import sqlite3
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import OUT, header  # noqa: E402

FTS_COLUMNS = "title, authors, abstract, keywords, venue"  # `authors`: exists in every schema so far
TOKENIZE = "tokenize='unicode61 remove_diacritics 2'"


def copy_catalogue(src: Path) -> Path:
    OUT.mkdir(exist_ok=True)
    fd, name = tempfile.mkstemp(prefix="variants-", suffix=".db", dir=OUT)
    os.close(fd)
    with sqlite3.connect(f"file:{src}?mode=ro", uri=True) as a, sqlite3.connect(name) as b:
        a.backup(b)
    return Path(name)


def timed(conn: sqlite3.Connection, statements: list[str | tuple]) -> tuple[float, float]:
    t, c = time.perf_counter(), time.process_time()
    conn.execute("BEGIN IMMEDIATE")
    for s in statements:
        if isinstance(s, tuple):
            conn.executemany(*s)
        else:
            conn.execute(s)
    conn.execute("COMMIT")
    return time.perf_counter() - t, time.process_time() - c


def fts_variants(conn: sqlite3.Connection, runs: int) -> None:
    n = conn.execute("SELECT count(*) FROM works").fetchone()[0]
    words = conn.execute("SELECT sum(length(abstract) - length(replace(abstract, ' ', '')) + 1) FROM works"
                         ).fetchone()[0] or 0
    print(f"FTS index over {n:,} works (~{words / max(n, 1):.0f} abstract words a work):")
    variants = {
        "prefix='2 3', default 1 MB hash": ("prefix='2 3'", None),  # the store before 2466087
        "no prefix index": ("", None),
        "prefix='2'": ("prefix='2'", None),
        "prefix='2 3', hashsize 64 MB": ("prefix='2 3'", 64 * 1024 * 1024),  # the store since 2466087
    }
    for label, (prefix, hashsize) in variants.items():
        walls, cpus = [], []
        for _ in range(runs):
            conn.execute("DROP TABLE IF EXISTS v_fts")
            opts = ", ".join(x for x in ("content='works', content_rowid='id'", TOKENIZE, prefix) if x)
            conn.execute(f"CREATE VIRTUAL TABLE v_fts USING fts5({FTS_COLUMNS}, {opts})")
            stmts = []
            if hashsize:
                stmts.append(f"INSERT INTO v_fts(v_fts, rank) VALUES('hashsize', {hashsize})")
            stmts.append("INSERT INTO v_fts(v_fts) VALUES('rebuild')")
            try:
                w, c = timed(conn, stmts)
            except sqlite3.Error as exc:
                conn.execute("ROLLBACK")
                print(f"  {label:<34} failed: {exc}")
                break
            walls.append(w)
            cpus.append(c)
        else:
            size = conn.execute("SELECT sum(length(block)) FROM v_fts_data").fetchone()[0] or 0
            w, c = statistics.median(walls), statistics.median(cpus)
            print(f"  {label:<34} {w:7.2f} s {n / w:9,.0f} works/s   CPU {c:7.2f} s   index {size / 1e6:6.0f} MB")
    conn.execute("DROP TABLE IF EXISTS v_fts")


def citation_variants(conn: sqlite3.Connection, runs: int) -> None:
    links = conn.execute("SELECT citing_id, cited_id, added FROM citations").fetchall()
    n = len(links)
    if not n:
        print("no citation links in this catalogue; skipping the citation variants")
        return
    print(f"Re-inserting all {n:,} citation links into an empty citations table:")
    trigger = conn.execute("SELECT sql FROM sqlite_master WHERE name = 'citations_count_insert'").fetchone()[0]
    on_delete = conn.execute("SELECT sql FROM sqlite_master WHERE name = 'citations_count_delete'").fetchone()[0]
    insert = "INSERT OR IGNORE INTO citations(citing_id, cited_id, added) VALUES (?, ?, ?)"

    def reset() -> None:
        conn.execute("BEGIN IMMEDIATE")
        conn.execute("DROP TRIGGER IF EXISTS citations_count_insert")
        conn.execute("DROP TRIGGER citations_count_delete")
        conn.execute("DELETE FROM citations")
        conn.execute("UPDATE citation_counts SET cited_by = 0")
        conn.execute(trigger)
        conn.execute(on_delete)
        conn.execute("COMMIT")

    def one_by_one() -> None:
        for row in links:
            conn.execute(insert, row)

    variants = {
        "one INSERT a link + trigger": lambda: timed_fn(one_by_one),  # import_batch before 2466087
        "executemany + trigger": lambda: timed(conn, [(insert, links)]),
        "executemany, no trigger, one UPDATE": lambda: timed(conn, [  # like import_batch since 2466087
            "DROP TRIGGER citations_count_insert",
            (insert, links),
            "UPDATE citation_counts SET cited_by = c.n FROM (SELECT cited_id, count(*) AS n FROM citations "
            "GROUP BY cited_id) AS c WHERE citation_counts.work_id = c.cited_id",
            trigger,
        ]),
    }

    def timed_fn(fn) -> tuple[float, float]:
        t, c = time.perf_counter(), time.process_time()
        conn.execute("BEGIN IMMEDIATE")
        fn()
        conn.execute("COMMIT")
        return time.perf_counter() - t, time.process_time() - c

    expected = conn.execute("SELECT sum(cited_by) FROM citation_counts").fetchone()[0]
    for label, run in variants.items():
        walls, cpus = [], []
        for _ in range(runs):
            reset()
            w, c = run()
            walls.append(w)
            cpus.append(c)
        got = conn.execute("SELECT sum(cited_by) FROM citation_counts").fetchone()[0]
        ok = "ok" if got == expected else f"MISMATCH (sum cited_by {got} != {expected})"
        w, c = statistics.median(walls), statistics.median(cpus)
        print(f"  {label:<38} {w:7.2f} s {n / w:10,.0f} links/s   CPU {c:7.2f} s   {ok}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("db", type=Path)
    ap.add_argument("--runs", type=int, default=1)
    ap.add_argument("--only", choices=("fts", "citations"))
    args = ap.parse_args()
    if not args.db.is_file():
        sys.exit(f"{args.db}: no such catalogue")
    print(header())
    copy = copy_catalogue(args.db)
    try:
        conn = sqlite3.connect(copy, isolation_level=None)
        conn.execute("PRAGMA foreign_keys = ON")
        conn.execute("PRAGMA journal_mode = WAL")
        if args.only in (None, "fts"):
            fts_variants(conn, args.runs)
        if args.only in (None, "citations"):
            citation_variants(conn, args.runs)
        conn.close()
    finally:
        for suffix in ("", "-wal", "-shm"):
            Path(str(copy) + suffix).unlink(missing_ok=True)


if __name__ == "__main__":
    main()
