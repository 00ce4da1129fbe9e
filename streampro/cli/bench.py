"""Benchmark commands: ``generate`` a split, ``eval`` a model, ``score`` predictions, ``report`` runs, ``bench`` the references."""

from __future__ import annotations

import json
from pathlib import Path

import typer

from ..cli_common import config_options
from ..cli_common import fail as _fail
from ..cli_common import load_bench as _load
from ..llm.settings import LLMSettings
from ._app import MODEL_ARGS_HELP, _model_args, app


@app.command()
def generate(
    out: Path = typer.Option(Path("data/streampro-bench/test"), help="output folder (videos/ + items.jsonl)"),
    split: str = typer.Option("test", help="train | val | test (disjoint seed ranges)"),
    n_items: int = typer.Option(700, help="number of questions; the seven tasks are kept balanced"),
    seed: int = typer.Option(0, help="split seed in [0, 100)"),
    size: int = typer.Option(64, help="frame size in pixels"),
    fps: float = typer.Option(1.0, help="frames per second (the paper streams at 1 FPS)"),
    task: list[str] = typer.Option(None, help="only these tasks (EU OU AA TP TG GP RF; CAP, ACT, TRK, RCT: live event and action captioning, plan tracking and recital, training data only, never in the default); repeatable"),
    timing_spread: float = typer.Option(1.0, help="widen the event-time ranges (lead-ins, gaps) by this factor, "
                                        ">= 1; 1 is the original world (docs/format.md, 'Timing spread')"),
) -> None:
    """Generate a StreamPro-Bench split (seven tasks, timed multi-response answers) from the procedural world."""
    from ..data.generate import generate_split
    from ..data.world_items import ALL_TASKS
    from ..world.config import WorldConfig

    if n_items < 1:
        _fail(f"--n-items must be >= 1, got {n_items}")
    if not (0.1 <= fps <= 30):
        _fail(f"--fps must be in [0.1, 30] (the world is simulated per frame), got {fps}")
    if not (32 <= size <= 512):
        _fail(f"--size must be in [32, 512] pixels (objects need room to move), got {size}")
    try:
        world = WorldConfig(size=size, fps=fps, timing_spread=timing_spread)
        items = generate_split(out, split, n_items, seed, world, tuple(task or ALL_TASKS))
    except ValueError as e:
        _fail(str(e))
    typer.echo(f"wrote {len(items)} questions to {out / 'items.jsonl'}")


JUDGE_HELP = "content judge: exact (normalised equality) | rule (the answers' slots) | llm (0-5 rubric)"

#: the content judge's own flags, shared by ``eval`` and ``score``; the LLM's flags come from ``LLMSettings``
JUDGE_OPTIONS = {
    "judge": typer.Option("rule", help=JUDGE_HELP),
    "judge_prompt": typer.Option(None, help="llm judge: prompt template file; placeholders {task} {question} "
                                 "{reference} {prediction}, other braces kept as written"),
}


#: the open choices of StreamPro-F1 (docs/metrics.md), the same flags on every command that scores
METRIC_OPTIONS = {
    "aggregate": typer.Option("question", help="F1 over a task: question (mean per question) | pooled"),
    "tg_content": typer.Option("iou", help="TG content score: iou | judge"),
    "matching": typer.Option("first", help="a response inside several answers' windows goes to: first (the first "
                             "such answer, the paper's rule) | best (the one it scores best on)"),
    "response_time": typer.Option("frame_start", help="a response after the frame <ks-(k+1)s> is scored at: "
                                  "frame_start (k) | frame_end (k + 1/fps)"),
}


def _judge(judge: str, judge_prompt: Path | None, llm: dict, out: Path):
    """The content judge; an LLM one caches its replies in OUT/judge_cache.jsonl unless --llm-cache says where."""
    from ..bench.judges import build_judge
    from ..core.errors import StreamProError

    try:
        settings = LLMSettings(**llm)
        settings.check_llm("flags")
        return build_judge(judge, settings, prompt_file=judge_prompt, cache=out / "judge_cache.jsonl")
    except (ValueError, OSError, ImportError, StreamProError) as e:
        _fail(str(e))


def _settings(aggregate: str, tg_content: str, matching: str = "first", response_time: str = "frame_start"):
    from ..bench.scoring import F1Settings

    try:
        return F1Settings(aggregate=aggregate, tg_content=tg_content, matching=matching, response_time=response_time)
    except ValueError as e:
        _fail(str(e))


