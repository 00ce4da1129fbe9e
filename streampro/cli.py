"""The ``streampro`` command line. Every command has ``--help``; outputs are JSON/JSONL + Markdown + HTML."""

from __future__ import annotations

import json
from pathlib import Path

import typer

from .cli_common import fail as _fail
from .cli_common import load_bench as _load

app = typer.Typer(help="StreamPro: proactive streaming video understanding — benchmark, train, evaluate. "
                  "Errors are one line; add --debug to any command for the traceback.",
                  no_args_is_help=True, add_completion=False, pretty_exceptions_enable=False)


def main() -> None:
    """The ``streampro`` entry point: the app, with every error as one line (``--debug``: traceback)."""
    from .cli_common import run_cli

    run_cli(app)


MODEL_ARGS_HELP = ("model options as key=value pairs, comma-separated (lmms-eval style), e.g. "
                   "frame_size=448,window_frames=64,dtype=bfloat16,device_map=cuda")


def _model_args(text: str | None) -> dict:
    """``"a=1,b=x,c=true"`` -> ``{"a": 1, "b": "x", "c": True}``."""
    out: dict = {}
    for part in filter(None, (p.strip() for p in (text or "").split(","))):
        key, sep, value = part.partition("=")
        if not sep or not key:
            _fail(f"--model-args: expected key=value, got {part!r}")
        low = value.lower()
        if low in ("true", "false", "none"):
            out[key] = {"true": True, "false": False, "none": None}[low]
            continue
        for cast in (int, float):
            try:
                out[key] = cast(value)
                break
            except ValueError:
                continue
        else:
            out[key] = value
    return out


@app.command()
def generate(
    out: Path = typer.Option(Path("data/streampro-bench/test"), help="output folder (videos/ + items.jsonl)"),
    split: str = typer.Option("test", help="train | val | test (disjoint seed ranges)"),
    n_items: int = typer.Option(700, help="number of questions; the seven tasks are kept balanced"),
    seed: int = typer.Option(0, help="split seed in [0, 100)"),
    size: int = typer.Option(64, help="frame size in pixels"),
    fps: float = typer.Option(1.0, help="frames per second (the paper streams at 1 FPS)"),
    task: list[str] = typer.Option(None, help="only these tasks (EU OU AA TP TG GP RF); repeatable"),
) -> None:
    """Generate a StreamPro-Bench split (seven tasks, timed multi-response answers) from the procedural world."""
    from .world.config import WorldConfig
    from .world.generate import generate_split
    from .world.tasks import ALL_TASKS

    if n_items < 1:
        _fail(f"--n-items must be >= 1, got {n_items}")
    if not (0.1 <= fps <= 30):
        _fail(f"--fps must be in [0.1, 30] (the world is simulated per frame), got {fps}")
    if not (32 <= size <= 512):
        _fail(f"--size must be in [32, 512] pixels (objects need room to move), got {size}")
    try:
        items = generate_split(out, split, n_items, seed, WorldConfig(size=size, fps=fps), tuple(task or ALL_TASKS))
    except ValueError as e:
        _fail(str(e))
    typer.echo(f"wrote {len(items)} questions to {out / 'items.jsonl'}")


JUDGE_HELP = "content judge: exact (normalised equality) | rule (the answers' slots) | llm (0-5 rubric)"


def _judge(judge: str, judge_url: str | None, judge_model: str | None, judge_prompt: Path | None,
           judge_cache: Path | None, judge_concurrency: int, out: Path, timeout: float = 60.0, retries: int = 4,
           max_tokens: int = 256):
    from .bench.judges import build_judge

    if not timeout > 0 or retries < 0:
        _fail(f"--judge-timeout must be > 0 and --judge-retries >= 0, got {timeout} and {retries}")
    try:
        return build_judge(judge, url=judge_url, model=judge_model, prompt_file=judge_prompt,
                           cache=judge_cache or out / "judge_cache.jsonl", concurrency=judge_concurrency,
                           timeout=timeout, max_retries=retries, max_tokens=max_tokens)
    except (ValueError, OSError, ImportError) as e:
        _fail(str(e))


