"""Statistics every layer reports with: one definition, so that reproduce's tables, the HTML report's error
bars and the measured scripts give the same interval for the same numbers."""

from __future__ import annotations

import math
import statistics


def mean_ci(values: list[float]) -> tuple[float, float]:
    """Mean and the half-width of its two-sided 95 % Student t-interval (0 for one value).

    The t quantile comes from scipy for any number of values (a normal 1.96 would be too narrow for the
    handful of seeds a training study has)."""
    from scipy.stats import t

    xs = [float(v) for v in values]
    m = statistics.fmean(xs)
    if len(xs) < 2:
        return m, 0.0
    return m, float(t.ppf(0.975, len(xs) - 1)) * statistics.stdev(xs) / math.sqrt(len(xs))
