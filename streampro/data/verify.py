"""Stage 3, verification (paper App. A.1): (a) checks in code — the item format's own validation (times
inside the video, answers after the query, the task's answer type, TG spans), answers in time order and
not repeated, Goal Planning steps distinct; (b) a two-agent loop — a discriminator judges the item against
the stated quality criteria and returns structured problems, a generator revises, up to ``max_rounds``
checks; an item still rejected is dropped with every round's feedback kept. Problems found in code go to
the generator the same way, without a discriminator call."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from ..core.text import normalize
from ..llm.templates import fill_template
from .calls import Caller, CallFailure
from .replies import ItemDraft, Problem, Review
from .schema import SchemaError, validate_record

VERIFY_PLACEHOLDERS = ("item", "captions", "problems", "task_name", "answer_format")


@dataclass
class Verdict:
    status: str  # kept | dropped
    record: dict[str, Any]
    rounds: int
    feedback: list[dict[str, Any]] = field(default_factory=list)
    reason: str = ""


def basic_problems(rec: dict[str, Any]) -> list[Problem]:
    """What code can find wrong with a record (empty: it passes)."""
    try:
        validate_record(rec, "draft")
    except SchemaError as e:
        return [Problem(field="item", issue=str(e).removeprefix("draft "))]
    answers = rec["answers"]
    times = [a.get("time", a.get("start")) for a in answers]
    out = []
    if times != sorted(times):
        out.append(Problem(field="answers", issue=f"answers are not in time order ({times})", fix=None))
    seen = {}
    for i, a in enumerate(answers):
        key = (normalize(a["text"]), times[i])
        if key in seen:
            out.append(Problem(field=f"answers[{i}]", issue=f"repeats answers[{seen[key]}]"))
        seen[key] = i
    if rec["task"] == "GP":  # the paper's Goal Planning filter: steps distinct and non-redundant
        texts = [normalize(a["text"]) for a in answers]
        if len(set(texts)) < len(texts):
            out.append(Problem(field="answers", issue="Goal Planning steps must be distinct and non-redundant"))
    return out


def verify_item(rec: dict[str, Any], discriminator: Caller, generator: Caller, prompts: dict[str, str],
                context: str, max_rounds: int, to_record: Callable[[ItemDraft], dict[str, Any]],
                task_name: str, answer_format: str) -> Verdict:
    """Check, revise, check again — at most ``max_rounds`` checks and ``max_rounds - 1`` revisions."""
    feedback: list[dict[str, Any]] = []
    for rnd in range(1, max_rounds + 1):
        problems = basic_problems(rec)
        fixable, source = True, "code"
        if not problems:
            review = discriminator.ask(fill_template(prompts["discriminate"], item=json.dumps(rec), captions=context,
                                                     problems="", task_name=task_name, answer_format=answer_format),
                                       Review)
            if isinstance(review, CallFailure):
                return Verdict("dropped", rec, rnd, feedback, f"discriminator: {review.reason}")
            if review.accept:
                return Verdict("kept", rec, rnd, feedback)
            problems, fixable, source = review.problems, review.fixable, "discriminator"
        feedback.append({"round": rnd, "by": source, "fixable": fixable,
                         "problems": [p.model_dump() for p in problems]})
        if not fixable or rnd == max_rounds:
            break
        draft = generator.ask(fill_template(prompts["revise"], item=json.dumps(rec), captions=context,
                                            problems=json.dumps([p.model_dump() for p in problems]),
                                            task_name=task_name, answer_format=answer_format), ItemDraft)
        if isinstance(draft, CallFailure):
            return Verdict("dropped", rec, rnd, feedback, f"generator: {draft.reason}")
        rec = to_record(draft)
    why = "not fixable" if not fixable else f"still rejected after {max_rounds} round(s)"
    return Verdict("dropped", rec, len(feedback), feedback, why)
