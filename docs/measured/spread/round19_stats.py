"""The round-19 figures (issue 18): paper's GRPO epochs 3, 4 and 5 from round 18's two-epoch models (the 6,000-step
captioning recipe), seeds 3, 4, 5 (capact-6000-epochs-3-5.sh, committed with this script before any score of epoch 3
or later existed).

``--choose`` prints only the epoch count the script's val rule sends to test1400 (or ``none``); it is what the shell
script calls. Without it, plain text (-> round19-stats.txt):
1. val350 after each epoch, per seed and as the mean over seeds 3-5; the rule and its choice.
2. The chosen count on test1400: the done-when's bar (6,000-step SFT -> K epochs) and two epochs -> K epochs.
3. Training reward of every epoch, per seed.
4. gp_content_bound.py on the chosen models (test1400).
5. The diagnostic gp-supervised-val.sh: seed 3's SFT continued 600 steps with and without GP's answers (val350).
Reads runs/w9. Run from the repository root."""

import sys

import numpy as np
from gp_content_bound import bound_text, content_bound
from gp_next_square_probe import scored_kinds, share
from spread_stats import DIMENSIONS, compare, done, f1, reward_first_last

from streampro.data.schema import load_items

RUN = "capact-grounding-aux0.3-6000-trainseed{s}"
SEEDS = (3, 4, 5)
EPOCHS = (1, 2, 3, 4, 5)


def stage(k: int) -> str:
    """The run-folder prefix of a model after k paper's epochs (0 = the SFT), as the shell scripts name them."""
    return {0: "sft", 1: "grpo"}.get(k, f"grpo{k}")


def name(k: int) -> str:
    return f"{stage(k)}-{RUN}-seed{{s}}"


def val_means(k: int) -> tuple[float, float]:
    """(W-Avg, proactive) after k epochs on val350, mean over seeds 3-5."""
    fs = [f1(name(k), s, "val") for s in SEEDS]
    return float(np.mean([f["wavg"] for f in fs])), float(np.mean([f["dimensions"]["proactive"]["f1"] for f in fs]))


def choose() -> str:
    """The rule in capact-6000-epochs-3-5.sh's header, applied to val350."""
    w2, v2 = val_means(2)
    eligible = [(val_means(k)[1], -k) for k in (3, 4, 5) if val_means(k)[0] >= w2]
    if not eligible:
        return "none"
    v, k = max(eligible)
    return str(-k) if v >= v2 + 1.0 else "none"


missing = [f"{stage(k)} seed {s}" for k in (2, 3, 4, 5) for s in SEEDS if not done(name(k), s, "val")]
if "--choose" in sys.argv:
    if missing:
        sys.exit(f"round19_stats.py --choose: val350 scores missing ({', '.join(missing)}); run capact-6000-epochs-3-5.sh")
    print(choose())
    sys.exit()

print("# 1. val350 after k paper's epochs from the 6,000-step captioning SFT (k = 0: the SFT)")
for s in SEEDS:
    print(f"seed {s}: " + " | ".join(
        f"{k}: " + ", ".join(f"{d} {get(f1(name(k), s, 'val')):.1f}" for d, get in DIMENSIONS[:2])
        + f", GP {f1(name(k), s, 'val')['tasks']['GP']['f1']:.1f}" for k in (0, *EPOCHS) if done(name(k), s, "val")))
ks = [k for k in (0, *EPOCHS) if all(done(name(k), s, "val") for s in SEEDS)]
print("mean over seeds 3-5: " + " | ".join(f"{k}: W-Avg {val_means(k)[0]:.2f}, proactive {val_means(k)[1]:.2f}"
                                           for k in ks))
K = "none" if missing else choose()
print("rule (K in 3-5 with the highest mean proactive among those whose mean W-Avg >= two epochs'; to test only if "
      f"proactive >= two epochs' + 1.0): {'incomplete' if missing else f'K = {K}'}")

tested = [s for s in SEEDS if K != "none" and done(name(int(K)), s, "eval1400")]
if tested:
    k = int(K)
    print(f"\n# 2. {k} epochs on test1400, seeds {tested}")
    compare(f"the 6,000-step captioning SFT -> {k} epochs", name(0), name(k), tested, "eval1400")
    compare(f"two epochs -> {k} epochs", name(2), name(k), tested, "eval1400")

print("\n# 3. Training reward, first / last 25 steps of each epoch")
for s in SEEDS:
    print(f"seed {s}: " + " | ".join(f"{k}: {reward_first_last(f'seed{s}/{stage(k)}-{RUN.format(s=s)}')}"
                                     for k in EPOCHS if done(name(k), s, "val") or k <= 2))

