"""StreamPro-F1 (paper §1, restated in docs/metrics.md with every open choice and its setting).

Per matched (prediction, answer) pair ``S = S_time * S_acc`` with ``S_time = max(0, 1 - dt / tau)``
(``dt`` = distance to the best time, or to the best interval for EU/TP; RF's tau differs before and
after) and ``S_acc`` the judge's 0–5 score / 5 (TG: temporal IoU of the reply's two numbers with the
event span). Matching is prediction-first and greedy: predictions in time order, each goes to the first
answer (in the item's order) whose window contains it and to no other (the paper's rule; ``matching="best"``
sends it to the answer where its ``S`` is highest instead); an answer keeps its best ``S``. Per question
``P = sum S / N_pred``, ``R = sum S / N_gt``, ``F1 = 2PR / (P + R)``; tasks average questions;
dimensions weight tasks by question count; ``avg`` is the mean of dimensions and ``wavg`` weights them
by question count (the paper's headline W-Avg).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any

from ..core.items import DIMENSIONS, TIME_EPS, Answer, Item, within
from ..core.text import numbers
from .judges import Judge, JudgeRequest

MATCHING = ("first", "best")
RESPONSE_TIMES = ("frame_start", "frame_end")


@dataclass(frozen=True)
class F1Settings:
    """The choices the paper leaves open (docs/metrics.md)."""

    aggregate: str = "question"  # question: mean of per-question P/R/F1 | pooled: sum S / sum N over a task
    tg_content: str = "iou"  # iou: TG content = temporal IoU of the reply's [start, end] | judge: ask the judge
    # a prediction inside several answers' windows: first = the first such answer (the paper, §4.2 and App.
    # A.2.2) | best = the answer where its S is highest (ties: an unmatched answer, then the earlier one)
    matching: str = "first"
    # the time of a response said after the frame labelled <ks-(k+1)s>: frame_start = k (the runner's stamp,
    # the instant the frame shows) | frame_end = k + 1/fps (the earliest a real-time model could say it)
    response_time: str = "frame_start"
    tie_break: str = "unmatched"  # matching="best" only: equal S goes to an unmatched answer | "first" answer

    def __post_init__(self):
        if self.matching not in MATCHING:
            raise ValueError(f"matching must be one of {MATCHING}, got {self.matching!r}")
        if self.response_time not in RESPONSE_TIMES:
            raise ValueError(f"response_time must be one of {RESPONSE_TIMES}, got {self.response_time!r}")
        if self.aggregate not in ("question", "pooled"):
            raise ValueError(f"aggregate must be 'question' or 'pooled', got {self.aggregate!r}")
        if self.tg_content not in ("iou", "judge"):
            raise ValueError(f"tg_content must be 'iou' or 'judge', got {self.tg_content!r}")


def time_score(t: float, item: Item, a: Answer, tau: tuple[float, float] | None = None) -> float:
    """``max(0, 1 - dt/tau)``; ``dt`` is 0 inside the best interval; tau depends on the side (RF).
    ``tau`` overrides the task's (the GRPO turn reward uses one tau for every task)."""
    lo, hi = a.best
    early, late = tau or item.tau(a)
    if t < lo:
        return max(0.0, 1.0 - (lo - t) / early)
    if t > hi:
        return max(0.0, 1.0 - (t - hi) / late)
    return 1.0


def in_window(t: float, item: Item, a: Answer) -> bool:
    return within(t, *item.window(a))


def temporal_iou(pred: tuple[float, float], true: tuple[float, float]) -> float:
    p0, p1 = sorted(pred)
    t0, t1 = true
    inter = max(0.0, min(p1, t1) - max(p0, t0))
    union = max(p1, t1) - min(p0, t0)
    if union <= 0:  # both are points
        return 1.0 if abs(p0 - t0) < TIME_EPS else 0.0
    return inter / union


def iou_content(text: str, span: tuple[float, float]) -> float:
    """TG content: the first two numbers of the reply as [start, end] against the true span."""
    nums = numbers(text)
    return temporal_iou((nums[0], nums[1]), span) if len(nums) >= 2 else 0.0


@dataclass
class Prediction:
    t: float
    text: str
    cut: bool = False  # the model's length cap ended the answer (recorded, not scored differently)


