"""Stream-level data types: what a runner hands a model (frames, queries) and what it gets back."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np


@dataclass
class Frame:
    """One decoded frame: ``index`` counts frames *emitted* at the sampling fps, ``time`` in seconds."""

    index: int
    time: float
    pixels: np.ndarray  # uint8, H x W x 3, RGB


@dataclass(frozen=True)
class Query:
    """A question posted to a stream at ``time`` (before the frame at that time is shown).

    ``options`` only for multiple-choice probes of external benchmarks; StreamPro-Bench questions are
    open. ``prompt`` is a benchmark's full text prompt, for models that read free text (HF adapter)."""

    id: str
    question: str
    options: tuple[str, ...] = ()
    time: float = 0.0
    task: str = ""
    prompt: str | None = None


@dataclass
class Response:
    query_id: str
    text: str
    time: float = -1.0  # set by the runner to the time of the frame just seen
    cut: bool = False  # the answer hit the model's length cap before its end token (text may be incomplete)


@dataclass
class StreamInfo:
    video: str
    fps: float
    duration: float
    extra: dict = field(default_factory=dict)

@dataclass
class TimedQuestion:
    """One probe of an ask-and-answer benchmark (StreamingBench RTVU, OVO-Bench): at ``time`` the model has
    seen the stream up to then and must answer ``prompt`` now; ``answer`` is what the grader compares."""

    qid: str
    video: str  # resolved path of the video file
    time: float  # seconds; the model answers having seen every frame at or before it
    task: str
    question: str
    prompt: str  # the benchmark's full text prompt
    answer: str  # ground truth, as the grader compares it
    options: tuple[str, ...] = ()
    extra: dict[str, Any] = field(default_factory=dict)  # copied into the prediction record
