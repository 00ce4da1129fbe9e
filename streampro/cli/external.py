"""The public streaming benchmarks: ``rtvu`` and ``po`` (StreamingBench), ``ovo`` (OVO-Bench), and ``fixture``."""

from __future__ import annotations

from pathlib import Path

import typer

from ..cli_common import fail as _fail
from ._app import MODEL_ARGS_HELP, _model_args, app


def _run(bench, model: str, model_args: str | None, out: Path) -> None:
    """The one loop (``run_benchmark``) for a public benchmark built from its command's flags: any bad input
    ends in one clear line; the table comes from ``bench/report_tables.py``."""
    from ..bench.benchmark import run_benchmark
    from ..data.schema import SchemaError
    from ..data.video import VideoError
    from ..models.registry import build_model

    args = _model_args(model_args)
    try:  # frames are decoded at the model's own frame size (--model-args frame_size=...), if it has one
        summary = run_benchmark(bench, lambda items: build_model(model, items, **args), out, model_name=model,
                                frame_size=args.get("frame_size"))
    except (SchemaError, FileNotFoundError, VideoError, KeyError, ValueError, TypeError) as e:
        _fail(str(e))
    if summary["overall"] is None:
        _fail(f"no question was answered: {len(summary['skipped'])} skipped as unreadable (see {out / 'skipped.jsonl'}; "
              "is --videos the folder the annotation's paths are relative to?)")
    typer.echo(bench.table(summary))


@app.command()
def rtvu(
    questions: Path = typer.Option(..., help="StreamingBench questions_real.json"),
    videos: Path = typer.Option(..., help="folder the question file's video_path entries are relative to"),
    model: str = typer.Option(..., help="model spec, e.g. hf:/models/Qwen2.5-VL-7B-Instruct or small:DIR"),
    model_args: str = typer.Option(None, help=MODEL_ARGS_HELP),
    out: Path = typer.Option(Path("runs/rtvu"), help="output folder (predictions.jsonl, summary.json)"),
    fps: float = typer.Option(1.0, help="frames per second fed to the model"),
    skip_bad: bool = typer.Option(False, "--skip-bad", help="skip unreadable videos and report them"),
    context_seconds: float = typer.Option(60.0, help="seconds of video before each question the model sees "
                                          "(leaderboard: 60; <= 0: the whole video so far, one pass per video)"),
    rule: str = typer.Option("official", help="official (count.py: first character of the reply; empty replies "
                             "not counted) | extract (a letter found in the reply)"),
) -> None:
    """StreamingBench Real-Time Visual Understanding: per-task and overall accuracy (resumable); also
    writes official_results.json for the benchmark's own count.py."""
    from ..bench.benchmarks.rtvu import RTVU

    try:
        bench = RTVU(questions, videos, fps=fps, skip_bad=skip_bad, rule=rule, context_seconds=context_seconds)
    except ValueError as e:
        _fail(str(e))
    _run(bench, model, model_args, out)


@app.command()
def po(
    questions: Path = typer.Option(..., help="StreamingBench questions_proactive.json"),
    videos: Path = typer.Option(..., help="folder the question file's video_path entries are relative to"),
    model: str = typer.Option(..., help="model spec, e.g. hf:/models/Qwen2.5-VL-7B-Instruct or small:DIR"),
    model_args: str = typer.Option(None, help=MODEL_ARGS_HELP),
    out: Path = typer.Option(Path("runs/po"), help="output folder (predictions.jsonl, summary.json, official_results.json)"),
    fps: float = typer.Option(1.0, help="frames per second fed to the model"),
    skip_bad: bool = typer.Option(False, "--skip-bad", help="skip unreadable videos and report them"),
) -> None:
    """StreamingBench Proactive Output by its official polling protocol: time and answer accuracy (resumable);
    official_results.json is what the benchmark's count.py --task proactive reads."""
    from ..bench.benchmarks.po import ProactiveOutput

    _run(ProactiveOutput(questions, videos, fps=fps, skip_bad=skip_bad), model, model_args, out)


@app.command()
def ovo(
    annotations: Path = typer.Option(..., help="OVO-Bench ovo_bench_new.json"),
    videos: Path = typer.Option(..., help="folder the entries' 'video' paths are relative to (src_videos/)"),
    model: str = typer.Option(..., help="model spec, e.g. hf:/models/Qwen2.5-VL-7B-Instruct or small:DIR"),
    model_args: str = typer.Option(None, help=MODEL_ARGS_HELP),
    out: Path = typer.Option(Path("runs/ovo"), help="output folder (predictions.jsonl, summary.json, ovo_results.json)"),
    task: list[str] = typer.Option(None, help="only these task codes (EPM, REC, ...) or categories (backward, realtime, forward); repeatable"),
    fps: float = typer.Option(1.0, help="frames per second fed to the model"),
    skip_bad: bool = typer.Option(False, "--skip-bad", help="skip unreadable videos and report them"),
    average: str = typer.Option("probe", help="forward tasks: probe (mean over probes, as the benchmark's code) | "
                                "question (mean over entries of their probe accuracy, as its paper describes)"),
) -> None:
    """OVO-Bench: Backward Tracing, Real-Time Perception, Forward Active Responding (resumable)."""
    from ..bench.benchmarks.ovo import OVOBench

    try:
        bench = OVOBench(annotations, videos, tasks=task or None, fps=fps, skip_bad=skip_bad, average=average)
    except ValueError as e:
        _fail(str(e))
    _run(bench, model, model_args, out)


@app.command()
def fixture(
    kind: str = typer.Argument(..., help="a registered benchmark: streampro | rtvu | po | ovo"),
    out: Path = typer.Option(Path("data/fixtures"), help="output folder"),
    n_videos: int = typer.Option(2, help="number of generated videos"),
    seed: int = typer.Option(0, help="world seed"),
) -> None:
    """Write a tiny folder in a benchmark's own layout (StreamPro-Bench, StreamingBench RTVU / Proactive Output,
    OVO-Bench; generated videos) to try its command without downloading anything."""
    from ..bench.benchmarks import registry

    benches = registry()
    if kind not in benches:
        _fail(f"unknown fixture {kind!r}; choose from {sorted(benches)}")
    try:
        path = benches[kind].make_fixture(out / kind, n_videos=n_videos, seed=seed)
    except ValueError as e:  # e.g. a world fixture folder made with another seed: refused, not replaced
        _fail(str(e))
    typer.echo(f"wrote {path}")
    typer.echo(f"next (--videos is the folder the file's video paths are relative to):\n  {benches[kind].try_command(path)}")