def _settings(aggregate: str, tg_content: str):
    from .bench.scoring import F1Settings

    try:
        return F1Settings(aggregate=aggregate, tg_content=tg_content)
    except ValueError as e:
        _fail(str(e))


@app.command("eval")
def eval_cmd(
    bench: Path = typer.Option(Path("data/streampro-bench/test/items.jsonl"), help="benchmark JSONL"),
    model: str = typer.Option("oracle", help="model spec: oracle | reactive | eager | random | silent | small:DIR | hf:PATH | hf-offline:PATH"),
    model_args: str = typer.Option(None, help=MODEL_ARGS_HELP),
    out: Path = typer.Option(None, help="output folder (default runs/eval/<model>)"),
    judge: str = typer.Option("rule", help=JUDGE_HELP),
    judge_url: str = typer.Option(None, help="llm judge: OpenAI-compatible base URL, e.g. http://127.0.0.1:8000/v1"),
    judge_model: str = typer.Option(None, help="llm judge: served model name, or a local transformers folder"),
    judge_prompt: Path = typer.Option(None, help="llm judge: prompt template file; placeholders {task} {question} "
                                      "{reference} {prediction}, other braces kept as written"),
    judge_cache: Path = typer.Option(None, help="llm judge cache (default OUT/judge_cache.jsonl)"),
    judge_concurrency: int = typer.Option(8, help="llm judge: parallel requests"),
    judge_timeout: float = typer.Option(60.0, help="llm judge: seconds to wait for one reply"),
    judge_retries: int = typer.Option(4, help="llm judge: retries (with backoff) before the endpoint counts as down"),
    judge_max_tokens: int = typer.Option(256, min=1, help="llm judge: reply length (the default prompt asks for "
                                         "an explanation, then the score)"),
    aggregate: str = typer.Option("question", help="F1 over a task: question (mean per question) | pooled"),
    tg_content: str = typer.Option("iou", help="TG content score: iou | judge"),
    skip_bad: bool = typer.Option(False, "--skip-bad", help="skip malformed items / unreadable videos and report them"),
    seed: int = typer.Option(0, help="seed for stochastic models"),
    report: bool = typer.Option(True, help="also write table.md and report.html"),
    overwrite: bool = typer.Option(False, help="start --out over when it holds a run with other settings"),
) -> None:
    """Stream a model over StreamPro-Bench and score it with StreamPro-F1 (resumes from OUT/predictions.jsonl
    when OUT/run.json records the same bench, model, model args and seed)."""
    from .bench.evaluate import RUN_OUTPUTS, evaluate
    from .bench.judges import JudgeError
    from .bench.video import VideoError
    from .core.errors import StreamProError
    from .core.runs import claim_run, write_manifest
    from .models.registry import build_model

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
    j = _judge(judge, judge_url, judge_model, judge_prompt, judge_cache, judge_concurrency, out, judge_timeout,
               judge_retries, judge_max_tokens)
    try:
        summary = evaluate(items, build_model(model, items, seed=seed, **_model_args(model_args)), out, j,
                           provenance={"command": "eval", **run},
                           skip_bad=skip_bad, settings=_settings(aggregate, tg_content))
    except (VideoError, JudgeError, KeyError, ValueError, TypeError, FileNotFoundError) as e:
        _fail(str(e))
    if summary is not None:  # None: a non-zero rank of a sharded run; rank 0 merges and reports
        _finish(model, summary, items, out, report)


def _finish(name: str, summary: dict, items, out: Path, report: bool) -> None:
    from .bench.report import format_table, write_report

    typer.echo(format_table({name: summary}))
    if summary["skipped"]:
        typer.secho(f"{len(summary['skipped'])} question(s) skipped, see {out / 'skipped.jsonl'}", fg=typer.colors.YELLOW)
    if report:
        write_report(out, items, {name: out}, {name: summary})
    typer.echo(f"summary: {out / 'summary.json'}")


