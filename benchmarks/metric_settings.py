"""How much StreamPro-F1's open settings move a run's numbers: every eval folder given is rescored (no
streaming, rule judge) under matching first | best and response time frame_start | frame_end.

    python benchmarks/metric_settings.py --bench runs/r3/data/test/items.jsonl runs/r3/eval/oracle runs/r3/eval/reactive
    python benchmarks/metric_settings.py --bench runs/r3/data/test/items.jsonl --mean --response-time frame_start \\
        runs/r3/seed*/eval/sft-cb runs/r3/seed*/eval/sft-ce

Prints one Markdown row per (run, setting) with the dimensions' F1 and W-Avg; with ``--mean``, runs with the
same folder name (one model over several seeds) are pooled into mean ± 95 % t-interval (docs/results.md).
"""

from __future__ import annotations

import argparse
from collections import defaultdict
from pathlib import Path

from streampro.bench.evaluate import load_predictions
from streampro.bench.judges import RuleJudge
from streampro.bench.scoring import MATCHING, RESPONSE_TIMES, F1Settings, aggregate, score_predictions
from streampro.core.items import DIMENSIONS
from streampro.core.stats import mean_ci
from streampro.data.schema import load_items


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--bench", required=True, help="the items.jsonl the runs were streamed on")
    ap.add_argument("--mean", action="store_true", help="pool runs with the same folder name (seeds)")
    ap.add_argument("--response-time", choices=RESPONSE_TIMES, action="append",
                    help="only this response time (repeatable; default: both)")
    ap.add_argument("runs", nargs="+", help="eval folders, each with predictions.jsonl")
    args = ap.parse_args()
    items = load_items(args.bench)
    ids = {it.id for it in items}
    judge = RuleJudge()
    cols = [*DIMENSIONS, "wavg"]
    pooled: dict[tuple[str, str, str], list[dict]] = defaultdict(list)
    for run in map(Path, args.runs):
        preds = load_predictions(run / "predictions.jsonl", ids)
        for matching in MATCHING:
            for rt in args.response_time or RESPONSE_TIMES:
                settings = F1Settings(matching=matching, response_time=rt)
                f1 = aggregate(score_predictions(items, preds, judge, settings), settings)
                pooled[(run.name, matching, rt)].append({**{d: f1["dimensions"][d]["f1"] for d in DIMENSIONS},
                                                         "wavg": f1["wavg"]})
    print("| run | matching | response time | " + " | ".join(cols) + " |")
    print("|---|---|---|" + "---|" * len(cols))
    for (name, matching, rt), rows in pooled.items():
        if args.mean:
            cells = []
            for c in cols:
                m, h = mean_ci([r[c] for r in rows])
                cells.append(f"{m:.1f} ± {h:.1f}" if len(rows) > 1 else f"{m:.1f}")
            print(f"| {name} (n={len(rows)}) | {matching} | {rt} | " + " | ".join(cells) + " |")
        else:
            for r in rows:
                print(f"| {name} | {matching} | {rt} | " + " | ".join(f"{r[c]:.1f}" for c in cols) + " |")


if __name__ == "__main__":
    main()
