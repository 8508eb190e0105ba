"""`ibid import` of every .bib file under ../shared/data/bib, each into a fresh catalogue:
how many entries each refuses, as a TSV (file, added, refused, a whole-file error).

    python bench/bib_refused.py [DATA_DIR] > refused.tsv
"""

from __future__ import annotations

import re
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
DATA = REPO.parent / "shared" / "data" / "bib"
SUMMARY = re.compile(r": (\d+) added, (\d+) updated, (\d+) duplicates, (\d+) renamed, (\d+) refused;")


def one(path: Path) -> tuple[str, int, int, str]:
    """(file, added, refused, the one-line error when the whole file was refused)."""
    with tempfile.TemporaryDirectory() as tmp:
        proc = subprocess.run([sys.executable, "-m", "tui", "import", str(path), "--db", f"{tmp}/c.db"],
                              capture_output=True, text=True, cwd=REPO, timeout=600)
    match = SUMMARY.search(proc.stdout)
    if match is None:
        error = (proc.stderr.strip().splitlines() or ["?"])[-1].replace(str(path), "").lstrip(": ")
        return str(path.relative_to(DATA.parent)), 0, -1, error[:100]
    return str(path.relative_to(DATA.parent)), int(match[1]), int(match[5]), ""


def main() -> None:
    root = Path(sys.argv[1]) if len(sys.argv) > 1 else DATA
    files = sorted(p for p in root.rglob("*.bib") if p.is_file())
    with ThreadPoolExecutor(2) as pool:
        rows = list(pool.map(one, files))
    print("file\tadded\trefused\twhole file refused")
    for row in rows:
        print("\t".join(map(str, row)))
    print(f"# {len(rows)} files; {sum(r[2] for r in rows if r[2] > 0)} entries refused; "
          f"{sum(r[2] < 0 for r in rows)} files refused whole", file=sys.stderr)


if __name__ == "__main__":
    main()