@app.command()
def score(
    bench: Path = typer.Option(..., help="benchmark JSONL"),
    predictions: Path = typer.Option(..., help='JSONL, one line per question: {"id": ..., "responses": [{"t": s, "text": ...}]}'),
    out: Path = typer.Option(Path("runs/score"), help="output folder (scores.jsonl, summary.json, report)"),
    judge: str = typer.Option("rule", help=JUDGE_HELP),
    judge_url: str = typer.Option(None, help="llm judge: OpenAI-compatible base URL"),
    judge_model: str = typer.Option(None, help="llm judge: served model name, or a local transformers folder"),
    judge_prompt: Path = typer.Option(None, help="llm judge: prompt template file"),
    judge_cache: Path = typer.Option(None, help="llm judge cache (default OUT/judge_cache.jsonl)"),
    judge_concurrency: int = typer.Option(8, help="llm judge: parallel requests"),
    judge_timeout: float = typer.Option(60.0, help="llm judge: seconds to wait for one reply"),
    judge_retries: int = typer.Option(4, help="llm judge: retries (with backoff) before the endpoint counts as down"),
    judge_max_tokens: int = typer.Option(256, min=1, help="llm judge: reply length (the default prompt asks for "
                                         "an explanation, then the score)"),
    aggregate: str = typer.Option("question", help="F1 over a task: question | pooled"),
    tg_content: str = typer.Option("iou", help="TG content score: iou | judge"),
    name: str = typer.Option(None, help="model name shown in the table (default: the predictions file's folder)"),
    report: bool = typer.Option(True, help="also write table.md and report.html"),
    overwrite: bool = typer.Option(False, help="replace the predictions another run left in --out"),
) -> None:
    """Score an existing run (ours or another harness's) with StreamPro-F1."""
    from .bench.evaluate import score_run
    from .bench.judges import JudgeError

    held = out / "predictions.jsonl"
    if not predictions.is_file():
        _fail(f"{predictions}: no such predictions file")
    if (held.exists() and held.resolve() != predictions.resolve() and not overwrite
            and held.read_bytes() != predictions.read_bytes()):
        _fail(f"{out} already holds another run's predictions.jsonl: score into a new --out, or pass --overwrite "
              "to replace them")
    items = _load(bench, skip_bad=False)
    j = _judge(judge, judge_url, judge_model, judge_prompt, judge_cache, judge_concurrency, out, judge_timeout,
               judge_retries, judge_max_tokens)
    try:
        summary = score_run(items, out, j, _settings(aggregate, tg_content), predictions=predictions, progress=True,
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
    from .bench.report import format_table, write_report

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
) -> None:
    """Generate a StreamPro-Bench test split and score the reference models on it (seconds)."""
    from .bench.evaluate import evaluate
    from .bench.judges import build_judge
    from .bench.report import format_table, write_report
    from .models.registry import REFERENCE_MODELS, build_model
    from .world.generate import generate_split

    items = generate_split(out / "data" / "test", "test", n_items, seed)
    summaries, runs = {}, {}
    for name in REFERENCE_MODELS:
        runs[name] = out / "eval" / name
        summaries[name] = evaluate(items, build_model(name, items, seed=seed), runs[name], build_judge(judge))
    path = write_report(out, items, runs, summaries)
    typer.echo(format_table(summaries))
    (out / "summary.json").write_text(json.dumps(summaries, indent=2))
    typer.echo(f"report: {path}")


train_app = typer.Typer(help="Train StreamPro-Small or an HF model: `sft` (CB-Stream, CE or focal), then `grpo` (the paper's rewards).", no_args_is_help=True)
app.add_typer(train_app, name="train")


