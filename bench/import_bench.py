"""Import throughput, as a user runs it: `ibid import` in its own process, timed from outside.

    python bench/import_bench.py [--sizes 10000,100000,1000000] [--runs 3] [--big-runs 1]
                                 [--full 100000] [--bib FILE.bib] [--edits 200] [--skip ...]

Parts (each can be skipped with --skip NAME):
- `empty`: `ibid --db NEW import bench/out/N.jsonl` into a new, empty catalogue (schema made by
  `Store`, no seed works), for each N in --sizes; the JSON Lines come from
  `bench/generate.py N bench/out/N.jsonl` (made here when missing). --runs runs below 1M,
  --big-runs at 1M and above;
- `full`: --full works (a file made with `generate.py --seed 7`: other keys, other titles) imported
  into a copy of the largest catalogue `empty` made (the copy is deleted after);
- `bibtex`: `ibid import` of --bib (default ../shared/data/bench/combined-benchmark.bib) into a
  new catalogue, and `bibtexparser.parse_file` of the same file alone, each in its own process;
- `edits`: `Store.update_work` (a changed title, as `ibid edit` or the browser's editor saves it)
  on --edits random works of the largest catalogue: p50 and p95 of the commit.

Each process is timed from outside: wall clock, and the CPU time and peak RSS the kernel
reports for it (`os.wait4`). Rates are works (or entries) a second, on wall and on CPU time.
Prints medians (and every run). Catalogues go to bench/out/ and are deleted unless --keep.
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import OUT, ROOT, header, median_p95  # noqa: E402

DEFAULT_BIB = (ROOT / ".." / "shared" / "data" / "bench" / "combined-benchmark.bib").resolve()
PY = sys.executable
IBID = str(Path(sys.executable).parent / "ibid")


def measured(cmd: list[str]) -> dict:
    """Wall, CPU and peak RSS of one child process, from os.wait4."""
    import tempfile

    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        t = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=out, stderr=err, text=True)
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - t
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        return {"wall": wall, "cpu": usage.ru_utime + usage.ru_stime, "rss_mb": usage.ru_maxrss / 1024,
                "out": out.read(), "err": err.read(), "code": proc.returncode}


def new_catalogue(path: Path) -> None:
    """An empty catalogue: the schema only (no seed works, unlike a new `ibid` catalogue)."""
    for p in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
        p.unlink(missing_ok=True)
    code = f"from tui.store import Store; Store({str(path)!r}).close()"
    subprocess.run([PY, "-c", code], check=True, cwd=ROOT)


def remove(path: Path) -> None:
    for p in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
        p.unlink(missing_ok=True)


def jsonl_file(n: int, seed: int = 42) -> Path:
    path = OUT / (f"{n}.jsonl" if seed == 42 else f"{n}-seed{seed}.jsonl")
    if not path.exists():
        print(f"  making {path.name} (bench/generate.py) ...", flush=True)
        subprocess.run([PY, str(ROOT / "bench" / "generate.py"), str(n), str(path), "--seed", str(seed)],
                       check=True, cwd=ROOT, stdout=subprocess.DEVNULL)
    return path


def line(label: str, n: int, runs: list[dict]) -> str:
    walls = [r["wall"] for r in runs]
    cpus = [r["cpu"] for r in runs]
    w, c = statistics.median(walls), statistics.median(cpus)
    rss = max(r["rss_mb"] for r in runs)
    each = " / ".join(f"{x:.1f}" for x in walls)
    return (f"{label:44s} {w:8.1f} s {n / w:9,.0f}/s   CPU {c:7.1f} s {n / c:9,.0f}/s   "
            f"peak RSS {rss:6.0f} MB   (runs, wall s: {each})")


def import_runs(file: Path, db: Path, runs: int, fresh: bool = True, base: Path | None = None) -> list[dict]:
    out = []
    for _ in range(runs):
        if base is not None:
            remove(db)
            shutil.copyfile(base, db)
        elif fresh:
            new_catalogue(db)
        r = measured([IBID, "--db", str(db), "import", str(file)])
        if r["code"] != 0:
            sys.exit(f"ibid import failed ({r['code']}):\n{r['err'][-2000:]}")
        out.append(r)
    print(f"    {r['out'].strip()}")
    return out


def checkpoint(db: Path) -> None:
    code = ("import sqlite3, sys; c = sqlite3.connect(sys.argv[1]); "
            "c.execute('PRAGMA wal_checkpoint(TRUNCATE)'); c.close()")
    subprocess.run([PY, "-c", code, str(db)], check=True)


def edits(db: Path, n: int) -> None:
    """update_work on random works: the time to commit an edit, as the browser's editor does."""
    sys.path.insert(0, str(ROOT))
    from tui.store import Store

    store = Store(db)
    top = store._read("SELECT max(id) FROM works")[0][0]
    rng = random.Random(1)
    times = []
    for i in range(n):
        work = None
        while work is None:
            try:
                work = store.work_by_id(rng.randint(1, top))
            except Exception:
                work = None
        work.title = f"{work.title} (edited {i})"
        t = time.perf_counter()
        store.update_work(work.id, work)
        times.append((time.perf_counter() - t) * 1000)
    store.close()
    med, p95 = median_p95(times)
    print(f"  Store.update_work on {db.name} ({top:,} works), {n} edits: p50 {med:.1f} ms, p95 {p95:.1f} ms, "
          f"max {max(times):.1f} ms")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", default="10000,100000,1000000")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--big-runs", type=int, default=1)
    ap.add_argument("--full", type=int, default=100000)
    ap.add_argument("--bib", type=Path, default=DEFAULT_BIB)
    ap.add_argument("--edits", type=int, default=200)
    ap.add_argument("--skip", default="", help="comma-separated: empty,full,bibtex,edits")
    ap.add_argument("--keep", action="store_true", help="keep the catalogues made in bench/out/")
    args = ap.parse_args()
    skip = set(filter(None, args.skip.split(",")))
    OUT.mkdir(exist_ok=True)
    print(header(), flush=True)
    sizes = [int(s) for s in args.sizes.split(",") if s]
    largest = None

    if "empty" not in skip:
        print("JSON Lines into an empty catalogue (ibid import, one process a run):", flush=True)
        for n in sizes:
            file = jsonl_file(n)
            db = OUT / f"import-{n}.db"
            runs = import_runs(file, db, args.runs if n < 1_000_000 else args.big_runs)
            print(line(f"  {n:,} works ({file.stat().st_size / 1e6:,.0f} MB)", n, runs), flush=True)
            checkpoint(db)
            print(f"    catalogue {db.stat().st_size / 1e6:,.0f} MB", flush=True)
            if largest is not None and not args.keep:
                remove(largest)
            largest = db
    else:
        found = sorted(OUT.glob("import-*.db"), key=lambda p: int(p.stem.split("-")[1]))
        largest = found[-1] if found else None

    if "full" not in skip and largest is not None:
        file = jsonl_file(args.full, seed=7)
        copy = OUT / f"{largest.stem}-plus.db"
        print(f"JSON Lines into a full catalogue: {args.full:,} works (seed 7) into a copy of {largest.name}:",
              flush=True)
        runs = import_runs(file, copy, 1, base=largest)
        print(line(f"  {args.full:,} works into {largest.name}", args.full, runs), flush=True)
        if "edits" not in skip:
            edits(copy, args.edits)
            skip.add("edits")
        remove(copy)

    if "edits" not in skip and largest is not None:
        edits(largest, args.edits)

    if "bibtex" not in skip:
        print(f"BibTeX: {args.bib.name} ({args.bib.stat().st_size / 1e6:.1f} MB), one process a run:", flush=True)
        code = ("import bibtexparser, sys; lib = bibtexparser.parse_file(sys.argv[1]); "
                "print(len(lib.entries), len(lib.failed_blocks))")
        alone = [measured([PY, "-c", code, str(args.bib)]) for _ in range(args.runs)]
        entries = int(alone[0]["out"].split()[0])
        print(line(f"  bibtexparser.parse_file alone ({entries:,} entries)", entries, alone), flush=True)
        db = OUT / "import-bib.db"
        runs = import_runs(args.bib, db, args.runs)
        print(line("  ibid import (parse, convert, store, FTS)", entries, runs), flush=True)
        if not args.keep:
            remove(db)

    if not args.keep and largest is not None:
        remove(largest)


if __name__ == "__main__":
    main()
