"""Mean ± 95 % t-interval over the three seeds of runs/r5's SFT-CB and of each one-epoch GRPO run that exists
(runs/g5-trajectory, runs/g5-tree; made by run.sh), test split, plus the paired gain over the SFT model each row
started from. Round 7's grounding SFT and its GRPO epoch (runs/g7, docs/measured/grounding/three-seeds.sh) and
round 8's (runs/g8, docs/measured/grounding/three-seeds-random.sh) too; and round 9's, in the world with spread event
times (runs/w9, docs/measured/spread/three-seeds.sh) — scored on that world's own test split, with the reference
models scored on it below the table; round 10's GRPO epoch with Risk Forecasting added to the RL data
(docs/measured/spread/rf-in-rl.sh) and its grounding SFT with motion_aux 0.3, with and without a GRPO epoch
(docs/measured/spread/grounding-three-seeds.sh), in the same world; round 11's grounding SFT with live-captioning
data mixed in, with and without a GRPO epoch (docs/measured/spread/captioning-three-seeds.sh); round 12's 1,875-step
SFTs, both, each with and without a GRPO epoch (docs/measured/spread/longer-sft-three-seeds.sh); round 14's 3,000-step
grounding SFT with the unweighted epoch and with the RL mix task_weights {GP: 3} (docs/measured/spread/sft3000-three-seeds.sh;
its run and evaluation names carry -trainseed{s})."""

import json
from pathlib import Path

from streampro.core.stats import mean_ci

#: the spread world's SFT-CB row, which three rows' paired gains start from
SPREAD_SFT = "spread world (timing_spread 3, its own test split): sft-cb"
#: round 11's SFT: round 10's grounding SFT (motion_aux 0.3) with captioning data in its mix
SPREAD_CAP = "spread world: sft-cb, grounding, motion_aux 0.3, + captioning data"
#: round 12's SFTs: the two above with 1,875 steps instead of 1,500
SPREAD_LONG = "spread world: sft-cb, grounding, motion_aux 0.3, 1,875 steps"
SPREAD_LONG_CAP = SPREAD_CAP + ", 1,875 steps"
#: round 14's SFT: round 12's grounding SFT with 3,000 steps
SPREAD_3000 = "spread world: sft-cb, grounding, motion_aux 0.3, 3,000 steps"
#: row -> (its evaluations, the row whose SFT model it started from: the paired gains are over that row)
ROWS = {"sft-cb": ("runs/r5/seed{s}/eval/sft-cb", None),
        "sft-cb+grpo (reproduce's 10 steps)": ("runs/r5/seed{s}/eval/sft-cb+grpo", "sft-cb"),
        "sft-cb+grpo, one epoch (paper's credit)": ("runs/g5-trajectory/eval/seed{s}", "sft-cb"),
        "sft-cb+grpo, one epoch, tree credit (ours)": ("runs/g5-tree/eval/seed{s}", "sft-cb"),
        "sft-cb, grounding (projector, motion, motion_aux 1)": ("runs/g7/eval/sft-seed{s}", None),
        "sft-cb, grounding, + grpo one epoch (paper's credit)": ("runs/g7/eval/grpo-seed{s}",
                                                                  "sft-cb, grounding (projector, motion, motion_aux 1)"),
        "sft-cb, grounding, random batches": ("runs/g8/eval/sft-seed{s}", None),
        "sft-cb, grounding, random batches, + grpo one epoch": ("runs/g8/eval/grpo-seed{s}",
                                                                 "sft-cb, grounding, random batches"),
        SPREAD_SFT: ("runs/w9/eval/sft-seed{s}", None),
        "spread world: sft-cb + grpo one epoch (paper's credit)": ("runs/w9/eval/grpo-seed{s}", SPREAD_SFT),
        "spread world: sft-cb + grpo one epoch, RF in the RL data (modification)": (
            "runs/w9/eval/grpo-rf-seed{s}", SPREAD_SFT),
        "spread world: sft-cb, grounding, motion_aux 0.3": ("runs/w9/eval/sft-grounding-aux0.3-seed{s}", None),
        "spread world: sft-cb, grounding, motion_aux 0.3, + grpo one epoch": (
            "runs/w9/eval/grpo-grounding-aux0.3-seed{s}", "spread world: sft-cb, grounding, motion_aux 0.3"),
        SPREAD_CAP: ("runs/w9/eval/sft-cap-grounding-seed{s}", None),
        SPREAD_CAP + ", + grpo one epoch": ("runs/w9/eval/grpo-cap-grounding-seed{s}", SPREAD_CAP),
        SPREAD_LONG: ("runs/w9/eval/sft-grounding-aux0.3-1875-seed{s}", None),
        SPREAD_LONG + ", + grpo one epoch": ("runs/w9/eval/grpo-grounding-aux0.3-1875-seed{s}", SPREAD_LONG),
        SPREAD_LONG_CAP: ("runs/w9/eval/sft-cap-grounding-1875-seed{s}", None),
        SPREAD_LONG_CAP + ", + grpo one epoch": ("runs/w9/eval/grpo-cap-grounding-1875-seed{s}", SPREAD_LONG_CAP),
        SPREAD_3000: ("runs/w9/eval/sft-grounding-aux0.3-3000-trainseed{s}-seed{s}", None),
        SPREAD_3000 + ", + grpo one epoch": ("runs/w9/eval/grpo-grounding-aux0.3-3000-trainseed{s}-seed{s}", SPREAD_3000),
        SPREAD_3000 + ", + grpo one epoch, task_weights {GP: 3} (ours)": (
            "runs/w9/eval/grpo-grounding-aux0.3-3000-trainseed{s}-gp3-seed{s}", SPREAD_3000)}
