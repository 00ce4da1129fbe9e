"""``streampro reproduce``: the paper's loss ablation and GRPO stage in miniature on the procedural world.

Per seed: SFT with plain CE, with Streamo's focal loss and with CB-Stream, then GRPO on top of SFT-CB;
all scored with StreamPro-F1 (rule judge) beside the reference models on one fixed test split. With
several seeds: mean and a 95 % t-interval. Every stage resumes: trained models (``final/``) and finished
evaluations are reused on a rerun. ``results.json`` holds ``{"models": {name: {"f1": ..., "per_seed": [...]}}}``.
"""

from __future__ import annotations

import json
import os
import statistics
import time
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..bench.evaluate import evaluate
from ..bench.judges import RuleJudge
from ..bench.report import write_report
from ..bench.report_tables import format_dimension_diagnostics, format_table
from ..bench.scoring import F1Settings
from ..core.errors import InputError
from ..core.items import DIMENSIONS
from ..core.stats import mean_ci
from ..data.generate import generate_split
from ..data.schema import load_items
from ..data.video import decoded_once
from ..models.registry import build_model, reference_models
from ..world.config import WorldConfig
from .grpo import GRPOConfig, train_grpo
from .parallel import Job, lines_in, run_jobs
from .perception import PerceptionConfig, pretrain_perception
from .sft import SFTConfig, train_sft
from .trajectory import select_tasks

VARIANTS = ("sft-ce", "sft-focal", "sft-cb", "sft-cb+grpo")
#: the paper's GRPO ablations (§3), each variant GRPO from the same SFT-CB model with these config overrides
GRPO_ABLATIONS: dict[str, dict[str, dict[str, Any]]] = {
    "tau": {"grpo-tau3": {"reward_tau": 3.0}, "grpo-tau8": {"reward_tau": 8.0}},
    "weights": {"grpo-w0.1-0.9-0": {"reward_weights": {"format": 0.1, "turn": 0.9, "traj": 0.0}},
                "grpo-w0.1-0.6-0.3": {"reward_weights": {"format": 0.1, "turn": 0.6, "traj": 0.3}},
                "grpo-w0.1-0.45-0.45": {"reward_weights": {"format": 0.1, "turn": 0.45, "traj": 0.45}}},
    "matching": {"grpo-gt-first": {"matching": "gt_first"}, "grpo-pred-first": {"matching": "pred_first"}},
}
#: which tasks each stage trains on. paper: SFT on EU, OU, TP, TG and RL on EU, OU, AA, TP, TG, GP (paper §3;
#: RF in neither, it measures zero-shot; the paper's SFT also has captioning data, which reproduce does not
#: generate — the world's CAP task, docs/training.md "Captioning data") | all: every stage on all seven tasks (what this project did before)
TASK_SPLITS: dict[str, dict[str, tuple[str, ...]]] = {
    "paper": {"sft": ("EU", "OU", "TP", "TG"), "rl": ("EU", "OU", "AA", "TP", "TG", "GP")},
    "all": {"sft": (), "rl": ()},
}
BASELINES = reference_models()
#: the bar a trained model must clear on every dimension (issue 9): the best of these, intervals apart
BAR_BASELINES = ("random", "eager", "silent")
#: reference models whose output depends on the seed: scored once per training seed, so they get an interval too
SEEDED_BASELINES = reference_models(seeded=True)
ROW_ORDER = (*VARIANTS, *(row for rows in GRPO_ABLATIONS.values() for row in rows), *SEEDED_BASELINES)


