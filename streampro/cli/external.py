"""The public streaming benchmarks: ``rtvu`` and ``po`` (StreamingBench), ``ovo`` (OVO-Bench), and ``fixture``."""

from __future__ import annotations

from pathlib import Path

import typer

from ..cli_common import fail as _fail
from ._app import MODEL_ARGS_HELP, _model_args, app


def _probe_benchmark(load, evaluate, model: str, model_args: str | None, out: Path, **kw) -> dict:
    """Load an external benchmark's probes, build the model, evaluate; any bad input ends in one clear line."""
    from ..bench.schema import SchemaError
    from ..bench.video import VideoError
    from ..models.registry import build_model

    args = _model_args(model_args)
    try:  # frames are decoded at the model's own frame size (--model-args frame_size=...), if it has one
        summary = evaluate(load(), build_model(model, **args), out, frame_size=args.get("frame_size"), **kw)
    except (SchemaError, FileNotFoundError, VideoError, KeyError, ValueError, TypeError) as e:
        _fail(str(e))
    if summary["overall"] is None:
        _fail(f"no question was answered: {len(summary['skipped'])} skipped as unreadable (see {out / 'skipped.jsonl'}; "
              "is --videos the folder the annotation's paths are relative to?)")
    return summary


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
    from ..bench.streamingbench import evaluate_rtvu, load_rtvu, write_rtvu_official
    from ..core.jsonl import read_jsonl

    summary = _probe_benchmark(lambda: load_rtvu(questions, videos), evaluate_rtvu, model, model_args, out,
                               fps=fps, skip_bad=skip_bad, rule=rule,
                               context_seconds=context_seconds)
    write_rtvu_official(questions, read_jsonl(out / "predictions.jsonl"), model, out)
    typer.echo(f"rule: {summary['rule']}; context: {summary['context_seconds'] or 'whole video so far'} s; "
               f"{summary['n_empty']} empty repl(ies) not counted")
    typer.echo("| task | accuracy |\n|---|---|")
    for t, acc in summary["tasks"].items():
        typer.echo(f"| {t} | {acc:.1f} |")
    typer.echo(f"| **overall** ({summary['n']} questions) | {summary['overall']:.1f} |")


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
    from ..bench.proactive_output import evaluate_po, load_po, write_po_official

    summary = _probe_benchmark(lambda: load_po(questions, videos), evaluate_po, model, model_args, out,
                               fps=fps, skip_bad=skip_bad)
    write_po_official(questions, out, model)
    typer.echo("| task | n | time accuracy | answer accuracy |\n|---|---|---|---|")
    for t, r in summary["tasks"].items():
        typer.echo(f"| {t} | {r['n']} | {r['time_accuracy']:.1f} | {r['answer_accuracy']:.1f} |")
    typer.echo(f"| **all** | {summary['n']} | {summary['time_accuracy']:.1f} | {summary['answer_accuracy']:.1f} |")


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
    from ..bench.ovobench import CATEGORY_OF, evaluate_ovo, load_ovo

    summary = _probe_benchmark(lambda: load_ovo(annotations, videos, tasks=task or None), evaluate_ovo, model,
                               model_args, out, fps=fps, skip_bad=skip_bad, average=average)
    typer.echo("| category | task | probes | accuracy |\n|---|---|---|---|")
    for t, acc in summary["tasks"].items():
        typer.echo(f"| {CATEGORY_OF[t]} | {t} | {summary['n'][t]} | {acc:.1f} |")
    for c, acc in summary["categories"].items():
        typer.echo(f"| **{c}** | avg | | {acc:.1f} |")
    typer.echo(f"| **total** | avg of categories | | {summary['overall']:.1f} |")


@app.command()
def fixture(
    kind: str = typer.Argument(..., help="rtvu | po | ovo"),
    out: Path = typer.Option(Path("data/fixtures"), help="output folder"),
    n_videos: int = typer.Option(2, help="number of generated videos"),
    seed: int = typer.Option(0, help="world seed"),
) -> None:
    """Write a tiny StreamingBench-RTVU / Proactive-Output or OVO-Bench folder (the benchmark's own layout,
    generated videos) to try `streampro rtvu` / `po` / `ovo` without downloading anything."""
    from ..bench.ovobench import make_ovo_fixture
    from ..bench.proactive_output import make_po_fixture
    from ..bench.streamingbench import make_rtvu_fixture

    makers = {"rtvu": make_rtvu_fixture, "po": make_po_fixture, "ovo": make_ovo_fixture}
    if kind not in makers:
        _fail(f"unknown fixture {kind!r}; choose from {sorted(makers)}")
    path = makers[kind](out / kind, n_videos=n_videos, seed=seed)
    typer.echo(f"wrote {path}")
    nxt = {"rtvu": f"streampro rtvu --questions {path} --videos {out / kind} --model random --out runs/rtvu-fixture",
           "po": f"streampro po --questions {path} --videos {out / kind} --model random --out runs/po-fixture",
           "ovo": f"streampro ovo --annotations {path} --videos {out / kind / 'src_videos'} --model random "
                  "--out runs/ovo-fixture"}[kind]
    typer.echo(f"next (--videos is the folder the file's video paths are relative to):\n  {nxt}")
