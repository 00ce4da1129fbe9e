"""Reference models that anchor the StreamPro-F1 scale. The privileged ones are built with the items
(they know the ground truth) and differ in *when* and *how often* they speak:

* ``oracle``   every answer's text at its best time (first frame at or after it): F1 = 100.
* ``reactive`` every answer once what it is about is on screen (an interval's end, a hazard's contact,
  the next step done; never for a hazard that is avoided): full marks on perception/temporal, low on
  proactive — not 0, since a hazard contact lies at the late edge of RF's window (S_time 0.25).
* ``eager``    at every frame after the query, the text of the answer whose best time is nearest:
  recall high, precision low.
* ``random``   at random frames (probability ``rate`` each), a random answer text of the same task
  (the task's vocabulary, from the items it was built with).
* ``silent``   never speaks: 0.
"""

from __future__ import annotations

import hashlib
import re

import numpy as np

from ..core.items import TIME_EPS, Answer, Item
from ..core.types import Frame, Query, Response
from .base import StreamingModel


def _rng(seed: int, *keys: object) -> np.random.Generator:
    h = int(hashlib.sha256(":".join(map(str, (seed, *keys))).encode()).hexdigest()[:8], 16)
    return np.random.default_rng(h)


class _Privileged(StreamingModel):
    def __init__(self, items: list[Item], seed: int = 0):
        self.items = {it.id: it for it in items}
        self.seed = seed

    def speak_times(self, item: Item, a: Answer) -> float | None:
        raise NotImplementedError

    def reset(self, info) -> None:
        super().reset(info)
        self.pending: dict[str, list[tuple[float, str]]] = {}

    def add_query(self, query: Query) -> None:
        super().add_query(query)
        item = self._item(query)
        plan = [(t, a.text) for a in item.answers if (t := self.speak_times(item, a)) is not None]
        self.pending[query.id] = sorted(plan)

    def _item(self, query: Query) -> Item:
        if query.id not in self.items:
            raise KeyError(f"{self.name} knows the answers only of the StreamPro-Bench items it was built with, "
                           f"not of {query.id!r}; external benchmarks need a real model (or `random`/`silent`)")
        return self.items[query.id]

    def step(self, frame: Frame) -> list[Response]:
        out = []
        for qid, plan in self.pending.items():
            while plan and plan[0][0] <= frame.time + TIME_EPS:
                out.append(Response(qid, plan.pop(0)[1]))
        return out

    def close_query(self, query_id: str) -> None:
        super().close_query(query_id)
        self.pending.pop(query_id, None)

    def answer_now(self, query: Query) -> str:
        return self._item(query).answers[0].text


class OracleModel(_Privileged):
    name = "oracle"

    def speak_times(self, item: Item, a: Answer) -> float:
        return a.best[0]


class ReactiveModel(_Privileged):
    name = "reactive"

    def speak_times(self, item: Item, a: Answer) -> float | None:
        if a.outcome_time is not None:
            return max(a.outcome_time, a.best[0])
        if item.dimension == "proactive":
            return None  # a forecast whose outcome never comes (a hazard avoided): nothing to react to
        return a.best[1]


class EagerModel(_Privileged):
    name = "eager"

    def speak_times(self, item: Item, a: Answer) -> None:
        return None

    def step(self, frame: Frame) -> list[Response]:
        out = []
        for qid in self.queries:
            item = self.items[qid]
            near = min(item.answers, key=lambda a: max(a.best[0] - frame.time, frame.time - a.best[1], 0.0))
            out.append(Response(qid, near.text))
        return out


class RandomModel(StreamingModel):
    """Random answers at random frames. Needs no ground truth of the question it answers: only the
    vocabulary of its task, so it also answers unseen questions (and external benchmarks at chance)."""

    name = "random"

    def __init__(self, items: list[Item], seed: int = 0, rate: float = 0.15):
        self.seed, self.rate = seed, rate
        self.vocab: dict[str, list[str]] = {}
        for it in items:
            self.vocab.setdefault(it.task, [])
            self.vocab[it.task] += [a.text for a in it.answers]
        self.vocab = {t: sorted(set(v)) for t, v in self.vocab.items()}
        # a question of no known task (a live stream's): any answer seen, else the world's object names
        self.any_words = sorted({w for v in self.vocab.values() for w in v}) or _object_names()

    def step(self, frame: Frame) -> list[Response]:
        out = []
        for qid, q in self.queries.items():
            rng = _rng(self.seed, qid, frame.index)
            words = self.vocab.get(q.task) or self.any_words
            if rng.random() < self.rate:
                out.append(Response(qid, words[int(rng.integers(len(words)))]))
        return out

    def answer_now(self, query: Query) -> str:
        """Chance level on external benchmarks: a uniformly random option (its letter when the options
        are lettered, "B. red" -> "B"); an empty reply when there are no options."""
        if not query.options:
            return ""
        choice = query.options[int(_rng(self.seed, query.id).integers(len(query.options)))]
        m = re.match(r"^\(?([A-Z])[.)]\s", choice)
        return m.group(1) if m else choice


def _object_names() -> list[str]:
    from ..core.vocab import COLOR_NAMES, SHAPES

    return [f"the {c} {s}" for c in COLOR_NAMES for s in SHAPES]


class SilentModel(StreamingModel):
    """Never speaks: the floor of every table (F1 0 by construction)."""

    name = "silent"

    def __init__(self, items: list[Item] | None = None, seed: int = 0):
        pass  # the registry's signature; nothing to remember

    def step(self, frame: Frame) -> list[Response]:
        return []

    def answer_now(self, query: Query) -> str:
        return ""
