"""Generation and evaluation throughput, and the gain of one streaming pass per video.

    python benchmarks/throughput.py [--items 900]

Prints items/s for generation, items/s and frames/s for evaluation, and the ratio of frames decoded and
streamed when each video is streamed once for all its questions vs once per question (the naive way).
Then the same for probe benchmarks (an OVO-Bench-layout fixture, answered by a tiny random Qwen2.5-VL):
one KV-cached pass per video for all probes vs the benchmark harness's way, a fresh clip per probe.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from streampro.bench.evaluate import evaluate, group_by_video
from streampro.bench.protocol import StreamQuery, run_stream
from streampro.bench.schema import load_items
from streampro.models.base import Query
from streampro.models.registry import build_model
from streampro.world.generate import generate_split


class FrameCounter:
    """Wraps a model's ``step`` to count the frames it is fed."""

    def __init__(self, model):
        self.frames, self._step = 0, model.step
        model.step = self

    def __call__(self, frame):
        self.frames += 1
        return self._step(frame)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--items", type=int, default=900)
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
        print(f"generation: {len(items)} items in {gen:.1f}s = {len(items) / gen:.0f} items/s")
        models = ["oracle", "random"] + ([f"small:{args.small}"] if args.small else [])
        for spec in models:
            model = build_model(spec, items)
            counter = FrameCounter(model)
            t = time.perf_counter()
            evaluate(items, model, Path(tmp) / spec.replace(":", "_").replace("/", "_"), progress=False)
            dt = time.perf_counter() - t
            print(f"eval {spec}: {len(items) / dt:.0f} items/s, {counter.frames / dt:.0f} frames/s "
                  f"({counter.frames} frames streamed)")
        # shared pass vs one pass per question
        groups = group_by_video(items)
        shared = naive = 0
        model = build_model("oracle", items)
        t = time.perf_counter()
        for video, its in groups.items():
            qs = [StreamQuery(Query(i.id, i.question, tuple(i.options), i.query_time), i.close_time) for i in its]
            run_stream(model, video, its[0].fps, its[0].duration, qs)
            shared += max(round(q.close_time * its[0].fps) + 1 for q in qs)
        t_shared = time.perf_counter() - t
        t = time.perf_counter()
        for video, its in groups.items():
            for i in its:
                run_stream(model, video, i.fps, i.duration,
                           [StreamQuery(Query(i.id, i.question, tuple(i.options), i.query_time), i.close_time)])
                naive += round(i.close_time * i.fps) + 1
        t_naive = time.perf_counter() - t
        print(f"one pass per video: {len(groups)} passes for {len(items)} questions; frames decoded+streamed "
              f"{shared} vs {naive} per-question (x{naive / shared:.2f}); wall {t_shared:.1f}s vs {t_naive:.1f}s "
              f"(x{t_naive / t_shared:.2f})")


def probes(n_videos: int) -> None:
    from streampro.bench.ovobench import grade_ovo, load_ovo, make_ovo_fixture
    from streampro.bench.timed import evaluate_timed
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
