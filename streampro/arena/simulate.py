"""A simulated annotator, so the whole arena can run without people, and a study of how many votes a stable
ranking needs.

The annotator sees the two models' StreamPro-F1 on the question (0–1) and perceives their difference with
Gaussian noise: ``d = F1_left − F1_right + N(0, noise)``. It votes ``both_bad`` when both F1 are below
``bad_below``, ``tie`` when ``|d| < tie_margin``, else the side ``d`` points to. With ``noise`` 0 it is the
metric itself; the larger ``noise``, the less a single vote says.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .bt import Vote, comparisons, correlation, fit
from .schedule import Scheduler


@dataclass(frozen=True)
class Annotator:
    noise: float = 0.2
    tie_margin: float = 0.05
    bad_below: float = 0.05


def simulate_votes(f1: dict[str, dict[str, float]], questions: list[str], n_votes: int, annotator: Annotator,
                   seed: int = 0, scheduler: Scheduler | None = None) -> list[Vote]:
    """``n_votes`` votes on comparisons drawn as the page draws them (``f1``: model -> question -> F1)."""
    rng = np.random.default_rng(seed)
    sched = scheduler or Scheduler(list(f1), questions, seed)
    out = []
    for _ in range(n_votes):
        q, left, right = sched.next()
        fl, fr = f1[left][q], f1[right][q]
        d = fl - fr + rng.normal(0.0, annotator.noise) if annotator.noise > 0 else fl - fr
        if max(fl, fr) < annotator.bad_below:
            vote = "both_bad"
        elif abs(d) < annotator.tie_margin:
            vote = "tie"
        else:
            vote = "left" if d > 0 else "right"
        out.append(Vote(q, left, right, vote))
    return out


def votes_needed(f1: dict[str, dict[str, float]], questions: list[str], run_f1: dict[str, float],
                 annotator: Annotator, grid: list[int], repeats: int = 20, seed: int = 0, min_rho: float = 0.9,
                 share: float = 0.9) -> dict:
    """For each vote count in ``grid``: ``repeats`` independent simulated rounds, each fitted with BT; the
    mean Spearman ρ of the BT ranking with the F1 ranking (``run_f1``), the share of rounds with ρ ≥
    ``min_rho``, and the share that reproduce the F1 order exactly. ``needed`` is the smallest count whose
    share of rounds with ρ ≥ ``min_rho`` reaches ``share`` (None if none in the grid does)."""
    models = list(f1)
    target = np.asarray([run_f1[m] for m in models])
    rows, needed = [], None
    for n in grid:
        rhos, exact = [], 0
        for r in range(repeats):
            votes = simulate_votes(f1, questions, n, annotator, seed=seed * 100_003 + r * 1_009 + n)
            theta = fit(comparisons(votes, models), len(models))
            rhos.append(correlation(theta, target)[0])
            exact += list(np.argsort(-theta, kind="stable")) == list(np.argsort(-target, kind="stable"))
        rhos_a = np.asarray(rhos)
        ok = float(np.mean(rhos_a >= min_rho))
        rows.append({"votes": n, "mean_spearman": float(np.nanmean(rhos_a)), "share_rho_ge": ok,
                     "share_exact_order": exact / repeats})
        if needed is None and ok >= share:
            needed = n
    return {"noise": annotator.noise, "tie_margin": annotator.tie_margin, "bad_below": annotator.bad_below,
            "repeats": repeats, "min_rho": min_rho, "share": share, "needed": needed, "grid": rows}