@app.command("eval")
@config_options(LLMSettings)
def eval_cmd(
    bench: Path = typer.Option(Path("data/streampro-bench/test/items.jsonl"), help="benchmark JSONL"),
    model: str = typer.Option("oracle", help="model spec: oracle | reactive | eager | random | silent | small:DIR | hf:PATH | hf-offline:PATH"),
    model_args: str = typer.Option(None, help=MODEL_ARGS_HELP),
    out: Path = typer.Option(None, help="output folder (default runs/eval/<model>)"),
    judge: str = JUDGE_OPTIONS["judge"],
    judge_prompt: Path = JUDGE_OPTIONS["judge_prompt"],
    aggregate: str = METRIC_OPTIONS["aggregate"],
    tg_content: str = METRIC_OPTIONS["tg_content"],
    matching: str = METRIC_OPTIONS["matching"],
    response_time: str = METRIC_OPTIONS["response_time"],
    skip_bad: bool = typer.Option(False, "--skip-bad", help="skip malformed items / unreadable videos and report them"),
    seed: int = typer.Option(0, help="seed for stochastic models"),
    report: bool = typer.Option(True, help="also write table.md and report.html"),
    overwrite: bool = typer.Option(False, help="start --out over when it holds a run with other settings"),
    settings: dict | None = None,
) -> None:
    """Stream a model over StreamPro-Bench and score it with StreamPro-F1 (resumes from OUT/predictions.jsonl
    when OUT/run.json records the same bench, model, model args and seed)."""
    from ..bench.benchmark import run_benchmark
    from ..bench.benchmarks.streampro import StreamProBench
    from ..bench.evaluate import RUN_OUTPUTS
    from ..bench.judges import JudgeError
    from ..core.errors import StreamProError
    from ..core.runs import claim_run, write_manifest
    from ..data.video import VideoError
    from ..models.registry import build_model

    out = out or Path("runs/eval") / model.replace(":", "_").replace("/", "_")
    run = {"bench": str(bench.resolve()), "model": model, "model_args": _model_args(model_args), "seed": seed}
    try:
        claim_run(out, "settings", run, RUN_OUTPUTS, overwrite)
    except StreamProError as e:
        _fail(str(e))
    items = _load(bench, skip_bad)
    write_manifest(out, "settings", run, command="eval")
    if judge == "rule":
        bare = sum(not a.slots for it in items for a in it.answers if it.task != "TG")
        if bare:
            typer.secho(f"note: {bare} answer(s) have no slots: the rule judge scores them by word overlap with the "
                        "answer text (docs/metrics.md); --judge llm for free-text answers", fg=typer.colors.YELLOW,
                        err=True)
    j = _judge(judge, judge_prompt, settings or {}, out)
    bench_ = StreamProBench(items, j, _settings(aggregate, tg_content, matching, response_time), skip_bad=skip_bad,
                            provenance={"command": "eval", **run})
    try:
        summary = run_benchmark(bench_, lambda its: build_model(model, its, seed=seed, **_model_args(model_args)), out,
                                model_name=model)
    except (VideoError, JudgeError, KeyError, ValueError, TypeError, FileNotFoundError) as e:
        _fail(str(e))
    if summary is not None:  # None: a non-zero rank of a sharded run; rank 0 merges and reports
        _finish(model, summary, items, out, report)


def _finish(name: str, summary: dict, items, out: Path, report: bool) -> None:
    from ..bench.report import write_report
    from ..bench.report_tables import format_table

    typer.echo(format_table({name: summary}))
    if summary["skipped"]:
        typer.secho(f"{len(summary['skipped'])} question(s) skipped, see {out / 'skipped.jsonl'}", fg=typer.colors.YELLOW)
    if report:
        write_report(out, items, {name: out}, {name: summary})
    typer.echo(f"summary: {out / 'summary.json'}")


