"""What a reader yields (Batch), what it reports (Problem), and what stops it (FormatError)."""

from __future__ import annotations

from dataclasses import dataclass, field

from ..models import Work


class FormatError(Exception):
    """A whole file cannot be read: one line for the user."""


@dataclass
class Problem:
    """Something in an input file that was not imported as given."""

    file: str
    line: int | None
    message: str
    kind: str = "refused"  # refused | duplicate | renamed | unlinked

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        return f"{where}: {self.message}"


@dataclass
class Batch:
    """What one file yields: works, the links between them, and what went wrong."""

    works: list[Work] = field(default_factory=list)
    citations: list[tuple[str, str]] = field(default_factory=list)  # (citing key, cited key)
    similar: list[tuple[str, str]] = field(default_factory=list)  # (work key, similar key)
    problems: list[Problem] = field(default_factory=list)
    source: str = ""  # the file, for problems found later (a key already in the catalogue)
    lines: dict[str, int] = field(default_factory=dict)  # key -> line where its work starts
    # keys ibid made up (RIS, CSL-JSON without usable ids): if the catalogue has another work
    # under one, the new work gets a free key; it is not a duplicate of a work it only shares a key with
    generated: set[str] = field(default_factory=set)
    last_line: int = 0  # of a chunk of a streamed file: the last line read (for progress)
    # BibTeX blocks whose key an earlier entry of the file took: (line, raw text), and the
    # file's @string definitions to read them with; read only if asked (--on-duplicate rename)
    repeats: list[tuple[int, str]] = field(default_factory=list)
    strings: str = ""

    def repeated_works(self) -> list[tuple[int, Work]]:
        """The works behind `repeats`, each with its line, under the key it was given."""
        from .bibtex import parse_repeats

        return parse_repeats(self) if self.repeats else []
