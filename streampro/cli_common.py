"""What every command group of the CLI shares: the one-line failure and reading a benchmark file."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from pathlib import Path

import typer

#: the options of every command that serves a page to people (arena, data review): the same names and rules
PAGE_OPTIONS = {
    "host": typer.Option("127.0.0.1", help="interface to bind; anything but loopback needs a strong token"),
    "token": typer.Option(None, envvar="STREAMPRO_TOKEN", help="required of every page; default: a random one, "
                          "printed in the page's URL"),
    "no_token": typer.Option(False, "--no-token", help="no token at all (loopback only)"),
    "allow_origin": typer.Option([], "--allow-origin", help="another browser origin allowed to post"),
}


def fail(msg: str) -> None:
    """Print ``error: <what, where, how to fix>`` on stderr and exit with status 2 (no traceback)."""
    typer.secho(f"error: {msg}", fg=typer.colors.RED, err=True)
    raise typer.Exit(2)


def load_bench(bench: Path, skip_bad: bool):
    """The items of a benchmark JSONL, or a one-line failure; with ``skip_bad`` bad lines are reported and
    left out."""
    from .data.schema import SchemaError, load_items

    errors: list[str] | None = [] if skip_bad else None
    try:
        items = load_items(bench, errors=errors)
    except (SchemaError, FileNotFoundError) as e:
        fail(str(e))
    for e in errors or []:
        typer.secho(f"skipped: {e}", fg=typer.colors.YELLOW, err=True)
    return items


def describe(e: BaseException) -> tuple[str, int]:
    """One line for an exception that reached the CLI, and the exit status: 2 for the user's mistakes
    (the project's own errors, files that cannot be read or written), 3 for anything else (a bug)."""
    from .core.errors import StreamProError

    if isinstance(e, StreamProError):
        return str(e), 2
    if isinstance(e, UnicodeDecodeError):
        return (f"a file is not UTF-8 text ({e.reason} at byte {e.start}); save it as UTF-8 and rerun", 2)
    if isinstance(e, IsADirectoryError):
        return f"{e.filename}: is a folder, a file was expected", 2
    if isinstance(e, NotADirectoryError):
        return f"{e.filename}: is a file, a folder was expected", 2
    if isinstance(e, FileNotFoundError):
        return f"{e.filename or e}: no such file or folder", 2
    if isinstance(e, PermissionError):
        return f"{e.filename or e}: permission denied", 2
    if isinstance(e, OSError) and e.errno == 28:
        return f"{e.filename or 'disk'}: no space left on the device; free some and rerun (finished work is kept)", 2
    if isinstance(e, OSError):
        return f"{e.filename + ': ' if e.filename else ''}{e.strerror or e}", 2
    return (f"unexpected {type(e).__name__}: {e} (a bug: please report it with the output of the same command "
            "with --debug)"), 3


def run_cli(app: Callable[..., object], argv: list[str] | None = None) -> None:
    """Run a typer app so that no traceback reaches the user: each escaped exception becomes one line on
    stderr (:func:`describe`). ``--debug`` anywhere on the command line (or ``STREAMPRO_DEBUG=1``) shows the
    traceback instead."""
    argv = list(sys.argv[1:] if argv is None else argv)
    debug = "--debug" in argv or os.environ.get("STREAMPRO_DEBUG") == "1"
    argv = [a for a in argv if a != "--debug"]
    try:
        app(args=argv, prog_name="streampro")
    except KeyboardInterrupt:
        typer.secho("interrupted: finished work is kept; rerun the same command to continue", err=True)
        sys.exit(130)
    except Exception as e:
        if debug:
            raise
        message, status = describe(e)
        typer.secho(f"error: {message}", fg=typer.colors.RED, err=True)
        sys.exit(status)
