"""A formatted reference in the record page's own style:
`Wang, Li (2020). China and Russia in the SCO: Consensus & divergence. Human Affairs 30 (2):189-198.`
"""

from __future__ import annotations

from ..models import Work, venue_line
from .names import split_name

MAX_NAMES = 10


def _inverted(name: str) -> str:
    return name if name == "et al." else (split_name(name).inverted or name)


def format_reference(work: Work) -> str:
    """One line: authors (year). Title. Venue vol (issue):pages."""
    names = [_inverted(a.name) for a in work.authors if a.name.strip()]
    if len(names) > MAX_NAMES:
        names = names[:MAX_NAMES] + ["et al."]
    if not names:
        authors = ""
    elif len(names) == 1:
        authors = names[0]
    else:
        authors = ", ".join(names[:-1]) + " & " + names[-1]
    title = work.title.strip() or "Untitled"
    parts = [f"{authors} ({work.year or 'n.d.'})." if authors else f"({work.year or 'n.d.'})."]
    parts.append(title if title[-1] in ".?!" else title + ".")
    venue = venue_line(work.venue, work.volume, work.number, work.pages, None)
    if venue:
        parts.append(venue + ".")
    elif work.publisher:
        parts.append(work.publisher + ".")
    return " ".join(parts)
