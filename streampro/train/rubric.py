"""The trajectory rubric behind ``R_traj`` (paper Eq. 7): binary checks on one rollout's timed responses.

Two sources of checks, one interface (``grade(item, responses, judge) -> {check: passed}``):

* :class:`WorldRubric` — nine checks derived exactly from the timed ground-truth answers
  (:func:`streampro.train.rewards.world_rubric`). The simulator's answers make an LLM unnecessary for
  world data, and they are free and deterministic.
* :class:`LLMRubric` — the paper's path for real data: an LLM *designer* writes 6–10 question-specific
  checks from the question and its reference answers (once per question), and an LLM *grader* answers
  each check yes/no for a rollout's transcript. Both prompts are replaceable files
  (``prompts/rubric_design.txt``, ``prompts/rubric_grade.txt``) and both go through the benchmark's
  judge backends (:class:`~streampro.bench.judges.OpenAIChat` or a local ``transformers`` model) with
  the same on-disk cache, so a rerun or a repeated transcript (GRPO groups often repeat a silent
  rollout) costs no call.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from pathlib import Path

from ..bench.judges import Judge, JudgeError
from ..core.items import Item
from ..core.types import Response
from ..llm.cache import CachedLLM, LLMCache
from ..llm.templates import fill_template, read_template

PROMPTS = Path(__file__).parent / "prompts"
RUBRICS = ("world", "llm")


class WorldRubric:
    """Checks derived from the ground truth (see :func:`~streampro.train.rewards.world_rubric`)."""

    name = "world"

    def grade(self, item: Item, responses: Sequence[Response], judge: Judge) -> dict[str, bool]:
        from .rewards import world_rubric

        return {name: fn() for name, fn in world_rubric(item, responses, judge)}


def _answers_text(item: Item) -> str:
    rows = []
    for a in item.answers:
        lo, hi = a.best
        when = f"at {lo:.1f} s" if lo == hi else f"between {lo:.1f} s and {hi:.1f} s"
        rows.append(f"- {when}: {a.text}")
    return "\n".join(rows)


def parse_checks(reply: str, max_checks: int) -> list[str]:
    """A JSON list of strings (possibly inside a code fence), else numbered or bulleted lines; a check
    written twice counts once."""
    got: list[str] | None = None
    m = re.search(r"\[.*\]", reply, re.S)
    if m:
        try:
            js = json.loads(m.group(0))
        except json.JSONDecodeError:
            js = [] if "{" in m.group(0) else None  # a broken list of objects is unusable, not lines to read
        if isinstance(js, list):  # strings, or the paper's objects {"check": ..., "dimension": ...}
            got = [c if isinstance(c, str) else c.get("check") or c.get("question") or c.get("text") or ""
                   if isinstance(c, dict) else "" for c in js]
            got = [c.strip() for c in got if isinstance(c, str)]
    if got is None:
        got = [re.sub(r"^\s*(?:\d+[.):]|[-*•])\s*", "", ln).strip() for ln in reply.splitlines()]
        # code fences and JSON punctuation are not checks (a list that is not valid JSON lands here)
        got = [ln for ln in got if not ln.startswith("```") and re.search(r"[A-Za-z]{2}", ln)]
    return list(dict.fromkeys(c for c in got if c))[:max_checks]


_VERDICT = re.compile(r"^\s*(\d+)\s*[:.)-]\s*\**\s*(yes|no|pass|fail|true|false)\b", re.I | re.M)


def parse_verdicts(reply: str, n: int) -> list[bool]:
    """``"1: yes\\n2: no"`` -> [True, False]; every check 1..n must have a verdict (else JudgeError)."""
    got: dict[int, bool] = {}
    for num, word in _VERDICT.findall(reply):
        got.setdefault(int(num), word.lower() in ("yes", "pass", "true"))
    missing = [k for k in range(1, n + 1) if k not in got]
    if missing:
        raise JudgeError(f"rubric grader gave no yes/no for check(s) {missing}: {reply[:200]!r}")
    return [got[k] for k in range(1, n + 1)]


class LLMRubric:
    """LLM-designed, LLM-graded checks. ``backend(prompt) -> reply`` as for :class:`LLMJudge`; give it
    room for a list of sentences (``max_tokens`` of a few hundred)."""

    calls_an_llm = True  # so a weight-0 trajectory reward skips it (the world rubric is free: always logged)

    def __init__(self, backend, design_prompt: str | Path | None = None, grade_prompt: str | Path | None = None,
                 cache: str | Path | LLMCache | None = None, min_checks: int = 6, max_checks: int = 10):
        self.llm = CachedLLM(backend, cache)  # an unparseable reply raises JudgeError and is not cached
        fields = ("task", "question", "query_time", "answers", "min_checks", "max_checks")
        self.design_template = read_template(design_prompt or PROMPTS / "rubric_design.txt", fields)
        self.grade_template = read_template(grade_prompt or PROMPTS / "rubric_grade.txt", (*fields, "responses", "checks"),
                                            required=("responses", "checks"))
        self.min_checks, self.max_checks = min_checks, max_checks
        self.name = self.llm.name
        self.stats = self.llm.stats

    def _fields(self, item: Item) -> dict:
        return dict(task=item.task, question=item.question, query_time=item.query_time, answers=_answers_text(item),
                    min_checks=self.min_checks, max_checks=self.max_checks)

    def checks(self, item: Item) -> list[str]:
        """The designer's checks for ``item`` (one call per question, then cached)."""
        def parse(reply: str) -> list[str]:
            got = parse_checks(reply, self.max_checks)
            if not got:
                raise JudgeError(f"rubric designer wrote no checks for {item.id!r}: {reply[:200]!r}")
            return got

        return self.llm.ask(fill_template(self.design_template, **self._fields(item)), parse)

    def grade(self, item: Item, responses: Sequence[Response], judge: Judge | None = None) -> dict[str, bool]:
        checks = self.checks(item)
        said = "\n".join(f"- {r.time:.1f}: {r.text}" for r in sorted(responses, key=lambda r: r.time)) or "(none: silent)"
        listed = "\n".join(f"{k}. {c}" for k, c in enumerate(checks, 1))
        prompt = fill_template(self.grade_template, **self._fields(item), responses=said, checks=listed)
        verdicts = self.llm.ask(prompt, lambda reply: parse_verdicts(reply, len(checks)))
        return {c: bool(v) for c, v in zip(checks, verdicts, strict=True)}


def build_rubric(name: str, backend=None, design_prompt: str | Path | None = None,
                 grade_prompt: str | Path | None = None, cache: str | Path | LLMCache | None = None):
    """``world`` (from the ground truth) | ``llm`` (needs ``backend``)."""
    if name == "world":
        return WorldRubric()
    if name == "llm":
        if backend is None:
            raise ValueError("rubric 'llm' needs an LLM: set llm_url + llm_model (OpenAI-compatible) or llm_model "
                             "(a local transformers folder)")
        return LLMRubric(backend, design_prompt, grade_prompt, cache)
    raise ValueError(f"unknown rubric {name!r}; choose from {list(RUBRICS)}")
