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

import json
from pathlib import Path
from typing import Any

from ..core.items import Item
from .formats.ovobench import load_ovo
from .formats.streamingbench import load_po
from .schema import SchemaError, load_json, validate_record
from .video import video_lengths, video_problem


def _item(rec: dict[str, Any], where: str, dropped: list[str]) -> Item | None:
    """Validate a converted record; its duration is a placeholder (the last answer + 1 s) until
    :func:`check_videos` sets the video's real length."""
    if not rec["answers"]:
        dropped.append(f"{where}: no state change in its probes, nothing to answer")
        return None
    last = max(a.get("time", a.get("end", 0)) for a in rec["answers"])
    rec["duration"] = max(rec.get("duration") or 0.0, last + 1.0)
    return validate_record(rec, where)


def check_videos(items: list[Item], dropped: list[str]) -> list[Item]:
    """What every converter writes is checked against the videos themselves: a missing or unreadable video,
    or an answer past the video's real end (which no model could ever give), drops the item with its reason;
    each kept item's ``duration`` is the video's real length."""
    lengths = video_lengths(items)
    kept = []
    for it in items:
        why = video_problem(it, lengths[it.video], check_duration=False)
        if why:
            dropped.append(f"item {it.id!r}: {why}")
            continue
        it.duration = round(max(lengths[it.video], max((a.best[1] for a in it.answers), default=0.0)), 4)
        kept.append(it)
    return kept


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
        if len({q.task for q in qs}) > 1:
            dropped.append(f"{annotations}: entry id {eid}: the id is shared by {sorted({q.task for q in qs})} entries")
            continue
        try:
            item = _ovo_item(eid, task, video, qs, raw[eid], fps, f"{annotations}: entry id {eid}", dropped)
        except (ValueError, TypeError) as e:
            dropped.append(f"{annotations}: entry id {eid}: malformed ({e})")
            continue
        if item is not None:
            items.append(item)
    return items


def _ovo_item(eid: str, task: str, video: str, qs: list, e: dict, fps: float, where: str,
              dropped: list[str]) -> Item | None:
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
        first = next((q for q in qs if q.answer == "Yes"), None)
        if first is not None:
            answers.append({"text": str(e.get("answer", "Yes")), "time": float(e.get("clue_time", first.time))})
        question, query = qs[0].question, float(e.get("ask_time", qs[0].time))
    rec = {"id": f"ovo-{eid}", "video": video, "fps": fps, "duration": 0.0, "dimension": "proactive", "task": task,
           "query_time": min(query, *(a["time"] for a in answers)) if answers else query, "question": question,
           "answers": answers, "meta": {"source": "OVO-Bench", "entry_id": eid}}
    return _item(rec, where, dropped)


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


def _video(video_root: str | Path, vid: str, ext: str) -> str:
    root = Path(video_root)
    for cand in (root / vid, root / f"{vid}.{ext}"):
        if cand.exists():
            return str(cand)
    return str(root / (vid if Path(vid).suffix else f"{vid}.{ext}"))


def _fmt(t: float) -> str:
    return f"{round(t, 1):g}"


