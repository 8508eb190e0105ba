"""ibid next to coBib: first paint and search, in a real terminal (tmux), on the same 10,000 works.

    python bench/cobib_compare.py [--runs 5] [--n 10000] [--big CATALOGUE.db] [--fresh]

1. A throwaway venv, `bench/out/cobib-venv`, with `pip install cobib` (the newest on PyPI;
   made once, reused; --fresh makes it again).
2. The works: `bench/out/N.jsonl` (`bench/generate.py N`, made when missing) imported into a
   new ibid catalogue `bench/out/cmp-N.db` with `ibid import` (the file's works only; before
   issue 22 a new catalogue also held the 5 seed works), then `ibid export` of it as BibTeX,
   `bench/out/cmp-N.bib`: what coBib gets.
   All three are made once and reused (delete them to start again).
3. coBib gets its own home, `bench/out/cobib-home/` (config file, database, cache, logs: its
   XDG folders point there, nothing of the user's is read or written), and the BibTeX goes
   in with `cobib add -b FILE` (timed; once).
4. In tmux (a private server a run, `-L`, 160x45, TERM xterm-256color), for coBib and for
   `ibid --db ... --read-only` at N and (--big, default `../wt-perf/bench/out/1m.db` when it
   exists; opened read-only, never changed) on a larger catalogue:
   - open: from starting the command to the list on screen (coBib: ten labels of the works
     shown; ibid: the first work's title in the list and as the record's title);
   - search: one rare word of a work's title, a work from the middle of the catalogue (on
     neither app's first screen). coBib: `/`, the word (until it shows in the prompt), then
     `enter` is timed until that work's label shows in the results tree.
     ibid: `/`, then the word is typed (sent at once) and timed until that work's title shows
     in the list (ibid searches as you type; there is no enter).
   A first run of each (caches, the page cache) is not counted; then --runs runs.
Prints medians and p95 of each, and the ratios coBib / ibid.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import OUT, ROOT, header, median_p95  # noqa: E402

VENV = OUT / "cobib-venv"
HOME = OUT / "cobib-home"
IBID = str(Path(sys.executable).parent / "ibid")
DEFAULT_BIG = (ROOT / ".." / "wt-perf" / "bench" / "out" / "1m.db").resolve()
WORD = re.compile(r"[A-Za-z]{6,}")


# ---------------------------------------------------------------------------- setup


def cobib_venv(fresh: bool) -> Path:
    exe = VENV / "bin" / "cobib"
    if fresh and VENV.exists():
        shutil.rmtree(VENV)
    if not exe.exists():
        print("  making a venv for coBib and `pip install cobib` ...", flush=True)
        subprocess.run([sys.executable, "-m", "venv", str(VENV)], check=True)
        subprocess.run([str(VENV / "bin" / "pip"), "install", "-q", "cobib"], check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    version = subprocess.run([str(VENV / "bin" / "pip"), "show", "cobib"], capture_output=True, text=True).stdout
    print(f"  coBib {re.search(r'Version: (.*)', version).group(1)} in {VENV.relative_to(ROOT)}", flush=True)
    return exe


def ibid_catalogue(n: int) -> tuple[Path, Path]:
    jsonl = OUT / f"{n}.jsonl"
    if not jsonl.exists():
        subprocess.run([sys.executable, str(ROOT / "bench" / "generate.py"), str(n), str(jsonl)], check=True,
                       cwd=ROOT, stdout=subprocess.DEVNULL)
    db, bib = OUT / f"cmp-{n}.db", OUT / f"cmp-{n}.bib"
    if not db.exists():  # as a user makes it: `ibid import` into a new, empty catalogue
        subprocess.run([IBID, "--db", str(db), "import", str(jsonl)], check=True)
        bib.unlink(missing_ok=True)
    if not bib.exists():
        with open(bib, "w", encoding="utf-8") as f:
            subprocess.run([IBID, "--db", str(db), "export"], stdout=f, check=True)
        for old in HOME.glob(f"literature-{n}.yaml"):
            old.unlink()
    return db, bib


def cobib_env() -> dict[str, str]:
    env = tmux_env()
    for name, sub in (("XDG_CONFIG_HOME", "config"), ("XDG_DATA_HOME", "data"),
                      ("XDG_CACHE_HOME", "cache"), ("XDG_STATE_HOME", "state")):
        env[name] = str(HOME / sub)
    return env


def cobib_database(exe: Path, bib: Path, n: int) -> tuple[Path, list[str]]:
    """coBib's config and database in HOME, the BibTeX added once; the labels in it."""
    config, database = HOME / "config.py", HOME / f"literature-{n}.yaml"
    for sub in ("config", "data", "cache", "state"):
        (HOME / sub).mkdir(parents=True, exist_ok=True)
    config.write_text(
        "from cobib.config import config\n"
        f"config.database.file = {str(database)!r}\n"
        f"config.database.cache = {str(HOME / 'cache') + '/'!r}\n"
        "config.database.git = False\n"
        "config.commands.add.skip_download = True\n"
        f"config.logging.logfile = {str(HOME / 'state' / 'cobib.log')!r}\n"
        f"config.logging.version = {str(HOME / 'cache' / 'version')!r}\n", encoding="utf-8")
    if not database.exists() or database.stat().st_size == 0:
        database.write_text("", encoding="utf-8")
        print(f"  cobib add -b {bib.name} ...", flush=True)
        t = time.perf_counter()
        subprocess.run([str(exe), "-c", str(config), "add", "-b", str(bib)], env=cobib_env(),
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
        print(f"  cobib add -b: {time.perf_counter() - t:.1f} s", flush=True)
    labels = re.findall(r"^([^\s#-][^:\n]*):\s*$", database.read_text(encoding="utf-8"), re.M)
    print(f"  coBib database {database.name}: {len(labels):,} entries, "
          f"{database.stat().st_size / 1e6:.1f} MB", flush=True)
    return config, labels


# ---------------------------------------------------------------------------- tmux


def tmux_env() -> dict[str, str]:
    env = dict(os.environ)
    for name in ("TMUX", "TMUX_PANE", "COLUMNS", "LINES", "NO_COLOR", "COLORTERM", "IBID_DB"):
        env.pop(name, None)
    env["TERM"] = "xterm-256color"
    return env


class Pane:
    def __init__(self, command: str, env: dict[str, str], cwd: Path):
        self.sock = f"ibid-cobib-{uuid.uuid4().hex[:8]}"
        self.base = ["tmux", "-L", self.sock, "-f", "/dev/null"]
        self.env, self.cwd, self.command = env, cwd, command

    def start(self) -> float:
        t = time.perf_counter()
        subprocess.run(self.base + ["new-session", "-d", "-x", "160", "-y", "45", "-s", "b", self.command,
                                    ";", "set-option", "-t", "b", "remain-on-exit", "on"],
                       check=True, env=self.env, cwd=self.cwd)
        return t

    def screen(self) -> str:
        return subprocess.run(self.base + ["capture-pane", "-p", "-t", "b"], capture_output=True, text=True,
                              env=self.env).stdout

    def keys(self, *keys: str, literal: bool = False) -> None:
        subprocess.run(self.base + ["send-keys", "-t", "b"] + (["-l"] if literal else []) + list(keys),
                       check=True, env=self.env)

    def until(self, ready, since: float, timeout: float = 120) -> float:
        while True:
            screen = self.screen()
            if ready(screen):
                return time.perf_counter() - since
            if time.perf_counter() - since > timeout:
                raise TimeoutError(f"timed out; the screen:\n{screen}")
            time.sleep(0.01)

    def kill(self) -> None:
        subprocess.run(self.base + ["kill-server"], capture_output=True, env=self.env)
        folder = Path(os.environ.get("TMUX_TMPDIR") or "/tmp") / f"tmux-{os.getuid()}"
        (folder / self.sock).unlink(missing_ok=True)  # the socket, when the server left it


def run_app(name: str, command: str, env: dict, opened, typed, query: str, found, enter: bool,
            runs: int) -> tuple[list[float], list[float]]:
    """Open, search, quit: `runs` + 1 times (the first not counted)."""
    opens, searches = [], []
    for i in range(runs + 1):
        pane = Pane(command, env, OUT)
        try:
            t = pane.start()
            open_s = pane.until(opened, t)
            time.sleep(0.5)  # settle: a person reads the screen before pressing `/`
            if enter:
                for attempt in range(5):  # a `/` pressed while coBib is busy can be lost: again
                    pane.keys("/")
                    time.sleep(0.5)
                    pane.keys(query, literal=True)
                    try:
                        pane.until(typed, time.perf_counter(), 5)
                        break
                    except TimeoutError:
                        pane.keys("Escape")
                        time.sleep(1)
                t = time.perf_counter()
                pane.keys("Enter")
            else:
                pane.keys("/")
                time.sleep(0.5)
                t = time.perf_counter()
                pane.keys(query, literal=True)
            search_s = pane.until(found, t)
        finally:
            pane.kill()
        label = "warm-up (not counted)" if i == 0 else f"run {i}"
        print(f"    {name:24s} {label:22s} open {open_s * 1000:8.0f} ms   search {search_s * 1000:8.0f} ms",
              flush=True)
        if i:
            opens.append(open_s * 1000)
            searches.append(search_s * 1000)
        time.sleep(0.5)
    return opens, searches


def pick_target(db: Path) -> tuple[str, str, str]:
    """(key, title, query): a rare word (or the two rarest) of the title of a work in the
    middle of the catalogue, found in at most 3 works."""
    from tui.store import Store

    store = Store(db, read_only=True)
    try:
        top = store._read("SELECT max(id) FROM works")[0][0]
        for work_id in range(top // 2, top // 2 - 7 * 50, -7):  # the middle: on neither app's first screen
            rows = store._read("SELECT key, title FROM works WHERE id = ?", (work_id,))
            if not rows:
                continue
            key, title = rows[0]
            counts = sorted((store.search_count(w + " "), w) for w in set(WORD.findall(title)))
            if counts and 1 <= counts[0][0] <= 3:
                return key, title, counts[0][1]
            if len(counts) >= 2:  # at a million works, few words are that rare: the two rarest
                query = f"{counts[0][1]} {counts[1][1]}"
                if 1 <= store.search_count(query + " ") <= 3:
                    return key, title, query
    finally:
        store.close()
    raise SystemExit(f"{db}: no work with a rare title word")


def ibid_run(db: Path, runs: int) -> tuple[list[float], list[float], str]:
    from tui.store import Store

    store = Store(db, read_only=True)
    first = store.browse("added", 0, 1)[0].title[:30]
    store.close()
    key, title, word = pick_target(db)
    head = title[:30]
    print(f"  ibid on {db.name}: search {word!r} (for {key}: {title[:60]!r})", flush=True)
    opens, searches = run_app(
        f"ibid {db.name}", f"{IBID} --db {db} --read-only", tmux_env(),
        opened=lambda s: s.count(first) >= 2, typed=None, query=word,
        found=lambda s: head in s, enter=False, runs=runs)
    return opens, searches, word


def cobib_run(exe: Path, config: Path, labels: list[str], db: Path, runs: int) -> tuple[list[float], list[float]]:
    key, title, word = pick_target(db)
    label_set = set(labels)
    print(f"  coBib: search {word!r} (for {key})", flush=True)

    def opened(screen: str) -> bool:
        return sum(1 for tok in re.findall(r"[A-Za-z][\w-]+", screen) if tok in label_set) >= 10

    def typed(screen: str) -> bool:  # in coBib's prompt
        return "/" + word in screen

    def found(screen: str) -> bool:
        return re.search(re.escape(key) + r"\s+-\s+\d+\s+match", screen) is not None

    return run_app("coBib", f"{exe} -c {config}", cobib_env(), opened, typed, word, found, enter=True, runs=runs)


def stat(values: list[float]) -> str:
    med, p95 = median_p95(values)
    return f"median {med:8.0f} ms   p95 {p95:8.0f} ms"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--n", type=int, default=10000)
    ap.add_argument("--big", type=Path, default=DEFAULT_BIG)
    ap.add_argument("--fresh", action="store_true", help="make the coBib venv again")
    ap.add_argument("--skip-cobib", action="store_true")
    args = ap.parse_args()
    if not shutil.which("tmux"):
        sys.exit("tmux is needed")
    OUT.mkdir(exist_ok=True)
    print(header(), flush=True)
    db, bib = ibid_catalogue(args.n)
    results = {}
    if not args.skip_cobib:
        exe = cobib_venv(args.fresh)
        config, labels = cobib_database(exe, bib, args.n)
        results["coBib"] = cobib_run(exe, config, labels, db, args.runs)
    o, s, _ = ibid_run(db, args.runs)
    results[f"ibid {args.n // 1000}k"] = (o, s)
    args.big = args.big.resolve()  # the tmux pane starts elsewhere: a relative path would miss
    if args.big.exists():
        o, s, _ = ibid_run(args.big, args.runs)
        results[f"ibid {args.big.name}"] = (o, s)
    else:
        print(f"  {args.big}: not there; no large catalogue")
    print("\nmedians and p95 over the counted runs:")
    for name, (opens, searches) in results.items():
        print(f"  {name:20s} open   {stat(opens)}")
        print(f"  {'':20s} search {stat(searches)}")
    if "coBib" in results:
        import statistics

        co_open, co_search = (statistics.median(v) for v in results["coBib"])
        for name, (opens, searches) in results.items():
            if name != "coBib":
                print(f"  coBib {args.n // 1000}k / {name}: open x{co_open / statistics.median(opens):.1f}, "
                      f"search x{co_search / statistics.median(searches):.1f}")


if __name__ == "__main__":
    main()