@train_app.command("sft")
def train_sft_cmd(
    config: Path = typer.Option(None, help="YAML config (fields of SFTConfig); flags override it"),
    base: str = typer.Option(None, help="model to train: small (StreamPro-Small) | hf:PATH (Qwen2-VL/2.5-VL/3-VL folder)"),
    train: str = typer.Option(None, help="training items.jsonl (world train split)"),
    out: str = typer.Option(None, help="run folder: checkpoints, log.jsonl, final/"),
    loss: str = typer.Option(None, help="cb (CB-Stream) | ce (plain cross-entropy) | focal (Streamo)"),
    beta: float = typer.Option(None, help="effective-number beta of CB-Stream (paper: 0.9999)"),
    lambda_text: float = typer.Option(None, help="CB-Stream weight of text tokens (paper: 2)"),
    steps: int = typer.Option(None, help="optimizer steps"),
    batch_size: int = typer.Option(None, help="global batch size"),
    lr: float = typer.Option(None, help="peak learning rate"),
    seed: int = typer.Option(None, help="seed"),
    tensorboard: bool = typer.Option(None, help="also log to TensorBoard"),
    frame_size: int = typer.Option(None, help="HF base: frame size in pixels (a multiple of 28 for Qwen2/2.5-VL, "
                                   "of 32 for Qwen3-VL)"),
    dtype: str = typer.Option(None, help="HF base: float32 | bfloat16"),
    lora_r: int = typer.Option(None, help="HF base: train LoRA adapters of this rank (default: full fine-tuning)"),
    freeze_encoder: bool = typer.Option(None, help="StreamPro-Small: keep the frame encoder fixed (after `train "
                                        "perception`) and read its features from a cache"),
    overwrite: bool = typer.Option(False, help="start --out over when it holds a run with other settings"),
) -> None:
    """Streaming SFT (CB-Stream or CE) of StreamPro-Small or an HF model; rerun with the same --out to resume."""
    from .train.sft import SFTConfig, train_sft

    kw = dict(base=base, train=train, out=out, loss=loss, beta=beta, lambda_text=lambda_text, steps=steps, batch_size=batch_size, lr=lr,
              seed=seed, tensorboard=tensorboard, freeze_encoder=freeze_encoder, **_hf_flags(frame_size, dtype, lora_r))
    _train(train_sft, lambda: SFTConfig.from_yaml(config, **kw), overwrite)


@train_app.command("perception")
def train_perception_cmd(
    config: Path = typer.Option(None, help="YAML config (fields of PerceptionConfig)"),
    train: str = typer.Option(None, help="training items.jsonl of generated world videos"),
    val: str = typer.Option(None, help="held-out items.jsonl for the probe table (e.g. the val split)"),
    out: str = typer.Option(None, help="run folder: final/ (a StreamPro-Small to SFT from) and probe.json"),
    steps: int = typer.Option(None, help="optimizer steps"),
    image_size: int = typer.Option(None, help="frame size the encoder sees (the world's frames are 64 px)"),
    seed: int = typer.Option(None, help="seed"),
) -> None:
    """Pretrain StreamPro-Small's frame encoder on the simulator's per-frame state (which object is where);
    then `train sft --base small:OUT/final --freeze-encoder`."""
    from .train.perception import PerceptionConfig, pretrain_perception

    kw = dict(train=train, val=val, out=out, steps=steps, image_size=image_size, seed=seed)
    from .core.errors import StreamProError

    try:
        cfg = PerceptionConfig.from_yaml(config, **kw)
    except StreamProError as e:
        _fail(str(e))
    _train(pretrain_perception, lambda: cfg)
    probe = Path(cfg.out) / "probe.json"
    if probe.exists():
        typer.echo(json.dumps({k: v for k, v in json.loads(probe.read_text()).items() if k in ("train", "val")}))


def _hf_flags(frame_size: int | None, dtype: str | None, lora_r: int | None) -> dict:
    return dict(frame_size=frame_size, dtype=dtype, lora=None if lora_r is None else {"r": lora_r, "lora_alpha": 2 * lora_r})


