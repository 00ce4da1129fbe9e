"""The round-21 figures (issue 18), read from runs/w9; run from the repository root (-> round21-stats.txt).

1. Plan recital (gp-recital-val.sh, val350, seeds 3 and 5): the 600-step continuation with 800 RCT items (C) and
   round 20's control without it (B), each before and after one paper's epoch — scores, which square the GP answers
   name (gp_colour_choice.py), and the script's rule on GRPO's gain.
2. Right answers by plan step (plan_steps.py) on val350's GP and on 50 held-out RCT questions (rctval50).
3. rct-capacity-val.sh (D: 1,800 steps of RCT only) and its reading.
4. gp-recital-dose-val.sh (E: 1,800 steps with 4,000 RCT items among the SFT's tasks, then the epoch) and its rule.
5. gp-recital-dose-epoch2-val.sh (E's second epoch) against the paper's two epochs from the SFT, and its rule."""

import sys
from pathlib import Path

from plan_steps import by_step
from plan_steps import line as steps_line
from spread_stats import done
from val_rows import VAL_ITEMS, VAL_PAIR, means, n, row

from streampro.data.schema import load_items

B = ("(B) SFT + 600 steps", n("sft600"), n("grpo-sft600"))
C = ("(C) SFT + 600 steps with 800 RCT items", n("sftrct600"), n("grpo-sftrct600"))
E = ("(E) SFT + 1,800 steps with 4,000 RCT items", n("sftrct1800"), n("grpo-sftrct1800"))
RCT_ITEMS = load_items("runs/w9/data/rctval50/items.jsonl")


def ready(*names: str) -> bool:
    return all(done(name, s, "val") for name in names for s in VAL_PAIR)


def rows(label: str, name: str) -> tuple[float, float]:
    """Print a run's val350 row for seeds 3 and 5 with their means; return the means (W-Avg, proactive)."""
    w, p = means(name, VAL_PAIR)
    print(f"{label}: " + " | ".join(f"seed {s}: {row(name, s)}" for s in VAL_PAIR) + f"; mean W-Avg {w:.2f}, proactive {p:.2f}")
    return w, p


def arm_rows(arm: tuple[str, str, str]) -> tuple[float, float, float]:
    """Print an arm's SFT and epoch rows; return GRPO's mean gain (W-Avg, proactive) and the epoch's mean W-Avg."""
    label, sft, grpo = arm
    (ws, ps), (we, pe) = rows(label, sft), rows(f"{label} + the paper's epoch", grpo)
    print(f"{label}: GRPO's gain (epoch minus its SFT, mean of seeds 3 and 5): W-Avg {we - ws:+.2f}, proactive {pe - ps:+.2f}")
    return we - ws, pe - ps, we


def gain_rule(arm: tuple[str, str, str], then: str) -> None:
    """The rule of gp-recital-val.sh and gp-recital-dose-val.sh: the arm's proactive gain >= B's + 1.5 and its W-Avg
    after the epoch >= B's."""
    _, gb, wb = arm_rows(B)
    _, ga, wa = arm_rows(arm)
    x = arm[0][1]
    print(f"rule ({x}'s proactive gain >= B's + 1.5 and {x}'s W-Avg after the epoch >= B's): proactive gain {ga:+.2f} "
          f"vs {gb:+.2f}, W-Avg {wa:.2f} vs {wb:.2f}: " + (then if ga >= gb + 1.5 and wa >= wb else "not met: reported as tried"))


def rct_steps(arm: str, label: str) -> None:
    for s in VAL_PAIR:
        if Path(f"runs/w9/val/rctval50-{arm}-seed{s}/summary.json").exists():
            print(f"rctval50 RCT, {label}, seed {s}: {steps_line(f'runs/w9/val/rctval50-{arm}-seed{s}', RCT_ITEMS)}")


if not ready(*B[1:], *C[1:]):
    sys.exit("round21_stats.py: val350 scores missing; run docs/measured/spread/gp-recital-val.sh")
