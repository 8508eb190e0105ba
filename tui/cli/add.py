"""`ibid add`: works in by their DOI, arXiv id or ISBN."""

from __future__ import annotations

import sys
from collections import Counter
from pathlib import Path

import click

from ..config import load_config
from ..safe import printable
from .base import db_option, fail, main, open_store


@main.command()
@click.argument("ids", nargs=-1)
@click.option("-f", "--file", "files", multiple=True, type=click.Path(dir_okay=False, path_type=Path),
              help="A file of identifiers (spaces, commas or lines between them); - for stdin.")
@db_option
@click.pass_context
def add(ctx, ids, files, db, read_only):
    """Add works by DOI, arXiv id or ISBN, fetched from Crossref, doi.org, arXiv or Open Library.

    Each ID may be written as people write it: 10.1093/mind/LIX.236.433, doi:..., https://doi.org/...,
    2104.12255, arXiv:2104.12255v1, astro-ph/0601001, https://arxiv.org/abs/..., 978-0-262-03384-8.
    An identifier whose work is already in the catalogue adds nothing. References the source lists
    are linked to the works of the catalogue they name, now or when those works arrive.
    Exit status 0 when every identifier's work is in the catalogue afterwards, 1 otherwise.
    """
    from ..adding import ADDED, ALREADY, add_identifiers
    from ..identifiers import split_identifiers

    texts = list(ids)
    for path in files:
        try:
            content = sys.stdin.read() if str(path) == "-" else path.read_text(encoding="utf-8", errors="replace")
        except OSError as exc:
            fail(f"{path}: cannot read ({exc.strerror or exc})")
        texts += split_identifiers(content)
    if not texts:
        fail("no identifiers given: ibid add DOI|arXiv id|ISBN ... (or -f FILE)")
    config = load_config()
    settings = config.net
    store = open_store(ctx, db, read_only)
    store.check_writable()
    many = len(texts) > 1

    def progress(done: int, total: int, added) -> None:
        if many:
            click.echo(f"[{done}/{total}] {printable(added.text, False)}: {added.status}", err=True)

    results = add_identifiers(store, texts, settings, progress=progress, key_pattern=config.key_pattern)
    for r in results:
        if r.status == ADDED:
            extra = f"; {r.linked} citation link{'s' if r.linked != 1 else ''} made" if r.linked else ""
            extra += f", {r.waiting} reference{'s' if r.waiting != 1 else ''} kept until their works arrive" \
                if r.waiting else ""
            click.echo(printable(f"{r.work.key}: added from {r.source}: {r.work.title}{extra}", False))
        elif r.status == ALREADY:
            click.echo(printable(f"{r.work.key}: already there ({r.text})", False))
        else:
            click.echo(printable(f"{r.status}: {r.message}", False), err=True)
    if many:
        counts = Counter(r.status for r in results)
        click.echo(", ".join(f"{counts.get(s, 0)} {s}" for s in (ADDED, ALREADY, "not found", "failed", "invalid")
                             if counts.get(s) or s in (ADDED, ALREADY)))
    if not all(r.in_catalogue for r in results):
        sys.exit(1)
