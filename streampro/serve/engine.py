"""The serving engine: many live streams, one model, one stepping thread.

Every session owns a streamer spawned from one loaded model (weights shared, per-stream caches). A
session holds at most **one** frame waiting to be stepped: a newer frame replaces it and the older one
is counted as dropped, so a model slower than its sources falls behind by at most one frame instead of
queueing without bound. The stepping thread takes the waiting frame of every session at once and steps
them together with the model's ``step_batch`` (batched for StreamPro-Small, one by one otherwise), so
more sessions cost less than proportionally. Responses are handed to the session's ``emit`` callback the
moment the frame that produced them has been stepped; silence produces nothing.

The engine knows nothing of sockets: ``streampro serve`` wraps it in a WebSocket app, ``streampro watch``
drives it in-process, and the benchmarks time it directly.
"""

from __future__ import annotations

import itertools
import math
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from ..core.types import Frame, Query, StreamInfo
from ..models.base import StreamingModel

Emit = Callable[[dict], None]


@dataclass
class ServeSettings:
    """Limits and defaults of a server (flags of ``streampro serve``; docs/serving.md says why each)."""

    max_sessions: int = 64
    max_batch: int = 64  # frames stepped together at most
    max_frame_bytes: int = 4_000_000  # an encoded frame (JPEG/PNG) larger than this is refused
    max_frame_pixels: int = 4096 * 4096  # by the image header, checked before any pixel is decoded
    # a decoded frame larger than this on its long side is downscaled before it waits for the model
    # (models resize to a few hundred pixels anyway): what a session holds stays a few MB (0: keep size)
    max_frame_side: int = 1024
    # frames decoded at once over all sessions: bounds decoding memory (a 4096x4096 PNG peaks near 90 MB
    # while it is decoded) whatever the number of sessions; 1 leaves the other core to the stepping thread
    decode_workers: int = 1
    max_frames_per_s: float = 200.0  # per session, token bucket with one second of burst; frames only
    max_questions: int = 32  # open questions per session
    idle_timeout_s: float = 120.0  # a session that sends nothing for this long is closed
    stats_every_s: float = 1.0
    # --allow-source entries: folders, files/devices, URL prefixes the server may open for a client (none:
    # sources are refused). One source at a time per session.
    allow_sources: tuple[str, ...] = ()
    allow_origins: tuple[str, ...] = ()  # browser origins allowed on the WebSocket besides the page's own
    # torch intra-op threads of the stepping thread. 1 by default: measured on 2 cores, a non-main thread
    # running small ops with 2 OpenMP threads was 4x slower than with 1 (benchmarks/serve_throughput.py)
    torch_threads: int = 1


def _quantile(xs, q: float) -> float:
    return float(np.quantile(np.asarray(xs), q)) if xs else math.nan


@dataclass
class SessionStats:
    received: int = 0  # frames offered
    stepped: int = 0
    dropped: int = 0  # replaced by a newer frame before the model got to them
    responses: int = 0
    errors: int = 0
    last_t: float = math.nan  # stream time of the last stepped frame
    latency_s: deque = field(default_factory=lambda: deque(maxlen=2000))  # arrival -> stepped, per frame

    def as_dict(self) -> dict:
        lat = list(self.latency_s)
        return {"received": self.received, "stepped": self.stepped, "dropped": self.dropped,
                "responses": self.responses, "errors": self.errors,
                "t": None if math.isnan(self.last_t) else self.last_t,
                "lag_s": round(lat[-1], 4) if lat else None,
                "latency_p50_s": None if not lat else round(_quantile(lat, 0.5), 4),
                "latency_p99_s": None if not lat else round(_quantile(lat, 0.99), 4)}


class Session:
    """One live stream. Thread-safe: the network side offers frames and questions, the engine's thread
    takes them."""

    def __init__(self, sid: str, model: StreamingModel, emit: Emit, fps: float = 1.0, ack: bool = False):
        self.id, self.model, self._emit, self.ack = sid, model, emit, ack
        self.stats = SessionStats()
        self._lock = threading.Lock()
        self._frame: tuple[np.ndarray, float, float] | None = None  # (pixels, stream t, arrival)
        self._asks: list[Query] = []
        self._closes: list[str] = []
        self._ending = False
        self.closed = False
        self.source_running = False  # the server is reading a source for this session (not idle)
        self.open_questions: set[str] = set()
        self.index = 0  # frames stepped so far: the next frame's index
        self.model.reset(StreamInfo(sid, fps, math.inf))
        self.query_ids = itertools.count()

    def emit(self, event: dict) -> None:
        """Hand an event to the client side; a client already gone (its event loop closed) is ignored,
        so one departed client can never stop the stepping thread."""
        try:
            self._emit(event)
        except RuntimeError:
            if not self.closed:
                raise

    def offer(self, pixels: np.ndarray, t: float) -> None:
        with self._lock:
            self.stats.received += 1
            if self._frame is not None:
                self.stats.dropped += 1
            self._frame = (pixels, t, time.perf_counter())

    def ask(self, question: str, qid: str | None = None, options: tuple[str, ...] = ()) -> str:
        qid = qid or f"q{next(self.query_ids)}"
        with self._lock:
            self._asks.append(Query(qid, question, tuple(options)))
            self.open_questions.add(qid)
        return qid

    def close_query(self, qid: str) -> None:
        with self._lock:
            self._closes.append(qid)
            self.open_questions.discard(qid)

    def end(self) -> None:
        """No more frames: ``done`` is emitted once the waiting frame (if any) has been stepped."""
        with self._lock:
            self._ending = True

    @property
    def waiting(self) -> bool:
        return self._frame is not None

    def take(self) -> tuple[list[Query], list[str], tuple | None]:
        with self._lock:
            asks, closes, frame = self._asks, self._closes, self._frame
            self._asks, self._closes, self._frame = [], [], None
            return asks, closes, frame

    def take_end(self) -> bool:
        with self._lock:
            if self._ending and self._frame is None:
                self._ending = False
                return True
            return False


