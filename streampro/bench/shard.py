"""Sharded evaluation across processes (``torchrun`` / ``accelerate launch -m streampro eval ...``).

Each process streams every ``world``-th video (``videos[rank::world]``) and appends to its own resumable
``predictions.rank<R>.jsonl``; after a barrier, rank 0 merges the shards into ``predictions.jsonl`` in
the single-process order, and scores. The merged result is exactly the single-process one: each
question's responses depend only on its own video's stream, and scoring iterates the benchmark's order.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any


def dist_info() -> tuple[int, int]:
    """``(rank, world_size)`` from the launcher's environment (torchrun and accelerate set both)."""
    return int(os.environ.get("RANK", "0")), int(os.environ.get("WORLD_SIZE", "1"))


def barrier() -> None:
    """Wait for every process; starts a gloo process group from the launcher's env if none is up."""
    import torch.distributed as dist

    if not dist.is_initialized():
        dist.init_process_group("gloo")
    dist.barrier()


def shard_files(out: Path, rank: int, world: int) -> tuple[Path, Path]:
    if world == 1:
        return out / "predictions.jsonl", out / "skipped.jsonl"
    return out / f"predictions.rank{rank}.jsonl", out / f"skipped.rank{rank}.jsonl"


def merge_shards(out: Path, video_order: list[str], video_of: dict[str, str]) -> None:
    """Merge every ``*.rank<R>.jsonl`` (and an existing merged file) into ``predictions.jsonl`` /
    ``skipped.jsonl``, records grouped by video in ``video_order`` — the single-process layout.
    Written to a temporary file and renamed, so an interruption never leaves a torn merge."""
    from ..core.jsonl import read_jsonl

    rank_of = {v: i for i, v in enumerate(video_order)}
    for name in ("predictions", "skipped"):
        recs: dict[str, dict[str, Any]] = {}
        for path in [out / f"{name}.jsonl", *sorted(out.glob(f"{name}.rank*.jsonl"))]:
            for r in read_jsonl(path):
                recs.setdefault(r["id"], r)
        ordered = sorted(recs.values(), key=lambda r: rank_of.get(video_of.get(r["id"], ""), len(rank_of)))
        if not ordered and not (out / f"{name}.jsonl").exists():
            continue
        tmp = out / f"{name}.jsonl.tmp"
        tmp.write_text("".join(json.dumps(r) + "\n" for r in ordered), encoding="utf-8")
        tmp.replace(out / f"{name}.jsonl")
