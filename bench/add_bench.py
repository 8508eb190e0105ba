"""`ibid add` throughput: N identifiers fetched from a local server on 127.0.0.1 (Crossref's
answer shape, made up here) and added, as `tui.adding.add_identifiers` does for `ibid add`.

    python bench/add_bench.py [--n 1000] [--runs 3] [--concurrency 4]

Each made-up work lists 5 references: 3 to other works of the run (some added before it, some
after, so both ways of linking are used: at once, and when the named work arrives) and 2 to
DOIs nobody adds. Prints works/s (median of the runs), the links made and the references left
waiting, and checks that every reference to a work of the run ended as a link.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.net.server import LocalServer  # noqa: E402
from tui.adding import ADDED, add_identifiers  # noqa: E402
from tui.config import NetSettings  # noqa: E402
from tui.store import Store  # noqa: E402

WORDS = "theory model network quantum learning graph logic mind language proof game field memory".split()


def answers(n: int, seed: int = 42) -> dict[str, bytes]:
    rnd = random.Random(seed)
    out = {}
    for i in range(n):
        doi = f"10.5555/bench.{i}"
        cited = rnd.sample([j for j in range(n) if j != i], 3)
        refs = [{"key": f"r{k}", "DOI": f"10.5555/bench.{j}", "unstructured": f"Reference {j}"} for k, j in enumerate(cited)]
        refs += [{"key": "x1", "DOI": f"10.9999/elsewhere.{i}.1"}, {"key": "x2", "unstructured": f"Nowhere {i}"}]
        message = {"DOI": doi, "type": "journal-article", "title": [" ".join(rnd.choices(WORDS, k=6)).capitalize()],
                   "author": [{"given": "Ann", "family": f"Author{rnd.randrange(500)}"}],
                   "container-title": ["Journal of Benchmarks"], "issued": {"date-parts": [[1990 + i % 30]]},
                   "reference": refs, "reference-count": len(refs)}
        out[f"/works/{doi}"] = json.dumps({"status": "ok", "message-type": "work", "message": message}).encode()
    return out


def run(n: int, concurrency: int, bodies: dict[str, bytes]) -> dict:
    def route(path: str, headers: dict):
        body = bodies.get(path.split("?")[0])
        return (200, {"Content-Type": "application/json"}, body) if body else (404, {}, b"Resource not found.")

    with LocalServer({"*": route}) as server, tempfile.TemporaryDirectory() as folder:
        settings = NetSettings(crossref=server.url, doi=server.url, arxiv=server.url, openlibrary=server.url,
                               concurrency=concurrency, arxiv_delay=0, retry_wait=0, timeout=10)
        store = Store(Path(folder) / "bench.db")
        try:
            t = time.perf_counter()
            results = add_identifiers(store, [f"10.5555/bench.{i}" for i in range(n)], settings)
            wall = time.perf_counter() - t
            links = store._read("SELECT count(*) FROM citations")[0][0]
            waiting = store._read("SELECT count(*) FROM reference_list WHERE cited_id IS NULL")[0][0]
            unlinked = store._read("SELECT count(*) FROM reference_list WHERE doi LIKE '10.5555/bench.%' "
                                   "AND cited_id IS NULL")[0][0]
        finally:
            store.close()
    return {"wall": wall, "added": sum(r.status == ADDED for r in results), "links": links,
            "waiting": waiting, "unlinked": unlinked}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--n", type=int, default=1000)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--concurrency", type=int, default=4)
    args = ap.parse_args()
    bodies = answers(args.n)
    runs = [run(args.n, args.concurrency, bodies) for _ in range(args.runs)]
    for r in runs:
        print(f"  {r['added']:,} added in {r['wall']:.2f} s = {r['added'] / r['wall']:,.0f} works/s; "
              f"{r['links']:,} links, {r['waiting']:,} references waiting, {r['unlinked']} to run works unlinked")
    rate = statistics.median(r["added"] / r["wall"] for r in runs)
    print(f"add {args.n:,} identifiers from a local server (concurrency {args.concurrency}): "
          f"median {rate:,.0f} works/s over {args.runs} runs")
    assert all(r["unlinked"] == 0 and r["links"] == 3 * args.n for r in runs), "a reference to a run's work was not linked"


if __name__ == "__main__":
    main()
