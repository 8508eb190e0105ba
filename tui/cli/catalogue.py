"""Commands that read the catalogue or bring works in: import, show, export, search."""

from __future__ import annotations

import sys
from collections import Counter
from pathlib import Path

import click

from ..attach import stored_path
from ..config import load_config, resolver_hint
from ..formats import FormatError, open_path
from ..models import Work
from ..query import parse
from ..safe import printable
from ..store import ImportSummary, Store
from .base import db_option, dumps, fail, main, open_store

# what the summary lists first: what was not imported, then what was imported otherwise than given
_SEVERITY = {"refused": 0, "encoding": 1, "mended": 1, "renamed": 2, "unlinked": 3, "duplicate": 4,
             "possible duplicate": 5}


def _print_summary(name: str, s: ImportSummary, report=None, limit: int = 20) -> None:
    click.echo(f"{printable(name, False)}: {s.added} added, {s.updated} updated, {s.duplicates} duplicates, "
               f"{s.renamed} renamed, {s.refused} refused; {s.citations} citation links, {s.similar} similar links"
               + (f"; {s.possible_duplicates} possible duplicates (ibid duplicates lists them)"
                  if s.possible_duplicates else ""))
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
    from ..formats.keypattern import DEFAULT_PATTERN, apply_to_made_up_keys

    pattern = load_config().key_pattern
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
        from ..formats.bibtex import Definitions

        shared = Definitions()
    for path in files:
        try:
            stream = open_path(path, encoding, shared=shared)
        except FormatError as exc:
            click.echo(f"ibid: {printable(str(exc), False)}", err=True)
            failed += 1
            continue
        batches = stream.batches
        if pattern != DEFAULT_PATTERN:  # keys for works that came without one: the [keys] pattern's
            batches = (apply_to_made_up_keys(b, pattern) for b in stream.batches)
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
                    store.import_batches(batches, on_duplicate, progress, summary, overlap=stream.overlap,
                                         expected=size or None)
            else:
                store.import_batches(batches, on_duplicate, summary=summary, overlap=stream.overlap,
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
        "aliases": store.aliases(work.id),  # keys of works merged into this one
        "reading": work.reading or None, "note": work.note or None,
    }
    if work.pp_downloads is not None:
        out["philpapers"] = {"downloads": work.pp_downloads, "downloads_rank": work.pp_downloads_rank,
                             "recent": work.pp_recent, "recent_rank": work.pp_recent_rank}
    if similar:
        from ..similar import similar as find_similar

        out["similar"] = [{"key": s.work.key, "title": s.work.title, "why": s.why}
                          for s in find_similar(store, work.id)]
    return out


def work_text(store: Store, work: Work) -> str:
    """A work as the record page reads, in plain text."""
    from ..similar import similar as find_similar

    assert work.id is not None

    def one(text: str) -> str:  # a field is one line: a newline in a title cannot forge a section
        return printable(text, newlines=False)

    lines = [one(work.title), ""]
    aliases = store.aliases(work.id)
    if aliases:
        what = "an earlier key, merged or renamed: it finds" if len(aliases) == 1 else "earlier keys, merged or renamed: they find"
        lines[1:1] = [one(f"Also known as {', '.join(aliases)} ({what} {work.key})")]
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
    from ..formats import bibtex, cite, csl, ris

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
        from ..links import openurl

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
@click.option("--format", "fmt", type=click.Choice(EXPORT_FORMATS), default=None,
              help="bibtex (the default; with --to, the file's suffix chooses: .bib, .ris, .json), ris, csl-json, json.")
@click.option("--to", "to", type=click.Path(dir_okay=False, path_type=Path),
              help="Write to FILE (atomically, sorted by key) instead of stdout.")
@click.option("--keep", is_flag=True, help="With --to: keep FILE in step with the catalogue from now on.")
@click.option("--cited-in", "cited_in", multiple=True, type=click.Path(path_type=Path),
              help="Only the works a manuscript cites: a LaTeX .aux, a biber .bcf, a .tex, or pandoc Markdown "
                   "(.md); give it more than once for several files.")
@db_option
@click.pass_context
def export(ctx, query, fmt, to, keep, cited_in, db, read_only):
    """Write the catalogue, or the works matching QUERY, to stdout.

    bibtex, ris and csl-json are the files other tools read; json is ibid's own view, with
    citations, references and archived copies. With --cited-in, the works the manuscript cites
    (and those they need through crossref or xdata); keys the catalogue lacks are listed on
    stderr with the nearest keys, and the exit status is 1 when any is missing.
    """
    from ..formats.export import format_for_suffix, render_chunks

    if keep and to is None:
        fail("--keep needs --to FILE: the file to keep in step")
    if fmt is None:
        fmt = (format_for_suffix(to) if to is not None else None) or "bibtex"
    store = open_store(ctx, db, read_only)
    if to is not None:
        _export_to(store, to, fmt, query, cited_in, keep)
        return
    from ..keep import narrowed

    cited, missing = _cited_ids(store, cited_in) if cited_in else (None, [])
    ids = narrowed(store, query, cited)  # both given: the cited works that match
    if fmt == "json":
        click.echo("[")
        first = True
        for work in store.works(ids):
            click.echo(("" if first else ",\n") + dumps(work_json(store, work, similar=False)), nl=False)
            first = False
        click.echo("\n]")
    else:
        for text in render_chunks(store.works(ids), fmt):
            click.echo(text if fmt == "csl-json" else printable(text), nl=False)
    if missing:
        sys.exit(1)


