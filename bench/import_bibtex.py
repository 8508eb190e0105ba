"""Time a BibTeX import, stage by stage, into a fresh catalogue.

    python bench/import_bibtex.py [FILE.bib ...] [--runs N] [--keep]

With no FILE it imports ../shared/data/bench/combined-benchmark.bib. For each file and run
it measures, in a fresh Python process (so LaTeX-decoding caches and the heap start cold,
and peak RSS belongs to that run alone):

  1. bibtexparser   `bibtexparser.parse_file(path)` alone: the floor set by the library;
  2. parse_path     `tui.formats.parse_path(path)`: read + bibtexparser + conversion to Works;
  3. import_batch   `Store.import_batch(batch)` into a new, empty catalogue: rows, authors,
                    keywords and the FTS index, one transaction (commit included). The part
                    of it spent in the store's own `INSERT INTO works_fts ... SELECT` is
                    timed too, from SQLite's statement trace (an estimate: the trace marks
                    when each statement starts);
  4. fts rebuild    `INSERT INTO works_fts(works_fts) VALUES('rebuild')` on the catalogue
                    just built, in its own transaction: the time to build the FTS index
                    from scratch over every row.

It prints entries/s for each stage (wall clock, and CPU time of the process, which is
steadier on a shared machine), the works added, problems by kind, and the peak RSS
(resource.getrusage) after each stage; with --runs N, every figure is the median of N.
The catalogue goes to a temporary directory under bench/out/ and is deleted unless --keep.
"""

from __future__ import annotations

import argparse
import importlib
import gc
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import OUT, ROOT, FtsTrace, header, peak_rss_mb  # noqa: E402

DEFAULT_FILE = (ROOT / ".." / "shared" / "data" / "bench" / "combined-benchmark.bib").resolve()
if not DEFAULT_FILE.exists():
    DEFAULT_FILE = Path("/work/shared/data/bench/combined-benchmark.bib")


def workaround_empty_abort_message() -> bool:
    """bibtexparser 2.1's BlockAbortedException never calls Exception.__init__, so its str()
    is ''. Up to 55fb318, tui/formats/bibtex.py's `str(error).splitlines()[0]` raised
    IndexError on the 27 aborted blocks of combined-benchmark.bib (the whole import failed;
    fixed in ba0a626). With --workaround, give the exception a __str__ that returns its
    abort_reason so older checkouts can be measured. Touches bibtexparser only, not tui;
    returns whether it was needed."""
    from bibtexparser.exceptions import BlockAbortedException

    if str(BlockAbortedException(abort_reason="x")):
        return False
    BlockAbortedException.__str__ = lambda self: str(getattr(self, "abort_reason", "") or "block aborted")
    return True


def one_run(path: Path, keep: bool, trace: bool, workaround: bool) -> dict:
    """All four stages on one file, in this process; returns the figures."""
    import logging

    import bibtexparser

    importlib.import_module("tui.formats.bibtex")  # sets bibtexparser logging as ibid runs it
    from tui.formats import parse_path
    from tui.store import Store

    # tui.formats.bibtex silences bibtexparser's per-block log lines (it reports them itself);
    # importing it above did that for stage 1 too, so both stages pay the same logging cost.
    assert logging.getLogger("bibtexparser").level == logging.CRITICAL
    out: dict = {"file": str(path), "bytes": path.stat().st_size}
    out["workaround"] = workaround_empty_abort_message() if workaround else False

    t, c = time.perf_counter(), time.process_time()
    library = bibtexparser.parse_file(str(path))
    out["bibtexparser_s"] = time.perf_counter() - t
    out["bibtexparser_cpu"] = time.process_time() - c
    out["bibtexparser_entries"] = len(library.entries)
    out["bibtexparser_failed_blocks"] = len(library.failed_blocks)
    out["rss_after_bibtexparser_mb"] = peak_rss_mb()
    del library
    gc.collect()

    t, c = time.perf_counter(), time.process_time()
    batch = parse_path(path)
    out["parse_path_s"] = time.perf_counter() - t
    out["parse_path_cpu"] = time.process_time() - c
    out["batch_works"] = len(batch.works)
    out["rss_after_parse_path_mb"] = peak_rss_mb()

    OUT.mkdir(exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix="import-bibtex-", dir=OUT))
    db = tmp / "catalog.db"
    store = Store(db)  # empty: migrations only, no seeds
    t, c = time.perf_counter(), time.process_time()
    if trace:
        with FtsTrace(store.conn) as fts:
            summary = store.import_batch(batch)
    else:
        summary = store.import_batch(batch)
    out["import_batch_s"] = time.perf_counter() - t
    out["import_batch_cpu"] = time.process_time() - c
    out["import_fts_insert_s"] = fts.total if trace else None
    out["added"] = summary.added
    out["citations"] = summary.citations
    out["problems"] = dict(Counter(p.kind for p in summary.problems))
    out["rss_after_import_mb"] = peak_rss_mb()
    del batch
    gc.collect()

    conn = store.conn
    t, c = time.perf_counter(), time.process_time()
    conn.execute("BEGIN IMMEDIATE")
    conn.execute("INSERT INTO works_fts(works_fts) VALUES('rebuild')")
    conn.execute("COMMIT")
    out["fts_rebuild_s"] = time.perf_counter() - t
    out["fts_rebuild_cpu"] = time.process_time() - c
    out["fts_rows"] = conn.execute("SELECT count(*) FROM works").fetchone()[0]
    out["rss_after_fts_rebuild_mb"] = peak_rss_mb()
    store.close()
    out["db_mb"] = sum(f.stat().st_size for f in tmp.iterdir()) / 1e6
    if keep:
        out["db"] = str(db)
    else:
        shutil.rmtree(tmp, ignore_errors=True)
    return out


