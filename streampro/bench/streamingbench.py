"""StreamingBench — Real-Time Visual Understanding (RTVU), from its public question files.

Layout of ``questions_real.json`` (as published with StreamingBench)::

    [{"time": "[0:00:00 - 0:01:00]", "video_categories": "...", "video_path": "./videos/sample_1_....mp4",
      "questions": [{"task_type": "Object Perception", "question": "...", "time_stamp": "00:00:50",
                     "options": ["A. ...", "B. ...", "C. ...", "D. ..."], "answer": "B"}]}, ...]

Protocol (as the benchmark's evaluation scripts): the model sees the stream up to the question's
``time_stamp``, is asked the multiple-choice question with the benchmark's prompt, and its reply is
reduced to a letter by the benchmark's ``extract_characters_regex`` rule. Scores: accuracy per
``task_type`` and overall accuracy over all questions (micro), in percent.
Here one streaming pass per video serves all of its questions in timestamp order.
"""

from __future__ import annotations

import json
import re
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tqdm import tqdm

from ..models.base import Query, StreamInfo, StreamingModel
from .evaluate import _append, _repair_tail, read_jsonl
from .schema import SchemaError
from .video import VideoError, iter_frames

RTVU_TASKS = ("Object Perception", "Causal Reasoning", "Clips Summarize", "Attribute Perception", "Event Understanding",
              "Text-Rich Understanding", "Prospective Reasoning", "Spatial Understanding", "Action Perception", "Counting")

PROMPT = ("You are an advanced video question-answering AI assistant. You have been provided with some frames from the "
          "video and a multiple-choice question related to the video. Your task is to carefully analyze the video and "
          "provide the best answer to question, choosing from the four options provided. Respond with only the letter "
          "(A, B, C, or D) of the correct option.\n\nQuestion: {}\n\nOptions:\n{}\n\nThe best option is:")

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


def parse_timestamp(ts: str) -> float:
    parts = [float(p) for p in ts.strip().split(":")]
    if not 1 <= len(parts) <= 3:
        raise ValueError(ts)
    sec = 0.0
    for p in parts:
        sec = sec * 60 + p
    return sec


@dataclass
class RTVUQuestion:
    qid: str
    video: str
    task_type: str
    question: str
    options: list[str]
    answer: str
    time: float


