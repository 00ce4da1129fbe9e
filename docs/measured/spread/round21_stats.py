"""The round-21 figures (issue 18), read from runs/w9; run from the repository root (-> round21-stats.txt).

1. Plan recital (gp-recital-val.sh, val350, seeds 3 and 5): the 600-step continuation with RCT (C) and round 20's
   control without it (B), each before and after one paper's epoch — scores, which square the GP answers name
   (gp_colour_choice.py), and the script's rule on GRPO's gain."""

import sys

from spread_stats import done
from val_rows import VAL_PAIR, means, n, row

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
