"""The round-21 figures (issue 18), read from runs/w9; run from the repository root (-> round21-stats.txt).

1. Plan recital (gp-recital-val.sh, val350, seeds 3 and 5): the 600-step continuation with RCT (C) and round 20's
   control without it (B), each before and after one paper's epoch — scores, which square the GP answers name
   (gp_colour_choice.py), and the script's rule on GRPO's gain.
2. Right answers by plan step (plan_steps.py) on val350's GP and on 50 held-out RCT questions (rctval50).
3. rct-capacity-val.sh (1,800 steps of RCT only) and its reading."""

import sys
from pathlib import Path

from plan_steps import by_step
from plan_steps import line as steps_line
from spread_stats import done
from val_rows import VAL_ITEMS, VAL_PAIR, means, n, row

from streampro.data.schema import load_items

ARMS = {"(B) SFT + 600 steps": n("sft600"), "(C) SFT + 600 steps with RCT": n("sftrct600"),
        "(B) + the paper's epoch": n("grpo-sft600"), "(C) + the paper's epoch": n("grpo-sftrct600")}
if not all(done(name, s, "val") for name in ARMS.values() for s in VAL_PAIR):
    sys.exit("round21_stats.py: val350 scores missing; run docs/measured/spread/gp-recital-val.sh")

print("# 1. Plan recital (gp-recital-val.sh, val350, seeds 3 and 5)")
print("the SFT: " + " | ".join(f"seed {s}: {row(n('sft'), s)}" for s in VAL_PAIR))
m = {}
for label, name in ARMS.items():
    m[label] = means(name, VAL_PAIR)
    print(f"{label}: " + " | ".join(f"seed {s}: {row(name, s)}" for s in VAL_PAIR)
          + f"; mean W-Avg {m[label][0]:.2f}, proactive {m[label][1]:.2f}")
gain = {arm: [m[f"{arm} + the paper's epoch"][i] - m[next(k for k in m if k.startswith(f"{arm} SFT"))][i] for i in (0, 1)]
        for arm in ("(B)", "(C)")}
for arm, (gw, gp) in gain.items():
    print(f"{arm} GRPO's gain (epoch minus its SFT, mean of seeds 3 and 5): W-Avg {gw:+.2f}, proactive {gp:+.2f}")
wc, wb = m["(C) + the paper's epoch"][0], m["(B) + the paper's epoch"][0]
met = gain["(C)"][1] >= gain["(B)"][1] + 1.5 and wc >= wb
print(f"rule (C's proactive gain >= B's + 1.5 and C's W-Avg after the epoch >= B's): proactive gain "
      f"{gain['(C)'][1]:+.2f} vs {gain['(B)'][1]:+.2f}, W-Avg {wc:.2f} vs {wb:.2f}: "
      + ("met: the full RCT recipe next" if met else "not met: RCT reported as tried"))

print("\n# 2. Right share by plan step (plan_steps.py): first (the plan's second square), middle (the square after the one"
      " the previous answer named), last (the goal is complete)")
val_runs = {"the 6,000-step SFT": n("sft"), "(B) SFT + 600 steps": n("sft600"), "(C) with RCT": n("sftrct600"),
            "(B) + the paper's epoch": n("grpo-sft600"), "(C) + the paper's epoch": n("grpo-sftrct600"),
            "two paper's epochs from the SFT": n("grpo2")}
for label, name in val_runs.items():
    for s in VAL_PAIR:
        print(f"val350 GP, {label}, seed {s}: {steps_line('runs/w9/val/' + name.format(s=s), VAL_ITEMS)}")
print(f"val350 GP, round 19's sftgp600 (GP's answers shown), seed 3: "
      f"{steps_line('runs/w9/val/' + n('sftgp600').format(s=3), VAL_ITEMS)}")
RCT_ITEMS = load_items("runs/w9/data/rctval50/items.jsonl")
for label, arm in (("(C) with RCT", "sftrct600"), ("(D) 1,800 steps of RCT only", "rctonly1800")):
    for s in VAL_PAIR:
        if Path(f"runs/w9/val/rctval50-{arm}-seed{s}/summary.json").exists():
            print(f"rctval50 RCT, {label}, seed {s}: {steps_line(f'runs/w9/val/rctval50-{arm}-seed{s}', RCT_ITEMS)}")

if all(done(n("rctonly1800"), s, "val") and Path(f"runs/w9/val/rctval50-rctonly1800-seed{s}").exists() for s in VAL_PAIR):
    print("\n# 3. Can the model learn the lookup? (rct-capacity-val.sh: 1,800 steps of RCT only, seeds 3 and 5)")
    print("(D) on val350: " + " | ".join(f"seed {s}: {row(n('rctonly1800'), s)}" for s in VAL_PAIR))
    mid = [by_step(f"runs/w9/val/rctval50-rctonly1800-seed{s}", RCT_ITEMS) for s in VAL_PAIR]
    share = sum(100 * r["middle"] / max(1, seen["middle"]) for seen, r, _ in mid) / len(mid)
    print(f"reading (middle-step right share on rctval50, mean of the seeds: >= 60 % learnable, < 30 % not in this "
          f"budget): {share:.1f} %: " + ("learnable: a larger RCT share next" if share >= 60 else
                                        "not learned in this budget: the model is the lever" if share < 30 else "undecided"))
