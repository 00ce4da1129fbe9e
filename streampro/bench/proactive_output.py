"""StreamingBench Proactive Output (``questions_proactive.json``), by the benchmark's own protocol.

Layout (as read by the official ``src/benchmark/StreamingBenchProactive.py``)::

    [{"video_path": "./videos/....mp4", "questions": [{"task_type": "...", "question": "...",
      "time_stamp": "00:01:05", "ground_truth_time_stamp": "00:01:12", "ground_truth_output": "..."}]}]

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
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tqdm import tqdm

from ..core.items import TIME_EPS
from ..core.jsonl import append_jsonl, read_jsonl, repair_tail
from ..core.types import Query, StreamInfo
from ..models.base import StreamingModel
from .schema import SchemaError, load_json
from .streamingbench import write_official
from .video import VideoError, iter_frames

PROMPT = ("You are an advanced image question-answering AI assistant. You have been provided with images and a "
          "question related to the images. Your task is to carefully analyze the images and provide the answer to "
          "the question. You need to carefully confirm whether the images content meet the conditions of the "
          "question, and then output the correct content.\n\nQuestion: {}\n\nThe answer is:\n")
POLL = '{} Is it the right time to output "{}"? You can only answer yes or no.'


@dataclass
class POQuestion:
    qid: str  # "entry-question"
    video: str
    task: str
    question: str
    start: int  # time_stamp, whole seconds (as the official parser)
    truth: int  # ground_truth_time_stamp
    output: str  # ground_truth_output


def _seconds(ts: str) -> int:
    """The official conversion: ``sum(int(x) * 60 ** i ...)`` over the colon-separated fields."""
    return sum(int(x) * 60**i for i, x in enumerate(reversed(ts.split(":"))))


def load_po(questions: str | Path, video_root: str | Path) -> list[POQuestion]:
    path, root = Path(questions), Path(video_root)
    data = load_json(path)
    if not isinstance(data, list):
        raise SchemaError(f"{path}: expected a list of video entries")
    out = []
    for i, entry in enumerate(data):
        where = f"{path}: entry {i}"
        if not isinstance(entry, dict) or "video_path" not in entry or not isinstance(entry.get("questions"), list):
            raise SchemaError(f"{where}: needs 'video_path' and a 'questions' list")
        for j, q in enumerate(entry["questions"]):
            w = f"{where}, question {j}"
            for key in ("task_type", "question", "time_stamp", "ground_truth_time_stamp", "ground_truth_output"):
                if not isinstance(q.get(key), str):
                    raise SchemaError(f"{w}: missing or non-string field '{key}'")
            try:
                start, truth = _seconds(q["time_stamp"]), _seconds(q["ground_truth_time_stamp"])
            except ValueError:
                raise SchemaError(f"{w}: a time stamp is not HH:MM:SS") from None
            out.append(POQuestion(f"{i}-{j}", str(root / entry["video_path"].removeprefix("./")), q["task_type"],
                                  q["question"], start, truth, q["ground_truth_output"]))
    return out


def run_po_question(model: StreamingModel, q: POQuestion, fps: float = 1.0, frame_size: int | None = None
                    ) -> dict[str, Any]:
    """Poll one question; returns ``{"answered", "dialog_history"}`` as the official harness records it."""
    poll = POLL.format(q.question, q.output)
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
        reply = model.answer_now(Query(f"{q.qid}@{now}", poll, (), float(now), q.task, PROMPT.format(poll)))
        history += [{"role": "user", "content": poll, "time": now}, {"role": "assistant", "content": reply, "time": now}]
        if "yes" in reply.strip().lower():
            text = model.answer_now(Query(f"{q.qid}@{now}+", q.question, (), float(now), q.task,
                                          PROMPT.format(q.question)))
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
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    pred_path, skip_path = out / "predictions.jsonl", out / "skipped.jsonl"
    repair_tail(pred_path)
    done = {r["qid"] for p in (pred_path, skip_path) for r in read_jsonl(p)}
    for q in tqdm([q for q in questions if q.qid not in done], desc="proactive output", disable=not progress):
        try:
            rec = run_po_question(model, q, fps, frame_size)
        except VideoError as e:
            if not skip_bad:
                raise
            append_jsonl(skip_path, [{"qid": q.qid, "reason": str(e)}])
            continue
        if rec["dialog_history"]:
            rec["time_correct"], rec["answer_correct"] = grade_po(q, rec)
        append_jsonl(pred_path, [{"qid": q.qid, "task": q.task, **rec}])
    return summarize_po(questions, out)


def summarize_po(questions: list[POQuestion], out: Path) -> dict[str, Any]:
    ids = {q.qid for q in questions}
    recs = [r for r in read_jsonl(out / "predictions.jsonl") if r["qid"] in ids and r["dialog_history"]]
    tasks: dict[str, dict[str, float]] = {}
    for t in sorted({r["task"] for r in recs}):
        rs = [r for r in recs if r["task"] == t]
        tasks[t] = {"n": len(rs), "time_accuracy": 100 * sum(r["time_correct"] for r in rs) / len(rs),
                    "answer_accuracy": 100 * sum(r["answer_correct"] for r in rs) / len(rs)}
    n = len(recs)
    summary = {"n": n, "time_accuracy": 100 * sum(r["time_correct"] for r in recs) / n if n else None,
               "answer_accuracy": 100 * sum(r["answer_correct"] for r in recs) / n if n else None,
               "overall": 100 * sum(r["answer_correct"] for r in recs) / n if n else None,
               "tasks": tasks, "skipped": read_jsonl(out / "skipped.jsonl")}
    (out / "summary.json").write_text(json.dumps(summary, indent=2))
    return summary


def write_po_official(questions_file: str | Path, out: str | Path, model_name: str) -> Path:
    """The questions file with ``{"answered", "dialog_history"}`` under ``model_name`` per question."""
    values = {r["qid"]: {"answered": r["answered"], "dialog_history": r["dialog_history"]}
              for r in read_jsonl(Path(out) / "predictions.jsonl")}
    return write_official(questions_file, values, model_name, out)


def make_po_fixture(out_dir: str | Path, n_videos: int = 2, seed: int = 0) -> Path:
    """A tiny ``questions_proactive.json`` + ``videos/`` from the procedural world: "when the <shape>
    changes colour, say its new colour", the ground truth read from the simulator."""
    import numpy as np

    from ..world.config import WorldConfig
    from ..world.movers import movers_scene
    from ..world.render import render_scene
    from .video import write_video

    out = Path(out_dir)
    cfg = WorldConfig(fps=2.0, min_seconds=16, max_seconds=24)
    entries, v, tries = [], 0, 0
    while len(entries) < n_videos and tries < 200:
        tries += 1
        rng = np.random.default_rng([seed, tries, 11])
        scene = movers_scene(rng, cfg, seed * 1000 + tries)
        changed = [b for b in scene.bodies if b.color_changes and b.color_changes[0][0] / cfg.fps >= 4]
        if not changed:
            continue
        b = changed[0]
        frame, color = b.color_changes[0]
        truth = int(np.ceil(frame / cfg.fps))
        if truth + 4 > (scene.n_frames - 1) / cfg.fps:
            continue
        rel = f"./videos/proactive_{v}.mp4"
        write_video(out / rel, render_scene(scene), cfg.fps)
        entries.append({"video_path": rel, "questions": [{
            "task_type": "Proactive Output", "question": f"When the {b.shape} changes colour, tell me its new colour.",
            "time_stamp": f"00:00:{max(0, b.appear // int(cfg.fps)):02d}", "ground_truth_time_stamp": f"00:00:{truth:02d}",
            "ground_truth_output": color}]})
        v += 1
    path = out / "questions_proactive.json"
    path.write_text(json.dumps(entries, indent=2))
    return path


def native_rule(items, predictions) -> dict[str, Any] | None:
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
