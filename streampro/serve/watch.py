"""``streampro watch``: a stream in the terminal — each response printed with its stream time as it happens.

In-process (``--model``) the same :class:`~streampro.serve.engine.Engine` as the server runs the model;
with ``--server`` the frames go to a running ``streampro serve`` over its WebSocket. ``realtime`` paces
frames at their stream times, so a slow model drops frames (as on a live camera); otherwise every frame
is stepped (the next one is sent once the last was taken).
"""

from __future__ import annotations

import json
import queue
import sys
import time
from collections.abc import Callable, Iterable

from ..core.types import Frame
from .engine import Engine


def printer(as_json: bool, questions: dict[str, str]) -> Callable[[dict], None]:
    """How events are shown: JSONL (responses and the final ``done``) or one readable line each."""

    def show(ev: dict) -> None:
        if as_json:
            if ev["type"] in ("response", "done", "error"):
                print(json.dumps(ev), flush=True)
        elif ev["type"] == "response":
            print(f"[{ev['t']:8.2f}s] {questions.get(ev['id'], ev['id'])} -> {ev['text']}", flush=True)
        elif ev["type"] == "error":
            print(f"error: {ev['message']}", file=sys.stderr, flush=True)
        elif ev["type"] == "done":
            s = ev["stats"]
            print(f"done: {s['stepped']} frames stepped, {s['dropped']} dropped, {s['responses']} responses",
                  file=sys.stderr, flush=True)

    return show


def _paced(frames: Iterable[Frame], realtime: bool) -> Iterable[Frame]:
    start = time.perf_counter()
    for f in frames:
        if realtime:
            time.sleep(max(0.0, start + f.time - time.perf_counter()))
        yield f


def watch_local(engine: Engine, frames: Iterable[Frame], questions: list[str], show: Callable[[dict], None],
                realtime: bool = False, fps: float = 1.0, timeout: float = 600.0) -> dict:
    """Run ``frames`` through an in-process engine; returns the final stats."""
    events: queue.Queue = queue.Queue()
    session = engine.open(events.put, fps=fps)
    try:
        for q in questions:
            session.ask(q)
        for f in _paced(frames, realtime):
            if not realtime:
                while session.waiting:
                    time.sleep(0.0005)
            session.offer(f.pixels, f.time)
            engine.notify()
            while not events.empty():
                show(events.get())
        session.end()
        engine.notify()
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                ev = events.get(timeout=1.0)
            except queue.Empty:
                continue
            show(ev)
            if ev["type"] == "done":
                return ev["stats"]
        raise TimeoutError("the engine did not finish the stream")
    finally:
        engine.close(session)


def watch_server(server: str, frames: Iterable[Frame], questions: list[str], show: Callable[[dict], None],
                 realtime: bool = False, fps: float = 1.0, token: str | None = None) -> dict:
    """Send ``frames`` to a running ``streampro serve``; returns the final stats."""
    from .client import StreamClient

    with StreamClient(server, fps=fps, ack=not realtime, token=token) as c:
        for i, q in enumerate(questions):
            c.ask(q, qid=f"q{i}")  # the ids watch_local gives, so one printer labels both
        for f in _paced(frames, realtime):
            c.send_frame(f.pixels, f.time, wait=not realtime)
            for ev in c.poll():
                show(ev)
        for ev in c.finish():
            show(ev)
            if ev["type"] == "done":
                return ev["stats"]
    raise ConnectionError("the server closed the session before it finished")
