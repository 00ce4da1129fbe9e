"""`streampro serve` over real loopback sockets: protocol round trips (a reference model and
StreamPro-Small give exactly their offline responses), tokens, malformed input isolated to its session,
limits, server-read sources, `streampro watch`, and a 16-session load test."""

from __future__ import annotations

import io
import json
import socket
import struct
import threading
import time

import httpx
import numpy as np
import pytest
import torch

pytest.importorskip("fastapi")
pytest.importorskip("websockets")

from streampro.core.types import Frame, Query, StreamInfo  # noqa: E402
from streampro.data.video import decode_video  # noqa: E402
from streampro.models.registry import build_model  # noqa: E402
from streampro.models.small import SmallConfig, SmallStreamer, StreamProSmall  # noqa: E402
from streampro.models.tokenizer import build_tokenizer, world_vocabulary  # noqa: E402
from streampro.serve.app import create_app  # noqa: E402
from streampro.serve.client import StreamClient  # noqa: E402
from streampro.serve.engine import Engine, ServeSettings  # noqa: E402

QUESTION = "Tell me each time the red square changes colour"


def png(pixels: np.ndarray) -> bytes:
    from PIL import Image

    buf = io.BytesIO()
    Image.fromarray(pixels).save(buf, format="PNG")
    return buf.getvalue()


class Uvicorn:
    """An ASGI app under uvicorn in a thread on a free loopback port; stopped on exit."""

    def __init__(self, app):
        import uvicorn

        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = s.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self.server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=self.port, log_level="warning"))
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def __enter__(self):
        self.thread.start()
        deadline = time.monotonic() + 20
        while not self.server.started:
            assert time.monotonic() < deadline, "server did not start"
            time.sleep(0.02)
        return self

    def __exit__(self, *exc):
        self.server.should_exit = True
        self.thread.join(timeout=10)


class Server(Uvicorn):
    """`streampro serve`'s app over ``model`` (and its engine, shut down on exit)."""

    def __init__(self, model, token=None, **settings):
        self.engine = Engine(model, ServeSettings(**settings))
        super().__init__(create_app(self.engine, getattr(model, "name", "model"), token))

    def __exit__(self, *exc):
        super().__exit__(*exc)
        self.engine.shutdown()


def small_model(seed=0):
    tok = build_tokenizer(world_vocabulary())
    torch.manual_seed(seed)
    return StreamProSmall(SmallConfig(vocab_size=tok.get_vocab_size(), d_model=32, n_layers=1, n_heads=2), tok).eval()


def offline(model, frames, question=QUESTION):
    """What the model says when run directly on the same frames (the benchmark runner's protocol)."""
    model.reset(StreamInfo("v", 1.0, len(frames)))
    model.add_query(Query("q0", question))
    out = []
    for k, f in enumerate(frames):
        out += [(float(k), r.text) for r in model.step(Frame(k, float(k), f))]
    return out


def served(client, frames):
    client.ask(QUESTION)
    for k, f in enumerate(frames):
        client.send_frame(png(f), float(k), wait=True)
    events = list(client.finish())
    assert events[-1]["type"] == "done"
    return [(e["t"], e["text"]) for e in events if e["type"] == "response"], events[-1]["stats"]


@pytest.fixture(scope="module")
def clip(small_items):
    return decode_video(small_items[0].video)[0]


def test_round_trip_reference_and_small_models_match_offline(clip):
    random = build_model("random", seed=3, rate=0.3)
    want = offline(build_model("random", seed=3, rate=0.3), clip)
    assert want  # the random model speaks on a live question (object names when no task is known)
    with Server(random) as srv, StreamClient(srv.url, ack=True) as c:
        got, stats = served(c, clip)
        assert got == want and stats["stepped"] == len(clip) and stats["dropped"] == 0
        assert stats["responses"] == len(want)
        assert httpx.get(f"{srv.url}/health").json()["status"] == "ok"
    small = small_model()
    want = offline(SmallStreamer(small, respond_threshold=0.5), clip)
    assert want, "choose a seed whose untrained model speaks at least once"
    with Server(SmallStreamer(small, respond_threshold=0.5, window_frames=200)) as srv:
        # two sessions at once: their frames are stepped together (batched) and must not mix
        with StreamClient(srv.url, ack=True) as a, StreamClient(srv.url, ack=True) as b:
            a.ask(QUESTION)
            b.ask(QUESTION)
            for k, f in enumerate(clip):
                a.send_frame(png(f), float(k))
                b.send_frame(png(f[::-1].copy()), float(k))
                a.wait_ack(float(k))
                b.wait_ack(float(k))
            got_a = [(e["t"], e["text"]) for e in a.finish() if e["type"] == "response"]
            got_b = [(e["t"], e["text"]) for e in b.finish() if e["type"] == "response"]
        assert got_a == want
        assert got_b == offline(SmallStreamer(small, respond_threshold=0.5), [f[::-1].copy() for f in clip])
        metrics = httpx.get(f"{srv.url}/metrics").text
        assert f"streampro_frames_stepped_total {2 * len(clip)}" in metrics


