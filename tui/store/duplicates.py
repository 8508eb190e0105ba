"""Possible duplicates: works that may be one (the same DOI, arXiv id or ISBN; the same title,
year and first author), and names that may be one person's. Found through indexed keys
(`work_match`, `author_match`, `identifiers`), so the cost grows with the catalogue, not its
square. Nothing is merged here: the user decides (a pair said to be distinct is not offered
again)."""

from __future__ import annotations

import sqlite3
from collections import Counter, defaultdict
from collections.abc import Iterable

from ..dupkeys import (Locator, family_key, isbn_names_work, likely_same, locator, locators_conflict,
                       names_compatible, person_name, places_differ, title_key, titles_agree)
from ..models import (REASON_ORDER, SAME_ARXIV, SAME_DOI, SAME_ISBN, SAME_TITLE, Author, AuthorVariants,
                      DuplicateGroup, PossibleDuplicate, Work, WorkRef)
from .errors import Gone, StoreError

_REASON = {"doi": SAME_DOI, "arxiv": SAME_ARXIV, "isbn": SAME_ISBN}
_RANK = {reason: n for n, reason in enumerate(REASON_ORDER)}


def _match_row(work_id: int, title: str, year: int | None, first_author: str | None) -> tuple | None:
    key = title_key(title or "")
    return (work_id, key, year, family_key(first_author or "")) if key else None


def fill_match_tables(conn: sqlite3.Connection) -> None:
    """`work_match` and `author_match` for the works and authors already there (m008): one
    read of titles, years and first authors, the keys made in Python, rows written in id order
    (appended to the tables, whose indexes are made after)."""
    cursor = conn.execute(
        "SELECT w.id, w.title, w.year, a.name FROM works w "
        "LEFT JOIN work_authors wa ON wa.work_id = w.id AND wa.position = 0 "
        "LEFT JOIN authors a ON a.id = wa.author_id ORDER BY w.id")
    while rows := cursor.fetchmany(20_000):
        conn.executemany("INSERT INTO work_match(work_id, title, year, family) VALUES (?, ?, ?, ?)",
                         [m for m in (_match_row(*r) for r in rows) if m])
    cursor = conn.execute("SELECT id, name FROM authors ORDER BY id")
    while rows := cursor.fetchmany(20_000):
        conn.executemany("INSERT INTO author_match(author_id, family) VALUES (?, ?)",
                         [(i, f) for i, f in ((i, family_key(n)) for i, n in rows) if f])


def _first_author(work: Work) -> str:
    return next((a.name for a in work.authors if a.name.strip()), "")


class _Pairs:
    """Pairs of works found to be possible duplicates, each with its strongest reason."""

    def __init__(self, distinct: set[tuple[int, int]]):
        self.reasons: dict[tuple[int, int], str] = {}
        self.distinct = distinct

    def add(self, a: int, b: int, reason: str) -> None:
        pair = (a, b) if a < b else (b, a)
        if a == b or pair in self.distinct:
            return
        old = self.reasons.get(pair)
        if old is None or _RANK[reason] < _RANK[old]:
            self.reasons[pair] = reason


