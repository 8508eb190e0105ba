"""doi.org content negotiation, for DOIs Crossref does not hold (DataCite: Zenodo, arXiv DOIs ...).

`GET {doi}/{DOI}` with `Accept: application/vnd.citationstyles.csl+json`; doi.org redirects to
the registration agency, which answers with one CSL-JSON item, read by formats.csl's reader.
"""

from __future__ import annotations

from urllib.parse import quote

from ..formats.csl import item_to_work
from ..models import Work
from .crossref import TYPES, parse_answer, plain, references
from .errors import BadResponse, NotFound
from .fetched import Fetched, bare_orcid, clean, finish, set_title
from .http import DOI_ORG, Session, now
from ..identifiers import Identifier
from .jats import jats_to_text

CSL_JSON = "application/vnd.citationstyles.csl+json"


def fetch(session: Session, identifier: Identifier) -> Fetched:
    """The CSL-JSON record doi.org's registration agency gives for a DOI."""
    url = f"{session.settings.doi}/{quote(identifier.value, safe='/:;()<>[]')}"
    response = session.get(DOI_ORG, url, headers={"Accept": CSL_JSON})
    if response.status_code in (404, 410):
        raise NotFound(f"no such DOI {identifier.value} (neither Crossref nor doi.org knows it)", DOI_ORG)
    if response.status_code == 400:
        raise NotFound(f"doi.org refuses {identifier.value}: not a registered DOI", DOI_ORG)
    if response.status_code != 200:
        raise BadResponse(f"doi.org answered HTTP {response.status_code} for DOI {identifier.value}", DOI_ORG)
    kind = response.headers.get("content-type", "")
    if "html" in kind:
        raise BadResponse(f"doi.org sent a web page, not CSL-JSON, for DOI {identifier.value} (its registration "
                          "agency gives no metadata, or a captive portal answered)", DOI_ORG)
    item = parse_answer(response.text, DOI_ORG, identifier)
    retrieved = now()
    return Fetched(identifier, finish(item_to_csl_work(item), DOI_ORG, retrieved), references(item),
                   DOI_ORG, retrieved, str(response.url))


def item_to_csl_work(item: dict) -> Work:
    """A CSL-JSON item as a Work, with what csl's reader leaves aside: ORCIDs, affiliations,
    subtitle, ISBN, and the abstract's JATS markup."""
    work = item_to_work(item)
    people = [p for p in item.get("author") or [] if isinstance(p, dict)]
    if len(people) == len(work.authors):
        for author, raw in zip(work.authors, people):
            author.orcid = bare_orcid(clean(raw.get("ORCID")))
            places = [clean(a.get("name")) if isinstance(a, dict) else clean(a) for a in raw.get("affiliation") or []]
            author.affiliation = "; ".join(p for p in places if p)
    set_title(work, plain(clean(item.get("title"))), plain(clean(item.get("subtitle"))))
    if clean(item.get("type")) in TYPES:  # Crossref's CSL says journal-article, not article-journal
        work.type = TYPES[clean(item.get("type"))]
    work.abstract = jats_to_text(str(item.get("abstract") or ""))
    if clean(item.get("ISBN")):
        work.fields["isbn"] = clean(item.get("ISBN"))
    if not work.pages and clean(item.get("number")) and work.type == "article":
        work.pages = clean(item.get("number"))  # an article number stands where pages would
    return work
