"""`ibid rekey QUERY`: the `[keys] pattern`'s keys for works already in the catalogue."""

from __future__ import annotations

import click

from ..config import load_config
from ..keep import narrowed
from ..safe import printable
from .base import db_option, fail, main, open_store

SHOWN = 50  # changes listed one a line; more are counted


@main.command()
@click.argument("query")
@click.option("--pattern", default=None, metavar="PATTERN",
              help="This pattern instead of the settings' [keys] pattern (e.g. '{auth:lower}{year}').")
@click.option("--dry-run", is_flag=True, help="Say what would change; change nothing.")
@db_option
@click.pass_context
def rekey(ctx, query, pattern, dry_run, db, read_only):
    """Give the works QUERY matches ('*' for every work) the keys the [keys] pattern makes. Each
    old key stays an alias of its work (a manuscript citing it still finds it), crossref and
    xdata naming it follow, citation links stay; a key the pattern already gives is left alone.
    One change: `ibid undo` takes it back."""
    pattern = pattern or load_config().key_pattern
    store = open_store(ctx, db, read_only)
    ids = None if query.strip() == "*" else narrowed(store, query, None)
    if ids is not None and not ids:
        fail(f"no work matches {query!r}: nothing to rekey")
    result = store.rekey(ids, pattern, dry_run=dry_run)
    for _, old, new in result.changed[:SHOWN]:
        click.echo(printable(f"{old} -> {new}", False))
    if len(result.changed) > SHOWN:
        click.echo(f"... and {len(result.changed) - SHOWN:,} more")
    tail = "; nothing changed (--dry-run)" if dry_run else ("; ibid undo takes it back" if result.changed else "")
    summary = result.describe().replace("changed", "would change", 1) if dry_run else result.describe()
    click.echo(printable(summary + tail, False))
