"""Personal names between the shapes formats use: `Li Wang`, `Wang, Li`, CSL's {family, given}."""

from __future__ import annotations

from dataclasses import dataclass
import re
from functools import lru_cache

from bibtexparser.middlewares.names import parse_single_name_into_parts


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
