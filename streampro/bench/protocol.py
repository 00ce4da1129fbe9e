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


@dataclass
class StreamJob:
    """One model streaming one video with its queries. ``frames`` replaces decoding with already decoded
    frames (training rollouts reuse a frame cache)."""

    model: StreamingModel
    video: str
    fps: float
    duration: float
    queries: Sequence[StreamQuery]
    frame_size: int | None = None
    frames: Iterable[Frame] | None = None


class _Run:
    """The runner's clock for one job: posts queries before the frame at their time, records what the model
    says to open queries, closes queries, and knows when the stream may stop."""

    def __init__(self, job: StreamJob):
        self.job = job
        self.pending = sorted(job.queries, key=lambda q: q.query.time)
        self.responses: dict[str, list[Response]] = {q.query.id: [] for q in job.queries}
        self.open: dict[str, StreamQuery] = {}
        self.last_close = max((q.close_time for q in job.queries), default=0.0)
        self.frames = iter(job.frames if job.frames is not None else
                           iter_frames(job.video, fps=job.fps, size=job.frame_size))
        self.frame: Frame | None = None
        self.t0: float | None = None
        job.model.reset(StreamInfo(video=job.video, fps=job.fps, duration=job.duration))

    def next_frame(self) -> Frame | None:
        """The next frame with its queries posted, or None when the video ran out (then checked)."""
        job = self.job
        frame = next(self.frames, None)
        if frame is None:  # the video ran out: its questions must not reach (much) past its end, or their
            end = 0.0 if self.frame is None else self.frame.time + 1 / job.fps  # late answers could never be given
            if self.last_close > end + 1 / job.fps + 0.5:
                raise VideoError(f"{job.video}: the video ends at {end:.1f} s but its questions' duration runs to "
                                 f"{self.last_close:.1f} s; fix the items' duration (and any answer past the end)")
            return None
        self.frame = frame
        self.t0 = frame.time if self.t0 is None else self.t0
        if job.frames is None and frame.time - self.t0 > (frame.index + 1.5) / job.fps:
            # the video has fewer frames than the item's fps asks for: the model would see a frame every
            # few seconds while the item's answers assume one per 1/fps
            raise VideoError(f"{job.video}: the video has fewer frames per second than its items' fps {job.fps:g} "
                             f"(frame {frame.index} is at {frame.time:.2f} s); set the items' fps to the video's")
        while self.pending and self.pending[0].query.time <= frame.time + TIME_EPS:
            sq = self.pending.pop(0)
            self.open[sq.query.id] = sq
            job.model.add_query(sq.query)
            if not self.pending:
                job.model.no_more_queries()
        return frame

    def record(self, frame: Frame, said: list[Response]) -> bool:
        """Keep what was said to open queries, close the queries whose time is over; True when done."""
        for r in said:
            if r.query_id in self.open:  # speaking to a closed or unknown query is ignored
                self.responses[r.query_id].append(Response(r.query_id, r.text, frame.time, r.cut))
        for qid in [q for q, sq in self.open.items() if sq.close_time <= frame.time + TIME_EPS]:
            del self.open[qid]
            self.job.model.close_query(qid)
        return not self.pending and not self.open and frame.time >= self.last_close - TIME_EPS


def run_jobs(jobs: Sequence[StreamJob]) -> list[dict[str, list[Response]] | VideoError]:
    """Run several streams in lockstep, one frame each per tick, stepped together with the models'
    ``step_batch`` (StreamPro-Small batches streams that share its network into one forward per frame).
    Each job's responses are exactly what it would get alone; a job whose video fails gets its
    :class:`VideoError` in its place and the others go on."""
    runs = [_Run(job) for job in jobs]
    results: list[dict[str, list[Response]] | VideoError | None] = [None] * len(runs)
    active = list(range(len(runs)))
    while active:
        ticking = []
        for i in active:
            try:
                frame = runs[i].next_frame()
            except VideoError as e:
                results[i] = e
                continue
            if frame is None:
                results[i] = runs[i].responses
            else:
                ticking.append((i, frame))
        if not ticking:
            break
        models = [runs[i].job.model for i, _ in ticking]
        frames = [f for _, f in ticking]
        said = type(models[0]).step_batch(models, frames) if len(models) > 1 else [models[0].step(frames[0])]
        active = []
        for (i, frame), got in zip(ticking, said, strict=True):
            if runs[i].record(frame, got):
                results[i] = runs[i].responses
            else:
                active.append(i)
    return results  # type: ignore[return-value]


def run_stream(model: StreamingModel, video: str, fps: float, duration: float,
               queries: Sequence[StreamQuery], frame_size: int | None = None,
               frames: Iterable[Frame] | None = None) -> dict[str, list[Response]]:
    """Stream ``video`` through ``model`` once, serving every query; returns responses per query id.

    ``frames`` replaces decoding with already decoded frames (training rollouts reuse a frame cache)."""
    out = run_jobs([StreamJob(model, video, fps, duration, queries, frame_size, frames)])[0]
    if isinstance(out, VideoError):
        raise out
    return out
