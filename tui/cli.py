"""The command line: open the browser, import, export, search, show, cite."""

from __future__ import annotations

import gc
import json
import os
import re
import sys
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import click

from .attach import stored_path
from .config import ConfigError, load_config, resolver_hint
from .formats import FormatError, open_path
from .models import Work
from .query import parse
from .safe import printable
from .store import ImportSummary, Store, StoreError

DEFAULT_DB = "catalog.db"


def default_db() -> str:
    """`IBID_DB`, or `catalog.db` in the current directory."""
    return os.environ.get("IBID_DB") or DEFAULT_DB


# json.dumps escapes C0 controls; these it leaves raw: DEL, C1 (0x9b is a CSI), bidi overrides
_JSON_RAW = re.compile(r"[\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


def dumps(obj, indent: int | None = None) -> str:
    """JSON with every character that could act on a terminal written as a \\u escape: still
    exact, lossless JSON."""
    return _JSON_RAW.sub(lambda m: f"\\u{ord(m.group()):04x}", json.dumps(obj, ensure_ascii=False, indent=indent))


def fail(message: str) -> None:
    """One clear line on stderr and a non-zero exit."""
    click.echo(f"ibid: {printable(message, newlines=False)}", err=True)
    sys.exit(1)


def db_option(func: Callable) -> Callable:
    """`--db PATH` and `--read-only`, on the group and on every subcommand."""
    func = click.option("--read-only", is_flag=True, default=None,
                        help="Open the catalogue read-only: browse, never change it.")(func)
    return click.option("--db", "db", type=click.Path(dir_okay=True, path_type=Path), default=None,
                        help="Catalogue file (default: $IBID_DB or ./catalog.db).")(func)


def open_store(ctx: click.Context, db: Path | None, read_only: bool | None, must_exist: bool = False) -> Store:
    """The catalogue named on the command line; a new one is seeded."""
    from .seeds import open_catalogue

    root = ctx.find_root().params
    path = Path(db or root.get("db") or default_db())
    ro = bool(read_only if read_only is not None else root.get("read_only"))
    if must_exist and not path.exists():
        fail(f"{path}: no such catalogue")
    try:
        store = open_catalogue(path, read_only=ro)
    except (StoreError, FormatError) as exc:
        fail(str(exc))
    ctx.call_on_close(store.close)
    return store


class Group(click.Group):
    """Turns every store, format and usage error into one line on stderr, never a traceback."""

    def main(self, *args, **kwargs):
        kwargs["standalone_mode"] = False
        try:
            code = super().main(*args, **kwargs)
        except click.ClickException as exc:  # a bad option or argument: one line, not the usage page
            fail(f"{exc.format_message()} (see ibid --help)" if isinstance(exc, click.UsageError) else exc.format_message())
        except click.Abort:
            fail("interrupted")
        sys.exit(code if isinstance(code, int) else 0)

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except (StoreError, FormatError, ConfigError) as exc:
            fail(str(exc))
        except KeyboardInterrupt:
            fail("interrupted; nothing after the last confirmed change was kept")
        except BrokenPipeError:
            sys.stderr.close()
            sys.exit(1)


@click.group(cls=Group, invoke_without_command=True,
             context_settings={"help_option_names": ["-h", "--help"]})
@db_option
@click.pass_context
def main(ctx: click.Context, db: Path | None, read_only: bool | None) -> None:
    """ibid: a terminal catalogue of scholarly works.

    With no command, opens the browser on the catalogue.
    """
    if ctx.invoked_subcommand is None:
        store = open_store(ctx, db, read_only)
        # No garbage collection while Textual is imported and the browser starts (see
        # IbidApp.on_mount): its ~150k new objects made the collector run ~200 times.
        enabled = gc.isenabled()
        gc.disable()
        try:
            from .app import IbidApp

            IbidApp(store).run()
        finally:
            if enabled:
                gc.enable()


# ---------------------------------------------------------------------------- import


# what the summary lists first: what was not imported, then what was imported otherwise than given
_SEVERITY = {"refused": 0, "encoding": 1, "mended": 1, "renamed": 2, "unlinked": 3, "duplicate": 4}


def _print_summary(name: str, s: ImportSummary, report=None, limit: int = 20) -> None:
    click.echo(f"{printable(name, False)}: {s.added} added, {s.updated} updated, {s.duplicates} duplicates, "
               f"{s.renamed} renamed, {s.refused} refused; {s.citations} citation links, {s.similar} similar links")
    problems = sorted(s.problems, key=lambda p: (_SEVERITY.get(p.kind, 0), p.line or 0))  # in file order within a kind
    for p in problems[:limit]:
        click.echo(f"  {p.kind}: {printable(str(p), False)}", err=True)
    if len(problems) > limit:
        rest = Counter(p.kind for p in problems[limit:])
        kinds = ", ".join(f"{n} {kind}" for kind, n in sorted(rest.items(), key=lambda kv: _SEVERITY.get(kv[0], 0)))
        more = f"; all in {printable(report.name, False)}" if report is not None else " (--report FILE lists them all)"
        click.echo(f"  ... and {len(problems) - limit} more ({kinds}){more}", err=True)
    if report is not None:
        for p in problems:
            report.write(f"{p.kind}: {printable(str(p), False)}\n")


@main.command("import")
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--on-duplicate", type=click.Choice(["skip", "update", "rename"]), default="skip", show_default=True,
              help="A key already in the catalogue: keep the existing work, overwrite it, or add under a new key.")
