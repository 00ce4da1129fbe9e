"""The round-22 figures (issue 18): round 18's closest recipe — the 6,000-step captioning SFT against its model after
two paper's epochs — on fresh seeds (capact-6000-fresh-seeds.sh, committed with this script before any of its
outputs existed). Read from runs/w9; run from the repository root (-> round22-stats.txt).

1. Each fresh seed's test1400 row: SFT -> one epoch -> two epochs, W-Avg and proactive, and the paired gain.
2. Round 18's seeds 3-5 with the fresh seeds: unpaired 95 % t-intervals per dimension (five seeds, or six once seed 8
   exists), the paired gains, per task, and `seeds_for` at the pooled gains and SDs.
3. Once seeds 6, 7 and 8 all exist: the done-when's bar on those three fresh seeds alone (beside seeds 3-5's, which
   overlapped; neither replaces the other).
4. How often the bar would pass if the measured means and SDs were the truth: simulated draws of n seeds from a
   normal with round 18's (seeds 3-5) and then all seeds' means, SDs and SFT-GRPO correlation, the share whose
   unpaired 95 % t-intervals come apart, per dimension and (from five seeds) both at once, n = 3, 5, 6, 8 (seeded;
   100,000 draws).
5. (Added after seeds 6 and 7 were read; no rule depends on it.) How much larger the gain would have to be for three
   seeds to pass both halves: section 4's rate at n = 3 with every seed's two-epoch score raised by (k - 1) x the
   measured mean gain, k = 1 ... 3.
6. (Added after seeds 6 and 7 were read; no rule depends on it.) Goal Planning right by plan step (plan_steps.py:
   first, middle, last) on test1400 for every seed's SFT and two-epoch model — whether round 21's val reading (GRPO
   learns the first step, barely the middle, never the last) holds on the test split and the fresh seeds."""

import numpy as np
from plan_steps import STEPS, by_step
from spread_stats import DIMENSIONS, W9, compare, done, f1, p_apart

from streampro.data.schema import load_items

RUN = "capact-grounding-aux0.3-6000-trainseed{s}"
OLD, FRESH = (3, 4, 5), (6, 7, 8)


def name(stage: str) -> str:
    return f"{stage}-{RUN}-seed{{s}}"


SFT, GRPO, GRPO2 = name("sft"), name("grpo"), name("grpo2")
fresh = [s for s in FRESH if all(done(n, s, "eval1400") for n in (SFT, GRPO, GRPO2))]
print(f"# 1. Fresh seeds {fresh}: the 6,000-step captioning SFT -> one -> two paper's epochs (test1400)")
for s in fresh:
    for dim, get in DIMENSIONS[:2]:
        a, b, c = (get(f1(n, s, "eval1400")) for n in (SFT, GRPO, GRPO2))
        print(f"seed {s} {dim}: {a:.1f} -> {b:.1f} -> {c:.1f} (two epochs {c - a:+.2f})")

pooled = [s for s in OLD if done(SFT, s, "eval1400") and done(GRPO2, s, "eval1400")] + fresh
print(f"\n# 2. Seeds {pooled}: the 6,000-step captioning SFT -> two paper's epochs (test1400)")
compare("the 6,000-step captioning SFT -> two epochs", SFT, GRPO2, pooled, "eval1400")

print("\n# 3. The done-when's bar on the fresh seeds 6, 7 and 8 alone")
if len(fresh) == 3:
    compare("the 6,000-step captioning SFT -> two epochs", SFT, GRPO2, fresh, "eval1400")
else:
    print(f"not yet: seeds {[s for s in FRESH if s not in fresh]} have no test1400 score of all three stages")


def pairs_of(seeds: tuple[int, ...]) -> dict[str, tuple[list[float], list[float]]]:
    """W-Avg and proactive: (SFT, two epochs) per seed."""
    return {dim: tuple([get(f1(n, s, "eval1400")) for s in seeds] for n in (SFT, GRPO2)) for dim, get in DIMENSIONS[:2]}


print("\n# 4. How often the three-seed bar passes if the measured seeds were the truth (simulated, n seeds)")
for seeds in dict.fromkeys((tuple(OLD), tuple(pooled))):
    pairs = pairs_of(seeds)
    # the joint needs a covariance of four columns, which three seeds cannot give (rank 2)
    cases = {**{dim: [pair] for dim, pair in pairs.items()}, **({"both": list(pairs.values())} if len(seeds) > 4 else {})}
    for label, chosen in cases.items():
        print(f"seeds {list(seeds)}, {label}: intervals apart in " + ", ".join(
            f"{100 * p_apart(chosen, n):.0f} % at n = {n}" for n in (3, 5, 6, 8)))

print("\n# 5. The three-seed pass rate (both halves) if the gain were k times the measured one, seeds' spread unchanged")
if len(pooled) > 4:
    def scaled(before: list[float], after: list[float], k: float) -> tuple[list[float], list[float]]:
        lift = (k - 1) * (np.mean(after) - np.mean(before))
        return before, [x + lift for x in after]

    measured = pairs_of(tuple(pooled)).values()
    print(", ".join(f"k = {k}: {100 * p_apart([scaled(*pair, k) for pair in measured], 3):.0f} %"
                    for k in (1, 1.5, 2, 2.5, 3)))

print("\n# 6. GP right by plan step, test1400: SFT -> two epochs (% right of the in-window responses at that step)")
test = load_items(W9 / "data/test1400/items.jsonl")
for s in pooled:
    seen, right = {}, {}
    for stage, n in (("sft", SFT), ("two epochs", GRPO2)):
        seen[stage], right[stage], _ = by_step(str(W9 / "eval1400" / n.format(s=s)), test)
    print(f"seed {s}: " + "; ".join(f"{step} " + " -> ".join(
        f"{100 * right[st][step] / max(1, seen[st][step]):.1f}" for st in seen) for step in STEPS))
