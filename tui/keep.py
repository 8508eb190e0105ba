"""Kept exports: files (a manuscript's .bib) rewritten whenever the catalogue changes what they
would hold, atomically and only when their content changes, so a manuscript's git history
shows only real changes. No Textual.

Who rewrites: every `ibid` command that changed the catalogue, as it ends (tui/cli/base.py),
and a running browser, within a second of any change, its own or another process's (tui/app.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from .formats import FormatError
from .formats.export import render, write_atomic
from .store import KeptExport, Store, StoreError, now


@dataclass
class Selection:
    """The works a manuscript cites: ids (None: every work), the keys missing, what went wrong reading it."""

    ids: list[int] | None
    missing: list[str]
    problems: list[str]
    cited: int = 0


def cited_selection(store: Store, files: list[str] | tuple) -> Selection:
    """The works the manuscript files cite, with the parents they name in `crossref` or `xdata`,
    sorted by key. Raises FormatError for a file that cannot be read at all."""
    from .formats.cited import cited_keys

    cited = cited_keys(*files)
    problems = [str(p) for p in cited.problems]
    if cited.all:
        return Selection(None, [], problems, len(cited.keys))
    found = store.ids_by_key(cited.keys)
    missing = [k for k in cited.keys if k not in found]
    ids = list(dict.fromkeys(found[k] for k in cited.keys if k in found))  # (a key and its alias: one work)
    seen, queue = set(ids), list(ids)
    while queue:  # what a cited entry needs: its crossref / xdata parents, and theirs
        needed = []
        for work in store.works(queue):
            for name in ("crossref", "xdata"):
                needed += [k.strip() for k in (work.fields.get(name) or "").split(",") if k.strip()]
        queue = [i for i in store.ids_by_key(needed).values() if i not in seen]
        seen.update(queue)
        ids += queue
    keys = {i: r.key for i, r in store.refs(ids).items()}
    return Selection(sorted(ids, key=lambda i: keys.get(i, "")), missing, problems, len(cited.keys))


def narrowed(store: Store, query: str, ids: list[int] | None) -> list[int] | None:
    """`ids` (None: every work) narrowed to the works a query matches, in the order of `ids`
    (catalogue order when None). A query given whole: its last word is a word, not a prefix."""
    if not query.strip():
        return ids
    matching = store.search_ids(query + " ", "added", limit=10**9)
    if ids is None:
        return matching
    wanted = set(matching)
    return [i for i in ids if i in wanted]


def export_text(store: Store, export: KeptExport) -> str:
    """What a kept export holds now: its works sorted by key, in its format."""
    cited = cited_selection(store, export.cited_in).ids if export.cited_in else None
    works = sorted(store.works(narrowed(store, export.query, cited)), key=lambda w: w.key)
    return render(works, export.format)


def refresh(store: Store) -> list[tuple[str, str]]:
    """Rewrite every kept export whose content changed; (path, what happened) for each:
    `written`, `unchanged`, or the error (the file is left as it was)."""
    results = []
    for export in store.kept_exports():
        path = Path(export.path)
        try:
            text = export_text(store, export)
            try:
                same = path.read_bytes() == text.encode("utf-8")
            except OSError:
                same = False
            if same:
                results.append((export.path, "unchanged"))
                error, written = "", ""
            else:
                write_atomic(path, text)
                results.append((export.path, "written"))
                error, written = "", now()
        except (OSError, FormatError, StoreError) as exc:
            error = f"{export.path}: cannot write ({getattr(exc, 'strerror', None) or exc})"
            results.append((export.path, error))
            written = ""
        if not store.read_only and (error != export.error or written):
            try:
                store.export_written(export.path, written, error)
            except StoreError:
                pass  # (locked, full): said again at the next try
    return results
