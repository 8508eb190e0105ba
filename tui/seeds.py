"""The catalogue a new user starts with: built from the record pages in `seeds/`."""

from __future__ import annotations

from pathlib import Path

from .formats import parse_path
from .store import Store


def seed_dir() -> Path | None:
    """Where the seed files are: inside the installed package, or at the top of a checkout."""
    here = Path(__file__).resolve().parent
    for candidate in (here / "seeds", here.parent / "seeds"):
        if candidate.is_dir():
            return candidate
    return None


def seed(store: Store) -> int:
    """Import every seed file into a store; returns the number of works added."""
    folder = seed_dir()
    if folder is None:
        return 0
    added = 0
    for path in sorted(folder.iterdir()):
        if path.suffix.lower() in (".txt", ".bib", ".jsonl"):
            added += store.import_batch(parse_path(path)).added
    return added


def open_catalogue(path: str | Path, read_only: bool = False, seeded: bool = True) -> Store:
    """Open a catalogue; a new one is built from the seeds (unless not `seeded`: then it
    starts empty) so a new user sees a real record."""
    store = Store(path, read_only=read_only)
    if seeded and store.created:
        seed(store)
    return store
