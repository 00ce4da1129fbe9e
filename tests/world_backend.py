"""A world-backed VLM + LLM on loopback, OpenAI-compatible, for the data pipeline's tests.

It knows the procedural world's items of the videos it may be shown. A VLM call is recognised by the
frames it carries: the first frame is matched against every known video's frames (16x16 grey thumbnails,
robust to JPEG), which names the video and so its exact ground truth. Captions are that truth (interval
answers as events, timed answers as actions, for the window asked). The LLM side synthesises a task's
items from the captions by finding the world items whose answers the captions hold, reviews an item
against the world's own (discriminator), and revises an item back to the world's (generator).

Knobs (class attributes): ``shift`` {item id: seconds} moves that item's first answer when synthesised;
``stubborn`` {item ids} the generator never fixes; ``hallucinate`` {video stem} adds a question about an
object that is not there (the discriminator calls it not fixable); ``mode`` ok | garbage | fail | slow.
Every request body's hash is counted in ``seen`` (a rerun that repeats a call shows up as a count of 2).
"""

from __future__ import annotations

import base64
import hashlib
import io
import json
import re
import threading
import time
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import numpy as np
from PIL import Image

from streampro.data.video import iter_frames


def thumb(pixels: np.ndarray) -> np.ndarray:
    return np.asarray(Image.fromarray(pixels).convert("L").resize((16, 16), Image.BILINEAR), dtype=np.float32)


class World:
    def __init__(self, items, root: Path):
        self.items = items
        self.by_video: dict[str, list] = {}
        for it in items:
            self.by_video.setdefault(str((root / it.video).resolve()) if not Path(it.video).is_absolute() else it.video,
                                     []).append(it)
        self.thumbs = {v: np.stack([thumb(f.pixels) for f in iter_frames(v, fps=1.0)]) for v in self.by_video}

    def identify(self, jpegs: list[bytes], t0: float | None = None) -> str:
        """The known video these frames come from: frame k against the video's frame at ``t0 + k`` (a
        caption window), or each frame against its closest frame anywhere (frames spread over a video)."""
        shown = np.stack([thumb(np.asarray(Image.open(io.BytesIO(j)).convert("RGB"))) for j in jpegs])

        def dist(v):
            th = self.thumbs[v]
            if t0 is not None:
                k0 = int(round(t0))
                n = min(len(shown), len(th) - k0)
                return float(np.abs(th[k0:k0 + n] - shown[:n]).mean()) if n > 0 else float("inf")
            return float(sum(np.abs(th - s).mean(axis=(1, 2)).min() for s in shown))

        return min(self.thumbs, key=dist)

    def captions(self, video: str, t0: float, t1: float) -> dict:
        events, actions = [], []
        for it in self.by_video[video]:
            for a in it.answers:
                if a.start is not None and t0 <= a.start < t1:
                    events.append({"start": a.start, "end": a.end, "text": a.text})
                elif a.time is not None and t0 <= a.time < t1:
                    actions.append({"time": a.time, "text": a.text})
        return {"events": events, "actions": actions, "objects": []}

    def item_json(self, it, shift: float = 0.0) -> dict:
        answers = []
        for k, a in enumerate(it.answers):
            d = a.to_json()
            d.pop("outcome_time", None)
            if k == 0 and shift:
                for key in ("time", "start", "end"):
                    if key in d:
                        d[key] += shift
            answers.append(d)
        return {"question": it.question, "query_time": it.query_time, "answers": answers}

    def from_captions(self, task: str, captions: dict) -> list:
        said = {(c["text"], c.get("time", c.get("start"))) for c in captions["events"] + captions["actions"]}
        return [it for its in self.by_video.values() for it in its
                if it.task == task and all((a.text, a.time if a.time is not None else a.start) in said for a in it.answers)]

    def by_question(self, question: str, video: str):
        """The world item an item record is about (several videos share a question's wording)."""
        return next((it for it in self.items if it.question == question and Path(it.video).stem == Path(video).stem), None)


