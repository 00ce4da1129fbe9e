"""StreamingBench — Real-Time Visual Understanding (RTVU), from its public question files.

Layout of ``questions_real.json`` (as published with StreamingBench)::

    [{"time": "[0:00:00 - 0:01:00]", "video_categories": "...", "video_path": "./videos/sample_1_....mp4",
      "questions": [{"task_type": "Object Perception", "question": "...", "time_stamp": "00:00:50",
                     "options": ["A. ...", "B. ...", "C. ...", "D. ..."], "answer": "B"}]}, ...]

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

from ..core.jsonl import read_jsonl
from ..models.base import StreamingModel
from .schema import SchemaError, load_json
from .timed import TimedQuestion, accuracy_by_task, evaluate_timed

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


def load_rtvu(questions: str | Path, video_root: str | Path) -> list[TimedQuestion]:
    """Read ``questions_real.json``; every question becomes a probe at its ``time_stamp``."""
    questions, root = Path(questions), Path(video_root)
    data = load_json(questions)
    if not isinstance(data, list):
        raise SchemaError(f"{questions}: expected a list of video entries")
    out: list[TimedQuestion] = []
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
            prompt = PROMPT.format(q["question"], "\n".join(q["options"]))
            out.append(TimedQuestion(f"{i}-{j}", video, t, q["task_type"], q["question"], prompt, q["answer"],
                                     tuple(q["options"])))
    return out


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
    if rule not in RULES:
        raise ValueError(f"unknown rule {rule!r}; choose from {list(RULES)}")
    ctx = context_seconds if context_seconds is not None and context_seconds > 0 else None
    records = evaluate_timed(questions, model, out_dir, grade_rtvu_official if rule == "official" else grade_rtvu,
                             fps=fps, frame_size=frame_size, skip_bad=skip_bad, progress=progress, desc="rtvu",
                             context_seconds=ctx)
    return summarize_rtvu(records, Path(out_dir), rule, ctx)


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
               "skipped": read_jsonl(out / "skipped.jsonl")}
    (out / "summary.json").write_text(json.dumps(summary, indent=2))
    return summary


def write_official(questions_file: str | Path, values: dict[str, Any], model_name: str, out: str | Path) -> Path:
    """StreamingBench's result layout: its questions file with ``values[qid]`` (qid ``"entry-question"``)
    stored under ``model_name`` in each question, as the official harness writes ``official_results.json``."""
    data = load_json(questions_file)
    for qid, value in values.items():
        i, j = (int(x) for x in qid.split("-"))
        data[i]["questions"][j][model_name] = value
    path = Path(out) / "official_results.json"
    path.write_text(json.dumps(data, indent=4))
    return path


def write_rtvu_official(questions_file: str | Path, records: list[dict[str, Any]], model_name: str,
                        out: str | Path) -> Path:
    """Each reply under ``model_name``, so ``python src/data/count.py --task real --model NAME --src
    official_results.json`` can cross-check."""
    return write_official(questions_file, {r["qid"]: r["response"] for r in records}, model_name, out)


def make_rtvu_fixture(out_dir: str | Path, n_videos: int = 2, seed: int = 0) -> Path:
    """A tiny RTVU-format folder from the procedural world (``questions_real.json`` + ``videos/``), with
    counting/colour questions whose answers come from the simulator — for tests and demos."""
    import numpy as np

    from ..world.config import WorldConfig
    from ..world.movers import movers_scene
    from ..world.render import render_scene
    from .video import write_video

    out = Path(out_dir)
    cfg = WorldConfig(fps=2.0)
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