def stamped(item: Item, preds: Sequence[Prediction], settings: F1Settings) -> list[Prediction]:
    """Predictions at the time the metric scores them: as recorded (frame start), or one frame later."""
    if settings.response_time == "frame_start":
        return list(preds)
    return [Prediction(p.t + 1.0 / item.fps, p.text, p.cut) for p in preds]


def judge_requests(item: Item, preds: Sequence[Prediction], settings: F1Settings) -> list[JudgeRequest]:
    """The content scores this item needs: one per (prediction, answer) pair inside the answer's window."""
    out = []
    for p in stamped(item, preds, settings):
        for a in item.answers:
            if not in_window(p.t, item, a):
                continue
            if not (item.task == "TG" and settings.tg_content == "iou" and a.span):
                out.append(JudgeRequest.of(item, a, p.text))
            if settings.matching == "first":
                break  # no other answer can take this prediction: no judge call for it
    return out


def score_question(item: Item, preds: Sequence[Prediction], content: dict[JudgeRequest, int],
                   settings: F1Settings = F1Settings()) -> dict[str, Any]:
    """Match and score one question. ``content`` maps judge requests (see :func:`judge_requests`) to 0–5."""
    preds = sorted((p for p in stamped(item, preds, settings) if p.t >= item.query_time - TIME_EPS), key=lambda p: p.t)
    best: list[dict[str, Any] | None] = [None] * len(item.answers)
    assigned: list[int | None] = []
    for pi, p in enumerate(preds):
        cands = []
        for j, a in enumerate(item.answers):
            if not in_window(p.t, item, a):
                continue
            st = time_score(p.t, item, a)
            if item.task == "TG" and settings.tg_content == "iou" and a.span:
                acc = iou_content(p.text, a.span)
            else:
                acc = content[JudgeRequest.of(item, a, p.text)] / 5.0
            cands.append((st * acc, best[j] is None, -j, j, st, acc))
            if settings.matching == "first":
                break  # the first answer whose window holds the prediction takes it, whatever its S
        if not cands:
            assigned.append(None)
            continue
        # under "first" there is one candidate; under "best" the highest S (tie_break for equal S)
        s, _, _, j, st, acc = max(cands) if settings.tie_break == "unmatched" else max(cands, key=lambda c: (c[0], c[2]))
        assigned.append(j)
        if best[j] is None or s > best[j]["s"]:
            best[j] = {"answer": j, "pred": pi, "t": p.t, "s": s, "s_time": st, "s_acc": acc}
    total = sum(b["s"] for b in best if b)
    n_pred, n_gt = len(preds), len(item.answers)
    prec = total / n_pred if n_pred else 0.0
    rec = total / n_gt
    f1 = 2 * prec * rec / (prec + rec) if prec + rec > 0 else 0.0
    matched = [b for b in best if b]
    first = [p.t for p in preds]
    return {"id": item.id, "task": item.task, "dimension": item.dimension, "n_pred": n_pred, "n_gt": n_gt,
            "sum_s": total, "precision": prec, "recall": rec, "f1": f1, "matches": matched,
            "unmatched_preds": sum(a is None for a in assigned),
            "offsets": [b["t"] - item.answers[b["answer"]].best[0] for b in matched],
            "first_response": first[0] if first else None}


def _mean(xs: list[float]) -> float | None:
    return sum(xs) / len(xs) if xs else None


def weighted_mean(pairs: list[tuple[float, int]]) -> float | None:
    """Mean of ``(value, weight)`` pairs (None for none): a dimension's value from its tasks' by question count."""
    return sum(v * n for v, n in pairs) / sum(n for _, n in pairs) if pairs else None


def _pct(x: float | None) -> float | None:
    return None if x is None else 100.0 * x


