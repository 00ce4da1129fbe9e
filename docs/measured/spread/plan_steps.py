"""Which steps of a stated plan does a model get right? (issue 18, round 21)

GP (and plan recital, RCT) answer j names the plan's square j + 1: the first step's square is the plan's second
(a colour at a fixed place in the question), the last answer is "the goal is complete", and only the *middle* steps
need the successor of the square the previous answer named — the in-context lookup a pretrained LLM brings and
StreamPro-Small may lack. For every in-window greedy response of a scored run (the answer the benchmark's
prediction-first rule gives it) this counts right answers (the rule judge's 5) by step: first, middle, last; and
classes the wrong middle ones as gp_colour_choice.kind does ("reached" is the square the previous answer named).
Reads scored runs only (`streampro eval` folders).

Usage (repository root): python docs/measured/spread/plan_steps.py EVAL_DIR [EVAL_DIR ...] --items ITEMS.jsonl"""

import argparse
from collections import Counter

from gp_colour_choice import kind
from gp_content_bound import matched_answer
from gp_next_square_probe import plan_of

from streampro.bench.evaluate import load_predictions
from streampro.bench.judges import JudgeRequest, RuleJudge
from streampro.data.schema import load_items

STEPS = ("first", "middle", "last")


def by_step(eval_dir: str, items) -> tuple[Counter, Counter, Counter]:
    """(responses per step, right per step, classes of the wrong middle-step responses) over GP and RCT items."""
    judge = RuleJudge()
    preds = load_predictions(f"{eval_dir}/predictions.jsonl", {it.id for it in items})
    items = [it for it in items if it.task in ("GP", "RCT")]
    seen, right, wrong = Counter(), Counter(), Counter()
    for it in items:
        plan = plan_of(it)
        for p in preds.get(it.id, []):
            j = matched_answer(it, p.t)
            if j is None:
                continue
            step = "first" if j == 0 else "last" if j == len(it.answers) - 1 else "middle"
            seen[step] += 1
            ok = judge.score_one(JudgeRequest.of(it, it.answers[j], p.text)) == 5
            right[step] += ok
            if step == "middle" and not ok:
                wrong[kind(it, plan, j, p.text, judge)] += 1
    return seen, right, wrong


def line(eval_dir: str, items) -> str:
    seen, right, wrong = by_step(eval_dir, items)
    steps = ", ".join(f"{s} {100 * right[s] / max(1, seen[s]):.1f} % of {seen[s]}" for s in STEPS)
    n = max(1, sum(wrong.values()))
    return f"right by step: {steps}; wrong middle steps: " + ", ".join(f"{k} {100 * v / n:.0f} %" for k, v in wrong.most_common())


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("eval_dirs", nargs="+")
    ap.add_argument("--items", required=True)
    args = ap.parse_args()
    items = load_items(args.items)
    for d in args.eval_dirs:
        print(f"{d}: {line(d, items)}")


if __name__ == "__main__":
    main()
