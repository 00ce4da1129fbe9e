"""Frames a VLM is shown: decoded once per video at the caption rate, resized once as the Qwen adapter
resizes (``models.hf.qwen_resize``: aspect kept, about ``frame_size²`` pixels), JPEG-encoded once, and
shared by every call about that video (shot check, scene check, caption windows)."""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path

from ..models.base import frame_label
from .video import iter_frames

QWEN_FACTOR = 28  # patch 14 x merge 2 (Qwen2/2.5-VL); a 448 budget is a multiple of 32 (Qwen3-VL) too


@dataclass
class VideoFrames:
    video: Path
    fps: float
    times: list[float]
    jpegs: list[bytes]

    def window(self, t0: float, t1: float) -> tuple[list[float], list[bytes]]:
        keep = [i for i, t in enumerate(self.times) if t0 <= t < t1]
        return [self.times[i] for i in keep], [self.jpegs[i] for i in keep]

    def labels(self, times: list[float]) -> str:
        """One line per frame, in the streaming format's ``<Xs-Ys>`` labels, for the prompt."""
        return "\n".join(f"Frame {k + 1}: {frame_label(t, self.fps)}" for k, t in enumerate(times))

    def spread(self, n: int) -> list[bytes]:
        """``n`` frames spread over the whole video (shot and scene checks)."""
        if len(self.jpegs) <= n:
            return list(self.jpegs)
        return [self.jpegs[round(i * (len(self.jpegs) - 1) / (n - 1))] for i in range(n)]


def sample_frames(video: Path, fps: float = 1.0, frame_size: int = 448, quality: int = 90) -> VideoFrames:
    """Raises ``VideoError`` for a video that cannot be decoded."""
    from PIL import Image

    from ..models.hf import qwen_resize

    times, jpegs = [], []
    for f in iter_frames(video, fps=fps):
        buf = io.BytesIO()
        Image.fromarray(qwen_resize(f.pixels, frame_size, QWEN_FACTOR)).save(buf, format="JPEG", quality=quality)
        times.append(f.time)
        jpegs.append(buf.getvalue())
    return VideoFrames(video, fps, times, jpegs)
