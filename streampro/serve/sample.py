"""The page's "sample video" button: one clip of the procedural world, written once as WebM (VP8, which
every Chromium build plays) together with a question that fits it, so a first visit shows something
without the user having a video at hand."""

from __future__ import annotations

import functools
import threading
from fractions import Fraction
from pathlib import Path

import av
import numpy as np

SAMPLE_TASK, SAMPLE_SEED = "OU", 200_000_001  # a diamond that changes colour; 26 s at 1 FPS
_lock = threading.Lock()


def write_webm(path: Path, frames: np.ndarray, fps: float) -> None:
    tmp = path.with_suffix(".tmp.webm")
    with av.open(str(tmp), mode="w", format="webm") as c:
        s = c.add_stream("libvpx", rate=Fraction(fps).limit_denominator(1000))
        s.width, s.height, s.pix_fmt = frames.shape[2], frames.shape[1], "yuv420p"
        s.options = {"crf": "4", "b:v": "1M"}
        for arr in frames:
            for p in s.encode(av.VideoFrame.from_ndarray(np.ascontiguousarray(arr), format="rgb24")):
                c.mux(p)
        for p in s.encode():
            c.mux(p)
    tmp.replace(path)


@functools.cache
def sample_clip(folder: Path) -> tuple[Path, str]:
    """(the WebM path, the question) of the sample, written into ``folder`` on first use; later calls (every
    click of the page's button) reuse the answer instead of building the scene again."""
    from ..data.world_items import make_scene_items
    from ..world.config import WorldConfig
    from ..world.render import render_scene

    cfg = WorldConfig()
    scene, specs = make_scene_items(SAMPLE_TASK, SAMPLE_SEED, cfg)
    path = folder / f"sample_{SAMPLE_TASK}_{SAMPLE_SEED}.webm"
    with _lock:
        if not path.exists():
            folder.mkdir(parents=True, exist_ok=True)
            write_webm(path, render_scene(scene), cfg.fps)
    return path, specs[0]["question"]
