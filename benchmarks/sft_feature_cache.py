"""SFT speed of StreamPro-Small with the frozen frame encoder's feature cache vs the encoder run in every step.

    python benchmarks/sft_feature_cache.py [--items 1400] [--steps 150] [--batch-size 16]

Trains the same SFT-CB run twice on a generated train split, from the same perception-pretrained start:
once end to end (pixels through the CNN encoder in every step, the naive way) and once with the encoder
frozen and its features computed once (``freeze_encoder``, what ``streampro reproduce`` does). Prints
optimizer steps/s of each, the time spent building the cache, and the ratio. Warm-up steps are excluded
(``steps_per_s`` is measured over the whole loop, so use enough steps to amortise the first ones).
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from pathlib import Path

from streampro.data.generate import generate_split
from streampro.train.perception import PerceptionConfig, pretrain_perception
from streampro.train.sft import SFTConfig, prepare_corpus, train_sft


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--items", type=int, default=1400)
    ap.add_argument("--steps", type=int, default=150)
    ap.add_argument("--batch-size", type=int, default=16)
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        generate_split(root / "train", "train", args.items, seed=args.seed, progress=False)
        train = str(root / "train" / "items.jsonl")
        # a few perception steps: the start point only has to be the same for both runs
        base = f"small:{pretrain_perception(PerceptionConfig(train=train, out=str(root / 'perc'), steps=5), False)}"
        rates = {}
        for name, frozen in (("end to end (encoder every step)", False), ("frozen encoder + feature cache", True)):
            cfg = SFTConfig(base=base, train=train, out=str(root / name[:3]), loss="cb", steps=args.steps,
                            batch_size=args.batch_size, seed=args.seed, freeze_encoder=frozen, save_every=10**9)
            t0 = time.perf_counter()
            prepare_corpus(cfg)
            prep = time.perf_counter() - t0
            train_sft(cfg, progress=True)
            rates[name] = json.loads((Path(cfg.out) / "run.json").read_text())["steps_per_s"]
            print(f"{name}: {rates[name]:.2f} steps/s (corpus + {'cache' if frozen else 'frames'}: {prep:.1f} s)")
        a, b = rates.values()
        print(f"feature cache speed-up: x{b / a:.2f} ({args.steps} steps, batch {args.batch_size}, {args.items} items)")


if __name__ == "__main__":
    main()
