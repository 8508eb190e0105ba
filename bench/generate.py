"""A deterministic N-work catalogue for benchmarks.

    python bench/generate.py N OUT.jsonl [--seed S] [--with-bibtex] [--import-into DB]
    python bench/generate.py N --db OUT.db [--seed S] [--chunk 50000] [--force]

Same N and seed, same works, on any machine (one `random.Random(seed)`; Python's `random`
is stable across versions for `random()`, `choices` and `getrandbits`).

What it makes:
- a vocabulary of ~50,000 syllable-composed pseudo-words behind ~70 English function words
  and ~330 real academic words, drawn with Zipf-Mandelbrot frequencies (rank r has weight
  1/(r + 2.7)): "the", "of", "and" are in nearly every abstract, most pseudo-words are rare;
- titles of 5-15 words (title case; the first content word is drawn uniformly, so the
  generated citation keys `Surname + year + FirstWord` are mostly unique), abstracts of
  60-220 words in sentences;
- 1-5 authors a work from a pool of ~N/3 names (productivity skewed: weight 1/sqrt(rank)),
  ~40% of them with an affiliation from a pool of ~N/150 institutions;
- venues from a pool of 2,000 (Zipf, s = 0.8); years 1950-2025, growing exponentially and
  non-decreasing through the file (works are generated oldest first);
- 0-3 keywords from a pool of 500 (JSON `fields`, which the importer keeps as keywords);
- a citation graph: each work cites 0-40 earlier works (mean ~8.5), each pick either
  uniform over earlier works or (half the time) preferential by current in-degree:
  the in-degree distribution has a power-law tail (a few works with thousands of citations);
- a DOI for every work, `10.5555/ibid-bench.SEED.INDEX`; `s2_id` is a SHA-1 of seed and index.

Output: JSON Lines in the shape of ../shared/data/graph/turing1950/works.jsonl
(`s2_id`, `doi`, `title`, `authors`, `venue`, `year`, `abstract`, `fields`, `references`;
plus `affiliations`, parallel to `authors`, which the current importer ignores). No
`bibtex` unless --with-bibtex (then `@article{KEY,\\n title = {...}\\n}` with keys made and
de-duplicated here), so by default ibid's JSONL reader makes the keys itself.

--db builds the catalogue directly: chunks of --chunk works go through
`tui.formats.jsonl.parse_string` and `Store.import_batch(on_duplicate="rename")`, so memory
stays bounded. `import_batch` resolves citation keys only within its own batch, so links to
works in earlier chunks are inserted afterwards by `link_across_batches` below, with
plain SQL on the generated file (the `citations` table and its `cited_by` trigger as the
store defines them; the trigger is set aside and `cited_by` recounted, as import_batch
does for its own batch). That is a stop-gap until the store has an API for it.

--import-into DB (JSONL mode): after writing the file, time `parse_path` + `import_batch`
of the whole file into a fresh catalogue, as `ibid import` does (one batch: every link
resolves).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import math
import sqlite3
import sys
import time
from array import array
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import OUT, FtsTrace, Stopwatch, header, peak_rss_mb  # noqa: E402

FUNCTION_WORDS = """the of and in to a is for that with on as by are this from be an we which at or
it these our can not have has been between their its also such more than both other into
how may but when two its there they was were all most only over new while one each through
however both about within under those many where among""".split()
FUNCTION_WORDS = list(dict.fromkeys(FUNCTION_WORDS))

ACADEMIC_WORDS = """analysis model theory data method system learning study results approach
network problem structure process evidence knowledge information social human language
political economic framework development function design performance distribution effect
effects research time control dynamics quantum classical probability inference argument
account belief mind consciousness perception ethics moral justice freedom truth meaning
reference representation concept concepts causation explanation realism semantics logic
proof algebra geometry topology equation equations linear nonlinear optimal stochastic
random graph graphs algorithm algorithms computation computational complexity efficient
neural deep training inference bayesian statistical estimation regression sample population
policy state market markets trade growth institutions democracy power identity culture
history historical century modern early late contemporary critical empirical experimental
theoretical formal practical general special local global regional national international
public private health disease clinical treatment patients cell cells protein gene genes
expression molecular cancer brain cognitive memory attention emotion behavior behaviour
children education students teaching school university environmental climate energy
water carbon soil species ecology evolution evolutionary selection natural physical
chemical material materials surface temperature pressure flow field fields wave waves
particle particles matter space spacetime gravity relativity measurement observation
observations simulation simulations numerical approximation error errors bounds estimates
order higher lower large small finite infinite continuous discrete spectral operator
operators algebraic differential integral variational invariant symmetry symmetries
transformation mapping space spaces category categories set sets function functions value
values information communication media digital technology technologies internet online
users user interaction interface software systems security privacy trust risk decision
decisions choice preference preferences utility rational rationality game games strategy
strategic cooperation conflict war peace law legal rights constitutional court courts
religion religious god faith metaphysics epistemology ontology phenomenology aesthetics
art literature poetry narrative text texts reading writing speech action agency
intention intentions normativity reasons values virtue virtues care responsibility
kant hegel aristotle plato wittgenstein heidegger hume descartes nietzsche spinoza
review survey introduction note comment reply critique defense case perspective toward
towards beyond against revisited reconsidered problems questions foundations principles
limits role nature origins future""".split()
ACADEMIC_WORDS = [w for w in dict.fromkeys(ACADEMIC_WORDS) if w not in FUNCTION_WORDS]

FIRST_NAMES = """James Mary John Patricia Robert Jennifer Michael Linda William Elizabeth David
Barbara Richard Susan Joseph Jessica Thomas Sarah Charles Karen Daniel Nancy Matthew Lisa
Anthony Margaret Mark Betty Donald Sandra Steven Ashley Paul Emily Andrew Donna Joshua
Michelle Kenneth Carol Kevin Amanda Brian Melissa George Deborah Timothy Stephanie Li Wei
Fang Jing Min Yan Hui Xin Lei Jun Hiroshi Yuki Takashi Akiko Kenji Sakura Haruto Aiko Ji-woo
Min-jun Seo-yeon Priya Rahul Ananya Arjun Lakshmi Vikram Deepa Ravi Sunita Amit Mohammed
Fatima Ahmed Aisha Omar Layla Hassan Zainab Ali Noor Olga Ivan Natalia Dmitri Elena Sergei
Anna Pierre Marie Jean Sophie Luc Camille Hans Ursula Jürgen Katrin Matthias Giulia Marco
Francesca Luca Chiara Carlos María José Lucía Javier Sofía Pedro Ana João Beatriz Lars
Ingrid Sven Astrid Jan Eva Tomasz Agnieszka Piotr Katarzyna Kwame Ama Chinedu Ngozi Tunde
Amara Thabo Zanele Mei Chen Ling Hao Yuto Ren Sina Omid Leila Reza Zeynep Emre Ayşe Mehmet""".split()

SURNAMES = """Smith Johnson Williams Brown Jones Garcia Miller Davis Rodriguez Martinez Wilson
Anderson Taylor Thomas Moore Jackson Martin Lee Thompson White Harris Clark Lewis Robinson
Walker Young Allen King Wright Scott Green Baker Adams Nelson Hill Campbell Mitchell Roberts
Wang Li Zhang Liu Chen Yang Huang Zhao Wu Zhou Xu Sun Ma Zhu Hu Guo He Lin Gao Luo Sato
Suzuki Takahashi Tanaka Watanabe Ito Yamamoto Nakamura Kobayashi Kim Park Choi Jung Kang
Patel Sharma Singh Kumar Gupta Reddy Rao Iyer Nair Das Khan Hussain Rahman Ahmed Ali
Ivanov Petrov Smirnov Volkov Kuznetsov Müller Schmidt Schneider Fischer Weber Meyer Wagner
Becker Schulz Hoffmann Rossi Russo Ferrari Esposito Bianchi Romano Colombo Ricci Marino
Dubois Durand Lefebvre Moreau Laurent Simon Michel Garnier Fernández López González
Pérez Sánchez Ramírez Torres Flores Silva Santos Oliveira Souza Costa Pereira Nowak
Kowalski Wiśniewski Wójcik Andersson Johansson Karlsson Nilsson Hansen Jensen Nielsen
Okafor Adeyemi Mensah Nkosi Dlamini Cohen Levi Friedman Yilmaz Kaya Demir Şahin Novák
Svoboda Horváth Nagy Papadopoulos Nikolaidis Murphy Kelly O'Brien Byrne""".split()