@dataclass
class ReproduceConfig:
    out: str = "runs/reproduce"
    seeds: tuple[int, ...] = (0,)
    n_train: int = 1400
    n_test: int = 350
    sft_steps: int = 1500  # chosen on the val split (1200: 26.4, 3000: 27.2 W-Avg for SFT-CB); the cache makes it affordable
    group_by_length: bool = True  # SFT batches of similar-length streams (less padding: the SFT runs are most of the time)
    grpo_steps: int = 10
    # GRPO's questions per step and learning rate; None: 2 and GRPOConfig's lr, what the stage always used (a
    # run folder made before these settings has no such keys, which read as None: the same run). One epoch of
    # the RL split, the setting chosen on val (docs/results.md): --grpo-steps 150 --grpo-items-per-step 8
    # --grpo-lr 1e-4
    grpo_items_per_step: int | None = None
    grpo_lr: float | None = None
    batch_size: int = 16
    ablations: tuple[str, ...] = ()  # extra GRPO variants: tau | weights | matching (GRPO_ABLATIONS)
    # stage 0: pretrain the frame encoder on the world's frame state (0: learn to see from SFT alone, as
    # before); SFT and GRPO then keep it frozen and SFT reads its features from a cache
    perception_steps: int = 600
    n_val: int = 70  # held-out questions whose videos' frames give the perception probe table
    task_split: str = "paper"  # paper | all (TASK_SPLITS)
    matching: str = "first"  # StreamPro-F1's matching rule (bench.scoring.F1Settings)
    response_time: str = "frame_start"
    timing_spread: float = 1.0  # the world's event-time spread for every split (WorldConfig; 1: the original world)
    # a seed's evaluations at once, each in a worker process with one torch thread (train/parallel.py); 0: one per
    # CPU core; 1: one by one in this process. Streaming runs tiny forwards that a second torch thread barely
    # speeds up, and the scores are the same either way, so this is how a run is executed, not what it is (not
    # part of a run folder's identity). The SFT runs stay in this process: on two cores they trained faster with
    # torch's two threads than in one-thread workers, and a thread count changes their weights (docs/results.md,
    # "Wall time"; benchmarks/parallel_stages.py)
    jobs: int = 0

    def __post_init__(self):
        if self.task_split not in TASK_SPLITS:
            raise ValueError(f"task_split must be one of {sorted(TASK_SPLITS)}, got {self.task_split!r}")
        F1Settings(matching=self.matching, response_time=self.response_time)  # validates both
        WorldConfig(timing_spread=self.timing_spread)  # validates it
        if self.jobs < 0:
            raise ValueError(f"jobs (--jobs) must be >= 0 (0: one per CPU core), got {self.jobs}")
        unknown = [a for a in self.ablations if a not in GRPO_ABLATIONS]
        if unknown:  # before any stage runs, not after the SFT stages
            raise ValueError(f"unknown ablation {unknown[0]!r}; choose from {sorted(GRPO_ABLATIONS)}")

    @property
    def workers(self) -> int:
        """Evaluations at once: ``jobs``, or one per CPU core."""
        return self.jobs or os.cpu_count() or 1

    @property
    def world(self) -> WorldConfig:
        return WorldConfig(timing_spread=self.timing_spread)

    @property
    def grpo_budget(self) -> dict[str, Any]:
        """The GRPO stage's questions per step and learning rate, as GRPOConfig keywords."""
        budget: dict[str, Any] = {"items_per_step": 2 if self.grpo_items_per_step is None else self.grpo_items_per_step}
        return budget if self.grpo_lr is None else {**budget, "lr": self.grpo_lr}

    @property
    def metric(self) -> F1Settings:
        return F1Settings(matching=self.matching, response_time=self.response_time)


def _is_default_grpo(name: str) -> bool:
    """An ablation row whose overrides *are* the default GRPO config (tau 8, 0.1/0.45/0.45, GT-first) is
    the ``sft-cb+grpo`` run itself: reused, not trained and scored a second time."""
    rows = {n: o for rows in GRPO_ABLATIONS.values() for n, o in rows.items()}
    return name in rows and all(getattr(GRPOConfig(), k) == v for k, v in rows[name].items())


