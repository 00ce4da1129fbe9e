"""The streaming runner: feeds frames in time order, posts queries at their time, records responses.

No-peeking guarantee: frames come from a lazy decoder one at a time, and a model only ever holds
frames whose timestamp is <= the runner's clock; a query is posted before the frame at its time.
One pass per video serves all of that video's queries; decoding stops once every query is closed.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from ..core.items import TIME_EPS
from ..data.video import Frame, VideoError, iter_frames
from ..models.base import Query, Response, StreamInfo, StreamingModel


@dataclass
class StreamQuery:
    query: Query
    close_time: float  # responses after this time cannot earn credit; the runner stops tracking


def run_stream(model: StreamingModel, video: str, fps: float, duration: float,
               queries: Sequence[StreamQuery], frame_size: int | None = None,
               frames: Iterable[Frame] | None = None) -> dict[str, list[Response]]:
    """Stream ``video`` through ``model`` once, serving every query; returns responses per query id.

    ``frames`` replaces decoding with already decoded frames (training rollouts reuse a frame cache)."""
    return run_streams([model], video, fps, duration, queries, frame_size, frames)[0]


def run_streams(models: Sequence[StreamingModel], video: str, fps: float, duration: float,
                queries: Sequence[StreamQuery], frame_size: int | None = None,
                frames: Iterable[Frame] | None = None) -> list[dict[str, list[Response]]]:
    """:func:`run_stream` for several models on the same video and queries at once (a GRPO group: G
    samplers of one policy), stepped together with the models' ``step_batch`` (StreamPro-Small batches
    them into one forward per frame); each model's responses are what :func:`run_stream` would give it."""
    pending = sorted(queries, key=lambda q: q.query.time)
    responses: list[dict[str, list[Response]]] = [{q.query.id: [] for q in queries} for _ in models]
    open_q: dict[str, StreamQuery] = {}
    for model in models:
        model.reset(StreamInfo(video=video, fps=fps, duration=duration))
    step_batch = type(models[0]).step_batch
    last_close = max((q.close_time for q in queries), default=0.0)
    frame, t0 = None, None
    for frame in frames if frames is not None else iter_frames(video, fps=fps, size=frame_size):
        t0 = frame.time if t0 is None else t0
        if frames is None and frame.time - t0 > (frame.index + 1.5) / fps:
            # the video has fewer frames than the item's fps asks for: the model would see a frame every
            # few seconds while the item's answers assume one per 1/fps
            raise VideoError(f"{video}: the video has fewer frames per second than its items' fps {fps:g} (frame "
                             f"{frame.index} is at {frame.time:.2f} s); set the items' fps to the video's")
        while pending and pending[0].query.time <= frame.time + TIME_EPS:
            sq = pending.pop(0)
            open_q[sq.query.id] = sq
            for model in models:
                model.add_query(sq.query)
        said = step_batch(list(models), [frame] * len(models)) if len(models) > 1 else [models[0].step(frame)]
        for got, out in zip(said, responses, strict=True):
            for r in got:
                if r.query_id in open_q:  # speaking to a closed or unknown query is ignored
                    out[r.query_id].append(Response(r.query_id, r.text, frame.time, r.cut))
        for qid in [q for q, sq in open_q.items() if sq.close_time <= frame.time + TIME_EPS]:
            del open_q[qid]
            for model in models:
                model.close_query(qid)
        if not pending and not open_q and frame.time >= last_close - TIME_EPS:
            break
    else:  # the video ran out: its questions must not reach (much) past its end, or their late answers
        end = 0.0 if frame is None else frame.time + 1 / fps  # could never be given and scored as silence
        if last_close > end + 1 / fps + 0.5:
            raise VideoError(f"{video}: the video ends at {end:.1f} s but its questions' duration runs to "
                             f"{last_close:.1f} s; fix the items' duration (and any answer past the end)")
    return responses
