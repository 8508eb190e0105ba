"""The main screen's actions on the work shown: its author, its links, archived copies,
exports of marked works, and copying (BibTeX, key, reference)."""

from __future__ import annotations

import os
from pathlib import Path

from rich.text import Text
from textual import work

from ..attach import attach, stored_path
from ..config import ConfigError, load_config, resolver_hint
from ..formats import FormatError
from ..formats.export import format_for_suffix, render, write_atomic
from ..links import external_url, openurl
from ..safe import printable
from ..store import StoreError
from .prompt import PromptScreen


class WorkActions:
    """Actions on the work shown (a part of MainScreen): author, links, archive, export, copy."""

    def action_author(self) -> None:
        target = self.record.target
        if target is not None and target[0] == "author":
            self.open(target)
            return
        if self.page is None or not self.page.work.authors or self.page.work.authors[0].id is None:
            self.notify("This work names no author", severity="warning")
            return
        self.open(("author", self.page.work.authors[0].id))

    def action_open_link(self) -> None:
        if self.page is None:
            return
        target = self.record.target
        if target is not None and target[0] == "file":
            self._open_file(str(target[1]))
            return
        url = external_url(self.page.work)
        if not url:
            what = "no DOI or web address" if not (self.page.work.doi or self.page.work.url) else \
                "no DOI or http(s) address that can be opened safely"
            self.notify(f"This work has {what}", severity="warning")
            return
        self.app.open_url(url)  # the user's browser, through webbrowser: arguments, never a shell
        self.notify(Text(f"Opening {printable(url, False)}").plain, markup=False)

    def _open_file(self, stored: str) -> None:
        """An archived copy, by its name in the catalogue's folder (never a path from elsewhere)."""
        if self.page is None:
            return
        attachment = next((f for f in self.page.files if f.stored == stored), None)
        if attachment is None:
            return
        path = stored_path(self.store, attachment)
        if not path.is_file():
            self.notify(printable(f"{path}: the archived copy is missing", False), severity="error", markup=False)
            return
        self.app.open_url(path.resolve().as_uri())
        self.notify(printable(f"Opening {path}", False), markup=False)

    def _config(self):
        """The settings, or None after saying in one line what is wrong with the file."""
        try:
            return load_config()
        except ConfigError as exc:
            self.notify(printable(str(exc), False), severity="error", markup=False)
            return None

    def action_library_link(self) -> None:
        if self.page is None:
            return
        config = self._config()
        if config is None:
            return
        if not config.resolver:
            self.notify(printable(resolver_hint(config.path), False), severity="warning", markup=False, timeout=10)
            return
        url = openurl(self.page.work, config.resolver)
        self.app.open_url(url)
        self.notify(printable(f"Opening through your library: {url}", False), markup=False)

    def action_attach_file(self) -> None:
        if self.page is None or not self._writable("archived"):
            return
        work_ = self.page.work

        def chosen(answer: str | None) -> None:
            if answer:
                self._archive(work_, Path(answer).expanduser())

        self.app.push_screen(PromptScreen(
            f"Archive a copy of a file with {printable(work_.key, False)}: its path",
            value=str(Path.cwd()) + os.sep,
            hint="The file is copied into the catalogue's own folder; the original is left as it is."), chosen)

    @work(thread=True, exit_on_error=False, group="attach")
    def _archive(self, work_, path: Path) -> None:
        try:
            attachment = attach(self.store, work_, path)
            self.archived = self.store.archived_count()
            size = stored_path(self.store, attachment).stat().st_size
        except StoreError as exc:
            self.app.call_from_thread(self.notify, printable(str(exc), False), severity="error", markup=False)
            return
        self.app.call_from_thread(self._archived, work_, attachment.stored, size)

    def _archived(self, work_, stored: str, size: int) -> None:
        self.notify(printable(f"Archived {stored} ({size:,} bytes) with {work_.key}; "
                              f"papers currently archived: {self.archived:,}", False), title="Archived", markup=False)
        self._set_header()
        if self.current is not None and self.current.target == ("work", work_.id):
            self._request_detail(self.current)

    def action_export_marked(self) -> None:
        marked = list(self.works.marked)
        if not marked:
            self.notify("No works marked: mark them in the list with space first", severity="warning")
            return

        def chosen(answer: str | None) -> None:
            if not answer:
                return
            path = Path(answer).expanduser()
            fmt = format_for_suffix(path)
            if fmt is None:
                self.notify("Name the file .bib (BibTeX), .ris (RIS) or .json (CSL-JSON)", severity="error")
                return
            if path.is_dir():
                self.notify(printable(f"{path}: is a folder; name a file", False), severity="error", markup=False)
                return
            if path.exists():
                from .edit import ConfirmScreen

                self.app.push_screen(ConfirmScreen(f"{printable(str(path), False)} exists. Replace it?"),
                                     lambda yes: self._export(marked, path, fmt) if yes else None)
                return
            self._export(marked, path, fmt)

        # the folder and the format of the last export, in this run; else here, as BibTeX
        last = self._last_export
        self.app.push_screen(PromptScreen(
            f"Export {len(marked):,} marked work{'s' if len(marked) != 1 else ''} to",
            value=str(last.parent / f"ibid-marked{last.suffix}" if last else Path.cwd() / "ibid-marked.bib"),
            hint=".bib for BibTeX, .ris for RIS, .json for CSL-JSON"), chosen)

    @work(thread=True, exit_on_error=False, group="export")
    def _export(self, ids: list[int], path: Path, fmt: str) -> None:
        order = {work_id: n for n, work_id in enumerate(ids)}
        works = sorted(self.store.works(ids), key=lambda w: order[w.id])  # in the order they were marked
        try:
            size = write_atomic(path, render(works, fmt))
        except OSError as exc:
            self.app.call_from_thread(self.notify, printable(f"{path}: cannot write ({exc.strerror or exc}); "
                                                             "nothing was exported", False),
                                      severity="error", markup=False)
            return
        if not self.store.read_only:
            self.store.record_events([w.id for w in works], "export")
        self.app.call_from_thread(self._exported, len(works), path, fmt, size)

    def _exported(self, count: int, path: Path, fmt: str, size: int) -> None:
        self._last_export = path
        self.notify(printable(f"Exported {count:,} work{'s' if count != 1 else ''} to {path} "
                              f"({fmt}, {size:,} bytes)", False), title="Exported", markup=False)
        self.works.clear_marks()
        if self.current is not None:
            self._request_detail(self.current)  # the export counts move

    # With works marked in the list, b, y and Y copy all of them, in the order they were marked:
    # their BibTeX, their keys in the form [keys] cite_format sets (\cite{a,b}, [@a; @b], a, b),
    # the bibliography in the [references] style.

    def action_copy_bibtex(self) -> None:
        from ..formats import bibtex

        if self.works.marked:
            self._copy_marked("bibtex")
        elif self.page is not None:
            self._copy(bibtex.write([self.page.work]), f"BibTeX of {self.page.work.key}")

    def action_copy_key(self) -> None:
        if self.works.marked:
            self._copy_marked("keys")
        elif self.page is not None:
            self._copy(self.page.work.key, f"key {self.page.work.key}")

    def action_copy_reference(self) -> None:
        if self.works.marked:
            self._copy_marked("references")
        elif self.page is not None:
            self._format_reference(self.page.work)

    @work(thread=True, exit_on_error=False, group="reference")
    def _copy_marked(self, kind: str) -> None:
        from ..clipboard import copy_with_pyperclip, describe
        from ..formats import bibtex
        from ..formats.cite import format_reference
        from ..formats.cited import format_keys

        ids = list(self.works.marked)
        order = {work_id: n for n, work_id in enumerate(ids)}
        try:
            config = load_config()
            works = sorted(self.store.works(ids), key=lambda w: order[w.id])
            if kind == "bibtex":
                text, what = bibtex.write(works), f"BibTeX of {len(works):,} marked works"
            elif kind == "keys":
                text, what = format_keys([w.key for w in works], config.cite_format), \
                    f"{len(works):,} keys ({config.cite_format})"
            else:
                text = "\n".join(format_reference(w, config.style) for w in works)
                what = f"{config.style} bibliography of {len(works):,} works"
        except (ConfigError, FormatError, StoreError) as exc:
            self.app.call_from_thread(self.notify, printable(str(exc), False), severity="error", markup=False)
            return
        self.app.call_from_thread(self.app.copy_to_clipboard, text)  # OSC 52
        system = copy_with_pyperclip(text)
        counted = False
        if not self.store.read_only:
            try:
                self.store.record_events([w.id for w in works], "copy")
                counted = True
            except StoreError:
                pass
        self.app.call_from_thread(self._copied, what, describe(len(text.encode()), system), counted)

    @work(thread=True, exit_on_error=False, group="reference")
    def _format_reference(self, work_) -> None:
        """citeproc-py is slow on a style's first reference: not on the UI thread."""
        from ..formats.cite import format_reference

        try:
            style = load_config().style
            text = format_reference(work_, style)
        except (ConfigError, FormatError) as exc:
            self.app.call_from_thread(self.notify, printable(str(exc), False), severity="error", markup=False)
            return
        self.app.call_from_thread(self._copy_reference, work_, text, style)

    def _copy_reference(self, work_, text: str, style: str) -> None:
        if self.page is not None and self.page.work.id == work_.id:
            self._copy(text, f"{style} reference to {work_.key}")

    def _copy(self, text: str, what: str) -> None:
        assert self.page is not None and self.page.work.id is not None
        self.app.copy_to_clipboard(text)  # OSC 52: works over SSH and in tmux
        self._copy_elsewhere(text, what, self.page.work.id)

    @work(thread=True, exit_on_error=False, group="copy")
    def _copy_elsewhere(self, text: str, what: str, work_id: int) -> None:
        from ..clipboard import copy_with_pyperclip, describe

        system = copy_with_pyperclip(text)
        counted = False
        if not self.store.read_only:
            try:
                self.store.record_event(work_id, "copy")
                counted = True
            except StoreError:
                pass  # the copy is made; only its count is lost (a lock, a full disk)
        self.app.call_from_thread(self._copied, what, describe(len(text.encode()), system), counted)

    def _copied(self, what: str, how: str, counted: bool) -> None:
        self.notify(printable(f"Copied {what}: {how}", newlines=False), title="Copied", markup=False)
        if counted and self.current is not None:
            self._request_detail(self.current)  # the usage counts move
