"""The round-15 figures (issue 18): round 14's three-seed protocol rebuilt from nothing and scored on a test split four
times larger (test1400-three-seeds.sh; the split and its role were fixed before any of its scores existed).

1. Rebuild: each seed's W-Avg on the 350-question test split against the values round 14 printed
   (round14-stats.txt), i.e. whether a fresh checkout remakes the same models.
2. The bar on test1400 (200 questions per task, split seed 1): SFT against SFT + GRPO epoch per dimension, both 95 %
   t-intervals, apart or overlapping, the paired gain, the seeds non-overlap would need; per task; the references.
3. The same on the 350-question split (round 14's table, remade).
4. How much of the seed-to-seed spread is the draw of test questions (question_draw_sd), against the SD of the
   scores over seeds, on both splits: the part a larger split shrinks.
5. A second GRPO epoch from each seed's first (second-epoch-3000.sh, run after reading 2), on both splits.
Reads runs/w9; prints plain text (-> round15-stats.txt)."""

import itertools
import re
from pathlib import Path

import numpy as np
from spread_stats import (
    DIMENSIONS,
    W9,
    compare,
    done,
    f1,
    intervals,
    paired_task_gains,
    reward_first_last,
    scores,
)

from streampro.core.items import TASKS as RULES

LONG = "grounding-aux0.3-3000-trainseed{s}"
SFT, GRPO = f"sft-{LONG}-seed{{s}}", f"grpo-{LONG}-seed{{s}}"
SPLITS = {"eval1400": "test1400 (1,400 questions)", "eval": "test (350 questions)"}
seeds = [s for s in range(3) if all(done(n, s, sp) for n in (SFT, GRPO) for sp in SPLITS)]
HERE = Path(__file__).parent

print("# 1. Rebuild: W-Avg on the 350-question test split, this checkout against round 14's printed values")
line = next(x for x in (HERE / "round14-stats.txt").read_text().splitlines() if x.startswith("the unweighted epoch"))
then = re.findall(r"([\d.]+) -> ([\d.]+)", line.split("W-Avg per seed")[1])
for s in seeds:
    now = tuple(f"{f1(n, s)['wavg']:.1f}" for n in (SFT, GRPO))
    print(f"seed {s}: SFT {now[0]} (round 14: {then[s][0]}), GRPO {now[1]} (round 14: {then[s][1]})")
print("training reward, first/last 25 steps: " + " / ".join(
    reward_first_last(f"seed{s}/grpo-{LONG.format(s=s)}") for s in seeds))

for n, (split, label) in enumerate(SPLITS.items(), start=2):
    print(f"\n# {n}. Three seeds on {label}: the 3,000-step grounding SFT -> + GRPO epoch (the paper's rewards)")
    compare("the GRPO epoch", SFT, GRPO, seeds, split)
    refs = [m for m in ("random", "eager", "silent", "reactive") if (W9 / split / m / "summary.json").exists()]
    print("references: " + "; ".join(
        f"{m} W-Avg {f1(m, 0, split)['wavg']:.1f}, " + " / ".join(
            f"{d} {f1(m, 0, split)['dimensions'][d]['f1']:.1f}" for d in ("perception", "temporal", "proactive"))
        for m in refs))


def question_draw_sd(split: str, name: str, dimension: str | None) -> float:
    """The part of one model's score that is the draw of test questions against that model (F1 points).

    Every model answers the same questions, so what the questions have in common (some are hard for all) cancels
    between seeds; what does not is each model's own luck on them. For two seeds a, b the score difference has
    variance var(per-question difference) / n from that alone, shared by two models, so one model's share is that
    over 2. Averaged over the pairs of seeds; it shrinks as 1/sqrt(n) with a larger split, the models' own
    differences do not."""
    sds = []
    for a, b in itertools.combinations(seeds, 2):
        x, y = (scores(f"{split}/{name.format(s=s)}") for s in (a, b))
        d = np.array([x[k][1] - y[k][1] for k, (task, _) in x.items()
                      if dimension is None or RULES[task].dimension == dimension])
        sds.append(np.std(d, ddof=1) / np.sqrt(2 * len(d)))
    return float(np.mean(sds))


print("\n# 4. The draw of test questions against the seed-to-seed spread (F1 points)")
for split, label in SPLITS.items():
    for dim, key in (("W-Avg", None), ("proactive", "proactive")):
        for stage, name in (("SFT", SFT), ("GRPO", GRPO)):
            q = question_draw_sd(split, name, key)
            vals = [dict(DIMENSIONS)[dim](f1(name, s, split)) for s in seeds]
            sd = np.std(vals, ddof=1)
            print(f"{label}, {dim}, {stage}: SD over seeds {sd:.2f}; of it the question draw {q:.2f} "
                  f"({min(q**2 / sd**2, 1.0):.0%} of the variance), the models {np.sqrt(max(sd**2 - q**2, 0.0)):.2f}")

print("\n# 5. A second GRPO epoch (second-epoch-3000.sh, run after reading 2): one epoch -> two, and SFT -> two")
GRPO2 = f"grpo2-{LONG}-seed{{s}}"
for split, label in SPLITS.items():
    two = [s for s in seeds if done(GRPO2, s, split)]
    if not two:
        continue
    print(f"{label}, seeds {two}; W-Avg per seed (SFT -> one -> two epochs) " + " / ".join(
        " -> ".join(f"{f1(n, s, split)['wavg']:.1f}" for n in (SFT, GRPO, GRPO2)) for s in two))
    print("the second epoch against the first:")
    intervals(GRPO, GRPO2, two, split, ("one epoch", "two epochs"))
    print("two epochs against the SFT:")
    intervals(SFT, GRPO2, two, split, ("SFT", "two epochs"))
    print("per task, two epochs - SFT (mean ± 95 %, per seed):")
    paired_task_gains(SFT, GRPO2, two, split)
two = [s for s in seeds if (W9 / f"seed{s}/grpo2-{LONG.format(s=s)}/log.jsonl").exists()]
print("training reward of the second epoch, first/last 25 steps: " + " / ".join(
    reward_first_last(f"seed{s}/grpo2-{LONG.format(s=s)}") for s in two))
