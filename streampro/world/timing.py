"""Event-time draws of the world's task generators, widened by ``WorldConfig.timing_spread``.

At spread 1 these draw exactly what the generators always drew (``span`` is ``rng.integers(lo, hi)``, ``lead_in``
draws nothing), so the original world's scenes are unchanged; docs/format.md, "Timing spread"."""

from __future__ import annotations

import numpy as np

from .config import WorldConfig


def span(rng: np.random.Generator, cfg: WorldConfig, lo: int, hi: int) -> int:
    """An event-time draw in frames, from ``[lo, hi)`` widened upward by ``cfg.timing_spread``. At spread 1
    it is exactly ``rng.integers(lo, hi)`` (``hi > lo``), so the original world's scenes are drawn unchanged."""
    return int(rng.integers(lo, lo + max(1, round((hi - lo) * cfg.timing_spread))))


#: still frames a question may gain before its first event per unit of timing spread above 1
LEAD_IN_FRAMES = 6


def lead_in(rng: np.random.Generator, cfg: WorldConfig) -> int:
    """Extra still frames between the question and the first event, in ``[0, LEAD_IN_FRAMES * (spread - 1)]``.
    The original world has none on EU/TG/TP/GP/RF (the first event follows the question at a fixed delay)
    and draws nothing here, so its random stream is unchanged."""
    if cfg.timing_spread == 1:
        return 0
    return int(rng.integers(0, round(LEAD_IN_FRAMES * (cfg.timing_spread - 1)) + 1))
