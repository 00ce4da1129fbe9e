"""The round-14 figures (issue 18): the three-seed test protocol from the 3,000-step grounding SFT, and what the
longer SFT leaves GRPO to sharpen.

1. The bar (test, seeds 0-2, sft3000-three-seeds.sh): SFT against SFT + round 12's GRPO epoch, and against the epoch
   with the RL mix chosen on val in 3 (GP_WEIGHT=3): per dimension the two 95 % t-intervals, apart or overlapping,
   the paired gain and the seeds non-overlap would need; then per task.
2. Headroom on val350 (headroom-3000-val.sh, seed 0): the 3,000-step SFT and its GRPO epoch, 140 questions x G 8,
   beside round 13's 1,875-step studies of the same questions.
3. Val probes (rl-mix-val.sh, seed 0): the RL data mix with Goal Planning weighted up, from the 3,000- and the
   1,875-step SFT, against the unweighted epoch from each.
4. Seeds 3 and 4 of 1's unweighted arm (SEEDS=3, SEEDS=4), added after reading 1: the five-seed intervals.
Reads runs/w9; prints plain text (-> round14-stats.txt). Reads the test split only in 1 and 4."""

from spread_stats import TASKS, W9, compare, dims, done, f1, headroom, reward_first_last

LONG = "grounding-aux0.3-3000-trainseed{s}"
SFT, GRPO = f"sft-{LONG}-seed{{s}}", f"grpo-{LONG}-seed{{s}}"


print("# 1. Three seeds on test: the 3,000-step grounding SFT -> + GRPO epoch (the paper's rewards)")
ARMS = {"the unweighted epoch (round 12's)": (GRPO, f"grpo-{LONG}"),
        "the epoch with task_weights GP 3 (chosen on val, section 3)": (f"grpo-{LONG}-gp3-seed{{s}}", f"grpo-{LONG}-gp3")}
for arm, (name, run) in ARMS.items():
    seeds = [s for s in range(3) if done(SFT, s) and done(name, s)]
    if not seeds:
        continue
    compare(arm, SFT, name, seeds)
    print("training reward, first/last 25 steps: " + " / ".join(
        reward_first_last(f"seed{s}/{run.format(s=s)}") for s in seeds))

print("\n# 2. Headroom on val350 (140 questions x G 8): 3,000-step SFT and its GRPO epoch, seed 0")
for stage in ("sft", "grpo"):
    study = f"r14-headroom-{stage}-3000-seed0"
    if (W9 / study / "rollouts.json").exists():
        headroom(study, f"val/{stage}-{LONG.format(s=0)}-seed0")

print("\n# 3. Val probes from seed 0's SFTs: Goal Planning weighted up in the RL mix (rl-mix-val.sh, val350)")
for label, sft, grpo in (("3,000-step", f"sft-{LONG.format(s=0)}-seed0", f"grpo-{LONG.format(s=0)}-seed0"),
                         ("1,875-step", "sft-grounding-aux0.3-1875", "grpo-grounding-aux0.3-1875")):
    rows = {"SFT": sft, "GRPO epoch (unweighted)": grpo, "GRPO epoch, task_weights GP 3": f"{grpo.removesuffix('-seed0')}-gp3-seed0"}
    if not done(sft, 0, "val"):
        continue
    ref = f1(sft, 0, "val")
    print(f"from the {label} SFT:")
    for row, name in rows.items():
        if done(name, 0, "val"):
            v = f1(name, 0, "val")
            print(f"  {row}: {dims(v)}" + ("" if row == "SFT" else f", {v['wavg'] - ref['wavg']:+.1f}; tasks " + " ".join(
                f"{t} {v['tasks'][t]['f1'] - ref['tasks'][t]['f1']:+.1f}" for t in TASKS)))

print("\n# 4. Seeds 3 and 4 added (run after reading 1; the done-when asks for three): the unweighted epoch, seeds 0-4")
seeds = [s for s in range(5) if done(SFT, s) and done(GRPO, s)]
if len(seeds) > 3:
    compare("the unweighted epoch", SFT, GRPO, seeds)
