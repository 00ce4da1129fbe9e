"""Reference models that anchor the score scale. They are *privileged*: built with the items, they
know the ground truth and differ only in **when** they speak — which is exactly what the proactive
scorer measures.

* ``oracle``: the right answer at the decidable time (scores 100 on every dimension).
* ``reactive``: the see-then-answer oracle — the right answer once the outcome is on screen
  (perfect perception/temporal, ~0 proactive).
* ``random``: a uniformly random option at the query time (chance; ~0 chance-corrected proactive).
* ``silent``: never speaks (0).
"""

from __future__ import annotations

import hashlib
import re

import numpy as np

from ..bench.schema import Item
from ..bench.video import Frame
from .base import Query, Response, StreamingModel


class _Privileged(StreamingModel):
    def __init__(self, items: list[Item], seed: int = 0):
        self.items = {it.id: it for it in items}
        self.seed = seed

    def when(self, item: Item) -> float | None:
        raise NotImplementedError

    def what(self, item: Item) -> str:
        return item.answer

    def step(self, frame: Frame) -> list[Response]:
        out = []
        for qid in list(self.queries):
            item = self.items[qid]
            t = self.when(item)
            if t is not None and frame.time >= t - 1e-6:
                out.append(Response(qid, self.what(item)))
                del self.queries[qid]  # speak once
        return out

    def answer_now(self, query: Query) -> str:
        if query.id not in self.items:
            raise KeyError(f"{self.name} knows the answers only of the StreamPro-Bench items it was built with, "
                           f"not of {query.id!r}; external benchmarks need a real model (or `random`/`silent`)")
        return self.what(self.items[query.id])


class OracleModel(_Privileged):
    name = "oracle"

    def when(self, item: Item) -> float:
        return max(item.query_time, item.decidable_time if item.decidable_time is not None else item.query_time)


class ReactiveOracleModel(_Privileged):
    name = "reactive"

    def when(self, item: Item) -> float:
        return item.outcome_time if item.outcome_time is not None else item.query_time


class RandomModel(_Privileged):
    name = "random"

    def when(self, item: Item) -> float:
        return item.query_time

    def what(self, item: Item) -> str:
        return self._pick(item.id, item.options)

    def _pick(self, qid: str, options: tuple[str, ...] | list[str]) -> str:
        h = int(hashlib.sha256(f"{self.seed}:{qid}".encode()).hexdigest()[:8], 16)
        return options[int(np.random.default_rng(h).integers(len(options)))]

    def answer_now(self, query: Query) -> str:
        """Chance level on external benchmarks too: a uniformly random option (its letter when the
        options are lettered, "B. red" -> "B"); an empty reply when there are no options."""
        if query.id in self.items:
            return super().answer_now(query)
        if not query.options:
            return ""
        choice = self._pick(query.id, query.options)
        m = re.match(r"^\(?([A-Z])[.)]\s", choice)
        return m.group(1) if m else choice


class SilentModel(_Privileged):
    name = "silent"

    def when(self, item: Item) -> None:
        return None

    def answer_now(self, query: Query) -> str:
        return ""
