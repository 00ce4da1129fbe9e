"""Serving throughput and latency: StreamPro-Small stepped for 1, 8 and 32 live sessions, batched across
sessions (the server's default) vs one session at a time (``max_batch=1``), then a loopback load test.

    python benchmarks/serve_throughput.py                 # engine in-process, then 16 x 600 over sockets
    python benchmarks/serve_throughput.py --frames 200 --no-load --steady-sessions

Part 1 drives the engine in-process: every session offers its next frame as soon as its last one has
been stepped (no drops), and it prints frames/s, the ratio batched / one-at-a-time, and per-frame latency
(frame offered -> stepped) p50/p99. A 100-frame run measures only the cheap start of a stream (the context
is still short), so a second table times the steady state: 400 untimed frames first, then 200 timed ones.
Part 2 runs ``streampro serve``'s app on 127.0.0.1 with the random model: N clients push frames as fast
as they can; it prints frames stepped/dropped, responses produced vs received, and resident memory
after a warm-up round and after the measured round.
Part 3 runs one StreamPro-Small session for 3,000 frames with the default 200-turn window and prints its
cache length and the resident memory along the way.
"""

from __future__ import annotations

import argparse
import threading
import time

import numpy as np
import torch

from streampro.models.small import SmallConfig, SmallStreamer, StreamProSmall
from streampro.models.tokenizer import build_tokenizer, world_vocabulary
from streampro.serve.engine import Engine, ServeSettings


def engine_run(model, sessions: int, frames: int, max_batch: int, threads: int = 1, warm: int = 0) -> dict:
    """Frames/s and latency over ``frames`` frames per session, timed after ``warm`` untimed ones (steady
    state: once the context window is full, every frame attends to a full window)."""
    engine = Engine(model, ServeSettings(max_batch=max_batch, max_sessions=sessions, torch_threads=threads))
    rng = np.random.default_rng(0)
    pix = rng.integers(0, 255, (64, 32, 32, 3), dtype=np.uint8)
    acked = threading.Semaphore(0)
    ss = [engine.open(lambda ev: ev["type"] == "ack" and acked.release(), ack=True) for _ in range(sessions)]
    for s in ss:
        s.ask("tell me each time the red square changes colour")
    for k in range(warm + frames):  # each session sends its next frame once the last one was stepped: no drops
        if k == warm:
            start = time.perf_counter()
            for s in ss:
                s.stats.latency_s.clear()
        for s in ss:
            s.offer(pix[k % 64], float(k))
        engine.notify()
        for _ in ss:
            acked.acquire()
    wall = time.perf_counter() - start
    lat = np.concatenate([np.asarray(s.stats.latency_s) for s in ss])
    engine.shutdown()
    return {"fps": sessions * frames / wall, "p50_ms": 1000 * np.quantile(lat, 0.5), "p99_ms": 1000 * np.quantile(lat, 0.99)}


def load_test(sessions: int, frames: int) -> None:
    import socket

    import psutil
    import uvicorn

    from streampro.models.registry import build_model
    from streampro.serve.app import create_app
    from streampro.serve.client import StreamClient, encode_frame

    engine = Engine(build_model("random", seed=0, rate=0.2), ServeSettings(max_frames_per_s=1e6))
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(create_app(engine, "random"), host="127.0.0.1", port=port,
                                           log_level="warning"))
    threading.Thread(target=server.run, daemon=True).start()
    while not server.started:
        time.sleep(0.02)
    frame = encode_frame(np.random.default_rng(0).integers(0, 255, (64, 64, 3), dtype=np.uint8), 0.0)[8:]  # JPEG
    proc = psutil.Process()
    for rnd, n in enumerate((100, frames)):
        results = {}

        def client(i, n=n, results=results):
            with StreamClient(f"http://127.0.0.1:{port}", timeout=120) as c:
                c.ask("tell me each time the red square changes colour")
                got = 0
                for k in range(n):
                    c.send_frame(frame, float(k))
                    got += sum(e["type"] == "response" for e in c.poll())
                events = list(c.finish())
                results[i] = (got + sum(e["type"] == "response" for e in events), events[-1]["stats"])

        threads = [threading.Thread(target=client, args=(i,)) for i in range(sessions)]
        start = time.perf_counter()
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        wall = time.perf_counter() - start
        stats = [s for _, s in results.values()]
        produced, received = sum(s["responses"] for s in stats), sum(g for g, _ in results.values())
        print(f"{'warm-up' if rnd == 0 else 'measured'}: {sessions} sessions x {n} frames in {wall:.1f} s; "
              f"stepped {sum(s['stepped'] for s in stats)}, dropped {sum(s['dropped'] for s in stats)}; "
              f"responses produced {produced}, received {received}; "
              f"p99 latency {max(s['latency_p99_s'] for s in stats) * 1000:.1f} ms; "
              f"RSS {proc.memory_info().rss / 2**20:.1f} MiB")
    server.should_exit = True
    engine.shutdown()


