"""Scorers. Every formula here is documented in ``docs/metrics.md``.

* Perception / Temporal: accuracy of the first answer given in ``[query_time, deadline]``.
* Proactive Agency: the first answer earns ``1`` if correct and given at or before the decidable
  time, decays linearly to ``0`` at the outcome time, and ``0`` if wrong, late or missing. The
  dimension score is chance-corrected per task, ``(raw - c) / (1 - c)`` with ``c`` the mean of
  ``1 / #options``, so a blind guess at t=0 scores about 0.
* Overall: the mean of the three dimension scores (each a macro-average over its tasks), 0–100.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from typing import Any

from ..models.base import Response
from .schema import DIMENSIONS, Item

_ARTICLES = re.compile(r"\b(the|a|an)\b")
_PUNCT = re.compile(r"[^\w\s]")
_LETTER = re.compile(r"^\(?([A-Za-z])\)?(?:[.:)]|$|\s)")


def normalize(text: str) -> str:
    text = _PUNCT.sub(" ", text.lower())
    return " ".join(_ARTICLES.sub(" ", text).split())


def parse_choice(text: str, options: list[str] | tuple[str, ...]) -> int | None:
    """Map a free-form answer to an option index: exact (normalised) option text, an option letter
    ("B", "(B)", "B. red"), or the one option whose text the answer contains. None if unparseable."""
    norm = normalize(text)
    opts = [normalize(o) for o in options]
    if norm in opts:
        return opts.index(norm)
    m = _LETTER.match(text.strip())
    if m:
        idx = ord(m.group(1).upper()) - ord("A")
        if 0 <= idx < len(options) and (len(text.strip()) <= 3 or normalize(text.strip()[2:]) in ("", opts[idx])):
            return idx
    hits = [i for i, o in enumerate(opts) if o and re.search(rf"\b{re.escape(o)}\b", norm)]
    return hits[0] if len(hits) == 1 else None


@dataclass
class ItemScore:
    id: str
    task: str
    dimension: str
    answered: bool
    response_time: float | None
    response_text: str | None
    choice: int | None
    correct: bool
    credit: float  # in [0, 1]
    timing: str  # early | on_time | late | missed
    delay: float | None  # response_time - decidable_time
    n_responses: int
    chance: float

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


def proactive_credit(t: float, decidable: float, outcome: float) -> float:
    """1 up to the decidable time, linear to 0 at the outcome time, 0 from the outcome on."""
    if t >= outcome:
        return 0.0
    if t <= decidable:
        return 1.0
    return (outcome - t) / (outcome - decidable)


def score_item(item: Item, responses: Iterable[Response]) -> ItemScore:
    rs = sorted((r for r in responses if r.time >= item.query_time - 1e-6), key=lambda r: r.time)
    decidable = item.decidable_time if item.decidable_time is not None else item.query_time
    base = dict(id=item.id, task=item.task, dimension=item.dimension, n_responses=len(rs),
                chance=1.0 / len(item.options))
    if not rs:
        return ItemScore(**base, answered=False, response_time=None, response_text=None, choice=None,
                         correct=False, credit=0.0, timing="missed", delay=None)
    first = rs[0]
    choice = parse_choice(first.text, item.options)
    correct = choice == item.answer_index
    t, close = first.time, item.close_time
    if item.dimension == "proactive":
        credit = proactive_credit(t, decidable, close) if correct else 0.0
        late = t >= close - 1e-9
    else:
        late = t > close + 1e-9
        credit = 1.0 if correct and not late else 0.0
    timing = "late" if late else ("early" if t < decidable - 1e-9 else "on_time")
    return ItemScore(**base, answered=True, response_time=t, response_text=first.text, choice=choice,
                     correct=correct, credit=credit, timing=timing, delay=t - decidable)


def _mean(xs: list[float]) -> float | None:
    return sum(xs) / len(xs) if xs else None


def timing_stats(scores: list[dict[str, Any]]) -> dict[str, float | None]:
    n = len(scores)
    answered = [s for s in scores if s["answered"]]
    return {
        "n": n,
        "response_rate": len(answered) / n if n else None,
        "mean_delay_s": _mean([s["delay"] for s in answered]),
        "early_rate": sum(s["timing"] == "early" for s in scores) / n if n else None,
        "on_time_rate": sum(s["timing"] == "on_time" for s in scores) / n if n else None,
        "late_rate": sum(s["timing"] == "late" for s in scores) / n if n else None,
        "miss_rate": sum(s["timing"] == "missed" for s in scores) / n if n else None,
        "false_alarm_rate": sum(s["answered"] and not s["correct"] for s in scores) / n if n else None,
        "redundant_per_item": _mean([max(0, s["n_responses"] - 1) for s in scores]),
    }


def aggregate(scores: list[dict[str, Any]]) -> dict[str, Any]:
    """Per-task, per-dimension and overall scores (0–100) from per-item score records."""
    by_task: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for s in scores:
        by_task[s["task"]].append(s)
    tasks: dict[str, Any] = {}
    for task, ss in sorted(by_task.items()):
        raw = _mean([s["credit"] for s in ss]) or 0.0
        chance = _mean([s["chance"] for s in ss]) or 0.0
        row = {"dimension": ss[0]["dimension"], "n": len(ss), "score": 100 * raw, "raw": 100 * raw,
               "chance": 100 * chance, "accuracy": 100 * (_mean([float(s["correct"]) for s in ss]) or 0.0)}
        if row["dimension"] == "proactive":
            row["chance_corrected"] = 100 * (raw - chance) / (1 - chance)
            row["score"] = row["chance_corrected"]
        tasks[task] = row
    dims: dict[str, Any] = {}
    for d in DIMENSIONS:
        rows = [r for r in tasks.values() if r["dimension"] == d]
        if not rows:
            continue
        score = _mean([r["score"] for r in rows]) or 0.0
        dims[d] = {"score": max(0.0, score), "raw": _mean([r["raw"] for r in rows]),
                   "n": sum(r["n"] for r in rows),
                   "timing": timing_stats([s for s in scores if s["dimension"] == d])}
    overall = _mean([v["score"] for v in dims.values()]) if dims else None
    return {"overall": overall, "dimensions": dims, "tasks": tasks, "timing": timing_stats(scores),
            "n_items": len(scores)}