class StageClock:
    """Wall seconds per stage of a reproduce run, so that what the time went on is printed and kept
    (``results.json["wall_seconds"]``). A stage reused from an earlier run costs (almost) nothing."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = {}

    @contextmanager
    def stage(self, name: str):
        t = time.perf_counter()
        try:
            yield
        finally:
            self.seconds[name] = self.seconds.get(name, 0.0) + time.perf_counter() - t

    def table(self) -> str:
        total = sum(self.seconds.values()) or 1.0
        lines = ["| stage | wall (s) | share |", "|---|---|---|"]
        lines += [f"| {k} | {v:.0f} | {100 * v / total:.0f} % |" for k, v in self.seconds.items()]
        return "\n".join([*lines, f"| **total** | {sum(self.seconds.values()):.0f} | |"])


def _check_grpo_budget(cfg: ReproduceConfig, train: str, rl_tasks) -> None:
    """``train grpo`` draws ``items_per_step`` distinct RL questions per step; say so now if the split has
    fewer, not after the SFT stages have run (they would be kept, but the user waits for them to learn it)."""
    n = cfg.grpo_budget["items_per_step"]
    have = len(select_tasks(load_items(train), list(rl_tasks), train))  # what train grpo will draw from
    if n > have:
        raise InputError(f"--grpo-items-per-step {n} exceeds the {have} questions of the RL tasks "
                         f"{list(rl_tasks)} in {train}; lower it or raise the train split's size")


def run_seed(cfg: ReproduceConfig, seed: int, test_items, progress: bool = True,
             clock: StageClock | None = None) -> dict[str, dict[str, Any]]:
    with decoded_once():  # the seed's stages read the same training videos: decode them once
        return _run_seed(cfg, seed, test_items, progress, clock or StageClock())


def sft_configs(cfg: ReproduceConfig, seed: int, base: str, train: str, root: Path, frozen: bool) -> dict[str, SFTConfig]:
    """The seed's three SFT runs (CE, focal, CB-Stream) as reproduce trains them, each in ``root/<name>``
    (``benchmarks/parallel_stages.py`` times the same configs)."""
    return {name: SFTConfig(base=base, train=train, out=str(root / name), loss=loss, steps=cfg.sft_steps,
                            batch_size=cfg.batch_size, seed=seed, freeze_encoder=frozen,
                            tasks=list(TASK_SPLITS[cfg.task_split]["sft"]), group_by_length=cfg.group_by_length)
            for name, loss in (("sft-ce", "ce"), ("sft-focal", "focal"), ("sft-cb", "cb"))}


def _run_seed(cfg: ReproduceConfig, seed: int, test_items, progress: bool, clock: StageClock) -> dict[str, dict[str, Any]]:
    root = Path(cfg.out) / f"seed{seed}"
    train_dir = Path(cfg.out) / "data" / f"train{seed}"
    with clock.stage(f"seed {seed}: train data"):
        if not (train_dir / "items.jsonl").exists():
            generate_split(train_dir, "train", cfg.n_train, seed=seed, cfg=cfg.world, progress=progress)
    train = str(train_dir / "items.jsonl")
    split = TASK_SPLITS[cfg.task_split]
    _check_grpo_budget(cfg, train, split["rl"])
    base, frozen = "small", False
    if cfg.perception_steps:
        val = Path(cfg.out) / "data" / "val"
        if not (val / "items.jsonl").exists():
            generate_split(val, "val", cfg.n_val, seed=0, cfg=cfg.world, progress=progress)
        with clock.stage(f"seed {seed}: perception"):
            base = f"small:{pretrain_perception(PerceptionConfig(train=train, val=str(val / 'items.jsonl'), out=str(root / 'perception'), steps=cfg.perception_steps, seed=seed), progress)}"
        frozen = True
    models: dict[str, Path] = {}
    for name, sft in sft_configs(cfg, seed, base, train, root, frozen).items():
        with clock.stage(f"seed {seed}: {name}"):
            models[name] = train_sft(sft, progress)
    d = root / "sft-cb+grpo"
    with clock.stage(f"seed {seed}: sft-cb+grpo"):
        models["sft-cb+grpo"] = train_grpo(
            GRPOConfig(init=str(models["sft-cb"]), train=train, out=str(d), steps=cfg.grpo_steps, **cfg.grpo_budget,
                       seed=seed, freeze_encoder=frozen, tasks=list(split["rl"])), progress)
    same_as_default: dict[str, str] = {}
    for ablation in cfg.ablations:
        for name, overrides in GRPO_ABLATIONS[ablation].items():
            if _is_default_grpo(name):
                same_as_default[name] = "sft-cb+grpo"
                continue
            d = root / name
            with clock.stage(f"seed {seed}: {name}"):
                models[name] = train_grpo(
                    GRPOConfig(init=str(models["sft-cb"]), train=train, out=str(d), steps=cfg.grpo_steps,
                               **cfg.grpo_budget, seed=seed, freeze_encoder=frozen, tasks=list(split["rl"]),
                               **overrides), progress)
    specs = {**{name: f"small:{p}" for name, p in models.items()}, **{n: n for n in SEEDED_BASELINES}}
    workers = min(cfg.workers, len(specs))
    with clock.stage(f"seed {seed}: eval ({len(specs)} models" + (f", {workers} processes)" if workers > 1 else ")")):
        if workers == 1:
            scores = {name: evaluate_spec(test_items, spec, seed, root / "eval" / name, cfg.metric, progress)
                      for name, spec in specs.items()}
        else:
            scores = run_jobs([Job(name, evaluate_spec, (test_items, spec, seed, root / "eval" / name, cfg.metric, False),
                                   len(test_items), lambda d=root / "eval" / name: lines_in(d / "predictions.jsonl"))
                               for name, spec in specs.items()], workers, f"seed {seed}: eval", progress)
    scores.update({name: scores[src] for name, src in same_as_default.items()})
    return {name: scores[name] for name in ROW_ORDER if name in scores}  # each ablation's rows together


def evaluate_spec(test_items, spec: str, seed: int, out: Path, metric: F1Settings, progress: bool) -> dict[str, Any]:
    """One model (a registry spec) streamed and scored on the test split with the rule judge; a module-level
    function so that a worker process can run it (``run_jobs``)."""
    return evaluate(test_items, build_model(spec, test_items, seed=seed), out, RuleJudge(), settings=metric,
                    progress=progress)


def _mean_f1(f1s: list[dict[str, Any]]) -> dict[str, Any]:
    """The mean over seeds of every number in the summaries' ``f1`` block (same keys)."""
    def avg(vals):
        if isinstance(vals[0], dict):
            return {k: avg([v.get(k) for v in vals if isinstance(v, dict)]) for k in vals[0]}
        nums = [v for v in vals if isinstance(v, (int, float)) and not isinstance(v, bool)]
        if nums:  # a seed with nothing matched has None for Time/Acc: the mean of the others
            return statistics.mean(nums)
        return vals[0]

    return avg(f1s)


