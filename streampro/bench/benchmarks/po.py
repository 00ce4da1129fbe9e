"""StreamingBench Proactive Output (``questions_proactive.json``), by the benchmark's own protocol.

The file is read by ``streampro.data.formats.streamingbench`` (as the official
``src/benchmark/StreamingBenchProactive.py`` reads it).

Protocol: from ``time_stamp + 1`` to ``ground_truth + 4`` seconds, once per second, the model sees the
clip ``[time_stamp, now]`` and is asked (the benchmark's prompt) whether it is the right time to output
the expected text, "yes or no"; the first reply containing "yes" is followed by the question itself, and
polling stops. ``count.py --task proactive`` then looks at the *last* turn of the dialogue: time-correct
when it is within ±2 s of the ground truth, answer-correct when also the expected output is a substring
of that reply. Every clip starts at ``time_stamp`` and is a prefix of the next, so one streaming pass from
``time_stamp`` with a question at every whole second is the same protocol at the cost of one clip.
``official_results.json`` holds the questions file with ``{"answered", "dialog_history"}`` under the
model's name, exactly as the official harness writes it, for ``count.py`` to cross-check.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from tqdm import tqdm

from ...core.items import TIME_EPS
from ...core.types import Query, StreamInfo
from ...data.fixtures import make_po_fixture
from ...data.formats.streamingbench import PO_POLL, PO_PROMPT, POQuestion, load_po, write_official
from ...data.video import VideoError, iter_frames
from ...models.base import StreamingModel
from ..benchmark import Benchmark
from ..report_tables import format_po_table
from ..runfile import RunFile


def run_po_question(model: StreamingModel, q: POQuestion, fps: float = 1.0, frame_size: int | None = None
                    ) -> dict[str, Any]:
    """Poll one question; returns ``{"answered", "dialog_history"}`` as the official harness records it."""
    poll = PO_POLL.format(q.question, q.output)
    history: list[dict[str, Any]] = []
    answered: int | bool = False
    model.reset(StreamInfo(video=q.video, fps=fps, duration=q.truth + 4 - q.start))
    now = q.start + 1
    frames = iter_frames(q.video, fps=fps, start=q.start, end=q.truth + 4, size=frame_size)
    pending = next(frames, None)
    while now <= q.truth + 4:
        while pending is not None and pending.time <= now + TIME_EPS:
            model.step(pending)
            pending = next(frames, None)
        reply = model.answer_now(Query(f"{q.qid}@{now}", poll, (), float(now), q.task, PO_PROMPT.format(poll)))
        history += [{"role": "user", "content": poll, "time": now}, {"role": "assistant", "content": reply, "time": now}]
        if "yes" in reply.strip().lower():
            text = model.answer_now(Query(f"{q.qid}@{now}+", q.question, (), float(now), q.task,
                                          PO_PROMPT.format(q.question)))
            history += [{"role": "user", "content": q.question, "time": now},
                        {"role": "assistant", "content": text, "time": now}]
            answered = now
            break
        now += 1
    return {"answered": answered, "dialog_history": history}


def grade_po(q: POQuestion, record: dict[str, Any]) -> tuple[bool, bool]:
    """``count.py --task proactive``: the last turn's time within ±2 s; and its text contains the output."""
    last = record["dialog_history"][-1]
    time_ok = -2 <= last["time"] - q.truth <= 2
    return time_ok, time_ok and q.output in last["content"]


def evaluate_po(questions: list[POQuestion], model: StreamingModel, out_dir: str | Path, fps: float = 1.0,
                frame_size: int | None = None, skip_bad: bool = False, progress: bool = True) -> dict[str, Any]:
    """Resumable: one line per question in ``predictions.jsonl`` as soon as it is done."""
    bench = ProactiveOutput(None, None, fps, skip_bad)
    bench.run(questions, model, Path(out_dir), frame_size, progress)
    return bench.summarize(questions, Path(out_dir))


def poll_questions(questions: list[POQuestion], model: StreamingModel, out_dir: str | Path, fps: float = 1.0,
                   frame_size: int | None = None, skip_bad: bool = False, progress: bool = True) -> None:
    """Poll every question not yet in the run file; one line each, appended as soon as it is done."""
    run = RunFile(out_dir, ProactiveOutput.record_key).open()
    done = run.answered() | run.skipped_keys()
    for q in tqdm([q for q in questions if q.qid not in done], desc="proactive output", disable=not progress):
        try:
            rec = run_po_question(model, q, fps, frame_size)
        except VideoError as e:
            if not skip_bad:
                raise
            run.skip([{"qid": q.qid, "reason": str(e)}])
            continue
        if rec["dialog_history"]:
            rec["time_correct"], rec["answer_correct"] = grade_po(q, rec)
        run.append([{"qid": q.qid, "task": q.task, **rec}])


def summarize_po(questions: list[POQuestion], out: Path) -> dict[str, Any]:
    run = RunFile(out, ProactiveOutput.record_key)
    recs = [r for r in run.records({q.qid for q in questions}) if r["dialog_history"]]
    tasks: dict[str, dict[str, float]] = {}
    for t in sorted({r["task"] for r in recs}):
        rs = [r for r in recs if r["task"] == t]
        tasks[t] = {"n": len(rs), "time_accuracy": 100 * sum(r["time_correct"] for r in rs) / len(rs),
                    "answer_accuracy": 100 * sum(r["answer_correct"] for r in rs) / len(rs)}
    n = len(recs)
    summary = {"n": n, "time_accuracy": 100 * sum(r["time_correct"] for r in recs) / n if n else None,
               "answer_accuracy": 100 * sum(r["answer_correct"] for r in recs) / n if n else None,
               "overall": 100 * sum(r["answer_correct"] for r in recs) / n if n else None,
               "tasks": tasks, "skipped": run.skipped_records()}
    (out / "summary.json").write_text(json.dumps(summary, indent=2))
    return summary


def write_po_official(questions_file: str | Path, out: str | Path, model_name: str) -> Path:
    """The questions file with ``{"answered", "dialog_history"}`` under ``model_name`` per question."""
    values = {r["qid"]: {"answered": r["answered"], "dialog_history": r["dialog_history"]}
              for r in RunFile(out, ProactiveOutput.record_key).records()}
    return write_official(questions_file, values, model_name, out)


class ProactiveOutput(Benchmark):
    """StreamingBench Proactive Output (``questions_proactive.json``) by its official polling protocol."""

    name = "po"
    title = "StreamingBench Proactive Output: time and answer accuracy by the official polling protocol"
    record_key = "qid"

    def __init__(self, questions: str | Path | None, videos: str | Path | None, fps: float = 1.0,
                 skip_bad: bool = False):
        self.questions, self.videos, self.fps, self.skip_bad = questions, videos, fps, skip_bad

    def load(self) -> list[POQuestion]:
        assert self.questions is not None and self.videos is not None, "ProactiveOutput(questions, videos) to load them"
        return load_po(self.questions, self.videos)

    def run(self, probes, model, out, frame_size=None, progress=True) -> None:
        poll_questions(probes, model, out, self.fps, frame_size, self.skip_bad, progress)

    def summarize(self, probes, out) -> dict[str, Any]:
        return summarize_po(probes, Path(out))

    def write_official(self, probes, out, model_name) -> Path | None:
        return None if self.questions is None else write_po_official(self.questions, out, model_name)

    def table(self, summary) -> str:
        return format_po_table(summary)

    make_fixture = staticmethod(make_po_fixture)

    @classmethod
    def try_command(cls, annotation: Path) -> str:
        return f"streampro po --questions {annotation} --videos {annotation.parent} --model random --out runs/po-fixture"
