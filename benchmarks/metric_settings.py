"""How much StreamPro-F1's open settings move a run's numbers: every eval folder given is rescored (no
streaming, rule judge) under matching first | best and response time frame_start | frame_end.

    python benchmarks/metric_settings.py --bench runs/r3/data/test/items.jsonl runs/r3/eval/oracle runs/r3/eval/reactive

Prints one Markdown row per (run, setting) with the dimensions' F1 and W-Avg (docs/metrics.md quotes it).
"""

from __future__ import annotations

import argparse
from pathlib import Path

from streampro.bench.evaluate import load_predictions
from streampro.bench.judges import RuleJudge
from streampro.bench.schema import load_items
from streampro.bench.scoring import F1Settings, aggregate, score_predictions
from streampro.core.items import DIMENSIONS


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--bench", required=True, help="the items.jsonl the runs were streamed on")
    ap.add_argument("runs", nargs="+", help="eval folders, each with predictions.jsonl")
    args = ap.parse_args()
    items = load_items(args.bench)
    ids = {it.id for it in items}
    judge = RuleJudge()
    print("| run | matching | response time | " + " | ".join(DIMENSIONS) + " | W-Avg |")
    print("|---|---|---|" + "---|" * (len(DIMENSIONS) + 1))
    for run in map(Path, args.runs):
        preds = load_predictions(run / "predictions.jsonl", ids)
        for matching in ("first", "best"):
            for rt in ("frame_start", "frame_end"):
                settings = F1Settings(matching=matching, response_time=rt)
                f1 = aggregate(score_predictions(items, preds, judge, settings), settings)
                dims = " | ".join(f"{f1['dimensions'][d]['f1']:.1f}" for d in DIMENSIONS)
                print(f"| {run.name} | {matching} | {rt} | {dims} | {f1['wavg']:.1f} |")


if __name__ == "__main__":
    main()