print("# 1. Plan recital (gp-recital-val.sh, val350, seeds 3 and 5)")
print("the SFT: " + " | ".join(f"seed {s}: {row(n('sft'), s)}" for s in VAL_PAIR))
gain_rule(C, "met: the full RCT recipe next")

print("\n# 2. Right share by plan step (plan_steps.py): first (the plan's second square), middle (the square after the one"
      " the previous answer named), last (the goal is complete)")
val_runs = {"the 6,000-step SFT": n("sft"), "two paper's epochs from the SFT": n("grpo2"), B[0]: B[1], C[0]: C[1],
            f"{B[0]} + the paper's epoch": B[2], f"{C[0]} + the paper's epoch": C[2], "(D) 1,800 steps of RCT only": n("rctonly1800")}
for label, name in val_runs.items():
    for s in VAL_PAIR:
        if done(name, s, "val"):
            print(f"val350 GP, {label}, seed {s}: {steps_line('runs/w9/val/' + name.format(s=s), VAL_ITEMS)}")
print(f"val350 GP, round 19's sftgp600 (GP's answers shown), seed 3: "
      f"{steps_line('runs/w9/val/' + n('sftgp600').format(s=3), VAL_ITEMS)}")
rct_steps("sftrct600", C[0])
rct_steps("rctonly1800", "(D) 1,800 steps of RCT only")

if ready(n("rctonly1800")) and all(Path(f"runs/w9/val/rctval50-rctonly1800-seed{s}").exists() for s in VAL_PAIR):
    print("\n# 3. Can the model learn the lookup? (rct-capacity-val.sh: 1,800 steps of RCT only, seeds 3 and 5)")
    print("(D) on val350: " + " | ".join(f"seed {s}: {row(n('rctonly1800'), s)}" for s in VAL_PAIR))
    mid = [by_step(f"runs/w9/val/rctval50-rctonly1800-seed{s}", RCT_ITEMS) for s in VAL_PAIR]
    share = sum(100 * r["middle"] / max(1, seen["middle"]) for seen, r, _ in mid) / len(mid)
    print(f"reading (middle-step right share on rctval50, mean of the seeds: >= 60 % learnable, < 30 % not in this "
          f"budget): {share:.1f} %: " + ("learnable: a larger RCT share next" if share >= 60 else
                                        "not learned in this budget: the model is the lever" if share < 30 else "undecided"))

if ready(*E[1:]):
    print("\n# 4. Plan recital at the dose D learned from, then the paper's epoch (gp-recital-dose-val.sh, val350, "
          "seeds 3 and 5)")
    gain_rule(E, "met: E's continuation to the three-seed test protocol next")
    for stage, name in (("", E[1]), (" + the paper's epoch", E[2])):
        for s in VAL_PAIR:
            print(f"val350 GP, {E[0]}{stage}, seed {s}: {steps_line('runs/w9/val/' + name.format(s=s), VAL_ITEMS)}")
    rct_steps("sftrct1800", E[0])

E2 = n("grpo2-sftrct1800")
if ready(E2):
    print("\n# 5. E's second paper's epoch (gp-recital-dose-epoch2-val.sh, val350, seeds 3 and 5)")
    (_, p0), (wp, p2) = rows("the 6,000-step SFT", n("sft")), rows("two paper's epochs from it", n("grpo2"))
    (_, e0), (we, e2) = rows(E[0], E[1]), rows(f"{E[0]} + two paper's epochs", E2)
    for s in VAL_PAIR:
        print(f"val350 GP, {E[0]} + two paper's epochs, seed {s}: {steps_line('runs/w9/val/' + E2.format(s=s), VAL_ITEMS)}")
    ge, gp_ = e2 - e0, p2 - p0
    print(f"rule (E's two-epoch proactive gain >= the paper's two-epoch gain from the SFT + 1.5, W-Avg after not below): "
          f"{ge:+.2f} vs {gp_:+.2f}, W-Avg {we:.2f} vs {wp:.2f}: "
          + ("met: E to the three-seed test protocol next" if ge >= gp_ + 1.5 and we >= wp else "not met: reported as tried"))
