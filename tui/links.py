"""Links out of the catalogue: DOI and web addresses, and OpenURL through the user's library.

Only `http`, `https` and `doi:` targets ever leave here; anything else in a work's URL field
(`file:`, `javascript:`, a shell command) is not a link.
"""

from __future__ import annotations

import re
from urllib.parse import quote, urlencode, urlsplit

from .models import Work

_DOI = re.compile(r"^10\.\d{4,9}/[^\s\x00-\x1f\x7f]+$")


def doi_url(doi: str) -> str:
    """`https://doi.org/10.1515/...` for a DOI given bare, as `doi:` or as a doi.org address; else ''."""
    doi = doi.strip()
    for prefix in ("https://doi.org/", "http://doi.org/", "https://dx.doi.org/", "http://dx.doi.org/", "doi:"):
        if doi.lower().startswith(prefix):
            doi = doi[len(prefix):].strip()
            break
    if not _DOI.match(doi):
        return ""
    return "https://doi.org/" + quote(doi, safe="/:;()._-")


def web_url(url: str) -> str:
    """The address when it is a plain http(s) one with a host; else ''."""
    url = url.strip()
    if url.lower().startswith("doi:"):
        return doi_url(url)
    try:
        parts = urlsplit(url)
    except ValueError:
        return ""
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        return ""
    if any(ord(c) < 0x21 or c in '"<>\\^`{|}' or ord(c) == 0x7F for c in url):
        return ""  # control bytes, spaces, quotes: not something to hand to a browser
    return url


def external_url(work: Work) -> str:
    """What `o` opens: the DOI, else the URL; '' when the work has neither, or nothing safe."""
    return doi_url(work.doi) or web_url(work.url)


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
    start, _, end = work.pages.replace("--", "-").replace("–", "-").partition("-")
    for name, value in (("rft.volume", work.volume), ("rft.issue", work.number), ("rft.spage", start.strip()),
                        ("rft.epage", end.strip()), ("rft.pub", work.publisher)):
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