def seed_table(per_seed: dict[int, dict[str, dict[str, Any]]]) -> str:
    cols = [*DIMENSIONS, "avg", "wavg"]
    head = "| model | " + " | ".join(cols) + " |"
    lines = [head, "|" + "---|" * (head.count("|") - 1)]
    names = [v for v in next(iter(per_seed.values()))]
    for v in names:
        f1s = [s[v]["f1"] for s in per_seed.values() if v in s]
        cells = []
        for c in cols:
            xs = [f["dimensions"][c]["f1"] if c in DIMENSIONS else f[c] for f in f1s]
            m, h = mean_ci(xs)
            cells.append(f"{m:.1f}" + (f" ± {h:.1f}" if len(xs) > 1 else ""))
        lines.append(f"| {v} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def _dim_f1(summary: dict[str, Any], dim: str) -> float:
    return summary["f1"]["dimensions"][dim]["f1"]


def bar_check(per_seed: dict[int, dict[str, dict[str, Any]]], refs: dict[str, dict[str, Any]],
              model: str = "sft-cb") -> dict[str, dict[str, Any]]:
    """Per dimension: is ``model``'s 95 % interval above every bar baseline's (issue 9's done-when)?

    A baseline scored once per seed has its own interval; a deterministic one (``eager``, ``silent``) is a
    point. With one seed every interval is a point, so "holds" then only says the mean is higher."""
    out: dict[str, dict[str, Any]] = {}
    for dim in DIMENSIONS:
        m, h = mean_ci([_dim_f1(s[model], dim) for s in per_seed.values()])
        rivals = {}
        for b in BAR_BASELINES:
            xs = ([_dim_f1(s[b], dim) for s in per_seed.values() if b in s] or
                  ([_dim_f1(refs[b], dim)] if b in refs else []))
            if xs:
                rivals[b] = mean_ci(xs)
        best = max(rivals, key=lambda b: sum(rivals[b]))
        bm, bh = rivals[best]
        out[dim] = {"model": model, "mean": m, "ci95": h, "best_baseline": best, "baseline_mean": bm,
                    "baseline_ci95": bh, "holds": m - h > bm + bh}
    return out


def bar_table(bar: dict[str, dict[str, Any]]) -> str:
    lines = ["| dimension | model (mean ± 95 %) | best baseline (mean ± 95 %) | intervals apart |", "|---|---|---|---|"]
    lines += [f"| {d} | {b['model']} {b['mean']:.1f} ± {b['ci95']:.1f} | {b['best_baseline']} {b['baseline_mean']:.1f}"
              f" ± {b['baseline_ci95']:.1f} | {'yes' if b['holds'] else 'no'} |" for d, b in bar.items()]
    return "\n".join(lines)


def probe_table(probes: dict[str, dict]) -> str:
    keys = ("object_f1", "colour_f1", "shape_f1", "frame_exact", "position_err_px")
    lines = ["| seed | " + " | ".join(keys) + " |", "|---" * (len(keys) + 1) + "|"]
    lines += [f"| {k} | " + " | ".join(str(p[c]) for c in keys) + " |" for k, p in probes.items() if p]
    return "\n".join(lines)


def reproduce(cfg: ReproduceConfig, progress: bool = True) -> dict[str, Any]:
    out = Path(cfg.out)
    clock = StageClock()
    test_dir = out / "data" / "test"
    with clock.stage("test data + reference models"):
        if not (test_dir / "items.jsonl").exists():
            generate_split(test_dir, "test", cfg.n_test, seed=0, cfg=cfg.world, progress=progress)
        test_items = load_items(test_dir / "items.jsonl")
        refs = {name: evaluate(test_items, build_model(name, test_items), out / "eval" / name, RuleJudge(),
                               settings=cfg.metric, progress=progress) for name in BASELINES if name not in SEEDED_BASELINES}
    per_seed = {seed: run_seed(cfg, seed, test_items, progress, clock) for seed in cfg.seeds}
    last = max(cfg.seeds)
    names = list(per_seed[last])
    runs = {**{v: out / f"seed{last}" / "eval" / ("sft-cb+grpo" if _is_default_grpo(v) else v) for v in names},
            **{n: out / "eval" / n for n in refs}}
    summaries = {**per_seed[last], **refs}
    with clock.stage("report"):
        write_report(out, test_items, runs, summaries, title=f"StreamPro reproduction (report for seed {last})")
    text = (f"## StreamPro-F1 ablation, mean ± 95 % interval over seeds {list(cfg.seeds)} "
            f"(test split: {len(test_items)} questions)\n\n{seed_table(per_seed)}\n\n"
            f"## Reference models and seed {last}\n\n{format_table(summaries)}\n")
    text += (f"\n## Diagnostics per dimension, seed {last} (precision vs recall, how often, early/late)\n\n"
             f"{format_dimension_diagnostics(summaries)}\n")
    bar = bar_check(per_seed, refs) if "sft-cb" in names else {}
    if bar:
        text += (f"\n## SFT-CB against the best of {'/'.join(BAR_BASELINES)} per dimension\n\n{bar_table(bar)}\n")
    models = {v: {"f1": _mean_f1([s[v]["f1"] for s in per_seed.values()]),
                  "per_seed": {str(k): s[v]["f1"] for k, s in per_seed.items()}} for v in names}
    models.update({n: {"f1": r["f1"]} for n, r in refs.items()})
    probes = {str(k): json.loads(p.read_text()).get("val") for k in cfg.seeds
              if (p := out / f"seed{k}" / "perception" / "probe.json").exists()}
    if probes:
        text += "\n## Perception probe (held-out val frames)\n\n" + probe_table(probes) + "\n"
    text += f"\n## Wall time per stage (this invocation; a reused stage costs ~0 s)\n\n{clock.table()}\n"
    (out / "table.md").write_text(text)
    result = {"models": models, "seeds": list(cfg.seeds), "n_test": len(test_items), "perception_probe": probes,
              "bar": bar, "wall_seconds": clock.seconds}
    (out / "results.json").write_text(json.dumps(result, indent=2))
    return {"text": text, **result}
