"""Which comparison to show next: the (question, model pair) with the fewest comparisons so far, ties broken
at random (seeded), and the two models' sides drawn at random — so comparisons spread evenly over model
pairs and questions, and neither model sits on one side more often."""

from __future__ import annotations

import itertools
import threading

import numpy as np


class Scheduler:
    def __init__(self, models: list[str], questions: list[str], seed: int = 0):
        if len(models) < 2:
            raise ValueError("an arena needs at least two models")
        pairs = list(itertools.combinations(sorted(models), 2))
        self.keys = [(q, a, b) for q in questions for a, b in pairs]
        self.index = {k: i for i, k in enumerate(self.keys)}
        self.counts = np.zeros(len(self.keys), dtype=np.int64)
        self.rng = np.random.default_rng(seed)
        self._lock = threading.Lock()

    def seen(self, question: str, left: str, right: str) -> None:
        """Count a comparison made earlier (read back from the database at start-up)."""
        i = self.index.get((question, *sorted((left, right))))
        if i is not None:
            self.counts[i] += 1

    def next(self) -> tuple[str, str, str]:
        """(question, left model, right model) of the next comparison, counted as made."""
        with self._lock:
            best = np.flatnonzero(self.counts == self.counts.min())
            i = int(self.rng.choice(best))
            self.counts[i] += 1
            q, a, b = self.keys[i]
            return (q, a, b) if self.rng.random() < 0.5 else (q, b, a)
