"""What every command group of the CLI shares: the one-line failure and reading a benchmark file."""

from __future__ import annotations

from pathlib import Path

import typer


def fail(msg: str) -> None:
    """Print ``error: <what, where, how to fix>`` on stderr and exit with status 2 (no traceback)."""
    typer.secho(f"error: {msg}", fg=typer.colors.RED, err=True)
    raise typer.Exit(2)


def load_bench(bench: Path, skip_bad: bool):
    """The items of a benchmark JSONL, or a one-line failure; with ``skip_bad`` bad lines are reported and
    left out."""
    from .bench.schema import SchemaError, load_items

    errors: list[str] | None = [] if skip_bad else None
    try:
        items = load_items(bench, errors=errors)
    except (SchemaError, FileNotFoundError) as e:
        fail(str(e))
    for e in errors or []:
        typer.secho(f"skipped: {e}", fg=typer.colors.YELLOW, err=True)
    return items
