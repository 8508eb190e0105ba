"""Reading states and notes at scale: does a plain search stay as fast, and how fast are the new ones?

    python bench/reading_bench.py bench/out/1m.db --prepare          # once: 1,000 notes, 10,000 states
    python bench/reading_bench.py bench/out/1m.db --runs 3           # this checkout
    python bench/reading_bench.py /work/main/bench/out/1m.db --code /work/main --runs 3   # main, for comparison

Times, in the store (as bench/ui_bench.py's "search in the store"), the eight queries of
ui_bench typed a letter at a time: `search_newest` (the first page shown) and `search_ids`
(ranked, handed that first page, as the browser does); then, with --prepare's notes and
states there, `state:` and `note:` searches and a page of list rows (which now carry the
state). `--code` imports `tui` from another checkout (main's code, which has no notes: its
plain figures are the baseline). `--prepare` writes notes and states into the catalogue (a
copy: never main's). Median and p95 in ms; nothing asserted. Say the load (`uptime`).
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from pathlib import Path

QUERIES = ["model", "th", "the", "of the", "network analysis", "author:a", "year:2001..2010 theory", "x"]
RESTRICTED = ["state:read", "state:toread model", "state:reading the", "state:none model", "state:none the",
              "note:reading", "note:network", "state:read year:2001..2010", "reading"]
NOTE_WORDS = ("reading network model theory the of argument chapter method evidence compare "
              "disagree important later cite review proof").split()


def stats(name: str, times: list[float]) -> None:
    ordered = sorted(times)
    med = statistics.median(ordered)
    p95 = ordered[min(len(ordered) - 1, max(0, round(0.95 * len(ordered) + 0.5) - 1))]  # (as _common's)
    print(f"{name:<48} n={len(times):>4}  median {med:8.1f}  p95 {p95:8.1f}")


def prepare(db: Path) -> None:
    from tui.store import Store

    rng = random.Random(11)
    with Store(db) as store:
        total = store.newest_id()
        have = store.notes_count()
        ids = rng.sample(range(1, total + 1), 11_001)
        t = time.perf_counter()
        for work_id in ids[:1000 - have] if have < 1000 else []:
            words = [rng.choice(NOTE_WORDS) for _ in range(rng.randint(5, 60))]
            store.set_note(work_id, "# Note\n\n" + " ".join(words), remember=False)
        print(f"notes written in {time.perf_counter() - t:.1f} s; notes: {store.notes_count():,}")
        states = ["toread", "reading", "read"]
        t = time.perf_counter()
        for state, (lo, hi) in zip(states, ((1000, 4334), (4334, 7667), (7667, 11000))):
            store.set_reading(ids[lo:hi], state, remember=False)
        print(f"states set in {time.perf_counter() - t:.1f} s; {store.reading_counts()}")


def run(db: Path, runs: int) -> None:
    from tui.listing import PAGE
    from tui.store import Store

    store = Store(db, read_only=True)
    newest, ranked = [], []
    for _ in range(runs):
        for query in QUERIES:
            for i in range(1, len(query) + 1):
                typed = query[:i]
                if typed.endswith(" "):
                    continue
                t = time.perf_counter()
                first = store.search_newest(typed, PAGE)
                newest.append((time.perf_counter() - t) * 1000)
                t = time.perf_counter()
                store.search_ids(typed, "relevance", 10_000, newest=first)
                ranked.append((time.perf_counter() - t) * 1000)
    stats("plain: first page (search_newest)", newest)
    stats("plain: ranked (search_ids)", ranked)
    if not hasattr(store, "reading_counts"):
        store.close()
        return
    print(f"notes {store.notes_count():,}; states {store.reading_counts()}")
    for query in RESTRICTED:
        first, ranked_r, counted = [], [], []
        for _ in range(runs):
            t = time.perf_counter()
            page = store.search_newest(query + " ", PAGE)
            first.append((time.perf_counter() - t) * 1000)
            t = time.perf_counter()
            store.search_ids(query + " ", "relevance", 10_000, newest=page)
            ranked_r.append((time.perf_counter() - t) * 1000)
            t = time.perf_counter()
            n = store.search_count(query + " ")
            counted.append((time.perf_counter() - t) * 1000)
        stats(f"{query!r} ({n:,}): first page", first)
        stats(f"{query!r}: ranked", ranked_r)
        stats(f"{query!r}: count", counted)
    rng = random.Random(3)
    rows = []
    total = store.newest_id()
    for _ in range(50 * runs):
        start = rng.randint(1, total - PAGE)
        t = time.perf_counter()
        store.rows(list(range(start, start + PAGE)))
        rows.append((time.perf_counter() - t) * 1000)
    stats(f"list rows, a page of {PAGE} (with states)", rows)
    store.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("db", type=Path)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--prepare", action="store_true", help="write 1,000 notes and 10,000 states first")
    parser.add_argument("--code", type=Path, default=None, help="import tui from this checkout")
    args = parser.parse_args()
    root = (args.code or Path(__file__).resolve().parents[1]).resolve()
    sys.path.insert(0, str(root))
    import tui

    print(f"tui from {Path(tui.__file__).parent}; catalogue {args.db}")
    if args.prepare:
        prepare(args.db)
    run(args.db, args.runs)


if __name__ == "__main__":
    main()
