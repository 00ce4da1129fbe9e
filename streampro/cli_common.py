"""What every command group of the CLI shares: the one-line failure and reading a benchmark file."""

from __future__ import annotations

import dataclasses
import functools
import inspect
import os
import sys
import types
import typing
from collections.abc import Callable
from pathlib import Path
from typing import Any, Optional

import typer

#: the options of every command that serves a page to people (arena, data review): the same names and rules
PAGE_OPTIONS = {
    "host": typer.Option("127.0.0.1", help="interface to bind; anything but loopback needs a strong token"),
    "token": typer.Option(None, envvar="STREAMPRO_TOKEN", help="required of every page; default: a random one, "
                          "printed in the page's URL"),
    "no_token": typer.Option(False, "--no-token", help="no token at all (loopback only)"),
    "allow_origin": typer.Option([], "--allow-origin", help="another browser origin allowed to post"),
}


def _flag_type(hint: Any) -> Any:
    """The option type of a field's type hint: ``X | None`` -> ``X``, a list -> repeatable strings."""
    args = [a for a in typing.get_args(hint) if a is not type(None)]
    if typing.get_origin(hint) in (typing.Union, types.UnionType) and len(args) == 1:
        hint = args[0]
    if hint is list or typing.get_origin(hint) is list:
        return list[str]
    return hint


def config_options(*configs: type) -> Callable:
    """Give a command one option per field of the ``configs`` dataclasses (declared with
    :func:`streampro.core.settings.setting`: help, flags, YAML-only). The command takes a ``settings``
    parameter and receives the fields given on the command line as a dict (unset options are left out, so
    a YAML config or the dataclass default applies) — the field, its default and its help are written once."""

    def deco(fn: Callable) -> Callable:
        own = inspect.signature(fn)
        hints = typing.get_type_hints(fn)
        params = [p.replace(annotation=hints.get(p.name, p.annotation), kind=inspect.Parameter.KEYWORD_ONLY)
                  for p in own.parameters.values() if p.name != "settings"]
        fields: dict[str, dataclasses.Field] = {}
        for cfg in configs:
            cfg_hints = typing.get_type_hints(cfg)
            own_first = sorted(dataclasses.fields(cfg), key=lambda f: f.name not in cfg.__dict__.get("__annotations__", {}))
            for f in own_first:
                if not f.metadata.get("cli") or f.name in fields or f.name in own.parameters:
                    continue
                fields[f.name] = f
                meta = f.metadata
                kind = meta["cli_type"] or _flag_type(cfg_hints[f.name])
                option = typer.Option(None, *meta["flags"], help=meta["help"])
                params.append(inspect.Parameter(f.name, inspect.Parameter.KEYWORD_ONLY, default=option,
                                                annotation=Optional[kind]))  # noqa: UP045 - typer reads it

        @functools.wraps(fn)
        def command(**kw: Any) -> Any:
            given = {}
            for name, f in fields.items():
                value = kw.pop(name)
                if value is None or value == []:
                    continue
                convert = f.metadata["convert"]
                given[name] = convert(value) if convert else value
            return fn(**kw, settings=given)

        params.sort(key=lambda p: p.name == "overwrite")  # the run-folder flag last, after the settings
        command.__signature__ = inspect.Signature(params)  # type: ignore[attr-defined]
        command.__annotations__ = {p.name: p.annotation for p in params}
        return command

    return deco


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