#: reference models scored once on the spread world's test split
SPREAD_REFS = ("random", "eager", "silent", "reactive")
COLS = {"perception": lambda f: f["dimensions"]["perception"]["f1"], "temporal": lambda f: f["dimensions"]["temporal"]["f1"],
        "proactive": lambda f: f["dimensions"]["proactive"]["f1"], "W-Avg": lambda f: f["wavg"],
        "AA": lambda f: f["tasks"]["AA"]["f1"], "TG": lambda f: f["tasks"]["TG"]["f1"], "GP": lambda f: f["tasks"]["GP"]["f1"],
        "RF": lambda f: f["tasks"]["RF"]["f1"]}


def ci(xs: list[float]) -> str:
    return "{:.1f} ± {:.1f}".format(*mean_ci(xs))


def load(pattern: str) -> list[dict] | None:
    paths = [Path(pattern.format(s=s)) / "summary.json" for s in range(3)]
    return [json.loads(p.read_text())["f1"] for p in paths] if all(p.exists() for p in paths) else None


print("| model | " + " | ".join(COLS) + " | W-Avg per seed | paired W-Avg gain | paired proactive gain |")
print("|---" * (len(COLS) + 4) + "|")
for name, (pattern, start) in ROWS.items():
    runs = load(pattern)
    if runs is None:
        continue
    cells = [ci([get(f) for f in runs]) for get in COLS.values()]
    base = load(ROWS[start][0]) if start else None
    gains = [ci([COLS[c](f) - COLS[c](b) for f, b in zip(runs, base, strict=True)]) if base else "" for c in ("W-Avg", "proactive")]
    per_seed = " / ".join(f"{f['wavg']:.1f}" for f in runs)
    print(f"| {name} | " + " | ".join(cells) + f" | {per_seed} | " + " | ".join(gains) + " |")

refs = {m: Path(f"runs/w9/eval/{m}/summary.json") for m in SPREAD_REFS}
if all(p.exists() for p in refs.values()):
    print("\nReference models on the spread world's test split (one run each):\n")
    print("| model | " + " | ".join(COLS) + " |")
    print("|---" * (len(COLS) + 1) + "|")
    for m, p in refs.items():
        f = json.loads(p.read_text())["f1"]
        print(f"| {m} | " + " | ".join(f"{get(f):.1f}" for get in COLS.values()) + " |")
