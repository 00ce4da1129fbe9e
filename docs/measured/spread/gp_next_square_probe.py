"""Does a model's sampled Goal Planning answer ever name the *next* square? (issue 18, round 18)

GRPO can only make likelier what its rollouts contain. For GP questions drawn from a val split this samples G
rollouts per question as GRPO does (temperature 1, the same sampler) and the greedy read-out, and classifies every
response that the benchmark's prediction-first rule gives to an answer: it names the answer's next square (the
rule judge's 5: what GP asks), the square just reached (the step that completed; "in the red square", what the
action captions teach), or something else. "groups with a right answer" is how many questions give GRPO's
advantage at least one rollout that names a next square.

Usage (repository root): python docs/measured/spread/gp_next_square_probe.py MODEL_DIR [--groups 40] [--g 8], or\nEVAL_DIR --scored --items runs/w9/data/test1400/items.jsonl for a scored run's greedy responses."""

import argparse
import re
from collections import Counter

import numpy as np
from gp_content_bound import matched_answer

from streampro.bench.evaluate import load_predictions
from streampro.bench.judges import JudgeRequest, RuleJudge
from streampro.core.types import Response
from streampro.data.schema import load_items
from streampro.train.grpo import sample_group
from streampro.train.policy import build_policy
from streampro.train.trajectory import load_frames

PLAN = re.compile(r"visits the (.+?) squares in that order")


def plan_of(item) -> list[str]:
    """The squares a GP (or TRK) question's plan visits, in order."""
    return re.split(r", | and ", PLAN.search(item.question)[1])


def kinds(item, responses, judge) -> Counter:
    """Count each in-window response as next / reached / other (see the module docstring)."""
    plan = plan_of(item)
    out = Counter()
    for r in responses:
        j = matched_answer(item, r.time)
        if j is None:
            continue
        a = item.answers[j]
        if judge.score_one(JudgeRequest.of(item, a, r.text)) == 5:
            out["next"] += 1
        elif j < len(plan) and plan[j] in r.text and not any(c in r.text for c in plan if c != plan[j]):
            out["reached"] += 1
        else:
            out["other"] += 1
    return out


def scored_kinds(eval_dir: str, items_path: str) -> Counter:
    """``kinds`` over every GP question of a scored run's greedy responses (``eval_dir/predictions.jsonl``)."""
    items, judge = load_items(items_path), RuleJudge()
    preds = load_predictions(f"{eval_dir}/predictions.jsonl", {it.id for it in items})
    c = Counter()
    for it in items:
        if it.task == "GP":
            c.update(kinds(it, [Response(it.id, p.text, p.t) for p in preds.get(it.id, [])], judge))
    return c


def share(c: Counter) -> str:
    """'next square %' of a ``kinds`` count."""
    return f"{100 * c['next'] / max(1, sum(c.values())):.1f} %"


def report(name: str, c: Counter) -> None:
    n = sum(c.values()) or 1
    print(f"{name}: {sum(c.values())} in-window responses; next square {share(c)}, square just "
          f"reached {100 * c['reached'] / n:.1f} %, other {100 * c['other'] / n:.1f} %")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("model", help="a model folder (sample its rollouts) or a `streampro eval` folder (--scored)")
    ap.add_argument("--items", default="runs/w9/data/val350/items.jsonl")
    ap.add_argument("--groups", type=int, default=40, help="GP questions, the first ones of --items")
    ap.add_argument("--g", type=int, default=8)
    ap.add_argument("--scored", action="store_true", help="classify the greedy responses in MODEL/predictions.jsonl")
    args = ap.parse_args()
    judge, all_items = RuleJudge(), load_items(args.items)
    if args.scored:
        report(f"greedy read-out, {args.model}", scored_kinds(args.model, args.items))
        return
    items = [it for it in all_items if it.task == "GP"][: args.groups]
    policy = build_policy(f"small:{args.model}").eval()
    frames = load_frames(items, policy.cfg.image_size)
    sampled, groups_right = Counter(), 0
    for gi, it in enumerate(items):
        seeds = [int(np.random.default_rng([0, gi, g]).integers(2**31)) for g in range(args.g)]
        group = [kinds(it, s.responses, judge) for s in sample_group(policy, it, frames[it.video], seeds, 1.0)]
        groups_right += any(c["next"] for c in group)
        for c in group:
            sampled.update(c)
    report(f"sampled (T 1, G {args.g}), {args.model}", sampled)
    print(f"groups with a right answer (a rollout naming a next square): {groups_right}/{len(items)}")


if __name__ == "__main__":
    main()
