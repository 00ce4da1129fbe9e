"""Sharded evaluation across processes (``torchrun`` / ``accelerate launch -m streampro eval ...``).

Each process streams every ``world``-th video (``videos[rank::world]``) and appends to its own resumable
``predictions.rank<R>.jsonl``; after a barrier, rank 0 merges the shards (``runfile.merge_shards``) into ``predictions.jsonl`` in
the single-process order, and scores. The merged result is exactly the single-process one: each
question's responses depend only on its own video's stream, and scoring iterates the benchmark's order.
"""

from __future__ import annotations

import os


def dist_info() -> tuple[int, int]:
    """``(rank, world_size)`` from the launcher's environment (torchrun and accelerate set both)."""
    return int(os.environ.get("RANK", "0")), int(os.environ.get("WORLD_SIZE", "1"))


def barrier() -> None:
    """Wait for every process; starts a gloo process group from the launcher's env if none is up."""
    import torch.distributed as dist

    if not dist.is_initialized():
        dist.init_process_group("gloo")
    dist.barrier()
