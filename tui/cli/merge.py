"""`ibid merge KEEP GONE`: one work merged into another, the gone key kept as an alias."""

from __future__ import annotations

import click

from ..safe import printable
from ..store import StoreError
from .base import db_option, fail, main, open_store


def _choices(takes: tuple[str, ...]) -> dict[str, str]:
    out = {}
    for take in takes:
        name, sep, side = take.partition("=")
        if not sep or not name.strip() or side.strip() not in ("keep", "gone", "both"):
            fail(f"--take {take}: give FIELD=keep or FIELD=gone (e.g. --take title=gone)")
        out[name.strip().lower()] = side.strip()
    return out


@main.command()
@click.argument("keep")
@click.argument("gone")
@click.option("--take", "takes", multiple=True, metavar="FIELD=gone",
              help="Take this field's value from GONE (or, =keep, from KEEP) instead of the richer one; "
                   "give it once for each field.")
@db_option
@click.pass_context
def merge(ctx, keep, gone, takes, db, read_only):
    """Merge the work GONE into KEEP: its links, usage, archived copies and identifiers move to
    KEEP, which takes the richer value of each field (the longer abstract, a DOI it lacks, fields
    it lacks); GONE's key stays an alias of KEEP. `ibid undo` takes it back."""
    choices = _choices(takes)
    store = open_store(ctx, db, read_only)
    keep_id, gone_id = store.resolve_key(keep), store.resolve_key(gone)
    for key, work_id in ((keep, keep_id), (gone, gone_id)):
        if work_id is None:
            raise StoreError(f"no work with key {key!r}")
    if keep_id == gone_id:
        raise StoreError(f"a work cannot be merged into itself ({keep} and {gone} are one work)"
                         if keep != gone else f"a work cannot be merged into itself ({keep})")
    result = store.merge(keep_id, gone_id, choices)
    click.echo(printable(result.describe().replace(" (u undoes)", "; ibid undo takes it back"), False))
