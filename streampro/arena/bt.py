"""Bradley–Terry rankings from pairwise votes, as the paper's human check (App. A.3) fits them.

- A vote for one side is one observation "winner beats loser" with weight 1.
- A tie (and, by default, "both bad") is encoded as two symmetric pseudo-observations of weight 0.5 each,
  A beats B and B beats A, so it pulls the two strengths together without favouring either.
- The strengths θ maximise Σ w · log σ(θ_winner − θ_loser) (``scipy.optimize``, L-BFGS with the exact
  gradient), centred to mean 0. A tiny ridge (``l2``, default 1e-4) keeps them finite when one model wins
  every comparison it is in; set it to 0 for the plain maximum-likelihood estimate.
- Uncertainty: 1,000 bootstrap resamples of the votes (seeded): the median strength with its 2.5–97.5 %
  interval per model, and how often each model takes each rank (the rank-stability matrix).
- Agreement with the metric: Spearman ρ and Kendall τ between the models' BT strengths and their
  StreamPro-F1, on the median and on every resample (the interval).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

VOTES = ("left", "right", "tie", "both_bad")


@dataclass(frozen=True)
class Vote:
    """One annotator's judgement of two models' response streams on one question; ``left``/``right`` are
    the models in their on-screen order."""

    question: str
    left: str
    right: str
    vote: str  # left | right | tie | both_bad


def comparisons(votes: Sequence[Vote], models: Sequence[str], both_bad: str = "tie") -> np.ndarray:
    """Votes -> rows ``(winner index, loser index, weight)``; ``both_bad``: ``tie`` (the default: two 0.5
    pseudo-observations, as a tie) or ``drop`` (no observation)."""
    index = {m: i for i, m in enumerate(models)}
    rows: list[tuple[int, int, float]] = []
    for v in votes:
        a, b = index[v.left], index[v.right]
        if v.vote == "left":
            rows.append((a, b, 1.0))
        elif v.vote == "right":
            rows.append((b, a, 1.0))
        elif v.vote == "tie" or (v.vote == "both_bad" and both_bad == "tie"):
            rows += [(a, b, 0.5), (b, a, 0.5)]
        elif v.vote != "both_bad":
            raise ValueError(f"unknown vote {v.vote!r}; expected one of {VOTES}")
    return np.asarray(rows, dtype=np.float64).reshape(-1, 3)


def fit(rows: np.ndarray, n_models: int, l2: float = 1e-4) -> np.ndarray:
    """Maximum (ridge-penalised) likelihood BT strengths, mean 0."""
    from scipy.optimize import minimize
    from scipy.special import expit, log_expit

    if len(rows) == 0:
        return np.zeros(n_models)
    win, lose, w = rows[:, 0].astype(int), rows[:, 1].astype(int), rows[:, 2]

    def nll(theta: np.ndarray) -> tuple[float, np.ndarray]:
        d = theta[win] - theta[lose]
        value = -np.sum(w * log_expit(d)) + 0.5 * l2 * theta @ theta
        g = w * expit(-d)  # d(-log σ(d))/dd = -σ(-d)
        grad = -np.bincount(win, g, n_models) + np.bincount(lose, g, n_models) + l2 * theta
        return value, grad

    res = minimize(nll, np.zeros(n_models), jac=True, method="L-BFGS-B", options={"maxiter": 1000, "gtol": 1e-10})
    theta = res.x - res.x.mean()
    return theta


def ranks(scores: np.ndarray) -> np.ndarray:
    """Rank 1 = strongest (ties broken by order)."""
    order = np.argsort(-scores, kind="stable")
    r = np.empty(len(scores), dtype=int)
    r[order] = np.arange(1, len(scores) + 1)
    return r


def bootstrap(votes: Sequence[Vote], models: Sequence[str], n: int = 1000, seed: int = 0, l2: float = 1e-4,
              both_bad: str = "tie") -> np.ndarray:
    """``n`` × models strengths, each fitted on the votes resampled with replacement (seeded)."""
    rng = np.random.default_rng(seed)
    votes = list(votes)
    out = np.empty((n, len(models)))
    for b in range(n):
        sample = [votes[i] for i in rng.integers(0, len(votes), len(votes))]
        out[b] = fit(comparisons(sample, models, both_bad), len(models), l2)
    return out


def correlation(bt: np.ndarray, f1: np.ndarray) -> tuple[float, float]:
    """(Spearman ρ, Kendall τ) between two score vectors (NaN when either is constant)."""
    from scipy.stats import kendalltau, spearmanr

    if np.ptp(bt) == 0 or np.ptp(f1) == 0:
        return float("nan"), float("nan")
    return float(spearmanr(bt, f1).statistic), float(kendalltau(bt, f1).statistic)


def rank_models(votes: Sequence[Vote], models: Sequence[str], f1: dict[str, float] | None = None, n_boot: int = 1000,
                seed: int = 0, l2: float = 1e-4, both_bad: str = "tie") -> dict:
    """The whole analysis as a JSON-ready dict: per model the BT strength (full-data fit), the bootstrap
    median and 95 % interval, the rank-stability row, the vote counts; and, given ``f1`` per model, the
    Spearman/Kendall agreement of the BT ranking with the F1 ranking, with bootstrap intervals."""
    models = list(models)
    full = fit(comparisons(votes, models, both_bad), len(models), l2)
    boot = bootstrap(votes, models, n_boot, seed, l2, both_bad)
    med = np.median(boot, axis=0)
    lo, hi = np.percentile(boot, [2.5, 97.5], axis=0)
    rank_counts = np.zeros((len(models), len(models)))
    for row in boot:
        rank_counts[np.arange(len(models)), ranks(row) - 1] += 1
    stability = rank_counts / len(boot)
    counts = {m: {"votes": 0, "wins": 0, "losses": 0, "ties": 0, "both_bad": 0} for m in models}
    for v in votes:
        for me, other_side in ((v.left, "right"), (v.right, "left")):
            c = counts[me]
            c["votes"] += 1
            if v.vote in ("tie", "both_bad"):
                c["ties" if v.vote == "tie" else "both_bad"] += 1
            else:
                c["losses" if v.vote == other_side else "wins"] += 1
    order = np.argsort(-med, kind="stable")
    out = {
        "models": [models[i] for i in order],
        "n_votes": len(votes), "n_bootstrap": n_boot, "seed": seed, "l2": l2, "both_bad": both_bad,
        "scores": {models[i]: {"bt": float(full[i]), "bt_median": float(med[i]), "bt_low": float(lo[i]),
                               "bt_high": float(hi[i]), "rank": int(ranks(med)[i]),
                               "rank_stability": [float(x) for x in stability[i]], **counts[models[i]]}
                   for i in order},
    }
    if f1 is not None:
        f = np.asarray([f1[m] for m in models])
        rho, tau = correlation(med, f)
        per = np.asarray([correlation(row, f) for row in boot])
        ok = ~np.isnan(per[:, 0])
        out["agreement"] = {
            "f1": {m: f1[m] for m in models},
            "spearman": rho, "kendall": tau,
            "spearman_ci": [float(x) for x in np.percentile(per[ok, 0], [2.5, 97.5])] if ok.any() else None,
            "kendall_ci": [float(x) for x in np.percentile(per[ok, 1], [2.5, 97.5])] if ok.any() else None,
        }
    return out
