"""SFT speed of StreamPro-Small when another process shares the cores, under three torch thread settings.

    python benchmarks/sft_under_load.py --base small:runs/r3/seed0/perception/final \
        --train runs/r3/data/train0/items.jsonl [--steps 150]

Issue 18 measured SFT going from 0.3 s to 4.5 s per step while another job ran. On a machine with as many
cores as torch has threads, OpenMP's worker threads spin while they wait for each other; when a second
busy process takes a core, a spinning thread and the thread it waits for fight over it and every parallel
region stalls. Each setting trains the same SFT-CB steps (frozen encoder, feature cache, as ``reproduce``)
in a fresh process (OpenMP reads its settings once, at start) twice: on a quiet machine, and beside a
competitor that keeps one core busy (a numpy loop, the stand-in for "another job"). Prints steps/s and
the slowdown under load of each setting, so the ratio against torch's default is visible. Results depend
on the machine: say what else was running when you quote them.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

SETTINGS = {
    "torch default (threads = cores, OpenMP spins)": {},
    "OMP_WAIT_POLICY=PASSIVE (threads sleep when idle)": {"OMP_WAIT_POLICY": "PASSIVE"},
    "one thread": {"OMP_NUM_THREADS": "1"},
}

CHILD = """
import json, sys
from streampro.train.configs import SFTConfig
from streampro.train.sft import train_sft
base, train, out, steps = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
cfg = SFTConfig(base=base, train=train, out=out, loss="cb", steps=steps, seed=0, freeze_encoder=True,
                tasks=["EU", "OU", "TP", "TG"], save_every=10**9, log_every=10**9)
train_sft(cfg, progress=False)
print(json.dumps(json.load(open(out + "/run.json"))["steps_per_s"]))
"""


def _busy(stop) -> None:  # one core's worth of work that is not torch
    import numpy as np

    a = np.random.default_rng(0).random((200, 200))
    while not stop.is_set():
        a = np.sqrt(a * a + 1.0) - 1.0


def run(base: str, train: str, steps: int, env: dict[str, str], load: bool) -> float:
    stop = mp.Event()
    rival = mp.Process(target=_busy, args=(stop,), daemon=True) if load else None
    if rival:
        rival.start()
        time.sleep(0.5)
    try:
        with tempfile.TemporaryDirectory() as out:
            res = subprocess.run([sys.executable, "-c", CHILD, base, train, out, str(steps)], env={**os.environ, **env},
                                 capture_output=True, text=True, check=True)
            return float(res.stdout.strip().splitlines()[-1])
    finally:
        if rival:
            stop.set()
            rival.join(5)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--base", required=True, help="small:PATH of a perception-pretrained StreamPro-Small")
    ap.add_argument("--train", required=True, help="training items.jsonl")
    ap.add_argument("--steps", type=int, default=150)
    args = ap.parse_args()
    if not Path(args.train).exists():
        sys.exit(f"{args.train}: no such items file")
    rows = []
    for name, env in SETTINGS.items():
        quiet, loaded = (run(args.base, args.train, args.steps, env, load) for load in (False, True))
        rows.append((name, quiet, loaded))
        print(f"{name}: quiet {quiet:.2f} steps/s, beside a busy process {loaded:.2f} steps/s "
              f"(x{quiet / loaded:.1f} slower)", flush=True)
    ref_q, ref_l = rows[0][1], rows[0][2]
    print("\n| setting | quiet (steps/s) | under load (steps/s) | under load vs default |\n|---|---|---|---|")
    for name, q, ld in rows:
        print(f"| {name} | {q:.2f} | {ld:.2f} | x{ld / ref_l:.2f} |")
    print(json.dumps({"steps": args.steps, "default_quiet": ref_q, "default_loaded": ref_l}))


if __name__ == "__main__":
    main()