def test_small_step_batch_equals_stepping_one_by_one_and_the_window_bounds_memory():
    model = small_model(seed=1)
    rng = np.random.default_rng(0)
    videos = rng.integers(0, 255, (5, 40, 32, 32, 3), dtype=np.uint8)

    def run(batched, window):
        ss = [SmallStreamer(model, respond_threshold=0.45, window_frames=window) for _ in videos]
        said = [[] for _ in ss]
        for i, s in enumerate(ss):
            s.reset(StreamInfo(f"v{i}", 1, 40))
        for k in range(40):
            for i, s in enumerate(ss):  # queries arrive at different times, some sessions have two
                if k == 3 + i:
                    s.add_query(Query(f"q{i}", QUESTION))
                if k == 10 + 2 * i and i % 2:
                    s.add_query(Query(f"p{i}", "tell me when the blue circle stops"))
            frames = [Frame(k, float(k), videos[i, k]) for i in range(len(ss))]
            out = SmallStreamer.step_batch(ss, frames) if batched else [s.step(f) for s, f in zip(ss, frames, strict=True)]
            for i, rs in enumerate(out):
                said[i] += [(k, r.query_id, r.text) for r in rs]
        return said, [s.trace for s in ss], ss

    for window in (None, 5):
        one, trace_one, _ = run(False, window)
        many, trace_many, ss = run(True, window)
        assert one == many and trace_one == trace_many and sum(map(len, one)) > 10
    # window 5: the caches hold between 5 and 10 frame turns (+ the pinned prompt and query), not 40
    assert all(5 <= sum(not pinned for _, pinned in s.base.turns) <= 10 for s in ss)
    assert all(s.base.length <= 1 + 10 * 4 for s in ss)


def test_tokens_malformed_messages_and_limits_stay_in_their_session(clip):
    with Server(build_model("random", seed=0, rate=0.5), token="s3cret", max_sessions=2,
                max_frames_per_s=40) as srv:
        with pytest.raises(ConnectionError, match="unauthorized"):
            StreamClient(srv.url, token="wrong")
        assert httpx.get(f"{srv.url}/metrics").status_code == 401
        assert httpx.get(f"{srv.url}/metrics", headers={"Authorization": "Bearer s3cret"}).status_code == 200
        with StreamClient(srv.url, ack=True, token="s3cret") as bad, StreamClient(srv.url, ack=True, token="s3cret") as good:
            with pytest.raises(ConnectionError, match="server full"):
                StreamClient(srv.url, token="s3cret")
            good.ask(QUESTION)
            bad.ask(QUESTION)
            for msg in ["{not json", json.dumps({"type": "fly"}), json.dumps({"type": "ask"}), json.dumps([1, 2])]:
                bad.ws.send(msg)
            bad.ws.send(b"\x00" * 4)  # too short
            bad.ws.send(struct.pack("<d", 0.0) + b"not an image at all")
            bad.ws.send(struct.pack("<d", float("nan")) + png(clip[0]))
            for k, f in enumerate(clip[:10]):
                good.send_frame(png(f), float(k), wait=True)
            errors, deadline = [], time.monotonic() + 10
            while len(errors) < 7 and time.monotonic() < deadline:  # frame decoding runs off the event loop
                errors += [e["message"] for e in bad.poll() if e["type"] == "error"]
                time.sleep(0.05)
            assert len(errors) == 7, errors
            assert any("not JSON" in m for m in errors) and any("unknown message type 'fly'" in m for m in errors)
            assert any("cannot decode the frame image" in m for m in errors)
            assert any("finite number" in m for m in errors)
            # the faulty session goes on working
            bad.send_frame(png(clip[0]), 0.0, wait=True)
            assert [e for e in bad.poll() if e["type"] == "ack"]
            good_events = list(good.finish())
            assert good_events[-1]["stats"]["stepped"] == 10 and not [e for e in good_events if e["type"] == "error"]
            # rate limit: a burst beyond 40 frames/s is refused with an error naming the frame, the session
            # stays open; control messages are never limited
            for k in range(80):
                bad.ws.send(struct.pack("<d", 100.0 + k) + png(clip[0]))
            for _ in range(80):
                bad.ws.send(json.dumps({"type": "close_query", "id": "none"}))
            events, deadline = [], time.monotonic() + 20
            while sum(e["type"] == "closed" for e in events) < 80 and time.monotonic() < deadline:
                events += bad.poll()
                time.sleep(0.05)
            limited = [e for e in events if e.get("code") == "rate_limited"]
            assert limited and all(e["t"] >= 100 and e["retry_after_s"] > 0 for e in limited)
            assert sum(e["type"] == "closed" for e in events) == 80
    with Server(build_model("random"), idle_timeout_s=0.5) as srv, StreamClient(srv.url) as c:
        events = list(c.events())
        assert any("idle" in e.get("message", "") for e in events)


