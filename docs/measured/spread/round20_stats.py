"""The round-20 figures (issue 18), read from runs/w9; run from the repository root.

``--choose`` prints only whether response-credit-two-epochs.sh's val rule sends its two-epoch models to test1400
(``test``) or not (``none``). Without it, plain text (-> round20-stats.txt):
1. Which square the greedy GP answers name (gp_colour_choice.py) along round 18-19's epochs, seeds 3-5, val350, with
   the reference policies and what each earns under StreamPro-F1 and the paper's reward.
2. Two epochs with `credit: response` from the 6,000-step captioning SFT against the paper's two (val350, the rule);
   then, if the rule sent them there, the done-when's bar on test1400.
3. The plan-tracking diagnostic (gp-tracking-val.sh, val350, seeds 3 and 5) and its rule."""

import sys

import numpy as np
from gp_colour_choice import RULES, line, pays, read_out, reference
from spread_stats import compare, done
from val_rows import SEEDS, VAL_ITEMS, VAL_PAIR, means, n, right_share, row

RC = {"the paper's epoch 1": n("grpo"), "the paper's epoch 2": n("grpo2"), "credit: response, epoch 1": n("rc1"),
      "credit: response, epoch 2": n("rc2")}
rc_ready = all(done(RC[k], s, "val") for k in RC for s in SEEDS)


def choose() -> str:
    """The rule in response-credit-two-epochs.sh's header, applied to val350."""
    (w2, p2), (wr, pr) = means(n("grpo2")), means(n("rc2"))
    return "test" if pr >= p2 + 1.0 and wr >= w2 else "none"


if "--choose" in sys.argv:
    if not rc_ready:
        sys.exit("round20_stats.py --choose: val350 scores missing; run response-credit-two-epochs.sh")
    print(choose())
    sys.exit()

gp = [it for it in VAL_ITEMS if it.task == "GP"]
print("# 1. Which square the greedy GP answers name (gp_colour_choice.py; val350, 50 GP questions)")
for rule in RULES:
    ref = reference(gp, rule)
    print(line(f"reference: always the {rule} square", *read_out(gp, ref)) + "; " + pays(gp, ref))
for stage in ("sft", "grpo", "grpo2", "grpo3", "grpo4", "grpo5"):
    print(f"{stage}: " + " | ".join(f"seed {s}: {row(n(stage), s)}" for s in SEEDS))
print(f"sftgp600 (round 19, GP's answers shown): seed 3: {row(n('sftgp600'), 3)}")

if rc_ready:
    print("\n# 2. `credit: response` in both epochs from the 6,000-step SFT (response-credit-two-epochs.sh, val350)")
    for label, name in RC.items():
        w, p = means(name)
        print(f"{label}: " + " | ".join(f"seed {s}: {row(name, s)}" for s in SEEDS) + f"; mean W-Avg {w:.2f}, "
              f"proactive {p:.2f}")
    print("rule (mean proactive >= the paper's two epochs' + 1.0, W-Avg not below): "
          + ("met: to test1400" if choose() == "test" else "not met: nothing goes to test"))
    tested = [s for s in SEEDS if done(n("rc2"), s, "eval1400")]
    if tested:
        print(f"\n# 2b. test1400, seeds {tested}")
        compare("the 6,000-step captioning SFT -> two epochs with credit: response", n("sft"), n("rc2"), tested,
                "eval1400")
        compare("the paper's two epochs -> two epochs with credit: response", n("grpo2"), n("rc2"), tested, "eval1400")

TRK = {"(B) SFT + 600 steps": n("sft600"), "(A) SFT + 600 steps with TRK": n("sfttrk600"),
       "(B) + the paper's epoch": n("grpo-sft600"), "(A) + the paper's epoch": n("grpo-sfttrk600")}
if all(done(name, s, "val") for name in TRK.values() for s in VAL_PAIR):
    print("\n# 3. Plan tracking (gp-tracking-val.sh, val350, seeds 3 and 5)")
    print("the SFT: " + " | ".join(f"seed {s}: {row(n('sft'), s)}" for s in VAL_PAIR))
    print("the paper's epoch from the SFT: " + " | ".join(f"seed {s}: {row(n('grpo'), s)}" for s in VAL_PAIR))
    for label, name in TRK.items():
        w, p = means(name, VAL_PAIR)
        print(f"{label}: " + " | ".join(f"seed {s}: {row(name, s)}" for s in VAL_PAIR)
              + f"; mean W-Avg {w:.2f}, proactive {p:.2f}")
    pa, pb = means(TRK["(A) + the paper's epoch"], VAL_PAIR)[1], means(TRK["(B) + the paper's epoch"], VAL_PAIR)[1]
    ra = float(np.mean([right_share(TRK["(A) + the paper's epoch"], s) for s in VAL_PAIR]))
    print(f"rule (after the epoch A's mean proactive >= B's + 1.5 and A's mean right share >= 35 %): proactive "
          f"{pa:.2f} vs {pb:.2f}, right {ra:.1f} %: " + ("met: a full TRK recipe next" if pa >= pb + 1.5 and ra >= 35
                                                       else "not met: TRK reported as tried"))
