"""The round-18 figures (issue 18): round 16's captioning recipe with its SFT 1.6x longer (3,750 -> 6,000 steps),
seeds 3, 4 and 5 (capact-6000-seeds-3-5.sh, committed with this script before any of its scores existed).

1. The done-when's bar on these three seeds: the 6,000-step captioning SFT against its own GRPO epoch (unpaired 95 %
   t-intervals per dimension, the paired gain, per task), test1400.
2. What the longer SFT changed, seed by seed, against the 3,750-step arm of round 17 (same data, encoders, --seed):
   each dimension and the SFT's seed SD, OU and TP (where round 17's seed 4 fell behind), the SFT's late losses.
3. The GRPO epochs: training reward, AA responses naming an anomaly, how GP is answered.
4. GRPO variants from the 3,750-step captioning SFT on val350, seed 3 (gp-weight-capact-val.sh: `task_weights:
   {GP: 3}`; turn-product-capact-val.sh: `--turn-score product`): the SFT, its paper's epoch and the variant, each
   script's rule, the share of in-window GP responses naming the next square.
5. A variant its rule sent to test (STAGE=test): the 3,750-step captioning SFT -> the variant, seeds 3-5, the bar;
   and the variant against the paper's epoch, paired.
6. gp_content_bound.py for every test1400 model here: GP, proactive and W-Avg with the right next square in each
   matched GP response.
Reads runs/w9; prints plain text (-> round18-stats.txt). Run from the repository root."""

import numpy as np
from gp_content_bound import bound_text, content_bound
from gp_next_square_probe import scored_kinds, share
from spread_stats import (
    DIMENSIONS,
    compare,
    done,
    f1,
    gp_row,
    names_an_anomaly,
    reward_first_last,
    sft_losses,
)

from streampro.data.schema import load_items

RUN = "capact-grounding-aux0.3-{n}-trainseed{{s}}"
LONG, SHORT = RUN.format(n=6000), RUN.format(n=3750)
SEEDS = (3, 4, 5)
TEST = "data/test1400/items.jsonl"


def name(stage: str, run: str) -> str:
    return f"{stage}-{run}-seed{{s}}"


ready = [s for s in SEEDS if all(done(name(st, LONG), s, "eval1400") for st in ("sft", "grpo"))]
print(f"# 1. The bar: 6,000-step captioning SFT -> the paper's GRPO epoch, seeds {ready} (test1400)")
if ready:
    compare("the GRPO epoch from the 6,000-step captioning SFT", name("sft", LONG), name("grpo", LONG), ready, "eval1400")

both = [s for s in ready if all(done(name(st, SHORT), s, "eval1400") for st in ("sft", "grpo"))]
print(f"\n# 2. SFT length, 3,750 -> 6,000 steps, seeds {both} (test1400; same data, encoder and --seed per seed)")
for stage in ("sft", "grpo"):
    for dim, get in DIMENSIONS:
        a, b = ([get(f1(name(stage, run), s, "eval1400")) for s in both] for run in (SHORT, LONG))
        sd = (f"; seed SD {np.std(a, ddof=1):.2f} -> {np.std(b, ddof=1):.2f}" if len(both) > 1 else "")
        print(f"{stage} {dim}: " + " / ".join(f"{x:.1f} -> {y:.1f}" for x, y in zip(a, b, strict=True)) + sd)
    for task in ("OU", "TP", "AA", "GP", "RF"):
        print(f"{stage} {task}: " + " / ".join(" -> ".join(
            f"{f1(name(stage, run), s, 'eval1400')['tasks'][task]['f1']:.1f}" for run in (SHORT, LONG)) for s in both))
for s in both:
    print(f"seed {s} SFT losses, last 10 % of steps: " + " | ".join(
        sft_losses(f"seed{s}/sft-{run.format(s=s)}") for run in (SHORT, LONG)))

print(f"\n# 3. The GRPO epochs from the 6,000-step SFT, seeds {ready}")
for s in ready:
    sft, grpo = (name(st, LONG) for st in ("sft", "grpo"))
    print(f"seed {s}: training reward first/last 25 steps {reward_first_last(f'seed{s}/grpo-{LONG.format(s=s)}')}; "
          f"AA responses naming an anomaly {names_an_anomaly(sft, s, 'eval1400', TEST)} -> "
          f"{names_an_anomaly(grpo, s, 'eval1400', TEST)}; GP (matched %, content %, time %, responses per question, "
          f"F1) {gp_row(f1(sft, s, 'eval1400')['tasks']['GP'])} -> {gp_row(f1(grpo, s, 'eval1400')['tasks']['GP'])}")