@click.option("--encoding", default=None,
              help="The files' encoding when not UTF-8 (e.g. latin-1, gbk); a file that does not say its "
                   "encoding is otherwise read in the one found likely, and the summary says which.")
@click.option("--report", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Write every problem (refused, mended, renamed, duplicate...) to this file, one a line.")
@db_option
@click.pass_context
def import_(ctx, files, on_duplicate, encoding, report, db, read_only):
    """Import BibTeX (.bib), RIS (.ris), CSL-JSON or Zotero JSON (.json), JSON Lines (.jsonl)
    or PhilPapers record pages (.txt).

    Each file is one transaction, imported whole or not at all; JSON Lines are read and
    imported a chunk of 20,000 lines at a time, each chunk its own transaction (an
    interrupted import keeps the chunks before; importing the file again skips them).
    """
    store = open_store(ctx, db, read_only)
    out = None
    if report is not None:
        try:
            out = ctx.with_resource(open(report, "w", encoding="utf-8"))
        except OSError as exc:
            fail(f"{report}: cannot write the report ({exc.strerror or exc}); nothing was imported")
    failed = 0
    imported: list[tuple[Path, int]] = []  # each file imported whole, and its works added
    # @strings (and @preamble macros) of one file serve the files after it, as in BibTeX
    shared = None
    if len(files) > 1:
        from .formats.bibtex import Definitions

        shared = Definitions()
    for path in files:
        try:
            stream = open_path(path, encoding, shared=shared)
        except FormatError as exc:
            click.echo(f"ibid: {printable(str(exc), False)}", err=True)
            failed += 1
            continue
        summary = ImportSummary()
        works_before = store.count()
        size = stream.works if stream.works is not None else stream.lines or 0
        try:
            if sys.stderr.isatty() and size >= 2000:
                with click.progressbar(length=size, label=f"Importing {path.name}", file=sys.stderr) as bar:
                    state = {"done": 0}

                    def progress(batch, done: int, total: int) -> None:
                        if batch is None:  # every work in: the indexes of a bulk import are made
                            bar.label = f"Indexing {path.name}"
                            bar.render_progress()
                            return
                        # a whole file counts works; a streamed one lines (one work a line)
                        at = done if stream.works is not None else max(state["done"], (
                            batch.last_line if done == total else state["base"] + done))
                        if done == total:
                            state["base"] = at
                        bar.update(at - state["done"])
                        state["done"] = at

                    state["base"] = 0
                    store.import_batches(stream.batches, on_duplicate, progress, summary, overlap=stream.overlap,
                                         expected=size or None)
            else:
                store.import_batches(stream.batches, on_duplicate, summary=summary, overlap=stream.overlap,
                                     expected=size or None)
            _print_summary(str(path), summary, out)  # (a ctrl-c while it prints: below, not "nothing kept")
        except FormatError as exc:  # a streamed file can still fail on a later line
            fail(f"{exc}; {summary.added} works of {path} were imported before it")
        except KeyboardInterrupt:
            # what landed, read back from the catalogue: ctrl-c can come just after a commit
            added = max(summary.added, store.count() - works_before)
            if stream.works is None and added:
                fail(f"interrupted; the first {added} works of {path} were imported and kept, "
                     "the rest not (import the file again to add the rest: works already in are skipped)")
            if added:
                fail(f"interrupted, but {path} had been imported already ({added} works added)")
            raise
        imported.append((path, summary.added))
    try:
        store.close()  # the last commit to the disk (an fsync, a checkpoint): a ctrl-c now loses nothing
    except KeyboardInterrupt:
        if not imported:
            raise
        what = imported[0][0] if len(imported) == 1 else "every file"
        fail(f"interrupted, but {what} had been imported already ({sum(n for _, n in imported)} works added)")
    if failed:
        sys.exit(1)


# ---------------------------------------------------------------------------- output


def work_json(store: Store, work: Work, similar: bool = True) -> dict:
    """A work as JSON: its fields, its citations and references, and similar works."""
    assert work.id is not None
    out = {
        "key": work.key, "type": work.type, "title": work.title,
        "authors": [{"name": a.name, "affiliation": a.affiliation} for a in work.authors],
        "year": work.year, "venue": work.venue, "volume": work.volume, "number": work.number,
        "pages": work.pages, "publisher": work.publisher, "doi": work.doi, "url": work.url,
        "abstract": work.abstract, "keywords": work.keywords, "venue_line": work.venue_line,
        "added": work.added, "updated": work.updated,
        "citations": [{"key": r.key, "title": r.title} for r in store.citations(work.id, limit=10**9)],
        "references": [{"key": r.key, "title": r.title} for r in store.references(work.id, limit=10**9)],
        "files": [{"name": f.name, "path": str(stored_path(store, f)), "added": f.added} for f in store.files(work.id)],
        "fields": work.fields,
    }
    if work.pp_downloads is not None:
        out["philpapers"] = {"downloads": work.pp_downloads, "downloads_rank": work.pp_downloads_rank,
                             "recent": work.pp_recent, "recent_rank": work.pp_recent_rank}
    if similar:
        from .similar import similar as find_similar

        out["similar"] = [{"key": s.work.key, "title": s.work.title, "why": s.why}
                          for s in find_similar(store, work.id)]
    return out


def work_text(store: Store, work: Work) -> str:
    """A work as the record page reads, in plain text."""
    from .similar import similar as find_similar

    assert work.id is not None

    def one(text: str) -> str:  # a field is one line: a newline in a title cannot forge a section
        return printable(text, newlines=False)

    lines = [one(work.title), ""]
    for a in work.authors:
        lines.append(one(a.name + (f", {a.affiliation}" if a.affiliation else "")))
    if work.venue_line:
        lines.append(one(work.venue_line))
    if work.doi:
        lines.append(one(f"doi:{work.doi}"))
    if work.url:
        lines.append(one(work.url))
    if work.abstract:
        lines += ["", printable(work.abstract)]
    sims = find_similar(store, work.id)
    lines += ["", "Similar books and articles"]
    lines += [one(f"  {s.work.title} ({s.work.key}) - {s.why}") for s in sims] or ["  None found."]
    cites, refs = store.citations(work.id), store.references(work.id)
    lines += ["", f"Citations of this work ({len(cites)})"]
    lines += [one(f"  {r.title} ({r.key})") for r in cites] or ["  No citations found."]
    lines += ["", f"References found in this work ({len(refs)})"]
    lines += [one(f"  {r.title} ({r.key})") for r in refs] or ["  No references found."]
    return "\n".join(lines)


EXPORT_FORMATS = ["bibtex", "json", "ris", "csl-json"]
REFERENCE_STYLES = ["apa", "chicago", "chicago-notes", "mla", "harvard", "ieee"]


@main.command()
@click.argument("key")
@click.option("--format", "fmt", default="text", show_default=True,
              type=click.Choice(["text", *EXPORT_FORMATS, *REFERENCE_STYLES, "openurl"]),
              help="A record format, a formatted reference in a citation style, or the OpenURL "
                   "link through your library.")
@db_option
@click.pass_context
def show(ctx, key, fmt, db, read_only):
    """Show one work by its citation key."""
    from .formats import bibtex, cite, csl, ris

    store = open_store(ctx, db, read_only)
    work = store.work(key)
    if fmt == "json":
        click.echo(dumps(work_json(store, work), indent=2))
    elif fmt == "bibtex":
        click.echo(printable(bibtex.write([work])), nl=False)
    elif fmt == "ris":
        click.echo(printable(ris.write([work])), nl=False)
    elif fmt == "csl-json":
        click.echo(csl.write([work]), nl=False)
    elif fmt == "openurl":
        from .links import openurl

        config = load_config()
        if not config.resolver:
            fail(resolver_hint(config.path))
        click.echo(openurl(work, config.resolver))
    elif fmt in REFERENCE_STYLES:
        click.echo(printable(cite.format_reference(work, fmt), newlines=False))
    else:
        click.echo(work_text(store, work))


@main.command()
@click.argument("query", required=False, default="")
@click.option("--format", "fmt", type=click.Choice(EXPORT_FORMATS), default="bibtex", show_default=True)
@db_option
@click.pass_context
def export(ctx, query, fmt, db, read_only):
    """Write the catalogue, or the works matching QUERY, to stdout.

    bibtex, ris and csl-json are the files other tools read; json is ibid's own view, with
    citations, references and archived copies.
    """
    from .formats.export import render_chunks

    store = open_store(ctx, db, read_only)
    # a query given whole: its last word is a word, not a prefix being typed
    ids = store.search_ids(query + " ", "added", limit=10**9) if query.strip() else None
    if fmt == "json":
        click.echo("[")
        first = True
        for work in store.works(ids):
            click.echo(("" if first else ",\n") + dumps(work_json(store, work, similar=False)), nl=False)
            first = False
        click.echo("\n]")
        return
    for text in render_chunks(store.works(ids), fmt):
        click.echo(text if fmt == "csl-json" else printable(text), nl=False)


@main.command()
@click.argument("query")
@click.option("--json", "as_json", is_flag=True, help="Print the works as JSON.")
@click.option("--limit", default=20, show_default=True, type=click.IntRange(1, None))
@click.option("--sort", type=click.Choice(["relevance", "year", "title", "cited"]), default="relevance", show_default=True)
@db_option
@click.pass_context
def search(ctx, query, as_json, limit, sort, db, read_only):
    """Search titles, authors, abstracts, keywords and venues.

    Qualifiers: author:NAME title:WORDS venue:NAME year:2019 year:2010..2020.
    """
    store = open_store(ctx, db, read_only)
    query += " "  # given whole: the last word is a word, not a prefix being typed
    ids = store.search_ids(query, sort, limit)
    if as_json:
        click.echo(dumps([work_json(store, w) for w in store.works(ids)], indent=2))
        return
    total = store.search_count(query)
    if not ids:
        click.echo("No works found.")
        for hint in parse(query).hints:
            click.echo(hint, err=True)
        return
    for row in store.rows(ids):
        year = row.year or "n.d."
        # key TAB the rest: the tab is ours (printable makes a tab in the data a space)
        click.echo(printable(row.key, False) + "\t" + printable(f"{row.title} — {row.authors} ({year})", False))
    if total > len(ids):
        click.echo(f"({len(ids)} of {total} shown; --limit for more)", err=True)


@main.command()
@click.argument("citing")
@click.argument("cited")
@db_option
@click.pass_context
def cite(ctx, citing, cited, db, read_only):
    """Record that CITING cites CITED."""
    store = open_store(ctx, db, read_only)
    store.cite(citing, cited, remember=True)
    click.echo(printable(f"{citing} now cites {cited}", False))


@main.command()
@click.argument("citing")
@click.argument("cited")
@db_option
@click.pass_context
def uncite(ctx, citing, cited, db, read_only):
    """Remove the link from CITING to CITED."""
    store = open_store(ctx, db, read_only)
    store.uncite(citing, cited, remember=True)
    click.echo(printable(f"{citing} no longer cites {cited}", False))


@main.command()
@click.argument("key")
@db_option
@click.pass_context
def edit(ctx, key, db, read_only):
    """Edit a work's BibTeX in $EDITOR; saved only if it parses and its key stays unique."""
    from .formats import bibtex

    store = open_store(ctx, db, read_only)
    work = store.work(key)
    store.check_writable()  # before the editor opens, not after the user's work in it
    text = click.edit(bibtex.write([work]), extension=".bib", require_save=True)
    if text is None:
        click.echo("No changes.")
        return
    store.update_work(work.id, bibtex.parse_one(text))
    click.echo(printable(f"Saved {key}", False))


@main.command()
@click.argument("key")
@click.argument("file", type=click.Path(path_type=Path))
@db_option
@click.pass_context
def attach(ctx, key, file, db, read_only):
    """Archive a copy of FILE (a PDF, say) with the work KEY, in the catalogue's own folder."""
    from .attach import attach as archive

    store = open_store(ctx, db, read_only)
    work = store.work(key)
    attachment = archive(store, work, file)
    click.echo(printable(f"Archived {file} for {key} as {stored_path(store, attachment)}; "
                         f"papers currently archived: {store.archived_count():,}", False))


@main.command()
@db_option
@click.pass_context
def undo(ctx, db, read_only):
    """Undo the last change made by hand (a link, an edit, a new work)."""
    store = open_store(ctx, db, read_only)
    click.echo(printable("Undid the " + store.undo(), False))
