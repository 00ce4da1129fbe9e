"""StreamingBench's files: ``questions_real.json`` (Real-Time Visual Understanding) and
``questions_proactive.json`` (Proactive Output), read as its own harness reads them
(``src/benchmark/StreamingBench*.py``), and ``official_results.json``, its result layout.

Layouts::

    [{"time": "[0:00:00 - 0:01:00]", "video_categories": "...", "video_path": "./videos/sample_1_....mp4",
      "questions": [{"task_type": "Object Perception", "question": "...", "time_stamp": "00:00:50",
                     "options": ["A. ...", "B. ...", "C. ...", "D. ..."], "answer": "B"}]}, ...]
    [{"video_path": "./videos/....mp4", "questions": [{"task_type": "...", "question": "...",
      "time_stamp": "00:01:05", "ground_truth_time_stamp": "00:01:12", "ground_truth_output": "..."}]}]
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ...core.types import TimedQuestion
from ..schema import SchemaError, load_json

RTVU_TASKS = ("Object Perception", "Causal Reasoning", "Clips Summarize", "Attribute Perception", "Event Understanding",
              "Text-Rich Understanding", "Prospective Reasoning", "Spatial Understanding", "Action Perception", "Counting")


RTVU_PROMPT = ("You are an advanced video question-answering AI assistant. You have been provided with some frames from the "
          "video and a multiple-choice question related to the video. Your task is to carefully analyze the video and "
          "provide the best answer to question, choosing from the four options provided. Respond with only the letter "
          "(A, B, C, or D) of the correct option.\n\nQuestion: {}\n\nOptions:\n{}\n\nThe best option is:")


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
            prompt = RTVU_PROMPT.format(q["question"], "\n".join(q["options"]))
            out.append(TimedQuestion(f"{i}-{j}", video, t, q["task_type"], q["question"], prompt, q["answer"],
                                     tuple(q["options"])))
    return out


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


PO_PROMPT = ("You are an advanced image question-answering AI assistant. You have been provided with images and a "
          "question related to the images. Your task is to carefully analyze the images and provide the answer to "
          "the question. You need to carefully confirm whether the images content meet the conditions of the "
          "question, and then output the correct content.\n\nQuestion: {}\n\nThe answer is:\n")


PO_POLL = '{} Is it the right time to output "{}"? You can only answer yes or no.'


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
