"""The ``streampro`` command line, one module per command group. Every command has ``--help``; outputs are
JSON/JSONL + Markdown + HTML; every user error is one line (``--debug`` for the traceback)."""

# isort: skip_file
from __future__ import annotations

# each module registers its commands on ``app`` when imported; this order is the order of ``--help``
from ._app import app
from . import bench, train, external, live  # noqa: F401
from .arena import arena_app

app.add_typer(arena_app, name="arena")
from . import data, data_build, models  # noqa: E402, F401

__all__ = ["app", "main"]


def main() -> None:
    """The ``streampro`` entry point: the app, with every error as one line (``--debug``: traceback)."""
    from ..cli_common import run_cli

    run_cli(app)