@app.command()
@config_options(LLMSettings)
def score(
    bench: Path = typer.Option(..., help="benchmark JSONL"),
    predictions: Path = typer.Option(..., help='JSONL, one line per question: {"id": ..., "responses": [{"t": s, "text": ...}]}'),
    out: Path = typer.Option(Path("runs/score"), help="output folder (scores.jsonl, summary.json, report)"),
    judge: str = JUDGE_OPTIONS["judge"],
    judge_prompt: Path = JUDGE_OPTIONS["judge_prompt"],
    aggregate: str = METRIC_OPTIONS["aggregate"],
    tg_content: str = METRIC_OPTIONS["tg_content"],
    matching: str = METRIC_OPTIONS["matching"],
    response_time: str = METRIC_OPTIONS["response_time"],
    name: str = typer.Option(None, help="model name shown in the table (default: the predictions file's folder)"),
    report: bool = typer.Option(True, help="also write table.md and report.html"),
    overwrite: bool = typer.Option(False, help="replace the predictions another run left in --out"),
    settings: dict | None = None,
) -> None:
    """Score an existing run (ours or another harness's) with StreamPro-F1."""
    from ..bench.evaluate import score_run
    from ..bench.judges import JudgeError

    held = out / "predictions.jsonl"
    if not predictions.is_file():
        _fail(f"{predictions}: no such predictions file")
    if (held.exists() and held.resolve() != predictions.resolve() and not overwrite
            and held.read_bytes() != predictions.read_bytes()):
        _fail(f"{out} already holds another run's predictions.jsonl: score into a new --out, or pass --overwrite "
              "to replace them")
    items = _load(bench, skip_bad=False)
    j = _judge(judge, judge_prompt, settings or {}, out)
    try:
        summary = score_run(items, out, j, _settings(aggregate, tg_content, matching, response_time), predictions=predictions, progress=True,
                            provenance={"command": "score", "bench": str(bench.resolve()),
                                        "predictions": str(predictions.resolve())})
    except (JudgeError, ValueError, FileNotFoundError) as e:
        _fail(str(e))
    if predictions.resolve() != (out / "predictions.jsonl").resolve():
        (out / "predictions.jsonl").write_text(predictions.read_text(encoding="utf-8"), encoding="utf-8")
    _finish(name or predictions.parent.name, summary, items, out, report)


@app.command()
def report(
    runs: list[Path] = typer.Argument(..., help="eval folders (each with predictions.jsonl and summary.json); "
                                      "NAME-seedK folders are one model's seeds (95 % intervals)"),
    bench: Path = typer.Option(None, help="benchmark JSONL (default: the one the runs' summary.json records)"),
    out: Path = typer.Option(Path("runs/report"), help="output folder"),
) -> None:
    """Compare several scored runs in one Markdown table and one HTML report with figures."""
    from ..bench.report import write_report
    from ..bench.report_tables import format_table

    summaries = {}
    for r in runs:
        if not (r / "summary.json").exists():
            _fail(f"{r}: no summary.json (run `streampro eval` or `streampro score` first)")
        try:
            summaries[r.name] = json.loads((r / "summary.json").read_text())
            summaries[r.name]["f1"]["tasks"]
        except (json.JSONDecodeError, UnicodeDecodeError, KeyError, TypeError) as e:
            _fail(f"{r / 'summary.json'}: not a scored run's summary ({type(e).__name__}: {e}); rescore it with "
                  f"`streampro score --out {r}`")
    if bench is None:
        recorded = [s.get("run", {}).get("bench") for s in summaries.values()]
        bench = next((Path(b) for b in recorded if b), None)
        if bench is None:
            _fail("the runs' summary.json files do not record their benchmark (scored before streampro recorded it): "
                  "pass --bench")
    items = _load(bench, skip_bad=True)
    write_report(out, items, {r.name: r for r in runs}, summaries)
    typer.echo(format_table(summaries))
    typer.echo(f"report: {out / 'report.html'}")


@app.command()
def bench(
    out: Path = typer.Option(Path("runs/bench"), help="output folder"),
    n_items: int = typer.Option(140, help="test questions to generate"),
    seed: int = typer.Option(0, help="split seed"),
    judge: str = typer.Option("rule", help="exact | rule"),
    matching: str = METRIC_OPTIONS["matching"],
    response_time: str = METRIC_OPTIONS["response_time"],
) -> None:
    """Generate a StreamPro-Bench test split and score the reference models on it (seconds)."""
    from ..bench.evaluate import evaluate
    from ..bench.judges import build_judge
    from ..bench.report import write_report
    from ..bench.report_tables import format_table
    from ..data.generate import generate_split
    from ..models.registry import build_model, reference_models

    metric = _settings("question", "iou", matching, response_time)
    try:
        items = generate_split(out / "data" / "test", "test", n_items, seed)
    except ValueError as e:  # a folder of another seed's split: refused, not replaced
        _fail(str(e))
    summaries, runs = {}, {}
    for name in reference_models():
        runs[name] = out / "eval" / name
        summaries[name] = evaluate(items, build_model(name, items, seed=seed), runs[name], build_judge(judge),
                                   settings=metric)
    path = write_report(out, items, runs, summaries)
    typer.echo(format_table(summaries))
    (out / "summary.json").write_text(json.dumps(summaries, indent=2))
    typer.echo(f"report: {path}")
