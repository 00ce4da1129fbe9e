"""StreamingBench — Real-Time Visual Understanding (RTVU), from its public question files.

``questions_real.json`` is read by ``streampro.data.formats.streamingbench``.

Protocol (as the benchmark's ``src/benchmark/StreamingBench.py`` and ``src/data/count.py``): the model
sees the clip ``[time_stamp - context, time_stamp]`` (``--context_time``; the leaderboard uses 60 s, the
script's default -1 means the whole video so far), is asked the multiple-choice question with the
benchmark's prompt, and the reply is graded by one of two rules:

* ``official`` (default): ``count.py`` compares the reply's **first character** with the letter;
  empty replies are not counted (``count.py`` skips them in its SQA branch; in its RTVU branch an
  empty string would raise an IndexError, so skipping is the only well-defined reading);
* ``extract``: the letter the benchmark's ``extract_characters_regex``-style rule finds in the reply
  (more lenient, e.g. "The best answer is B").

Scores: accuracy per ``task_type`` and overall over all counted questions (micro), in percent. Without a
context window one streaming pass per video serves all of its questions; with one, each question is
streamed on its own clip, as the official harness does. ``official_results.json`` is the questions file
with each reply under the model's name, the layout ``count.py --task real`` reads.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from ...core.types import TimedQuestion
from ...data.fixtures import make_rtvu_fixture
from ...data.formats.streamingbench import RTVU_TASKS, load_rtvu, write_official
from ...models.base import StreamingModel
from ..benchmark import Benchmark
from ..report_tables import format_rtvu_table
from ..runfile import RunFile
from ..timed import accuracy_by_task, evaluate_timed

_PREFIXES = ("The best answer is", "The correct answer is", "The answer is", "The answer", "The best option is",
             "The correct option is", "Best answer:", "Best option:")


def extract_answer(s: str) -> str:
    """StreamingBench's answer extraction: strip answer prefixes, give up on long replies without a
    letter, else the first capital A–D."""
    s = s.strip()
    for p in _PREFIXES:
        s = s.replace(p, "")
    if len(s.split()) > 10 and not re.search("[ABCD]", s):
        return ""
    m = re.search(r"[ABCD]", s)
    return m[0] if m else ""


RULES = ("official", "extract")
LEADERBOARD_CONTEXT_S = 60.0


def grade_rtvu(q: TimedQuestion, reply: str) -> tuple[str, bool]:
    """The ``extract`` rule."""
    pred = extract_answer(reply)
    return pred, pred == q.answer


def grade_rtvu_official(q: TimedQuestion, reply: str) -> tuple[str, bool]:
    """``count.py``: the reply's first character against the letter (an empty reply is not counted)."""
    pred = reply[0] if reply else ""
    return pred, pred == q.answer


def evaluate_rtvu(questions: list[TimedQuestion], model: StreamingModel, out_dir: str | Path, fps: float = 1.0,
                  frame_size: int | None = None, skip_bad: bool = False, progress: bool = True,
                  rule: str = "official", context_seconds: float | None = LEADERBOARD_CONTEXT_S) -> dict[str, Any]:
    """At each question's time stamp, ask for a forced answer (see the module docstring for the rules).
    ``context_seconds`` None or <= 0: the whole video so far, one streaming pass per video."""
    bench = RTVU(None, None, fps, skip_bad, rule, context_seconds)
    bench.run(questions, model, Path(out_dir), frame_size, progress)
    return bench.summarize(questions, Path(out_dir))


def summarize_rtvu(records: list[dict[str, Any]], out: Path, rule: str = "official",
                   context_seconds: float | None = None) -> dict[str, Any]:
    """StreamingBench's leaderboard numbers: accuracy per task type, and over all counted questions
    (micro). Under the official rule, empty replies are left out of the counts (``n_empty``)."""
    counted = [r for r in records if rule != "official" or r["response"]]
    acc, total = accuracy_by_task(counted)
    tasks = {t: acc[t] for t in sorted(acc, key=lambda t: (t not in RTVU_TASKS, t))}
    n = sum(total.values())
    summary = {"overall": 100 * sum(r["correct"] for r in counted) / n if n else None, "n": n, "tasks": tasks,
               "rule": rule, "context_seconds": context_seconds, "n_empty": len(records) - len(counted),
               "skipped": RunFile(out, RTVU.record_key).skipped_records()}
    (out / "summary.json").write_text(json.dumps(summary, indent=2))
    return summary


def write_rtvu_official(questions_file: str | Path, records: list[dict[str, Any]], model_name: str,
                        out: str | Path) -> Path:
    """Each reply under ``model_name``, so ``python src/data/count.py --task real --model NAME --src
    official_results.json`` can cross-check."""
    return write_official(questions_file, {r[RTVU.record_key]: r["response"] for r in records}, model_name, out)


class RTVU(Benchmark):
    """StreamingBench Real-Time Visual Understanding (``questions_real.json``)."""

    name = "rtvu"
    title = "StreamingBench Real-Time Visual Understanding: per-task and overall accuracy"
    record_key = "qid"

    def __init__(self, questions: str | Path | None, videos: str | Path | None, fps: float = 1.0, skip_bad: bool = False,
                 rule: str = "official", context_seconds: float | None = LEADERBOARD_CONTEXT_S):
        if rule not in RULES:
            raise ValueError(f"unknown rule {rule!r}; choose from {list(RULES)}")
        self.questions, self.videos, self.fps, self.skip_bad, self.rule = questions, videos, fps, skip_bad, rule
        self.context_seconds = context_seconds if context_seconds is not None and context_seconds > 0 else None

    def load(self) -> list[TimedQuestion]:
        assert self.questions is not None and self.videos is not None, "RTVU(questions, videos) to load them"
        return load_rtvu(self.questions, self.videos)

    def run(self, probes, model, out, frame_size=None, progress=True) -> None:
        evaluate_timed(probes, model, out, grade_rtvu_official if self.rule == "official" else grade_rtvu, fps=self.fps,
                       frame_size=frame_size, skip_bad=self.skip_bad, progress=progress, desc="rtvu",
                       context_seconds=self.context_seconds)

    def summarize(self, probes, out) -> dict[str, Any]:
        records = RunFile(out, self.record_key).records({q.qid for q in probes})
        return summarize_rtvu(records, Path(out), self.rule, self.context_seconds)

    def write_official(self, probes, out, model_name) -> Path | None:
        if self.questions is None:
            return None
        return write_rtvu_official(self.questions, RunFile(out, self.record_key).records(), model_name, out)

    def table(self, summary) -> str:
        return format_rtvu_table(summary)

    make_fixture = staticmethod(make_rtvu_fixture)

    @classmethod
    def try_command(cls, annotation: Path) -> str:
        return f"streampro rtvu --questions {annotation} --videos {annotation.parent} --model random --out runs/rtvu-fixture"
