"""``reproduce``'s independent stages one by one in this process (torch's own threads) vs side by side in worker
processes with one torch thread each (``train/parallel.py``): the three SFT runs, then the evaluation of the three
models on the test split. Prints the wall time of each way, the ratio, and whether both ways trained the same
weights and gave the same scores. ``streampro reproduce --jobs`` runs only the evaluations in workers: the SFT half
of this script is why (on two cores: slower in workers, and other weights).

    python benchmarks/parallel_stages.py --steps 300

It reads a reproduce folder's seed-0 train and test splits and stage-0 encoder (``--run``, default
runs/reproduce, what README's first command makes); what is missing there it makes first, as reproduce does.

Time it on a quiet machine: two cores shared with another job make torch many times slower.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import torch
from safetensors.torch import load_file

from streampro.data.generate import generate_split
from streampro.data.schema import load_items
from streampro.train.parallel import Job, run_jobs
from streampro.train.perception import PerceptionConfig, pretrain_perception
from streampro.train.reproduce import ReproduceConfig, evaluate_spec, sft_configs
from streampro.train.sft import SFTConfig, train_sft

RUNS = ("sft-ce", "sft-focal", "sft-cb")


def same_weights(a: Path, b: Path) -> bool:
    x, y = load_file(a / "model.safetensors"), load_file(b / "model.safetensors")
    return x.keys() == y.keys() and all(torch.equal(x[k], y[k]) for k in x)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--run", default="runs/reproduce", help="a reproduce folder (its data/ and seed0/perception/)")
    ap.add_argument("--steps", type=int, default=300, help="SFT steps per run")
    ap.add_argument("--jobs", type=int, default=2, help="worker processes")
    args = ap.parse_args()
    run = Path(args.run)
    train, test = run / "data" / "train0" / "items.jsonl", run / "data" / "test" / "items.jsonl"
    base = run / "seed0" / "perception" / "final"
    rc = ReproduceConfig(sft_steps=args.steps)
    for path, split, n in ((train, "train", rc.n_train), (test, "test", rc.n_test), (run / "data" / "val" / "items.jsonl", "val", rc.n_val)):
        if not path.exists():  # reproduce's own splits: train and val for seed 0, the fixed test split
            generate_split(path.parent, split, n, seed=0, cfg=rc.world)
    if not base.exists():
        pretrain_perception(PerceptionConfig(train=str(train), val=str(run / "data" / "val" / "items.jsonl"),
                                             out=str(base.parent), steps=rc.perception_steps, seed=0))
    test_items, metric = load_items(test), rc.metric
    seconds: dict[str, float] = {}
    with tempfile.TemporaryDirectory() as tmp:
        def sfts(way: str) -> dict[str, SFTConfig]:  # reproduce's own three runs for seed 0, in tmp/way
            return sft_configs(rc, 0, f"small:{base}", str(train), Path(tmp, way), frozen=True)

        t = time.perf_counter()
        for cfg in sfts("one").values():
            train_sft(cfg, progress=False)
        seconds["SFT one by one"] = time.perf_counter() - t
        t = time.perf_counter()
        run_jobs([Job(n, train_sft, (cfg, False)) for n, cfg in sfts("jobs").items()], args.jobs, progress=False)
        seconds[f"SFT, {args.jobs} processes"] = time.perf_counter() - t
        weights = all(same_weights(Path(tmp, "one", n, "final"), Path(tmp, "jobs", n, "final")) for n in RUNS)

        specs = {n: f"small:{tmp}/one/{n}/final" for n in RUNS}
        t = time.perf_counter()
        one = {n: evaluate_spec(test_items, s, 0, Path(tmp, "eval-one", n), metric, False) for n, s in specs.items()}
        seconds["eval one by one"] = time.perf_counter() - t
        t = time.perf_counter()
        two = run_jobs([Job(n, evaluate_spec, (test_items, s, 0, Path(tmp, "eval-jobs", n), metric, False))
                        for n, s in specs.items()], args.jobs, progress=False)
        seconds[f"eval, {args.jobs} processes"] = time.perf_counter() - t
        scores = all(one[n]["f1"] == two[n]["f1"] for n in RUNS)

    print(f"torch threads in this process: {torch.get_num_threads()}; {args.steps} SFT steps x 3 runs; "
          f"eval: 3 models x {len(test_items)} questions")
    keys = list(seconds)
    for k in keys:
        print(f"{k:>22}: {seconds[k]:7.1f} s")
    print(f"SFT: {seconds[keys[0]] / seconds[keys[1]]:.2f}x faster in {args.jobs} processes; same weights: {weights}")
    print(f"eval: {seconds[keys[2]] / seconds[keys[3]]:.2f}x faster in {args.jobs} processes; same scores: {scores}")


if __name__ == "__main__":
    main()