def dense_caption_items(source: str | Path, video_root: str | Path, fps: float = 1.0,
                        dropped: list[str] | None = None, ext: str = "mp4") -> list[Item]:
    """Dense video captions -> one EU question per video (every sentence an answer over its interval) and
    one TP question (the events that start after the first one ends). Reads ActivityNet Captions
    (``{vid: {"duration", "timestamps", "sentences"}}``) and YouCook2 (``{"database": {vid: {"duration",
    "annotations": [{"segment", "sentence"}]}}}``)."""
    dropped = [] if dropped is None else dropped
    data = load_json(source)
    if isinstance(data, dict) and "database" in data:  # YouCook2: an annotation without a segment/sentence is left out
        db = data["database"] if isinstance(data["database"], dict) else {}
        data = {}
        for vid, v in db.items():
            anns = [a for a in (v.get("annotations") or []) if isinstance(a, dict)] if isinstance(v, dict) else []
            good = [a for a in anns if "segment" in a and str(a.get("sentence") or "").strip()]
            if len(good) < len(anns):
                dropped.append(f"{source}: video {vid!r}: {len(anns) - len(good)} annotation(s) without a segment or "
                               "sentence left out")
            data[vid] = {"duration": v.get("duration") if isinstance(v, dict) else None,
                         "timestamps": [a["segment"] for a in good], "sentences": [a["sentence"] for a in good]}
    if not isinstance(data, dict):
        raise SchemaError(f"{source}: expected an object keyed by video id")
    items = []
    for vid, v in data.items():
        where = f"{source}: video {vid!r}"
        try:
            events = sorted((float(a), float(b), str(s).strip()) for (a, b), s in
                            zip(v["timestamps"], v["sentences"], strict=True))
            duration = float(v["duration"])
        except (KeyError, TypeError, ValueError) as e:
            dropped.append(f"{where}: malformed ({type(e).__name__}: {e})")
            continue
        events = [(max(0.0, a), min(b, duration), s) for a, b, s in events if s and a <= b]
        if not events:
            dropped.append(f"{where}: no usable event")
            continue
        base = {"video": _video(video_root, vid, ext), "fps": fps, "duration": duration, "query_time": 0.0,
                "meta": {"source": "dense-captions", "video_id": vid}}
        eu = {**base, "id": f"{vid}-EU", "dimension": "perception", "task": "EU",
              "question": "Describe each event as it happens.",
              "answers": [{"text": s, "start": a, "end": b} for a, b, s in events]}
        items.append(validate_record(eu, where))
        first = events[0]
        later = [(a, b, s) for a, b, s in events[1:] if a >= first[1]]
        if later:
            tp = {**base, "id": f"{vid}-TP", "dimension": "temporal", "task": "TP",
                  "question": f"After this happens: \"{first[2]}\", tell me each event that follows.",
                  "answers": [{"text": s, "start": a, "end": b} for a, b, s in later]}
            items.append(validate_record(tp, where))
        else:
            dropped.append(f"{where}: no event starts after the first one ends (no TP question)")
    return items


