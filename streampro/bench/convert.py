"""Convert external streaming benchmarks into StreamPro-Bench items, so StreamPro-F1 scores them.

* OVO-Bench Forward Active Responding (``ovo_bench_new.json``): the paper reports REC / SSR / CRR with
  StreamPro-F1 (Time / Acc / F1) beside the official probe accuracy. Each forward entry becomes one
  question whose answers are the moments the annotated state changes:
  - REC: every probe whose ``count`` exceeds the previous probe's -> answer ``"<count>"`` at that probe's
    time (slots ``{"count": n}``), question "each time they <activity> again, say the total count";
  - SSR: every probe with ``type`` 1 whose step differs from the previous positive probe -> the step
    text at that time;
  - CRR: the entry's ``clue_time`` (else its first ``type`` 1 probe) -> the entry's ``answer`` (else
    "Yes"), posted at ``ask_time`` (else the first probe).
  The best time is the first probe that annotates the new state (the change happened at or before it).
* StreamingBench Proactive Output (``questions_proactive.json``): one question per entry, one answer
  ``ground_truth_output`` at ``ground_truth_time_stamp``, posted at ``time_stamp`` — the native
  streaming mode, where the model decides by itself when to speak.

Windows and tau of these tasks are in ``core/items.py`` (REC/SSR/CRR ±3 s, τ 4; PO ±2 s as the official
±2 s rule, τ 4). Entries that give no answer (no state change) are dropped and reported.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import av

from ..core.items import Item
from .ovobench import load_ovo
from .proactive_output import load_po
from .schema import SchemaError, load_json, validate_record


def video_duration(path: str) -> float | None:
    """Seconds, from the container or the stream (None if the file cannot be read)."""
    try:
        with av.open(path) as c:
            if c.duration:
                return c.duration / 1e6
            s = c.streams.video[0]
            return float(s.duration * s.time_base) if s.duration else None
    except (av.error.FFmpegError, OSError, IndexError):
        return None


def _item(rec: dict[str, Any], where: str, dropped: list[str]) -> Item | None:
    if not rec["answers"]:
        dropped.append(f"{where}: no state change in its probes, nothing to answer")
        return None
    dur = video_duration(rec["video"])
    last = max(a.get("time", a.get("end", 0)) for a in rec["answers"])
    rec["duration"] = max(dur or 0.0, last + 1.0)  # an unreadable video is reported by eval (--skip-bad)
    return validate_record(rec, where)


def ovo_forward_items(annotations: str | Path, video_root: str | Path, fps: float = 1.0,
                      dropped: list[str] | None = None) -> list[Item]:
    """StreamPro items from OVO-Bench's forward entries (validated by the OVO loader first)."""
    dropped = [] if dropped is None else dropped
    probes = load_ovo(annotations, video_root, tasks=["forward"])
    raw = {str(e["id"]): e for e in load_json(annotations)}
    by_entry: dict[str, list] = {}
    for q in probes:
        by_entry.setdefault(str(q.extra["id"]), []).append(q)
    items = []
    for eid, qs in by_entry.items():
        qs.sort(key=lambda q: q.time)
        task, video = qs[0].task, qs[0].video
        answers: list[dict[str, Any]] = []
        if task == "REC":
            prev = 0
            for q in qs:
                n = int(q.answer)
                if n > prev:
                    answers.append({"text": str(n), "time": q.time, "slots": {"count": n}})
                prev = n
            activity = qs[0].question.removeprefix("How many times did they ").rstrip("?")
            question, query = f"Each time they {activity} again, tell me the total count so far.", 0.0
        elif task == "SSR":
            last = None
            for q in qs:
                if q.answer == "Yes" and q.question != last:
                    answers.append({"text": q.question, "time": q.time})
                    last = q.question
            question, query = "Tell me each step of the procedure as soon as it is being done.", 0.0
        else:
            e = raw[eid]
            first = next((q for q in qs if q.answer == "Yes"), None)
            if first is not None:
                answers.append({"text": str(e.get("answer", "Yes")), "time": float(e.get("clue_time", first.time))})
            question, query = qs[0].question, float(e.get("ask_time", qs[0].time))
        rec = {"id": f"ovo-{eid}", "video": video, "fps": fps, "duration": 0.0, "dimension": "proactive", "task": task,
               "query_time": min(query, *(a["time"] for a in answers)) if answers else query, "question": question,
               "answers": answers, "meta": {"source": "OVO-Bench", "entry_id": eid}}
        item = _item(rec, f"{annotations}: entry id {eid}", dropped)
        if item is not None:
            items.append(item)
    return items


def po_items(questions: str | Path, video_root: str | Path, fps: float = 1.0,
             dropped: list[str] | None = None) -> list[Item]:
    """StreamPro items from StreamingBench Proactive Output (the native streaming mode)."""
    dropped = [] if dropped is None else dropped
    items = []
    for q in load_po(questions, video_root):
        if q.truth < q.start:
            dropped.append(f"{questions}: question {q.qid}: ground truth {q.truth}s is before time_stamp {q.start}s")
            continue
        rec = {"id": f"po-{q.qid}", "video": q.video, "fps": fps, "duration": 0.0, "dimension": "proactive",
               "task": "PO", "query_time": float(q.start), "question": q.question,
               "answers": [{"text": q.output, "time": float(q.truth)}],
               "meta": {"source": "StreamingBench-Proactive", "qid": q.qid, "task_type": q.task}}
        item = _item(rec, f"{questions}: question {q.qid}", dropped)
        if item is not None:
            items.append(item)
    return items


CONVERTERS = {"ovo-forward": ovo_forward_items, "po": po_items}


def convert(kind: str, source: str | Path, video_root: str | Path, fps: float = 1.0) -> tuple[list[Item], list[str]]:
    if kind not in CONVERTERS:
        raise SchemaError(f"unknown source layout {kind!r}; choose from {sorted(CONVERTERS)}")
    dropped: list[str] = []
    return CONVERTERS[kind](source, video_root, fps, dropped), dropped
