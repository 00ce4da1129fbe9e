"""The round-12 figures that are not a table row (issue 18): the 1,875-step SFTs (longer-sft-three-seeds.sh) on the
test split. What 375 more SFT steps did (paired over the 1,500-step SFT of the same recipe and seed), what GRPO did
on top (paired, per task), how often an AA response names an anomaly, the training reward's first and last 25
GRPO steps, the SFT losses over the last 10 % of steps, and the 95 % t-intervals of SFT and SFT+GRPO with whether
they overlap: on seeds 0-2 (the issue's bar) and on every seed that has both evaluations. Reads runs/w9; prints
plain text (→ round12-stats.txt)."""

from spread_stats import (
    done,
    f1,
    intervals,
    names_an_anomaly,
    paired_task_gains,
    reward_first_last,
    sft_losses,
)

#: variant -> (the 1,500-step SFT evaluation of the same recipe, the run name of the 1,875-step runs)
VARIANTS = {"grounding SFT (round 10's recipe)": ("sft-grounding-aux0.3-seed{s}", "grounding-aux0.3-1875"),
            "grounding SFT + captioning (round 11's mix)": ("sft-cap-grounding-seed{s}", "cap-grounding-1875")}

for label, (short, name) in VARIANTS.items():
    sft, grpo = f"sft-{name}-seed{{s}}", f"grpo-{name}-seed{{s}}"
    longer = [s for s in range(10) if done(short, s) and done(sft, s)]
    seeds = [s for s in longer if done(grpo, s)]
    print(f"# {label}, 1,875 SFT steps\n\n## 1,875 over 1,500 SFT steps (paired, mean ± 95 % t; per seed {longer})")
    paired_task_gains(short, sft, longer)
    print("W-Avg 1,500 -> 1,875: " + " / ".join(f"{f1(short, s)['wavg']:.1f} -> {f1(sft, s)['wavg']:.1f}" for s in longer))
    print("AA responses naming an anomaly, 1,500 -> 1,875: " + " / ".join(names_an_anomaly(short, s) for s in longer)
          + " -> " + " / ".join(names_an_anomaly(sft, s) for s in longer))
    if not seeds:
        print()
        continue
    print(f"\n## GRPO over the 1,875-step SFT (paired, mean ± 95 % t; per seed {seeds})")
    paired_task_gains(sft, grpo, seeds)
    print("AA responses naming an anomaly, SFT -> + GRPO: " + " / ".join(names_an_anomaly(sft, s) for s in seeds)
          + " -> " + " / ".join(names_an_anomaly(grpo, s) for s in seeds))
    print("\n## Training reward, mean of the first and last 25 GRPO steps")
    for s in seeds:
        print(f"seed{s}: {reward_first_last(f'seed{s}/grpo-{name}')}")
    print("\n## SFT losses, mean of the log lines over the last 10 % of steps")
    for s in seeds:
        print(f"seed{s}: {sft_losses(f'seed{s}/sft-{name}')}")
    first_three = [s for s in seeds if s < 3]
    for group in [first_three] + ([seeds] if seeds != first_three else []):
        if len(group) >= 3:
            print(f"\n## SFT -> + GRPO over seeds {group}: 95 % t-intervals")
            intervals(sft, grpo, group)
    print()
