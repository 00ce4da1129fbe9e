"""Training commands: ``train sft | perception | grpo`` and ``reproduce`` (the recipe end to end)."""

from __future__ import annotations

import json
from pathlib import Path

import typer

from ..cli_common import config_options
from ..cli_common import fail as _fail
from ..train.configs import GRPOConfig, PerceptionConfig, SFTConfig
from ._app import app
from .bench import METRIC_OPTIONS

train_app = typer.Typer(help="Train StreamPro-Small or an HF model: `sft` (CB-Stream, CE or focal), then `grpo` (the paper's rewards).", no_args_is_help=True)
app.add_typer(train_app, name="train")


@train_app.command("sft")
@config_options(SFTConfig)
def train_sft_cmd(
    config: Path = typer.Option(None, help="YAML config (fields of SFTConfig); flags override it"),
    overwrite: bool = typer.Option(False, help="start --out over when it holds a run with other settings"),
    settings: dict | None = None,
) -> None:
    """Streaming SFT (CB-Stream or CE) of StreamPro-Small or an HF model; rerun with the same --out to resume."""
    from ..train.sft import train_sft

    kw = dict(settings or {})
    if "lr" not in kw and config is None and kw.get("base", "").startswith("hf:"):
        kw["lr"] = HF_SFT_LR  # not StreamPro-Small's 2e-3, which would wreck a pretrained VLM
    _train(train_sft, lambda: SFTConfig.from_yaml(config, **kw), overwrite)


@train_app.command("perception")
@config_options(PerceptionConfig)
def train_perception_cmd(
    config: Path = typer.Option(None, help="YAML config (fields of PerceptionConfig)"),
    overwrite: bool = typer.Option(False, help="start --out over when it holds a run with other settings"),
    settings: dict | None = None,
) -> None:
    """Pretrain StreamPro-Small's frame encoder on the simulator's per-frame state (which object is where);
    then `train sft --base small:OUT/final --freeze-encoder`."""
    from ..core.errors import StreamProError
    from ..train.perception import pretrain_perception

    try:
        cfg = PerceptionConfig.from_yaml(config, **(settings or {}))
    except StreamProError as e:
        _fail(str(e))
    _train(pretrain_perception, lambda: cfg, overwrite)
    probe = Path(cfg.out) / "probe.json"
    if probe.exists():
        typer.echo(json.dumps({k: v for k, v in json.loads(probe.read_text()).items() if k in ("train", "val")}))


#: the paper's learning rates for a Qwen backbone, used when an HF model is trained without a config
HF_SFT_LR, HF_GRPO_LR = 1e-5, 1e-6


def _train(fn, make_cfg, overwrite: bool = False) -> None:
    """Build the config (validated), then train; the trainer claims its run folder (same settings, or
    --overwrite) and returns a finished run's model as it is."""
    from ..core.errors import StreamProError
    from ..train.checkpoint import finished

    try:
        cfg = make_cfg()
        done = bool(getattr(cfg, "out", None)) and finished(Path(cfg.out)) and not overwrite
        final = fn(cfg, overwrite=overwrite)
        if done:
            typer.echo(f"{cfg.out} already holds this run's trained model ({final}); nothing to do "
                       "(--overwrite trains it again)")
            return
        typer.echo(f"saved {final}")
    except (StreamProError, FileNotFoundError, ValueError, ImportError) as e:
        _fail(str(e))


@train_app.command("grpo")
@config_options(GRPOConfig)
def train_grpo_cmd(
    config: Path = typer.Option(None, help="YAML config (fields of GRPOConfig, incl. reward_weights)"),
    overwrite: bool = typer.Option(False, help="start --out over when it holds a run with other settings"),
    settings: dict | None = None,
) -> None:
    """GRPO with turn- and trajectory-level rewards; resumable like `train sft`."""
    from ..models.hf import STREAM_CONFIG_FILE
    from ..train.grpo import train_grpo

    kw = dict(settings or {})
    init = kw.get("init")
    if "lr" not in kw and config is None and init and (init.startswith("hf:") or (Path(init) / STREAM_CONFIG_FILE).exists()):
        kw["lr"] = HF_GRPO_LR
    _train(train_grpo, lambda: GRPOConfig.from_yaml(config, **kw), overwrite)


