"""How well a clock could time the answers: per task, the spread of the first answer's time after the query and
of the gaps between answers, and the share of first answers a best fixed delay after the query lands within
±3 s of (the time tolerance of the paper's time score is task-specific; ±3 s is only a yardstick).

    python docs/measured/grounding/clock_fit.py runs/s3/val350/items.jsonl
"""
import json
import sys
from collections import defaultdict

import numpy as np


def when(answer: dict) -> float:
    return answer.get("time", answer.get("start"))


first, gaps = defaultdict(list), defaultdict(list)
for line in open(sys.argv[1]):
    it = json.loads(line)
    times = sorted(when(a) for a in it["answers"])
    if times:
        first[it["task"]].append(times[0] - it["query_time"])
        gaps[it["task"]] += list(np.diff(times))
print("| task | questions | first answer after the query: median (IQR) s | best fixed delay within ±3 s | "
      "gap between answers: median (IQR) s |\n|---|---|---|---|---|")
for task in sorted(first):
    x, g = np.array(first[task]), np.array(gaps[task])
    best = max(np.mean(np.abs(x - c) <= 3) for c in np.arange(0, 60, 0.5))
    gap = f"{np.median(g):.0f} ({np.percentile(g, 25):.0f}–{np.percentile(g, 75):.0f})" if len(g) else "– (one answer)"
    print(f"| {task} | {len(x)} | {np.median(x):.0f} ({np.percentile(x, 25):.0f}–{np.percentile(x, 75):.0f}) | "
          f"{best:.2f} | {gap} |")