VARIANTS = {"gp3": ("task_weights {GP: 3}", "gp-weight-capact-val.sh"),
            "product": ("--turn-score product", "turn-product-capact-val.sh")}
print("\n# 4. GRPO variants on val350, seed 3 (from the 3,750-step captioning SFT)")
for variant, (label, script) in VARIANTS.items():
    runs = {"3,750-step captioning SFT": name("sft", SHORT), "+ the paper's epoch": name("grpo", SHORT),
            f"+ the epoch, {label}": name(f"grpo-{variant}", SHORT)}
    if not all(done(n, 3, "val") for n in runs.values()):
        continue
    print(f"{script}:")
    for lab, n in runs.items():
        f = f1(n, 3, "val")
        print(f"  {lab}: " + "; ".join(f"{d} {get(f):.1f}" for d, get in DIMENSIONS) + "; " + "; ".join(
            f"{task} {f['tasks'][task]['f1']:.1f}" for task in ("GP", "RF", "TG", "AA")) + "; GP next square "
            + share(scored_kinds(f"runs/w9/val/{n.format(s=3)}", "runs/w9/data/val350/items.jsonl")))
    paper, tried = (f1(n, 3, "val") for n in list(runs.values())[1:])
    go = (tried["dimensions"]["proactive"]["f1"] - paper["dimensions"]["proactive"]["f1"] >= 2
          and tried["wavg"] >= paper["wavg"])
    print("  rule (proactive +2 or more over the paper's epoch, W-Avg not below it): "
          + ("met: to the three-seed test" if go else "not met: nothing goes to test"))

for variant, (label, _) in VARIANTS.items():
    seeds = [s for s in SEEDS if done(name(f"grpo-{variant}", SHORT), s, "eval1400")]
    if not seeds:
        continue
    print(f"\n# 5. The epoch with {label} on test1400, seeds {seeds}")
    compare(f"3,750-step captioning SFT -> the epoch with {label}", name("sft", SHORT), name(f"grpo-{variant}", SHORT),
            seeds, "eval1400")
    compare(f"the paper's epoch -> the epoch with {label} (both from the 3,750-step SFT)", name("grpo", SHORT),
            name(f"grpo-{variant}", SHORT), seeds, "eval1400")
    for s in seeds:
        print(f"seed {s}: training reward {reward_first_last(f'seed{s}/grpo-{variant}-{SHORT.format(s=s)}')}; GP next "
              "square (SFT / paper's epoch / this epoch): " + " / ".join(share(scored_kinds(
                  f"runs/w9/eval1400/{name(st, SHORT).format(s=s)}", "runs/w9/" + TEST))
                  for st in ("sft", "grpo", f"grpo-{variant}")))

print("\n# 6. GP with the right next square in each matched response (gp_content_bound.py, test1400)")
items = load_items("runs/w9/data/test1400/items.jsonl")
for run in (SHORT, LONG):
    for stage in ("sft", "grpo", *(f"grpo-{v}" for v in VARIANTS)):
        for s in SEEDS:
            if done(name(stage, run), s, "eval1400"):
                d = f"runs/w9/eval1400/{name(stage, run).format(s=s)}"
                print(f"{stage}-{run.format(s=s)}: {bound_text(content_bound(d, items))}")

two = [s for s in (3, 5) if all(done(name(st, LONG), s, "val") for st in ("sft", "grpo", "grpo2"))]
if two:
    print(f"\n# 7. Two epochs from the 6,000-step SFT on val350, seeds {two} (capact-6000-epoch2-probe.sh)")
    for s in two:
        print(f"seed {s}: " + " -> ".join(
            f"{st} " + ", ".join(f"{d} {get(f1(name(st, LONG), s, 'val')):.1f}" for d, get in DIMENSIONS)
            + f", GP {f1(name(st, LONG), s, 'val')['tasks']['GP']['f1']:.1f}" for st in ("sft", "grpo", "grpo2")))

e2 = [s for s in SEEDS if done(name("grpo2", LONG), s, "eval1400")]
if e2:
    print(f"\n# 8. Two paper's epochs from the 6,000-step SFT, seeds {e2} (capact-6000-epoch2-test.sh, test1400)")
    compare("the 6,000-step captioning SFT -> two epochs", name("sft", LONG), name("grpo2", LONG), e2, "eval1400")
    compare("one epoch -> two epochs", name("grpo", LONG), name("grpo2", LONG), e2, "eval1400")
