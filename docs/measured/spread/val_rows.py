"""Per-run rows of the round-20 and round-21 read-outs (issue 18): val350 scores of the 6,000-step captioning recipe's
runs in runs/w9 and which square their GP answers name (gp_colour_choice.py). Imported by round20_stats.py and
round21_stats.py, run from the repository root."""

import functools
from collections import Counter

import numpy as np
from gp_colour_choice import scored
from spread_stats import DIMENSIONS, f1

from streampro.data.schema import load_items

RUN = "capact-grounding-aux0.3-6000-trainseed{s}"
SEEDS, VAL_PAIR = (3, 4, 5), (3, 5)
VAL_ITEMS = load_items("runs/w9/data/val350/items.jsonl")


def n(stage: str) -> str:
    return f"{stage}-{RUN}-seed{{s}}"


def means(name: str, seeds=SEEDS) -> tuple[float, float]:
    """(W-Avg, proactive) on val350, mean over ``seeds``."""
    return tuple(float(np.mean([get(f1(name, s, "val")) for s in seeds])) for _, get in DIMENSIONS[:2])


@functools.cache  # row, right_share and the rule read the same run: judge its responses once
def colours(name: str, s: int) -> tuple[Counter, int, int, Counter]:
    return scored(f"runs/w9/val/{name.format(s=s)}", VAL_ITEMS)


def right_share(name: str, s: int, kind: str = "right") -> float:
    """Share (%) of seed s's in-window GP responses of one read-out class."""
    c = colours(name, s)[0]
    return 100 * c[kind] / max(1, sum(c.values()))


def row(name: str, s: int) -> str:
    """Seed s's val350 W-Avg, proactive, GP, right and reached shares, and the one-colour streams."""
    f = f1(name, s, "val")
    _, multi, same, where = colours(name, s)
    places = ", ".join(f"{k} {v}" for k, v in sorted(where.items()))
    return (f"W-Avg {f['wavg']:.1f}, proactive {f['dimensions']['proactive']['f1']:.1f}, GP {f['tasks']['GP']['f1']:.1f}, "
            f"right {right_share(name, s):.1f} %, reached {right_share(name, s, 'reached'):.1f} %, one colour {same}/{multi}" + (f" ({places})" if same else ""))
