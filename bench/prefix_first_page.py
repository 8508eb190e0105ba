"""The first page of a search (`Store.search_newest`) against FTS5's own prefix query, for every
prefix of the ui_bench queries: the same ids, and the time of each.

    python bench/prefix_first_page.py CATALOGUE.db [--rounds 3]

Each round starts with no prefix words remembered (as a word newly typed); the two are timed
one after the other, which goes first alternating from prefix to prefix (the first reads the
pages cold). Prints median, p95 and max of each.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))


def main() -> None:
    from ui_bench import QUERIES

    from tui.query import parse
    from tui.store import Store

    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("db", type=Path)
    ap.add_argument("--rounds", type=int, default=3)
    args = ap.parse_args()
    store = Store(args.db, read_only=True)
    prefixes = [q[:i] for q in QUERIES for i in range(1, len(q) + 1) if not parse(q[:i]).empty]
    fts5, spelled = [], []
    for _ in range(args.rounds):
        store._local.__dict__.pop("prefix_words", None)
        for i, p in enumerate(prefixes):
            for step in ((0, 1) if i % 2 == 0 else (1, 0)):  # which goes first (reads the pages cold) alternates
                t = time.perf_counter()
                if step == 0:
                    ours = store.search_newest(p, limit=100)
                    spelled.append((time.perf_counter() - t) * 1000)
                else:
                    sql, params = store._search_sql(parse(p), "w.id", "newest")
                    theirs = [r[0] for r in store._read(sql + " LIMIT 100", params)]
                    fts5.append((time.perf_counter() - t) * 1000)
            if ours != theirs:
                sys.exit(f"different first pages for {p!r}")
    store.close()
    print(f"{len(spelled)} searches ({len(prefixes)} prefixes x {args.rounds} rounds): identical ids")
    for name, v in (("FTS5 prefix query", fts5), ("search_newest", spelled)):
        v = sorted(v)
        print(f"  {name:18s} median {statistics.median(v):6.2f}  p95 {v[int(0.95 * (len(v) - 1))]:6.1f}  "
              f"max {v[-1]:6.1f} ms")


if __name__ == "__main__":
    main()
