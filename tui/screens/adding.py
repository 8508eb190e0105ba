"""The main screen's add by identifier: a DOI, arXiv id or ISBN typed or pasted (several at
once), fetched in a worker, the new work's record page shown after; `enter` on a listed
reference not in the catalogue fetches and links that one; the pickers' typed identifier."""

from __future__ import annotations

import threading

from textual import work

from ..safe import printable
from ..store import StoreError
from .prompt import PromptScreen


class AddByIdentifier:
    """Works in by their identifiers (a part of MainScreen); `escape` while fetching cancels."""

    _fetching: threading.Event | None = None  # set: cancel the fetch under way

    def action_add_by_identifier(self) -> None:
        if not self._writable("added"):
            return

        def chosen(answer: str | None) -> None:
            if answer:
                from ..identifiers import split_identifiers

                self._fetch_and_add(split_identifiers(answer))

        self.app.push_screen(PromptScreen(
            "Add works by DOI, arXiv id or ISBN (several: spaces, commas or lines between them)",
            hint="10.1093/mind/LIX.236.433 · arXiv:2104.12255 · 978-0-262-03384-8 · "
                 "fetched from Crossref, doi.org, arXiv or Open Library; escape cancels the fetch"), chosen)

    def add_listed_reference(self, ref_id: int) -> None:
        """`enter` on a reference the work's source listed, not in the catalogue: fetch and add
        it; the reference list links it as it arrives."""
        if self._writable("added"):
            self._read_listed(ref_id)

    @work(thread=True, exit_on_error=False, group="add")
    def _read_listed(self, ref_id: int) -> None:
        try:
            listed = self.store.listed_reference(ref_id)
        except StoreError as exc:
            self.app.call_from_thread(self.notify, printable(str(exc), False), severity="warning", markup=False)
            return
        ident = listed.doi or listed.arxiv
        if not ident:
            self.app.call_from_thread(self.notify, "This reference gives no DOI or arXiv id to fetch it by; "
                                      "add it with n or c/r", severity="warning")
            return
        self.app.call_from_thread(self._fetch_and_add, [ident], None, True)

    def fetch_and_link(self, text: str, link: tuple[str, int]) -> None:
        """A picker's identifier: fetched, added and linked in one change."""
        self._fetch_and_add([text], link=link, stay=True)

    def cancel_fetch(self) -> bool:
        """`escape` while fetching: stop (what was added stays). Whether a fetch was under way."""
        if self._fetching is None or self._fetching.is_set():
            return False
        self._fetching.set()
        self.notify("Fetching cancelled", severity="warning")
        return True

    def _fetch_and_add(self, texts: list[str], link: tuple[str, int] | None = None, stay: bool = False) -> None:
        if not texts:
            return
        if self._fetching is not None and not self._fetching.is_set():
            self.notify("Still fetching the last ones: wait, or escape to cancel", severity="warning")
            return
        config = self._config()
        if config is None:
            return
        self._fetching = threading.Event()
        what = printable(texts[0], False) if len(texts) == 1 else f"{len(texts)} identifiers"
        self.notify(f"Fetching {what}… (escape cancels)", timeout=3)
        self._add_worker(texts, config, link, stay, self._fetching)

    @work(thread=True, exit_on_error=False, group="add")
    def _add_worker(self, texts, config, link, stay, cancel: threading.Event) -> None:
        from ..adding import add_identifiers

        try:
            results = add_identifiers(self.store, texts, config.net, cancel=cancel.is_set, link=link,
                                      key_pattern=config.key_pattern)
        except StoreError as exc:
            self.app.call_from_thread(self.notify, printable(str(exc), False), severity="error", markup=False)
            results = None
        finally:
            cancel.set()  # (done: escape no longer cancels anything)
        if results is not None:
            self.app.call_from_thread(self._added_by_identifier, results, stay)

    def _added_by_identifier(self, results, stay: bool) -> None:
        from ..adding import ADDED

        added = [r for r in results if r.status == ADDED]
        for r in results:
            if r.status == ADDED:
                extra = f"; {r.linked} citation link{'s' if r.linked != 1 else ''}" if r.linked else ""
                self.notify(printable(f"Added {r.work.key} from {r.source}{extra} (u undoes)", False),
                            title="Added", markup=False)
            elif not r.in_catalogue or not stay:
                self.notify(printable(r.message, False), markup=False,
                            severity="information" if r.in_catalogue else "error", timeout=8)
        if added or any(r.in_catalogue for r in results):
            self._request_list(self.query_text, self.sort, refresh=True)
        if stay:  # a reference of the page, or a picker's: the page shows the new link
            self._after_change()
            return
        first = next((r for r in results if r.in_catalogue), None)
        if first is not None and first.work is not None and first.work.id is not None:
            self.open(("work", first.work.id))