def rate(n: int, seconds: float | None) -> str:
    if not seconds:
        return "       -"
    return f"{n / seconds:8,.0f}/s"


def report(runs: list[dict]) -> None:
    """Print the medians of a file's runs."""
    def med(key: str) -> float | None:
        values = [r[key] for r in runs if r.get(key) is not None]
        return statistics.median(values) if values else None

    r0 = runs[-1]
    n_entries, n_works, n_rows = r0["bibtexparser_entries"], r0["batch_works"], r0["fts_rows"]
    print(f"\n== {r0['file']}  ({r0['bytes'] / 1e6:.1f} MB; median of {len(runs)} run{'s' * (len(runs) > 1)})")
    print(f"   bibtexparser: {n_entries:,} entries, {r0['bibtexparser_failed_blocks']:,} failed blocks; "
          f"parse_path: {n_works:,} works; catalogue: {n_rows:,} works, {r0['db_mb']:.1f} MB")
    both = [(med("parse_path_s") or 0) + (med("import_batch_s") or 0),
            (med("parse_path_cpu") or 0) + (med("import_batch_cpu") or 0)]
    rows = [
        ("bibtexparser.parse_file", med("bibtexparser_s"), med("bibtexparser_cpu"), n_entries,
         "rss_after_bibtexparser_mb"),
        ("parse_path (parse+convert)", med("parse_path_s"), med("parse_path_cpu"), n_works,
         "rss_after_parse_path_mb"),
        ("Store.import_batch", med("import_batch_s"), med("import_batch_cpu"), n_works, "rss_after_import_mb"),
        ("  of which FTS INSERT..SELECT", med("import_fts_insert_s"), None, n_rows, None),
        ("parse_path + import_batch", both[0], both[1], n_works, None),
        ("FTS rebuild (whole index)", med("fts_rebuild_s"), med("fts_rebuild_cpu"), n_rows,
         "rss_after_fts_rebuild_mb"),
    ]
    print(f"   {'stage':<30} {'wall s':>8} {'rate':>12} {'CPU s':>8} {'rate (CPU)':>12}   {'peak RSS so far':>15}")
    for name, seconds, cpu, n, rss_key in rows:
        secs = f"{seconds:8.2f}" if seconds is not None else "       -"
        cpus = f"{cpu:8.2f}" if cpu is not None else "       -"
        rss = f"{med(rss_key):10.0f} MB" if rss_key else ""
        print(f"   {name:<30} {secs} {rate(n, seconds):>12} {cpus} {rate(n, cpu):>12}   {rss:>15}")
    print(f"   works added: {r0['added']:,}; citation links: {r0['citations']:,}")
    if r0.get("workaround"):
        print("   NOTE: --workaround: patched bibtexparser's BlockAbortedException.__str__ (empty message)")
    problems = r0["problems"]
    print("   problems by kind: " + (", ".join(f"{k} {v:,}" for k, v in sorted(problems.items())) or "none"))
    if len(runs) > 1:
        for key in ("bibtexparser_s", "parse_path_s", "import_batch_s", "fts_rebuild_s"):
            print(f"   runs {key:<16}: " + ", ".join(f"{r[key]:.2f}" for r in runs))
    for r in runs:
        if r.get("db"):
            print(f"   kept: {r['db']}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("files", nargs="*", type=Path, help=f"BibTeX files (default: {DEFAULT_FILE})")
    ap.add_argument("--runs", type=int, default=1, help="repetitions per file; figures are medians")
    ap.add_argument("--keep", action="store_true", help="keep the catalogues under bench/out/")
    ap.add_argument("--no-trace", action="store_true",
                    help="do not trace SQL statements (drops the FTS INSERT..SELECT estimate)")
    ap.add_argument("--workaround", action="store_true",
                    help="patch bibtexparser's empty BlockAbortedException message, for checkouts "
                         "before ba0a626 whose parse_path raises IndexError on this file")
    ap.add_argument("--json", action="store_true", help="also print every run as JSON")
    ap.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args()
    files = args.files or [DEFAULT_FILE]

    if args.child:  # one run of one file, figures as JSON on stdout
        print(json.dumps(one_run(files[0], args.keep, not args.no_trace, args.workaround)))
        return

    print(header())
    for path in files:
        if not path.is_file():
            print(f"{path}: no such file", file=sys.stderr)
            sys.exit(1)
        runs = []
        for i in range(args.runs):
            cmd = [sys.executable, __file__, "--child", str(path)]
            cmd += ["--keep"] * args.keep + ["--no-trace"] * args.no_trace
            cmd += ["--workaround"] * args.workaround
            t = time.perf_counter()
            proc = subprocess.run(cmd, capture_output=True, text=True)
            if proc.returncode != 0:
                print(f"   run {i + 1} failed (exit {proc.returncode}):", file=sys.stderr)
                print(proc.stderr[-3000:], file=sys.stderr)
                sys.exit(proc.returncode)
            runs.append(json.loads(proc.stdout.strip().splitlines()[-1]))
            print(f"   run {i + 1}/{args.runs}: {time.perf_counter() - t:.1f} s wall (process included)", flush=True)
            if args.json:
                print("   " + json.dumps(runs[-1]))
        report(runs)


if __name__ == "__main__":
    main()
