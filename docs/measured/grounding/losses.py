"""The end-of-training losses of SFT runs: mean of each logged part over the last 150 steps (one row per run).

    python docs/measured/grounding/losses.py runs/g8/seed*/sft-*
"""
import json
import sys
from pathlib import Path

KEYS = ("loss", "decision", "answer", "motion")
print("| run | steps | " + " | ".join(KEYS) + " |\n|---|---|" + "---|" * len(KEYS))
for run in sys.argv[1:]:
    rows = [json.loads(line) for line in (Path(run) / "log.jsonl").read_text().splitlines()]
    rows = [r for r in rows if "loss" in r]
    last = [r for r in rows if r["step"] > rows[-1]["step"] - 150]
    cells = [f"{sum(r[k] for r in last) / len(last):.3f}" if k in last[0] else "–" for k in KEYS]
    print(f"| {run} | {rows[-1]['step'] + 1} | " + " | ".join(cells) + " |")
