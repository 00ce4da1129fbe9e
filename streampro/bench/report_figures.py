"""The report's figures, each saved as PNG, SVG and PDF next to the HTML (for a paper) and embedded in it:
F1 per dimension and per task (bars, with 95 % t-intervals over seeds when runs are named ``NAME-seedK``),
precision against recall per dimension, and when each model spoke relative to the answers' best times."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import numpy as np

from ..core.items import DIMENSIONS
from ..core.stats import mean_ci
from ..data.timeline import plt
from .report_tables import DIM_SHORT, dimension_mean, task_order

SEED = re.compile(r"^(?P<model>.+?)[-_]seed(?P<seed>\d+)$")
DIMENSION_HELP = {"perception": "PU, Perception: describe events (EU), confirm object state changes (OU) and warn of "
                                "anomalies (AA) as they happen",
                  "temporal": "TR, Temporal: report the events after a target one (TP) and, when an event ends, its "
                              "start and end (TG)",
                  "proactive": "PA, Proactive: the next step as soon as the last one completes (GP) and a warning about "
                               "3 s before a hazard (RF)"}


def seed_groups(names: list[str]) -> dict[str, list[str]]:
    """Runs named ``NAME-seedK`` (or ``_seedK``) are one model's seeds; every other run stands alone."""
    groups: dict[str, list[str]] = {}
    for n in names:
        m = SEED.match(n)
        groups.setdefault(m.group("model") if m else n, []).append(n)
    return groups


def never_spoke(summary: dict[str, Any]) -> bool:
    tasks = summary["f1"]["tasks"].values()
    return bool(tasks) and all((r.get("responses_per_question") or 0) == 0 for r in tasks)


def _save(fig, out: Path, name: str) -> str:
    for ext in ("png", "svg", "pdf"):
        fig.savefig(out / f"{name}.{ext}", dpi=110, bbox_inches="tight")
    plt.close(fig)
    return f"{name}.png"


def _bars(ax, labels: list[str], series: dict[str, list[tuple[float | None, float]]]) -> None:
    width = 0.8 / max(1, len(series))
    x = np.arange(len(labels))
    for k, (name, vals) in enumerate(series.items()):
        means = [np.nan if m is None else m for m, _ in vals]
        errs = [e for _, e in vals]
        ax.bar(x + (k - (len(series) - 1) / 2) * width, means, width, yerr=errs if any(errs) else None, capsize=3,
               label=name, color=f"C{k % 10}")
    ax.set_xticks(x, labels)
    ax.set_ylim(0, 100)
    ax.set_ylabel("StreamPro-F1")
    ax.grid(axis="y", alpha=0.3)
    ax.legend(fontsize=8, ncol=min(4, len(series)))


def write_figures(out: Path, summaries: dict[str, dict[str, Any]], scores: dict[str, dict[str, dict]]) -> list[str]:
    """Write the figures into ``out/figures``; returns their PNG paths relative to ``out``."""
    fig_dir = out / "figures"
    fig_dir.mkdir(parents=True, exist_ok=True)
    groups = seed_groups(list(summaries))
    written = []

    dims = [d for d in DIMENSIONS if any(d in s["f1"]["dimensions"] for s in summaries.values())]
    series = {}
    for model, runs in groups.items():
        vals = []
        for key in [*dims, "wavg"]:
            got = [summaries[r]["f1"]["wavg"] if key == "wavg" else summaries[r]["f1"]["dimensions"].get(key, {}).get("f1")
                   for r in runs]
            got = [g for g in got if g is not None]
            vals.append(mean_ci(got) if got else (None, 0.0))
        series[model + (f" ({len(runs)} seeds)" if len(runs) > 1 else "")] = vals
    fig, ax = plt.subplots(figsize=(7.5, 3.6))
    _bars(ax, [DIM_SHORT[d] for d in dims] + ["W-Avg"], series)
    ax.set_title("StreamPro-F1 per dimension" + (" (mean and 95 % t-interval over seeds)"
                                                 if any(len(r) > 1 for r in groups.values()) else ""))
    written.append("figures/" + _save(fig, fig_dir, "f1_dimensions"))

    tasks = task_order(summaries)
    series = {}
    for model, runs in groups.items():
        vals = []
        for t in tasks:
            got = [summaries[r]["f1"]["tasks"][t]["f1"] for r in runs if t in summaries[r]["f1"]["tasks"]]
            vals.append(mean_ci(got) if got else (None, 0.0))
        series[model] = vals
    fig, ax = plt.subplots(figsize=(7.5, 3.6))
    _bars(ax, tasks, series)
    ax.set_title("StreamPro-F1 per task")
    written.append("figures/" + _save(fig, fig_dir, "f1_tasks"))

    fig, ax = plt.subplots(figsize=(5.2, 4.6))
    grid = np.linspace(1, 100, 200)
    for f in (20, 40, 60, 80):
        p = grid[grid > f / 2]
        ax.plot(p, f * p / (2 * p - f), color="0.85", lw=0.8)
        ax.annotate(f"F1={f}", (100, f * 100 / (200 - f)), fontsize=7, color="0.6", ha="right", va="bottom")
    markers = {"perception": "o", "temporal": "s", "proactive": "^"}
    for k, (name, s) in enumerate(summaries.items()):
        for d in dims:
            p, rc = (dimension_mean(s["f1"]["tasks"], d, key) for key in ("precision", "recall"))
            if p is not None and rc is not None:
                ax.plot(p, rc, markers[d], color=f"C{k % 10}", ms=7, label=name if d == dims[0] else None)
    for d in dims:
        ax.plot([], [], markers[d], color="0.3", label=DIM_SHORT[d])
    ax.set_xlim(0, 100)
    ax.set_ylim(0, 100)
    ax.set_xlabel("precision")
    ax.set_ylabel("recall")
    ax.set_title("precision vs recall per dimension")
    ax.legend(fontsize=7, loc="upper right")
    written.append("figures/" + _save(fig, fig_dir, "precision_recall"))

    fig, ax = plt.subplots(figsize=(7.5, 3.4))
    bins = np.linspace(-15, 15, 31)
    for k, (name, per_q) in enumerate(scores.items()):
        offsets = [o for sc in per_q.values() for o in sc.get("offsets", [])]
        if offsets:
            ax.hist(np.clip(offsets, -15, 15), bins=bins, histtype="step", lw=1.6, color=f"C{k % 10}",
                    label=f"{name} ({len(offsets)} matched)")
    ax.axvline(0, color="k", lw=0.8, ls="--")
    ax.set_xlabel("response time − the answer's best time (s); negative = early, clipped at ±15 s")
    ax.set_ylabel("matched responses")
    ax.set_title("when each model spoke")
    if ax.get_legend_handles_labels()[0]:
        ax.legend(fontsize=8)
    written.append("figures/" + _save(fig, fig_dir, "response_timing"))
    return written
