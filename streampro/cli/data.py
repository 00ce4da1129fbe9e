"""``data convert | stats | preview | merge``: bring data in, look at it, mix it."""

from __future__ import annotations

import json
from pathlib import Path

import typer

from ..cli_common import fail as _fail
from ..cli_common import load_bench as _load
from ._app import app

data_app = typer.Typer(help="Bring data in (convert external layouts into StreamPro-Bench items) and inspect it (stats, preview).",
                       no_args_is_help=True)
app.add_typer(data_app, name="data")


@data_app.command("convert")
def data_convert(
    kind: str = typer.Argument(..., help="ovo-forward (OVO-Bench REC/SSR/CRR) | po (StreamingBench Proactive Output) | "
                               "dense-captions (ActivityNet Captions / YouCook2 -> EU + TP) | charades-sta (-> TG) | "
                               "csv (hand annotation, docs/format.md)"),
    source: Path = typer.Option(..., "--input", help="the benchmark's annotation file"),
    videos: Path = typer.Option(..., help="folder its video paths are relative to"),
    out: Path = typer.Option(..., help="items.jsonl to write (then: streampro eval --bench OUT ...)"),
    fps: float = typer.Option(1.0, help="the rate the items ask models to stream at"),
) -> None:
    """Convert an external benchmark's file into StreamPro-Bench items scored by StreamPro-F1; reports what it dropped."""
    from ..data.convert import convert
    from ..data.schema import SchemaError, write_items

    try:
        items, dropped = convert(kind, source, videos, fps)
    except (SchemaError, FileNotFoundError) as e:
        _fail(str(e))
    for d in dropped:
        typer.secho(f"dropped: {d}", fg=typer.colors.YELLOW, err=True)
    if not items:
        _fail(f"no item could be made from {source}")
    write_items(out, items, relative_to=out.parent)  # video paths resolve from the file, as every loader reads them
    typer.echo(f"wrote {len(items)} items to {out} ({len(dropped)} dropped)")


@data_app.command("stats")
def data_stats(bench: Path = typer.Argument(..., help="items.jsonl")) -> None:
    """Counts per task and dimension, answers per question, answer delays (JSON on stdout)."""
    from ..data.stats import dataset_stats

    stats = dataset_stats(_load(bench, skip_bad=False))
    typer.echo(json.dumps(stats, indent=2))
    _say_problems(stats, "(eval --skip-bad leaves them out; training refuses them)")


def _say_problems(stats: dict, consequence: str, most: int | None = None) -> None:
    """The items ``dataset_stats`` found unstreamable, one ``problem:`` line each (the first ``most``), then
    how many and what that means, on stderr."""
    for qid, why in list(stats["problems"].items())[:most]:
        typer.secho(f"problem: {qid}: {why}", fg=typer.colors.YELLOW, err=True)
    if stats["problems"]:
        typer.secho(f"{len(stats['problems'])} of {stats['questions']} questions cannot be streamed as written "
                    f"{consequence}", fg=typer.colors.YELLOW, err=True)


@data_app.command("preview")
def data_preview(
    bench: Path = typer.Argument(..., help="items.jsonl"),
    out: Path = typer.Option(Path("runs/preview"), help="output folder (preview.html, stats.json)"),
    per_task: int = typer.Option(3, help="sampled questions per task"),
    seed: int = typer.Option(0, help="sampling seed"),
) -> None:
    """An HTML page with the stats, answer-time histograms and sampled questions (frames, answers, windows)."""
    from ..data.stats import dataset_stats, write_preview

    items = _load(bench, skip_bad=False)
    stats = dataset_stats(items)  # once: the page shows these stats too
    _say_problems(stats, "(their frames are missing from the preview; streampro data stats lists them all)", most=10)
    typer.echo(f"preview: {write_preview(items, out, per_task, seed, stats=stats)}")


@data_app.command("merge")
def data_merge(
    sources: list[Path] = typer.Argument(..., help="items.jsonl files to combine, e.g. a world train split and its "
                                         "captioning data (streampro generate --task CAP)"),
    out: Path = typer.Option(..., help="items.jsonl to write (must not exist); video paths are written relative to it"),
) -> None:
    """Combine item files into one training mix. Question ids must be unique across the files; videos stay
    where they are (the new file points at them)."""
    from ..data.schema import write_items

    if out.exists():
        _fail(f"--out {out} exists; merge into a new file (no command overwrites another's output)")
    items, where = [], {}
    for src in sources:
        for it in _load(src, skip_bad=False):
            if it.id in where:
                _fail(f"{src}: question id {it.id!r} is also in {where[it.id]}; generate one of them with "
                      "another --seed (ids carry the split seed)")
            where[it.id] = src
            items.append(it)
    write_items(out, items, relative_to=out.parent)
    typer.echo(f"wrote {len(items)} items from {len(sources)} files to {out}")