def aggregate(scores: list[dict[str, Any]], settings: F1Settings = F1Settings()) -> dict[str, Any]:
    """The paper's tables: per task Time, Acc, Precision, Recall, F1 (0–100); per dimension the
    question-count-weighted F1 of its tasks; ``avg`` over dimensions and question-weighted ``wavg``."""
    by_task: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for s in scores:
        by_task[s["task"]].append(s)
    tasks: dict[str, Any] = {}
    for task, ss in sorted(by_task.items()):
        matches = [m for s in ss for m in s["matches"]]
        if settings.aggregate == "pooled":
            tot, npred, ngt = sum(s["sum_s"] for s in ss), sum(s["n_pred"] for s in ss), sum(s["n_gt"] for s in ss)
            p, r = (tot / npred if npred else 0.0), tot / ngt
            f1 = 2 * p * r / (p + r) if p + r > 0 else 0.0
        else:
            p, r, f1 = (_mean([s[k] for s in ss]) or 0.0 for k in ("precision", "recall", "f1"))
        offs = [o for s in ss for o in s["offsets"]]
        tasks[task] = {
            "dimension": ss[0]["dimension"], "n": len(ss),
            "time": _pct(_mean([m["s_time"] for m in matches])), "acc": _pct(_mean([m["s_acc"] for m in matches])),
            "precision": 100 * p, "recall": 100 * r, "f1": 100 * f1,
            # diagnostics: how often and when the model spoke
            "response_rate": _pct(_mean([float(s["n_pred"] > 0) for s in ss])),
            "responses_per_question": _mean([float(s["n_pred"]) for s in ss]),
            "answers_per_question": _mean([float(s["n_gt"]) for s in ss]),
            "matched_answer_rate": _pct(sum(len(s["matches"]) for s in ss) / max(1, sum(s["n_gt"] for s in ss))),
            "unmatched_pred_rate": _pct(sum(s["unmatched_preds"] for s in ss) / max(1, sum(s["n_pred"] for s in ss))),
            "early_rate": _pct(_mean([float(o < -TIME_EPS) for o in offs])),
            "mean_offset_s": _mean(offs),
        }
    dims: dict[str, Any] = {}
    for d in DIMENSIONS:
        rows = [r for r in tasks.values() if r["dimension"] == d]
        if rows:
            n = sum(r["n"] for r in rows)
            dims[d] = {"f1": sum(r["f1"] * r["n"] for r in rows) / n, "n": n,
                       # the paper's main table prints Time / Acc / F1 per dimension: the tasks' values weighted
                       # by their question counts, as F1 (tasks where nothing matched have none and are left out)
                       **{k: weighted_mean([(r[k], r["n"]) for r in rows if r[k] is not None]) for k in ("time", "acc")}}
    return {"tasks": tasks, "dimensions": dims, **overall(dims), "n": len(scores)}


def overall(dims: dict[str, dict[str, float]]) -> dict[str, float | None]:
    """``avg``: mean of the dimensions' F1; ``wavg``: weighted by their question counts (W-Avg)."""
    if not dims:
        return {"avg": None, "wavg": None}
    n = sum(v["n"] for v in dims.values())
    return {"avg": sum(v["f1"] for v in dims.values()) / len(dims), "wavg": sum(v["f1"] * v["n"] for v in dims.values()) / n}


def score_predictions(items: list[Item], predictions: dict[str, list[Prediction]], judge: Judge,
                      settings: F1Settings = F1Settings(), progress: bool = False) -> list[dict[str, Any]]:
    """Score every item (missing predictions = silence). Judge calls are collected first, de-duplicated
    and sent as one batch, so an HTTP judge runs them concurrently and a cache answers repeats."""
    reqs = {r for it in items for r in judge_requests(it, predictions.get(it.id, []), settings)}
    content = dict(zip(reqs, judge.score(list(reqs), progress=progress), strict=True)) if reqs else {}
    return [score_question(it, predictions.get(it.id, []), content, settings) for it in items]


def settings_json(settings: F1Settings) -> dict[str, Any]:
    return asdict(settings)


def native_rule(items: list[Item], predictions: dict[str, list[Prediction]]) -> dict[str, Any] | None:
    """The official ±2 s / contains-the-output rule applied to the native streaming mode (PO items made by
    ``streampro data convert po``): the model's *first* response plays the role of the polled answer.
    ``predictions``: id -> list of ``Prediction``. None when there are no PO items."""
    po = [it for it in items if it.task == "PO"]
    if not po:
        return None
    time_ok = answer_ok = 0
    for it in po:
        preds = sorted((p for p in predictions.get(it.id, []) if p.t >= it.query_time - TIME_EPS), key=lambda p: p.t)
        if preds and abs(preds[0].t - it.answers[0].time) <= 2 + TIME_EPS:
            time_ok += 1
            answer_ok += it.answers[0].text in preds[0].text
    return {"n": len(po), "time_accuracy": 100 * time_ok / len(po), "answer_accuracy": 100 * answer_ok / len(po)}