def test_server_reads_a_source_and_watch_prints_responses(small_items, clip, tmp_path):
    from pathlib import Path

    from typer.testing import CliRunner

    from streampro.cli import app

    video = Path(small_items[0].video)
    want = offline(build_model("random", seed=0, rate=0.3), clip)
    with Server(build_model("random", seed=0, rate=0.3), allow_sources=(str(video.parent),)) as srv:
        with StreamClient(srv.url) as c:
            c.ask(QUESTION)
            c.send_json({"type": "source", "path": str(video), "fps": 1.0, "realtime": False})
            events = list(c.events(until="done"))
        assert [(e["t"], e["text"]) for e in events if e["type"] == "response"] == want
        with StreamClient(srv.url) as c:
            c.send_json({"type": "source", "path": str(video.parent / "missing.mp4")})
            assert any("video file not found" in e.get("message", "") for e in c.events(until="done"))
        run = CliRunner().invoke
        r = run(app, ["watch", str(video), "--ask", QUESTION, "--server", srv.url, "--json"])
        assert r.exit_code == 0, r.output
        lines = [json.loads(x) for x in r.stdout.splitlines() if x.startswith("{")]
        assert [(e["t"], e["text"]) for e in lines if e["type"] == "response"] == want
        # no scheme is fine, and a served response is labelled with its question, as in-process
        r = run(app, ["watch", str(video), "--ask", QUESTION, "--server", srv.url.removeprefix("http://")])
        assert r.exit_code == 0, r.output
        assert r.stdout.count(f"{QUESTION} ->") == len(want) and "q0 ->" not in r.stdout
        r = run(app, ["watch", str(video), "--ask", QUESTION, "--server", "ftp://127.0.0.1:1"])
        assert r.exit_code == 2 and "--server 'ftp://127.0.0.1:1'" in r.output and len(r.output.splitlines()) == 1
    r = run(app, ["watch", str(video), "--ask", QUESTION, "--model", "random", "--model-args", "rate=0.3", "--json"])
    assert r.exit_code == 0, r.output
    lines = [json.loads(x) for x in r.stdout.splitlines() if x.startswith("{")]
    assert [(e["t"], e["text"]) for e in lines if e["type"] == "response"] == want
    r = run(app, ["watch", str(video), "--ask", QUESTION, "--model", "oracle"])
    assert r.exit_code == 2 and "cannot run on a live stream" in r.output
    r = run(app, ["serve", "--host", "0.0.0.0", "--no-token"])
    assert r.exit_code == 2 and "loopback only" in r.output


def test_load_16_sessions_600_frames_lose_no_response_and_memory_stays_flat():
    """16 clients push 600 frames each as fast as they can (no acks: the server drops what it cannot
    step). Every response the model produced reaches its client, and the process's resident memory
    after warm-up does not grow."""
    import psutil

    proc = psutil.Process()
    frame = png(np.random.default_rng(0).integers(0, 255, (32, 32, 3), dtype=np.uint8))
    results, rss = {}, []

    def client(i, n):
        with StreamClient(srv.url, timeout=60) as c:
            c.ask(QUESTION)
            got = 0
            for k in range(n):
                c.send_frame(frame, float(k))
                got += sum(e["type"] == "response" for e in c.poll())
            events = list(c.finish())
            got += sum(e["type"] == "response" for e in events)
            results[i] = (got, events[-1]["stats"])

    with Server(build_model("random", seed=0, rate=0.2), max_frames_per_s=1e6) as srv:
        for rnd, n in enumerate((100, 600)):  # a warm-up round, then the measured one
            threads = [threading.Thread(target=client, args=(i, n)) for i in range(16)]
            start = time.monotonic()
            for t in threads:
                t.start()
            for t in threads:
                t.join(timeout=120)
            assert time.monotonic() - start < 120 and len(results) == 16
            rss.append(proc.memory_info().rss)
            for got, stats in results.values():
                assert got == stats["responses"]  # nothing the model said was lost
                assert stats["stepped"] + stats["dropped"] == stats["received"] == n
            if rnd == 1:
                stepped = sum(s["stepped"] for _, s in results.values())
                assert stepped >= 16 * 600 // 10 and sum(g for g, _ in results.values()) > 0
            results.clear()
    assert rss[1] - rss[0] < 40 * 2**20, f"resident memory grew by {(rss[1] - rss[0]) / 2**20:.1f} MiB"


def test_a_failing_model_step_is_reported_and_the_stream_goes_on():
    from streampro.core.types import Response
    from streampro.models.base import StreamingModel
    from streampro.serve.watch import watch_local

    class Flaky(StreamingModel):
        def step(self, frame):
            if frame.index == 2:
                raise RuntimeError("out of memory (simulated)")
            return [Response(q, f"frame {frame.index}") for q in self.queries]

    engine = Engine(Flaky())
    events = []
    frames = (Frame(k, float(k), np.zeros((8, 8, 3), np.uint8)) for k in range(5))
    try:
        stats = watch_local(engine, frames, [QUESTION], events.append)
    finally:
        engine.shutdown()
    said = [e["text"] for e in events if e["type"] == "response"]
    assert said == ["frame 0", "frame 1", "frame 3", "frame 4"]
    assert [e["frame"] for e in events if e["type"] == "error"] == [2] and "simulated" in events[2]["message"]
    assert stats["stepped"] == 4 and stats["errors"] == 1