#: what a training run writes into its folder (``--overwrite`` removes these)
TRAIN_OUTPUTS = ("checkpoint-*", "final", "final.tmp", "log.jsonl", "tensorboard", "feature_cache*", "llm_cache.jsonl",
                 "curves*", "probe.json")


def _train(fn, make_cfg, overwrite: bool = False) -> None:
    """Build the config (validated), claim its run folder (same settings or --overwrite), then train."""
    from dataclasses import asdict

    from .core.errors import StreamProError
    from .core.runs import claim_run

    try:
        cfg = make_cfg()
        if hasattr(cfg, "out") and cfg.out:
            claim_run(Path(cfg.out), "config", asdict(cfg), TRAIN_OUTPUTS, overwrite,
                      ignore=("tensorboard", "log_every", "save_every", "out"))
        typer.echo(f"saved {fn(cfg)}")
    except (StreamProError, FileNotFoundError, ValueError, ImportError) as e:
        _fail(str(e))


@train_app.command("grpo")
def train_grpo_cmd(
    config: Path = typer.Option(None, help="YAML config (fields of GRPOConfig, incl. reward_weights)"),
    init: str = typer.Option(None, help="SFT model folder (StreamPro-Small or HF, detected) or hf:PATH; also the KL reference"),
    train: str = typer.Option(None, help="training items.jsonl"),
    out: str = typer.Option(None, help="run folder"),
    steps: int = typer.Option(None, help="GRPO steps"),
    group_size: int = typer.Option(None, help="rollouts per stream+question"),
    kl_beta: float = typer.Option(None, help="KL penalty weight"),
    items_per_step: int = typer.Option(None, help="streams per step (each gets group_size rollouts)"),
    seed: int = typer.Option(None, help="seed"),
    frame_size: int = typer.Option(None, help="HF model: frame size (default: the one it was trained with)"),
    dtype: str = typer.Option(None, help="HF model: float32 | bfloat16"),
    lora_r: int = typer.Option(None, help="HF model: train LoRA adapters of this rank (default: full fine-tuning)"),
    judge: str = typer.Option(None, help="turn reward's content judge: rule (world data) | exact | llm"),
    rubric: str = typer.Option(None, help="trajectory rubric: world (checks from the ground truth) | llm "
                               "(designed and graded by the LLM: real data)"),
    llm_url: str = typer.Option(None, help="llm judge/rubric: OpenAI-compatible base URL, e.g. http://127.0.0.1:8000/v1"),
    llm_model: str = typer.Option(None, help="llm judge/rubric: served model name, or a local transformers folder"),
    overwrite: bool = typer.Option(False, help="start --out over when it holds a run with other settings"),
) -> None:
    """GRPO with turn- and trajectory-level rewards; resumable like `train sft`."""
    from .train.grpo import GRPOConfig, train_grpo

    kw = dict(init=init, train=train, out=out, steps=steps, group_size=group_size, kl_beta=kl_beta,
              items_per_step=items_per_step, seed=seed, judge=judge, rubric=rubric, llm_url=llm_url,
              llm_model=llm_model, **_hf_flags(frame_size, dtype, lora_r))
    _train(train_grpo, lambda: GRPOConfig.from_yaml(config, **kw), overwrite)


