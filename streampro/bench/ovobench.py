"""OVO-Bench: Backward Tracing, Real-Time Visual Perception and Forward Active Responding.

Layout of the published annotation file (``ovo_bench_new.json``, a list of entries; ``video`` is
relative to the folder of source videos)::

    {"id": 1, "task": "EPM", "video": "COIN/x.mp4", "realtime": 112,
     "question": "...", "options": ["...", "..."], "gt": 2}                       # backward / real-time
    {"id": 9, "task": "REC", "video": "...", "activity": "jump",
     "test_info": [{"realtime": 5, "count": 1}, ...]}                            # forward: repetition count
    {"id": 7, "task": "SSR", "video": "...",
     "test_info": [{"realtime": 27, "step": "...", "type": 1}, ...]}              # forward: sequential steps
    {"id": 3, "task": "CRR", "video": "...", "question": "...", "answer": "...",
     "ask_time": 297, "clue_time": 308, "test_info": [{"realtime": 297, "type": 0}, ...]}  # forward: clue reveal

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

from ..core.jsonl import read_jsonl
from ..models.base import StreamingModel
from .schema import SchemaError, load_json
from .timed import TimedQuestion, accuracy_by_task, evaluate_timed

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
    if average not in AVERAGES:
        raise ValueError(f"unknown average {average!r}; choose from {list(AVERAGES)}")
    records = evaluate_timed(questions, model, out_dir, grade_ovo, fps=fps, frame_size=frame_size,
                             skip_bad=skip_bad, progress=progress, desc="ovo-bench")
    return summarize_ovo(records, Path(out_dir), average)


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
               "skipped": read_jsonl(out / "skipped.jsonl")}
    (out / "summary.json").write_text(json.dumps(summary, indent=2))
    (out / "ovo_results.json").write_text(json.dumps(official_results(records), indent=1))
    return summary


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


def make_ovo_fixture(out_dir: str | Path, n_videos: int = 2, seed: int = 0) -> Path:
    """A tiny OVO-Bench-format folder from the procedural world (``ovo_bench_new.json`` + ``src_videos/``)
    with one entry per category and per forward task, answers read from the simulator."""
    import numpy as np

    from ..world.config import WorldConfig
    from ..world.movers import movers_scene
    from ..world.render import render_scene
    from .video import write_video

    out = Path(out_dir)
    cfg = WorldConfig(fps=2.0, min_seconds=12, max_seconds=16)
    entries: list[dict[str, Any]] = []
    for v in range(n_videos):
        rng = np.random.default_rng([seed, v, 7])
        scene = movers_scene(rng, cfg, seed * 1000 + v)
        rel = f"procedural/video_{v}.mp4"
        write_video(out / "src_videos" / rel, render_scene(scene), cfg.fps)
        seconds = list(range(1, int((scene.n_frames - 1) / cfg.fps) + 1))  # whole-second probe times
        frame = {s: int(s * cfg.fps) for s in seconds}
        tr, bodies = scene.traj, scene.bodies
        eid = 100 * v
        # backward: the colour of the first object to appear, asked at the end
        first = min(range(len(bodies)), key=lambda b: bodies[b].appear)
        colours = sorted({b.color for b in bodies} | {"red", "green", "blue", "yellow"})[:4]
        if bodies[first].color not in colours:
            colours[-1] = bodies[first].color
        entries.append({"id": eid + 1, "task": "EPM", "video": rel, "realtime": seconds[-1],
                        "question": "What colour was the first object to appear?", "options": colours,
                        "gt": colours.index(bodies[first].color)})
        # real-time: the colour of a visible object now
        s, b = next((s, b) for s in seconds[2:] for b in range(len(bodies)) if bodies[b].visible(frame[s]))
        now = bodies[b].color_at(frame[s])
        opts = sorted({"red", "green", "blue", "purple"} - {now})[:3]
        opts.insert(int(rng.integers(4)), now)
        entries.append({"id": eid + 2, "task": "ATR", "video": rel, "realtime": s,
                        "question": f"What colour is the {bodies[b].shape} now?", "options": opts,
                        "gt": opts.index(now)})
        # forward: REC counts all wall bounces so far, SSR asks whether an object is on screen,
        # CRR asks about the first bounce of the first object (the clue is that bounce)
        probes = sorted(rng.choice(seconds, 4, replace=False).tolist())
        entries.append({"id": eid + 3, "task": "REC", "video": rel, "activity": "bounce off a wall",
                        "test_info": [{"realtime": p, "count": int(tr.bounces[frame[p]].sum())} for p in probes]})
        last = max(range(len(bodies)), key=lambda b: bodies[b].appear)
        entries.append({"id": eid + 4, "task": "SSR", "video": rel,
                        "test_info": [{"realtime": p, "step": f"the {bodies[last].name} is on screen",
                                       "type": int(bodies[last].visible(frame[p]))} for p in probes]})
        hit = [s for s in seconds if tr.bounces[frame[s], first] > 0]
        clue = hit[0] if hit else seconds[-1] + 1
        entries.append({"id": eid + 5, "task": "CRR", "video": rel, "ask_time": 1, "clue_time": clue,
                        "question": f"Has the {bodies[first].name} bounced off a wall?", "answer": "Yes",
                        "test_info": [{"realtime": p, "type": int(p >= clue)} for p in probes]})
    path = out / "ovo_bench_new.json"
    path.write_text(json.dumps(entries, indent=2))
    return path

