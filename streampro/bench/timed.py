"""Ask-and-answer evaluation over one streaming pass per video (StreamingBench RTVU, OVO-Bench).

The established streaming benchmarks score *probes*: at time ``t`` the model has seen the stream up to
``t`` and must answer now. Their own harnesses cut a new clip for every probe and re-run the model from
the first frame. Here each video is streamed once and all of its probes are asked in time order, so
a video costs one pass and a streaming model keeps its KV cache. What the model sees at a probe is
the same: exactly the frames at or before ``t``.

A benchmark module builds :class:`TimedQuestion` s (with its own prompt) and a grader that turns
a reply into ``(pred, correct)`` by that benchmark's rule. This module streams, records and resumes.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any

from tqdm import tqdm

from ..core.items import TIME_EPS
from ..core.types import TimedQuestion
from ..data.video import VideoError, iter_frames
from ..models.base import Query, StreamInfo, StreamingModel
from .runfile import RunFile, group_by_video

Grader = Callable[[TimedQuestion, str], tuple[str, bool]]


def evaluate_timed(questions: list[TimedQuestion], model: StreamingModel, out_dir: str | Path, grade: Grader,
                   fps: float = 1.0, frame_size: int | None = None, skip_bad: bool = False, progress: bool = True,
                   desc: str = "probes", context_seconds: float | None = None) -> list[dict[str, Any]]:
    """Stream each video once at ``fps``; at each probe's time, ask for a forced answer and grade it.

    ``context_seconds`` (StreamingBench's ``--context_time``): the model sees only the clip
    ``[t - context_seconds, t]`` before each probe, as the benchmark's harness cuts it — then every probe
    gets its own fresh stream, since a model cannot forget the frames before the clip.

    Appends to ``out_dir/predictions.jsonl`` (and ``skipped.jsonl`` for unreadable videos when
    ``skip_bad``) after every video, so an interrupted run continues where it stopped. Returns the
    prediction records of ``questions`` (old and new).
    """
    run = RunFile(out_dir, key="qid").open()
    done = run.answered() | run.skipped_keys()
    by_video = group_by_video([q for q in questions if q.qid not in done])
    bar = tqdm(total=sum(len(v) for v in by_video.values()), desc=desc, unit="q", disable=not progress)
    for video, qs in by_video.items():
        qs.sort(key=lambda q: q.time)
        try:
            if context_seconds is not None:
                records = [_ask_clip(model, q, grade, fps, frame_size, context_seconds) for q in qs]
            else:
                records = _ask_in_one_pass(model, video, list(qs), grade, fps, frame_size)
        except VideoError as e:
            if not skip_bad:
                raise
            run.skip([{"qid": q.qid, "task": q.task, "reason": str(e)} for q in qs])
            bar.update(len(qs))
            continue
        run.append(records)
        bar.update(len(records))
    bar.close()
    ids = {q.qid for q in questions}
    return run.records(ids)


def answer_after_stream(model: StreamingModel, video: str, query: Query, fps: float = 1.0,
                        frame_size: int | None = None) -> str:
    """Stream ``video`` up to ``query.time`` (all of it for ``inf``), then ask for a forced answer —
    one probe on its own, for harnesses that hand over one clip per question (lmms-eval)."""
    model.reset(StreamInfo(video=video, fps=fps, duration=query.time))
    for frame in iter_frames(video, fps=fps, end=None if query.time == float("inf") else query.time, size=frame_size):
        model.step(frame)
    return model.answer_now(query)


def _ask_in_one_pass(model: StreamingModel, video: str, qs: list[TimedQuestion], grade: Grader, fps: float,
                     frame_size: int | None) -> list[dict[str, Any]]:
    """Stream ``video`` once; each probe (sorted by time) is asked before any later frame is shown."""
    model.reset(StreamInfo(video=video, fps=fps, duration=qs[-1].time))
    records, last = [], -1.0
    for frame in iter_frames(video, fps=fps, end=qs[-1].time, size=frame_size):
        while qs and qs[0].time < frame.time - TIME_EPS:
            records.append(_ask(model, qs.pop(0), last, grade))
        if not qs:
            break
        model.step(frame)
        last = frame.time
    for q in qs:  # time stamps beyond the last frame: answer with everything seen
        records.append(_ask(model, q, last, grade))
    return records


def _ask_clip(model: StreamingModel, q: TimedQuestion, grade: Grader, fps: float, frame_size: int | None,
             context_seconds: float) -> dict[str, Any]:
    """One probe on its own clip ``[max(0, t - context_seconds), t]``, streamed afresh."""
    start = max(0.0, q.time - context_seconds)
    model.reset(StreamInfo(video=q.video, fps=fps, duration=q.time - start))
    last = -1.0
    for frame in iter_frames(q.video, fps=fps, start=start, end=q.time, size=frame_size):
        model.step(frame)
        last = frame.time
    rec = _ask(model, q, last, grade)
    rec["seen_from"] = start
    return rec


def _ask(model: StreamingModel, q: TimedQuestion, seen_until: float, grade: Grader) -> dict[str, Any]:
    reply = model.answer_now(Query(q.qid, q.question, q.options, q.time, q.task, q.prompt))
    pred, correct = grade(q, reply)
    return {"qid": q.qid, "task": q.task, "time": q.time, "seen_until": seen_until, "answer": q.answer,
            "response": reply, "pred": pred, "correct": bool(correct), **q.extra}


def accuracy_by_task(records: list[dict[str, Any]]) -> tuple[dict[str, float], dict[str, int]]:
    """Percent correct per task, and the number of probes behind each."""
    total, correct = defaultdict(int), defaultdict(int)
    for r in records:
        total[r["task"]] += 1
        correct[r["task"]] += int(r["correct"])
    return {t: 100 * correct[t] / total[t] for t in total}, dict(total)
