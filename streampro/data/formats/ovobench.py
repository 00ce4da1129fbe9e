"""OVO-Bench's files: ``ovo_bench_new.json`` read into probes, and the layout of its result files.

Layout of the published annotation file (a list of entries; ``video`` is relative to the folder of
source videos)::

    {"id": 1, "task": "EPM", "video": "COIN/x.mp4", "realtime": 112,
     "question": "...", "options": ["...", "..."], "gt": 2}                       # backward / real-time
    {"id": 9, "task": "REC", "video": "...", "activity": "jump",
     "test_info": [{"realtime": 5, "count": 1}, ...]}                            # forward: repetition count
    {"id": 7, "task": "SSR", "video": "...",
     "test_info": [{"realtime": 27, "step": "...", "type": 1}, ...]}              # forward: sequential steps
    {"id": 3, "task": "CRR", "video": "...", "question": "...", "answer": "...",
     "ask_time": 297, "clue_time": 308, "test_info": [{"realtime": 297, "type": 0}, ...]}  # forward: clue reveal

A backward/real-time question is one probe at ``realtime``; a forward entry is one probe per ``test_info``
element, each with that task's prompt (the benchmark's ``constant.py``, byte for byte).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ...core.types import TimedQuestion
from ..schema import SchemaError, load_json

CATEGORIES: dict[str, tuple[str, ...]] = {
    "backward": ("EPM", "ASI", "HLD"),
    "realtime": ("STU", "OJR", "ATR", "ACR", "OCR", "FPD"),
    "forward": ("REC", "SSR", "CRR"),
}


CATEGORY_OF = {t: c for c, ts in CATEGORIES.items() for t in ts}


# The benchmark's prompts (OVO-Bench constant.py), so that scores compare with published ones.
MC_PROMPT = """
Question: {}
Options:
{}

