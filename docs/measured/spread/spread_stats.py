"""Readers and interval arithmetic shared by the per-round stats scripts beside this file (issue 18). Each round's
script imports this module (it sits on the script's own sys.path) so the seeds-needed formula and the readers of
runs/w9 exist once; the scripts print, this module does not."""

import functools
import json
import statistics
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path

import numpy as np
from scipy import stats

from streampro.core.stats import mean_ci
from streampro.core.vocab import ANOMALIES
from streampro.train.reward_study import summarize

W9 = Path("runs/w9")
TASKS = ("EU", "OU", "AA", "TP", "TG", "GP", "RF")
#: the dimensions the intervals are printed for, and how each is read from a summary's "f1" block
DIMENSIONS: tuple[tuple[str, Callable[[dict], float]], ...] = (
    ("W-Avg", lambda f: f["wavg"]), ("proactive", lambda f: f["dimensions"]["proactive"]["f1"]),
    ("perception", lambda f: f["dimensions"]["perception"]["f1"]),
    ("temporal", lambda f: f["dimensions"]["temporal"]["f1"]))


def done(name: str, s: int, split: str = "eval") -> bool:
    """Whether the evaluation ``name`` ({s} = seed) has its summary."""
    return (W9 / split / name.format(s=s) / "summary.json").exists()


def f1(name: str, s: int, split: str = "eval") -> dict:
    return json.loads((W9 / split / name.format(s=s) / "summary.json").read_text())["f1"]


def log(run: str) -> list[dict]:
    return [json.loads(line) for line in (W9 / run / "log.jsonl").read_text().splitlines()]


def reward_first_last(run: str) -> str:
    """A GRPO run's training reward: mean of its first and of its last 25 logged steps."""
    rows = log(run)
    first, last = (statistics.mean(r["reward"] for r in part) for part in (rows[:25], rows[-25:]))
    return f"{first:.3f} -> {last:.3f}"


def late_rows(run: str, since: float | None = None) -> list[dict]:
    """An SFT run's log lines from step ``since`` on (default: the last 10 % of its steps)."""
    rows = log(run)
    cut = 0.9 * rows[-1]["step"] if since is None else since
    return [r for r in rows if r["step"] >= cut]


def sft_losses(run: str, since: float | None = None) -> str:
    """Mean of each loss part the run logs, over ``late_rows``."""
    rows = late_rows(run, since)
    return " / ".join(f"{k} {statistics.mean(r[k] for r in rows):.3f}" for k in ("decision", "answer", "motion")
                      if k in rows[0])


@functools.cache
def task_of(items: str) -> dict[str, str]:
    """Question id -> task of an items file under runs/w9 (read once)."""
    return {rec["id"]: rec["task"] for rec in map(json.loads, (W9 / items).open())}


def names_an_anomaly(name: str, s: int, split: str = "eval", items: str = "data/test/items.jsonl") -> str:
    """Share of AA responses (test split unless told) that say one of the world's anomaly words."""
    tasks = task_of(items)
    said = [r["text"] for line in (W9 / split / name.format(s=s) / "predictions.jsonl").open()
            for rec in [json.loads(line)] if tasks[rec["id"]] == "AA" for r in rec["responses"]]
    hits = sum(any(w in t.split() for w in ANOMALIES) for t in said)
    return f"{hits}/{len(said)}"


def interval(xs: list[float]) -> tuple[float, float]:
    m, h = mean_ci(xs)
    return m - h, m + h


def seeds_for(before: list[float], after: list[float]) -> int | None:
    """Seeds at which mean(after) - mean(before) would clear both 95 % t half-widths, the SDs held fixed."""
    gain, sd = np.mean(after) - np.mean(before), np.std(before, ddof=1) + np.std(after, ddof=1)
    return next((n for n in range(3, 101) if gain > stats.t.ppf(0.975, n - 1) * sd / np.sqrt(n)), None)


def p_apart(pairs: list[tuple[list[float], list[float]]], n: int, draws: int = 100_000,
            cov: np.ndarray | None = None) -> float:
    """Share of simulated n-seed samples in which every (before, after) pair's two 95 % t-intervals come apart,
    each seed's values drawn jointly from the normal fitted to the measured seeds (means and covariance; ``cov``
    replaces the fitted covariance, columns in the order before, after of each pair)."""
    cols = [v for pair in pairs for v in pair]
    x = np.random.default_rng(0).multivariate_normal(np.mean(cols, axis=1), np.cov(cols) if cov is None else cov,
                                                     size=(draws, n))
    mean = x.mean(axis=1)
    half = stats.t.ppf(0.975, n - 1) * x.std(axis=1, ddof=1) / np.sqrt(n)
    lo, hi = mean - half, mean + half
    return float(np.mean(np.all([lo[:, 2 * k + 1] > hi[:, 2 * k] for k in range(len(pairs))], axis=0)))


