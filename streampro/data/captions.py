"""Stage 2a, captions (paper App. A.1): per video, event-level (intervals), action-level and object-level
(moments) captions with timestamps, from a VLM shown time-labelled frames. A long video is captioned in
windows of ``window_s`` seconds (one call each); the windows' captions are merged in time order."""

from __future__ import annotations

import math

from ..llm.templates import fill_template
from .calls import Caller, CallFailure
from .frames import VideoFrames
from .replies import Captions

CAPTION_PLACEHOLDERS = ("duration", "start", "end", "frames")


def windows(duration: float, window_s: float) -> list[tuple[float, float]]:
    n = max(1, math.ceil(duration / window_s - 1e-9))
    return [(k * window_s, min(duration, (k + 1) * window_s)) for k in range(n)]


def caption_video(vlm: Caller, template: str, frames: VideoFrames, duration: float,
                  window_s: float) -> tuple[Captions, list[str]]:
    """Merged captions and the failures of windows whose reply stayed unusable (their captions are missing)."""
    merged = Captions()
    failures = []
    for t0, t1 in windows(duration, window_s):
        times, jpegs = frames.window(t0, t1)
        if not jpegs:
            continue
        prompt = fill_template(template, duration=f"{duration:g}", start=f"{t0:g}", end=f"{t1:g}",
                               frames=frames.labels(times))
        reply = vlm.ask(prompt, Captions, jpegs)
        if isinstance(reply, CallFailure):
            failures.append(f"captions {t0:g}-{t1:g} s: {reply.reason}")
            continue
        # keep what starts in this window (a VLM may echo times it was not shown); an event may run past it
        merged.events += [e for e in reply.events if t0 - 1 <= e.start < t1 + 1 and e.start <= e.end <= duration + 1]
        merged.actions += [m for m in reply.actions if t0 - 1 <= m.time < t1 + 1]
        merged.objects += [m for m in reply.objects if t0 - 1 <= m.time < t1 + 1]
    merged.events.sort(key=lambda e: (e.start, e.end))
    merged.actions.sort(key=lambda m: m.time)
    merged.objects.sort(key=lambda m: m.time)
    return merged, failures
