"""GRPO rewards of the paper (§2, Eq. 5–7): ``R = w_fmt R_fmt + w_turn R_turn + w_traj R_traj``,
weights 0.1 / 0.45 / 0.45 by default. Each component is logged under its own name.

* ``format`` — per step 1 for a lone ``</Silence>`` or ``</Response>`` + non-empty text ended by
  ``<eos>``, else 0; the mean over the steps of the stream.
* ``turn``   — turn-level F1 with the additive step score ``S' = S_time + S_acc`` and one ``tau`` (8 s)
  for every task; **ground-truth-first** matching: each answer, in time order, takes the unmatched
  response with the highest ``S'`` inside ``[t - tau, t + tau]`` (Proactive Agency: ``[t - tau, t]``,
  later responses ignored); ``R_turn = 2 sum S' / (N_pred + N_gt)`` (so its range is [0, 2]).
  ``matching="pred_first"`` takes responses in time order instead (the paper's ablation), each matched as the
  benchmark matches it: to the first still-open answer whose window holds it, whatever its ``S'``.
  ``turn_score="product"`` (not the paper's) scores a step ``2 S_time S_acc``, the benchmark's ``S`` on ``S'``'s range.
* ``traj``   — the trajectory rubric: binary checks on granularity, sequencing and coverage /
  hallucination, derived from the simulator's ground truth for world items (:func:`world_rubric`), or
  designed and graded by an LLM for real data (:mod:`streampro.train.rubric`); ``R_traj`` = the fraction passed.

* ``f1``     — not the paper's: the rollout's own StreamPro-F1 (the benchmark's matching rule and scoring, the
  same judge), weight 0 unless asked. A diagnostic setting: GRPO with the metric itself as the reward shows
  whether the optimiser can raise the metric on this world at all, separately from whether the paper's
  rewards point at it (``docs/results.md``, issue 18).

Content ``S_acc`` comes from a judge (``rule`` for world items: the answers' slots); TG content is the
temporal IoU, as in the benchmark.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from ..bench.judges import Judge, JudgeRequest, RuleJudge
from ..bench.scoring import Prediction, in_window, iou_content, score_predictions, time_score
from ..core.items import TIME_EPS, Answer, Item, within
from ..core.types import Response
from .protocols import Rubric

DEFAULT_WEIGHTS = {"format": 0.1, "turn": 0.45, "traj": 0.45}
#: every reward part a config may weight (``f1`` is ours, not the paper's: see above)
REWARD_PARTS = (*DEFAULT_WEIGHTS, "f1")
CONTENT_OK = 0.6  # S_acc at or above this counts as "says the right thing" in the rubric (rule judge: 4/5)


TURN_SCORES = ("sum", "product")


@dataclass(frozen=True)
class RewardSettings:
    tau: float = 8.0
    matching: str = "gt_first"  # gt_first | pred_first
    # a matched step's score: sum = S_time + S_acc (the paper's S') | product = 2 S_time S_acc (the benchmark's S,
    # doubled to keep the sum's range [0, 2]). Under sum a response at the right moment with wrong words keeps 60 %
    # of the credit (1 + 0.2 of 2 for a wrong Goal Planning square under the rule judge); product pays it the 20 %
    # StreamPro-F1 does. Not the paper's: a documented setting (docs/training.md), round 18 of issue 18
    turn_score: str = "sum"

    def __post_init__(self):
        if self.matching not in ("gt_first", "pred_first"):
            raise ValueError(f"matching must be 'gt_first' or 'pred_first', got {self.matching!r}")
        if self.turn_score not in TURN_SCORES:
            raise ValueError(f"turn_score must be one of {TURN_SCORES}, got {self.turn_score!r}")


def r_format(steps: Sequence[Sequence[int]], silence_id: int, respond_id: int, eos_id: int) -> float:
    """``steps``: the action tokens after each frame from the query on (a sampled rollout's trace)."""
    if not steps:
        return 0.0
    ok = [list(a) == [silence_id] or (len(a) >= 3 and a[0] == respond_id and a[-1] == eos_id
                                      and respond_id not in a[1:] and silence_id not in a[1:]) for a in steps]
    return sum(ok) / len(ok)


def content(item: Item, a: Answer, text: str, judge: Judge) -> float:
    if item.task == "TG" and a.span:
        return iou_content(text, a.span)
    return judge.score_one(JudgeRequest.of(item, a, text)) / 5.0


def _in_reward_window(t: float, item: Item, a: Answer, tau: float) -> bool:
    """The turn reward's window (the paper's single tau, proactive answers only before their best time)."""
    lo, hi = a.best
    return within(t, lo - tau, lo if item.dimension == "proactive" else hi + tau)


def turn_matches(item: Item, responses: Sequence[Response], judge: Judge,
                 settings: RewardSettings = RewardSettings()) -> list[tuple[int, int, float, float]]:
    """The turn reward's matching: ``(response index in time order, answer index, S', S_acc)`` per matched pair.
    ``credit: response`` reads ``S_acc`` from it to credit each response's words (grpo.py)."""
    preds = sorted(responses, key=lambda r: r.time)
    free, out = set(range(len(preds))), []

    def scored(p: Response, a: Answer) -> tuple[float, float]:
        st, acc = time_score(p.time, item, a, (settings.tau, settings.tau)), content(item, a, p.text, judge)
        if settings.turn_score == "product":
            return (2 * st * acc if st > 0 else 0.0), acc  # [0, 2], as the sum's range
        return st + acc, acc

    if settings.matching == "gt_first":
        for j, a in enumerate(item.answers):
            # Algorithm 1: a prediction is taken only when its S' > 0; one that earns nothing for this answer
            # stays free for a later one
            cands = []
            for i in free:
                if _in_reward_window(preds[i].time, item, a, settings.tau):
                    s, acc = scored(preds[i], a)
                    if s > 0:
                        cands.append((s, -i, acc))
            if cands:
                s, neg_i, acc = max(cands)
                free.discard(-neg_i)
                out.append((-neg_i, j, s, acc))
    else:
        open_answers = set(range(len(item.answers)))
        for i, p in enumerate(preds):  # the benchmark's rule (bench.scoring, matching="first"): first window holding it
            j = next((j for j in sorted(open_answers)
                      if _in_reward_window(p.time, item, item.answers[j], settings.tau)), None)
            if j is not None:
                open_answers.discard(j)
                out.append((i, j, *scored(p, item.answers[j])))
    return out


def r_turn(item: Item, responses: Sequence[Response], judge: Judge, settings: RewardSettings = RewardSettings(),
           matches: Sequence[tuple[int, int, float, float]] | None = None) -> float:
    """``R_turn = 2 sum S' / (N_pred + N_gt)``; ``matches``: :func:`turn_matches` of these responses, when the
    caller already has them (``credit: response`` reads them too)."""
    if not responses:
        return 0.0
    pairs = turn_matches(item, responses, judge, settings) if matches is None else matches
    return 2 * sum(s for _, _, s, _ in pairs) / (len(responses) + len(item.answers))


Check = tuple[str, Callable[[], bool]]


def world_rubric(item: Item, responses: Sequence[Response], judge: Judge) -> list[Check]:
    """Nine binary, question-specific checks derived from the ground truth (the paper has an LLM write
    6–10 per question; the simulator's answers let us write them exactly for world items)."""
    preds = sorted(responses, key=lambda r: r.time)
    n_gt = len(item.answers)
    acc = [[content(item, a, p.text, judge) for a in item.answers] for p in preds]
    win = [[in_window(p.time, item, a) for a in item.answers] for p in preds]
    covered = [any(acc[i][j] >= CONTENT_OK and win[i][j] for i in range(len(preds))) for j in range(n_gt)]
    said = [max(range(n_gt), key=lambda j: (acc[i][j], -j)) for i in range(len(preds)) if max(acc[i]) >= CONTENT_OK]
    idx = [j for j, c in enumerate(covered) if c]
    return [
        ("responds", lambda: bool(preds)),
        ("not_over_split", lambda: len(preds) <= n_gt),
        ("not_merged", lambda: len(preds) >= n_gt),
        ("covers_every_answer", lambda: all(covered)),
        ("covers_half", lambda: sum(covered) >= n_gt / 2),
        ("no_hallucination", lambda: bool(preds) and all(max(row) >= CONTENT_OK for row in acc)),
        ("in_order", lambda: bool(said) and all(a <= b for a, b in zip(said, said[1:], strict=False))),
        ("no_skipped_step", lambda: bool(idx) and idx == list(range(idx[0], idx[-1] + 1))),
        ("not_premature", lambda: not preds or preds[0].time >= item.window(item.answers[0])[0] - TIME_EPS),
    ]


def r_traj(item: Item, responses: Sequence[Response], judge: Judge, rubric: Rubric | None = None) -> tuple[float, dict[str, bool]]:
    """The fraction of the rubric's checks passed; ``rubric`` is a :mod:`~streampro.train.rubric` object
    (default: the checks derived from the ground truth)."""
    if rubric is None:
        checks = {name: fn() for name, fn in world_rubric(item, responses, judge)}
    else:
        checks = rubric.grade(item, responses, judge)
    return sum(checks.values()) / len(checks), checks


def rollout_f1(item: Item, responses: Sequence[Response], judge: Judge) -> float:
    """One rollout's own StreamPro-F1: the benchmark's scoring (default settings) of these responses."""
    return score_predictions([item], {item.id: [Prediction(r.time, r.text) for r in responses]}, judge)[0]["f1"]


def compute_rewards(item: Item, responses: Sequence[Response], steps: Sequence[Sequence[int]], ids: tuple[int, int, int],
                    weights: dict[str, float] | None = None, judge: Judge | None = None,
                    settings: RewardSettings = RewardSettings(), rubric: Rubric | None = None,
                    matches: Sequence[tuple[int, int, float, float]] | None = None) -> tuple[float, dict[str, float]]:
    """Total reward and its named parts. ``ids`` = (silence, respond, eos) token ids; ``judge`` scores
    content (default ``rule``), ``rubric`` the trajectory (default: from the ground truth); ``matches``: the turn
    reward's pairs (:func:`turn_matches`) when the caller has computed them."""
    weights = dict(DEFAULT_WEIGHTS if weights is None else weights)
    unknown = set(weights) - set(REWARD_PARTS)
    if unknown:
        raise KeyError(f"unknown reward(s) {sorted(unknown)}; known: {sorted(REWARD_PARTS)}")
    judge = judge or RuleJudge()
    parts = {"format": r_format(steps, *ids), "turn": r_turn(item, responses, judge, settings, matches),
             # an LLM rubric with weight 0 (the paper's 0.1/0.9/0 ablation) is not worth its calls
             "traj": r_traj(item, responses, judge, rubric)[0]
             if weights.get("traj") or not getattr(rubric, "calls_an_llm", False) else 0.0}
    if weights.get("f1"):
        parts["f1"] = rollout_f1(item, responses, judge)
    return sum(w * parts[k] for k, w in weights.items()), parts
