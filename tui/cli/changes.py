"""Commands that change works and links: cite, uncite, edit, attach, undo."""

from __future__ import annotations

from pathlib import Path

import click

from ..attach import stored_path
from ..safe import printable
from .base import db_option, main, open_store


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
    from dataclasses import replace

    from ..formats import bibtex

    store = open_store(ctx, db, read_only)
    work = store.work(key)
    store.check_writable()  # before the editor opens, not after the user's work in it
    # (its note and reading state are not fields to edit here: `ibid note`, `ibid state`)
    text = click.edit(bibtex.write([replace(work, note="", reading="")]), extension=".bib", require_save=True)
    if text is None:
        click.echo("No changes.")
        return
    saved = store.update_work(work.id, bibtex.parse_one(text))
    click.echo(printable(f"Saved {saved.key}", False))


@main.command()
@click.argument("key")
@click.argument("file", type=click.Path(path_type=Path))
@db_option
@click.pass_context
def attach(ctx, key, file, db, read_only):
    """Archive a copy of FILE (a PDF, say) with the work KEY, in the catalogue's own folder."""
    from ..attach import attach as archive

    store = open_store(ctx, db, read_only)
    work = store.work(key)
    attachment = archive(store, work, file)
    click.echo(printable(f"Archived {file} for {key} as {stored_path(store, attachment)}; "
                         f"papers currently archived: {store.archived_count():,}", False))


@main.command()
@db_option
@click.pass_context
def undo(ctx, db, read_only):
    """Undo the last change made by hand (a link, an edit, a new work, a merge)."""
    store = open_store(ctx, db, read_only)
    click.echo(printable("Undid the " + store.undo(), False))
