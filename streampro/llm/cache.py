"""Every LLM reply on disk: an append-only JSONL keyed by (model, prompt), so a rescore, a rerun or a
repeated transcript costs no call."""

from __future__ import annotations

import hashlib
import json
import threading
from pathlib import Path
from typing import Any

from .chat import ChatBackend


class LLMCache:
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
    raises :class:`LLMError` on an unusable reply, which is then not cached. ``cache`` is a path or an
    open :class:`LLMCache` (to share one file between scorers)."""

    def __init__(self, backend: ChatBackend, cache: str | Path | LLMCache | None = None):
        self.backend = backend
        self.name = f"llm:{backend.ident}"
        self.cache = cache if isinstance(cache, LLMCache) else LLMCache(cache)
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


