"""The round-10 figures that are not a table row (issue 18): per-task paired gains over three seeds, RF's time and
content, the training reward's first and last 25 GRPO steps, the SFT losses over steps 1350-1500, and how many
seeds non-overlapping 95 % t-intervals would need at the measured gains and spreads. Reads runs/w9 (made by the
scripts beside this file); prints plain text (→ round10-stats.txt)."""

import numpy as np
from spread_stats import W9, f1, paired_task_gains, reward_first_last, seeds_for, seeds_text, sft_losses

#: (label, the evaluation it starts from, the evaluation after) — eval folders under runs/w9/eval, {s} the seed
PAIRS = (("grounding SFT over SFT-CB", "sft-seed{s}", "sft-grounding-aux0.3-seed{s}"),
         ("GRPO over grounding SFT", "sft-grounding-aux0.3-seed{s}", "grpo-grounding-aux0.3-seed{s}"),
         ("GRPO with RF in the RL data over SFT-CB", "sft-seed{s}", "grpo-rf-seed{s}"),
         ("GRPO with RF in the RL data over the paper-split GRPO", "grpo-seed{s}", "grpo-rf-seed{s}"))


def seeds_needed(before: list[float], after: list[float]) -> str:
    gain = np.mean(after) - np.mean(before)
    return (f"gain {gain:+.2f}, SD {np.std(before, ddof=1):.2f} / {np.std(after, ddof=1):.2f}: "
            + seeds_text(seeds_for(before, after)))


for label, before, after in PAIRS:
    print(f"## {label} (paired, mean ± 95 % t; per seed)")
    paired_task_gains(before, after, range(3))
    for part in ("time", "acc"):
        print(f"RF {part}: " + " / ".join(f"{f1(before, s)['tasks']['RF'][part]:.1f}" for s in range(3)) + " -> "
              + " / ".join(f"{f1(after, s)['tasks']['RF'][part]:.1f}" for s in range(3)))
    print()

print("## Training reward, mean of the first and last 25 GRPO steps")
for run in ("grpo-grounding-aux0.3", "grpo-rf", "grpo2", "grpo-rf-grounding-aux0.3"):
    for s in range(3):
        if (W9 / f"seed{s}" / run / "log.jsonl").exists():
            print(f"seed{s}/{run}: {reward_first_last(f'seed{s}/{run}')}")
print()

print("## SFT losses, mean of the log lines at steps 1350-1500")
for s in range(3):
    for run in ("sft-cb", "sft-grounding", "sft-grounding-aux0.3"):
        if (W9 / f"seed{s}" / run / "log.jsonl").exists():
            print(f"seed{s}/{run}: {sft_losses(f'seed{s}/{run}', since=1350)}")
print()

print("## Seeds for non-overlapping 95 % t-intervals, grounding SFT -> + GRPO")
for dim, get in (("W-Avg", lambda f: f["wavg"]), ("proactive", lambda f: f["dimensions"]["proactive"]["f1"])):
    print(f"{dim}: " + seeds_needed([get(f1("sft-grounding-aux0.3-seed{s}", s)) for s in range(3)],
                                    [get(f1("grpo-grounding-aux0.3-seed{s}", s)) for s in range(3)]))