if tested:
    print("\n# 4. GP with the right next square in each matched response (gp_content_bound.py, test1400)")
    items = load_items("runs/w9/data/test1400/items.jsonl")
    for k in (2, int(K)):
        for s in tested:
            d = f"runs/w9/eval1400/{name(k).format(s=s)}"
            print(f"{stage(k)}-{RUN.format(s=s)}: {bound_text(content_bound(d, items))}")

ARMS = {"the 6,000-step SFT": name(0), "(b) + 600 steps, its tasks": f"sft600-{RUN}-seed{{s}}",
        "(a) + 600 steps, its tasks and GP": f"sftgp600-{RUN}-seed{{s}}"}
if all(done(n, 3, "val") for n in ARMS.values()):
    print("\n# 5. Shown GP's answers: 600-step continuations of seed 3's 6,000-step SFT (gp-supervised-val.sh, val350)")
    for label, n in ARMS.items():
        f = f1(n, 3, "val")
        print(f"{label}: " + "; ".join(f"{d} {get(f):.1f}" for d, get in DIMENSIONS) + "; " + "; ".join(
            f"{task} {f['tasks'][task]['f1']:.1f}" for task in ("GP", "AA", "RF", "TG")) + "; GP next square "
            + share(scored_kinds(f"runs/w9/val/{n.format(s=3)}", "runs/w9/data/val350/items.jsonl")))

VAL_PAIR = (3, 5)
ITEMS_VAL = "runs/w9/data/val350/items.jsonl"


def third_epoch_variant(rows: dict[str, str], labels: tuple[str, str], met: str) -> None:
    """A third-epoch variant on val350, seeds 3 and 5 (its rows, each with GP and the greedy next-square share),
    then the means of the last two rows (the paper's third epoch, the variant; ``labels``) and the scripts' shared
    rule: the variant goes to test only with mean proactive >= the paper's third + 1.5 and W-Avg not below it."""
    for label, n in rows.items():
        print(f"{label}: " + " | ".join(f"seed {s}: " + ", ".join(
            f"{d} {get(f1(n, s, 'val')):.1f}" for d, get in DIMENSIONS) + f", GP {f1(n, s, 'val')['tasks']['GP']['f1']:.1f}"
            + ", next square " + share(scored_kinds(f"runs/w9/val/{n.format(s=s)}", ITEMS_VAL)) for s in VAL_PAIR))
    (w1, p1), (w3, p3) = ([float(np.mean([get(f1(n, s, "val")) for s in VAL_PAIR])) for _, get in DIMENSIONS[:2]]
                          for n in list(rows.values())[-2:])
    print(f"means (W-Avg, proactive): {labels[0]} {w1:.2f}, {p1:.2f}; {labels[1]} {w3:.2f}, {p3:.2f}; rule (proactive "
          f">= {labels[0]}'s + 1.5, W-Avg not below): " + (met if p3 >= p1 + 1.5 and w3 >= w1
                                                           else "not met: nothing goes to test"))


LR3 = f"grpo3lr3-{RUN}-seed{{s}}"
if all(done(LR3, s, "val") for s in VAL_PAIR):
    print("\n# 6. A third epoch at lr 3e-4 against the third at lr 1e-4, same init (epoch3-lr-val.sh, val350, seeds 3, 5)")
    third_epoch_variant({"two epochs": name(2), "+ third epoch, lr 1e-4": name(3), "+ third epoch, lr 3e-4": LR3},
                        ("lr 1e-4", "lr 3e-4"), "met: to the three-seed test")
    tested = [s for s in SEEDS if done(LR3, s, "eval1400")]
    if tested:
        compare("the 6,000-step captioning SFT -> two epochs + a third at lr 3e-4", name(0), LR3, tested, "eval1400")

for rc, tag in ((1, "grpo3resp"), (3, "grpo3resp3")):
    RESP = f"{tag}-{RUN}-seed{{s}}"
    if not all(done(RESP, s, "val") for s in VAL_PAIR):
        continue
    print(f"\n# 7. A third epoch with `credit: response`, response_credit {rc}, against the paper's third "
          "(response-credit-val.sh, val350)")
    third_epoch_variant({"+ third epoch (trajectory credit)": name(3), f"+ third epoch, credit: response {rc}": RESP},
                        ("trajectory", "response"), "met: the three-seed test is next")
    tested = [s for s in SEEDS if done(RESP, s, "eval1400")]
    if tested:
        print(f"\n# 8. The 6,000-step SFT -> two paper's epochs + a third with credit: response {rc}, test1400, "
              f"seeds {tested}")
        compare("the 6,000-step captioning SFT -> two epochs + credit: response", name(0), RESP, tested, "eval1400")
        compare("two epochs -> + credit: response", name(2), RESP, tested, "eval1400")
