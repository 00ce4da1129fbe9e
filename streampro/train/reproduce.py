"""``streampro reproduce``: the paper's ablation in miniature on the procedural world.

Per seed: SFT with plain CE, SFT with CB-Stream, GRPO on top of SFT-CB-Stream; all evaluated with the
reference models on one fixed test split; mean ± std over seeds. Every stage resumes: trained models
(``final/``) and finished evaluations are reused on a rerun.
"""

from __future__ import annotations

import json
import statistics
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..bench.evaluate import evaluate
from ..bench.report import format_table, write_report
from ..bench.schema import DIMENSIONS, load_items
from ..models.registry import REFERENCE_MODELS, build_model
from ..world.generate import generate_split
from .grpo import GRPOConfig, train_grpo
from .sft import SFTConfig, train_sft

VARIANTS = ("sft-ce", "sft-cb", "sft-cb+grpo")


@dataclass
class ReproduceConfig:
    out: str = "runs/reproduce"
    seeds: tuple[int, ...] = (0,)
    n_train: int = 4000
    n_test: int = 270
    sft_steps: int = 800
    grpo_steps: int = 30
    beta: float = 0.999


def _trained(path: Path) -> bool:
    return (path / "final" / "model.safetensors").exists()


def run_seed(cfg: ReproduceConfig, seed: int, test_items, progress: bool = True) -> dict[str, dict[str, Any]]:
    root = Path(cfg.out) / f"seed{seed}"
    train_dir = Path(cfg.out) / "data" / f"train{seed}"
    if not (train_dir / "items.jsonl").exists():
        generate_split(train_dir, "train", cfg.n_train, seed=seed, progress=progress)
    train = str(train_dir / "items.jsonl")
    models: dict[str, Path] = {}
    for name, loss in (("sft-ce", "ce"), ("sft-cb", "cb")):
        d = root / name
        models[name] = d / "final" if _trained(d) else train_sft(
            SFTConfig(train=train, out=str(d), loss=loss, beta=cfg.beta, steps=cfg.sft_steps, seed=seed), progress)
    d = root / "sft-cb+grpo"
    models["sft-cb+grpo"] = d / "final" if _trained(d) else train_grpo(
        GRPOConfig(init=str(models["sft-cb"]), train=train, out=str(d), steps=cfg.grpo_steps, seed=seed), progress)
    return {name: evaluate(test_items, build_model(f"small:{p}", test_items, seed=seed), root / "eval" / name,
                           progress=progress) for name, p in models.items()}


def _mean_std(xs: list[float]) -> str:
    if len(xs) == 1:
        return f"{xs[0]:.1f}"
    return f"{statistics.mean(xs):.1f} ± {statistics.stdev(xs):.1f}"


def seed_table(per_seed: dict[int, dict[str, dict[str, Any]]]) -> str:
    keys = ["overall", *DIMENSIONS]
    timing = ["response_rate", "early_rate", "late_rate", "false_alarm_rate"]
    head = "| model | " + " | ".join(keys) + " | " + " | ".join(t.replace("_rate", "") + " %" for t in timing) + " |"
    lines = [head, "|" + "---|" * (head.count("|") - 1)]
    for v in VARIANTS:
        runs = [s[v] for s in per_seed.values() if v in s]
        cells = [_mean_std([r["overall"] for r in runs])]
        cells += [_mean_std([r["dimensions"][d]["score"] for r in runs]) for d in DIMENSIONS]
        cells += [_mean_std([100 * r["timing"][t] for r in runs]) for t in timing]
        lines.append(f"| {v} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def reproduce(cfg: ReproduceConfig, progress: bool = True) -> dict[str, Any]:
    out = Path(cfg.out)
    test_dir = out / "data" / "test"
    if not (test_dir / "items.jsonl").exists():
        generate_split(test_dir, "test", cfg.n_test, seed=0, progress=progress)
    test_items = load_items(test_dir / "items.jsonl")
    refs = {name: evaluate(test_items, build_model(name, test_items), out / "eval" / name, progress=progress)
            for name in REFERENCE_MODELS}
    per_seed = {seed: run_seed(cfg, seed, test_items, progress) for seed in cfg.seeds}
    table = seed_table(per_seed)
    last = max(cfg.seeds)
    runs = {**{v: out / f"seed{last}" / "eval" / v for v in VARIANTS}, **{n: out / "eval" / n for n in REFERENCE_MODELS}}
    summaries = {**per_seed[last], **refs}
    write_report(out, test_items, runs, summaries, title=f"StreamPro reproduction (report for seed {last})")
    text = (f"## StreamPro ablation, mean ± std over seeds {list(cfg.seeds)} (test split: {len(test_items)} items)\n\n"
            f"{table}\n\n## Reference models and seed {last}\n\n{format_table(summaries)}\n")
    (out / "table.md").write_text(text)
    result = {"seeds": {str(s): v for s, v in per_seed.items()}, "references": refs}
    (out / "summary.json").write_text(json.dumps(result, indent=2))
    return {"text": text, **result}
