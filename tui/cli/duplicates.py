"""`ibid duplicates`: works that may be one work, and names that may be one person's."""

from __future__ import annotations

import click

from ..models import AuthorVariants, DuplicateGroup
from ..safe import printable
from .base import db_option, dumps, main, open_store


def _group_json(group: DuplicateGroup) -> dict:
    return {"reason": group.reason, "reasons": group.reasons, "exact": group.exact,
            "works": [{"key": w.key, "title": w.title, "year": w.year, "authors": w.authors} for w in group.works]}


def _variants_json(group: AuthorVariants) -> dict:
    return {"names": [a.name for a in group.authors], "works": group.works, "shared": group.shared}


@main.command()
@click.option("--json", "as_json", is_flag=True, help="Print the groups as JSON.")
@click.option("--authors", is_flag=True, help="List names that may be one person's instead of works.")
@db_option
@click.pass_context
def duplicates(ctx, as_json, authors, db, read_only):
    """List works that may be one work: the same DOI, arXiv id or ISBN (exact), or the same
    title (case, accents, punctuation and a leading article aside), years within one and the
    same first author (likely). With --authors, names that may be one person's: the same family
    name, given names or initials that agree, and a co-author or a venue in common.
    Nothing is merged."""
    store = open_store(ctx, db, read_only, must_exist=True)
    groups = store.duplicate_groups(authors=authors)
    if as_json:
        click.echo(dumps([_variants_json(g) if authors else _group_json(g) for g in groups], indent=2))
        return
    if authors:
        for g in groups:
            names = ", ".join(f"{a.name} ({n} work{'s' if n != 1 else ''})" for a, n in zip(g.authors, g.works))
            click.echo(printable(f"{names}: {g.shared}", False))
        click.echo(f"{len(groups)} group{'s' if len(groups) != 1 else ''} of names that may be one person's")
        return
    for g in groups:
        click.echo(printable(f"{'; '.join(g.reasons)}:", False))
        for w in g.works:
            click.echo(printable(f"  {w.key}  {w.title} ({w.year if w.year is not None else 'n.d.'})", False))
    exact = sum(g.exact for g in groups)
    click.echo(f"{len(groups)} group{'s' if len(groups) != 1 else ''} of possible duplicates: "
               f"{exact} exact (same DOI, arXiv id or ISBN), {len(groups) - exact} likely (same title, year and first author)")
