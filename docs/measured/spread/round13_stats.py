"""The round-13 figures (issue 18): why the three-seed bar stays out of reach, measured from both sides of it.

1. Is the seed spread the test split's noise? For the five 1,875-step grounding SFTs and their GRPO epochs (round
   12), each model's W-Avg is a mean over 350 questions; the part of the between-seed SD that comes from which
   questions were drawn is the seed x question residual of a two-way layout per task (each task's residual
   variance / its question count, weighted as W-Avg weights the tasks). A larger test split removes only that part.
2. Is it the last SFT steps? val350 W-Avg of checkpoints 1700, 1800, the final model (1875) and their average
   (sft-checkpoints-val.sh).
3. How much is there for GRPO to sharpen? From each seed's 1,875-step SFT and its GRPO epoch, 140 val350 questions
   x G rollouts (headroom-val.sh, `streampro train reward-study`): the sampled mean F1, the F1 of the rollout the
   paper's reward ranks first, the best-of-G F1, and the greedy F1 of the model on the same questions.
4. Val probes from seed 0's SFT: GRPO learning rate (grpo-lr-val.sh), group size at the same rollout budget
   (grpo-group-size-val.sh), and the decision threshold of the read-out (threshold-val.sh).
Reads runs/w9; prints plain text (-> round13-stats.txt). Never reads a test split except in 1 (round 12's rows)."""

import numpy as np
from spread_stats import TASKS, W9, dims, done, f1, headroom, log, reward_first_last, scores

SFT, GRPO = "sft-grounding-aux0.3-1875", "grpo-grounding-aux0.3-1875"


def question_noise(name: str, seeds: list[int]) -> None:
    runs = [scores(f"eval/{name.format(s=s)}") for s in seeds]
    ids = sorted(runs[0])
    m = np.array([[run[i][1] for i in ids] for run in runs])  # seeds x questions
    task = np.array([runs[0][i][0] for i in ids])
    var = 0.0
    for t in TASKS:
        sub = m[:, task == t]
        res = sub - sub.mean(0, keepdims=True) - sub.mean(1, keepdims=True) + sub.mean()
        var += (res ** 2).sum() / ((sub.shape[0] - 1) * (sub.shape[1] - 1)) / sub.shape[1] * (sub.shape[1] / len(ids)) ** 2
    w = m.mean(1)
    print(f"{name.format(s='S')}: W-Avg per seed " + " / ".join(f"{x:.1f}" for x in w)
          + f"; between-seed SD {w.std(ddof=1):.2f}, of which the question draw {np.sqrt(var):.2f}")


def val_name(stage: str, s: int, suffix: str = "") -> str:
    """Seed 0's val evaluations carry no seed suffix when they are the final model (rounds 11-12's names)."""
    return f"{stage}{suffix}" if s == 0 and not suffix else f"{stage}{suffix}-seed{s}"


print("# 1. The seed spread and the test split's question noise (test, 350 questions, seeds 0-4)")
for stage in (SFT, GRPO):
    question_noise(f"{stage}-seed{{s}}", [0, 1, 2, 3, 4])

print("\n# 2. The last SFT checkpoints on val350 (W-Avg: 1700 / 1800 / final 1875 / average of the three)")
for s in range(5):
    names = [val_name(SFT, s, suffix) for suffix in ("-ckpt1700", "-ckpt1800", "", "-avg3")]
    if all(done(n, s, "val") for n in names):
        print(f"seed {s}: " + " / ".join(f"{f1(n, s, 'val')['wavg']:.1f}" for n in names))

print("\n# 2b. Which part of a seed: SFT's own randomness (--seed) swapped, data and encoder kept (val350 W-Avg, OU)")
for data, seed in ((3, 0), (0, 3)):
    swapped = f"{SFT}-trainseed{seed}-seed{data}"
    if done(swapped, data, "val"):
        a, b = f1(val_name(SFT, data), data, "val"), f1(swapped, data, "val")
        print(f"seed {data}'s data and encoder: --seed {data} {a['wavg']:.1f} (OU {a['tasks']['OU']['f1']:.1f}) -> "
              f"--seed {seed} {b['wavg']:.1f} (OU {b['tasks']['OU']['f1']:.1f}); tasks " + " ".join(
                  f"{t} {b['tasks'][t]['f1'] - a['tasks'][t]['f1']:+.1f}" for t in TASKS))

