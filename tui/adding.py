"""A work in by its identifier: look it up in the catalogue, fetch what is not there, add it
with its reference list. Shared by `ibid add` and the browser's add key; no Textual.

The catalogue is asked first (an identifier already there adds nothing and names its work),
then the sources (tui/net), then the catalogue again: a work fetched by its arXiv id may carry
a DOI the catalogue holds.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from .config import NetSettings
from .identifiers import ARXIV, DOI, Identifier, IdentifierError, parse_identifier, work_identifiers
from .models import Work
from .store import Store

ADDED, ALREADY, NOT_FOUND, FAILED, INVALID, CANCELLED = "added", "already there", "not found", "failed", "invalid", "cancelled"


@dataclass
class Added:
    """What became of one identifier."""

    text: str  # as given
    status: str  # added | already there | not found | failed | invalid | cancelled
    work: Work | None = None  # the work added, or the one already there
    message: str = ""  # one line for the user
    linked: int = 0  # citation links made at once
    waiting: int = 0  # references kept until their works arrive
    source: str = ""  # where the record came from

    @property
    def in_catalogue(self) -> bool:
        return self.status in (ADDED, ALREADY)


def _normal(text: str, kind: str) -> str:
    try:
        ident = parse_identifier(text)
    except IdentifierError:
        return ""
    return ident.normal if ident.kind == kind else ""


def already_there(store: Store, idents: set[tuple[str, str]]) -> Work | None:
    """The work of the catalogue holding any of these (kind, normal) identifiers."""
    for kind, normal in sorted(idents):
        work_id = store.work_by_identifier(kind, normal)
        if work_id is not None:
            return store.work_by_id(work_id)
    return None


def add_identifiers(store: Store, texts: list[str], settings: NetSettings,
                    progress: Callable[[int, int, Added], None] | None = None,
                    cancel: Callable[[], bool] | None = None, client=None,
                    link: tuple[str, int] | None = None, key_pattern: str | None = None) -> list[Added]:
    """Add the works these identifiers name; one Added each, in order. Fetching runs in threads
    (tui.net.fetch_many, within the sources' limits); the adds are this thread's, one
    transaction each, so what was added stays added if a later one fails. `link`: as for
    Store.add_with_references, for one identifier (a picker's). `key_pattern`: the `[keys]
    pattern` the new works' keys are made by (None: the house key)."""
    from . import net

    store.check_writable()
    results: list[Added | None] = [None] * len(texts)
    to_fetch: list[tuple[int, Identifier]] = []
    done = 0

    def report(n: int, added: Added) -> None:
        nonlocal done
        results[n] = added
        done += 1
        if progress is not None:
            progress(done, len(texts), added)

    for n, text in enumerate(texts):
        try:
            ident = parse_identifier(text)
        except IdentifierError as exc:
            report(n, Added(text, INVALID, message=str(exc)))
            continue
        there = already_there(store, {(ident.kind, ident.normal)})
        if there is not None:
            report(n, Added(text, ALREADY, there, f"{ident} is already in the catalogue: {there.key}"))
        else:
            to_fetch.append((n, ident))
    if to_fetch:
        outcomes = net.fetch_many([ident for _n, ident in to_fetch], settings, client=client, cancel=cancel)
        for (n, ident), outcome in zip(to_fetch, outcomes):
            if not outcome.ok or outcome.fetched is None:
                status = {net.NOT_FOUND: NOT_FOUND, net.CANCELLED: CANCELLED}.get(outcome.status, FAILED)
                report(n, Added(texts[n], status, message=outcome.message or f"{ident}: {outcome.status}"))
                continue
            report(n, add_fetched(store, texts[n], outcome.fetched, link, key_pattern))
    return [r for r in results if r is not None]


def add_fetched(store: Store, text: str, fetched, link: tuple[str, int] | None = None,
                key_pattern: str | None = None) -> Added:
    """Add one fetched work (unless the catalogue holds one of its identifiers by now)."""
    work = fetched.work
    if key_pattern:
        from .formats.keypattern import make_key

        work.key = make_key(work, key_pattern) or work.key
    there = already_there(store, work_identifiers(work.doi, work.fields))
    if there is not None:
        return Added(text, ALREADY, there, f"{fetched.identifier} is already in the catalogue: {there.key}",
                     source=fetched.source)
    references = [(r.text, _normal(r.doi, DOI) if r.doi else "", _normal(r.arxiv, ARXIV) if r.arxiv else "")
                  for r in fetched.references]
    work, linked, waiting = store.add_with_references(work, references, link=link)
    return Added(text, ADDED, work, f"added {work.key} from {fetched.source}", linked, waiting, fetched.source)