@app.command()
def reproduce(
    out: str = typer.Option("runs/reproduce", help="output folder (data, runs, table.md, results.json, report.html)"),
    seeds: list[int] = typer.Option([0], "--seed", help="training seeds (repeat the flag for several)"),
    n_train: int = typer.Option(1400, help="training questions"),
    n_test: int = typer.Option(350, help="test questions"),
    sft_steps: int = typer.Option(1500, help="SFT steps per variant"),
    grpo_steps: int = typer.Option(10, help="GRPO steps"),
    perception_steps: int = typer.Option(600, help="frame-encoder pretraining steps on the world's frame state "
                                         "(0: no pretraining, the encoder learns from SFT alone)"),
    ablation: list[str] = typer.Option([], "--ablation", help="also the paper's GRPO ablations: tau (3 vs 8) | "
                                       "weights (0.1/0.9/0, 0.1/0.6/0.3, 0.1/0.45/0.45) | matching (GT- vs prediction-first)"),
    overwrite: bool = typer.Option(False, help="start --out over when it holds a run with other sizes or steps"),
) -> None:
    """The StreamPro ablation in miniature: SFT-CE / focal / CB-Stream and +GRPO, with reference models."""
    from dataclasses import asdict

    from .core.errors import StreamProError
    from .core.runs import claim_run, write_manifest
    from .train.reproduce import ReproduceConfig
    from .train.reproduce import reproduce as run

    cfg = ReproduceConfig(out=out, seeds=tuple(seeds), n_train=n_train, n_test=n_test, sft_steps=sft_steps,
                          grpo_steps=grpo_steps, ablations=tuple(ablation), perception_steps=perception_steps)
    for name, value, low in (("--n-train", n_train, cfg.batch_size), ("--n-test", n_test, 7),
                             ("--sft-steps", sft_steps, 1), ("--grpo-steps", grpo_steps, 1),
                             ("--perception-steps", perception_steps, 0)):
        if value < low:
            _fail(f"{name} must be >= {low}, got {value}" + (" (one SFT batch)" if name == "--n-train" else ""))
    settings = {k: v for k, v in asdict(cfg).items() if k not in ("out", "seeds", "ablations")}
    try:  # more seeds or ablations extend a run; other sizes or steps are another run
        claim_run(Path(out), "config", settings, ("*",), overwrite)
        write_manifest(Path(out), "config", settings, command="reproduce")
        res = run(cfg)
    except (StreamProError, ValueError) as e:
        _fail(str(e))
    typer.echo(res["text"])
    typer.echo(f"results: {Path(out) / 'results.json'}\nreport: {Path(out) / 'report.html'}")


def _probe_benchmark(load, evaluate, model: str, model_args: str | None, out: Path, **kw) -> dict:
    """Load an external benchmark's probes, build the model, evaluate; any bad input ends in one clear line."""
    from .bench.schema import SchemaError
    from .bench.video import VideoError
    from .models.registry import build_model

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
    from .bench.evaluate import read_jsonl
    from .bench.streamingbench import evaluate_rtvu, load_rtvu, write_rtvu_official

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
    from .bench.proactive_output import evaluate_po, load_po, write_po_official

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
    from .bench.ovobench import CATEGORY_OF, evaluate_ovo, load_ovo

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
    from .bench.ovobench import make_ovo_fixture
    from .bench.proactive_output import make_po_fixture
    from .bench.streamingbench import make_rtvu_fixture

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


def _serve_model(model: str, model_args: str | None, window_frames: int | None, seed: int):
    """The model a live session runs: ground-truth-free models only, with the paper's sliding window."""
    from .models.registry import build_model

    if model.partition(":")[0] in ("oracle", "reactive", "eager", "silent"):
        _fail(f"{model!r} reads the benchmark's answers and cannot run on a live stream; serve random, small:DIR "
              "or hf:DIR")
    args = {"window_frames": window_frames, **_model_args(model_args)}
    try:
        return build_model(model, seed=seed, **args)
    except (KeyError, ValueError, FileNotFoundError, TypeError) as e:
        _fail(f"cannot load {model}: {e}")