def _export_to(store: Store, to: Path, fmt: str, query: str, cited_in: tuple[Path, ...], keep: bool) -> None:
    """`--to FILE` (and `--keep`): the file written whole, sorted by key; kept, it is registered."""
    from ..formats.export import write_atomic
    from ..keep import export_text
    from ..store import KeptExport

    if fmt == "json":
        fail("--to writes bibtex, ris or csl-json (json is ibid's own view: use stdout)")
    if to.is_dir() or not to.resolve().parent.is_dir():
        fail(f"{to}: {'is a folder' if to.is_dir() else 'its folder does not exist'}; nothing was written")
    export = KeptExport(str(to.resolve()), fmt, query, [str(Path(f).resolve()) for f in cited_in])
    if cited_in:
        _ids, missing = _cited_ids(store, cited_in)  # (says what is missing)
    else:
        missing = []
    text = export_text(store, export)
    try:
        size = write_atomic(to, text)
    except OSError as exc:
        fail(f"{to}: cannot write ({exc.strerror or exc}); nothing was written")
    click.echo(printable(f"{to}: {size:,} bytes ({fmt})", False), err=True)
    if keep:
        store.check_writable()
        from ..store import now

        export.written = now()
        replaced = store.keep_export(export)
        click.echo(printable(f"{to}: kept in step with the catalogue"
                             + (" (it replaces the kept export to this file)" if replaced else ""), False), err=True)
    if missing:
        sys.exit(1)


def _cited_ids(store: Store, files: tuple[Path, ...]) -> tuple[list[int] | None, list[str]]:
    """The works the manuscript files cite (tui.keep.cited_selection); the keys the catalogue
    lacks are said on stderr, each with the nearest keys."""
    import difflib

    from ..keep import cited_selection

    selection = cited_selection(store, files)
    for problem in selection.problems:
        click.echo(f"ibid: {printable(problem, False)}", err=True)
    for key in selection.missing:
        near = store.keys_near(key)
        best = sorted(near, key=lambda r: -difflib.SequenceMatcher(None, key.lower(), r.key.lower()).ratio())[:3]
        hint = "; ".join(f"{r.key} ({r.title[:50]})" for r in best)
        click.echo(printable(f"ibid: {key}: not in the catalogue" + (f"; did you mean {hint}?" if hint else ""),
                             False), err=True)
    if selection.missing:
        click.echo(f"ibid: {len(selection.missing)} of {selection.cited} cited keys not in the catalogue", err=True)
    return selection.ids, selection.missing


@main.command()
@click.argument("query")
@click.option("--json", "as_json", is_flag=True, help="Print the works as JSON.")
@click.option("--limit", default=20, show_default=True, type=click.IntRange(1, None))
@click.option("--sort", type=click.Choice(["relevance", "year", "title", "cited"]), default="relevance", show_default=True)
@db_option
@click.pass_context
def search(ctx, query, as_json, limit, sort, db, read_only):
    """Search titles, authors, abstracts, keywords and venues.

    Qualifiers: author:NAME title:WORDS venue:NAME year:2019 year:2010..2020
    state:toread|reading|read|none note:WORDS (plain words find notes too).
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
@click.option("--remove", "remove", type=click.Path(dir_okay=False, path_type=Path),
              help="Stop keeping FILE in step (the file itself stays).")
@db_option
@click.pass_context
def exports(ctx, remove, db, read_only):
    """List the kept exports (ibid export --to FILE --keep) and when each was last written."""
    store = open_store(ctx, db, read_only)
    if remove is not None:
        store.forget_export(str(remove.resolve()))
        click.echo(printable(f"{remove}: no longer kept", False))
        return
    kept = store.kept_exports()
    if not kept:
        click.echo("No kept exports (ibid export [QUERY] [--cited-in FILE] --to FILE --keep makes one).")
    for e in kept:
        what = f"cited in {', '.join(e.cited_in)}" if e.cited_in else (f"query {e.query!r}" if e.query else "every work")
        state = f"FAILED: {e.error}" if e.error else f"written {e.written.replace('T', ' ').rstrip('Z') or 'never'}"
        click.echo(printable(f"{e.path}  {e.format}  {what}  {state}", False))