INSTITUTION_FORMS = ("University of {}", "{} University", "{} Institute of Technology", "{} College",
                     "Institute for Advanced Study, {}", "{} State University", "Université de {}",
                     "Universität {}", "{} Research Centre", "National University of {}")
VENUE_FORMS = ("Journal of {a}", "{a} Review", "Annals of {a}", "International Journal of {a} and {b}",
               "Proceedings of the {c} Conference on {a}", "{c} Studies in {a}", "{a} Quarterly",
               "Transactions on {a} {b}", "{c} Journal of {a}", "Philosophical {a}", "{a} and {b}",
               "Advances in {a}", "Letters in {a} {b}", "{c} Workshop on {a}")

ONSETS = ["", "b", "c", "d", "f", "g", "h", "j", "k", "l", "m", "n", "p", "r", "s", "t", "v", "w",
          "z", "br", "cr", "dr", "fr", "gr", "pr", "tr", "bl", "cl", "fl", "gl", "pl", "sl", "st",
          "sp", "sc", "sh", "ch", "th", "ph", "qu"]
VOWELS = ["a", "e", "i", "o", "u", "a", "e", "i", "o", "ai", "ea", "io", "ou", "y", "au", "ie"]
CODAS = ["", "", "", "", "", "n", "r", "s", "l", "m", "t", "x", "nd", "st", "rn", "ct", "ng"]
SUFFIXES = [""] * 30 + ["ism", "ation", "ity", "ology", "ic", "al", "ive", "ance", "ment", "ics"]