Respond only with the letter corresponding to your chosen option (e.g., A, B, C). 
Do not include any additional text or explanation in your response.
"""


REC_PROMPT = """
You're watching a video in which people may perform a certain type of action repetively. 
The person performing this kind of action are referred to as 'they' in the following statement.
You're task is to count how many times have different people in the video perform this kind of action in total.
One complete motion counts as one. 
Now, answer the following question: {}
Provide your answer as a single number (e.g., 0, 1, 2, 3…) indicating the total count.
Do not include any additional text or explanation in your response.
"""


SSR_PROMPT = """
You're watching a tutorial video which contain a sequential of steps. 
The following is one step from the whole procedures: 
{}
Your task is to determine if the man or woman in the video is currently performing this step.
Answer only with “Yes” or “No”.
Do not include any additional text or explanation in your response.
"""


CRR_PROMPT = """
You're responsible of answering questions based on the video content. 
The following question are relevant to the latest frames, i.e. the end of the video.
{}
Decide whether existing visual content, especially latest frames, i.e. frames that near the end of the video, provide enough information for answering the question.
Answer only with “Yes” or “No”.
Do not include any additional text or explanation in your response.
"""


def _need(entry: dict, keys: tuple[str, ...], where: str) -> None:
    for k in keys:
        if k not in entry:
            raise SchemaError(f"{where}: missing field '{k}'")


def _time(value: Any, where: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
        raise SchemaError(f"{where}: field 'realtime' {value!r} is not a non-negative number of seconds")
    return float(value)


def load_ovo(annotations: str | Path, video_root: str | Path, tasks: list[str] | None = None) -> list[TimedQuestion]:
    """Read ``ovo_bench_new.json`` into probes (one per backward/real-time question, one per forward
    ``test_info`` element). ``tasks`` keeps only those task codes or categories."""
    path, root = Path(annotations), Path(video_root)
    data = load_json(path)
    if not isinstance(data, list):
        raise SchemaError(f"{path}: expected a list of entries")
    keep = None
    if tasks:
        keep = {t for x in tasks for t in CATEGORIES.get(x, (x,))}
        if unknown := keep - set(CATEGORY_OF):
            raise SchemaError(f"unknown OVO-Bench task(s) {sorted(unknown)}; known: {sorted(CATEGORY_OF)} or {list(CATEGORIES)}")
    out: list[TimedQuestion] = []
    for i, e in enumerate(data):
        where = f"{path}: entry {i}"
        if not isinstance(e, dict):
            raise SchemaError(f"{where}: expected an object")
        _need(e, ("id", "task", "video"), where)
        task = e["task"]
        if task not in CATEGORY_OF:
            raise SchemaError(f"{where}: unknown task type {task!r}; known: {sorted(CATEGORY_OF)}")
        if keep is not None and task not in keep:
            continue
        video = str(root / e["video"])
        base = {"id": e["id"], "video_rel": e["video"], "category": CATEGORY_OF[task]}
        if CATEGORY_OF[task] != "forward":
            _need(e, ("question", "options", "gt", "realtime"), where)
            opts = e["options"]
            if not isinstance(opts, list) or not isinstance(e["gt"], int) or not 0 <= e["gt"] < len(opts):
                raise SchemaError(f"{where}: field 'gt' {e['gt']!r} is not an index into 'options'")
            letters = tuple(f"{chr(65 + k)}. {o}" for k, o in enumerate(opts))
            prompt = MC_PROMPT.format(e["question"], "; ".join(letters) + ";")
            out.append(TimedQuestion(str(e["id"]), video, _time(e["realtime"], where), task, e["question"], prompt,
                                     chr(65 + e["gt"]), letters, {**base, "question": e["question"]}))
            continue
        probe_keys = {"REC": ("realtime", "count"), "SSR": ("realtime", "step", "type"), "CRR": ("realtime", "type")}[task]
        _need(e, ("test_info",) + (("activity",) if task == "REC" else ("question",) if task == "CRR" else ()), where)
        if not isinstance(e["test_info"], list) or not e["test_info"]:
            raise SchemaError(f"{where}: field 'test_info' must be a non-empty list")
        for j, p in enumerate(e["test_info"]):
            w = f"{where}, test_info {j}"
            if not isinstance(p, dict):
                raise SchemaError(f"{w}: expected an object")
            _need(p, probe_keys, w)
            if task == "REC":
                question = f"How many times did they {e['activity']}?"
                prompt, answer = REC_PROMPT.format(question), str(p["count"])
            else:
                if p["type"] not in (0, 1):
                    raise SchemaError(f"{w}: field 'type' {p['type']!r} must be 0 or 1")
                question = p["step"] if task == "SSR" else e["question"]
                prompt = (SSR_PROMPT if task == "SSR" else CRR_PROMPT).format(question)
                answer = "Yes" if p["type"] == 1 else "No"
            probe = {k: v for k, v in p.items() if k != "response"}
            options = () if task == "REC" else ("Yes", "No")
            out.append(TimedQuestion(f"{e['id']}-{j}", video, _time(p["realtime"], w), task, question, prompt, answer,
                                     options, {**base, "probe": j, "test_info": probe}))
    return out


def official_results(records: list[dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    res: dict[str, list[dict[str, Any]]] = {c: [] for c in CATEGORIES}
    forward: dict[Any, dict[str, Any]] = {}
    for r in sorted(records, key=lambda r: (str(r["id"]), r.get("probe", 0))):
        if r["category"] != "forward":
            res[r["category"]].append({"id": r["id"], "video": r["video_rel"], "task": r["task"],
                                       "question": r["question"], "response": r["response"], "ground_truth": r["answer"]})
            continue
        entry = forward.setdefault(r["id"], {"id": r["id"], "video": r["video_rel"], "task": r["task"], "test_info": []})
        entry["test_info"].append({**r["test_info"], "response": r["response"]})
    res["forward"] = list(forward.values())
    return res
