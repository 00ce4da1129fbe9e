"""Video decoding and encoding through PyAV.

Decoding is lazy (a generator of frames at a target fps) so a runner holds one frame at a time
and can never hand a model a frame from the future; ``decode_video`` is the eager variant used by
training, where clips are small and decoded once.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from fractions import Fraction
from pathlib import Path

import av
import numpy as np

from ..core.errors import StreamProError
from ..core.items import TIME_EPS
from ..core.types import Frame

__all__ = ["Frame", "VideoError", "iter_frames", "decode_video", "decoded_once", "write_video"]

#: (file, fps, size, mtime, bytes) -> decoded video, while a ``decoded_once()`` block is open
_memo: dict[tuple, tuple[np.ndarray, np.ndarray]] | None = None


class VideoError(StreamProError, RuntimeError):
    """A video could not be read; the message names the file and the reason."""


def iter_frames(
    path: str | Path,
    fps: float | None = None,
    start: float = 0.0,
    end: float | None = None,
    size: int | None = None,
    fmt: str | None = None,
) -> Iterator[Frame]:
    """Yield RGB frames of ``path`` in time order, resampled to ``fps`` (None: native rate).

    ``start`` seeks (keyframe seek, then decode forward), ``end`` stops early (inclusive), ``size``
    resizes to a square of that many pixels inside the decoder (cheap, avoids a numpy resize).
    ``path`` may also be a URL PyAV reads (``rtsp://``, ``http(s)://``) or, with ``fmt`` (e.g. ``v4l2``,
    ``avfoundation``), a capture device — live sources for ``streampro serve`` / ``watch``.
    """
    live = "://" in str(path) or fmt is not None
    if not live and not Path(path).exists():
        raise VideoError(f"{path}: video file not found")
    try:
        container = av.open(str(path), format=fmt)
    except (av.error.FFmpegError, OSError) as e:
        raise VideoError(f"{path}: cannot open video ({e})") from None
    with container:
        if not container.streams.video:
            raise VideoError(f"{path}: no video stream")
        stream = container.streams.video[0]
        stream.thread_type = "AUTO"
        if start > 0:
            container.seek(int(start / stream.time_base), stream=stream, backward=True, any_frame=False)
        step = 1.0 / fps if fps else 0.0
        next_t = start
        emitted = 0
        try:
            for frame in container.decode(stream):
                t = float(frame.time) if frame.time is not None else emitted * (step or 1 / 25)
                if t + TIME_EPS < next_t:
                    continue
                if end is not None and t > end + TIME_EPS:
                    break
                if size is not None:
                    frame = frame.reformat(width=size, height=size)
                yield Frame(emitted, t, frame.to_ndarray(format="rgb24"))
                emitted += 1
                next_t = t + step if fps else t
                if fps:
                    # keep the sampling grid anchored to `start`, not drifting with decoded timestamps
                    next_t = start + emitted * step
        except av.error.FFmpegError as e:
            raise VideoError(f"{path}: corrupt video stream after {emitted} frames ({e})") from None
        if emitted == 0:
            raise VideoError(f"{path}: no decodable frames")


def decode_video(path: str | Path, fps: float | None = None, size: int | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Decode a whole (short) video: ``(frames[T,H,W,3] uint8, times[T] float)``."""
    key = None
    if _memo is not None and Path(path).is_file():
        st = Path(path).stat()
        key = (str(Path(path).resolve()), fps, size, st.st_mtime_ns, st.st_size)
        if key in _memo:
            frames, times = _memo[key]
            return frames.copy(), times.copy()
    frames, times = [], []
    for fr in iter_frames(path, fps=fps, size=size):
        frames.append(fr.pixels)
        times.append(fr.time)
    out = np.stack(frames), np.asarray(times, dtype=np.float64)
    if key is not None:
        _memo[key] = out[0].copy(), out[1].copy()
    return out


@contextmanager
def decoded_once():
    """Inside this block ``decode_video`` decodes each (file, fps, size) once and hands out copies.
    ``streampro reproduce`` wraps a seed in it: stage 0, the three SFT runs and GRPO all read the same
    training videos, which were otherwise decoded five times (about 6 s each time for 600 clips). The
    cache lives only as long as the block (a seed's training videos at 64 px: about 200 MB) and a file
    rewritten in between is decoded again (its size and mtime are part of the key)."""
    global _memo
    outer = _memo
    _memo = {} if outer is None else outer
    try:
        yield
    finally:
        _memo = outer


def write_video(path: str | Path, frames: np.ndarray, fps: float, crf: int = 10) -> None:
    """Encode ``frames`` (T,H,W,3 uint8) to H.264 mp4. Written to a temp file and renamed, so an
    interrupted generation never leaves a truncated video behind."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp.mp4")
    rate = Fraction(fps).limit_denominator(1000)
    with av.open(str(tmp), mode="w") as container:
        stream = container.add_stream("libx264", rate=rate)
        stream.width, stream.height = frames.shape[2], frames.shape[1]
        stream.pix_fmt = "yuv420p"
        stream.options = {"crf": str(crf), "preset": "veryfast", "tune": "zerolatency"}
        for arr in frames:
            for packet in stream.encode(av.VideoFrame.from_ndarray(np.ascontiguousarray(arr), format="rgb24")):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)
    os.replace(tmp, path)


def video_duration(path: str) -> float | None:
    """Seconds, from the container or the stream (None if the file cannot be read). Reads headers only."""
    try:
        with av.open(path) as c:
            if c.duration:
                return c.duration / 1e6
            s = c.streams.video[0]
            return float(s.duration * s.time_base) if s.duration else None
    except (av.error.FFmpegError, OSError, IndexError):
        return None


def video_lengths(items) -> dict[str, float | None]:
    """Each distinct video of ``items`` -> its length in seconds (None: missing or unreadable)."""
    out: dict[str, float | None] = {}
    for it in items:
        if it.video not in out:
            out[it.video] = video_duration(it.video) if Path(it.video).is_file() else None
    return out


def video_problem(item, length: float | None, check_duration: bool = True) -> str | None:
    """Why ``item`` cannot be streamed as written (None: it can): its video is missing or unreadable, an
    answer or the question lies past the video's real end, or (``check_duration``) the item's declared
    duration runs past it. One frame of tolerance."""
    if length is None:
        return f"{'video file not found' if not Path(item.video).exists() else 'cannot read the video'}: {item.video}"
    tolerance = 1.0 / item.fps
    late = max((a.best[1] for a in item.answers), default=0.0)
    if late > length + tolerance or item.query_time > length:
        return (f"an answer or the question at {max(late, item.query_time):g} s is past the end of "
                f"{Path(item.video).name} ({length:.1f} s)")
    if check_duration and item.duration > length + tolerance + 0.5:
        return f"duration {item.duration:g} s runs past the end of {Path(item.video).name} ({length:.1f} s)"
    return None


def check_items_videos(items, what: str) -> None:
    """Refuse, in one line, a set of items that cannot be streamed (before a model is loaded)."""
    lengths = video_lengths(items)
    problems = [f"{it.id}: {why}" for it in items if (why := video_problem(it, lengths[it.video]))]
    if problems:
        more = f" (and {len(problems) - 3} more)" if len(problems) > 3 else ""
        raise VideoError(f"{what}: {len(problems)} of {len(items)} items cannot be streamed: {'; '.join(problems[:3])}"
                         f"{more}; fix them (see `streampro data stats`) or leave them out")