# make_key in tui/formats skips these as first words; keep pseudo-words clear of them
_KEY_STOP = {"a", "an", "the", "on", "of", "in", "and", "for", "to", "at", "by", "with", "from",
             "der", "die", "das", "le", "la", "les", "un", "une", "el", "los", "zur", "zum", "über"}

N_VOCAB_PSEUDO = 50_000
N_VENUES = 2_000
N_KEYWORDS = 500
MAX_REFS = 40
MEAN_REFS = 8.5
TITLE_LEADS = (("", 0.55), ("The", 0.25), ("On the", 0.08), ("A", 0.07), ("On", 0.05))  # make_key skips these


def zipf_cum(n: int, s: float, q: float = 0.0) -> list[float]:
    """Cumulative Zipf-Mandelbrot weights 1/(r+q)^s for ranks 1..n (for `choices`)."""
    acc, out = 0.0, []
    for r in range(1, n + 1):
        acc += 1.0 / (r + q) ** s
        out.append(acc)
    return out


class Generator:
    """Everything drawn from one seeded RNG, in a fixed order: works come out identical
    for the same (N, seed). Different N give different pools, so a 10k catalogue is not
    the first 10k works of the 100k one."""

    def __init__(self, n: int, seed: int = 42, with_bibtex: bool = False):
        import random

        self.n, self.seed, self.with_bibtex = n, seed, with_bibtex
        rng = self.rng = random.Random(seed)

        # vocabulary: function words, then academic words, then pseudo-words (rank order)
        real = set(FUNCTION_WORDS) | set(ACADEMIC_WORDS)
        pseudo: dict[str, None] = {}
        while len(pseudo) < N_VOCAB_PSEUDO:
            word = "".join(rng.choice(ONSETS) + rng.choice(VOWELS) + rng.choice(CODAS)
                           for _ in range(rng.choice((1, 2, 2, 2, 3))))
            word += rng.choice(SUFFIXES)
            if len(word) >= 4 and word not in real and word not in _KEY_STOP:
                pseudo[word] = None
        self.pseudo = list(pseudo)
        self.vocab = FUNCTION_WORDS + ACADEMIC_WORDS + self.pseudo
        self.vocab_cum = zipf_cum(len(self.vocab), 1.0, 2.7)
        self.content = ACADEMIC_WORDS + self.pseudo  # first words of titles, uniformly
        self.function = set(FUNCTION_WORDS)

        # institutions, authors (N/3), venues (2000), keywords (500)
        places = [w.capitalize() for w in rng.sample(self.pseudo, 2000)]
        n_inst = max(20, n // 150)
        institutions: dict[str, None] = {}
        while len(institutions) < n_inst:
            institutions[rng.choice(INSTITUTION_FORMS).format(rng.choice(places))] = None
        self.institutions = list(institutions)

        n_authors = max(30, n // 3)
        n_surnames = max(200, n_authors // 3)
        surnames = dict.fromkeys(SURNAMES)
        while len(surnames) < n_surnames:
            word = "".join(rng.choice(ONSETS) + rng.choice(VOWELS) + rng.choice(CODAS)
                           for _ in range(rng.choice((2, 2, 2, 3))))
            if len(word) >= 3:
                surnames[word.capitalize()] = None
        surname_list = list(surnames)
        given = FIRST_NAMES + [w.capitalize() for w in rng.sample(self.pseudo, 1500) if len(w) <= 8]
        names: dict[str, str] = {}
        while len(names) < n_authors:
            first = rng.choice(given)
            middle = f" {chr(65 + rng.randrange(26))}." if rng.random() < 0.3 else ""
            name = f"{first}{middle} {rng.choice(surname_list)}"
            if name not in names:
                names[name] = rng.choice(self.institutions) if rng.random() < 0.4 else ""
        self.authors = list(names.items())
        self.author_cum = zipf_cum(len(self.authors), 0.5)

        venues: dict[str, None] = {}
        caps = [w.capitalize() for w in ACADEMIC_WORDS]
        while len(venues) < N_VENUES:
            form = rng.choice(VENUE_FORMS)
            venues[form.format(a=rng.choice(caps), b=rng.choice(caps), c=rng.choice(places))] = None
        self.venues = list(venues)
        self.venue_cum = zipf_cum(N_VENUES, 0.8)

        keywords: dict[str, None] = {}
        while len(keywords) < N_KEYWORDS:
            k = rng.choice(ACADEMIC_WORDS)
            if rng.random() < 0.6:
                k = f"{k} {rng.choice(ACADEMIC_WORDS + self.pseudo[:300])}"
            keywords[k] = None
        self.keywords = list(keywords)
        self.keyword_cum = zipf_cum(N_KEYWORDS, 0.7)

        # years: literature grows ~4.5%/year; work i gets the year at quantile i/n
        self.growth = 0.045
        self.span = math.exp(self.growth * 76) - 1

        # citation graph state: each entry is a work that received a citation (in-degree)
        self.cited_pool = array("i")
        self.references_total = 0
        self.keys: set[str] = set()

    # -- one work

    def s2_id(self, i: int) -> str:
        return hashlib.sha1(f"ibid-bench:{self.seed}:{i}".encode()).hexdigest()

    def doi(self, i: int) -> str:
        return f"10.5555/ibid-bench.{self.seed}.{i}"

    def year(self, i: int) -> int:
        q = (i + 0.5) / self.n
        return min(2025, 1950 + int(math.log1p(q * self.span) / self.growth))

    def _words(self, k: int) -> list[str]:
        return self.rng.choices(self.vocab, cum_weights=self.vocab_cum, k=k)

    def title(self) -> str:
        rng = self.rng
        lead = rng.choices([t for t, _ in TITLE_LEADS], [w for _, w in TITLE_LEADS])[0]
        n = rng.randint(5, 15)
        words = [rng.choice(self.content)] + self._words(n - 1 - len(lead.split()))
        fn = self.function
        text = " ".join(w if w in fn else w.capitalize() for w in words)
        if ":" not in text and rng.random() < 0.2 and n > 7:  # a subtitle now and then
            parts = text.split(" ")
            cut = rng.randint(3, len(parts) - 2)
            text = " ".join(parts[:cut]) + ": " + " ".join(parts[cut:])
        return f"{lead} {text}" if lead else text

    def abstract(self) -> str:
        rng = self.rng
        words = self._words(rng.randint(60, 220))
        out, i = [], 0
        while i < len(words):
            j = i + rng.randint(8, 25)
            sentence = words[i:j]
            sentence[0] = sentence[0].capitalize()
            out.append(" ".join(sentence) + ".")
            i = j
        return " ".join(out)

    def references(self, i: int) -> list[int]:
        """0-40 distinct earlier works; half the picks preferential by in-degree."""
        rng = self.rng
        k = min(MAX_REFS, i, int(rng.expovariate(1 / MEAN_REFS)))
        chosen: dict[int, None] = {}
        pool = self.cited_pool
        tries = 0
        while len(chosen) < k and tries < 4 * k + 10:
            tries += 1
            if pool and rng.random() < 0.5:
                j = pool[int(rng.random() * len(pool))]
            else:
                j = int(rng.random() * i)
            chosen[j] = None
        refs = list(chosen)
        pool.extend(refs)
        self.references_total += len(refs)
        return refs

    def record(self, i: int) -> dict:
        """Work number i (0-based, oldest first) as a JSON Lines object."""
        rng = self.rng
        title = self.title()
        year = self.year(i)
        k = rng.choices((1, 2, 3, 4, 5), (25, 30, 22, 14, 9))[0]
        picked: dict[int, None] = {}
        while len(picked) < k:
            picked[rng.choices(range(len(self.authors)), cum_weights=self.author_cum)[0]] = None
        people = [self.authors[a] for a in picked]
        venue = self.venues[rng.choices(range(N_VENUES), cum_weights=self.venue_cum)[0]]
        abstract = self.abstract()
        n_kw = rng.choices((0, 1, 2, 3), (30, 30, 25, 15))[0]
        kws = list(dict.fromkeys(rng.choices(self.keywords, cum_weights=self.keyword_cum, k=n_kw)))
        refs = self.references(i)
        rec = {
            "s2_id": self.s2_id(i), "doi": self.doi(i), "title": title,
            "authors": [p[0] for p in people], "venue": venue, "year": year, "abstract": abstract,
            "fields": kws,
        }
        if self.with_bibtex:
            rec["bibtex"] = f"@article{{{self.key(people[0][0], year, title)},\n title = {{{title}}}\n}}\n"
        rec["references"] = [self.s2_id(j) for j in refs]
        rec["affiliations"] = [p[1] for p in people]
        rec["_refs"] = refs  # indexes, for --db; removed before writing
        return rec

    def key(self, author: str, year: int, title: str) -> str:
        """A unique key in ibid's own shape (only with --with-bibtex)."""
        from tui.formats.keys import make_key

        base = key = make_key(author.split()[-1], year, title)
        n = 0
        while key in self.keys:
            n += 1
            key = f"{base}{chr(ord('a') + (n - 1) % 26)}{'' if n <= 26 else n // 26}"
        self.keys.add(key)
        return key


def dumps(rec: dict) -> str:
    rec = {k: v for k, v in rec.items() if k != "_refs"}
    return json.dumps(rec, ensure_ascii=False)


# ---------------------------------------------------------------------------- JSONL mode


def write_jsonl(n: int, out: Path, seed: int, with_bibtex: bool) -> dict:
    watch = Stopwatch()
    with watch("setup"):
        gen = Generator(n, seed, with_bibtex)
    with watch("write"), open(out, "w", encoding="utf-8") as f:
        for i in range(n):
            f.write(dumps(gen.record(i)))
            f.write("\n")
    return {"watch": watch, "references": gen.references_total,
            "bytes": out.stat().st_size, "rss_mb": peak_rss_mb()}


def import_file(path: Path, db: Path) -> dict:
    """parse_path + import_batch of a whole file into a fresh catalogue (as `ibid import`)."""
    from tui.formats import parse_path
    from tui.store import Store

    if db.exists():
        sys.exit(f"{db}: exists; remove it first (the import must start from an empty catalogue)")
    watch = Stopwatch()
    with watch("parse"):
        batch = parse_path(path)
    store = Store(db)
    with watch("import"), FtsTrace(store.conn) as fts:
        summary = store.import_batch(batch)
    store.close()
    return {"watch": watch, "fts_s": fts.total,
            "added": summary.added, "citations": summary.citations,
            "problems": dict(Counter(p.kind for p in summary.problems)), "rss_mb": peak_rss_mb()}


# ---------------------------------------------------------------------------- --db mode


def link_across_batches(conn: sqlite3.Connection, pairs: list[tuple[int, int]], stamp: str) -> int:
    """Insert citation links (citing id, cited id) with plain SQL, in one transaction, the
    way Store.import_batch now links its own batch: the `cited_by` trigger is set aside,
    the links go in with one executemany, and `cited_by` is recounted for the works they
    cite. A stop-gap: Store.import_batch links only keys of its own batch."""
    trigger = conn.execute(
        "SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = 'citations_count_insert'").fetchone()
    conn.execute("BEGIN IMMEDIATE")
    try:
        if trigger:
            conn.execute("DROP TRIGGER citations_count_insert")
        # rowcount: the rows inserted (sqlite3_changes, summed over the executemany)
        cur = conn.executemany("INSERT OR IGNORE INTO citations(citing_id, cited_id, added) VALUES (?, ?, ?)",
                               ((a, b, stamp) for a, b in pairs if a != b))
        inserted = cur.rowcount
        cited = sorted({b for _, b in pairs})
        for i in range(0, len(cited), 500):
            chunk = cited[i:i + 500]
            conn.execute("UPDATE citation_counts SET cited_by = (SELECT count(*) FROM citations "
                         "WHERE cited_id = citation_counts.work_id) "
                         f"WHERE work_id IN ({','.join('?' * len(chunk))})", chunk)
        if trigger:
            conn.execute(trigger[0])
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    return inserted


def build_db(n: int, db: Path, seed: int, chunk: int, force: bool, with_bibtex: bool) -> dict:
    from tui.formats import jsonl
    from tui.store import Store, now

    if db.exists():
        if not force:
            sys.exit(f"{db}: exists; use --force to replace it")
        for suffix in ("", "-wal", "-shm"):
            Path(str(db) + suffix).unlink(missing_ok=True)
    t0 = time.perf_counter()
    watch = Stopwatch()
    with watch("setup"):
        gen = Generator(n, seed, with_bibtex)
    store = Store(db)
    conn = sqlite3.connect(db, isolation_level=None)
    conn.execute("PRAGMA foreign_keys = ON")
    conn.execute("PRAGMA busy_timeout = 5000")
    id_of = array("i")  # work index -> works.id
    problems: Counter = Counter()
    added = renamed = within = across = missing_dropped = 0
    fts_s = 0.0
    for start in range(0, n, chunk):
        stop = min(n, start + chunk)
        with watch("generate"):
            records = [gen.record(i) for i in range(start, stop)]
            text = "\n".join(dumps(r) for r in records)

        with watch("parse"):
            batch = jsonl.parse_string(text, f"<generated {start}-{stop}>")
            del text
            for work, rec in zip(batch.works, records):  # JSONL has no affiliations; set them
                for author, aff in zip(work.authors, rec["affiliations"]):
                    author.affiliation = aff

        with watch("import"), FtsTrace(store.conn) as fts:
            summary = store.import_batch(batch, on_duplicate="rename")
        fts_s += fts.total
        added += summary.added
        renamed += summary.renamed
        within += summary.citations
        for p in summary.problems:
            if "references point to works not in the file" in p.message:
                missing_dropped += int(p.message.split()[0])
            else:
                problems[p.kind] += 1
        del batch, summary

        with watch("link"):
            for wid, doi in conn.execute("SELECT id, doi FROM works WHERE id > ? ORDER BY id",
                                         (id_of[-1] if id_of else 0,)):
                index = int(doi.rsplit(".", 1)[1])
                if index != len(id_of):
                    sys.exit(f"unexpected work order: {doi} at position {len(id_of)}")
                id_of.append(wid)
            pairs = [(id_of[i], id_of[j]) for i, rec in zip(range(start, stop), records)
                     for j in rec["_refs"] if j < start]
            across += link_across_batches(conn, pairs, now()) if pairs else 0
        del records, pairs
        elapsed = time.perf_counter() - t0
        print(f"  {stop:>9,} works  {elapsed:7.1f} s  {stop / elapsed:7,.0f} works/s  "
              f"RSS peak {peak_rss_mb():.0f} MB", flush=True)
    store.close()
    with watch("check"):
        works, cites, cited_sum, max_cited = conn.execute(
            "SELECT (SELECT count(*) FROM works), (SELECT count(*) FROM citations), "
            "(SELECT sum(cited_by) FROM citation_counts), (SELECT max(cited_by) FROM citation_counts)").fetchone()
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        conn.close()
    return {"watch": watch, "fts_s": fts_s, "total_s": time.perf_counter() - t0, "added": added,
            "renamed": renamed, "problems": dict(problems), "links_within_batches": within,
            "links_across_batches": across, "references_generated": gen.references_total,
            "dropped_by_parse_string": missing_dropped, "works": works, "citations": cites,
            "sum_cited_by": cited_sum, "max_cited_by": max_cited,
            "db_mb": sum(Path(str(db) + s).stat().st_size for s in ("", "-wal")
                         if Path(str(db) + s).exists()) / 1e6,
            "rss_mb": peak_rss_mb()}


def stage_line(label: str, n: int, wall: float, cpu: float | None = None, rates: bool = True) -> str:
    """`label  wall s  rate/s  cpu s  rate/s (CPU)`."""
    text = f"  {label:<36} {wall:8.1f} s"
    if rates and wall:
        text += f" {n / wall:9,.0f}/s"
    if cpu is not None:
        text += f"   CPU {cpu:8.1f} s" + (f" {n / cpu:9,.0f}/s" if rates and cpu else "")
    return text


# ---------------------------------------------------------------------------- command line


def main() -> None:
    ap = argparse.ArgumentParser(description="A deterministic N-work catalogue for benchmarks.")
    ap.add_argument("n", type=int, help="number of works")
    ap.add_argument("out", nargs="?", type=Path, help="JSON Lines file to write")
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument("--with-bibtex", action="store_true",
                    help="give every work a small `bibtex` string with a key made here")
    ap.add_argument("--db", type=Path, help="build this catalogue directly instead of writing JSONL")
    ap.add_argument("--chunk", type=int, default=50_000, help="works per import batch with --db")
    ap.add_argument("--force", action="store_true", help="replace an existing --db file")
    ap.add_argument("--import-into", type=Path,
                    help="JSONL mode: then import the file into this new catalogue, timed")
    args = ap.parse_args()
    if args.n < 1 or (args.out is None) == (args.db is None):
        ap.error("give N and either OUT.jsonl or --db OUT.db")
    OUT.mkdir(exist_ok=True)
    print(header())
    print(f"generate N={args.n:,} seed={args.seed}" + (" with bibtex" if args.with_bibtex else ""), flush=True)

    if args.db:
        r = build_db(args.n, args.db, args.seed, args.chunk, args.force, args.with_bibtex)
        w, n = r["watch"], args.n
        print(f"{args.db}: {r['works']:,} works, {r['citations']:,} citation links, "
              f"{r['db_mb']:.0f} MB, max cited_by {r['max_cited_by']:,}")
        print(f"  total {r['total_s']:.1f} s = {n / r['total_s']:,.0f} works/s (generation included); "
              f"CPU {sum(w.cpu.values()):.1f} s")
        print(stage_line("pools and vocabulary", n, w.wall["setup"], w.cpu["setup"], rates=False))
        print(stage_line("generate records + JSON", n, w.wall["generate"], w.cpu["generate"]))
        print(stage_line("jsonl.parse_string", n, w.wall["parse"], w.cpu["parse"]))
        print(stage_line("Store.import_batch", n, w.wall["import"], w.cpu["import"]))
        print(stage_line("  of which FTS INSERT..SELECT", n, r["fts_s"]))
        print(stage_line("cross-batch links (plain SQL)", n, w.wall["link"], w.cpu["link"],
                         rates=r["links_across_batches"] > 0))
        print(stage_line("final counts + checkpoint", n, w.wall["check"], w.cpu["check"], rates=False))
        print(stage_line("import path (parse + import_batch)", n, w.wall["parse"] + w.wall["import"],
                         w.cpu["parse"] + w.cpu["import"]))
        print(f"  added {r['added']:,}; renamed {r['renamed']:,}; other problems {r['problems'] or 'none'}")
        print(f"  references generated {r['references_generated']:,}: linked within batches "
              f"{r['links_within_batches']:,}, across batches {r['links_across_batches']:,} "
              f"(parse_string dropped {r['dropped_by_parse_string']:,} as not in the batch)")
        ok = (r["works"] == n and r["citations"] == r["references_generated"] == r["sum_cited_by"])
        print(f"  check: works == N, citations == references == sum(cited_by): {'ok' if ok else 'MISMATCH'}")
        print(f"  peak RSS {r['rss_mb']:.0f} MB")
        return

    r = write_jsonl(args.n, args.out, args.seed, args.with_bibtex)
    w, n = r["watch"], args.n
    print(f"{args.out}: {n:,} works, {r['references']:,} references, {r['bytes'] / 1e6:.1f} MB; "
          f"peak RSS {r['rss_mb']:.0f} MB")
    print(stage_line("pools and vocabulary", n, w.wall["setup"], w.cpu["setup"], rates=False))
    print(stage_line("generate + write", n, w.wall["write"], w.cpu["write"]))
    if args.import_into:
        i = import_file(args.out, args.import_into)
        w = i["watch"]
        print(f"import into {args.import_into} (parse_path + Store.import_batch, one batch, as `ibid import`):")
        print(stage_line("parse_path", n, w.wall["parse"], w.cpu["parse"]))
        print(stage_line("Store.import_batch", n, w.wall["import"], w.cpu["import"]))
        print(stage_line("  of which FTS INSERT..SELECT", n, i["fts_s"]))
        print(stage_line("parse + import", n, w.wall["parse"] + w.wall["import"], w.cpu["parse"] + w.cpu["import"]))
        print(f"  added {i['added']:,}, citation links {i['citations']:,}, problems {i['problems'] or 'none'}; "
              f"peak RSS {i['rss_mb']:.0f} MB")


if __name__ == "__main__":
    main()
