"""How far could teaching Goal Planning's *next square* move the proactive dimension? (issue 18, round 18)

Rounds 16-17 found that the captioning SFT speaks at GP's moments (an arrival) but names the square the agent is in,
not the next one of the stated plan, and that one GRPO epoch does not change what it names. This bound keeps each
model's own GP responses — their number and their times — and replaces the text of every response that the
benchmark's matching rule (prediction-first) assigns to an answer with that answer's text: the GP score the model
would get if RL taught it the plan perfectly and changed nothing else. Unmatched responses keep their text (they
score nothing either way). Scored with the benchmark's scorer and rule judge; RF and the other tasks unchanged.

Usage (repository root): python docs/measured/spread/gp_content_bound.py EVAL_DIR [EVAL_DIR ...]
(EVAL_DIR: a `streampro eval` output folder under runs/w9/eval1400; the items: runs/w9/data/test1400)."""

import json
import sys
from pathlib import Path

from streampro.bench.evaluate import load_predictions
from streampro.bench.judges import RuleJudge
from streampro.bench.scoring import F1Settings, Prediction, aggregate, in_window, score_predictions
from streampro.core.items import TIME_EPS
from streampro.data.schema import load_items

ITEMS = Path("runs/w9/data/test1400/items.jsonl")


def matched_answer(item, t: float) -> int | None:
    """Index of the answer the benchmark's prediction-first rule gives a response at ``t`` (None: no window holds it)."""
    return next((j for j, a in enumerate(item.answers) if t >= item.query_time - TIME_EPS and in_window(t, item, a)),
                None)


def with_right_words(item, preds: list[Prediction]) -> list[Prediction]:
    """Each response the prediction-first rule gives to an answer says that answer; the rest as they were."""
    out = []
    for p in preds:
        j = matched_answer(item, p.t)
        out.append(Prediction(p.t, p.text if j is None else item.answers[j].text, p.cut))
    return out


def content_bound(eval_dir: str, items: list) -> dict[str, tuple[float, float]]:
    """(as scored, with the right words) for GP F1, GP content %, proactive F1 and W-Avg of one scored run."""
    gp = [it for it in items if it.task == "GP"]
    preds = load_predictions(Path(eval_dir) / "predictions.jsonl", {it.id for it in items})
    summary = json.loads((Path(eval_dir) / "summary.json").read_text())["f1"]
    fixed = {it.id: with_right_words(it, preds.get(it.id, [])) for it in gp}
    bound = aggregate(score_predictions(gp, fixed, RuleJudge(), F1Settings()), F1Settings())["tasks"]["GP"]
    was, rf = summary["tasks"]["GP"], summary["tasks"]["RF"]
    return {"GP": (was["f1"], bound["f1"]), "content": (was["acc"], bound["acc"]),
            "proactive": (summary["dimensions"]["proactive"]["f1"],
                          (bound["f1"] * bound["n"] + rf["f1"] * rf["n"]) / (bound["n"] + rf["n"])),
            "W-Avg": (summary["wavg"], summary["wavg"] + (bound["f1"] - was["f1"]) * bound["n"] / summary["n"])}


def bound_text(b: dict[str, tuple[float, float]]) -> str:
    return ", ".join(f"{k} {x:.1f} -> {y:.1f}" for k, (x, y) in b.items())


def main(dirs: list[str]) -> None:
    items = load_items(ITEMS)
    for d in dirs:
        print(f"{Path(d).name}: {bound_text(content_bound(d, items))}")


if __name__ == "__main__":
    main(sys.argv[1:])