class Engine:
    """Owns the model and the stepping thread; ``open``/``close`` sessions from any thread."""

    def __init__(self, model: StreamingModel, settings: ServeSettings | None = None):
        self.prototype = model
        self.settings = settings or ServeSettings()
        self.sessions: dict[str, Session] = {}
        self._ids = itertools.count()
        self._wake = threading.Condition()
        self._stop = False
        self.totals = {"frames_stepped": 0, "frames_dropped": 0, "responses": 0, "batches": 0, "sessions_opened": 0,
                       "errors": 0}
        self.step_seconds: deque = deque(maxlen=5000)  # wall time of each batched step
        self._thread = threading.Thread(target=self._run, name="streampro-engine", daemon=True)
        self._thread.start()

    # -- sessions ---------------------------------------------------------------------------
    def open(self, emit: Emit, fps: float = 1.0, ack: bool = False) -> Session:
        with self._wake:
            if len(self.sessions) >= self.settings.max_sessions:
                raise RuntimeError(f"server full: {self.settings.max_sessions} sessions open (--max-sessions)")
            sid = f"s{next(self._ids)}"
            model = self.prototype.spawn()
            model.record_trace = False  # no GRPO here: keep memory flat on long streams
            s = Session(sid, model, emit, fps, ack)
            self.sessions[sid] = s
            self.totals["sessions_opened"] += 1
        return s

    def close(self, session: Session) -> None:
        with self._wake:
            session.closed = True
            if self.sessions.pop(session.id, None) is not None:
                self.totals["frames_dropped"] += session.stats.dropped

    def notify(self) -> None:
        """A session has something new (a frame, or an end request)."""
        with self._wake:
            self._wake.notify()

    def shutdown(self) -> None:
        with self._wake:
            self._stop = True
            self._wake.notify()
        self._thread.join(timeout=10)

    # -- the stepping thread --------------------------------------------------------------------
    def _ready(self) -> list[Session]:
        return [s for s in self.sessions.values() if s.waiting or s._ending]

    def _run(self) -> None:
        import torch

        torch.set_num_threads(self.settings.torch_threads)  # per thread: the caller's setting is untouched
        while True:
            with self._wake:
                self._wake.wait_for(lambda: self._stop or bool(self._ready()), timeout=1.0)
                if self._stop:
                    return
                ready = self._ready()[: self.settings.max_batch]
            self._step(ready)

    def _step(self, ready: list[Session]) -> None:
        batch, frames, arrivals = [], [], []
        for s in ready:
            asks, closes, frame = s.take()
            try:
                for q in asks:
                    s.model.add_query(q)  # posted before the frame that follows, as in the benchmark protocol
                for qid in closes:
                    s.model.close_query(qid)
            except Exception as e:
                s.stats.errors += 1
                s.emit({"type": "error", "message": f"cannot post the question: {type(e).__name__}: {e}"})
            if frame is not None:
                pixels, t, arrived = frame
                batch.append(s)
                frames.append(Frame(s.index, t, pixels))
                arrivals.append(arrived)
        if batch:
            start = time.perf_counter()
            failed = None
            try:
                results = type(batch[0].model).step_batch([s.model for s in batch], frames)
            except Exception as e:  # a model failure must not stop the server: report it to those sessions
                failed, results = f"model step failed: {type(e).__name__}: {e}", [[] for _ in batch]
            done = time.perf_counter()
            self.step_seconds.append(done - start)
            self.totals["batches"] += 1
            for s, f, arrived, responses in zip(batch, frames, arrivals, results, strict=True):
                s.index += 1
                if failed:
                    s.stats.errors += 1
                    self.totals["errors"] += 1
                    s.emit({"type": "error", "message": failed, "t": f.time, "frame": f.index})
                else:
                    s.stats.stepped += 1
                    self.totals["frames_stepped"] += 1
                s.stats.last_t = f.time
                s.stats.latency_s.append(done - arrived)
                for r in responses:
                    s.stats.responses += 1
                    self.totals["responses"] += 1
                    s.emit({"type": "response", "id": r.query_id, "t": f.time, "frame": f.index, "text": r.text})
                if s.ack:
                    s.emit({"type": "ack", "t": f.time, "frame": f.index})
        for s in ready:
            if s.take_end():
                s.emit({"type": "done", "stats": s.stats.as_dict()})

    def metrics(self) -> dict:
        with self._wake:
            live = list(self.sessions.values())
        steps = list(self.step_seconds)
        return {**self.totals, "frames_dropped": self.totals["frames_dropped"] + sum(s.stats.dropped for s in live),
                "sessions": len(live), "step_p50_s": _quantile(steps, 0.5), "step_p99_s": _quantile(steps, 0.99)}
