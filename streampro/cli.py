"""The ``streampro`` command line. Every command has ``--help``; outputs are JSON/JSONL + Markdown + HTML."""

from __future__ import annotations

import json
from pathlib import Path

import typer

app = typer.Typer(help="StreamPro: proactive streaming video understanding — benchmark, train, evaluate.",
                  no_args_is_help=True, add_completion=False)


def _fail(msg: str) -> None:
    typer.secho(f"error: {msg}", fg=typer.colors.RED, err=True)
    raise typer.Exit(2)


@app.command()
def generate(
    out: Path = typer.Option(Path("data/streampro-bench/test"), help="output folder (videos/ + items.jsonl)"),
    split: str = typer.Option("test", help="train | val | test (disjoint seed ranges)"),
    n_items: int = typer.Option(90, help="number of items; tasks are kept balanced"),
    seed: int = typer.Option(0, help="split seed in [0, 100)"),
    size: int = typer.Option(64, help="frame size in pixels"),
    fps: float = typer.Option(2.0, help="frames per second"),
) -> None:
    """Generate a StreamPro-Bench split from the procedural world."""
    from .world.generate import generate_split
    from .world.tasks import WorldConfig

    items = generate_split(out, split, n_items, seed, WorldConfig(size=size, fps=fps))
    typer.echo(f"wrote {len(items)} items to {out / 'items.jsonl'}")


def _load(bench: Path, skip_bad: bool):
    from .bench.schema import SchemaError, load_items

    errors: list[str] | None = [] if skip_bad else None
    try:
        items = load_items(bench, errors=errors)
    except (SchemaError, FileNotFoundError) as e:
        _fail(str(e))
    for e in errors or []:
        typer.secho(f"skipped: {e}", fg=typer.colors.YELLOW, err=True)
    return items


@app.command("eval")
def eval_cmd(
    bench: Path = typer.Option(Path("data/streampro-bench/test/items.jsonl"), help="benchmark JSONL"),
    model: str = typer.Option("oracle", help="model spec: oracle | reactive | random | silent | small:DIR | hf:PATH"),
    out: Path = typer.Option(None, help="output folder (default runs/eval/<model>)"),
    skip_bad: bool = typer.Option(False, "--skip-bad", help="skip malformed items / unreadable videos and report them"),
    seed: int = typer.Option(0, help="seed for stochastic models"),
    report: bool = typer.Option(True, help="also write table.md and report.html"),
) -> None:
    """Evaluate one model; resumes from OUT/predictions.jsonl if it exists."""
    from .bench.evaluate import evaluate
    from .bench.report import format_table, write_report
    from .bench.video import VideoError
    from .models.registry import build_model

    items = _load(bench, skip_bad)
    name = model.replace(":", "_").replace("/", "_")
    out = out or Path("runs/eval") / name
    try:
        summary = evaluate(items, build_model(model, items, seed=seed), out, skip_bad=skip_bad)
    except (VideoError, KeyError, ValueError) as e:
        _fail(str(e))
    typer.echo(format_table({model: summary}))
    if summary["skipped"]:
        typer.secho(f"{len(summary['skipped'])} item(s) skipped, see {out / 'skipped.jsonl'}", fg=typer.colors.YELLOW)
    if report:
        write_report(out, items, {model: out}, {model: summary})
    typer.echo(f"summary: {out / 'summary.json'}")


@app.command()
def report(
    runs: list[Path] = typer.Argument(..., help="eval folders (each with predictions.jsonl)"),
    bench: Path = typer.Option(Path("data/streampro-bench/test/items.jsonl"), help="benchmark JSONL"),
    out: Path = typer.Option(Path("runs/report"), help="output folder"),
) -> None:
    """Compare several evaluated runs in one Markdown table and one HTML report."""
    from .bench.evaluate import summarize
    from .bench.report import format_table, write_report

    items = _load(bench, skip_bad=True)
    summaries = {r.name: summarize(items, r) for r in runs}
    write_report(out, items, {r.name: r for r in runs}, summaries)
    typer.echo(format_table(summaries))
    typer.echo(f"report: {out / 'report.html'}")


@app.command()
def bench(
    out: Path = typer.Option(Path("runs/bench"), help="output folder"),
    n_items: int = typer.Option(90, help="test items to generate"),
    seed: int = typer.Option(0, help="split seed"),
) -> None:
    """Generate a small StreamPro-Bench test split and score the reference models on it."""
    from .bench.evaluate import evaluate
    from .bench.report import format_table, write_report
    from .models.registry import REFERENCE_MODELS, build_model
    from .world.generate import generate_split

    data = out / "data" / "test"
    items = generate_split(data, "test", n_items, seed)
    summaries, runs = {}, {}
    for name in REFERENCE_MODELS:
        runs[name] = out / "eval" / name
        summaries[name] = evaluate(items, build_model(name, items, seed=seed), runs[name])
    path = write_report(out, items, runs, summaries)
    typer.echo(format_table(summaries))
    (out / "summary.json").write_text(json.dumps(summaries, indent=2))
    typer.echo(f"report: {path}")


@app.command("models")
def list_models() -> None:
    """List registered model names."""
    from .models.registry import available

    typer.echo("\n".join(available()))


if __name__ == "__main__":
    app()
