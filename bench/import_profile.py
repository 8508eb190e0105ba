"""Where an import's time goes: every SQL statement of the importing thread timed, summed by
statement (a `sqlite3.Connection` subclass), and the rest (Python, waiting for the GIL).

    python bench/import_profile.py FILE.jsonl NEW.db [--row-at-a-time]

Imports FILE into NEW.db (deleted first) in this process, as `ibid import` does
(`open_path` + `Store.import_batches` with the file's size, so a big file goes in bulk unless
--row-at-a-time), then prints the total and the 25 costliest statements.
"""

from __future__ import annotations

import argparse
import collections
import sqlite3
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

TIMES: dict[str, float] = collections.defaultdict(float)
CALLS: collections.Counter = collections.Counter()


class Timed(sqlite3.Connection):
    def _timed(self, run, sql, *args):
        t = time.perf_counter()
        try:
            return run(sql, *args)
        finally:
            if threading.current_thread() is threading.main_thread():
                key = " ".join(sql.split())[:70]
                TIMES[key] += time.perf_counter() - t
                CALLS[key] += 1

    def execute(self, sql, *args):
        return self._timed(super().execute, sql, *args)

    def executemany(self, sql, *args):
        return self._timed(super().executemany, sql, *args)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("file", type=Path)
    ap.add_argument("db", type=Path)
    ap.add_argument("--row-at-a-time", action="store_true", help="do not pass the file's size (no bulk)")
    args = ap.parse_args()
    connect = sqlite3.connect
    sqlite3.connect = lambda *a, **k: connect(*a, factory=Timed, **k)
    from tui.formats import open_path
    from tui.store import Store

    for suffix in ("", "-wal", "-shm"):
        Path(f"{args.db}{suffix}").unlink(missing_ok=True)
    store = Store(args.db)
    TIMES.clear()
    CALLS.clear()
    wall, cpu = time.perf_counter(), time.process_time()
    stream = open_path(args.file, None)
    expected = None if args.row_at_a_time else (stream.works if stream.works is not None else stream.lines)
    summary = store.import_batches(stream.batches, "skip", overlap=stream.overlap, expected=expected)
    store.close()
    wall = time.perf_counter() - wall
    print(f"total {wall:.1f} s wall, {time.process_time() - cpu:.1f} s CPU (both threads); "
          f"{summary.added:,} added, {summary.added / wall:,.0f}/s")
    for key, t in sorted(TIMES.items(), key=lambda kv: -kv[1])[:25]:
        print(f"{t:8.2f} s {CALLS[key]:6d}  {key}")
    print(f"{sum(TIMES.values()):8.2f} s in SQL on the importing thread")


if __name__ == "__main__":
    main()