def seeds_text(n: int | None) -> str:
    return f"{n} seeds" if n else "over 100 seeds"


def intervals(sft: str, grpo: str, seeds: list[int], split: str = "eval", labels: tuple[str, str] = ("SFT", "+GRPO")) -> None:
    """Per dimension: both 95 % t-intervals, apart or overlapping, the paired gain, and the seeds non-overlap
    would need at the measured gain and SDs; ``labels`` name the two arms in the printout."""
    for dim, get in DIMENSIONS:
        a, b = ([get(f1(name, s, split)) for s in seeds] for name in (sft, grpo))
        (lo_a, hi_a), (lo_b, hi_b) = interval(a), interval(b)
        paired = mean_ci([y - x for x, y in zip(a, b, strict=True)])
        print(f"{dim}: {labels[0]} {np.mean(a):.1f} [{lo_a:.1f}, {hi_a:.1f}] -> {labels[1]} {np.mean(b):.1f} [{lo_b:.1f}, {hi_b:.1f}]: "
              + ("apart" if lo_b > hi_a else "overlap") + f"; paired {paired[0]:+.2f} ± {paired[1]:.2f} ("
              + " / ".join(f"{y - x:+.1f}" for x, y in zip(a, b, strict=True)) + f"); SD {np.std(a, ddof=1):.2f} / "
              f"{np.std(b, ddof=1):.2f}: " + seeds_text(seeds_for(a, b)) + " for non-overlap")


def compare(label: str, sft: str, grpo: str, seeds: list[int], split: str = "eval") -> None:
    """``sft`` -> ``grpo`` over ``seeds``: W-Avg per seed, then (two seeds or more) the intervals and per task."""
    print(f"{label}, seeds {seeds}; W-Avg per seed " + " / ".join(
        f"{f1(sft, s, split)['wavg']:.1f} -> {f1(grpo, s, split)['wavg']:.1f}" for s in seeds))
    if len(seeds) > 1:
        intervals(sft, grpo, seeds, split)
        print("per task, GRPO - SFT (mean ± 95 %, per seed):")
        paired_task_gains(sft, grpo, seeds, split)


def paired_task_gains(before: str, after: str, seeds: list[int], split: str = "eval") -> None:
    """Per task: after - before, mean ± 95 % t and per seed."""
    for task in TASKS:
        d = [f1(after, s, split)["tasks"][task]["f1"] - f1(before, s, split)["tasks"][task]["f1"] for s in seeds]
        print(f"{task} {mean_ci(d)[0]:+.1f} ± {mean_ci(d)[1]:.1f}  " + " / ".join(f"{x:+.1f}" for x in d))


def gp_row(g: dict) -> str:
    """matched %, content %, time %, responses per question, F1 of one summary's GP block (silent has no matches)."""
    def num(x, fmt):
        return "-" if x is None else format(x, fmt)
    return ", ".join(num(g[k], f) for k, f in (("matched_answer_rate", ".0f"), ("acc", ".0f"), ("time", ".0f"),
                                                ("responses_per_question", ".1f"), ("f1", ".1f")))


def scores(path: str) -> dict[str, tuple[str, float]]:
    """Question id -> (task, F1 0-100) of one evaluation folder under runs/w9."""
    return {r["id"]: (r["task"], 100 * r["f1"]) for r in map(json.loads, (W9 / path / "scores.jsonl").open())}


def dims(v: dict) -> str:
    return f"W-Avg {v['wavg']:.1f} (" + " / ".join(f"{d} {x['f1']:.1f}" for d, x in v["dimensions"].items()) + ")"


def by_task(values: list[tuple[str, float]]) -> str:
    acc = defaultdict(list)
    for task, v in values:
        acc[task].append(v)
        acc["all"].append(v)
    return ", ".join(f"{k} {np.mean(v):.1f}" for k, v in sorted(acc.items(), key=lambda kv: (kv[0] == "all", kv[0])))


def headroom(study: str, greedy: str | None) -> None:
    groups = json.loads((W9 / study / "rollouts.json").read_text())
    g = len(groups[0])
    h = summarize(groups)["headroom"]
    print(f"{study} (G {g}): " + ", ".join(f"{k} {100 * h['all'][k]:.1f}" for k in ("mean_f1", "reward_pick_f1", "best_f1"))
          + "; per task sampled / pick / best: " + ", ".join(
              f"{t} {100 * x['mean_f1']:.1f} / {100 * x['reward_pick_f1']:.1f} / {100 * x['best_f1']:.1f}"
              for t, x in h.items() if t != "all"))
    if greedy and (W9 / greedy / "scores.jsonl").exists():
        sc = scores(greedy)
        print(f"  greedy ({greedy}) on the same questions: " + by_task([sc[grp[0]["id"]] for grp in groups]))
