"""StreamPro-Bench questions and the per-task rules of StreamPro-F1 (paper Table 8).

A question is posted at ``query_time``; its answer is a *trajectory*: one or several timed answers,
each with a best response time (``time``) or a best interval (``start``/``end``, EU and TP), a
tolerance window around it and a time constant ``tau`` for the time score. Validation of the JSONL
form lives in ``streampro.data.schema``; this module holds the types and the defaults.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

DIMENSIONS = ("perception", "temporal", "proactive")
#: the one time tolerance (seconds): stream times are k / fps in floating point, so "at or after t" is
#: ``>= t - TIME_EPS`` everywhere (windows, the runner's clock, answer bounds, reports)
TIME_EPS = 1e-6


def within(t: float, lo: float, hi: float) -> bool:
    """``lo <= t <= hi`` up to :data:`TIME_EPS`: the one interval test of every window (scoring, rewards)."""
    return lo - TIME_EPS <= t <= hi + TIME_EPS


@dataclass(frozen=True)
class TaskRule:
    """How answers of a task are timed. ``window`` is relative to the best time (or to ``start`` and
    ``end`` for interval tasks); ``tau`` is (before, after) the best time — equal except for RF."""

    dimension: str
    interval: bool
    window: tuple[float, float]
    tau: tuple[float, float]
    name: str = ""


#: task code -> rule. External datasets may add tasks with :func:`register_task`.
TASKS: dict[str, TaskRule] = {
    "EU": TaskRule("perception", True, (0.0, 3.0), (4.0, 4.0), "Event Understanding"),
    "OU": TaskRule("perception", False, (-3.0, 3.0), (4.0, 4.0), "Object Understanding"),
    "AA": TaskRule("perception", False, (0.0, 5.0), (6.0, 6.0), "Anomaly Alert"),
    "TP": TaskRule("temporal", True, (0.0, 3.0), (4.0, 4.0), "Temporal Perception"),
    "TG": TaskRule("temporal", False, (-3.0, 3.0), (4.0, 4.0), "Temporal Grounding"),
    "GP": TaskRule("proactive", False, (-3.0, 0.0), (4.0, 4.0), "Goal Planning"),
    "RF": TaskRule("proactive", False, (-1.0, 3.0), (2.0, 4.0), "Risk Forecasting"),
    # external benchmarks scored with StreamPro-F1 after conversion (streampro/data/convert.py); windows and
    # tau are our choice (docs/metrics.md): the paper scores OVO-Bench's forward tasks this way but prints no rule
    "REC": TaskRule("proactive", False, (-3.0, 3.0), (4.0, 4.0), "OVO-Bench Repetition Event Count"),
    "SSR": TaskRule("proactive", False, (-3.0, 3.0), (4.0, 4.0), "OVO-Bench Sequential Steps Recognition"),
    "CRR": TaskRule("proactive", False, (-3.0, 3.0), (4.0, 4.0), "OVO-Bench Clues Reveal Responding"),
    "PO": TaskRule("proactive", False, (-2.0, 2.0), (4.0, 4.0), "StreamingBench Proactive Output"),
}
#: training only (streampro/data/world_captions.py): the paper's SFT captioning data, timed like OU
TASKS["CAP"] = replace(TASKS["OU"], name="Live Captioning (training data)")
TASKS["ACT"] = replace(TASKS["OU"], name="Action Captioning (training data)")
TASKS["TRK"] = replace(TASKS["OU"], name="Plan Tracking (training data; ours, issue 18)")
TASKS["RCT"] = replace(TASKS["OU"], name="Plan Recital (training data; ours, issue 18)")
PAPER_TASKS = ("EU", "OU", "AA", "TP", "TG", "GP", "RF")


def register_task(code: str, rule: TaskRule) -> None:
    """Add a task (e.g. OVO-Bench forward tasks scored with StreamPro-F1)."""
    if rule.dimension not in DIMENSIONS:
        raise ValueError(f"unknown dimension {rule.dimension!r}; expected one of {DIMENSIONS}")
    TASKS[code] = rule


@dataclass
class Answer:
    """One expected response. Exactly one of ``time`` and (``start``, ``end``) is set, by the task.

    ``span``: the event's true [start, end] (TG; scored by temporal IoU). ``window``/``tau``: overrides
    of the task's defaults. ``slots``: structured content (colour, object, direction, ...) that the
    ``rule`` judge checks in free text. ``outcome_time``: when the thing the answer is about is on
    screen (a hazard hit, the next step done) — used by the ``reactive`` reference model and reports.
    """

    text: str
    time: float | None = None
    start: float | None = None
    end: float | None = None
    span: tuple[float, float] | None = None
    window: tuple[float, float] | None = None
    tau: tuple[float, float] | None = None
    slots: dict[str, Any] | None = None
    outcome_time: float | None = None

    @property
    def best(self) -> tuple[float, float]:
        """The best response time as an interval (a point for timestamp tasks)."""
        if self.time is not None:
            return (self.time, self.time)
        assert self.start is not None and self.end is not None
        return (self.start, self.end)

    def to_json(self) -> dict[str, Any]:
        d: dict[str, Any] = {"text": self.text}
        for k in ("time", "start", "end", "span", "window", "tau", "slots", "outcome_time"):
            v = getattr(self, k)
            if v is not None:
                d[k] = list(v) if isinstance(v, tuple) else v
        return d


@dataclass
class Item:
    """One open question about one video, answered by a trajectory of timed responses."""

    id: str
    video: str
    fps: float
    duration: float
    dimension: str
    task: str
    query_time: float
    question: str
    answers: list[Answer]
    meta: dict[str, Any] = field(default_factory=dict)

    @property
    def rule(self) -> TaskRule:
        return TASKS[self.task]

    def window(self, a: Answer) -> tuple[float, float]:
        """Absolute tolerance window of answer ``a``: responses outside it cannot match it."""
        lo, hi = a.window if a.window is not None else self.rule.window
        b0, b1 = a.best
        return (b0 + lo, b1 + hi)

    def tau(self, a: Answer) -> tuple[float, float]:
        return a.tau if a.tau is not None else self.rule.tau

    def to_json(self) -> dict[str, Any]:
        d = {k: getattr(self, k) for k in ("id", "video", "fps", "duration", "dimension", "task", "query_time",
                                           "question")}
        d["answers"] = [a.to_json() for a in self.answers]
        if self.meta:
            d["meta"] = self.meta
        return d
