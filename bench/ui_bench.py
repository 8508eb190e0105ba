"""Time the browser on catalogues: every figure of issue 5 but import, as median and p95.

    python bench/ui_bench.py CATALOGUE.db [CATALOGUE.db ...] [--runs N] [--tmux] [--edits]
                             [--json OUT.json]

Headless (Textual `App.run_test`: the real app, its workers, its compositor; nothing
stubbed) it measures, on each catalogue:
- startup: from `App.run_test` entering to the list and the first work's record page shown;
- keystroke -> first results / ranked results: each prefix of a few queries (one and two
  letters, prefixes, the most frequent words, a qualifier, a year range) set in the search
  box, to the first frame drawn after the list shows that query's hits: the first hits the
  app shows (the newest matches, unranked), and the hits in their final order (relevance).
  Each letter waits for the ranked list of the one before (no coalescing helps);
- search in the store alone: `search_newest` (the first page) and `search_ids` (ranked);
- open a work: the record page's store work (`load_page`: work, citations, references,
  similar, stats) for random works, similar alone, and through the UI (from `open` to the
  first frame drawn after the page is shown);
- scrolling: `down` and `pagedown` from random places in the list, and jumps of the
  scroll position to random places (dragging the scrollbar): from the action to the next
  frame drawn, the CPU cost of that frame (the compositor's refresh: layout, every dirty
  line rendered, the update written), and, for jumps, to the frame that shows the rows (not
  placeholders) of the new place;
- End: from the key to the last row drawn and its record page shown;
- RSS of this process after all that (the app runs in it);
- with `--edits`: a copy of the catalogue (under bench/out/, deleted after; flushed to the
  disk before timing) takes `Store.update_work` (an abstract edited), `cite` and `uncite`,
  0.1 s apart as a person edits: each to its commit; then update_work back to back; then
  update_work 0.5 s apart, far enough for the full-text index to catch up between edits (the
  store re-indexes edited works on a background thread INDEX_DELAY after the last edit), with
  the time of each of those catch-ups;
- with `--tmux`: first paint from the command line in a real terminal (`ibid --db
  CATALOGUE --read-only` in a private tmux server, its package's bytecode compiled as after
  a first start, until the first work's title shows in
  the list and on the record page), and the RSS of that `ibid` process after it has
  paged down 100 screens and jumped to the end.

Goals (issue 5) are printed beside each figure. With several catalogues, a last table gives
every figure side by side: the scaling curve. Nothing is asserted.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import resource
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import OUT, header  # noqa: E402
from tui.app import IbidApp  # noqa: E402
from tui.listing import SEARCH_CAP  # noqa: E402
from tui.screens.main import MainScreen, load_page  # noqa: E402
from tui.store import Store  # noqa: E402
from tui.store.index import INDEX_DELAY  # noqa: E402
from tui.widgets.work_list import WorkList  # noqa: E402

# typed a letter at a time: one letter, two letters, prefixes, the most frequent words
QUERIES = ["model", "th", "the", "of the", "network analysis", "author:a", "year:2001..2010 theory", "x"]

GOALS = {
    "first paint in tmux": "<= 1000",
    "keystroke -> first results on screen": "p95 <= 50",
    "keystroke -> ranked results on screen": "p95 <= 150",
    "open a work (store, load_page)": "p95 <= 100",
    "similar alone (store)": "p95 <= 30",
    "open a work (UI, to the frame)": "p95 <= 100",
    "scroll down: key -> frame": "p50 <= 16.7, p95 <= 33.3",
    "scroll pagedown: key -> frame": "p50 <= 16.7, p95 <= 33.3",
    "scroll jump: -> first frame": "p50 <= 16.7, p95 <= 33.3",
    "End -> last row + its record": "<= 300",
    "edit: update_work commit (0.1 s apart)": "p95 <= 2",
    "edit: cite commit (0.1 s apart)": "p95 <= 2",
    "edit: update_work, back to back": "p95 <= 2",
    f"edit: update_work, {INDEX_DELAY + 0.3:g} s apart": "p95 <= 2",
    "RSS (ibid in tmux, after paging)": "<= 150 MB",
    "RSS (this process, after all)": "<= 150 MB",
}

RESULTS: dict[str, dict[str, tuple[float, float, int]]] = {}  # catalogue -> figure -> (median, p95, n)


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(0.95 * len(ordered) + 0.5) - 1))]


def stats(db: str, name: str, values: list[float], unit: str = "ms") -> None:
    if not values:
        print(f"  {name:<44} (no samples)")
        return
    med, high = statistics.median(values), p95(values)
    RESULTS.setdefault(db, {})[name] = (med, high, len(values))
    goal = GOALS.get(name, "")
    print(f"  {name:<44} median {med:8.1f} {unit}   p95 {high:8.1f} {unit}   n={len(values):<4} {goal}",
          flush=True)


def single(db: str, name: str, value: float, unit: str = "MB") -> None:
    RESULTS.setdefault(db, {})[name] = (value, value, 1)
    print(f"  {name:<44} {value:8.1f} {unit}   {GOALS.get(name, '')}", flush=True)


async def until(pilot, predicate, timeout: float = 60.0) -> None:
    start = time.perf_counter()
    while not predicate():
        await pilot.pause()
        if time.perf_counter() - start > timeout:
            raise TimeoutError("the app did not get there in time")


def rss_mb(pid: int | str = "self") -> float:
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


class Frames:
    """Watches the app draw: the time of each frame handed to the (headless) driver, and the
    duration of each compositor refresh (the CPU a frame costs)."""

    def __init__(self, app: IbidApp) -> None:
        self.app = app
        self.count = 0
        self.last = 0.0
        self.times: list[float] = []  # times[k] is when frame k + 1 was drawn
        self.costs: list[float] = []
        display = app._display

        def _display(screen, renderable, _display=display):
            _display(screen, renderable)
            if renderable is not None:
                self.count += 1
                self.last = time.perf_counter()
                self.times.append(self.last)

        app._display = _display
        self._screens: set[int] = set()

    def watch(self, screen) -> None:
        if id(screen) in self._screens:
            return
        self._screens.add(id(screen))
        refresh = screen._compositor_refresh

        def _compositor_refresh(_refresh=refresh):
            t = time.perf_counter()
            _refresh()
            self.costs.append((time.perf_counter() - t) * 1000)

        screen._compositor_refresh = _compositor_refresh

    async def next_after(self, pilot, mark: int, timeout: float = 30.0) -> float:
        """Wait for a frame after frame number `mark`; the time of the first such frame."""
        await until(pilot, lambda: self.count > mark, timeout)
        return self.times[mark]

    after = next_after


async def headless(db: str, path: Path, runs: int) -> None:
    startup, first, ranked, ui_open, end_key = [], [], [], [], []
    down, pagedown, jump_first, jump_rows, frame_cost = [], [], [], [], []
    for run in range(runs):
        app = IbidApp(Store(path, read_only=True))
        t0 = time.perf_counter()
        async with app.run_test(size=(160, 45)) as pilot:
            frames = Frames(app)
            await until(pilot, lambda: isinstance(app.screen, MainScreen) and app.screen.page is not None)
            startup.append((time.perf_counter() - t0) * 1000)
            main: MainScreen = app.screen
            frames.watch(main)
            works = main.query_one(WorkList)

            # keystroke -> the list shows that query's hits: first (maybe unranked), then ranked
            shown: dict[str, list[tuple[str, float, int]]] = {}
            original_ready, original_quick = main._list_ready, getattr(main, "_list_quick", None)

            def ready(query, sort, refresh, source, _orig=original_ready):
                _orig(query, sort, refresh, source)
                if works.source is source and source is not None:
                    shown.setdefault(query, []).append(("ranked", time.perf_counter(), frames.count))

            def quick(query, sort, serial, source, _orig=original_quick):
                _orig(query, sort, serial, source)
                if works.source is source:
                    shown.setdefault(query, []).append(("first", time.perf_counter(), frames.count))

            main._list_ready = ready
            if hasattr(main, "_list_quick"):  # (not in checkouts before the quick first page)
                main._list_quick = quick
            for query in QUERIES:
                await pilot.press("slash")
                search = main.query_one("#search")
                for i in range(1, len(query) + 1):
                    typed = query[:i]
                    if not typed.strip() or typed.endswith(" "):
                        search.value = typed
                        await until(pilot, lambda: any(k == "ranked" for k, _, _ in shown.get(typed, [])))
                        shown.clear()
                        continue
                    t = time.perf_counter()
                    search.value = typed
                    await until(pilot, lambda: any(k == "ranked" for k, _, _ in shown.get(typed, [])))
                    events = shown.pop(typed)
                    # the frame drawn after the list was set: first results, then ranked ones
                    first.append((await frames.after(pilot, events[0][2]) - t) * 1000)
                    ranked.append((await frames.after(pilot, events[-1][2]) - t) * 1000)
                    shown.clear()
                await pilot.press("escape")
                await until(pilot, lambda: "" in shown)
                shown.clear()

            # open works through the UI, to the frame that shows the page
            rng = random.Random(run)
            total = works.total
            pages: dict[int, int] = {}  # work id -> frame count when its page was put up
            original_detail = main._detail_ready

            def detail_ready(visit, page, *built, _orig=original_detail):
                _orig(visit, page, *built)  # (the page's lines, built in the worker, since b00e8ff)
                if main.page is page:
                    pages[page.work.id] = frames.count

            main._detail_ready = detail_ready
            for _ in range(20):
                work_id = rng.randint(1, total)
                pages.pop(work_id, None)
                t = time.perf_counter()
                main.open(("work", work_id))
                await until(pilot, lambda: work_id in pages)
                ui_open.append((await frames.next_after(pilot, pages[work_id]) - t) * 1000)

            # scrolling: from random places, down and pagedown; jumps of the scroll position
            works.focus()
            await pilot.pause()
            for _ in range(15):
                works.cursor = rng.randrange(total)
                await until(pilot, lambda: works.row(works.cursor) is not None)
                await _settle_frames(pilot, frames)
                for key, out in (("down", down), ("pagedown", pagedown)):
                    for _ in range(3):
                        frames.costs.clear()
                        mark = frames.count
                        t = time.perf_counter()
                        await pilot.press(key)
                        when = await frames.next_after(pilot, mark)
                        out.append((when - t) * 1000)
                        frame_cost.extend(frames.costs[:1])
                        await until(pilot, lambda: works.row(works.cursor) is not None)
                        await _settle_frames(pilot, frames)
            loaded: list[int] = []  # frame count when each page of rows arrived
            original_loaded = works._loaded

            def pages_loaded(generation, page, rows, _orig=original_loaded):
                _orig(generation, page, rows)
                loaded.append(frames.count)

            works._loaded = pages_loaded
            for _ in range(20):
                y = rng.randrange(max(total - works.size.height, 1))
                loaded.clear()
                frames.costs.clear()
                mark = frames.count
                t = time.perf_counter()
                works.scroll_to(y=y, animate=False, immediate=True)
                works.refresh()
                when = await frames.next_after(pilot, mark)
                jump_first.append((when - t) * 1000)
                frame_cost.extend(frames.costs[:1])
                await until(pilot, lambda: all(works.row(i) is not None for i in
                                               range(y, min(y + works.size.height, total))))
                mark = loaded[-1] if loaded else mark  # rows arrive; the next frame draws them
                jump_rows.append((await frames.next_after(pilot, mark) - t) * 1000)
                await _settle_frames(pilot, frames)

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
    stats(db, "startup: list + first record (headless)", startup)
    stats(db, "keystroke -> first results on screen", first)
    stats(db, "keystroke -> ranked results on screen", ranked)
    stats(db, "open a work (UI, to the frame)", ui_open)
    stats(db, "scroll down: key -> frame", down)
    stats(db, "scroll pagedown: key -> frame", pagedown)
    stats(db, "scroll jump: -> first frame", jump_first)
    stats(db, "scroll jump: -> rows drawn", jump_rows)
    stats(db, "scroll: CPU of that frame", frame_cost)
    stats(db, "End -> last row + its record", end_key)
    single(db, "RSS (this process, after all)", rss_mb())
    print(f"  {'':<44} peak {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.1f} MB")


async def _settle_frames(pilot, frames: Frames) -> None:
    """Let pending refreshes draw before timing the next action."""
    for _ in range(3):
        await pilot.pause()
    await pilot.wait_for_scheduled_animations()


def store_figures(db: str, path: Path, n: int = 100) -> None:
    from tui.listing import PAGE
    from tui.similar import similar

    store = Store(path, read_only=True)
    total = store.count()
    rng = random.Random(7)
    page, sim = [], []
    for _ in range(n):
        work_id = rng.randint(1, total)
        t = time.perf_counter()
        load_page(store, work_id)
        page.append((time.perf_counter() - t) * 1000)
        t = time.perf_counter()
        similar(store, work_id)
        sim.append((time.perf_counter() - t) * 1000)
    newest, ranked = [], []
    for query in QUERIES:
        for i in range(1, len(query) + 1):
            typed = query[:i]
            if typed.endswith(" "):
                continue
            first = {}  # the first page, handed to the ranking as the browser does
            if hasattr(store, "search_newest"):
                t = time.perf_counter()
                first["newest"] = store.search_newest(typed, PAGE)
                newest.append((time.perf_counter() - t) * 1000)
            t = time.perf_counter()
            store.search_ids(typed, "relevance", 10_000, **first)
            ranked.append((time.perf_counter() - t) * 1000)
    # the whole list (SEARCH_CAP) in another order, as after `s` in the browser: each query whole
    by_sort = {sort: [] for sort in ("year", "title", "cited")}
    for query in QUERIES:
        for sort, times in by_sort.items():
            t = time.perf_counter()
            store.search_ids(query, sort, SEARCH_CAP)
            times.append((time.perf_counter() - t) * 1000)
    # the catalogue in another order: a jump anywhere (the scrollbar dragged, a key held), then
    # the next page (a keyset seek from the last row), as BrowseSource reads them
    from tui.listing import PAGE as LIST_PAGE, BrowseSource

    jumps, nexts = [], []
    for sort in ("title", "year", "cited"):
        source = BrowseSource(store, total, sort)
        for _ in range(20):
            page_no = rng.randrange(max(1, total // LIST_PAGE))
            t = time.perf_counter()
            rows = source.fetch(page_no, None)
            jumps.append((time.perf_counter() - t) * 1000)
            t = time.perf_counter()
            source.fetch(page_no + 1, rows[-1] if rows else None)
            nexts.append((time.perf_counter() - t) * 1000)
    stats(db, "open a work (store, load_page)", page)
    stats(db, "similar alone (store)", sim)
    stats(db, "browse by title/year/cited: a jump (store)", jumps)
    stats(db, "browse by title/year/cited: next page (store)", nexts)
    stats(db, "search: first page (store, newest)", newest)
    stats(db, "search: ranked (store, search_ids)", ranked)
    for sort, times in by_sort.items():
        stats(db, f"search: by {sort}, {SEARCH_CAP:,} (store)", times)
    store.close()


def edit_figures(db: str, path: Path, n: int = 60, pause: float = 0.1) -> None:
    """Edits on a copy: each call is one committed transaction, `pause` seconds apart (a
    person editing; the WAL's fsync follows each commit on the store's syncer thread), then
    the same number of update_work back to back (each commit meets the fsync of the last)."""
    from tui.models import Author

    OUT.mkdir(exist_ok=True)
    copy = OUT / f"_edit_copy_{uuid.uuid4().hex[:6]}.db"
    try:
        src = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        dst = sqlite3.connect(copy)
        src.backup(dst)
        src.close()
        dst.close()
        os.sync()  # the copy's GBs on the disk first: edits should not wait behind the kernel writing them
        store = Store(copy)
        total = store.count()
        rng = random.Random(11)
        times: dict[str, list[float]] = {"update": [], "cite": [], "uncite": [], "back to back": [],
                                         "apart": [], "re-index": []}
        for i in range(2 * n):
            work = store.work_by_id(rng.randint(1, total))
            work.abstract = work.abstract + f" Edited {i}."
            work.authors = work.authors or [Author("A. Nonymous")]
            if i < n:
                time.sleep(pause)
            t = time.perf_counter()
            store.update_work(work.id, work)
            times["update" if i < n else "back to back"].append((time.perf_counter() - t) * 1000)
            ids = [rng.randint(1, total) for _ in range(2)]
            refs = store.refs(ids)
            if i >= n or ids[0] == ids[1] or ids[1] in {r.id for r in store.references(ids[0], limit=1_000_000)}:
                continue
            keys = [refs[x].key for x in ids]
            time.sleep(pause)
            t = time.perf_counter()
            store.cite(keys[0], keys[1], remember=True)
            times["cite"].append((time.perf_counter() - t) * 1000)
            time.sleep(pause)
            t = time.perf_counter()
            store.uncite(keys[0], keys[1], remember=True)
            times["uncite"].append((time.perf_counter() - t) * 1000)
        # Edits far enough apart for the full-text index to catch up between them (INDEX_DELAY
        # after each, on the store's background thread): each commit, and each catch-up.
        store.index_pending()
        real_index = store.index_pending

        def timed_index():
            t = time.perf_counter()
            try:
                return real_index()
            finally:
                times["re-index"].append((time.perf_counter() - t) * 1000)

        store.index_pending = timed_index
        for i in range(n):
            work = store.work_by_id(rng.randint(1, total))
            work.abstract = work.abstract + f" Edited again {i}."
            time.sleep(INDEX_DELAY + 0.3)
            t = time.perf_counter()
            store.update_work(work.id, work)
            times["apart"].append((time.perf_counter() - t) * 1000)
        time.sleep(INDEX_DELAY + 0.3)
        store.close()
    finally:
        for suffix in ("", "-wal", "-shm"):
            Path(str(copy) + suffix).unlink(missing_ok=True)
    stats(db, f"edit: update_work commit ({pause:g} s apart)", times["update"])
    stats(db, f"edit: cite commit ({pause:g} s apart)", times["cite"])
    stats(db, f"edit: uncite commit ({pause:g} s apart)", times["uncite"])
    stats(db, "edit: update_work, back to back", times["back to back"])
    stats(db, f"edit: update_work, {INDEX_DELAY + 0.3:g} s apart", times["apart"])
    stats(db, "edit: re-index after an edit (background)", times["re-index"])


def tmux_first_paint(db: str, path: Path, runs: int) -> None:
    if not shutil.which("tmux"):
        print("  tmux first paint: tmux not found, skipped")
        return
    # the checkout this script belongs to, as `ibid` runs it (python -m tui is the same entry)
    root = Path(__file__).resolve().parents[1]
    exe = f"env PYTHONPATH={root} {sys.executable} -m tui"
    # Python keeps the package's compiled bytecode after its first start (in __pycache__, as a
    # pip install compiles it); this machine sets PYTHONDONTWRITEBYTECODE=1, under which every
    # start compiled tui/ anew (~0.1 s). Compile it once, as a user's second start finds it.
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(root / "tui")], check=True)
    store = Store(path, read_only=True)
    first = store.browse("added", 0, 1)[0].title[:30]
    store.close()
    times, rss = [], []
    for run in range(runs):
        sock = f"ibid-bench-{uuid.uuid4().hex[:8]}"
        tmux = ["tmux", "-L", sock, "-f", "/dev/null"]
        with tempfile.TemporaryDirectory() as tmp:
            t = time.perf_counter()
            subprocess.run(tmux + ["new-session", "-d", "-x", "160", "-y", "45", "-s", "b",
                                   f"exec {exe} --db {path.resolve()} --read-only"], check=True, cwd=tmp)
            try:
                while True:
                    screen = subprocess.run(tmux + ["capture-pane", "-p", "-t", "b"], capture_output=True,
                                            text=True).stdout
                    if screen.count(first) >= 2:  # in the list and as the record's title
                        times.append((time.perf_counter() - t) * 1000)
                        break
                    if time.perf_counter() - t > 60:
                        print("  tmux first paint: timed out")
                        break
                    time.sleep(0.01)
                if run == 0:
                    # memory of the real app after paging: 100 screens down, then End
                    pid = subprocess.run(tmux + ["display", "-p", "-t", "b", "#{pane_pid}"], capture_output=True,
                                         text=True).stdout.strip()
                    for _ in range(10):
                        subprocess.run(tmux + ["send-keys", "-t", "b"] + ["NPage"] * 10)
                        time.sleep(0.3)
                    subprocess.run(tmux + ["send-keys", "-t", "b", "End"])
                    time.sleep(2.0)
                    if pid:
                        rss.append(rss_mb(pid))
            finally:
                subprocess.run(tmux + ["kill-server"], capture_output=True)
    stats(db, "first paint in tmux", times)
    if rss:
        single(db, "RSS (ibid in tmux, after paging)", rss[0])


def scaling_table() -> None:
    names = list(RESULTS)
    figures = list(dict.fromkeys(f for r in RESULTS.values() for f in r))
    print("\nscaling: median / p95 (ms; RSS in MB)")
    print(f"| figure | goal | {' | '.join(names)} |")
    print(f"|---|---|{'---:|' * len(names)}")
    for figure in figures:
        cells = []
        for name in names:
            v = RESULTS[name].get(figure)
            if v is None:
                cells.append("")
            elif v[2] == 1:
                cells.append(f"{v[0]:,.0f}")
            else:
                cells.append(f"{v[0]:,.1f} / {v[1]:,.1f}")
        print(f"| {figure} | {GOALS.get(figure, '')} | {' | '.join(cells)} |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("db", type=Path, nargs="+")
    parser.add_argument("--runs", type=int, default=3, help="headless app runs per catalogue")
    parser.add_argument("--tmux", action="store_true", help="first paint and RSS of the real command in tmux")
    parser.add_argument("--edits", action="store_true", help="time edits on a copy of each catalogue")
    parser.add_argument("--json", type=Path, help="also write the figures here")
    args = parser.parse_args()
    print(header())
    for path in args.db:
        store = Store(path, read_only=True)
        count = store.count()
        store.close()
        db = f"{count // 1000:,}k" if count < 1_000_000 else f"{count / 1e6:g}M"
        print(f"\n{path} ({path.stat().st_size / 2**20:,.0f} MB, {count:,} works), "
              f"load average {os.getloadavg()[0]:.2f}")
        if args.tmux:
            tmux_first_paint(db, path, max(args.runs, 5))
        store_figures(db, path)
        asyncio.run(headless(db, path, args.runs))
        if args.edits:
            edit_figures(db, path)
    scaling_table()
    if args.json:
        args.json.write_text(json.dumps(RESULTS, indent=1))


if __name__ == "__main__":
    main()
