"""Finding possible duplicates (issue 19): `ibid duplicates`, and what checking for them adds to an import.

    python bench/duplicates_bench.py [--bib FILE.bib] [--million bench/out/1m.db]
                                     [--jsonl bench/out/100000-seed7.jsonl] [--inject 10000]
                                     [--runs 3] [--import-runs 2] [--skip bib,million,full]

Parts (each can be skipped with --skip NAME):
- `bib`: `ibid import` of --bib (default ../shared/data/bench/combined-benchmark.bib) into a new
  catalogue, with duplicate checking and without (alternated, --import-runs each); then
  `ibid duplicates`, `--json` and `--authors` on it, --runs each, and the groups counted.
- `million`: a copy of --million with --inject works added that are duplicates of its own
  (random works again under new keys: the title's case and punctuation changed, the first
  author's name inverted, the same year; every other one keeps its DOI), imported with
  `ibid import` (the summary's possible duplicates counted); then `ibid duplicates` --runs
  times and `--authors` once on it.
- `full`: --jsonl (100,000 works, other titles) imported into a copy of --million with
  duplicate checking and without, alternated, --import-runs each (a fresh copy each run).

"Without" runs the same `ibid import` with the store's duplicate upkeep and check turned into
no-ops (Store._match_works, Store._match_authors, Store._note_duplicates): what the feature
costs, measured on the same code. Every command runs in its own process, timed from outside
(wall, CPU and peak RSS from os.wait4). Copies go to bench/out/ and are deleted after.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import OUT, ROOT, header, median_p95  # noqa: E402

PY = sys.executable
DEFAULT_BIB = (ROOT / ".." / "shared" / "data" / "bench" / "combined-benchmark.bib").resolve()
WITHOUT = ("import sys; from tui.store import Store; "
           "Store._match_works = Store._match_authors = Store._note_duplicates = lambda *a, **k: None; "
           "from tui.cli import main; sys.argv[0] = 'ibid'; main()")
WITH = "import sys; from tui.cli import main; sys.argv[0] = 'ibid'; main()"


def run(args: list[str], check: bool = True, without: bool = False) -> dict:
    """One `ibid ...` in its own process: wall, CPU, peak RSS, output."""
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        t = time.perf_counter()
        proc = subprocess.Popen([PY, "-c", WITHOUT if without else WITH, *args], stdout=out, stderr=err,
                                text=True, cwd=ROOT)
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - t
        code = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        result = {"wall": wall, "cpu": usage.ru_utime + usage.ru_stime, "rss_mb": usage.ru_maxrss / 1024,
                  "out": out.read(), "err": err.read(), "code": code}
    if check and code != 0:
        sys.exit(f"failed ({code}): ibid {' '.join(args)}\n{result['err'][-2000:]}")
    return result


def remove(path: Path) -> None:
    for p in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
        p.unlink(missing_ok=True)


def copy(src: Path, dst: Path) -> None:
    remove(dst)
    shutil.copyfile(src, dst)


def show(label: str, runs: list[dict]) -> None:
    wall, p95 = median_p95([r["wall"] for r in runs])
    cpu, _ = median_p95([r["cpu"] for r in runs])
    rss = max(r["rss_mb"] for r in runs)
    each = " / ".join(f"{r['wall']:.2f}" for r in runs)
    print(f"  {label}: median {wall:.2f} s (p95 {p95:.2f}; runs {each}), CPU {cpu:.2f} s, peak RSS {rss:.0f} MB",
          flush=True)


def compare(label: str, make_db, args_after_db: list[str], runs: int) -> None:
    """Import with and without duplicate checking, alternated, each into a fresh catalogue."""
    timings: dict[bool, list[dict]] = {False: [], True: []}
    for n in range(runs):
        for without in ((False, True) if n % 2 == 0 else (True, False)):
            db = make_db()
            timings[without].append(run(["--db", str(db), *args_after_db], without=without))
            summary = timings[without][-1]["out"].strip().splitlines()[-1]
            print(f"    run {n + 1} {'without' if without else 'with'} checking: {timings[without][-1]['wall']:.1f} s; "
                  f"{summary}", flush=True)
            remove(db)
    show(f"{label}, with duplicate checking", timings[False])
    show(f"{label}, without", timings[True])
    on = median_p95([r["wall"] for r in timings[False]])[0]
    off = median_p95([r["wall"] for r in timings[True]])[0]
    on_cpu = median_p95([r["cpu"] for r in timings[False]])[0]
    off_cpu = median_p95([r["cpu"] for r in timings[True]])[0]
    print(f"  checking adds {100 * (on - off) / off:+.1f}% wall, {100 * (on_cpu - off_cpu) / off_cpu:+.1f}% CPU "
          f"(medians)", flush=True)


def list_groups(db: Path, runs: int) -> None:
    for args in ([], ["--json"], ["--authors"]):
        timings = [run(["--db", str(db), "duplicates", *args]) for _ in range(runs)]
        show(f"ibid duplicates {' '.join(args)}".rstrip(), timings)
        if not args:
            print(f"    {timings[-1]['out'].strip().splitlines()[-1]}")
        elif args == ["--authors"]:
            print(f"    {timings[-1]['out'].strip().splitlines()[-1]}")


def part_bib(bib: Path, runs: int, import_runs: int) -> None:
    print(f"\n## {bib.name}: import with and without duplicate checking, then ibid duplicates", flush=True)
    db = OUT / "dup_bib.db"

    def fresh() -> Path:
        remove(db)
        return db

    compare(f"ibid import {bib.name}", fresh, ["import", str(bib)], import_runs)
    fresh()
    result = run(["--db", str(db), "import", str(bib)])
    print("    " + result["out"].strip().splitlines()[-1])
    list_groups(db, runs)
    remove(db)


def injected(src: Path, n: int, path: Path, seed: int = 7) -> int:
    """A JSON Lines file of `n` works of `src` again: new keys and s2 ids, the title's case and
    punctuation changed, the first author inverted (`Family, Given`), every other one without
    its DOI. Returns how many were written."""
    conn = sqlite3.connect(f"file:{src}?mode=ro", uri=True)
    top = conn.execute("SELECT max(id) FROM works").fetchone()[0]
    rng = random.Random(seed)
    ids = sorted(rng.sample(range(1, top + 1), n))
    rows = []
    for i in range(0, len(ids), 500):
        chunk = ids[i:i + 500]
        rows += conn.execute(f"SELECT id, title, year, venue, doi, author_names FROM works WHERE id IN "
                             f"({','.join('?' * len(chunk))})", chunk).fetchall()
    conn.close()
    with open(path, "w", encoding="utf-8") as out:
        for k, (work_id, title, year, venue, doi, names) in enumerate(rows):
            authors = [a for a in names.split("; ") if a]
            if authors and " " in authors[0]:
                given, _, family = authors[0].rpartition(" ")
                authors[0] = f"{family}, {given}"
            changed = re.sub(r"[:,]", " -", title.upper() if k % 3 == 0 else title.lower()) + "."
            out.write(json.dumps({"s2_id": f"dup{work_id:x}", "doi": doi if k % 2 == 0 else "", "title": changed,
                                  "authors": authors, "venue": venue, "year": year, "abstract": "",
                                  "bibtex": f"@article{{dup{work_id},\n title = {{{changed}}}\n}}\n"}) + "\n")
    return len(rows)


def part_million(million: Path, inject: int, runs: int) -> None:
    print(f"\n## {million.name} with {inject:,} duplicates of its own works added", flush=True)
    db = OUT / "dup_million.db"
    copy(million, db)
    dups = OUT / f"dup_inject_{inject}.jsonl"
    written = injected(db, inject, dups)
    result = run(["--db", str(db), "import", str(dups)])
    print(f"  ibid import of the {written:,} duplicates: {result['wall']:.1f} s; "
          f"{result['out'].strip().splitlines()[-1]}", flush=True)
    list_groups(db, runs)
    remove(db)
    dups.unlink(missing_ok=True)


def part_full(million: Path, jsonl: Path, import_runs: int) -> None:
    print(f"\n## {jsonl.name} into a copy of {million.name}, with and without duplicate checking", flush=True)
    db = OUT / "dup_full.db"

    def fresh() -> Path:
        copy(million, db)
        return db

    compare(f"ibid import {jsonl.name} into {million.name}", fresh, ["import", str(jsonl)], import_runs)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--bib", type=Path, default=DEFAULT_BIB)
    parser.add_argument("--million", type=Path, default=OUT / "1m.db")
    parser.add_argument("--jsonl", type=Path, default=OUT / "100000-seed7.jsonl")
    parser.add_argument("--inject", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--import-runs", type=int, default=2)
    parser.add_argument("--skip", default="")
    args = parser.parse_args()
    skip = set(filter(None, args.skip.split(",")))
    OUT.mkdir(exist_ok=True)
    print(header(), flush=True)
    if "bib" not in skip:
        part_bib(args.bib, args.runs, args.import_runs)
    if "million" not in skip:
        part_million(args.million, args.inject, args.runs)
    if "full" not in skip:
        part_full(args.million, args.jsonl, args.import_runs)
    print(f"\nload average at the end: {', '.join(f'{x:.2f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
