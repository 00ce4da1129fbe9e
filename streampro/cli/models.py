"""``models`` (the registry) and ``models make-tiny``."""

from __future__ import annotations

from pathlib import Path

import typer

from ..cli_common import fail as _fail
from ._app import app

models_app = typer.Typer(help="Model registry and tools. Without a subcommand: list registered model names.")
app.add_typer(models_app, name="models")


@models_app.callback(invoke_without_command=True)
def list_models(ctx: typer.Context) -> None:
    """List registered model names (``streampro models``), and whether lmms-eval sees the ``streampro`` model."""
    from ..models.registry import available

    if ctx.invoked_subcommand is None:
        typer.echo("\n".join(available()))
        try:
            from importlib.metadata import version

            from lmms_eval.models import get_model

            cls = get_model("streampro")
            typer.echo(f"lmms-eval {version('lmms-eval')}: model 'streampro' registered ({cls.__module__}."
                       f"{cls.__name__}); run it with lmms-eval --model streampro --model_args model=SPEC,fps=1",
                       err=True)
        except Exception as e:  # not installed, or installed without what it imports
            typer.echo(f"lmms-eval plug-in: not available ({type(e).__name__}: {str(e)[:80]}); "
                       'pip install -e ".[lmms]"', err=True)


@models_app.command("make-tiny")
def make_tiny(
    out: Path = typer.Option(..., help="folder to write (config, weights, tokenizer)"),
    arch: str = typer.Option("qwen2_5_vl", help="qwen2_5_vl or qwen3_vl"),
    seed: int = typer.Option(0, help="initialisation seed"),
) -> None:
    """Write a tiny randomly initialised VLM folder that `hf:DIR` loads: try every HF command without a download."""
    from ..models.hf import TINY_ARCHS, tiny_vlm

    if arch not in TINY_ARCHS:
        _fail(f"unknown --arch {arch!r}: choose one of {', '.join(TINY_ARCHS)}")
    tiny_vlm(arch, out, seed=seed)
    size = 64 if arch == "qwen3_vl" else 56  # 2x2 merged patches: the smallest useful frame
    typer.echo(f"wrote {out}; try it on a few generated questions:\n  streampro generate --n-items 7 --out "
               f"data/tiny-bench && streampro eval --model hf:{out} --model-args frame_size={size},max_new_tokens=4 "
               f"--bench data/tiny-bench/items.jsonl --out runs/eval/tiny")


if __name__ == "__main__":
    app()
