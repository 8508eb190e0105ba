"""A work fetched by its identifier (DOI, arXiv id, ISBN) from Crossref, doi.org, arXiv and
Open Library. No SQL and no Textual here: the store and the screens wire it in.

    fetch("10.1103/physreva.106.022212", settings)          -> Fetched (or a NetError)
    fetch_many(["2104.12255", "978-0-262-03384-8"], settings) -> [Outcome, ...] in the order given

A DOI is asked of Crossref first, then of doi.org (content negotiation) when Crossref does not
hold it; an arXiv id of the arXiv API; an ISBN of Open Library. Settings are `[net]` in
config.toml (tui.config.NetSettings); pass `client=` (an httpx.Client, e.g. on an
httpx.MockTransport) to put something else in the network's place.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import httpx

from ..config import NetSettings
from . import arxiv, crossref, doi, openlibrary
from .errors import BadResponse, Cancelled, NetError, NotFound, Offline, TimedOut, Unavailable
from .fetched import RETRIEVED_FIELD, SOURCE_FIELD, Fetched, Reference
from .http import Cancel, Session, make_client
from ..identifiers import ARXIV, DOI, ISBN, Identifier, IdentifierError, parse_identifier, split_identifiers

__all__ = [
    "fetch", "fetch_many", "Fetched", "Reference", "Outcome", "Identifier", "IdentifierError", "parse_identifier",
    "split_identifiers", "NetError", "Offline", "TimedOut", "NotFound", "Unavailable", "BadResponse", "Cancelled",
    "Session", "make_client", "SOURCE_FIELD", "RETRIEVED_FIELD", "OK", "NOT_FOUND", "FAILED", "CANCELLED", "INVALID",
]

OK, NOT_FOUND, FAILED, CANCELLED, INVALID = "ok", "not found", "failed", "cancelled", "invalid"


@dataclass
class Outcome:
    """What became of one identifier of `fetch_many`."""

    text: str  # as given
    status: str  # ok | not found | failed | cancelled | invalid
    identifier: Identifier | None = None
    fetched: Fetched | None = None
    message: str = ""  # one line for the user when not ok

    @property
    def ok(self) -> bool:
        return self.status == OK


def fetch(identifier: Identifier | str, settings: NetSettings, client: httpx.Client | None = None,
          cancel: Cancel = None, session: Session | None = None) -> Fetched:
    """Fetch one work; raises IdentifierError for text that is no identifier, a NetError otherwise."""
    if not isinstance(identifier, Identifier):
        identifier = parse_identifier(identifier)
    if session is None:
        with Session(settings, client, cancel) as own:
            return fetch(identifier, settings, session=own)
    if identifier.kind == DOI:
        try:
            return crossref.fetch(session, identifier)
        except NotFound:
            return doi.fetch(session, identifier)
    if identifier.kind == ARXIV:
        return arxiv.fetch(session, identifier)
    if identifier.kind == ISBN:
        return openlibrary.fetch(session, identifier)
    raise IdentifierError(f"cannot fetch a {identifier.kind!r} identifier")


def fetch_many(ids: Iterable[Identifier | str], settings: NetSettings, client: httpx.Client | None = None,
               progress: Callable[[int, int, Outcome], None] | None = None, cancel: Cancel = None) -> list[Outcome]:
    """Fetch many works at once within the services' limits; one Outcome per id, in order.

    Crossref, doi.org and Open Library get at most `settings.concurrency` requests at once,
    arXiv one at a time `settings.arxiv_delay` seconds apart. An id given twice (the same
    normal form) is fetched once. `progress(done, total, outcome)` is called from worker
    threads, one call at a time, as each finishes; once `cancel` says so, no new request starts and what was not
    fetched is `cancelled`.
    """
    texts = [str(i) if isinstance(i, Identifier) else i for i in ids]
    outcomes: list[Outcome | None] = [None] * len(texts)
    wanted: dict[str, tuple[Identifier, list[int]]] = {}
    for n, (text, given) in enumerate(zip(texts, ids)):
        try:
            ident = given if isinstance(given, Identifier) else parse_identifier(given)
        except IdentifierError as exc:
            outcomes[n] = Outcome(text, INVALID, message=str(exc))
            continue
        wanted.setdefault(f"{ident.kind}:{ident.normal}", (ident, []))[1].append(n)
    total, done, lock = len(texts), 0, threading.Lock()

    def report(positions: list[int], outcome: Outcome) -> None:
        nonlocal done
        for n in positions:
            outcomes[n] = Outcome(texts[n], outcome.status, outcome.identifier, outcome.fetched, outcome.message)
            with lock:  # one call at a time, in the order they finish
                done += 1
                if progress:
                    progress(done, total, outcomes[n])

    for n, outcome in enumerate(outcomes):
        if outcome is not None:
            report([n], outcome)
    with Session(settings, client, cancel) as session:
        def one(ident: Identifier, positions: list[int]) -> None:
            report(positions, _outcome(ident, settings, session))

        pool_size = max(1, min(settings.concurrency * 2, len(wanted)))
        with ThreadPoolExecutor(pool_size, thread_name_prefix="ibid-fetch") as pool, \
                ThreadPoolExecutor(1, thread_name_prefix="ibid-arxiv") as paced:
            futures = [(paced if ident.kind == ARXIV else pool).submit(one, ident, positions)
                       for ident, positions in wanted.values()]
            for future in futures:
                future.result()
    return [o for o in outcomes if o is not None]


def _outcome(ident: Identifier, settings: NetSettings, session: Session) -> Outcome:
    text = str(ident)
    try:
        return Outcome(text, OK, ident, fetch(ident, settings, session=session))
    except NetError as exc:
        return Outcome(text, exc.status, ident, message=str(exc))
    except Exception as exc:  # a source's bug must not lose the other ids' results
        return Outcome(text, FAILED, ident, message=f"{ident}: {type(exc).__name__}: {exc}")
