"""The main screen's changes to the catalogue: links added and removed, works edited and
added, undo. Every change is committed before it is confirmed."""

from __future__ import annotations

from dataclasses import replace

from textual import work

from ..safe import printable
from ..store import StoreError
from ..widgets.record import Target


class Changes:
    """Changes made from the main screen (a part of MainScreen), each in a worker."""

    def action_add_citation(self) -> None:
        self._pick_link("citation")

    def action_add_reference(self) -> None:
        self._pick_link("reference")

    def _pick_link(self, kind: str) -> None:
        from .pick import PickWorkScreen

        if self.page is None or not self._writable("linked"):
            return
        this = self.page.work
        heading = (f"Add a citation: a work that cites “{printable(this.title, False)}”" if kind == "citation"
                   else f"Add a reference: a work that “{printable(this.title, False)}” cites")

        def picked(row) -> None:
            if isinstance(row, tuple):  # an identifier no work holds: fetched, added and linked, one change
                self.fetch_and_link(row[1], ("cites" if kind == "citation" else "cited by", this.id))
            elif row is not None:
                citing, cited = (row.key, this.key) if kind == "citation" else (this.key, row.key)
                self._change(lambda: self.store.cite(citing, cited, remember=True),
                             f"{citing} now cites {cited}", cursor=("work", row.id),
                             section="citations" if kind == "citation" else "references")

        self.app.push_screen(PickWorkScreen(self.store, heading, exclude=this.id), picked)

    def action_remove_link(self) -> None:
        if self.page is None or self.record.section not in ("citations", "references"):
            return
        target = self.record.target
        refs = self.page.citations if self.record.section == "citations" else self.page.references
        other = next((r for r in refs if ("work", r.id) == target), None)
        if other is None:
            return
        this = self.page.work.key
        citing, cited = (other.key, this) if self.record.section == "citations" else (this, other.key)
        self._change(lambda: self.store.uncite(citing, cited, remember=True),
                     f"{citing} no longer cites {cited} (u undoes)")

    def action_undo(self) -> None:
        self._change(lambda: "Undid the " + self.store.undo(), None, reload_list=True)

    def action_edit(self) -> None:
        from ..formats import bibtex
        from .edit import EditScreen

        if self.page is None or self.page.work.id is None or not self._writable("edited"):
            return
        work_id = self.page.work.id

        def saved(work_) -> None:
            if work_ is not None:
                self.notify(printable(f"Saved {work_.key}", False), markup=False)
                self._after_change(reload_list=True)

        # (the note and the reading state have their own keys, N and t: not fields to edit here)
        plain = replace(self.page.work, note="", reading="")
        self.app.push_screen(EditScreen(f"Edit {printable(self.page.work.key, False)}", bibtex.write([plain]),
                                        lambda w: self.store.update_work(work_id, w)), saved)

    def action_new_work(self) -> None:
        from .edit import NEW_WORK, EditScreen

        if not self._writable("added"):
            return

        def saved(work_) -> None:
            if work_ is not None and work_.id is not None:
                self.notify(printable(f"Added {work_.key}", False), markup=False)
                self._request_list(self.query_text, self.sort, refresh=True)
                self.open(("work", work_.id))

        self.app.push_screen(EditScreen("A new work (paste its BibTeX over this)", NEW_WORK,
                                        lambda w: self.store.add_work(w, rename=False, remember=True),
                                        select_all=True), saved)

    def _writable(self, what: str) -> bool:
        """Whether the catalogue can be changed; if not, says so at the key (not after an edit
        or a search for a work to link, which would then be lost)."""
        if self.store.read_only:
            self.notify(f"The catalogue is open read-only: nothing can be {what} (open it without "
                        "--read-only to change it)", severity="warning")
        return not self.store.read_only

    def _change(self, change, done: str | None, cursor: Target | None = None, section: str = "",
                reload_list: bool = False) -> None:
        if self._writable("changed"):
            self._run_change(change, done, (cursor, section), reload_list)

    @work(thread=True, exit_on_error=False, group="change")
    def _run_change(self, change, done: str | None, cursor: tuple, reload_list: bool) -> None:
        try:
            said = change()
        except StoreError as exc:
            self.app.call_from_thread(self.notify, printable(str(exc), False), severity="warning", markup=False)
            return
        message = done or str(said)
        self.app.call_from_thread(self._changed, message, cursor, reload_list)

    def _changed(self, message: str, cursor: tuple, reload_list: bool) -> None:
        self.notify(printable(message, False), markup=False)
        self._after_change(cursor, reload_list)

    def _after_change(self, cursor: tuple = (None, ""), reload_list: bool = False) -> None:
        if reload_list:
            self._request_list(self.query_text, self.sort, refresh=True)
        if self.current is not None:
            if cursor[0] is not None:
                self.current.cursor, self.current.section = cursor
            else:
                self._remember_cursor(self.current)
            self._request_detail(self.current)