@app.command()
def serve(
    model: str = typer.Option("random", help="random | small:DIR | hf:DIR | hf-offline:DIR"),
    model_args: str = typer.Option(None, help=MODEL_ARGS_HELP),
    host: str = typer.Option("127.0.0.1", help="interface to bind; anything but loopback needs a strong token"),
    port: int = typer.Option(8000, help="TCP port"),
    token: str = typer.Option(None, envvar="STREAMPRO_TOKEN", help="required of every client; default: a random "
                              "one, printed in the page's URL"),
    no_token: bool = typer.Option(False, "--no-token", help="no token at all (loopback only)"),
    allow_origin: list[str] = typer.Option([], "--allow-origin", help="a browser origin allowed on the WebSocket "
                                           "besides the page's own, e.g. http://127.0.0.1:3000 (repeatable)"),
    allow_source: list[str] = typer.Option([], "--allow-source", help="a folder, file/device (e.g. /dev/video0) or "
                                           "URL prefix the server may open for a client (repeatable; default none)"),
    window_frames: int = typer.Option(200, help="frame turns each session keeps in context (the paper's window)"),
    max_sessions: int = typer.Option(64, help="concurrent sessions at most"),
    max_batch: int = typer.Option(64, help="frames stepped together at most"),
    max_frame_bytes: int = typer.Option(4_000_000, help="largest encoded frame accepted"),
    max_frame_side: int = typer.Option(1024, help="decoded frames are downscaled to this long side (0: never)"),
    max_frames_per_s: float = typer.Option(200.0, help="per-session frame rate limit (control messages are never "
                                           "limited)"),
    idle_timeout: float = typer.Option(120.0, help="seconds without a message before a session is closed"),
    seed: int = typer.Option(0, help="seed of sampling models"),
) -> None:
    """Serve a model to live streams over WebSocket, with a web page at / (docs/serving.md)."""
    import uvicorn

    from .serve.app import create_app
    from .serve.engine import Engine, ServeSettings
    from .serve.security import SecurityError, SourcePolicy, check_token, is_loopback

    try:
        token = check_token(token, host, no_token)
        SourcePolicy.parse(allow_source)
    except SecurityError as e:
        _fail(str(e))
    settings = ServeSettings(max_sessions=max_sessions, max_batch=max_batch, max_frame_bytes=max_frame_bytes,
                             max_frame_side=max_frame_side, max_frames_per_s=max_frames_per_s,
                             idle_timeout_s=idle_timeout, allow_sources=tuple(allow_source),
                             allow_origins=tuple(allow_origin))
    engine = Engine(_serve_model(model, model_args, window_frames, seed), settings)
    shown = f"[{host}]" if ":" in host else host
    typer.echo(f"serving {model}; open http://{shown}:{port}/{'?token=' + token if token else ''}")
    if token:
        typer.echo(f"  watch from a terminal: STREAMPRO_TOKEN={token} streampro watch VIDEO --ask '...' "
                   f"--server http://{shown}:{port}")
    try:
        uvicorn.run(create_app(engine, model, token, loopback=is_loopback(host)), host=host, port=port,
                    log_level="warning", ws_max_size=max_frame_bytes + 1024)
    finally:
        engine.shutdown()


@app.command()
def watch(
    source: str = typer.Argument(..., help="video file, rtsp:// or http(s):// URL, or a capture device (with --format)"),
    ask: list[str] = typer.Option(..., "--ask", help="a question (repeatable)"),
    model: str = typer.Option(None, help="run this model in-process: random | small:DIR | hf:DIR"),
    model_args: str = typer.Option(None, help=MODEL_ARGS_HELP),
    server: str = typer.Option(None, help="or send the frames to a running `streampro serve`: the URL it printed "
                               "(http://127.0.0.1:8000/?token=..., or host:port with --token)"),
    token: str = typer.Option(None, envvar="STREAMPRO_TOKEN", help="the server's token"),
    fps: float = typer.Option(1.0, help="frames per second taken from the source"),
    realtime: bool = typer.Option(False, help="pace frames at their stream times (a slow model drops frames)"),
    fmt: str = typer.Option(None, "--format", help="PyAV input format of a capture device, e.g. v4l2"),
    window_frames: int = typer.Option(200, help="frame turns kept in context"),
    as_json: bool = typer.Option(False, "--json", help="print JSONL events instead of lines"),
    seed: int = typer.Option(0, help="seed of sampling models"),
) -> None:
    """Watch a stream from the terminal: every response is printed with its stream time as it happens."""
    from .bench.video import VideoError, iter_frames
    from .serve.watch import printer, watch_local, watch_server

    if (model is None) == (server is None):
        _fail("give exactly one of --model (in-process) or --server URL")
    frames = iter_frames(source, fps=fps, fmt=fmt)
    try:
        show = printer(as_json, {f"q{i}": q for i, q in enumerate(ask)})
        if server:
            watch_server(server, frames, ask, show, realtime, fps, token)
        else:
            from .serve.engine import Engine

            engine = Engine(_serve_model(model, model_args, window_frames, seed))
            try:
                watch_local(engine, frames, ask, show, realtime, fps)
            finally:
                engine.shutdown()
    except VideoError as e:
        _fail(str(e))
    except (OSError, TimeoutError, ValueError) as e:
        _fail(f"{type(e).__name__}: {e}")


