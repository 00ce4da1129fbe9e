"""Content judges for StreamPro-F1: a 0–5 score for one (reference answer, response) pair.

* ``exact`` — normalised text equality (5 or 0): hand-checkable.
* ``rule``  — the answer's structured ``slots`` (colour, object, direction, anomaly, hazard, advice,
  next step) looked up in the free-text response; a slot counts only if its value is said and no other
  value of the same kind is. 0 for an empty response, 1 when nothing is right ("factually wrong" in
  the paper's rubric), 5 when every slot is right, linear between. Without slots: token F1.
* ``llm``   — the paper's open-ended 0–5 rubric (``prompts/judge_open.txt``, replaceable with
  ``--judge-prompt``) through an OpenAI-compatible chat endpoint (vLLM, SGLang, ...) or a local
  ``transformers`` model; bounded concurrency, timeouts, retries with backoff, and an on-disk cache
  keyed by judge + prompt so rescoring is free and reproducible.
"""

from __future__ import annotations

import json
import re
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tqdm import tqdm

from ..core.items import Answer, Item
from ..core.text import normalize
from ..core.vocab import ADVICE, ANOMALIES, COLOR_NAMES, DIRECTIONS, SHAPES
from ..llm.cache import CachedLLM, LLMCache
from ..llm.chat import ChatBackend, LLMError
from ..llm.settings import LLMSettings
from ..llm.templates import fill_template, read_template

DEFAULT_PROMPT = Path(__file__).parent / "prompts" / "judge_open.txt"


@dataclass(frozen=True)
class JudgeRequest:
    task: str
    question: str
    reference: str
    prediction: str
    slots: tuple[tuple[str, Any], ...] = ()

    @classmethod
    def of(cls, item: Item, answer: Answer, prediction: str) -> JudgeRequest:
        return cls(item.task, item.question, answer.text, prediction, tuple(sorted((answer.slots or {}).items())))


#: a judge fails when its LLM does: one error type for both
JudgeError = LLMError


class Judge:
    name = "judge"

    def score_one(self, req: JudgeRequest) -> int:
        raise NotImplementedError

    def score(self, reqs: list[JudgeRequest], progress: bool = False) -> list[int]:
        return [self.score_one(r) for r in tqdm(reqs, desc=f"judge {self.name}", disable=not progress)]


class ExactJudge(Judge):
    name = "exact"

    def score_one(self, req: JudgeRequest) -> int:
        return 5 if normalize(req.prediction) == normalize(req.reference) and req.prediction.strip() else 0


# words of each slot kind the world (and converted datasets) use; a value's synonyms count as saying it
_SYNONYMS = {"stop": ("stop", "stops", "stopped", "still", "halts"), "done": ("done", "complete", "completed", "finished"),
             "vanished": ("vanished", "vanishes", "disappeared", "disappears", "gone"),
             "froze": ("froze", "freezes", "frozen", "stopped"), "jumped": ("jumped", "jumps", "teleported"),
             "split": ("split", "splits", "broke")}
_KINDS = {  # the world's words (core.vocab), by the slot kind the rule judge checks
    "color": COLOR_NAMES,
    "shape": SHAPES,
    "direction": (*DIRECTIONS, "stop"),
    "anomaly": ANOMALIES,
    "advice": ADVICE,
}


def _says(words: str, value: str) -> bool:
    forms = _SYNONYMS.get(value, (value,))
    return any(re.search(rf"\b{re.escape(normalize(f))}\b", words) for f in forms)


def _slot_hit(words: str, key: str, value: Any) -> bool:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return any(abs(float(n) - value) <= 0.5 for n in re.findall(r"-?\d+(?:\.\d+)?", words))
    v = normalize(str(value))
    if not _says(words, v):
        return False
    kinds = [k for k in ("color", "shape") if any(w in _KINDS[k] for w in v.split())] if key in (
        "object", "hazard", "next") else ([key] if key in _KINDS else [])
    for k in kinds:  # a conflicting value of the same kind makes the slot wrong ("red or blue")
        own = {w for w in v.split() if w in _KINDS[k]} or {v}
        if any(_says(words, o) for o in _KINDS[k] if o not in own):
            return False
    return True


