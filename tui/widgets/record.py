"""The record page: a work (or an author) laid out like PhilPapers' page, in lines.

One Line-API widget holds the whole page, so a work with a thousand citations costs a
thousand short lines, drawn only when on screen. Works and authors on the page are
items: the cursor moves between them and `enter` opens one. Everything from the
catalogue is drawn as plain text (never Rich markup), with control bytes made visible.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import partial

from rich.console import Console
from rich.text import Text
from textual import events
from textual.binding import Binding
from textual.geometry import Size
from textual.message import Message
from textual.reactive import reactive
from textual.renderables.sparkline import Sparkline
from textual.scroll_view import ScrollView
from textual.strip import Strip

from ..models import AuthorPage, WorkPage, WorkRef
from ..safe import printable
from .lines import QuickScrollbars, set_virtual_size, text_strip

NOTE_SHOWN = 20_000  # characters of a note the record page renders
READING_WORDS = {"toread": "to read", "reading": "reading", "read": "read"}
Target = tuple[str, int]  # ("work", id), ("author", id), ("file", ...), ("more", id): more citations,
#   or ("listed", id): a listed reference not in the catalogue


@dataclass
class Line:
    """One line of the page: text, or a pre-drawn strip; `target` makes it an item.

    `make` gives the text when it is first needed: a work cited two thousand times has two
    thousand citation lines, and only the few on screen are ever drawn."""

    _text: Text | None = None
    strip: Strip | None = None
    target: Target | None = None
    section: str = ""
    make: Callable[[], Text] | None = None
    drawn: Strip | None = None  # the text drawn ahead (see Document.draw_ahead), unstyled

    @property
    def text(self) -> Text | None:
        if self._text is None and self.make is not None:
            self._text, self.make = self.make(), None
        return self._text


def _n(count: int, one: str, many: str | None = None) -> str:
    return f"{count:,} {one if count == 1 else (many or one + 's')}"


def _t(text: str | None) -> str:
    return printable(text or "", newlines=False)


def _ref_text(ref: WorkRef, width: int, why: str = "") -> Text:
    text = Text(no_wrap=True, overflow="ellipsis")
    text.append("  ")
    text.append(_t(ref.title) or "(untitled)", "bold")
    if ref.authors:
        text.append(" — " + _t(ref.authors))
    text.append(f" ({ref.year})" if ref.year else " (n.d.)", "dim")
    if why:
        text.append(f"  · {_t(why)}", "italic dim")
    text.truncate(width, overflow="ellipsis")
    return text


class Document:
    """The lines of a page, built for one width."""

    def __init__(self, width: int, console: Console) -> None:
        self.width = max(width, 20)
        self.console = console
        self.lines: list[Line] = []

    def blank(self) -> None:
        self.lines.append(Line(Text("")))

    def draw_ahead(self, count: int) -> Document:
        """Draw the first `count` lines now (in the worker that built the page), so the frame
        that shows the page only styles and crops them: drawing a new page's screenful there
        made that frame long, on the UI thread."""
        for line in self.lines[:count]:
            if line.strip is None and line.drawn is None and line.text is not None:
                line.drawn = text_strip(line.text, self.console)
        return self

    def text(self, text: Text | str, style: str = "", wrap: bool = True) -> None:
        if isinstance(text, str):
            text = Text(text, style=style)
        if not wrap:
            text.no_wrap = True
            text.overflow = "ellipsis"
            text.truncate(self.width, overflow="ellipsis")
            self.lines.append(Line(text))
            return
        for part in text.wrap(self.console, self.width):
            self.lines.append(Line(part))

    def heading(self, title: str) -> None:
        self.blank()
        text = Text(title, style="bold reverse")
        text.append(" " * max(self.width - len(title), 0))
        self.lines.append(Line(text, section=title))

    def item(self, text: Text | Callable[[], Text], target: Target, section: str = "") -> None:
        if callable(text):
            self.lines.append(Line(target=target, section=section, make=text))
        else:
            self.lines.append(Line(text, target=target, section=section))

    def strip(self, strip: Strip) -> None:
        self.lines.append(Line(strip=strip))

    def markdown(self, text: str) -> None:
        """The user's Markdown, rendered (Rich's Markdown: never Rich markup; control bytes made
        visible first; links not made terminal hyperlinks). Up to NOTE_SHOWN characters: a
        note of megabytes would take Rich seconds; the rest is said, and `N` opens it all."""
        from rich.markdown import Markdown

        shown = printable(text[:NOTE_SHOWN])
        options = self.console.options.update_width(self.width)
        for segments in self.console.render_lines(Markdown(shown, hyperlinks=False), options, pad=False):
            self.lines.append(Line(strip=Strip(segments)))
        if len(text) > NOTE_SHOWN:
            self.text(f"… the note goes on ({len(text) - NOTE_SHOWN:,} more characters): N opens it all", "dim")


def work_document(page: WorkPage, width: int, console: Console) -> Document:
    """The record page of a work."""
    w = page.work
    doc = Document(width, console)
    doc.text(Text(_t(w.title) or "(untitled)", style="bold"))
    for author in w.authors:
        text = Text(no_wrap=True)
        text.append(_t(author.name), "underline")
        if author.affiliation:
            text.append(", " + _t(author.affiliation), "italic")
        if author.id is not None:
            doc.item(text, ("author", author.id), "authors")
        else:
            doc.text(text, wrap=False)
    if not w.authors:
        doc.text("(no authors given)", "dim")
    if w.venue_line:
        doc.text(Text(_t(w.venue_line), style="italic"))
    meta = [w.type]
    if w.doi:
        meta.append(f"doi:{_t(w.doi)}")
    if w.url:
        meta.append(_t(w.url))
    meta.append(f"key {_t(w.key)}")
    doc.text(Text(" · ".join(meta), style="dim"))
    for dup in page.duplicates:  # found by identifiers or title, year and first author: never merged on a guess
        text = Text(no_wrap=True, overflow="ellipsis")
        text.append("Possible duplicate", "bold")
        text.append(f" ({dup.reason}; M merges): ", "dim")  # (the reason first: a long title is what is cut)
        text.append(f"{_t(dup.key)} — {_t(dup.title) or '(untitled)'}")
        text.append(f" ({dup.year if dup.year else 'n.d.'})", "dim")
        doc.item(text, ("work", dup.id), "duplicates")
    if w.fields.get("ibid-source"):  # fetched by its identifier (ibid add): from where, and when
        doc.text(Text(f"Record from {_t(w.fields['ibid-source'])}, "
                      f"{_t(w.fields.get('ibid-retrieved', ''))[:16].replace('T', ' ')}", style="dim"))
    doc.blank()
    if w.abstract:
        for i, paragraph in enumerate(printable(w.abstract).split("\n\n")):
            if i:
                doc.blank()
            doc.text(Text(" ".join(paragraph.split())))
    else:
        doc.text("No abstract.", "dim")
    if w.keywords:
        doc.blank()
        doc.text(Text("Keywords: " + _t("; ".join(w.keywords)), style="dim"))
    if w.reading:
        doc.blank()
        doc.text(Text(f"Reading state: {READING_WORDS.get(w.reading, _t(w.reading))}", style="bold"))
    if w.note.strip():
        doc.heading("Note")
        doc.markdown(w.note)

    s = page.stats
    doc.heading("Usage")
    added = (w.added or "")[:10]
    rank = f"#{s.rank:,}" if s.rank else "unranked"
    doc.text(f"Added {added} · {_n(s.views, 'view')} · {_n(s.copies, 'copy', 'copies')} · "
             f"{_n(s.exports, 'export')} · 6 months {s.recent:,} · rank {rank}")
    if w.pp_downloads is not None:
        line = f"PhilPapers downloads {w.pp_downloads:,}"
        if w.pp_downloads_rank:
            line += f" (#{w.pp_downloads_rank:,})"
        if w.pp_recent is not None:
            line += f" · 6 months {w.pp_recent:,}" + (f" (#{w.pp_recent_rank:,})" if w.pp_recent_rank else "")
        doc.text(line, "dim")
    if s.history:
        spark_w = min(len(s.history) * 2, doc.width - 18)
        label = Text("History, 12 months ", style="dim")
        segments = list(label.render(console))
        options = console.options.update_width(max(spark_w, 1))
        segments += list(console.render(Sparkline(s.history, width=max(spark_w, 1)), options))
        doc.strip(Strip([seg for seg in segments if seg.text != "\n"]))
    doc.text(f"Papers currently archived: {len(page.files)}", "dim")
    for attachment in page.files:
        line = Text(no_wrap=True, overflow="ellipsis")
        line.append("  " + _t(attachment.name))
        line.append(f"  {_t(attachment.stored)} · {attachment.added[:10]}", "dim")
        doc.item(line, ("file", attachment.stored), "files")

    doc.heading("Similar books and articles")
    for sim in page.similar:
        doc.item(partial(_ref_text, sim.work, doc.width, sim.why), ("work", sim.work.id), "similar")
    if not page.similar:
        doc.text("  No similar works found.", "dim")

    for heading, refs, count, section, empty in (
        ("Citations of this work", page.citations, page.citation_count, "citations", "No citations found."),
        ("References found in this work", page.references, page.reference_count, "references", "No references found."),
    ):
        listed = f"; {len(page.unresolved):,} more listed, not in the catalogue" \
            if section == "references" and page.unresolved else ""
        doc.heading(f"{heading} ({count:,}{listed})")
        for ref in refs:
            doc.item(partial(_ref_text, ref, doc.width), ("work", ref.id), section)
        if count > len(refs):
            doc.item(Text(f"  … and {count - len(refs):,} more (enter lists more)", style="dim"), ("more", w.id), section)
        if section == "references" and page.unresolved:
            # listed by the work's source, not (yet) in the catalogue: enter fetches and links one
            for listed in page.unresolved:
                text = Text(no_wrap=True, overflow="ellipsis", style="dim")
                text.append("  " + _t(listed.text))
                if listed.doi or listed.arxiv:
                    text.append(f"  · {'doi:' + listed.doi if listed.doi else 'arXiv:' + listed.arxiv} (enter adds)",
                                "italic")
                doc.item(text, ("listed", listed.id), section)
            continue
        if not refs:
            doc.text(f"  {empty}", "dim")
    return doc


def author_document(page: AuthorPage, width: int, console: Console) -> Document:
    """An author's profile: name, affiliation, works, co-authors."""
    doc = Document(width, console)
    doc.text(Text(_t(page.author.name), style="bold"))
    doc.text(Text(_t(page.author.affiliation) or "No affiliation known.",
                  style="italic" if page.author.affiliation else "dim"))
    if page.author.orcid:
        doc.text(Text(f"ORCID {_t(page.author.orcid)}", style="dim"))
    for variant in page.variants:  # the same family name, given names that agree, a co-author or venue shared
        text = Text(no_wrap=True, overflow="ellipsis")
        text.append("Also written as ", "dim")
        text.append(_t(variant.name), "underline")
        text.append(" (may be the same person)", "dim")
        doc.item(text, ("author", variant.id or 0), "variants")
    doc.heading(f"Works in the catalogue ({len(page.works):,})")
    for ref in page.works:
        doc.item(partial(_ref_text, ref, doc.width), ("work", ref.id), "works")
    if not page.works:
        doc.text("  None.", "dim")
    doc.heading(f"Co-authors ({len(page.coauthors):,})")
    for author, shared in page.coauthors:
        text = Text(no_wrap=True)
        text.append("  " + _t(author.name))
        if author.affiliation:
            text.append(", " + _t(author.affiliation), "italic")
        text.append(f"  · {shared} shared work{'s' if shared != 1 else ''}", "dim")
        doc.item(text, ("author", author.id or 0), "coauthors")
    if not page.coauthors:
        doc.text("  None.", "dim")
    return doc


