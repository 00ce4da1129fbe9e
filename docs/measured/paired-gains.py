"""Issue 18: the paired gain of one GRPO epoch over its own SFT-CB start, over the six seeds of runs/r3 + runs/g18
(random-batch SFT) and runs/r4 (length-grouped SFT), test split. Run from the repository root after
`bash docs/measured/grpo-epoch-3-seeds.sh` and the runs/r4 reproduce named in docs/results.md."""

import json

from streampro.core.stats import mean_ci


def f1(path: str) -> dict:
    return json.load(open(path))["f1"]


pairs = [(f"runs/r3/seed{s}/eval/sft-cb", f"runs/g18/eval/seed{s}") for s in range(3)]
pairs += [(f"runs/r4/seed{s}/eval/sft-cb", f"runs/r4/seed{s}/eval/sft-cb+grpo") for s in range(3)]
for name, get in (("W-Avg", lambda f: f["wavg"]), ("proactive", lambda f: f["dimensions"]["proactive"]["f1"])):
    gains = [get(f1(f"{b}/summary.json")) - get(f1(f"{a}/summary.json")) for a, b in pairs]
    mean, half = mean_ci(gains)
    print(f"{name}: gains {[round(g, 2) for g in gains]}, mean {mean:.2f} ± {half:.2f} (95 % t)")
