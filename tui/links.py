"""Links out of the catalogue: DOI and web addresses, and OpenURL through the user's library.

Only `http`, `https` and `doi:` targets ever leave here; anything else in a work's URL field
(`file:`, `javascript:`, a shell command) is not a link.
"""

from __future__ import annotations

from urllib.parse import quote, urlencode

from .models import Work, page_range
from .safe import _doi_url, web_link


def doi_url(doi: str) -> str:
    """`https://doi.org/10.1515/...` for a DOI given bare, as `doi:` or as a doi.org address; else ''."""
    return _doi_url(doi) or ""


def external_url(work: Work) -> str:
    """What `o` opens: the DOI, else the URL; '' when the work has neither, or nothing safe
    (the rule is tui.safe.web_link: http(s) and DOI only, no spaces or control characters)."""
    return web_link(work.doi, work.url) or ""


def openurl(work: Work, resolver: str) -> str:
    """An OpenURL 1.0 (Z39.88-2004, KEV) link to the work through the user's link resolver."""
    journal = work.type in ("article", "") or (bool(work.venue) and work.type not in ("book", "incollection",
                                                                                      "inproceedings"))
    params: list[tuple[str, str]] = [
        ("ctx_ver", "Z39.88-2004"),
        ("rft_val_fmt", "info:ofi/fmt:kev:mtx:journal" if journal else "info:ofi/fmt:kev:mtx:book"),
    ]
    if work.type in ("incollection", "inproceedings"):
        params += [("rft.genre", "bookitem"), ("rft.atitle", work.title), ("rft.btitle", work.venue)]
    elif journal:
        params += [("rft.genre", "article"), ("rft.atitle", work.title), ("rft.jtitle", work.venue)]
    else:
        params += [("rft.genre", "book"), ("rft.btitle", work.title)]
    if work.year:
        params.append(("rft.date", str(work.year)))
    start, end = page_range(work.pages)
    for name, value in (("rft.volume", work.volume), ("rft.issue", work.number), ("rft.spage", start),
                        ("rft.epage", end), ("rft.pub", work.publisher)):
        if value:
            params.append((name, value))
    if work.authors:
        from .formats.names import split_name

        first = split_name(work.authors[0].name)
        if first.family:
            params.append(("rft.aulast", " ".join(p for p in (first.particle, first.family) if p)))
        if first.given:
            params.append(("rft.aufirst", first.given))
        params += [("rft.au", a.name) for a in work.authors]
    if work.doi and doi_url(work.doi):
        params.append(("rft_id", "info:doi/" + doi_url(work.doi).removeprefix("https://doi.org/")))
    params = [(k, v) for k, v in params if v]
    base = resolver.strip()
    return base + ("&" if "?" in base else "?") + urlencode(params, quote_via=quote)