def long_stream(model, frames: int) -> None:
    """One session for ``frames`` frames with a question open (the model speaking about 1 frame in 10):
    the context stays within the window, so the cache and resident memory stay flat."""
    import psutil

    engine = Engine(model)
    s = engine.open(lambda ev: None)
    s.ask("tell me each time the red square changes colour")
    pix = np.random.default_rng(1).integers(0, 255, (64, 32, 32, 3), dtype=np.uint8)
    for k in range(frames):
        while s.waiting:
            time.sleep(0.0002)
        s.offer(pix[k % 64], float(k))
        engine.notify()
        if (k + 1) % (frames // 6) == 0:
            while s.stats.stepped < k + 1:
                time.sleep(0.0005)
            q = next(iter(s.model.streams.values()))
            print(f"frame {k + 1}: responses {s.stats.responses}, query cache {q.length} tokens, "
                  f"RSS {psutil.Process().memory_info().rss / 2**20:.1f} MiB")
    engine.shutdown()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--frames", type=int, default=100, help="frames per session in part 1")
    ap.add_argument("--sessions", type=int, nargs="+", default=[1, 8, 32])
    ap.add_argument("--steady-sessions", type=int, nargs="*", default=[1, 8],
                    help="sessions for the steady-state table (after the window is full); none: skip")
    ap.add_argument("--load-sessions", type=int, default=16)
    ap.add_argument("--load-frames", type=int, default=600)
    ap.add_argument("--no-load", action="store_true", help="skip part 2")
    ap.add_argument("--long-frames", type=int, default=3000, help="part 3: one session this long (0: skip)")
    ap.add_argument("--torch-threads", type=int, default=1, help="intra-op threads of the engine's thread")
    args = ap.parse_args()
    tok = build_tokenizer(world_vocabulary())
    torch.manual_seed(0)
    net = StreamProSmall(SmallConfig(vocab_size=tok.get_vocab_size()), tok).eval()
    model = SmallStreamer(net, respond_threshold=0.9, window_frames=200)
    print(f"StreamPro-Small ({sum(p.numel() for p in net.parameters()) / 1e6:.2f} M params), {args.frames} frames per "
          f"session, one open question each, {args.torch_threads} torch thread(s) in the engine")
    print("| sessions | one at a time (frames/s) | batched (frames/s) | ratio | latency p50 / p99 (ms), batched |")
    print("|---|---|---|---|---|")
    for n in args.sessions:
        one = engine_run(model, n, args.frames, max_batch=1, threads=args.torch_threads)
        many = engine_run(model, n, args.frames, max_batch=64, threads=args.torch_threads)
        print(f"| {n} | {one['fps']:.0f} | {many['fps']:.0f} | {many['fps'] / one['fps']:.2f}x | "
              f"{many['p50_ms']:.1f} / {many['p99_ms']:.1f} |")
    w = 200  # the model's window: StreamPro-Small rebuilds its cache at 2W turns, so the context cycles W..2W
    for n in args.steady_sessions:
        if n == args.steady_sessions[0]:
            print(f"\nsteady state: {2 * w} untimed frames per session (window full, cache rebuilt once), then {w} "
                  "timed (one full W..2W cycle)")
            print("| sessions | one at a time (frames/s) | batched (frames/s) | ratio | latency p50 / p99 (ms), batched |")
            print("|---|---|---|---|---|")
        one = engine_run(model, n, w, max_batch=1, threads=args.torch_threads, warm=2 * w)
        many = engine_run(model, n, w, max_batch=64, threads=args.torch_threads, warm=2 * w)
        print(f"| {n} | {one['fps']:.0f} | {many['fps']:.0f} | {many['fps'] / one['fps']:.2f}x | "
              f"{many['p50_ms']:.1f} / {many['p99_ms']:.1f} |")
    if not args.no_load:
        load_test(args.load_sessions, args.load_frames)
    if args.long_frames:
        long_stream(SmallStreamer(net, respond_threshold=0.5, window_frames=200), args.long_frames)


if __name__ == "__main__":
    main()
