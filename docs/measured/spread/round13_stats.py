"""The round-13 figures (issue 18): why the three-seed bar stays out of reach, measured from two sides.

1. Is the seed spread the test split's noise? For the five 1,875-step grounding SFTs and their GRPO epochs (round
   12), each model's W-Avg is a mean over 350 questions; the part of the between-seed SD that comes from which
   questions were drawn is the seed x question residual of a two-way layout per task (each task's residual
   variance / its question count, weighted as W-Avg weights the tasks). A larger test split removes only that part.
2. How much is there for GRPO to sharpen? From seed 0's 1,875-step SFT, 140 val350 questions x G 8 rollouts
   (`streampro train reward-study`, runs/w9/r13-headroom-seed0): the sampled mean F1, the F1 of the rollout the
   paper's reward ranks first, the best-of-8 F1, and the greedy F1 of the SFT and of its GRPO epoch on the same
   questions (their val350 evaluations).
3. The learning-rate probe (grpo-lr-val.sh): val350 W-Avg and dimensions of GRPO at lr 1e-4 / 3e-4 / 1e-3 from
   the same SFT, with the training reward's first and last 25 steps and the KL at the end.
Reads runs/w9; prints plain text (-> round13-stats.txt)."""

import json
from collections import defaultdict

import numpy as np
from spread_stats import TASKS, W9, done, f1, log, reward_first_last

from streampro.data.schema import load_items
from streampro.train.reward_study import summarize, table
from streampro.train.trajectory import select_tasks


def per_question(name: str, s: int) -> dict[str, tuple[str, float]]:
    rows = map(json.loads, (W9 / "eval" / name.format(s=s) / "scores.jsonl").open())
    return {r["id"]: (r["task"], 100 * r["f1"]) for r in rows}


def question_noise(name: str, seeds: list[int]) -> None:
    runs = [per_question(name, s) for s in seeds]
    ids = sorted(runs[0])
    m = np.array([[run[i][1] for i in ids] for run in runs])  # seeds x questions
    task = np.array([runs[0][i][0] for i in ids])
    var = 0.0
    for t in TASKS:
        sub = m[:, task == t]
        res = sub - sub.mean(0, keepdims=True) - sub.mean(1, keepdims=True) + sub.mean()
        var += (res ** 2).sum() / ((sub.shape[0] - 1) * (sub.shape[1] - 1)) / sub.shape[1] * (sub.shape[1] / len(ids)) ** 2
    w = m.mean(1)
    print(f"{name.format(s='S')}: W-Avg per seed " + " / ".join(f"{x:.1f}" for x in w)
          + f"; between-seed SD {w.std(ddof=1):.2f}, of which the question draw {np.sqrt(var):.2f}")


print("# 1. The seed spread and the test split's question noise (test, 350 questions, seeds 0-4)")
for stage in ("sft", "grpo"):
    question_noise(f"{stage}-grounding-aux0.3-1875-seed{{s}}", [0, 1, 2, 3, 4])

print("\n# 2. Headroom: seed 0's 1,875-step SFT, 140 val350 questions x G 8 (reward-study, seed 0)")
study = W9 / "r13-headroom-seed0"
groups = json.loads((study / "rollouts.json").read_text())
cfg = json.loads((study / "summary.json").read_text())["config"]
items = select_tasks(load_items(cfg["items"]), cfg["tasks"], cfg["items"])
picked = [items[i] for i in np.random.default_rng(cfg["seed"]).choice(len(items), cfg["groups"], replace=False)]
assert [g[0]["task"] for g in groups] == [it.task for it in picked], "the study's question draw is not reproduced"
print(table(summarize(groups)).split("\n\n")[-1])
for stage in ("sft", "grpo"):
    scores = {r["id"]: 100 * r["f1"] for r in map(json.loads, (W9 / "val" / f"{stage}-grounding-aux0.3-1875" / "scores.jsonl").open())}
    by = defaultdict(list)
    for it in picked:
        by[it.task].append(scores[it.id])
        by["all"].append(scores[it.id])
    print(f"greedy {stage} on the same questions: " + ", ".join(f"{k} {np.mean(v):.1f}" for k, v in sorted(by.items(), key=lambda kv: (kv[0] == 'all', kv[0]))))

print("\n# 3. GRPO learning rate on val350 (seed 0, from the 1,875-step grounding SFT)")
sft = f1("sft-grounding-aux0.3-1875", 0, "val")
print(f"SFT: W-Avg {sft['wavg']:.1f} (" + " / ".join(f"{d} {v['f1']:.1f}" for d, v in sft["dimensions"].items()) + ")")
for lr, run in (("1e-4", "grpo-grounding-aux0.3-1875"), ("3e-4", "grpo-grounding-aux0.3-1875-lr3e-4"),
                ("1e-3", "grpo-grounding-aux0.3-1875-lr1e-3")):
    if not done(run, 0, "val"):
        continue
    v = f1(run, 0, "val")
    kl = np.mean([r["kl"] for r in log(f"seed0/{run}")[-25:]])
    print(f"lr {lr}: W-Avg {v['wavg']:.1f} ({v['wavg'] - sft['wavg']:+.1f}); " + " / ".join(
        f"{d} {x['f1']:.1f}" for d, x in v["dimensions"].items()) + "; tasks " + " ".join(
        f"{t} {v['tasks'][t]['f1'] - sft['tasks'][t]['f1']:+.1f}" for t in TASKS)
          + f"; reward {reward_first_last(f'seed0/{run}')}; KL, last 25 steps {kl:.3f}")
