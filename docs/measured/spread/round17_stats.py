"""The round-17 figures (issue 18): seeds 3, 4 and 5 of round 16's captioning recipe (action-captions-seeds-3-4.sh,
action-captions-seed-5.sh), a check of round 16's prediction that five seeds would separate W-Avg and six proactive.
Not the done-when's bar (three seeds), which round 16 reported as not met.

1. The new seeds on test1400: SFT -> the paper's GRPO epoch per seed, per dimension and per task, the training
   reward, AA responses naming an anomaly, and how GP is answered.
2. Five and six seeds: seeds 0-2 as round16-stats.txt printed them (section 2: each arm's mean and SD and the paired
   gain's mean and 95 % half-width, per dimension; this checkout no longer holds their models) pooled with seeds
   3-4, then 3-5, read from runs/w9. Pooling is exact arithmetic on those summaries; their rounding (means to 0.1, SDs
   and half-widths to 0.01) moves a pooled mean by at most 0.03.
Reads runs/w9 and round16-stats.txt; prints plain text (-> round17-stats.txt)."""

import re
from pathlib import Path

import numpy as np
from scipy import stats
from spread_stats import DIMENSIONS, compare, done, f1, gp_row, names_an_anomaly, reward_first_last

CAPT = "capact-grounding-aux0.3-3750-trainseed{s}"  # round 16's captioning recipe (round16_stats.py)
SFT_C, GRPO_C = f"sft-{CAPT}-seed{{s}}", f"grpo-{CAPT}-seed{{s}}"

NEW = [s for s in (3, 4, 5) if all(done(n, s, "eval1400") for n in (SFT_C, GRPO_C))]
ROUND16 = Path(__file__).with_name("round16-stats.txt")
LINE = re.compile(r"^(W-Avg|proactive|perception|temporal): SFT ([\d.]+) \[[^]]*\] -> \+GRPO ([\d.]+) \[[^]]*\]: \w+; "
                  r"paired ([+-][\d.]+) ± ([\d.]+) \([^)]*\); SD ([\d.]+) / ([\d.]+)")


def round16() -> dict[str, dict[str, float]]:
    """Per dimension, seeds 0-2 of round 16 (section 2 of its stats): SFT and GRPO mean and SD, paired mean and SD."""
    t3 = stats.t.ppf(0.975, 2)
    out = {}
    for line in ROUND16.read_text().splitlines():
        m = LINE.match(line)
        if m and m[1] not in out:  # the first block is section 2 (the later blocks name other arms)
            sft, grpo, paired, half, sd_sft, sd_grpo = map(float, m.groups()[1:])
            out[m[1]] = {"sft": sft, "grpo": grpo, "sd_sft": sd_sft, "sd_grpo": sd_grpo, "paired": paired,
                         "sd_paired": half * np.sqrt(3) / t3}
    return out


def pooled(mean3: float, sd3: float, more: list[float]) -> tuple[float, float, int]:
    """Mean, SD and n of three seeds known by their mean and SD together with ``more`` values."""
    n = 3 + len(more)
    m = (3 * mean3 + sum(more)) / n
    ss = 2 * sd3**2 + 3 * (mean3 - m) ** 2 + sum((x - m) ** 2 for x in more)
    return m, float(np.sqrt(ss / (n - 1))), n


def half(sd: float, n: int) -> float:
    return float(stats.t.ppf(0.975, n - 1) * sd / np.sqrt(n))


print(f"# 1. Round 16's captioning recipe, seeds {NEW} (test1400)")
if NEW:
    compare("the GRPO epoch from the captioning SFT", SFT_C, GRPO_C, NEW, "eval1400")
    for s in NEW:
        a, b = f1(SFT_C, s, "eval1400"), f1(GRPO_C, s, "eval1400")
        print(f"seed {s}: " + "; ".join(f"{d} {get(a):.1f} -> {get(b):.1f}" for d, get in DIMENSIONS))
    print("training reward, first/last 25 steps: " + " / ".join(
        reward_first_last(f"seed{s}/grpo-{CAPT.format(s=s)}") for s in NEW))
    print("AA responses naming an anomaly (SFT -> GRPO): " + " / ".join(
        " -> ".join(names_an_anomaly(n, s, "eval1400", "data/test1400/items.jsonl") for n in (SFT_C, GRPO_C))
        for s in NEW))
    print("GP (matched %, content %, time %, responses per question, F1), SFT -> GRPO: " + " / ".join(
        " -> ".join(gp_row(f1(n, s, "eval1400")["tasks"]["GP"]) for n in (SFT_C, GRPO_C)) for s in NEW))

for extra in (NEW[:2], NEW) if len(NEW) == 3 else (NEW,) if len(NEW) == 2 else ():
    print(f"\n# 2. {3 + len(extra)} seeds: round 16's seeds 0-2 (from round16-stats.txt) pooled with seeds {extra} (test1400)")
    old = round16()
    for dim, get in DIMENSIONS:
        a, b = ([get(f1(n, s, "eval1400")) for s in extra] for n in (SFT_C, GRPO_C))
        r = old[dim]
        (ma, sa, n), (mb, sb, _) = pooled(r["sft"], r["sd_sft"], a), pooled(r["grpo"], r["sd_grpo"], b)
        md, sd, _ = pooled(r["paired"], r["sd_paired"], [y - x for x, y in zip(a, b, strict=True)])
        ha, hb = half(sa, n), half(sb, n)
        print(f"{dim}: SFT {ma:.1f} [{ma - ha:.1f}, {ma + ha:.1f}] -> +GRPO {mb:.1f} [{mb - hb:.1f}, {mb + hb:.1f}]: "
              + ("apart" if mb - hb > ma + ha else f"overlap by {ma + ha - (mb - hb):.1f}")
              + f"; paired {md:+.2f} ± {half(sd, n):.2f}; SD {sa:.2f} / {sb:.2f} (seeds 0-2: {r['sd_sft']:.2f} / "
              f"{r['sd_grpo']:.2f}); new seeds' gain " + " / ".join(f"{y - x:+.1f}" for x, y in zip(a, b, strict=True)))
