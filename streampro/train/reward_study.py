"""Does the GRPO reward rank rollouts as StreamPro-F1 does? (issue 18, "understand the reward first")

GRPO's advantage only uses the order of the rewards *within a group* (G rollouts of one question). So for
``groups`` questions, this samples G rollouts each from a policy, exactly as GRPO does, and scores every
rollout with each reward part (format, turn, traj), the weighted total, and the rollout's own StreamPro-F1
(the benchmark's matching rule and judge). Per group it takes the Spearman correlation of each part with F1
(groups where F1 or the part is constant are left out of that mean, and counted), and how often the
rollout with the best F1 also gets the best reward (ties: any of the tied best counts).

It also says which *timing* the advantage reinforces: every response is early, inside or late against the
benchmark window of its nearest answer, and carries its rollout's GRPO advantage (the group-normalised
total); per task, the mean advantage of each kind. A positive mean for late responses means GRPO teaches the
task to answer later (issue 18: what it does to Temporal Grounding).

And it says how much there is to sharpen (``headroom``): per task, the mean F1 of the sampled rollouts, the F1
of the rollout the reward ranks first, and the best F1 in the group (best-of-G). GRPO raises the probability of
the rollouts its advantage favours, so a policy it trains from these samples can at most approach the
best-of-G column (an optimistic bound: it picks per question, after the fact); where that column is close to
the greedy score, no reward or optimiser setting can buy a large gain from this SFT model.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import torch
from scipy.stats import spearmanr
from tqdm import tqdm

from ..bench.judges import RuleJudge
from ..core.items import Item, within
from ..data.schema import load_items
from .grpo import group_advantages, sample_group
from .policy import build_policy
from .rewards import DEFAULT_WEIGHTS, RewardSettings, compute_rewards, rollout_f1
from .trajectory import load_frames, select_tasks

PARTS = ("format", "turn", "traj", "total")
TIMINGS = ("early", "inside", "late")


@dataclass
class StudyConfig:
    init: str
    items: str
    groups: int = 32
    group_size: int = 8
    temperature: float = 1.0
    seed: int = 0
    tasks: list = field(default_factory=list)
    weights: dict = field(default_factory=lambda: dict(DEFAULT_WEIGHTS))
    reward_tau: float = 8.0
    matching: str = "gt_first"
    turn_score: str = "sum"


def rollout_scores(cfg: StudyConfig, progress: bool = True) -> list[list[dict[str, Any]]]:
    """``groups`` x ``group_size`` rollouts, each ``{format, turn, traj, total, f1, responses}``."""
    items = select_tasks(load_items(cfg.items), cfg.tasks, cfg.items)
    rng = np.random.default_rng(cfg.seed)
    picked = [items[i] for i in rng.choice(len(items), min(cfg.groups, len(items)), replace=False)]
    policy = build_policy(cfg.init).eval()
    frames = load_frames(picked, policy.cfg.image_size)
    judge, settings = RuleJudge(), RewardSettings(cfg.reward_tau, cfg.matching, cfg.turn_score)
    ids = (policy.cfg.silence_id, policy.cfg.respond_id, policy.cfg.eos_id)
    groups = []
    for gi, it in enumerate(tqdm(picked, desc="reward study", disable=not progress)):
        rows = []
        seeds = [int(np.random.default_rng([cfg.seed, gi, g]).integers(2**31)) for g in range(cfg.group_size)]
        for s in sample_group(policy, it, frames[it.video], seeds, cfg.temperature):
            total, parts = compute_rewards(it, s.responses, s.steps, ids, cfg.weights, judge, settings)
            f1 = rollout_f1(it, s.responses, judge)
            rows.append({**parts, "total": total, "f1": f1, "responses": len(s.responses), "task": it.task, "id": it.id,
                         "timing": [timing(it, r.time) for r in s.responses] if it.answers else []})
        groups.append(rows)
    return groups


def timing(item: Item, t: float) -> str:
    """``early`` / ``inside`` / ``late`` against the benchmark window of the answer nearest to ``t``."""
    def gap(a):
        lo, hi = item.window(a)
        return lo - t if t < lo else (t - hi if t > hi else 0.0)

    lo, hi = item.window(min(item.answers, key=gap))
    if within(t, lo, hi):  # the benchmark's own window test (TIME_EPS at the edges), as in_window
        return "inside"
    return "early" if t < lo else "late"


def timing_advantages(groups: list[list[dict[str, Any]]]) -> dict[str, dict[str, dict[str, Any]]]:
    """Per task and timing kind: how many responses, and the mean GRPO advantage (``grpo.group_advantages`` of
    the group's totals) of the rollouts they belong to, counted once per response."""
    acc: dict[str, dict[str, list[float]]] = {}
    for g in groups:
        adv = group_advantages(torch.tensor([[r["total"] for r in g]], dtype=torch.float64))[0].tolist()
        for r, a in zip(g, adv, strict=True):
            for kind in r.get("timing", []):
                acc.setdefault(r["task"], {k: [] for k in TIMINGS})[kind].append(float(a))
    return {task: {k: {"responses": len(v), "mean_advantage": float(np.mean(v)) if v else None} for k, v in kinds.items()}
            for task, kinds in sorted(acc.items())}


def summarize(groups: list[list[dict[str, Any]]]) -> dict[str, Any]:
    out: dict[str, Any] = {"groups": len(groups), "rollouts": sum(len(g) for g in groups)}
    f1_constant = sum(len({r["f1"] for r in g}) == 1 for g in groups)
    out["groups_with_constant_f1"] = f1_constant
    for part in PARTS:
        rhos, best_hits, informative = [], 0, 0
        for g in groups:
            f1 = np.array([r["f1"] for r in g])
            x = np.array([r[part] for r in g])
            if len(set(f1)) < 2:
                continue
            informative += 1
            top = np.flatnonzero(f1 == f1.max())
            best_hits += int(np.argmax(x) in top and x.max() > x.min())
            if len(set(x)) > 1:
                rhos.append(float(spearmanr(x, f1).statistic))
        out[part] = {"mean_spearman": float(np.mean(rhos)) if rhos else None, "groups_ranked": len(rhos),
                     "best_f1_gets_best_reward": best_hits / informative if informative else None,
                     "mean": float(np.mean([r[part] for g in groups for r in g]))}
    out["mean_f1"] = float(np.mean([r["f1"] for g in groups for r in g]))
    out["mean_responses"] = float(np.mean([r["responses"] for g in groups for r in g]))
    out["timing"] = timing_advantages(groups)
    out["headroom"] = headroom(groups)
    return out


def headroom(groups: list[list[dict[str, Any]]]) -> dict[str, dict[str, float]]:
    """Per task (and ``all``): groups, the sampled rollouts' mean F1, the F1 of the rollout with the best total
    reward (ties: their mean F1) and the group's best F1 (best-of-G), each averaged over the groups."""
    acc: dict[str, list[tuple[float, float, float]]] = {}
    for g in groups:
        f1, total = np.array([r["f1"] for r in g]), np.array([r["total"] for r in g])
        row = (float(f1.mean()), float(f1[total == total.max()].mean()), float(f1.max()))
        for key in (g[0].get("task", "?"), "all"):
            acc.setdefault(key, []).append(row)
    keys = ("mean_f1", "reward_pick_f1", "best_f1")
    return {task: {"groups": len(rows), **dict(zip(keys, np.mean(rows, axis=0).tolist(), strict=True))}
            for task, rows in sorted(acc.items(), key=lambda kv: (kv[0] == "all", kv[0]))}


def table(summary: dict[str, Any]) -> str:
    lines = ["| reward part | mean within-group Spearman with F1 | groups ranked | best-F1 rollout gets the best reward | mean value |",
             "|---|---|---|---|---|"]
    for part in PARTS:
        s = summary[part]
        rho = "–" if s["mean_spearman"] is None else f"{s['mean_spearman']:.2f}"
        hit = "–" if s["best_f1_gets_best_reward"] is None else f"{100 * s['best_f1_gets_best_reward']:.0f} %"
        lines.append(f"| {part} | {rho} | {s['groups_ranked']} | {hit} | {s['mean']:.3f} |")
    if summary.get("timing"):
        lines += ["", "| task | " + " | ".join(f"{k}: responses, mean advantage" for k in TIMINGS) + " |",
                  "|---" * (len(TIMINGS) + 1) + "|"]
        for task, kinds in summary["timing"].items():
            cells = [f"{c['responses']}, {'–' if c['mean_advantage'] is None else format(c['mean_advantage'], '+.2f')}"
                     for c in (kinds[k] for k in TIMINGS)]
            lines.append(f"| {task} | " + " | ".join(cells) + " |")
    if summary.get("headroom"):
        lines += ["", "| task | groups | sampled mean F1 | F1 of the best-reward rollout | best-of-G F1 |",
                  "|---|---|---|---|---|"]
        lines += [f"| {task} | {h['groups']} | {100 * h['mean_f1']:.1f} | {100 * h['reward_pick_f1']:.1f} | "
                  f"{100 * h['best_f1']:.1f} |" for task, h in summary["headroom"].items()]
    return "\n".join(lines)


def run_study(cfg: StudyConfig, out: Path, progress: bool = True) -> dict[str, Any]:
    groups = rollout_scores(cfg, progress)
    summary = summarize(groups)
    out.mkdir(parents=True, exist_ok=True)
    (out / "rollouts.json").write_text(json.dumps(groups))
    (out / "summary.json").write_text(json.dumps({"config": cfg.__dict__, **summary}, indent=2))
    (out / "table.md").write_text(table(summary) + "\n")
    return summary