class WorldHandler(BaseHTTPRequestHandler):
    world: World
    mode = "ok"
    shift: dict = {}
    stubborn: set = set()
    hallucinate: set = set()
    seen: Counter = Counter()
    kinds: Counter = Counter()
    lock = threading.Lock()

    def do_POST(self):
        size = int(self.headers["Content-Length"])
        raw = self.rfile.read(size)
        cls = type(self)
        if len(raw) < size:  # the client died mid-send (a kill -9 test): no call reached the server, none to count
            return
        with cls.lock:
            cls.seen[hashlib.sha256(raw).hexdigest()] += 1
        if cls.mode == "fail":
            self.send_response(500)
            self.end_headers()
            return
        if cls.mode == "slow":
            time.sleep(2.0)
        body = json.loads(raw)
        content = body["messages"][0]["content"]
        images = []
        if isinstance(content, list):
            images = [base64.b64decode(p["image_url"]["url"].split(",", 1)[1]) for p in content if p["type"] == "image_url"]
            content = next(p["text"] for p in content if p["type"] == "text")
        text = "I would rather describe the video in prose." if cls.mode == "garbage" else self.reply(content, images)
        out = json.dumps({"choices": [{"message": {"role": "assistant", "content": text}}]})
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(out.encode())

    def reply(self, prompt: str, images: list[bytes]) -> str:
        cls, w = type(self), type(self).world
        first = prompt.splitlines()[0]
        if first.startswith("You are screening videos for a streaming"):  # the world has no cuts: one scene
            cls.kinds["shots"] += 1
            duration = float(re.search(r"a video of ([\d.]+) seconds", prompt).group(1))
            return json.dumps({"transitions": 0, "min_scene_s": duration})
        if first.startswith("You are screening videos for a risk"):
            cls.kinds["rf_scene"] += 1
            rf = any(it.task == "RF" for it in w.by_video[w.identify(images)])
            return json.dumps({"egocentric": rf, "outdoor": rf})
        if first.startswith("You are annotating a video"):
            cls.kinds["captions"] += 1
            t0, t1 = map(float, re.search(r"frames from ([\d.]+) s to ([\d.]+) s", prompt).groups())
            return "```json\n" + json.dumps(w.captions(w.identify(images, t0), t0, t1)) + "\n```"
        if first.startswith("You write questions"):
            cls.kinds["synthesize"] += 1
            task = re.search(r"\((\w+)\)\. ", prompt).group(1)
            captions = json.loads(prompt.split("Its timestamped captions:\n", 1)[1].split("\n\nWrite the", 1)[0])
            found = w.from_captions(task, captions)
            out = [w.item_json(it, cls.shift.get(it.id, 0.0)) for it in found]
            stems = {Path(v).stem for v, its in w.by_video.items() if any(it in its for it in found)}
            if stems & cls.hallucinate:
                out.append({"question": "Tell me when the purple hexagon appears.", "query_time": 1.0,
                            "answers": [{"text": "the purple hexagon appears", "time": 5.0}]})
            return json.dumps({"items": out})
        if first.startswith("You review one item"):
            cls.kinds["discriminate"] += 1
            item = json.loads(prompt.split("Item:\n", 1)[1].split("\n\nReply with", 1)[0])
            truth = w.by_question(item["question"], item["video"])
            if truth is None:
                return json.dumps({"accept": False, "fixable": False, "problems": [
                    {"field": "question", "issue": "the captions show no such object", "fix": None}]})
            want = w.item_json(truth)["answers"]
            if item["answers"] == want:
                return json.dumps({"accept": True, "problems": []})
            bad = next(k for k, a in enumerate(item["answers"]) if k >= len(want) or a != want[k])
            return json.dumps({"accept": False, "fixable": True, "problems": [
                {"field": f"answers[{bad}]", "issue": "the time does not match the captions", "fix": want[bad] if bad < len(want) else None}]})
        if first.startswith("You revise one item"):
            cls.kinds["revise"] += 1
            item = json.loads(prompt.split("Item:\n", 1)[1].split("\n\nProblems found", 1)[0])
            truth = w.by_question(item["question"], item["video"])
            if truth is None or truth.id in cls.stubborn:
                return json.dumps({k: item[k] for k in ("question", "query_time", "answers")})
            return json.dumps(w.item_json(truth))
        return "unknown request"

    def log_message(self, *a):
        pass


def serve_world(items, root: Path):
    """Start the server; returns (base URL, server). Reset the class knobs before each use."""
    WorldHandler.world = World(items, root)
    WorldHandler.mode, WorldHandler.shift, WorldHandler.stubborn, WorldHandler.hallucinate = "ok", {}, set(), set()
    WorldHandler.seen, WorldHandler.kinds = Counter(), Counter()
    srv = ThreadingHTTPServer(("127.0.0.1", 0), WorldHandler)
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    return f"http://127.0.0.1:{srv.server_address[1]}/v1", srv
