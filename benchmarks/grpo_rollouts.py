"""GRPO rollouts per second: a group's G samples stepped one stream at a time (the old way), together as one
batch per group (``train.grpo.sample_group``), and every group of a GRPO step together
(``train.grpo.sample_groups`` -> ``bench.protocol.run_jobs`` -> ``SmallStreamer.step_batch``, what
``train grpo`` does), on StreamPro-Small and world items. All ways give the same rollouts for the same seeds
(checked here too). Then the loss side of a step on those rollouts: before, three teacher-forced passes over
pixel trajectories (reference, old policy, policy) and a backward; now, with the frozen encoder's features
laid out instead of pixels and the old-policy pass skipped (one inner epoch), two passes and a backward.

    python benchmarks/grpo_rollouts.py [--model runs/r3/s0/sft_cb/final] [--items 8] [--group-size 8]

Without --model a fresh StreamPro-Small of the default size is used (speed does not depend on training,
except through how often it speaks: a trained model speaks less, so pass one for the realistic figure).
Time it on a quiet machine: two cores shared with another job make torch many times slower.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import torch

from streampro.data.generate import generate_split
from streampro.train.grpo import sample_group, sample_groups, sample_stream, token_logprobs
from streampro.train.policy import build_policy
from streampro.train.trajectory import collate, load_frames


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--model", help="a StreamPro-Small folder (default: a fresh one)")
    ap.add_argument("--items", type=int, default=8, help="questions (one group each)")
    ap.add_argument("--group-size", type=int, default=8)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--repeats", type=int, default=3, help="loss-side steps timed (the mean is printed)")
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    with tempfile.TemporaryDirectory() as d:
        items = generate_split(Path(d), "val", args.items, seed=3, progress=False)
        torch.manual_seed(0)
        policy = build_policy(f"small:{args.model}" if args.model else "small", items=items).eval()
        frames = load_frames(items, policy.cfg.image_size)
        seeds = [[1000 * i + g for g in range(args.group_size)] for i in range(len(items))]
        timings = {}
        same = True
        for way in ("one by one", "per group", "all groups"):
            t = time.perf_counter()
            if way == "one by one":
                got = [[sample_stream(policy, it, frames[it.video], s, 1.0) for s in ss] for it, ss in zip(items, seeds, strict=True)]
            elif way == "per group":
                got = [sample_group(policy, it, frames[it.video], ss, 1.0) for it, ss in zip(items, seeds, strict=True)]
            else:
                got = sample_groups(policy, [(it, frames[it.video], ss) for it, ss in zip(items, seeds, strict=True)], 1.0)
            timings[way] = time.perf_counter() - t
            if way == "one by one":
                ref = got
            same &= all(a.steps == b.steps and [r.text for r in a.responses] == [r.text for r in b.responses]
                        for ga, gb in zip(ref, got, strict=True) for a, b in zip(ga, gb, strict=True))
        policy.encoder.requires_grad_(False)  # as reproduce's GRPO: the perception-pretrained encoder frozen
        feats = [policy.encode_frames(frames[it.video]) for it in items]
        laid = {"pixels, 3 passes": got,
                "features, 2 passes": sample_groups(policy, [(it, frames[it.video], ss) for it, ss in zip(items, seeds, strict=True)],
                                                    1.0, features=feats)}
        loss_time = {}
        for way, groups in laid.items():
            batch = collate(policy.cfg, [smp.trajectory for g in groups for smp in g])
            t = time.perf_counter()
            for _ in range(args.repeats):
                with torch.no_grad():
                    for _ in range(2 if way.startswith("pixels") else 1):  # reference (and old policy)
                        token_logprobs(policy, batch, "cpu")
                logp, mask = token_logprobs(policy, batch, "cpu")
                ((logp * mask).sum() / mask.sum()).backward()
            loss_time[way] = (time.perf_counter() - t) / args.repeats
    n = args.items * args.group_size
    for way, sec in loss_time.items():
        print(f"loss side, {way:>18}: {sec:.2f} s per step of {n} rollouts "
              f"({loss_time['pixels, 3 passes'] / sec:.2f}x)")
    for way, sec in timings.items():
        print(f"{way:>10}: {n} rollouts in {sec:.2f} s = {n / sec:.1f} rollouts/s "
              f"({timings['one by one'] / sec:.2f}x one by one)")
    print(f"same rollouts every way: {same}")


if __name__ == "__main__":
    main()
