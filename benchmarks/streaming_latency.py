"""Per-frame latency of streaming inference with the KV cache vs re-encoding the whole history each frame,
for StreamPro-Small and the Hugging Face adapter (tiny random Qwen2.5-VL on CPU; a real checkpoint on a GPU
with --hf PATH), the adapter's cache size with and without a sliding window, and PyAV decode throughput.

    python benchmarks/streaming_latency.py [--frames 500] [--hf /path/to/Qwen2.5-VL]
"""

from __future__ import annotations

import argparse
import tempfile
import time

import numpy as np
import torch

from streampro.data.video import Frame, decode_video, write_video
from streampro.models.base import Query, StreamInfo
from streampro.models.hf import HFStreamConfig, HFStreamingModel, tiny_qwen2_5_vl
from streampro.models.small import SmallConfig, SmallStreamer, StreamProSmall
from streampro.models.tokenizer import build_tokenizer, world_vocabulary


def small_model() -> StreamProSmall:
    tok = build_tokenizer(world_vocabulary())
    torch.manual_seed(0)
    return StreamProSmall(SmallConfig(vocab_size=tok.get_vocab_size()), tok).eval()


def time_steps(model, frames, at: list[int]) -> dict[int, float]:
    """Stream ``frames`` and return the mean step latency (ms) over a few frames around each index in ``at``."""
    model.reset(StreamInfo("bench", 2, len(frames) / 2))
    model.add_query(Query("q", "Which object will the red circle hit first?", ("red square", "blue square"), 0))
    out: dict[int, list[float]] = {k: [] for k in at}
    for k, f in enumerate(frames):
        t = time.perf_counter()
        model.step(Frame(k, k / 2, f))
        dt = (time.perf_counter() - t) * 1000
        for a in at:
            if a <= k < a + 5:
                out[a].append(dt)
    return {a: float(np.mean(v)) for a, v in out.items()}


@torch.no_grad()
def small_recompute_ms(model: StreamProSmall, frames: np.ndarray, k: int, reps: int = 3) -> float:
    """The naive way: re-run the whole history (k frames and their decisions) through the network."""
    cfg = model.cfg
    per = [cfg.frame_id] * cfg.tokens_per_frame + [cfg.silence_id]
    tokens = torch.tensor([[cfg.bos_id] + per * (k + 1)])
    pix = torch.from_numpy(frames[: k + 1, : cfg.image_size, : cfg.image_size])
    ts = []
    for _ in range(reps):
        t = time.perf_counter()
        model(tokens, tokens == cfg.frame_id, pix)
        ts.append((time.perf_counter() - t) * 1000)
    return float(np.median(ts))


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--frames", type=int, default=500)
    ap.add_argument("--hf", type=str, default=None, help="local Qwen2.5-VL folder (default: a tiny random one)")
    ap.add_argument("--hf-frames", type=int, default=120)
    ap.add_argument("--frame-size", type=int, default=56)
    args = ap.parse_args()
    rng = np.random.default_rng(0)
    n = args.frames
    small = small_model()
    frames = rng.integers(0, 255, (n, 32, 32, 3), dtype=np.uint8)
    lat = time_steps(SmallStreamer(small, respond_threshold=2.0), frames, [10, n - 6])  # decide, never answer
    naive = {k: small_recompute_ms(small, frames, k) for k in (10, n - 6)}
    print(f"StreamPro-Small per-frame latency, KV cache: frame 10 {lat[10]:.2f} ms, frame {n - 6} {lat[n - 6]:.2f} ms "
          f"(x{lat[n - 6] / lat[10]:.2f}); re-encoding the history: {naive[10]:.2f} ms vs {naive[n - 6]:.2f} ms; "
          f"cache speed-up at frame {n - 6}: x{naive[n - 6] / lat[n - 6]:.1f}")

    if args.hf:
        hf = HFStreamingModel.from_pretrained(args.hf, frame_size=args.frame_size)
    else:
        model, tok = tiny_qwen2_5_vl()
        from streampro.models.hf import add_stream_tokens

        add_stream_tokens(model, tok)
        hf = HFStreamingModel(model, tok, HFStreamConfig(frame_size=args.frame_size, respond_threshold=2.0))
    m = args.hf_frames
    hf_frames = rng.integers(0, 255, (m, args.frame_size, args.frame_size, 3), dtype=np.uint8)
    for window in (None, 16):
        hf.cfg.window_frames = window
        lat = time_steps(hf, hf_frames, [5, m - 6])
        cache = hf.streams["q"].cache
        mib = sum(layer.keys.nbytes + layer.values.nbytes for layer in cache.layers) / 2**20
        print(f"HF adapter (window={window}): per-frame {lat[5]:.1f} ms at frame 5, {lat[m - 6]:.1f} ms at frame {m - 6}; "
              f"query cache {hf.streams['q'].length} tokens = {mib:.2f} MiB after {m} frames")
    with tempfile.TemporaryDirectory() as tmp:
        video = rng.integers(0, 255, (240, 224, 224, 3), dtype=np.uint8)
        write_video(f"{tmp}/v.mp4", video, fps=2)
        t = time.perf_counter()
        dec, _ = decode_video(f"{tmp}/v.mp4")
        dt = time.perf_counter() - t
        print(f"PyAV decode: {len(dec) / dt:.0f} frames/s at 224x224 (vs the HF adapter's "
              f"{1000 / lat[m - 6]:.0f} frames/s above)")


if __name__ == "__main__":
    main()