from .arena.commands import arena_app  # noqa: E402 - the command groups register after the top-level commands

app.add_typer(arena_app, name="arena")

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
    from .bench.convert import convert
    from .bench.schema import SchemaError, write_items

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
    from .bench.inspect_data import dataset_stats

    stats = dataset_stats(_load(bench, skip_bad=False))
    typer.echo(json.dumps(stats, indent=2))
    for qid, why in stats["problems"].items():
        typer.secho(f"problem: {qid}: {why}", fg=typer.colors.YELLOW, err=True)
    if stats["problems"]:
        typer.secho(f"{len(stats['problems'])} of {stats['questions']} questions cannot be streamed as written "
                    "(eval --skip-bad leaves them out; training refuses them)", fg=typer.colors.YELLOW, err=True)


@data_app.command("preview")
def data_preview(
    bench: Path = typer.Argument(..., help="items.jsonl"),
    out: Path = typer.Option(Path("runs/preview"), help="output folder (preview.html, stats.json)"),
    per_task: int = typer.Option(3, help="sampled questions per task"),
    seed: int = typer.Option(0, help="sampling seed"),
) -> None:
    """An HTML page with the stats, answer-time histograms and sampled questions (frames, answers, windows)."""
    from .bench.inspect_data import write_preview
    from .bench.video import video_lengths, video_problem

    items = _load(bench, skip_bad=False)
    lengths = video_lengths(items)
    missing = [(it.id, why) for it in items if (why := video_problem(it, lengths[it.video]))]
    for qid, why in missing[:10]:
        typer.secho(f"problem: {qid}: {why}", fg=typer.colors.YELLOW, err=True)
    if missing:
        typer.secho(f"{len(missing)} of {len(items)} questions cannot be streamed as written: their frames are missing "
                    "from the preview (streampro data stats lists them all)", fg=typer.colors.YELLOW, err=True)
    typer.echo(f"preview: {write_preview(items, out, per_task, seed)}")


models_app = typer.Typer(help="Model registry and tools. Without a subcommand: list registered model names.")
app.add_typer(models_app, name="models")


@models_app.callback(invoke_without_command=True)
def list_models(ctx: typer.Context) -> None:
    """List registered model names (``streampro models``), and whether lmms-eval sees the ``streampro`` model."""
    from .models.registry import available

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
    from .models.hf import TINY_ARCHS, tiny_vlm

    if arch not in TINY_ARCHS:
        _fail(f"unknown --arch {arch!r}: choose one of {', '.join(TINY_ARCHS)}")
    tiny_vlm(arch, out, seed=seed)
    size = 64 if arch == "qwen3_vl" else 56  # 2x2 merged patches: the smallest useful frame
    typer.echo(f"wrote {out}; try it on a few generated questions:\n  streampro generate --n-items 7 --out "
               f"data/tiny-bench && streampro eval --model hf:{out} --model-args frame_size={size},max_new_tokens=4 "
               f"--bench data/tiny-bench/items.jsonl --out runs/eval/tiny")


if __name__ == "__main__":
    app()
