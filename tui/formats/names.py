"""Personal names between the shapes formats use: `Li Wang`, `Wang, Li`, CSL's {family, given}."""

from __future__ import annotations

from dataclasses import dataclass
import re
from functools import lru_cache

from bibtexparser.middlewares.names import parse_single_name_into_parts, split_multiple_persons_names

from .latex import decode


_SUFFIX = re.compile(r"^(?:Jr|Sr|Jnr|Snr)\.?$|^(?:II|III|IV|V|VI)$", re.I)


@dataclass(frozen=True)
class NameParts:
    given: str = ""
    particle: str = ""  # von, van der, de ...
    family: str = ""
    suffix: str = ""  # Jr., III

    @property
    def display(self) -> str:
        """As it reads: `John von Neumann`, `Martin Luther King, Jr.`."""
        text = " ".join(p for p in (self.given, self.particle, self.family) if p)
        return f"{text}, {self.suffix}" if self.suffix else text

    @property
    def inverted(self) -> str:
        """As RIS and BibTeX want it: `von Neumann, John`, `King, Jr., Martin Luther`."""
        family = " ".join(p for p in (self.particle, self.family) if p)
        if not self.given and not self.suffix:
            return family
        return ", ".join(p for p in (family, self.suffix, self.given) if p)


@lru_cache(maxsize=65536)
def split_name(name: str) -> NameParts:
    """A display name (`John von Neumann`) or an inverted one (`von Neumann, John`) in parts."""
    name = " ".join(name.split())
    if not name:
        return NameParts()
    head, comma, tail = name.rpartition(",")
    if comma and _SUFFIX.match(tail.strip()) and "," not in head:  # `Martin Luther King, Jr.` as displayed
        parts = split_name(head)
        return NameParts(parts.given, parts.particle, parts.family, tail.strip())
    try:
        parts = parse_single_name_into_parts(name, strict=False)
    except Exception:  # a name bibtexparser cannot split is still a name: all of it is the family
        return NameParts(family=name)
    family = " ".join(parts.last)
    if not family:
        return NameParts(family=name)
    return NameParts(" ".join(parts.first), " ".join(parts.von), family, " ".join(parts.jr))


def display_from_parts(given: str = "", family: str = "", particle: str = "", suffix: str = "") -> str:
    """`Li Wang` from CSL's or Zotero's parts."""
    return NameParts(" ".join(given.split()), " ".join(particle.split()),
                     " ".join(family.split()), " ".join(suffix.split())).display


_EXTENDED = re.compile(r"^\s*(?:family|given|prefix|suffix)(?:-i)?\s*=", re.I)


def extended_parts(person: str) -> dict[str, str] | None:
    """biblatex's extended name format, `family=Hua, given=Linfu, prefix=von, useprefix=true`,
    as its parts (values raw); None for a name in BibTeX's own format."""
    if not _EXTENDED.match(person):
        return None
    parts: dict[str, str] = {}
    for item in _top_level_split(person, ","):
        name, eq, value = item.partition("=")
        if eq:
            value = value.strip()
            if len(value) >= 2 and (value[0], value[-1]) in (("{", "}"), ('"', '"')):
                value = value[1:-1]
            parts[name.strip().lower()] = value.strip()
    return parts


def _top_level_split(text: str, sep: str) -> list[str]:
    out, depth, start = [], 0, 0
    for i, c in enumerate(text):
        depth += (c == "{") - (c == "}")
        if c == sep and depth == 0:
            out.append(text[start:i])
            start = i + 1
    out.append(text[start:])
    return out


def braced_whole(person: str) -> bool:
    """`{University of Chicago Press}`, `{Bauschlicher Jr}`: one name BibTeX never splits."""
    person = person.strip()
    if len(person) < 2 or person[0] != "{" or person[-1] != "}":
        return False
    depth = 0
    for i, c in enumerate(person):
        depth += (c == "{") - (c == "}")
        if depth == 0 and i < len(person) - 1:
            return False
    return True


def bibtex_parts(work) -> dict[str, NameParts | None]:
    """The parts of the work's authors (by displayed name) as its BibTeX gives them, where the
    braces say more than the displayed name: None for a name wholly in braces, one name
    (`{University of Chicago Press}`: CSL-JSON `literal`, one RIS `AU`), and the parts of one
    with a braced part (`{Bauschlicher Jr}, Charles W.`: family `Bauschlicher Jr`) or in
    biblatex's extended format. Every export keeps them so."""
    raw = work.fields.get("author") or work.fields.get("editor") or ""
    if "{" not in raw and "=" not in raw:
        return {}
    out: dict[str, NameParts | None] = {}
    for person in split_multiple_persons_names(raw):
        extended = extended_parts(person)
        if extended is not None:
            parts = NameParts(decode(extended.get("given") or extended.get("given-i", "")),
                              decode(extended.get("prefix", "")), decode(extended.get("family", "")),
                              decode(extended.get("suffix", "")))
            out[parts.display] = parts
        elif braced_whole(person):
            out[decode(person.strip())] = None
        elif "{" in person:
            try:
                split = parse_single_name_into_parts(person, strict=False)
            except Exception:
                continue
            parts = NameParts(*(decode(" ".join(p)) for p in (split.first, split.von, split.last, split.jr)))
            out[parts.display] = parts
    return out
