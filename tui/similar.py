"""How "Similar books and articles" are chosen.

Curated links from a record page come first. Then works scored on what they share with
this one: rare words of the title and abstract (document frequency from the full-text
index; the rarer, the more telling), authors, keywords and venue. Each comes with why.
"""

from __future__ import annotations

import math

from .models import Similar
from .query import fold, words
from .store import Store

MAX_SIMILAR = 8
MAX_TERMS = 8
_STOP = set("""a about above after again against all also although among an and any are as at
be because been before being between both but by can could did do does doing during each either
et few for from further had has have having here how however if in into is it its itself just
may might more most much must no nor not of off on once only or other our out over own per same
shall should since so some such than that the their them then there these they this those
through thus to too under until up upon very was we were what when where whether which while
who whom why will with within without would yet you your paper study article new use used using
based approach results show also one two three first second""".split())


MAX_CANDIDATES = 30  # each costs a count of its works, up to MAX_DF (when not cached)
MAX_DF = 1_000  # a word in more works than this is too common to tell similar works apart
PER_TERM = 200  # works read for each rare word (its newest)
CANDIDATES = 30  # works read in full to see which words they share
RANK_ALL = 3_000  # up to this many works holding the rare words: ranked all, as before


def candidate_terms(title: str, abstract: str) -> list[str]:
    """The content words of a work worth a look, as the index spells them: the title's, then
    the abstract's most repeated (and, among equals, longest) words."""
    def content(text: str) -> list[str]:
        return [w for w in map(fold, words(text)) if len(w) > 2 and not w.isdigit() and w not in _STOP]

    in_title = list(dict.fromkeys(content(title)))
    counts: dict[str, int] = {}
    for w in content(abstract):
        counts[w] = counts.get(w, 0) + 1
    rest = sorted((w for w in counts if w not in in_title), key=lambda w: (-counts[w], -len(w), w))
    return (in_title + rest)[:MAX_CANDIDATES]


def similar(store: Store, work_id: int, limit: int = MAX_SIMILAR) -> list[Similar]:
    """Up to `limit` similar works, curated first, each with a reason."""
    work = store.work_by_id(work_id)
    out: list[Similar] = [Similar(ref, "listed on the record page") for ref in store.curated_similar(work_id)]
    taken = {s.work.id for s in out} | {work_id}
    if len(out) >= limit:
        return out[:limit]

    total = max(store.count(), 1)
    scores: dict[int, float] = {}
    reasons: dict[int, list[str]] = {}

    def add(other: int, score: float, why: str) -> None:
        if other in taken:
            return
        scores[other] = scores.get(other, 0.0) + score
        reasons.setdefault(other, [])
        if why not in reasons[other]:
            reasons[other].append(why)

    terms = candidate_terms(work.title, work.abstract)
    # Rare enough to tell works apart, common enough to be shared; the title's words first.
    # Up to 1% of the catalogue, and never more than MAX_DF works: counting a word's works
    # stops there, so a catalogue of a million costs what one of 200,000 does.
    ceiling = max(50, min(total // 100, MAX_DF))
    df = store.document_frequency(terms, at_most=ceiling)
    in_title = set(fold(w) for w in words(work.title))
    rare = sorted((t for t in terms if 2 <= df.get(t, 0) <= ceiling),
                  key=lambda t: (t not in in_title, df[t]))[:MAX_TERMS]
    idf = {t: (math.log(total / df[t]) + 1.0) * (2.0 if t in in_title else 1.0) for t in rare}
    if sum(df[t] for t in rare) <= RANK_ALL:
        # few works hold these words: rank them all (bm25 over a few thousand works is cheap)
        found = store.works_matching_any(rare, work_id, limit=40)
    else:
        # The works holding most of these words, the rarer the better: each word's newest
        # works (a bounded read a word, where ranking every work holding any of them grows with
        # the catalogue), then the best CANDIDATES read in full for what they share.
        holding: dict[int, float] = {}
        for t in rare:
            for other in store.works_holding(t, work_id, PER_TERM):
                holding[other] = holding.get(other, 0.0) + idf[t]
        best = sorted(holding, key=lambda i: (-holding[i], -i))[:CANDIDATES]
        found = store.titles_and_abstracts(best)
    for other, title, abstract in found:
        text = f"{title} {abstract}"
        theirs = set(words(text))
        if not text.isascii():
            theirs = {fold(w) for w in theirs}
        shared = [t for t in rare if t in theirs]
        if shared:
            add(other, sum(idf[t] for t in shared), "shares " + ", ".join(shared[:4]))
    for other, name in store.works_sharing_authors(work_id, limit=20):
        add(other, 6.0, f"also by {name}")
    for other, keyword in store.works_sharing_keywords(work_id, limit=20):
        add(other, 1.5, f"also in {keyword}")
    for other in store.works_in_venue(work.venue, work_id, limit=10):
        add(other, 1.0, f"also in {work.venue}")

    best = sorted(scores, key=lambda i: (-scores[i], i))[: limit - len(out)]
    refs = store.refs(best)
    out += [Similar(refs[i], "; ".join(reasons[i])) for i in best if i in refs]
    return out
