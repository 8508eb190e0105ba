"""Which value of each field a merged work keeps: the richer one (the longer abstract, the DOI
where one lacks it, the fields one lacks), or the side the user chose. No SQL, no Textual."""

from __future__ import annotations

import copy
import re
from dataclasses import dataclass

from .models import Work

# The fields a user sees, chosen as a whole; the raw BibTeX fields each comes from go with it
# (a title taken from the other work takes its `title` and `subtitle`: export writes the raw ones).
ATTRIBUTES = ("type", "title", "authors", "year", "venue", "volume", "number", "pages", "publisher",
              "doi", "url", "abstract", "keywords")
_VENUE = ("journal", "journaltitle", "booktitle", "school", "institution", "howpublished", "series")
RAW_GROUPS = {"title": ("title", "subtitle"), "authors": ("author", "editor"), "year": ("year", "date"),
              "venue": _VENUE, "number": ("number", "issue")}
_IN_GROUPS = {raw for name in ATTRIBUTES for raw in RAW_GROUPS.get(name, (name,))}
ALIASES_FIELD = "ids"  # biblatex's field for the other keys of an entry


@dataclass
class Difference:
    """A field whose value differs between the two works, and the side a merge takes by default:
    "keep", "gone", or (keywords) "both"."""

    name: str
    keep: str
    gone: str
    side: str


def shown(work: Work, name: str) -> str:
    """A field's value as one line of text (a raw BibTeX field by its name)."""
    if name == "authors":
        return "; ".join(a.name for a in work.authors)
    if name == "keywords":
        return "; ".join(work.keywords)
    if name == "year":
        return "" if work.year is None else str(work.year)
    if name in ATTRIBUTES:
        return str(getattr(work, name) or "")
    return work.fields.get(name, "")


def _default(name: str, keep: str, gone: str) -> str:
    if name == "keywords" and keep and gone:
        return "both"
    if name == "abstract":
        return "gone" if len(gone) > len(keep) else "keep"
    if name == "type":
        return "gone" if keep in ("", "misc") and gone not in ("", "misc") else "keep"
    return "keep" if keep or not gone else "gone"


def raw_names(keep: Work, gone: Work) -> list[str]:
    """The raw fields that are chosen on their own (in neither work's shown fields)."""
    names = list(dict.fromkeys([*keep.fields, *gone.fields]))
    return [n for n in names if n not in _IN_GROUPS and n != ALIASES_FIELD]


def differences(keep: Work, gone: Work) -> list[Difference]:
    """The fields whose values differ, shown ones first, each with the side taken by default."""
    out = []
    for name in (*ATTRIBUTES, *raw_names(keep, gone)):
        a, b = shown(keep, name), shown(gone, name)
        if a != b:
            out.append(Difference(name, a, b, _default(name, a, b)))
    return out


def _keywords(keep: list[str], gone: list[str]) -> list[str]:
    seen = {k.casefold() for k in keep}
    return keep + [k for k in gone if k.casefold() not in seen]


def split_ids(value: str) -> list[str]:
    """The keys of an `ids` field: comma-separated."""
    return [k.strip() for k in value.split(",") if k.strip()]


def merged(keep: Work, gone: Work, choices: dict[str, str] | None = None,
           gone_aliases: list[str] = ()) -> tuple[Work, list[str]]:
    """The kept work as the merge leaves it, and the fields it took from the gone one. `choices`:
    field -> "keep" or "gone" ("both" for keywords); a field not named takes its default. The
    gone work's key and aliases join the kept work's `ids`. Raises ValueError for a field
    neither work has, or a side that is none of these."""
    choices = dict(choices or {})
    known = {*ATTRIBUTES, *raw_names(keep, gone)}
    for name, side in choices.items():
        if name not in known:
            raise ValueError(f"no field {name!r} in either work (fields: {', '.join(sorted(known))})")
        if side not in ("keep", "gone") and not (side == "both" and name == "keywords"):
            raise ValueError(f"{name}={side}: take a field from 'keep' or 'gone'")
    work = copy.deepcopy(keep)
    fields = dict(keep.fields)
    taken = []
    for diff in differences(keep, gone):
        side = choices.get(diff.name, diff.side)
        if side == "keep":
            continue
        taken.append(diff.name)
        if diff.name not in ATTRIBUTES:
            if diff.name in gone.fields:
                fields[diff.name] = gone.fields[diff.name]
            else:
                fields.pop(diff.name, None)
            continue
        group = RAW_GROUPS.get(diff.name, (diff.name,))
        if side == "both":  # keywords of both
            work.keywords = _keywords(keep.keywords, gone.keywords)
            raw = [k.strip() for v in (keep.fields.get("keywords", ""), gone.fields.get("keywords", ""))
                   for k in re.split(r"[;,]", v) if k.strip()]
            if raw:
                fields["keywords"] = ", ".join(_keywords([], raw))
            continue
        setattr(work, diff.name, copy.deepcopy(getattr(gone, diff.name)))
        for raw in group:
            fields.pop(raw, None)
            if raw in gone.fields:
                fields[raw] = gone.fields[raw]
    # the pp_ counts a record page gave: the kept work's, else the gone one's
    for name in ("pp_downloads", "pp_downloads_rank", "pp_recent", "pp_recent_rank"):
        if getattr(work, name) is None and getattr(gone, name) is not None:
            setattr(work, name, getattr(gone, name))
    ids = split_ids(keep.fields.get(ALIASES_FIELD, "")) + [gone.key] + \
        split_ids(gone.fields.get(ALIASES_FIELD, "")) + list(gone_aliases)
    ids = [k for k in dict.fromkeys(ids) if k != keep.key]
    fields[ALIASES_FIELD] = ", ".join(ids)
    work.fields = fields
    return work, taken