def charades_sta_items(source: str | Path, video_root: str | Path, fps: float = 1.0,
                       dropped: list[str] | None = None, ext: str = "mp4") -> list[Item]:
    """Charades-STA lines ``VIDEO START END##SENTENCE`` -> Temporal Grounding questions: when the event
    ends, give its start and end (answer at ``END``, ``span`` [START, END])."""
    dropped = [] if dropped is None else dropped
    items = []
    for lineno, line in enumerate(Path(source).read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        where = f"{source}:{lineno}"
        head, sep, sentence = line.partition("##")
        parts = head.split()
        try:
            if not sep or len(parts) != 3 or not sentence.strip():
                raise ValueError("expected 'VIDEO START END##SENTENCE'")
            vid, a, b = parts[0], float(parts[1]), float(parts[2])
            if not 0 <= a <= b:
                raise ValueError(f"start {a} / end {b}")
        except ValueError as e:
            dropped.append(f"{where}: {e}")
            continue
        video = _video(video_root, vid, ext)
        rec = {"id": f"{vid}-{lineno}", "video": video, "fps": fps, "duration": 0.0, "dimension": "temporal",
               "task": "TG", "query_time": 0.0,
               "question": f"When this ends: \"{sentence.strip().rstrip('.')}\", tell me when it started and ended.",
               "answers": [{"text": f"from {_fmt(a)}s to {_fmt(b)}s", "time": b, "span": [a, b],
                            "slots": {"start": a, "end": b}}],
               "meta": {"source": "Charades-STA", "video_id": vid}}
        item = _item(rec, where, dropped)
        if item is not None:
            items.append(item)
    return items


CSV_COLUMNS = ("video", "task", "query_time", "question", "text", "time", "start", "end", "duration", "span_start",
               "span_end", "slots")


def csv_items(source: str | Path, video_root: str | Path, fps: float = 1.0, dropped: list[str] | None = None,
              ext: str = "mp4") -> list[Item]:
    """The generic hand-annotation CSV (docs/format.md): one row per answer, columns ``video, task,
    query_time, question, text`` and ``time`` or ``start,end`` (optional: ``duration``, ``span_start``,
    ``span_end``, ``slots`` as a JSON object for the ``rule`` judge); rows with the same video, task, query time
    and question form one question."""
    import csv

    from ..core.items import TASKS

    dropped = [] if dropped is None else dropped
    groups: dict[tuple, list[tuple[int, dict[str, str]]]] = {}
    with Path(source).open(encoding="utf-8-sig", newline="") as f:  # -sig: a spreadsheet's byte-order mark
        reader = csv.DictReader(f)
        missing = set(CSV_COLUMNS[:5]) - set(reader.fieldnames or [])
        if missing:
            raise SchemaError(f"{source}: missing column(s) {sorted(missing)}; expected {list(CSV_COLUMNS)}")
        for lineno, row in enumerate(reader, 2):
            if None in row.values() or None in row:  # csv.DictReader: too few (None values) or too many fields
                dropped.append(f"{source}:{lineno}: expected {len(reader.fieldnames)} fields, got a row with "
                               f"{len([v for v in row.values() if v is not None]) + len(row.get(None) or [])}")
                continue
            groups.setdefault((row["video"], row["task"], row["query_time"], row["question"]), []).append((lineno, row))
    items = []
    for n, ((video, task, qt, question), rows) in enumerate(groups.items()):
        where = f"{source}:{rows[0][0]}"
        try:
            if task not in TASKS:
                raise SchemaError(f"{where}: unknown task type {task!r}; known: {sorted(TASKS)}")
            answers = []
            for _, r in rows:
                a: dict[str, Any] = {"text": r["text"]}
                for k in ("time", "start", "end"):
                    if (r.get(k) or "").strip():
                        a[k] = float(r[k])
                if (r.get("slots") or "").strip():  # the rule judge's structured content, a JSON object
                    try:
                        a["slots"] = json.loads(r["slots"])
                    except json.JSONDecodeError as e:
                        raise ValueError(f"slots must be a JSON object such as {{\"color\": \"red\"}} ({e.msg})") from None
                if (r.get("span_start") or "").strip():
                    if not (r.get("span_end") or "").strip():
                        raise ValueError("span_start needs span_end")
                    a["span"] = [float(r["span_start"]), float(r["span_end"])]
                answers.append(a)
            rec = {"id": f"csv-{n}", "video": _video(video_root, video, ext), "fps": fps, "duration": 0.0,
                   "dimension": TASKS[task].dimension, "task": task, "query_time": float(qt), "question": question,
                   "answers": answers, "meta": {"source": str(source)}}
            if (rows[0][1].get("duration") or "").strip():
                rec["duration"] = float(rows[0][1]["duration"])
                item = validate_record(rec, where)
            else:
                item = _item(rec, where, dropped)
        except ValueError as e:  # SchemaError included
            dropped.append(str(e) if isinstance(e, SchemaError) else f"{where}: {e}")
            continue
        if item is not None:
            items.append(item)
    return items


CONVERTERS = {"ovo-forward": ovo_forward_items, "po": po_items, "dense-captions": dense_caption_items,
              "charades-sta": charades_sta_items, "csv": csv_items}


def convert(kind: str, source: str | Path, video_root: str | Path, fps: float = 1.0) -> tuple[list[Item], list[str]]:
    if kind not in CONVERTERS:
        raise SchemaError(f"unknown source layout {kind!r}; choose from {sorted(CONVERTERS)}")
    if not Path(source).is_file():
        raise SchemaError(f"--input {source}: no such file")
    if not Path(video_root).is_dir():
        raise SchemaError(f"--videos {video_root}: no such folder")
    dropped: list[str] = []
    try:
        items = CONVERTERS[kind](source, video_root, fps, dropped)
    except UnicodeDecodeError as e:
        raise SchemaError(f"{source}: not UTF-8 text (byte {e.start}: {e.reason}); save it as UTF-8") from None
    return check_videos(items, dropped), dropped
