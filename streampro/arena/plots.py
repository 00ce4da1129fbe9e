"""Figures of a ranking (``streampro arena rank``), each written as PNG and SVG: BT strengths with their 95 %
bootstrap intervals, the rank-stability heatmap, and BT strength against StreamPro-F1."""

from __future__ import annotations

from pathlib import Path

import numpy as np


def write_figures(result: dict, out: Path) -> list[Path]:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    models = result["models"]
    s = result["scores"]
    written = []

    def save(fig, name):
        for ext in ("png", "svg"):
            fig.savefig(out / f"{name}.{ext}", dpi=130, bbox_inches="tight")
            written.append(out / f"{name}.{ext}")
        plt.close(fig)

    y = np.arange(len(models))[::-1]
    med = np.asarray([s[m]["bt_median"] for m in models])
    lo = np.asarray([s[m]["bt_low"] for m in models])
    hi = np.asarray([s[m]["bt_high"] for m in models])
    fig, ax = plt.subplots(figsize=(6.4, 0.45 * len(models) + 1.2))
    ax.errorbar(med, y, xerr=[med - lo, hi - med], fmt="o", color="#1f6feb", capsize=4)
    ax.set_yticks(y, models)
    ax.set_xlabel("Bradley–Terry strength (median, 95 % bootstrap interval)")
    ax.set_title(f"{result['n_votes']} votes, {result['n_bootstrap']} resamples")
    ax.grid(axis="x", alpha=0.3)
    save(fig, "bt_scores")

    stab = np.asarray([s[m]["rank_stability"] for m in models])
    fig, ax = plt.subplots(figsize=(0.6 * len(models) + 2.5, 0.45 * len(models) + 1.2))
    im = ax.imshow(stab, cmap="Blues", vmin=0, vmax=1)
    ax.set_xticks(range(len(models)), [str(k + 1) for k in range(len(models))])
    ax.set_yticks(range(len(models)), models)
    ax.set_xlabel("rank")
    for i in range(len(models)):
        for j in range(len(models)):
            if stab[i, j] >= 0.005:
                ax.text(j, i, f"{stab[i, j]:.2f}", ha="center", va="center", fontsize=8,
                        color="white" if stab[i, j] > 0.6 else "black")
    fig.colorbar(im, ax=ax, fraction=0.046, label="share of resamples")
    ax.set_title("rank stability")
    save(fig, "rank_stability")

    if "agreement" in result:
        a = result["agreement"]
        f1 = np.asarray([a["f1"][m] for m in models])
        fig, ax = plt.subplots(figsize=(5.6, 4.2))
        ax.errorbar(f1, med, yerr=[med - lo, hi - med], fmt="o", color="#d62728", capsize=3)
        for m, x, v in zip(models, f1, med, strict=True):
            ax.annotate(m, (x, v), textcoords="offset points", xytext=(5, 4), fontsize=8)
        ci = a.get("spearman_ci")
        ax.set_title(f"Spearman ρ = {a['spearman']:.2f}" + (f" [{ci[0]:.2f}, {ci[1]:.2f}]" if ci else "")
                     + f", Kendall τ = {a['kendall']:.2f}")
        ax.set_xlabel("StreamPro-F1 W-Avg")
        ax.set_ylabel("Bradley–Terry strength")
        ax.grid(alpha=0.3)
        save(fig, "bt_vs_f1")
    return written
