"""Generation and evaluation throughput, and the gain of one streaming pass per video.

    python benchmarks/throughput.py [--items 700]

Prints questions/s for generation, questions/s and frames/s for evaluation (stream + StreamPro-F1), judge
throughput (rule judge; the HTTP LLM judge against a loopback endpoint with its cache cold, then warm),
and the ratio of frames decoded and streamed when each video is streamed once for all its questions vs
once per question (the naive way).
Then the same for probe benchmarks (an OVO-Bench-layout fixture, answered by a tiny random Qwen2.5-VL):
one KV-cached pass per video for all probes vs the benchmark harness's way, a fresh clip per probe.
"""

from __future__ import annotations

import argparse
import json
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from streampro.bench.evaluate import evaluate, group_by_video, item_query, load_predictions
from streampro.bench.judges import LLMJudge, RuleJudge
from streampro.bench.protocol import StreamQuery, run_stream
from streampro.bench.scoring import score_predictions
from streampro.data.generate import generate_split
from streampro.data.schema import load_items
from streampro.llm.chat import OpenAIChat
from streampro.models.registry import build_model


class FrameCounter:
    """Wraps a model's ``step`` to count the frames it is fed."""

    def __init__(self, model):
        self.frames, self._step = 0, model.step
        model.step = self

    def __call__(self, frame):
        self.frames += 1
        return self._step(frame)


class _EchoJudge(BaseHTTPRequestHandler):
    """A loopback OpenAI-compatible endpoint (5 if the response line equals the reference line, else 1):
    it measures our client, concurrency and cache, not a model."""

    def do_POST(self):
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        line = dict(ln.partition(": ")[::2] for ln in body["messages"][0]["content"].splitlines())
        text = f"Score: {5 if line.get('Assistant response') == line.get('Reference answer') else 1}"
        out = json.dumps({"choices": [{"message": {"content": text}}]}).encode()
        self.send_response(200)
        self.send_header("Content-Length", str(len(out)))
        self.end_headers()
        self.wfile.write(out)

    def log_message(self, *a):
        pass


def judges(items, preds, tmp: Path) -> None:
    """Judge calls/s: the rule judge, and the HTTP LLM judge with its cache cold and then warm."""
    t = time.perf_counter()
    rows = score_predictions(items, preds, RuleJudge())
    print(f"scoring (rule judge): {len(rows) / (time.perf_counter() - t):.0f} questions/s")
    srv = ThreadingHTTPServer(("127.0.0.1", 0), _EchoJudge)
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{srv.server_address[1]}/v1"
    for label in ("cold", "warm"):
        j = LLMJudge(OpenAIChat(url, "echo"), cache=tmp / "judge_cache.jsonl", concurrency=8)
        t = time.perf_counter()
        score_predictions(items, preds, j)
        dt = time.perf_counter() - t
        n = j.stats["calls"] + j.stats["cache_hits"]
        print(f"LLM judge over loopback HTTP, cache {label}: {n} judgements in {dt:.2f}s = {n / dt:.0f}/s "
              f"({j.stats['calls']} HTTP calls, {j.stats['cache_hits']} cache hits)")
    srv.shutdown()


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--items", type=int, default=700)
    ap.add_argument("--small", type=str, default=None, help="optional StreamPro-Small checkpoint to time too")
    ap.add_argument("--ovo-videos", type=int, default=6, help="videos in the OVO-layout fixture (0: skip)")
    args = ap.parse_args()
    if args.ovo_videos:
        probes(args.ovo_videos)
    with tempfile.TemporaryDirectory() as tmp:
        t = time.perf_counter()
        generate_split(tmp, "test", args.items, progress=False)
        gen = time.perf_counter() - t
        items = load_items(Path(tmp) / "items.jsonl")
        print(f"generation: {len(items)} questions in {gen:.1f}s = {len(items) / gen:.0f} questions/s")
        models = ["oracle", "random"] + ([f"small:{args.small}"] if args.small else [])
        for spec in models:
            model = build_model(spec, items)
            counter = FrameCounter(model)
            t = time.perf_counter()
            out = Path(tmp) / spec.replace(":", "_").replace("/", "_")
            evaluate(items, model, out, RuleJudge(), progress=False)
            dt = time.perf_counter() - t
            print(f"eval {spec} (stream + rule-judge scoring): {len(items) / dt:.0f} questions/s, "
                  f"{counter.frames / dt:.0f} frames/s ({counter.frames} frames streamed)")
        judges(items, load_predictions(Path(tmp) / "random" / "predictions.jsonl"), Path(tmp))
        # shared pass vs one pass per question
        groups = group_by_video(items)
        shared = naive = 0
        model = build_model("oracle", items)
        t = time.perf_counter()
        for video, its in groups.items():
            qs = [StreamQuery(item_query(i), i.duration) for i in its]
            run_stream(model, video, its[0].fps, its[0].duration, qs)
            shared += round(its[0].duration * its[0].fps)
        t_shared = time.perf_counter() - t
        t = time.perf_counter()
        for video, its in groups.items():
            for i in its:
                run_stream(model, video, i.fps, i.duration, [StreamQuery(item_query(i), i.duration)])
                naive += round(i.duration * i.fps)
        t_naive = time.perf_counter() - t
        print(f"one pass per video: {len(groups)} passes for {len(items)} questions; frames decoded+streamed "
              f"{shared} vs {naive} per-question (x{naive / shared:.2f}); wall {t_shared:.1f}s vs {t_naive:.1f}s "
              f"(x{t_naive / t_shared:.2f})")


def probes(n_videos: int) -> None:
    from streampro.bench.benchmarks.ovo import grade_ovo
    from streampro.bench.timed import evaluate_timed
    from streampro.data.fixtures import make_ovo_fixture
    from streampro.data.formats.ovobench import load_ovo
    from streampro.models.hf import HFStreamingModel, tiny_qwen2_5_vl

    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        qs = load_ovo(make_ovo_fixture(root / "ovo", n_videos=n_videos), root / "ovo" / "src_videos")
        tiny_qwen2_5_vl(root / "qwen")
        model = HFStreamingModel.from_pretrained(str(root / "qwen"), frame_size=112)
        counter = FrameCounter(model)
        t = time.perf_counter()
        evaluate_timed(qs, model, root / "shared", grade_ovo, fps=2.0, progress=False)
        t_shared, shared = time.perf_counter() - t, counter.frames
        counter.frames = 0
        t = time.perf_counter()
        for i, q in enumerate(qs):  # the harness's way: a clip from 0 to the probe time, streamed afresh
            evaluate_timed([q], model, root / f"naive{i}", grade_ovo, fps=2.0, progress=False)
        t_naive, naive = time.perf_counter() - t, counter.frames
        print(f"probes (tiny Qwen2.5-VL, 112px): {len(qs)} probes on {n_videos} videos; frames encoded {shared} "
              f"vs {naive} with a clip per probe (x{naive / shared:.2f}); wall {t_shared:.1f}s vs {t_naive:.1f}s "
              f"(x{t_naive / t_shared:.2f})")


if __name__ == "__main__":
    main()
