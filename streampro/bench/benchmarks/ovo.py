"""OVO-Bench: Backward Tracing, Real-Time Visual Perception and Forward Active Responding.

The annotation file (``ovo_bench_new.json``) is read by ``streampro.data.formats.ovobench``.

Protocol (the benchmark's offline evaluation): a backward/real-time question is asked at
``realtime`` with the video up to that time; a forward entry is a series of probes, one per
``test_info`` element, each asked at its ``realtime`` with that task's prompt. Scoring follows
OVO-Bench's ``OVOBenchScore``: multiple-choice replies are right when they contain the answer letter;
REC replies when their digits, joined, equal the count; SSR/CRR replies when they contain "Yes"/"No"
as the probe's ``type`` says (or are exactly "Y"/"N"). A task's accuracy averages its questions (forward:
its probes); a category averages its tasks; the total averages the three categories.

Here all the probes of a video share one streaming pass (``streampro.bench.timed``).
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from ...core.types import TimedQuestion
from ...data.fixtures import make_ovo_fixture
from ...data.formats.ovobench import CATEGORIES, load_ovo, official_results
from ...models.base import StreamingModel
from ..benchmark import Benchmark
from ..report_tables import format_ovo_table
from ..runfile import RunFile
from ..timed import accuracy_by_task, evaluate_timed


def grade_ovo(q: TimedQuestion, reply: str) -> tuple[str, bool]:
    """OVO-Bench's own rules (``OVOBenchOfflineScore``), kept as written there — including that a
    multiple-choice reply counts when it merely *contains* the answer letter."""
    if q.task == "REC":
        digits = "".join(re.findall(r"\d+", reply))
        return digits, digits == q.answer
    if q.task in ("SSR", "CRR"):
        short = {"Yes": "Y", "No": "N"}[q.answer]
        return reply.strip(), reply == short or q.answer in reply
    return reply.strip(), q.answer in reply


AVERAGES = ("probe", "question")


def evaluate_ovo(questions: list[TimedQuestion], model: StreamingModel, out_dir: str | Path, fps: float = 1.0,
                 frame_size: int | None = None, skip_bad: bool = False, progress: bool = True,
                 average: str = "probe") -> dict[str, Any]:
    bench = OVOBench(None, None, fps=fps, skip_bad=skip_bad, average=average)
    bench.run(questions, model, Path(out_dir), frame_size, progress)
    return bench.summarize(questions, Path(out_dir))


def _per_question(records: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """One record per forward entry, ``correct`` = the fraction of its probes answered right."""
    groups: dict[Any, list[dict[str, Any]]] = {}
    for r in records:
        groups.setdefault((r["task"], r["id"]), []).append(r)
    return [{"task": task, "correct": sum(r["correct"] for r in rs) / len(rs)} for (task, _), rs in groups.items()]


def summarize_ovo(records: list[dict[str, Any]], out: Path, average: str = "probe") -> dict[str, Any]:
    """Per-task accuracy, per-category averages of tasks, and the total over categories (as OVO-Bench
    prints them). A forward task averages its probes (``average="probe"``, what the benchmark's
    ``OVOBenchScore`` code does, the default) or its questions (``"question"``: each entry's probe accuracy,
    then the mean over entries — how the benchmark's paper describes it). Also writes
    ``ovo_results.json`` in the layout of the benchmark's own result files, so its ``score.py`` can be run
    on our predictions as a cross-check."""
    acc, n = accuracy_by_task(records if average == "probe" else _per_question(records))
    tasks = {t: acc[t] for c in CATEGORIES.values() for t in c if t in acc}
    categories = {c: sum(acc[t] for t in ts if t in acc) / sum(t in acc for t in ts)
                  for c, ts in CATEGORIES.items() if any(t in acc for t in ts)}
    summary = {"overall": sum(categories.values()) / len(categories) if categories else None,
               "categories": categories, "tasks": tasks, "n": n, "average": average,
               "skipped": RunFile(out, OVOBench.record_key).skipped_records()}
    (out / "summary.json").write_text(json.dumps(summary, indent=2))
    (out / "ovo_results.json").write_text(json.dumps(official_results(records), indent=1))
    return summary


class OVOBench(Benchmark):
    """OVO-Bench: Backward Tracing, Real-Time Visual Perception, Forward Active Responding."""

    name = "ovo"
    title = "OVO-Bench: Backward Tracing, Real-Time Perception, Forward Active Responding"
    record_key = "qid"

    def __init__(self, annotations: str | Path | None, videos: str | Path | None, tasks: list[str] | None = None,
                 fps: float = 1.0, skip_bad: bool = False, average: str = "probe"):
        if average not in AVERAGES:
            raise ValueError(f"unknown average {average!r}; choose from {list(AVERAGES)}")
        self.annotations, self.videos, self.tasks = annotations, videos, tasks
        self.fps, self.skip_bad, self.average = fps, skip_bad, average

    def load(self) -> list[TimedQuestion]:
        assert self.annotations is not None and self.videos is not None, "OVOBench(annotations, videos) to load them"
        return load_ovo(self.annotations, self.videos, tasks=self.tasks)

    def run(self, probes, model, out, frame_size=None, progress=True) -> None:
        evaluate_timed(probes, model, out, grade_ovo, fps=self.fps, frame_size=frame_size, skip_bad=self.skip_bad,
                       progress=progress, desc="ovo-bench")

    def summarize(self, probes, out) -> dict[str, Any]:
        """Also writes ``ovo_results.json``, the benchmark's own result layout."""
        records = RunFile(out, self.record_key).records({q.qid for q in probes})
        return summarize_ovo(records, Path(out), self.average)

    def table(self, summary) -> str:
        return format_ovo_table(summary)

    make_fixture = staticmethod(make_ovo_fixture)

    @classmethod
    def try_command(cls, annotation: Path) -> str:
        return (f"streampro ovo --annotations {annotation} --videos {annotation.parent / 'src_videos'} --model random "
                "--out runs/ovo-fixture")