def load_rtvu(questions: str | Path, video_root: str | Path) -> list[RTVUQuestion]:
    questions, root = Path(questions), Path(video_root)
    try:
        data = json.loads(questions.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise FileNotFoundError(f"question file not found: {questions}") from None
    except json.JSONDecodeError as e:
        raise SchemaError(f"{questions}: invalid JSON ({e.msg} at line {e.lineno})") from None
    if not isinstance(data, list):
        raise SchemaError(f"{questions}: expected a list of video entries")
    out: list[RTVUQuestion] = []
    for i, entry in enumerate(data):
        where = f"{questions}: entry {i}"
        if not isinstance(entry, dict) or "video_path" not in entry or not isinstance(entry.get("questions"), list):
            raise SchemaError(f"{where}: needs 'video_path' and a 'questions' list")
        video = str(root / entry["video_path"].removeprefix("./"))
        for j, q in enumerate(entry["questions"]):
            w = f"{where}, question {j}"
            for key in ("task_type", "question", "time_stamp", "options", "answer"):
                if key not in q:
                    raise SchemaError(f"{w}: missing field '{key}'")
            if q["answer"] not in "ABCD"[: len(q["options"])] or len(q["answer"]) != 1:
                raise SchemaError(f"{w}: field 'answer' {q['answer']!r} is not an option letter")
            try:
                t = parse_timestamp(q["time_stamp"])
            except ValueError:
                raise SchemaError(f"{w}: field 'time_stamp' {q['time_stamp']!r} is not HH:MM:SS") from None
            out.append(RTVUQuestion(f"{i}-{j}", video, q["task_type"], q["question"], list(q["options"]), q["answer"], t))
    return out


def evaluate_rtvu(questions: list[RTVUQuestion], model: StreamingModel, out_dir: str | Path, fps: float = 1.0,
                  frame_size: int | None = None, skip_bad: bool = False, progress: bool = True) -> dict[str, Any]:
    """Stream each video once at ``fps``; at each question's time stamp, ask for a forced answer."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    pred_path = out / "predictions.jsonl"
    _repair_tail(pred_path)
    done = {r["qid"] for r in read_jsonl(pred_path)} | {r["qid"] for r in read_jsonl(out / "skipped.jsonl")}
    by_video: dict[str, list[RTVUQuestion]] = defaultdict(list)
    for q in questions:
        if q.qid not in done:
            by_video[q.video].append(q)
    bar = tqdm(total=sum(len(v) for v in by_video.values()), desc="rtvu", unit="q", disable=not progress)
    for video, qs in by_video.items():
        qs.sort(key=lambda q: q.time)
        records: list[dict[str, Any]] = []

        try:
            model.reset(StreamInfo(video=video, fps=fps, duration=qs[-1].time))
            last = -1.0
            for frame in iter_frames(video, fps=fps, end=qs[-1].time, size=frame_size):
                while qs and qs[0].time < frame.time - 1e-6:  # asked before any later frame is shown
                    records.append(_ask(model, qs.pop(0), last))
                if not qs:
                    break
                model.step(frame)
                last = frame.time
            for q in qs:  # time stamps beyond the last frame: answer with everything seen
                records.append(_ask(model, q, last))
        except VideoError as e:
            if not skip_bad:
                raise
            _append(out / "skipped.jsonl", [{"qid": q.qid, "reason": str(e)} for q in qs])
            bar.update(len(qs))
            continue
        _append(pred_path, records)
        bar.update(len(records))
    bar.close()
    return summarize_rtvu(questions, out)


def _ask(model: StreamingModel, q: RTVUQuestion, seen_until: float) -> dict[str, Any]:
    prompt = PROMPT.format(q.question, "\n".join(q.options))
    reply = model.answer_now(Query(q.qid, q.question, tuple(q.options), q.time, q.task_type, prompt))
    pred = extract_answer(reply)
    return {"qid": q.qid, "task_type": q.task_type, "time": q.time, "seen_until": seen_until, "answer": q.answer,
            "response": reply, "pred": pred, "correct": pred == q.answer}


def summarize_rtvu(questions: list[RTVUQuestion], out: Path) -> dict[str, Any]:
    ids = {q.qid for q in questions}
    preds = [r for r in read_jsonl(out / "predictions.jsonl") if r["qid"] in ids]
    total, correct = defaultdict(int), defaultdict(int)
    for r in preds:
        total[r["task_type"]] += 1
        correct[r["task_type"]] += int(r["correct"])
    tasks = {t: 100 * correct[t] / total[t] for t in sorted(total, key=lambda t: (t not in RTVU_TASKS, t))}
    n = sum(total.values())
    summary = {"overall": 100 * sum(correct.values()) / n if n else None, "n": n, "tasks": tasks,
               "skipped": read_jsonl(out / "skipped.jsonl")}
    (out / "summary.json").write_text(json.dumps(summary, indent=2))
    return summary


def make_rtvu_fixture(out_dir: str | Path, n_videos: int = 2, seed: int = 0) -> Path:
    """A tiny RTVU-format folder from the procedural world (``questions_real.json`` + ``videos/``), with
    counting/colour questions whose answers come from the simulator — for tests and demos."""
    import numpy as np

    from ..world.render import render_scene
    from ..world.tasks import WorldConfig, movers_scene
    from .video import write_video

    out = Path(out_dir)
    cfg = WorldConfig()
    entries = []
    for v in range(n_videos):
        rng = np.random.default_rng([seed, v])
        scene = movers_scene(rng, cfg, seed * 1000 + v)
        path = f"./videos/sample_{v}_Counting.mp4"
        write_video(out / path, render_scene(scene), cfg.fps)
        qs = []
        whole_seconds = np.arange(2, scene.n_frames, int(cfg.fps))  # frames exactly at a time stamp
        for k in sorted(rng.choice(whole_seconds, 3, replace=False)):
            n = len(scene.visible_bodies(int(k)))
            opts = ["1", "2", "3", "4"]
            qs.append({"task_type": "Counting", "question": "How many objects are on screen now?",
                       "time_stamp": f"00:00:{int(k / cfg.fps):02d}", "options": [f"{L}. {o}" for L, o in zip("ABCD", opts, strict=True)],
                       "answer": "ABCD"[opts.index(str(n))], "required_ability": "counting"})
        entries.append({"time": "[0:00:00 - 0:01:00]", "questions": qs, "video_categories": "procedural", "video_path": path})
    (out / "questions_real.json").write_text(json.dumps(entries, indent=2))
    return out / "questions_real.json"
