"""Multi-process training goes through accelerate: 2 CPU processes (gloo DDP, started by torchrun) run SFT to
the end with the same loss trajectory as one process on the same global batches."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.slow
def test_two_process_gloo_sft(tmp_path, small_bench):
    cfg = tmp_path / "sft.yaml"
    cfg.write_text(yaml.safe_dump({"train": str(small_bench), "batch_size": 4, "steps": 4, "log_every": 1, "save_every": 2,
                                   "warmup": 1, "model": {"d_model": 32, "n_layers": 1, "n_heads": 2}}))
    outs = {}
    for n in (1, 2):
        out = tmp_path / f"p{n}"
        # torchrun starts the processes; accelerate's Accelerator reads its env and sets up gloo DDP
        cmd = [sys.executable, "-m", "torch.distributed.run", "--nproc_per_node", str(n), "-m", "streampro", "train", "sft", "--config", str(cfg), "--out", str(out)]
        env = {**os.environ, "OMP_NUM_THREADS": "1"}
        r = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
        assert r.returncode == 0, r.stderr[-3000:]
        outs[n] = [json.loads(line)["loss"] for line in (out / "log.jsonl").read_text().splitlines()]
        assert (out / "final" / "model.safetensors").exists()
        assert json.loads((out / "run.json").read_text())["world_size"] == n
    assert len(outs[1]) == len(outs[2]) == 4
    # each process sees half of the same global batch; CB-Stream's class counts and N are summed over the
    # processes, so the loss is the single process's (not just close to it), step after step
    assert outs[2] == pytest.approx(outs[1], rel=1e-4), (outs[1], outs[2])


@pytest.mark.slow
def test_sharded_eval_equals_one_process(tmp_path, small_bench):
    """`torchrun --nproc_per_node 2 -m streampro eval ...`: each process streams half of the videos into its
    own shard; the merged predictions and summary.json equal a single process's."""
    env = {**os.environ, "OMP_NUM_THREADS": "1"}
    outs = {}
    for n in (1, 2):
        out = tmp_path / f"e{n}"
        cmd = [sys.executable, "-m", "torch.distributed.run", "--nproc_per_node", str(n), "-m", "streampro", "eval",
               "--bench", str(small_bench), "--model", "random", "--out", str(out), "--no-report"]
        r = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
        assert r.returncode == 0, r.stderr[-3000:]
        outs[n] = out
    one, two = (json.loads((outs[n] / "summary.json").read_text()) for n in (1, 2))
    assert one == two and one["complete"]
    assert (outs[1] / "predictions.jsonl").read_text() == (outs[2] / "predictions.jsonl").read_text()
    shards = [outs[2] / f"predictions.rank{r}.jsonl" for r in (0, 1)]
    ids = [set(json.loads(x)["id"] for x in s.read_text().splitlines()) for s in shards]
    assert ids[0] and ids[1] and not ids[0] & ids[1]  # the work was split, nothing done twice
