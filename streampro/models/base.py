"""The streaming-model interface every model implements, from the oracle to a Qwen2.5-VL.

A stream is driven by a runner (``streampro.bench.protocol``):

1. ``reset(info)`` — a new video begins;
2. ``add_query(q)`` — a question is posted at ``q.time``, *before* the frame at that time;
3. ``step(frame) -> list[Response]`` — after each frame, the model stays silent (empty list) or
   speaks to one or more open queries; the runner stamps each response with the frame's time;
4. ``close_query(qid)`` — the runner will no longer score answers to it (models may free state);
5. ``answer_now(q)`` — only for ask-and-answer protocols (StreamingBench RTVU): the model must
   answer at the query time from what it has seen so far.

The interface carries no ground truth: privileged reference models receive the items when built.
"""

from __future__ import annotations

import copy
from abc import ABC, abstractmethod

from ..core.types import Frame, Query, Response, StreamInfo

__all__ = ["Frame", "Query", "Response", "StreamInfo", "StreamingModel", "frame_label"]


def frame_label(time: float, fps: float) -> str:
    """The paper's frame label ``<Xs-Ys>``: the time span one frame covers (``<3s-4s>`` at 1 FPS)."""
    return f"<{round(time, 2):g}s-{round(time + 1 / fps, 2):g}s>"


class StreamingModel(ABC):
    """Base class; subclasses override ``step`` (and usually ``add_query``)."""

    name: str = "model"
    #: models that keep per-frame action traces (for GRPO) keep them only while this is true; a server
    #: turns it off so that a stream running for hours keeps flat memory
    record_trace: bool = True

    def reset(self, info: StreamInfo) -> None:
        self.queries: dict[str, Query] = {}

    def add_query(self, query: Query) -> None:
        self.queries[query.id] = query

    def close_query(self, query_id: str) -> None:
        self.queries.pop(query_id, None)

    def no_more_queries(self) -> None:
        """The runner's promise that no query will be added to this stream any more (the last one is
        posted). A model that keeps a query-free stream only to fork later queries from (StreamPro-Small,
        the HF adapter) may stop feeding it. Default: nothing."""
        return None

    @abstractmethod
    def step(self, frame: Frame) -> list[Response]:
        """Consume one frame; return responses (possibly none)."""

    def spawn(self) -> StreamingModel:
        """A fresh streamer for another concurrent stream (a server session), sharing this one's weights.
        The default shallow copy suits models whose per-stream state is all set by ``reset``."""
        return copy.copy(self)

    @staticmethod
    def step_batch(models: list[StreamingModel], frames: list[Frame]) -> list[list[Response]]:
        """Step several streams (one frame each) together. The default steps them one by one; models
        that can batch across streams (StreamPro-Small) override it."""
        return [m.step(f) for m, f in zip(models, frames, strict=True)]

    def answer_now(self, query: Query) -> str:
        """Forced answer at the query time (ask-and-answer protocols). Default: add the query, and
        return the model's response to it on the last frame if it spoke, else an empty string."""
        raise NotImplementedError(f"{type(self).__name__} does not support forced answers")
