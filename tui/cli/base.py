"""The command line: open the browser, import, export, search, show, cite.

The group and what every command shares: the catalogue option, opening it, one-line errors."""

from __future__ import annotations

import gc
import json
import os
import re
import sys
from collections.abc import Callable
from pathlib import Path

import click

from ..config import ConfigError
from ..formats import FormatError
from ..safe import printable
from ..store import Store, StoreError

DEFAULT_DB = "catalog.db"


def named_db(ctx: click.Context, db: Path | None) -> Path | None:
    """The catalogue the user named: `--db` on the command or the group, else `$IBID_DB`."""
    named = db or ctx.find_root().params.get("db") or os.environ.get("IBID_DB")
    return Path(named) if named else None


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


def open_store(ctx: click.Context, db: Path | None, read_only: bool | None, must_exist: bool = False,
               browser: bool = False) -> Store:
    """The catalogue named on the command line.

    A new catalogue starts empty, except the default one the browser opens (`ibid` with no
    command, no `--db` and no `$IBID_DB`): that one is built from `seeds/` so a new user sees
    a real record page at once. Someone starting their own library with `ibid import`, `ibid
    add` or `--db NEW` gets no works they did not ask for."""
    from ..seeds import open_catalogue

    root = ctx.find_root().params
    named = named_db(ctx, db)
    path = named or Path(DEFAULT_DB)
    ro = bool(read_only if read_only is not None else root.get("read_only"))
    if must_exist and not path.exists():
        fail(f"{path}: no such catalogue")
    try:
        store = open_catalogue(path, read_only=ro, seeded=browser and named is None)
    except (StoreError, FormatError) as exc:
        fail(str(exc))
    ctx.call_on_close(store.close)
    ctx.call_on_close(lambda: _keep_exports(store))  # (runs first: the callbacks run last to first)
    return store


def _keep_exports(store: Store) -> None:
    """A command that changed the catalogue rewrites the kept exports it touched as it ends."""
    if store.read_only or not store.commits:
        return
    from ..keep import refresh

    try:
        for path, what in refresh(store):
            if what not in ("written", "unchanged"):
                click.echo(f"ibid: kept export {printable(what, False)}", err=True)
    except StoreError:
        pass  # (the catalogue locked meanwhile): the next change tries again


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
        store = open_store(ctx, db, read_only, browser=True)
        # No garbage collection while Textual is imported and the browser starts (see
        # IbidApp.on_mount): its many new objects made the collector run again and again.
        enabled = gc.isenabled()
        gc.disable()
        try:
            from ..app import IbidApp

            IbidApp(store).run()
        finally:
            if enabled:
                gc.enable()
