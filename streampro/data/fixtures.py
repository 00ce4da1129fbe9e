"""Tiny folders in the public benchmarks' own layouts, made from the procedural world (answers read from
the simulator), to try ``streampro rtvu`` / ``po`` / ``ovo`` and test them without downloading anything."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np

from ..world.config import WorldConfig
from ..world.movers import movers_scene
from ..world.render import render_scene
from .video import write_video


def make_rtvu_fixture(out_dir: str | Path, n_videos: int = 2, seed: int = 0) -> Path:
    """A tiny RTVU-format folder from the procedural world (``questions_real.json`` + ``videos/``), with
    counting/colour questions whose answers come from the simulator — for tests and demos."""
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


def make_po_fixture(out_dir: str | Path, n_videos: int = 2, seed: int = 0) -> Path:
    """A tiny ``questions_proactive.json`` + ``videos/`` from the procedural world: "when the <shape>
    changes colour, say its new colour", the ground truth read from the simulator."""

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


def make_ovo_fixture(out_dir: str | Path, n_videos: int = 2, seed: int = 0) -> Path:
    """A tiny OVO-Bench-format folder from the procedural world (``ovo_bench_new.json`` + ``src_videos/``)
    with one entry per category and per forward task, answers read from the simulator."""

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
