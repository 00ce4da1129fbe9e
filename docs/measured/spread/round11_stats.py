"""The round-11 figures that are not a table row (issue 18): what captioning data in SFT did. Per-task paired gains
(captioning SFT over round 10's grounding SFT; GRPO over the captioning SFT), AA's time and content and how often an
AA response names an anomaly at all, the training reward's first and last 25 GRPO steps, the SFT losses over steps
1350-1500, the 95 % t-intervals of SFT and SFT+GRPO with whether they overlap, and the seeds non-overlap would need.
Seeds: every seed with both evaluations (SEEDS=0,1,2 to restrict). Reads runs/w9; prints plain text
(→ round11-stats.txt)."""

import os
import statistics

from spread_stats import (
    W9,
    done,
    f1,
    intervals,
    late_rows,
    names_an_anomaly,
    paired_task_gains,
    reward_first_last,
    sft_losses,
)

SFT, GRPO, BEFORE = "sft-cap-grounding-seed{s}", "grpo-cap-grounding-seed{s}", "sft-grounding-aux0.3-seed{s}"
SEEDS = ([int(x) for x in os.environ["SEEDS"].split(",")] if "SEEDS" in os.environ
         else [s for s in range(10) if done(SFT, s) and done(GRPO, s)])


print(f"seeds: {SEEDS}\n")
for label, before, after in (("captioning SFT over round 10's grounding SFT", BEFORE, SFT),
                             ("GRPO over the captioning SFT", SFT, GRPO)):
    seeds = [s for s in SEEDS if done(before, s)]
    print(f"## {label} (paired, mean ± 95 % t; per seed {seeds})")
    paired_task_gains(before, after, seeds)
    for part in ("time", "acc"):
        print(f"AA {part}: " + " / ".join(f"{f1(before, s)['tasks']['AA'][part]:.1f}" for s in seeds) + " -> "
              + " / ".join(f"{f1(after, s)['tasks']['AA'][part]:.1f}" for s in seeds))
    print("AA responses naming an anomaly: " + " / ".join(names_an_anomaly(before, s) for s in seeds) + " -> "
          + " / ".join(names_an_anomaly(after, s) for s in seeds))
    print()

print("## Training reward, mean of the first and last 25 GRPO steps")
for s in SEEDS:
    print(f"seed{s}: {reward_first_last(f'seed{s}/grpo-cap-grounding')}")
print()

print("## SFT losses, mean of the log lines at steps 1350-1500")
for s in SEEDS:
    print(f"seed{s}: {sft_losses(f'seed{s}/sft-cap-grounding', since=1350)}")
print()

print(f"## Captioning SFT -> + GRPO over seeds {SEEDS}: 95 % t-intervals")
intervals(SFT, GRPO, SEEDS)
R10 = ("sft-grounding-aux0.3-seed{s}", "grpo-grounding-aux0.3-seed{s}")
R10_SEEDS = [s for s in range(10) if all(done(name, s) for name in R10)]
print(f"\n## Round 10's recipe (grounding SFT, motion_aux 0.3 -> + GRPO) over seeds {R10_SEEDS}: 95 % t-intervals")
intervals(*R10, R10_SEEDS)

print("\n## Seed 0, val350: the SFT with 1,875 steps (captioning-steps-val.sh) beside the 1,500-step runs, and the GRPO")
print("## epoch from each (captioning-steps-val-grpo.sh; round 10/11's GRPO runs for the 1,500-step SFTs)")
print("run | val W-Avg | EU F1 | EU content % | OU F1 | AA F1 | GP F1 | proactive | AA responses naming an anomaly | "
      "answer loss, last 10 % of SFT steps")
for run in ("sft-grounding-aux0.3", "grpo-grounding-aux0.3", "sft-grounding-aux0.3-1875", "grpo-grounding-aux0.3-1875",
            "sft-cap-grounding", "grpo-cap-grounding", "sft-cap-grounding-1875", "grpo-cap-grounding-1875"):
    if not (W9 / "val" / run / "summary.json").exists():
        continue
    v = f1(run, 0, "val")
    tail = late_rows(f"seed0/{run}")
    loss = f"{statistics.mean(r['answer'] for r in tail):.3f}" if "answer" in tail[0] else "-"
    t = v["tasks"]
    print(f"{run} | {v['wavg']:.1f} | {t['EU']['f1']:.1f} | {t['EU']['acc']:.1f} | {t['OU']['f1']:.1f} | "
          f"{t['AA']['f1']:.1f} | {t['GP']['f1']:.1f} | {v['dimensions']['proactive']['f1']:.1f} | "
          f"{names_an_anomaly(run, 0, 'val', 'data/val350/items.jsonl')} | {loss}")
