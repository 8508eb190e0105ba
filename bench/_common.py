"""Small helpers shared by the bench scripts (no Textual, no tui internals)."""

from __future__ import annotations

import resource
import sqlite3
import statistics
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
OUT = HERE / "out"

if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


def peak_rss_mb() -> float:
    """Peak resident set size of this process so far, in MB (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def median_p95(values: list[float]) -> tuple[float, float]:
    """Median and 95th percentile (nearest rank) of some timings."""
    ordered = sorted(values)
    p95 = ordered[min(len(ordered) - 1, max(0, round(0.95 * len(ordered) + 0.5) - 1))]
    return statistics.median(ordered), p95


class FtsTrace:
    """Times the store's own `INSERT INTO works_fts(rowid, ...) SELECT ...` inside
    `Store.import_batch`, from SQLite's statement trace: from the moment that statement
    starts to the moment the next top-level statement starts (statements run by triggers
    are traced with a leading `--` comment and skipped). An estimate without touching tui/:
    the trace marks statement starts only, so any Python work between the two statements
    is counted too (in import_batch there is none in between but building a list)."""

    def __init__(self, conn: sqlite3.Connection):
        self.conn = conn
        self.start: float | None = None
        self.total = 0.0
        self.count = 0

    def _on_statement(self, sql: str) -> None:
        if self.start is not None:
            if sql.startswith("--"):
                return
            self.total += time.perf_counter() - self.start
            self.start = None
        if sql.lstrip().startswith("INSERT INTO works_fts(rowid"):
            self.count += 1
            self.start = time.perf_counter()

    def __enter__(self) -> "FtsTrace":
        self.conn.set_trace_callback(self._on_statement)
        return self

    def __exit__(self, *exc) -> None:
        self.conn.set_trace_callback(None)


class Stopwatch:
    """Accumulates wall-clock and CPU seconds (this process) per named stage:

        watch = Stopwatch()
        with watch("parse"):
            ...
        watch.wall["parse"], watch.cpu["parse"]
    """

    def __init__(self) -> None:
        self.wall: dict[str, float] = {}
        self.cpu: dict[str, float] = {}
        self._name: list[str] = []

    def __call__(self, name: str) -> "Stopwatch":
        self._name.append(name)
        return self

    def __enter__(self) -> "Stopwatch":
        self._t = (time.perf_counter(), time.process_time())
        return self

    def __exit__(self, *exc) -> None:
        name = self._name.pop()
        self.wall[name] = self.wall.get(name, 0.0) + time.perf_counter() - self._t[0]
        self.cpu[name] = self.cpu.get(name, 0.0) + time.process_time() - self._t[1]


def code_version() -> str:
    """The commit of the checkout being measured, and whether tui/ has uncommitted edits."""
    import subprocess

    try:
        head = subprocess.run(["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"],
                              capture_output=True, text=True, timeout=10).stdout.strip()
        dirty = subprocess.run(["git", "-C", str(ROOT), "status", "--porcelain", "--", "tui"],
                               capture_output=True, text=True, timeout=10).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return "unknown"
    return f"{head}{' + uncommitted tui/ edits' if dirty else ''}" if head else "unknown"


def header() -> str:
    """What every bench script prints first: command, code, versions, load."""
    import os
    import sqlite3

    return (f"$ python {' '.join(sys.argv)}\n"
            f"ibid {code_version()}; python {sys.version.split()[0]}, sqlite {sqlite3.sqlite_version}, "
            f"{os.cpu_count()} CPUs, load average {', '.join(f'{x:.2f}' for x in os.getloadavg())}")
