"""StreamPro-Bench evaluation of StreamPro-Small: videos streamed one by one vs several in lockstep
(``bench.evaluate.stream_items(batch_videos=B)``: one forward per frame tick for all B streams). Same
predictions file either way (checked here; ``tests/test_train.py`` checks it too).

    python benchmarks/eval_lockstep.py --model runs/r3/seed0/sft-cb/final --bench runs/r3/data/test/items.jsonl

Time it on a quiet machine: two cores shared with another job make torch many times slower.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import torch

from streampro.bench.evaluate import stream_items
from streampro.data.schema import load_items
from streampro.models.registry import build_model


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--model", required=True, help="a StreamPro-Small folder")
    ap.add_argument("--bench", required=True, help="items.jsonl")
    ap.add_argument("--batch", type=int, default=8, help="videos in lockstep")
    ap.add_argument("--threads", type=int, default=0, help="torch threads (0: torch's default, as the CLI runs)")
    args = ap.parse_args()
    if args.threads:
        torch.set_num_threads(args.threads)
    items = load_items(args.bench)
    seconds, files = {}, {}
    with tempfile.TemporaryDirectory() as d:
        for way, batch in (("one by one", 1), (f"{args.batch} in lockstep", args.batch)):
            t = time.perf_counter()
            stream_items(items, build_model(f"small:{args.model}", items), Path(d) / str(batch), progress=False,
                         batch_videos=batch)
            seconds[way] = time.perf_counter() - t
            files[way] = (Path(d) / str(batch) / "predictions.jsonl").read_text()
    for way, sec in seconds.items():
        print(f"{way:>15}: {len(items)} questions in {sec:.1f} s = {len(items) / sec:.1f} q/s")
    a, b = seconds.values()
    print(f"lockstep / one by one: {a / b:.2f}x faster; same predictions: {len(set(files.values())) == 1}")


if __name__ == "__main__":
    main()
