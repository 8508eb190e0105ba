"""The manuscript's last step at scale: `ibid export --cited-in` of a manuscript citing K keys,
and the rewrite of a kept export of W works after an edit.

    python bench/cited_bench.py CATALOGUE.db [--keys 300] [--works 5000] [--runs 5]

- `--cited-in`: an .aux citing --keys random keys of the catalogue (and 5 it lacks), exported by
  `ibid export --cited-in` in its own process (wall, median of --runs), and the selection alone
  in this process (`tui.keep.cited_selection`).
- kept export: a copy of the catalogue holds a kept export of --works works (an .aux citing
  them); an edit's commit (`Store.update_work`) is timed with it kept and without (the rewrite
  is not in the commit: the browser does it in a worker), then the rewrite itself
  (`tui.keep.refresh`), which is what the worker spends.
"""

from __future__ import annotations

import argparse
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tui.keep import cited_selection, refresh  # noqa: E402
from tui.store import KeptExport, Store  # noqa: E402

IBID = str(Path(sys.executable).parent / "ibid")


def sample_keys(db: Path, n: int, seed: int = 42) -> list[str]:
    with Store(db, read_only=True) as store:
        top = store.newest_id()
        ids = random.Random(seed).sample(range(1, top + 1), min(n * 2, top))
        return [r.key for r in store.refs(ids).values()][:n]


def aux(folder: Path, name: str, keys: list[str]) -> Path:
    path = folder / name
    path.write_text("\\relax\n" + "".join(f"\\citation{{{k}}}\n" for k in keys))
    return path


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("db", type=Path)
    ap.add_argument("--keys", type=int, default=300)
    ap.add_argument("--works", type=int, default=5000)
    ap.add_argument("--runs", type=int, default=5)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(dir=ROOT / "bench" / "out") as tmp:
        folder = Path(tmp)
        keys = sample_keys(args.db, args.keys)
        manuscript = aux(folder, "paper.aux", keys + [f"nosuchkey{i}" for i in range(5)])
        walls = []
        for _ in range(args.runs):
            t = time.perf_counter()
            proc = subprocess.run([IBID, "--read-only", "--db", str(args.db), "export", "--cited-in", str(manuscript)],
                                  capture_output=True, text=True)
            walls.append(time.perf_counter() - t)
        exported = proc.stdout.count("\n@")
        with Store(args.db, read_only=True) as store:
            sel = []
            for _ in range(args.runs):
                t = time.perf_counter()
                selection = cited_selection(store, [manuscript])
                sel.append(time.perf_counter() - t)
        print(f"--cited-in {args.keys} keys (+5 missing): ibid export wall median {statistics.median(walls):.2f} s "
              f"(runs {', '.join(f'{w:.2f}' for w in walls)}); selection alone {statistics.median(sel) * 1000:.0f} ms; "
              f"{len(selection.ids or [])} works, {len(selection.missing)} missing; exit {proc.returncode}, "
              f"{exported + (1 if proc.stdout.startswith('@') else 0)} entries")
        copy = folder / "copy.db"
        shutil.copy(args.db, copy)
        many = aux(folder, "thesis.aux", sample_keys(args.db, args.works, seed=7))
        out = folder / "thesis.bib"
        with Store(copy) as store:
            ids = [r for r in store.refs(range(1, 200))]
            work = store.work_by_id(ids[0])

            def commits(n: int = 30) -> list[float]:
                times = []
                for i in range(n):
                    work.title = f"Edited title {i}"
                    t = time.perf_counter()
                    store.update_work(work.id, work, remember=False)
                    times.append(time.perf_counter() - t)
                return times

            plain = commits()
            store.keep_export(KeptExport(str(out), "bibtex", "", [str(many)]))
            kept = commits()
            rewrites = []
            for i in range(args.runs):
                work.title = f"Edited again {i}"
                store.update_work(work.id, work, remember=False)
                t = time.perf_counter()
                refresh(store)
                rewrites.append(time.perf_counter() - t)
        print(f"kept export of {args.works:,} works: an edit's commit median {statistics.median(plain) * 1000:.1f} ms "
              f"without, {statistics.median(kept) * 1000:.1f} ms with it kept; the rewrite (off the UI thread) "
              f"median {statistics.median(rewrites):.2f} s (runs {', '.join(f'{r:.2f}' for r in rewrites)}); "
              f"{out.stat().st_size:,} bytes")


if __name__ == "__main__":
    main()