def message_document(message: str, width: int, console: Console) -> Document:
    """A page that only says something (an empty catalogue, an error)."""
    doc = Document(width, console)
    doc.blank()
    doc.text(Text(message, style="dim"))
    return doc


class RecordView(QuickScrollbars, ScrollView, can_focus=True):
    """A scrollable page whose works and authors can be highlighted and opened."""

    BINDINGS = [
        Binding("up,k", "cursor_up", "Previous link", show=False),
        Binding("down,j", "cursor_down", "Next link", show=False),
        Binding("pageup", "page_up", "Page up", show=False),
        Binding("pagedown", "page_down", "Page down", show=False),
        Binding("home", "first", "Top", show=False),
        Binding("end", "last", "Bottom", show=False),
        Binding("enter", "open", "Open", show=True),
    ]

    COMPONENT_CLASSES = {"record--cursor"}

    DEFAULT_CSS = """
    RecordView { padding: 0 1; scrollbar-gutter: stable; }
    RecordView > .record--cursor { background: $accent 30%; }
    RecordView:focus > .record--cursor { background: $accent; color: $text; }
    """

    cursor: reactive[int] = reactive(-1, always_update=True, init=False)

    class Opened(Message):
        """`enter` on a work or an author of the page."""

        def __init__(self, target: Target) -> None:
            super().__init__()
            self.target = target

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._builder = None  # (function, data): rebuilt when the width changes
        self.doc: Document | None = None
        self.items: list[int] = []  # line numbers of the items
        self.subject: Target | None = None
        self._strips: dict[tuple[int, int, bool, int], Strip] = {}  # drawn lines of this page

    def page_width(self) -> int:
        """The width a page is built for (`builder(data, page_width(), console)`)."""
        return (self.scrollable_content_region.width or self.size.width or 80) - 1

    def show(self, builder, data, subject: Target | None = None, cursor_target: Target | None = None,
             cursor_section: str = "", doc: Document | None = None) -> None:
        """Lay out a page; the cursor goes to `cursor_target` (in `cursor_section`, if given).
        `doc`: the page already built by `builder` (off the UI thread), used if it was built
        for the width the view has now."""
        self._builder = (builder, data)
        self.subject = subject
        self._layout(doc)
        self.cursor = -1
        if cursor_target is not None and self.doc is not None:
            matches = [i for i, n in enumerate(self.items) if self.doc.lines[n].target == cursor_target]
            in_section = [i for i in matches if self.doc.lines[self.items[i]].section == cursor_section]
            if in_section or matches:
                self.cursor = (in_section or matches)[0]
        if self.cursor == -1:
            self.scroll_home(animate=False)

    def _layout(self, doc: Document | None = None) -> None:
        if self._builder is None:
            return
        builder, data = self._builder
        width = self.page_width()
        if doc is None or doc.width != max(width, 20):
            doc = builder(data, width, self.app.console)
        self.doc = doc
        self._strips.clear()
        self.items = [i for i, line in enumerate(self.doc.lines) if line.target is not None]
        set_virtual_size(self, Size(width + 1, len(self.doc.lines)))
        self.refresh()

    @property
    def target(self) -> Target | None:
        """What the cursor is on."""
        if self.doc is None or not 0 <= self.cursor < len(self.items):
            return None
        return self.doc.lines[self.items[self.cursor]].target

    @property
    def section(self) -> str:
        """The section of the item under the cursor (`citations`, `references`, ...)."""
        if self.doc is None or not 0 <= self.cursor < len(self.items):
            return ""
        return self.doc.lines[self.items[self.cursor]].section

    def on_resize(self, event: events.Resize) -> None:
        if self.doc is None or self.doc.width != max(self.scrollable_content_region.width - 1, 20):
            keep = self.cursor
            self._layout()
            self.cursor = min(keep, len(self.items) - 1)

    def watch_cursor(self, cursor: int) -> None:
        update_keys = getattr(self.screen, "update_keys", None)
        if update_keys is not None:
            update_keys()  # what the keys can act on (remove a link...) may have changed
        self._scroll_to_cursor()
        self.refresh()

    def _scroll_to_cursor(self) -> None:
        """Bring the cursor's line (with one line of context) into view."""
        if not 0 <= self.cursor < len(self.items):
            return
        line = self.items[self.cursor]
        top, height = self.scroll_offset.y, max(self.scrollable_content_region.height, 3)
        # force: a page that just grew has no scrollbar until the next layout, and without one
        # Textual refuses to scroll (coming back from a short page, the cursor was left off screen)
        if line - 1 < top:
            self.scroll_to(y=max(line - 1, 0), animate=False, immediate=True, force=True)
        elif line + 1 >= top + height:
            self.scroll_to(y=line + 2 - height, animate=False, immediate=True, force=True)

    def _visible_items(self) -> list[int]:
        top, bottom = self.scroll_offset.y, self.scroll_offset.y + self.size.height
        return [i for i, line in enumerate(self.items) if top <= line < bottom]

    def action_cursor_down(self) -> None:
        if self.cursor + 1 < len(self.items):
            self.cursor += 1
        else:
            self.scroll_down(animate=False)

    def action_cursor_up(self) -> None:
        if self.cursor > 0:
            self.cursor -= 1
        elif self.cursor == 0:
            self.cursor = -1
            self.scroll_home(animate=False)
        else:
            self.scroll_up(animate=False)

    def action_page_down(self) -> None:
        self.scroll_page_down(animate=False)
        self.call_after_refresh(self._cursor_into_view)

    def action_page_up(self) -> None:
        self.scroll_page_up(animate=False)
        self.call_after_refresh(self._cursor_into_view)

    def _cursor_into_view(self) -> None:
        visible = self._visible_items()
        if visible and self.cursor not in visible:
            self.cursor = visible[0]

    def action_first(self) -> None:
        self.cursor = -1
        self.scroll_home(animate=False)

    def action_last(self) -> None:
        if self.items:
            self.cursor = len(self.items) - 1
        self.scroll_end(animate=False)

    def action_open(self) -> None:
        if self.target is not None:
            self.post_message(self.Opened(self.target))

    def on_click(self, event: events.Click) -> None:
        line = self.scroll_offset.y + event.y
        if line in self.items:
            self.cursor = self.items.index(line)

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._strips.clear()  # focus, theme or CSS changed: drawn lines are out of date
        self._styles = None

    _styles = None
    _top = 0

    def render_lines(self, crop):
        # what every line needs, worked out once a frame: each lookup is not cheap in Textual,
        # and a new page draws every line on screen
        self._top = self.scroll_offset.y
        if self._styles is None:
            base = self.rich_style
            self._styles = (base, base + self.get_component_rich_style("record--cursor"))
        return super().render_lines(crop)

    def render_line(self, y: int) -> Strip:
        index = self._top + y
        width = self.scrollable_content_region.width or self.size.width
        base, cursor_style = self._styles or (self.rich_style, self.rich_style)
        if self.doc is None or index >= len(self.doc.lines):
            return Strip.blank(width, base)
        cursor = 0 <= self.cursor < len(self.items) and self.items[self.cursor] == index
        key = (id(self.doc), index, cursor, width)
        strip = self._strips.get(key)
        if strip is not None:
            return strip
        line = self.doc.lines[index]
        if line.strip is not None:  # (drawn segments may carry no style: NO_COLOR's filter needs one)
            strip = line.strip.crop_extend(0, width, base).apply_style(base)
        else:
            style = base
            if line.target is not None and cursor:
                style = cursor_style
            assert line.text is not None
            strip = line.drawn if line.drawn is not None else text_strip(line.text, self.app.console)
            strip = strip.apply_style(style).crop_extend(0, width, style) if style is not base \
                else strip.crop_extend(0, width, base).apply_style(base)
        if len(self._strips) >= 1000:
            self._strips.clear()
        self._strips[key] = strip
        return strip