print("\n# 2c. A longer SFT (3,000 steps) on seed 0's data and encoder, --seed 0 and --seed 3 (val350)")
for seed in (0, 3):
    short = val_name(SFT, 0) if seed == 0 else f"{SFT}-trainseed3-seed0"
    longer = f"sft-grounding-aux0.3-3000-trainseed{seed}-seed0"
    if done(longer, 0, "val") and done(short, 0, "val"):
        a, b = f1(short, 0, "val"), f1(longer, 0, "val")
        print(f"--seed {seed}: 1,875 steps {dims(a)} -> 3,000 steps {dims(b)}; tasks " + " ".join(
            f"{t} {b['tasks'][t]['f1'] - a['tasks'][t]['f1']:+.1f}" for t in TASKS))

print("\n# 3. Headroom: 140 val350 questions x G rollouts; all = mean over the 140 groups; F1 0-100")
for s in range(3):
    for stage, study in ((SFT, f"r13-headroom-seed{s}"), (GRPO, f"r13-headroom-grpo-seed{s}")):
        if (W9 / study / "rollouts.json").exists():
            headroom(study, f"val/{val_name(stage, s)}")
if (W9 / "r13-headroom-g32-seed0" / "rollouts.json").exists():
    headroom("r13-headroom-g32-seed0", None)

print("\n# 4. Val probes from seed 0's 1,875-step grounding SFT (val350)")
sft = f1(SFT, 0, "val")
print(f"SFT: {dims(sft)}")
probes = {"GRPO lr 1e-4, G 8 x 8 questions (round 12)": GRPO, "lr 3e-4": f"{GRPO}-lr3e-4", "lr 1e-3": f"{GRPO}-lr1e-3",
          "G 16 x 4 questions": f"{GRPO}-g16", "G 32 x 2 questions": f"{GRPO}-g32"}
for label, run in probes.items():
    if done(run, 0, "val"):
        v = f1(run, 0, "val")
        kl = np.mean([r["kl"] for r in log(f"seed0/{run}")[-25:]])
        print(f"{label}: {dims(v)}, {v['wavg'] - sft['wavg']:+.1f}; tasks " + " ".join(
            f"{t} {v['tasks'][t]['f1'] - sft['tasks'][t]['f1']:+.1f}" for t in TASKS)
              + f"; reward first/last 25 steps {reward_first_last(f'seed0/{run}')}; KL over the last 25 {kl:.3f}")
print("read-out threshold (respond_threshold; 0.5 is the default), SFT -> GRPO lr 1e-4:")
for th in ("0.3", "0.4", "0.5", "0.6"):
    sfx = "" if th == "0.5" else f"-th{th}"
    if done(f"{SFT}{sfx}", 0, "val") and done(f"{GRPO}{sfx}", 0, "val"):
        a, b = f1(f"{SFT}{sfx}", 0, "val"), f1(f"{GRPO}{sfx}", 0, "val")
        print(f"  {th}: {a['wavg']:.1f} -> {b['wavg']:.1f} ({b['wavg'] - a['wavg']:+.1f}); proactive "
              f"{a['dimensions']['proactive']['f1']:.1f} -> {b['dimensions']['proactive']['f1']:.1f}")

print("\n# 5. The three-seed test run from the 3,000-step SFT (sft3000-three-seeds.sh), what has finished")
LONG = "grounding-aux0.3-3000-trainseed{s}"
for stage, short in (("sft", SFT), ("grpo", GRPO)):
    seeds = [s for s in range(3) if done(f"{stage}-{LONG}-seed{s}", s)]
    if seeds:
        now = [f1(f"{stage}-{LONG}-seed{{s}}", s)["wavg"] for s in seeds]
        before = [f1(f"{short}-seed{{s}}", s)["wavg"] for s in seeds]
        print(f"{stage}, seeds {seeds}: W-Avg 1,875 -> 3,000 steps " + " / ".join(
            f"{a:.1f} -> {b:.1f}" for a, b in zip(before, now, strict=True))
              + (f"; SD {np.std(before, ddof=1):.2f} -> {np.std(now, ddof=1):.2f}" if len(seeds) > 1 else "")
              + "; proactive " + " / ".join(f"{f1(f'{stage}-{LONG}-seed{{s}}', s)['dimensions']['proactive']['f1']:.1f}"
                                            for s in seeds))