class RuleJudge(Judge):
    name = "rule"

    def score_one(self, req: JudgeRequest) -> int:
        words = normalize(req.prediction)
        if not words:
            return 0
        if req.slots:
            hits = sum(_slot_hit(words, k, v) for k, v in req.slots)
            frac = hits / len(req.slots)
        else:
            p, r = words.split(), normalize(req.reference).split()
            common = sum(min(p.count(w), r.count(w)) for w in set(p))
            frac = 2 * common / (len(p) + len(r)) if common else 0.0
        return 1 + round(4 * frac)


_SCORE = re.compile(r"score\W{0,3}\s*[:=]?\s*([0-5])\b", re.I)


_JSON_OBJECT = re.compile(r"\{.*\}", re.S)


def parse_score(reply: str) -> int | None:
    """The paper's JSON reply ``{"explanation": ..., "score": 4}`` (a code fence around it is fine),
    ``"Score: 4"``, or a lone digit 0–5 -> 4; None if the reply holds no score in 0–5."""
    m = _JSON_OBJECT.search(reply)
    if m:
        try:
            obj = json.loads(m.group(0))
        except json.JSONDecodeError:
            obj = None
        if isinstance(obj, dict) and "score" in obj:
            v = obj["score"]
            if isinstance(v, str) and v.strip().isdigit():
                v = int(v.strip())
            return v if isinstance(v, int) and not isinstance(v, bool) and 0 <= v <= 5 else None
    m = _SCORE.search(reply) or re.fullmatch(r"\s*([0-5])\s*\.?\s*", reply)
    return int(m.group(1)) if m else None


JUDGE_PLACEHOLDERS = ("task", "question", "reference", "prediction")
class LLMJudge(Judge):
    """The paper's LLM judge. ``backend`` is any :class:`~streampro.llm.chat.ChatBackend`."""

    def __init__(self, backend: ChatBackend, prompt_file: str | Path | None = None,
                 cache: str | Path | LLMCache | None = None,
                 concurrency: int = 8):
        self.llm = CachedLLM(backend, cache)
        self.template = read_template(prompt_file or DEFAULT_PROMPT, JUDGE_PLACEHOLDERS, required=("prediction",))
        self.name = self.llm.name
        self.stats = self.llm.stats
        self.concurrency = max(1, concurrency)

    def prompt(self, req: JudgeRequest) -> str:
        return fill_template(self.template, task=req.task, question=req.question, reference=req.reference,
                             prediction=req.prediction)

    def _parse(self, reply: str) -> int:
        score = parse_score(reply)
        if score is None:
            raise JudgeError(f"judge {self.name} replied without a 0-5 score: {reply[:200]!r}")
        return score

    def score_one(self, req: JudgeRequest) -> int:
        if not req.prediction.strip():
            return 0
        return int(self.llm.ask(self.prompt(req), self._parse))

    def score(self, reqs: list[JudgeRequest], progress: bool = False) -> list[int]:
        with ThreadPoolExecutor(self.concurrency) as pool, tqdm(total=len(reqs), desc=f"judge {self.name}",
                                                                disable=not progress) as bar:
            out = []
            for s in pool.map(self.score_one, reqs):
                out.append(s)
                bar.update(1)
            return out


JUDGES = ("exact", "rule", "llm")


def build_judge(name: str, llm: LLMSettings | None = None, prompt_file: str | Path | None = None,
                cache: str | Path | None = None) -> Judge:
    """``exact`` | ``rule`` | ``llm`` (the LLM ``llm`` names: an OpenAI-compatible endpoint or a local
    transformers folder; its reply length defaults to 256 tokens, room for the explanation the default
    prompt asks for before the score). ``llm.llm_cache`` wins over ``cache``."""
    if name == "exact":
        return ExactJudge()
    if name == "rule":
        return RuleJudge()
    if name == "llm":
        llm = llm or LLMSettings()
        return LLMJudge(llm.chat(max_tokens=256), prompt_file, llm.llm_cache or cache, llm.llm_concurrency)
    raise ValueError(f"unknown judge {name!r}; choose from {list(JUDGES)}")


def judge_stats(judge: Judge) -> dict[str, Any]:
    return {"name": judge.name, **getattr(judge, "stats", {})}
