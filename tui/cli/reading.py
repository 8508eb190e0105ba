"""Commands for reading: a work's reading state (`ibid state`) and its note (`ibid note`)."""

from __future__ import annotations

import sys

import click

from ..safe import printable
from ..store import StoreError
from ..store.reading import STATE_NAMES, state_word
from .base import db_option, fail, main, open_store


@main.command()
@click.argument("key")
@click.argument("state", required=False)
@db_option
@click.pass_context
def state(ctx, key, state, db, read_only):
    """Set the reading state of the work KEY: toread, reading, read or none (no state).
    Without STATE, print it."""
    store = open_store(ctx, db, read_only)
    work = store.work(key)
    if state is None:
        current = store.reading_state(work.id)
        click.echo("none" if current is None else f"{current[0]}\t{current[1]}")
        return
    word = state_word(state)  # (a misspelt state: one line, nothing changed)
    store.set_reading([work.id], word)
    click.echo(printable(f"{key}: {STATE_NAMES[word]}", False))


@main.command()
@click.argument("key")
@click.option("--set", "text", default=None, metavar="TEXT",
              help="Replace the note with TEXT (Markdown; - reads it from stdin; empty removes the note).")
@click.option("--edit", is_flag=True, help="Edit the note in $EDITOR.")
@db_option
@click.pass_context
def note(ctx, key, text, edit, db, read_only):
    """Print the note of the work KEY (Markdown, as written), or change it (--set, --edit)."""
    if text is not None and edit:
        fail("--set and --edit: give one of them")
    store = open_store(ctx, db, read_only)
    work = store.work(key)
    current = store.note(work.id)
    if text is None and not edit:
        if current is None:
            click.echo(printable(f"{key} has no note (ibid note {key} --edit writes one)", False), err=True)
            sys.exit(1)
        out = printable(current.text)  # escape bytes shown, never sent to the terminal
        click.echo(out, nl=not out.endswith("\n"))
        return
    store.check_writable()  # before the editor opens, not after the user's work in it
    if edit:
        text = click.edit(current.text if current else "", extension=".md", require_save=True)
        if text is None:
            click.echo("No changes.")
            return
    elif text == "-":
        text = sys.stdin.read()
    store.check_note(text)
    try:
        saved = store.set_note(work.id, text, expected=current.text if current else "")
    except StoreError as exc:
        if not edit:
            raise
        fail(f"{exc}; your text is kept in {_keep_text(key, text)}")  # the user's writing is not lost
    click.echo(printable(f"Saved the note of {key}" if saved else f"{key} has no note now", False))


def _keep_text(key: str, text: str) -> str:
    import re
    import tempfile

    with tempfile.NamedTemporaryFile("w", encoding="utf-8", prefix=f"ibid-note-{re.sub(r'[^A-Za-z0-9_.-]', '_', key[:40])}-", suffix=".md",
                                     delete=False) as f:
        f.write(text)
    return f.name
