"""Plain data: what a work, an author and a link are. No SQL, no Textual."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class Author:
    """A person as the catalogue knows them."""

    name: str
    affiliation: str = ""
    id: int | None = None
    orcid: str = ""  # bare `0000-0002-2515-3842`, when a source gives it


@dataclass
class WorkRef:
    """A short handle on a work, enough to list it and open it."""

    id: int
    key: str
    title: str
    authors: str = ""
    year: int | None = None


@dataclass
class Work:
    """One catalogue record.

    `fields` holds the BibTeX fields exactly as read (LaTeX intact), so export is
    faithful; the named attributes are decoded Unicode for display and search.
    """

    key: str
    type: str = "misc"
    title: str = ""
    authors: list[Author] = field(default_factory=list)
    year: int | None = None
    venue: str = ""
    volume: str = ""
    number: str = ""
    pages: str = ""
    publisher: str = ""
    doi: str = ""
    url: str = ""
    abstract: str = ""
    keywords: list[str] = field(default_factory=list)
    fields: dict[str, str] = field(default_factory=dict)
    # PhilPapers' own counts when a record page gave them
    pp_downloads: int | None = None
    pp_downloads_rank: int | None = None
    pp_recent: int | None = None
    pp_recent_rank: int | None = None
    id: int | None = None
    added: str = ""
    updated: str = ""
    note: str = ""  # the user's note (Markdown): BibTeX `annote` in and out
    reading: str = ""  # toread, reading, read, or "" (none): JabRef's `readstatus` in and out

    @property
    def author_names(self) -> str:
        """Authors as one display string: `A, B & C`."""
        return join_names([a.name for a in self.authors])

    @property
    def venue_line(self) -> str:
        """The record page's venue line: `Journal vol (issue):pages (year)`."""
        return venue_line(self.venue, self.volume, self.number, self.pages, self.year)


@dataclass
class Stats:
    """Local usage of a work: what the record page shows as downloads and ranks."""

    views: int = 0
    copies: int = 0
    exports: int = 0
    recent: int = 0  # all events in the last six months
    rank: int | None = None  # 1 = most used in the catalogue; None when never used
    history: list[int] = field(default_factory=list)  # events per month, oldest first


@dataclass
class Similar:
    """A similar work and why it is similar."""

    work: WorkRef
    why: str


@dataclass
class Attachment:
    """An archived copy of a work: a file in the catalogue's own folder."""

    name: str  # the file's name as the user gave it
    stored: str  # its safe name inside the catalogue's files folder
    added: str = ""
    id: int | None = None


@dataclass
class ListedReference:
    """An entry of a work's reference list (as Crossref gives it) naming no work of the catalogue yet."""

    id: int
    text: str
    doi: str = ""
    arxiv: str = ""


@dataclass
class WorkPage:
    """Everything the detail pane shows for one work."""

    work: Work
    citations: list[WorkRef]
    citation_count: int
    references: list[WorkRef]
    reference_count: int
    similar: list[Similar]
    stats: Stats
    files: list[Attachment] = field(default_factory=list)
    unresolved: list[ListedReference] = field(default_factory=list)  # references not in the catalogue yet
    duplicates: list[PossibleDuplicate] = field(default_factory=list)  # works that may be this one


@dataclass
class AuthorPage:
    """Everything the author screen shows."""

    author: Author
    works: list[WorkRef]
    coauthors: list[tuple[Author, int]]
    variants: list[Author] = field(default_factory=list)  # other spellings that may be this person


@dataclass
class PossibleDuplicate:
    """Another work of the catalogue that may be this one, and why (tui/dupkeys.py's rules)."""

    id: int
    key: str
    title: str
    year: int | None
    reason: str  # same DOI | same arXiv id | same ISBN | same title, year and first author

    @property
    def exact(self) -> bool:
        """Found by an identifier, not by a title."""
        return self.reason in EXACT_REASONS


SAME_DOI, SAME_ARXIV, SAME_ISBN = "same DOI", "same arXiv id", "same ISBN"
SAME_TITLE = "same title, year and first author"
EXACT_REASONS = (SAME_DOI, SAME_ARXIV, SAME_ISBN)
REASON_ORDER = (*EXACT_REASONS, SAME_TITLE)  # the strongest first


@dataclass
class DuplicateGroup:
    """Works that may be one: each joined to another by a reason."""

    reasons: list[str]  # in REASON_ORDER
    works: list[WorkRef]

    @property
    def reason(self) -> str:
        return self.reasons[0]

    @property
    def exact(self) -> bool:
        """Joined by an identifier (a DOI, an arXiv id, an ISBN)."""
        return self.reason in EXACT_REASONS


@dataclass
class AuthorVariants:
    """Names that may be one person's: the same family name, given names that agree, and a
    co-author or a venue in common."""

    authors: list[Author]  # with their ids; the most used first
    works: list[int]  # each one's number of works, in the same order
    shared: str  # what they share: "co-author NAME" or "venue NAME"


@dataclass
class ListRow:
    """One row of the work list."""

    id: int
    key: str
    title: str
    authors: str
    year: int | None
    cited_by: int = 0
    state: str | None = None  # reading state: toread, reading, read


@dataclass
class Note:
    """A work's note: Markdown as the user wrote it, and when it was last saved."""

    text: str
    updated: str


def join_names(names: list[str], limit: int | None = None) -> str:
    """`A`, `A & B`, `A, B & C`; with `limit`, `A, B et al.`."""
    if limit is not None and len(names) > limit:
        return ", ".join(names[:limit]) + " et al."
    if len(names) <= 1:
        return "".join(names)
    return ", ".join(names[:-1]) + " & " + names[-1]


def page_range(pages: str) -> tuple[str, str]:
    """`189--198`, `189–198` or `189-198` -> (`189`, `198`); `e1234` -> (`e1234`, ``)."""
    start, _, end = pages.replace("--", "-").replace("–", "-").partition("-")
    return start.strip(), end.strip()


def venue_line(venue: str, volume: str, number: str, pages: str, year: int | None) -> str:
    """Format `Human Affairs 30 (2):189-198 (2020)` from its parts; skips what is missing."""
    text = venue or ""
    if volume:
        text += f" {volume}" if text else volume
    if number:
        text += f" ({number})" if text else f"({number})"
    if pages:
        text += f":{pages}" if (volume or number) else (f", {pages}" if text else pages)
    if year:
        text += f" ({year})" if text else str(year)
    return text.strip()
