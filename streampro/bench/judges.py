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

import hashlib
import json
import os
import re
import threading
import time
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tqdm import tqdm

from ..core.errors import InputError, StreamProError
from ..core.items import Answer, Item
from ..core.text import normalize
from ..core.vocab import ADVICE, ANOMALIES, COLOR_NAMES, DIRECTIONS, SHAPES

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


class JudgeError(StreamProError, RuntimeError):
    """The judge could not produce a score (endpoint down after retries, unparseable replies)."""


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


class JudgeCache:
    """Append-only JSONL ``{"key", "score", "reply"}``; loaded once, safe across threads and reruns."""

    def __init__(self, path: str | Path | None):
        self.path = Path(path) if path else None
        self.data: dict[str, dict[str, Any]] = {}
        self.lock = threading.Lock()
        if self.path and self.path.exists():
            for line in self.path.read_text(encoding="utf-8").splitlines():
                try:
                    rec = json.loads(line)
                    self.data[rec["key"]] = rec
                except (json.JSONDecodeError, KeyError, TypeError):
                    continue  # a torn last line from an interrupted run

    def get(self, key: str) -> dict[str, Any] | None:
        return self.data.get(key)

    def put(self, key: str, score: Any, reply: str) -> None:
        """``score``: any JSON value (a judge's 0-5, a rubric's checks or verdicts)."""
        rec = {"key": key, "score": score, "reply": reply}
        with self.lock:
            self.data[key] = rec
            if self.path:
                self.path.parent.mkdir(parents=True, exist_ok=True)
                with self.path.open("a", encoding="utf-8") as f:
                    f.write(json.dumps(rec) + "\n")


class CachedLLM:
    """A chat backend behind the on-disk cache, with call / cache-hit counts: what the ``llm`` judge and
    the LLM trajectory rubric both need. ``ask(prompt, parse)`` returns the parsed reply; ``parse``
    raises :class:`JudgeError` on an unusable reply, which is then not cached. ``cache`` is a path or an
    open :class:`JudgeCache` (to share one file between scorers)."""

    def __init__(self, backend, cache: str | Path | JudgeCache | None = None):
        self.backend = backend
        self.name = f"llm:{backend.ident}"
        self.cache = cache if isinstance(cache, JudgeCache) else JudgeCache(cache)
        self.stats = {"calls": 0, "cache_hits": 0}

    def key(self, prompt: str) -> str:
        return hashlib.sha256(json.dumps([self.name, prompt]).encode()).hexdigest()

    def ask(self, prompt: str, parse) -> Any:
        key = self.key(prompt)
        hit = self.cache.get(key)
        if hit is not None:
            with self.cache.lock:
                self.stats["cache_hits"] += 1
            return hit["score"]
        reply = self.backend(prompt)
        with self.cache.lock:
            self.stats["calls"] += 1
        value = parse(reply)
        self.cache.put(key, value, reply)
        return value


JUDGE_PLACEHOLDERS = ("task", "question", "reference", "prediction")
_PLACEHOLDER = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)\}")


