"""Which square does a model name when it answers Goal Planning? (issue 18, round 20)

Round 19's probe sorted in-window GP responses into "the next square" (what GP asks) and "the square just reached"
and found both near 30 % after two to five GRPO epochs. This read-out classes every in-window response of a scored
run (the answer j the benchmark's prediction-first rule gives it is due when the agent reaches plan[j]): right (the
rule judge's 5, as round 19's probe counts "next": the next square, or "the goal is complete" after the last step),
otherwise by the first colour it names: the square just reached (plan[j]), an earlier one, a later one, the plan's
*last* square, a colour not in the plan, or no colour. It counts the streams whose responses all name one colour,
and where that colour stands in the plan; and it scores three reference policies that answer every answer at its own
time — with its own words ("right"), "always the last square", "always the square just reached" — by the same
read-out and by what each earns (GP's StreamPro-F1; the paper's turn and trajectory rewards and their total at
0.1 / 0.45 / 0.45 with a well-formed trace; the turn reward under `turn_score: product`), so a model's shares can be
set beside a heuristic's, and the reward's price of a heuristic beside the metric's. Reads scored runs only
(`streampro eval` folders); no model is run.

Usage (repository root): python docs/measured/spread/gp_colour_choice.py EVAL_DIR [EVAL_DIR ...]
[--items runs/w9/data/val350/items.jsonl]"""

import argparse
import re
from collections import Counter

import numpy as np
from gp_content_bound import matched_answer
from gp_next_square_probe import plan_of

from streampro.bench.evaluate import load_predictions
from streampro.bench.judges import JudgeRequest, RuleJudge
from streampro.bench.scoring import Prediction, aggregate, score_predictions
from streampro.core.types import Response
from streampro.data.schema import load_items
from streampro.train.rewards import RewardSettings, r_traj, r_turn
from streampro.world.scene import COLORS

KINDS = ("right", "reached", "earlier", "later", "last", "not in plan", "no colour")


def named(text: str) -> list[str]:
    """The square colours a response names, in order."""
    return re.findall(r"\b(" + "|".join(COLORS) + r")\b", text)


def kind(item, plan: list[str], j: int, text: str, judge: RuleJudge) -> str:
    """The read-out's class of one response given to answer ``j``; a wrong response naming several colours counts
    by its first; "last" only when the last square is not the one just reached."""
    if judge.score_one(JudgeRequest.of(item, item.answers[j], text)) == 5:
        return "right"
    cs = named(text)
    if not cs:
        return "no colour"
    c = cs[0]
    if c not in plan:
        return "not in plan"
    k = plan.index(c)
    if k == j:
        return "reached"
    if k == len(plan) - 1:
        return "last"
    return "earlier" if k < j else "later"


def read_out(items, responses: dict[str, list[tuple[float, str]]]) -> tuple[Counter, int, int, Counter]:
    """(class counts over in-window responses, streams with 2+ colour-naming responses, those naming one colour
    throughout, where that one colour stands in the plan: "last", or its place "1", "2", "3")."""
    counts, multi, same, where, judge = Counter(), 0, 0, Counter(), RuleJudge()
    for it in items:
        plan = plan_of(it)
        rs = responses.get(it.id, [])
        for t, text in rs:
            j = matched_answer(it, t)
            if j is not None:
                counts[kind(it, plan, j, text, judge)] += 1
        colours = [named(text)[0] for _, text in rs if named(text)]
        if len(colours) >= 2:
            multi += 1
            if len(set(colours)) == 1:
                same += 1
                c = colours[0]
                where["not in plan" if c not in plan else "last" if plan.index(c) == len(plan) - 1
                      else str(plan.index(c) + 1)] += 1
    return counts, multi, same, where


RULES = ("right", "last", "reached")


def reference(items, rule: str) -> dict[str, list[tuple[float, str]]]:
    """Every answer answered at its own time with its own words (right), "in the {plan[-1]} square" (last) or
    "in the {plan[j]} square" (reached)."""
    out = {}
    for it in items:
        plan = plan_of(it)
        out[it.id] = [(a.time, a.text if rule == "right" else
                       f"in the {plan[-1] if rule == 'last' else plan[min(j, len(plan) - 1)]} square")
                      for j, a in enumerate(it.answers)]
    return out


def pays(items, responses: dict[str, list[tuple[float, str]]]) -> str:
    """What a policy earns: GP's StreamPro-F1 (the benchmark's rule and judge), and the paper's turn reward
    (S' = S_time + S_acc) and trajectory rubric, each the mean over the questions."""
    judge = RuleJudge()
    f1 = aggregate(score_predictions(items, {k: [Prediction(t, x) for t, x in v] for k, v in responses.items()},
                                     judge))["tasks"]["GP"]["f1"]
    rs = {it.id: [Response(it.id, x, t) for t, x in responses.get(it.id, [])] for it in items}
    turn, product = ([r_turn(it, rs[it.id], judge, RewardSettings(turn_score=ts)) for it in items]
                     for ts in ("sum", "product"))
    traj = [r_traj(it, rs[it.id], judge)[0] for it in items]
    total = 0.1 + 0.45 * np.mean(turn) + 0.45 * np.mean(traj)  # the paper's weights, a well-formed rollout
    return (f"GP F1 {f1:.1f}; turn reward {np.mean(turn):.3f} (S' product: {np.mean(product):.3f}), trajectory "
            f"reward {np.mean(traj):.3f}, total {total:.3f}")


def line(name: str, counts: Counter, multi: int, same: int, where: Counter) -> str:
    n = sum(counts.values()) or 1
    shares = ", ".join(f"{k} {100 * counts[k] / n:.1f}" for k in KINDS)
    places = ", ".join(f"{k} {v}" for k, v in sorted(where.items()))
    return (f"{name}: {sum(counts.values())} in-window responses (%): {shares}; one colour throughout {same}/{multi}"
            + (f" (its place in the plan: {places})" if same else ""))


def scored(eval_dir: str, all_items) -> tuple[Counter, int, int, Counter]:
    """``read_out`` of a scored run's greedy GP responses (``eval_dir/predictions.jsonl``, scored on ``all_items``)."""
    preds = load_predictions(f"{eval_dir}/predictions.jsonl", {it.id for it in all_items})
    gp = [it for it in all_items if it.task == "GP"]
    return read_out(gp, {k: [(p.t, p.text) for p in v] for k, v in preds.items()})


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("runs", nargs="+", help="`streampro eval` folders scored on --items")
    ap.add_argument("--items", default="runs/w9/data/val350/items.jsonl")
    args = ap.parse_args()
    all_items = load_items(args.items)
    gp = [it for it in all_items if it.task == "GP"]
    for rule in RULES:
        ref = reference(gp, rule)
        print(line(f"reference: always the {rule} square", *read_out(gp, ref)) + "; " + pays(gp, ref))
    for d in args.runs:
        print(line(d.rstrip("/").split("/")[-1], *scored(d, all_items)))


if __name__ == "__main__":
    main()
