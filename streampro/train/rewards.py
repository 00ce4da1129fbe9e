"""Multi-grained rewards for GRPO. Each is a named function ``(item, responses) -> float``; the total is a
weighted sum with weights from the config (``REWARD_WEIGHTS`` by default).

Turn-level (each response of the stream, averaged over its responses):
  * ``format``      1 if the response parses to one of the options, else 0;
  * ``correctness`` 1 if it names the right option, else 0;
  * ``timing``      for a correct response, the proactive credit (1 up to the decidable time, linear to 0
                    at the close of the window); a wrong response before the decidable time (a premature
                    guess) costs -1, a wrong one after it 0.
Trajectory-level (the whole stream):
  * ``responded``   1 if the model spoke at least once before the window closed, -1 if it stayed mute;
  * ``once``        1 for exactly one response, minus 0.5 per redundant response, 0 if none;
  * ``no_false_alarm`` -1 per wrong response, 0 if none;
  * ``bench``       the item's StreamPro-Bench credit (first answer, same scorer as evaluation).
Turn-level rewards of a silent stream are 0.
"""

from __future__ import annotations

from collections.abc import Callable

from ..bench.schema import Item
from ..bench.scoring import parse_choice, proactive_credit, score_item
from ..models.base import Response

Reward = Callable[[Item, list[Response]], float]


def _decidable(item: Item) -> float:
    return item.decidable_time if item.decidable_time is not None else item.query_time


def _turns(item: Item, responses: list[Response], fn: Callable[[Response], float]) -> float:
    return sum(fn(r) for r in responses) / len(responses) if responses else 0.0


def r_format(item: Item, responses: list[Response]) -> float:
    return _turns(item, responses, lambda r: float(parse_choice(r.text, item.options) is not None))


def r_correctness(item: Item, responses: list[Response]) -> float:
    return _turns(item, responses, lambda r: float(parse_choice(r.text, item.options) == item.answer_index))


def r_timing(item: Item, responses: list[Response]) -> float:
    d, close = _decidable(item), item.close_time

    def one(r: Response) -> float:
        if parse_choice(r.text, item.options) == item.answer_index:
            return proactive_credit(r.time, d, close) if close > d else float(r.time <= close)
        return -1.0 if r.time < d else 0.0

    return _turns(item, responses, one)


def r_responded(item: Item, responses: list[Response]) -> float:
    return 1.0 if any(r.time <= item.close_time + 1e-9 for r in responses) else -1.0


def r_once(item: Item, responses: list[Response]) -> float:
    return 0.0 if not responses else 1.0 - 0.5 * (len(responses) - 1)


def r_no_false_alarm(item: Item, responses: list[Response]) -> float:
    return -float(sum(parse_choice(r.text, item.options) != item.answer_index for r in responses))


def r_bench(item: Item, responses: list[Response]) -> float:
    return score_item(item, responses).credit


REWARDS: dict[str, Reward] = {
    "format": r_format,
    "correctness": r_correctness,
    "timing": r_timing,
    "responded": r_responded,
    "once": r_once,
    "no_false_alarm": r_no_false_alarm,
    "bench": r_bench,
}
TURN_LEVEL = ("format", "correctness", "timing")
TRAJECTORY_LEVEL = ("responded", "once", "no_false_alarm", "bench")
REWARD_WEIGHTS: dict[str, float] = {"format": 0.25, "correctness": 1.0, "timing": 1.0, "responded": 0.5,
                                    "once": 0.25, "no_false_alarm": 0.5, "bench": 1.0}


def compute_rewards(item: Item, responses: list[Response], weights: dict[str, float]) -> tuple[float, dict[str, float]]:
    unknown = set(weights) - set(REWARDS)
    if unknown:
        raise KeyError(f"unknown reward(s) {sorted(unknown)}; known: {sorted(REWARDS)}")
    parts = {name: REWARDS[name](item, responses) for name in weights}
    return sum(weights[n] * v for n, v in parts.items()), parts
