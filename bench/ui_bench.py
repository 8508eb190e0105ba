"""Time the browser on a catalogue: first paint, keystroke -> list, open a work, End, memory.

    python bench/ui_bench.py CATALOGUE.db [--runs N] [--tmux]

Headless (Textual `run_test`, the real app and its workers) it measures:
- startup: from `App.run_test` entering to the list and the first work's record page shown;
- keystroke -> list: each prefix of a few queries typed into the search box, from the
  keystroke to the list showing that query's hits (the app coalesces keystrokes, so this
  is what a user sees);
- open a work: the record page's store work (work, citations, references, similar, stats)
  for random works, in the store, and through the UI (from `open` to the page shown);
- End: from the key to the last row drawn and its record page shown;
- RSS after scrolling through the list.
With `--tmux`, first paint is also measured from the command line in a real terminal:
`ibid --db CATALOGUE` started in tmux until the first work's title is on screen.
Prints median and p95 of each; nothing is asserted.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tui.app import IbidApp  # noqa: E402
from tui.screens.main import MainScreen, load_page  # noqa: E402
from tui.store import Store  # noqa: E402
from tui.widgets.work_list import WorkList  # noqa: E402

QUERIES = ["model", "th", "network analysis", "author:a", "year:2001..2010 theory", "x"]


def stats(name: str, values: list[float], unit: str = "ms") -> None:
    if not values:
        print(f"{name:<44} (no samples)")
        return
    values = sorted(values)
    p95 = values[min(len(values) - 1, int(round(0.95 * (len(values) - 1))))]
    print(f"{name:<44} median {statistics.median(values):8.1f} {unit}   p95 {p95:8.1f} {unit}   n={len(values)}")


async def until(pilot, predicate, timeout: float = 60.0) -> None:
    start = time.perf_counter()
    while not predicate():
        await pilot.pause()
        if time.perf_counter() - start > timeout:
            raise TimeoutError("the app did not get there in time")


def rss_mb() -> float:
    with open(f"/proc/{os.getpid()}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


async def headless(path: Path, runs: int) -> None:
    startup, keystroke, ui_open, end_key = [], [], [], []
    for run in range(runs):
        app = IbidApp(Store(path, read_only=True))
        t0 = time.perf_counter()
        async with app.run_test(size=(160, 45)) as pilot:
            await until(pilot, lambda: isinstance(app.screen, MainScreen) and app.screen.page is not None)
            startup.append((time.perf_counter() - t0) * 1000)
            main: MainScreen = app.screen
            works = main.query_one(WorkList)

            # keystroke -> the list shows that query's hits
            shown: dict[str, float] = {}
            original = main._list_ready

            def ready(query, sort, refresh, source, _orig=original):
                _orig(query, sort, refresh, source)
                if main._search_next is None and source is not None:
                    shown[query] = time.perf_counter()

            main._list_ready = ready
            for query in QUERIES:
                await pilot.press("slash")
                search = main.query_one("#search")
                for i in range(1, len(query) + 1):
                    typed = query[:i]
                    t = time.perf_counter()
                    search.value = typed
                    await until(pilot, lambda: typed in shown or main._search_next is not None
                                and main._search_next[0] != typed)
                    if typed in shown:
                        keystroke.append((shown.pop(typed) - t) * 1000)
                await pilot.press("escape")
                await until(pilot, lambda: "" in shown)
                shown.clear()

            # open works through the UI
            rng = random.Random(run)
            total = works.total
            for _ in range(20):
                work_id = rng.randint(1, total)
                t = time.perf_counter()
                main.open(("work", work_id))
                await until(pilot, lambda: main.page is not None and main.page.work.id == work_id)
                ui_open.append((time.perf_counter() - t) * 1000)

            # End: the millionth row and its record page
            works.focus()
            t = time.perf_counter()
            await pilot.press("end")
            await until(pilot, lambda: works.row(works.total - 1) is not None and main.page is not None
                        and main.page.work.id == works.row(works.total - 1).id)
            end_key.append((time.perf_counter() - t) * 1000)
            await pilot.press("home")
            for _ in range(200):
                await pilot.press("pagedown")
            await until(pilot, lambda: works.row(works.cursor) is not None)
        app.store.close()
    stats("startup: list + first record (headless)", startup)
    stats("keystroke -> list shows that query", keystroke)
    stats("open a work through the UI", ui_open)
    stats("End -> last row and its record", end_key)
    print(f"{'RSS after scrolling (this process)':<44} {rss_mb():8.1f} MB   "
          f"peak {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.1f} MB")


def store_open(path: Path, n: int = 100) -> None:
    store = Store(path, read_only=True)
    total = store.count()
    rng = random.Random(7)
    page, sim = [], []
    from tui.similar import similar

    for _ in range(n):
        work_id = rng.randint(1, total)
        t = time.perf_counter()
        load_page(store, work_id)
        page.append((time.perf_counter() - t) * 1000)
        t = time.perf_counter()
        similar(store, work_id)
        sim.append((time.perf_counter() - t) * 1000)
    stats("open a work in the store (load_page)", page)
    stats("similar works alone, in the store", sim)
    store.close()


def tmux_first_paint(path: Path, runs: int) -> None:
    if not shutil.which("tmux"):
        print("tmux first paint: tmux not found, skipped")
        return
    exe = shutil.which("ibid") or str(Path(sys.executable).parent / "ibid")
    store = Store(path, read_only=True)
    first = store.browse("added", 0, 1)[0].title[:30]
    store.close()
    times = []
    for _ in range(runs):
        sock = f"ibid-bench-{uuid.uuid4().hex[:8]}"
        tmux = ["tmux", "-L", sock, "-f", "/dev/null"]
        with tempfile.TemporaryDirectory() as tmp:
            t = time.perf_counter()
            subprocess.run(tmux + ["new-session", "-d", "-x", "160", "-y", "45", "-s", "b",
                                   f"{exe} --db {path.resolve()} --read-only"], check=True, cwd=tmp)
            try:
                while True:
                    screen = subprocess.run(tmux + ["capture-pane", "-p", "-t", "b"], capture_output=True,
                                            text=True).stdout
                    if screen.count(first) >= 2:  # in the list and as the record's title
                        times.append((time.perf_counter() - t) * 1000)
                        break
                    if time.perf_counter() - t > 60:
                        print("tmux first paint: timed out")
                        break
                    time.sleep(0.01)
            finally:
                subprocess.run(tmux + ["kill-server"], capture_output=True)
    stats("first paint in tmux (command -> record shown)", times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("db", type=Path)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--tmux", action="store_true")
    args = parser.parse_args()
    print(f"$ {' '.join(sys.argv)}")
    print(f"load average {os.getloadavg()[0]:.2f}; catalogue {args.db} "
          f"({args.db.stat().st_size / 2**20:.0f} MB)")
    store = Store(args.db, read_only=True)
    print(f"{store.count():,} works")
    store.close()
    if args.tmux:
        tmux_first_paint(args.db, max(args.runs, 5))
    store_open(args.db)
    asyncio.run(headless(args.db, args.runs))


if __name__ == "__main__":
    main()