def read_template(path: str | Path, known: tuple[str, ...], required: tuple[str, ...] = ()) -> str:
    """A user's prompt file. Only ``{name}`` placeholders are filled, so other braces (a JSON example in
    the prompt) stay as written; an unknown or missing placeholder is an error naming the file."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as e:
        raise InputError(f"prompt file {path}: cannot read it as UTF-8 text ({e})") from None
    used = set(_PLACEHOLDER.findall(text))
    unknown = sorted(used - set(known))
    if unknown:
        raise InputError(f"prompt file {path}: unknown placeholder(s) {', '.join('{' + u + '}' for u in unknown)}; "
                         f"known: {' '.join('{' + k + '}' for k in known)}")
    missing = [r for r in required if r not in used]
    if missing:
        raise InputError(f"prompt file {path}: needs {' '.join('{' + m + '}' for m in missing)}")
    return text


def fill_template(text: str, **values: str) -> str:
    return _PLACEHOLDER.sub(lambda m: str(values[m.group(1)]) if m.group(1) in values else m.group(0), text)


class LLMJudge(Judge):
    """The paper's LLM judge. ``backend(prompt) -> reply`` is an :class:`OpenAIChat` or :class:`LocalHFChat`."""

    def __init__(self, backend, prompt_file: str | Path | None = None, cache: str | Path | JudgeCache | None = None,
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


class OpenAIChat:
    """POST ``{url}/chat/completions`` (OpenAI-compatible), temperature 0; retries 429/5xx/timeouts
    with exponential backoff, then raises :class:`JudgeError` naming the endpoint."""

    def __init__(self, url: str, model: str, api_key_env: str = "OPENAI_API_KEY", timeout: float = 60.0,
                 max_retries: int = 4, backoff: float = 1.0, max_tokens: int = 256):
        import httpx

        self.url = url.rstrip("/") + "/chat/completions"
        self.model, self.max_retries, self.backoff, self.max_tokens = model, max_retries, backoff, max_tokens
        key = os.environ.get(api_key_env, "")
        self.client = httpx.Client(timeout=timeout, headers={"Authorization": f"Bearer {key}"} if key else {})
        self.ident = model
        # once one request has failed after all its retries, the endpoint is taken as down: the other
        # requests stop instead of each waiting out its own retries (a dead judge fails in one request's time)
        self.down: str | None = None

    def __call__(self, prompt: str, images: Sequence[bytes] = ()) -> str:
        """``images``: JPEG bytes shown before the prompt (a VLM endpoint), as OpenAI ``image_url`` data URLs."""
        import base64

        import httpx

        content: str | list[dict[str, Any]] = prompt
        if images:
            content = [*({"type": "image_url", "image_url": {"url": "data:image/jpeg;base64," +
                                                             base64.b64encode(img).decode()}} for img in images),
                       {"type": "text", "text": prompt}]
        body = {"model": self.model, "messages": [{"role": "user", "content": content}], "temperature": 0,
                "max_tokens": self.max_tokens}
        last = ""
        for attempt in range(self.max_retries + 1):
            if self.down is not None:
                raise JudgeError(self.down)
            try:
                r = self.client.post(self.url, json=body)
                if r.status_code == 200:
                    return r.json()["choices"][0]["message"]["content"] or ""
                last = f"HTTP {r.status_code}: {r.text[:200]}"
                if r.status_code not in (408, 429) and r.status_code < 500:
                    break  # a client error will not go away by retrying
            except (httpx.HTTPError, ValueError, KeyError, IndexError, TypeError) as e:
                last = f"{type(e).__name__}: {e}"
            if attempt < self.max_retries:
                time.sleep(self.backoff * 2**attempt)
        self.down = (f"judge endpoint {self.url} failed after {self.max_retries + 1} attempt(s): {last}; check the "
                     "server, or raise --judge-timeout / --judge-retries (answers cached so far are kept)")
        raise JudgeError(self.down)


class LocalHFChat:
    """A local ``transformers`` causal LM (chat template if it has one), greedy, a few new tokens."""

    def __init__(self, path: str, max_new_tokens: int = 8):
        import torch
        from transformers import AutoModelForCausalLM, AutoTokenizer

        self.torch = torch
        self.tok = AutoTokenizer.from_pretrained(path)
        self.model = AutoModelForCausalLM.from_pretrained(path).eval()
        self.max_new_tokens = max_new_tokens
        self.lock = threading.Lock()
        self.ident = Path(path).name or path

    def __call__(self, prompt: str, images: Sequence[bytes] = ()) -> str:
        if images:
            raise InputError(f"{self.ident} is a local text LLM and cannot be shown frames; give a VLM folder "
                             "(a Qwen2/2.5/3-VL model) or an OpenAI-compatible VLM URL")
        if getattr(self.tok, "chat_template", None):
            ids = self.tok.apply_chat_template([{"role": "user", "content": prompt}], add_generation_prompt=True,
                                               return_tensors="pt", return_dict=True)["input_ids"]
        else:
            ids = self.tok(prompt, return_tensors="pt")["input_ids"]
        with self.lock, self.torch.no_grad():
            out = self.model.generate(ids, max_new_tokens=self.max_new_tokens, do_sample=False)
        return self.tok.decode(out[0, ids.shape[1]:], skip_special_tokens=True)


JUDGES = ("exact", "rule", "llm")


def build_judge(name: str, url: str | None = None, model: str | None = None, api_key_env: str = "OPENAI_API_KEY",
                prompt_file: str | Path | None = None, cache: str | Path | None = None, concurrency: int = 8,
                timeout: float = 60.0, max_retries: int = 4, backoff: float = 1.0, max_tokens: int = 256) -> Judge:
    """``exact`` | ``rule`` | ``llm`` (``url`` for an OpenAI-compatible endpoint, else ``model`` is a
    local transformers model folder). ``max_tokens``: the judge's reply length, room for the explanation
    the default prompt asks for before the score."""
    if name == "exact":
        return ExactJudge()
    if name == "rule":
        return RuleJudge()
    if name == "llm":
        return LLMJudge(build_chat(url, model, api_key_env, timeout, max_retries, backoff, max_tokens), prompt_file, cache,
                        concurrency)
    raise ValueError(f"unknown judge {name!r}; choose from {list(JUDGES)}")


def build_chat(url: str | None, model: str | None, api_key_env: str = "OPENAI_API_KEY", timeout: float = 60.0,
               max_retries: int = 4, backoff: float = 1.0, max_tokens: int = 256):
    """The LLM behind the ``llm`` judge and the LLM rubric: an OpenAI-compatible endpoint (``url`` +
    served ``model`` name) or, without ``url``, a local transformers folder ``model``."""
    if url:
        if not model:
            raise ValueError("an LLM at --judge-url needs --judge-model (the served model's name)")
        return OpenAIChat(url, model, api_key_env, timeout, max_retries, backoff, max_tokens)
    if model:
        return LocalHFChat(model, max_new_tokens=max_tokens)
    raise ValueError("the llm judge/rubric needs an LLM: --judge-url URL --judge-model NAME or --judge-model LOCAL_PATH "
                     "(GRPO: --llm-url / --llm-model)")


def judge_stats(judge: Judge) -> dict[str, Any]:
    return {"name": judge.name, **getattr(judge, "stats", {})}