class Duplicates:
    """Possible duplicates of works and authors, and pairs the user said are distinct (a part of Store)."""

    # ---- keeping the keys in step (called where works and authors are written)

    def _match_works(self, conn: sqlite3.Connection, works: Iterable[tuple[int, Work]], replace: bool = False) -> None:
        """The match keys of these works (new ones, or `replace`d after an edit)."""
        works = list(works)
        if replace:
            conn.executemany("DELETE FROM work_match WHERE work_id = ?", [(i,) for i, _ in works])
        conn.executemany("INSERT OR REPLACE INTO work_match(work_id, title, year, family) VALUES (?, ?, ?, ?)",
                         [m for m in (_match_row(i, w.title, w.year, _first_author(w)) for i, w in works) if m])

    def _match_authors(self, conn: sqlite3.Connection, authors: Iterable[tuple[int, str]]) -> None:
        """The family keys of new authors (id, name)."""
        conn.executemany("INSERT OR IGNORE INTO author_match(author_id, family) VALUES (?, ?)",
                         [(i, f) for i, f in ((i, family_key(n)) for i, n in authors) if f])

    # ---- finding pairs

    def _distinct(self, conn: sqlite3.Connection | None = None) -> set[tuple[int, int]]:
        sql = "SELECT a, b FROM distinct_works"
        return set(map(tuple, conn.execute(sql).fetchall() if conn is not None else self._read(sql)))

    def _identifier_pairs(self, pairs: _Pairs, groups: Iterable[tuple[str, list[int]]],
                          conn: sqlite3.Connection | None) -> None:
        """Works sharing an identifier (kind, ids), kept where their titles agree and, for an
        ISBN, each is the book itself (not a chapter carrying its book's ISBN) and their page
        counts or volumes do not differ (another edition under a reused ISBN)."""
        groups = [(kind, ids) for kind, ids in groups if len(ids) > 1]
        wanted = sorted({i for _, ids in groups for i in ids})
        info = {i: (t, title) for i, t, title in self._select_in(
            "SELECT id, type, title FROM works WHERE id IN ({marks})", wanted, conn)}
        books = self._locators((i for kind, ids in groups if kind == "isbn" for i in ids), conn)
        for kind, ids in groups:
            ids = [i for i in ids if i in info]
            for n, a in enumerate(ids):
                for b in ids[n + 1:]:
                    if kind == "isbn" and not (isbn_names_work(info[a][0]) and isbn_names_work(info[b][0])
                                               and not places_differ(books[a], books[b])):
                        continue
                    if titles_agree(info[a][1], info[b][1]):
                        pairs.add(a, b, _REASON[kind])

    @staticmethod
    def _title_candidates(out: list[tuple[int, int, bool]], members: list[tuple[int, int | None, str]]) -> None:
        """Works of one title key (id, year, family) likely one by year and first author
        (dupkeys.likely_same). Sorted by year, each is compared only with the works of its
        year and the next: a few comparisons a work."""
        members = sorted((m for m in members if m[1] is not None), key=lambda m: (m[1], m[0]))
        for n, (a, year_a, family_a) in enumerate(members):
            for b, year_b, family_b in members[n + 1:]:
                if year_b - year_a > 1:
                    break
                if likely_same(year_a, family_a, year_b, family_b):
                    out.append((a, b, year_a != year_b))

    def _locators(self, ids: Iterable[int], conn: sqlite3.Connection | None) -> dict[int, Locator]:
        return {i: locator(*rest) for i, *rest in self._select_in(
            "SELECT id, type, volume, number, pages FROM works WHERE id IN ({marks})", sorted(set(ids)), conn)}

    def _title_pairs(self, pairs: _Pairs, candidates: list[tuple[int, int, bool]],
                     conn: sqlite3.Connection | None) -> None:
        """The candidates (a, b, years apart) whose records do not say they are two works
        (dupkeys.locators_conflict: another volume, issue or first page; a thesis and an article)."""
        where = self._locators((i for a, b, _ in candidates for i in (a, b)), conn)
        for a, b, apart in candidates:
            if a in where and b in where and not locators_conflict(where[a], where[b], apart):
                pairs.add(a, b, SAME_TITLE)

    def _pairs_of(self, conn: sqlite3.Connection | None, where: str, arg: int) -> _Pairs:
        """The pairs joining the works `where` picks (`= ?`: one work; `> ?`: the works added
        after an id) to any work of the catalogue."""
        pairs = _Pairs(self._distinct(conn))
        read = (lambda sql, p: conn.execute(sql, p).fetchall()) if conn is not None else self._read
        shared: dict[tuple[str, str], set[int]] = defaultdict(set)
        for kind, value, a, b in read(
                "SELECT i.kind, i.value, i.work_id, o.work_id FROM identifiers i JOIN identifiers o "
                f"ON o.kind = i.kind AND o.value = i.value AND o.work_id != i.work_id WHERE i.work_id {where}", (arg,)):
            shared[(kind, value)].update((a, b))
        self._identifier_pairs(pairs, ((kind, sorted(ids)) for (kind, _), ids in shared.items()), conn)
        candidates: list[tuple[int, int, bool]] = []
        for a, ya, fa, b, yb, fb in read(
                "SELECT m.work_id, m.year, m.family, o.work_id, o.year, o.family FROM work_match m "
                "JOIN work_match o ON o.title = m.title AND o.year BETWEEN m.year - 1 AND m.year + 1 "
                f"AND o.work_id != m.work_id WHERE m.work_id {where}", (arg,)):
            if likely_same(ya, fa, yb, fb):
                candidates.append((a, b, ya != yb))
        self._title_pairs(pairs, candidates, conn)
        return pairs

    def duplicates_of(self, work_id: int) -> list[PossibleDuplicate]:
        """The works that may be this one (strongest reason first, then oldest), less those the
        user said are distinct from it."""
        pairs = self._pairs_of(None, "= ?", work_id)
        others = {(b if a == work_id else a): reason for (a, b), reason in pairs.reasons.items()
                  if work_id in (a, b)}
        refs = self.refs(others)
        found = [PossibleDuplicate(i, refs[i].key, refs[i].title, refs[i].year, reason)
                 for i, reason in others.items() if i in refs]
        return sorted(found, key=lambda d: (_RANK[d.reason], d.id))

    def _new_duplicates(self, conn: sqlite3.Connection, first_new: int) -> dict[int, tuple[int, str, str]]:
        """For each work added after `first_new` that may be a work added before it (in the
        catalogue, or earlier in the same import): that work's id, key and the reason (the
        strongest, then the oldest work)."""
        pairs = self._pairs_of(conn, "> ?", first_new)
        best: dict[int, tuple[int, int, str]] = {}
        for (a, b), reason in pairs.reasons.items():
            new, old = b, a  # (a < b: the later work is the new one)
            if new <= first_new:
                continue
            candidate = (_RANK[reason], old, reason)
            if new not in best or candidate < best[new]:
                best[new] = candidate
        keys = dict(self._select_in("SELECT id, key FROM works WHERE id IN ({marks})",
                                    sorted({old for _, old, _ in best.values()}), conn))
        return {new: (old, keys.get(old, "?"), reason) for new, (_, old, reason) in best.items()}

    def duplicate_groups(self, authors: bool = False) -> list[DuplicateGroup] | list[AuthorVariants]:
        """Every group of works that may be one work (exact groups first, then by key), or with
        `authors`, every group of names that may be one person's (author_variants_all)."""
        if authors:
            return self.author_variant_groups()
        pairs = _Pairs(self._distinct())
        groups: dict[tuple[str, str], list[int]] = {}
        for kind, value, ids in self._read("SELECT kind, value, group_concat(work_id) FROM identifiers "
                                           "GROUP BY kind, value HAVING count(*) > 1"):
            groups[(kind, value)] = [int(i) for i in ids.split(",")]
        self._identifier_pairs(pairs, ((kind, ids) for (kind, _), ids in groups.items()), None)
        members: list[tuple[int, int | None, str]] = []
        candidates: list[tuple[int, int, bool]] = []
        last = None
        # the title index, walked in order: each run of one title is a candidate group
        for title, work_id, year, family in self._read(
                "SELECT title, work_id, year, family FROM work_match "
                "WHERE title IN (SELECT title FROM work_match GROUP BY title HAVING count(*) > 1) ORDER BY title, year"):
            if title != last:
                self._title_candidates(candidates, members)
                members, last = [], title
            members.append((work_id, year, family))
        self._title_candidates(candidates, members)
        self._title_pairs(pairs, candidates, None)
        return self._groups(pairs)

    def _groups(self, pairs: _Pairs) -> list[DuplicateGroup]:
        """Groups in which every two works are a pair: the works joined through pairs, then
        split where two of them are not (A and B the same title in 2001 and 2002, B and C in
        2002 and 2003: A and C are not one work). A work joins the first group, in id order,
        whose every work it pairs with."""
        parent: dict[int, int] = {}

        def find(x: int) -> int:
            while parent.setdefault(x, x) != x:
                parent[x] = parent[parent[x]]
                x = parent[x]
            return x

        for a, b in pairs.reasons:
            parent[find(a)] = find(b)
        members: dict[int, list[int]] = defaultdict(list)
        for x in list(parent):
            members[find(x)].append(x)
        clusters: list[list[int]] = []
        for ids in members.values():
            parts: list[list[int]] = []
            for x in sorted(ids):
                home = next((part for part in parts if all((min(x, y), max(x, y)) in pairs.reasons for y in part)), None)
                if home is None:
                    parts.append([x])
                else:
                    home.append(x)
            clusters += [part for part in parts if len(part) > 1]
        refs = self.refs(i for part in clusters for i in part)
        out = []
        for part in clusters:
            reasons = {pairs.reasons[(a, b)] for n, a in enumerate(part) for b in part[n + 1:]}
            works = sorted((refs[i] for i in part if i in refs), key=lambda r: (r.key, r.id))
            if len(works) > 1:
                out.append(DuplicateGroup(sorted(reasons, key=_RANK.get), works))
        return sorted(out, key=lambda g: (not g.exact, g.works[0].key))

    # ---- the user's word

    def not_duplicates(self, a_id: int, b_id: int, remember: bool = True) -> None:
        """Remember that these two works are not one: the pair is never offered again. `u` undoes it."""
        if a_id == b_id:
            raise StoreError("a work is not a duplicate of itself; nothing was changed")
        a, b = sorted((a_id, b_id))
        with self._write() as conn:
            keys = dict(conn.execute("SELECT id, key FROM works WHERE id IN (?, ?)", (a, b)).fetchall())
            if len(keys) < 2:
                raise Gone("one of the two works is no longer in the catalogue; nothing was changed")
            if conn.execute("INSERT OR IGNORE INTO distinct_works(a, b) VALUES (?, ?)", (a, b)).rowcount and remember:
                self._remember(conn, "distinct", {"a": a, "b": b, "a_key": keys[a], "b_key": keys[b]})

    # ---- authors

    def author_variants(self, author_id: int) -> list[Author]:
        """Other spellings of this author's name that may be the same person: the same family
        name, given names that agree, and a co-author or a venue in common."""
        rows = self._read("SELECT a.name, m.family FROM authors a JOIN author_match m ON m.author_id = a.id "
                          "WHERE a.id = ?", (author_id,))
        if not rows:
            return []
        name, family = rows[0]
        me = person_name(name)
        candidates = {i: n for i, n in self._read(
            "SELECT a.id, a.name FROM author_match m JOIN authors a ON a.id = m.author_id "
            "WHERE m.family = ? AND m.author_id != ?", (family, author_id))
            if names_compatible(me, person_name(n))}
        if not candidates:
            return []
        links = self._author_links([author_id, *candidates])
        mine = links.get(author_id, set())
        found = [i for i in candidates if mine & links.get(i, set())]
        return [Author(candidates[i], id=i) for i in sorted(found, key=lambda i: candidates[i])]

    def _author_links(self, ids: list[int]) -> dict[int, set[str]]:
        """Each author's co-authors (`a:ID`) and venues (`v:NAME`), for comparing."""
        links: dict[int, set[str]] = defaultdict(set)
        for author_id, other in self._select_in(
                "SELECT DISTINCT wa.author_id, o.author_id FROM work_authors wa JOIN work_authors o "
                "ON o.work_id = wa.work_id AND o.author_id != wa.author_id WHERE wa.author_id IN ({marks})", ids):
            links[author_id].add(f"a:{other}")
        for author_id, venue in self._select_in(
                "SELECT DISTINCT wa.author_id, w.venue FROM work_authors wa JOIN works w ON w.id = wa.work_id "
                "WHERE wa.author_id IN ({marks}) AND w.venue != ''", ids):
            links[author_id].add("v:" + " ".join(venue.split()))
        return links

    def author_variant_groups(self) -> list[AuthorVariants]:
        """Every group of names that may be one person's (see author_variants), the most used
        name of each first; groups sorted by that name."""
        families: dict[str, list[tuple[int, str]]] = defaultdict(list)
        for family, author_id, name in self._read(
                "SELECT m.family, a.id, a.name FROM author_match m JOIN authors a ON a.id = m.author_id "
                "WHERE m.family IN (SELECT family FROM author_match GROUP BY family HAVING count(*) > 1)"):
            families[family].append((author_id, name))
        candidate_pairs: list[tuple[int, int]] = []
        names: dict[int, str] = {}
        for members in families.values():
            # only names with the same first initial can agree: compare within those
            by_initial: dict[str, list[tuple[int, object]]] = defaultdict(list)
            for author_id, name in members:
                parsed = person_name(name)
                if parsed.given:
                    by_initial[parsed.given[0][0]].append((author_id, parsed))
                    names[author_id] = name
            for bucket in by_initial.values():
                for n, (a, pa) in enumerate(bucket):
                    for b, pb in bucket[n + 1:]:
                        if names_compatible(pa, pb):
                            candidate_pairs.append((a, b))
        if not candidate_pairs:
            return []
        links = self._author_links(sorted({i for pair in candidate_pairs for i in pair}))
        counts = Counter(dict(self._select_in(
            "SELECT author_id, count(*) FROM work_authors WHERE author_id IN ({marks}) GROUP BY author_id",
            sorted({i for pair in candidate_pairs for i in pair}))))
        joined: dict[int, dict[int, str]] = defaultdict(dict)
        for a, b in candidate_pairs:
            common = links.get(a, set()) & links.get(b, set())
            if common:
                joined[a][b] = joined[b][a] = min(common)
        return self._variant_groups(joined, names, counts)

    def _variant_groups(self, joined: dict[int, dict[int, str]], names: dict[int, str],
                        counts: Counter) -> list[AuthorVariants]:
        """Groups of names each joined to one in its group and agreeing with all of them: `D.
        Knuth` joins `Donald Knuth` or `David Knuth`, never both into one group."""
        seen: set[int] = set()
        out = []
        order = sorted(joined, key=lambda i: (-counts.get(i, 0), names[i]))
        parsed = {i: person_name(names[i]) for i in joined}
        for start in order:
            if start in seen:
                continue
            group, why = [start], ""
            frontier = [start]
            while frontier:
                x = frontier.pop()
                for y in sorted(joined[x], key=lambda i: (-counts.get(i, 0), names[i])):
                    if y in seen or y in group:
                        continue
                    if all(names_compatible(parsed[y], parsed[g]) for g in group):
                        group.append(y)
                        frontier.append(y)
                        why = why or joined[x][y]
            if len(group) > 1:
                seen.update(group)
                group.sort(key=lambda i: (-counts.get(i, 0), names[i]))
                out.append(AuthorVariants([Author(names[i], id=i) for i in group], [counts.get(i, 0) for i in group],
                                          self._shared_text(why)))
        return sorted(out, key=lambda g: g.authors[0].name.casefold())

    def _shared_text(self, link: str) -> str:
        kind, _, value = link.partition(":")
        if kind == "a":
            rows = self._read("SELECT name FROM authors WHERE id = ?", (int(value),))
            return f"co-author {rows[0][0]}" if rows else "a co-author"
        return f"venue {value}"


__all__ = ["Duplicates", "WorkRef", "fill_match_tables"]