@app.command()
def reproduce(
    out: str = typer.Option("runs/reproduce", help="output folder (data, runs, table.md, results.json, report.html)"),
    seeds: list[int] = typer.Option([0], "--seed", help="training seeds (repeat the flag for several)"),
    n_train: int = typer.Option(1400, help="training questions"),
    n_test: int = typer.Option(350, help="test questions"),
    sft_steps: int = typer.Option(1500, help="SFT steps per variant"),
    group_by_length: bool = typer.Option(True, help="SFT batches of streams of similar length (less padding; "
                                         "--no-group-by-length: random batches, as runs before this option)"),
    grpo_steps: int = typer.Option(10, help="GRPO steps"),
    grpo_items_per_step: int = typer.Option(None, help="GRPO questions per step (G rollouts each; default 2). One "
                                            "epoch of the RL split: --grpo-steps 150 --grpo-items-per-step 8 --grpo-lr 1e-4"),
    grpo_lr: float = typer.Option(None, help="GRPO learning rate (default: train grpo's)"),
    perception_steps: int = typer.Option(600, help="frame-encoder pretraining steps on the world's frame state "
                                         "(0: no pretraining, the encoder learns from SFT alone)"),
    ablation: list[str] = typer.Option([], "--ablation", help="also the paper's GRPO ablations: tau (3 vs 8) | "
                                       "weights (0.1/0.9/0, 0.1/0.6/0.3, 0.1/0.45/0.45) | matching (GT- vs prediction-first)"),
    task_split: str = typer.Option("paper", help="tasks each stage trains on: paper (SFT: EU OU TP TG; GRPO: EU OU "
                                   "AA TP TG GP; RF zero-shot) | all (every stage on all seven)"),
    matching: str = METRIC_OPTIONS["matching"],
    response_time: str = METRIC_OPTIONS["response_time"],
    timing_spread: float = typer.Option(1.0, help="the world's event-time spread for every split, >= 1 (1: the "
                                        "original world; docs/format.md, 'Timing spread')"),
    jobs: int = typer.Option(0, help="a seed's evaluations at once, each in a worker process with one torch thread "
                             "(the same scores; 0: one per CPU core, 1: one by one in this process)"),
    overwrite: bool = typer.Option(False, help="start --out over when it holds a run with other sizes or steps"),
) -> None:
    """The StreamPro ablation in miniature: SFT-CE / focal / CB-Stream and +GRPO, with reference models."""
    from dataclasses import asdict

    from ..core.errors import StreamProError
    from ..core.runs import claim_run, write_manifest
    from ..train.reproduce import ReproduceConfig
    from ..train.reproduce import reproduce as run

    try:
        cfg = ReproduceConfig(out=out, seeds=tuple(seeds), n_train=n_train, n_test=n_test, sft_steps=sft_steps,
                              group_by_length=group_by_length, grpo_steps=grpo_steps,
                              grpo_items_per_step=grpo_items_per_step, grpo_lr=grpo_lr, ablations=tuple(ablation),
                              perception_steps=perception_steps, task_split=task_split, matching=matching,
                              response_time=response_time, timing_spread=timing_spread, jobs=jobs)
    except ValueError as e:
        _fail(str(e))
    for name, value, low in (("--n-train", n_train, cfg.batch_size), ("--n-test", n_test, 7),
                             ("--sft-steps", sft_steps, 1), ("--grpo-steps", grpo_steps, 1),
                             ("--grpo-items-per-step", grpo_items_per_step, 1), ("--perception-steps", perception_steps, 0)):
        if value is not None and value < low:
            _fail(f"{name} must be >= {low}, got {value}" + (" (one SFT batch)" if name == "--n-train" else ""))
    if grpo_lr is not None and not grpo_lr > 0:
        _fail(f"--grpo-lr must be > 0, got {grpo_lr}")
    settings = {k: v for k, v in asdict(cfg).items() if k not in ("out", "seeds", "ablations", "jobs")}
    if not cfg.group_by_length:  # how every run before the option trained: such a run folder is this run
        settings.pop("group_by_length")
    try:  # more seeds or ablations extend a run; other sizes or steps are another run
        claim_run(Path(out), "config", settings, ("*",), overwrite, defaults={"timing_spread": ReproduceConfig.timing_spread})
        write_manifest(Path(out), "config", settings, command="reproduce")
        res = run(cfg)
    except (StreamProError, ValueError) as e:
        _fail(str(e))
    typer.echo(res["text"])
    typer.echo(f"results: {Path(out) / 'results.json'}\nreport: {Path(out) / 'report.html'}")


@train_app.command("reward-study")
def reward_study_cmd(
    init: str = typer.Option(..., help="the policy the rollouts come from (an SFT model folder)"),
    items: str = typer.Option(..., help="questions to roll out (use a val split, never the test split)"),
    out: Path = typer.Option(Path("runs/reward_study"), help="output folder (summary.json, table.md, rollouts.json)"),
    groups: int = typer.Option(32, help="questions (one group of rollouts each)"),
    group_size: int = typer.Option(8, help="rollouts per question (GRPO's G)"),
    temperature: float = typer.Option(1.0, help="sampling temperature, as in GRPO"),
    task: list[str] = typer.Option(None, "--task", help="only these tasks (repeatable)"),
    seed: int = typer.Option(0, help="seed of the question draw and the rollouts"),
    turn_score: str = typer.Option("sum", help="the turn reward's step score: sum = S_time + S_acc (the paper's) | "
                                   "product = 2 S_time S_acc (StreamPro-F1's S; not the paper's)"),
) -> None:
    """How well each GRPO reward part ranks a group's rollouts against their own StreamPro-F1 (within-group
    Spearman; how often the best-F1 rollout gets the best reward), and how much there is to sharpen (sampled
    mean F1, the reward's pick, best-of-G per task)."""
    from ..core.errors import StreamProError
    from ..train.reward_study import StudyConfig, run_study, table

    if groups < 1 or group_size < 2:
        _fail("--groups must be >= 1 and --group-size >= 2 (a group ranks at least two rollouts)")
    try:
        summary = run_study(StudyConfig(init=init, items=items, groups=groups, group_size=group_size,
                                        temperature=temperature, seed=seed, tasks=task or [],
                                        turn_score=turn_score), out)
    except (StreamProError, FileNotFoundError, ValueError) as e:
        _fail(str(e))
    typer.echo(table(summary))
    typer.echo(f"mean F1 {summary['mean_f1']:.3f}, {summary['mean_responses']:.2f} responses per rollout; "
               f"{summary['groups_with_constant_f1']} of {summary['groups']} groups have one F1 for all rollouts")
    typer.echo(f"summary: {out / 'summary.json'}")
