"""Every model call of the data pipeline: cached by content hash, validated, retried, never fatal.

A call is keyed by the backend, the prompt and the images' hashes; its raw reply is appended (fsynced)
to ``calls.jsonl`` the moment it arrives, so a run killed with ``kill -9`` and started again asks no
answered question twice (only the calls in flight at the kill, whose replies never arrived, are sent again). A reply that does not parse into the expected model is asked again with the reason
appended to the prompt (a new key, so the retry is cached too); after ``retries`` the call is a
:class:`CallFailure`, which the stage records and moves past.
"""

from __future__ import annotations

import hashlib
import json
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

from pydantic import BaseModel

from ..core.errors import StreamProError
from ..core.jsonl import append_jsonl, read_jsonl, repair_tail
from ..llm.chat import ChatBackend
from .replies import parse_reply

M = TypeVar("M", bound=BaseModel)

RETRY_NOTE = ("\n\nYour previous reply could not be used: {reason}. Reply again with only the JSON object "
              "described above.")


class BackendDown(StreamProError):
    """The endpoint failed after its retries: the run stops (what is cached stays) instead of recording
    every remaining call as a failure."""


@dataclass
class CallFailure:
    reason: str
    replies: list[str]


class CallCache:
    """``calls.jsonl``: one ``{"key", "reply"}`` line per answered call."""

    def __init__(self, path: Path):
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        repair_tail(path)
        self.replies = {r["key"]: r["reply"] for r in read_jsonl(path)}
        self.lock = threading.Lock()

    def get(self, key: str) -> str | None:
        return self.replies.get(key)

    def put(self, key: str, reply: str) -> None:
        with self.lock:
            self.replies[key] = reply
            append_jsonl(self.path, [{"key": key, "reply": reply}])


class Caller:
    """One backend with the cache and the parse/retry policy; counts calls and cache hits."""

    def __init__(self, backend: ChatBackend, cache: CallCache, retries: int = 2):
        self.backend, self.cache, self.retries = backend, cache, retries
        self.stats = {"calls": 0, "cache_hits": 0, "unusable_replies": 0, "failures": 0}
        self.lock = threading.Lock()

    def key(self, prompt: str, images: list[bytes]) -> str:
        digests = [hashlib.sha256(img).hexdigest() for img in images]
        return hashlib.sha256(json.dumps([self.backend.ident, prompt, digests]).encode()).hexdigest()

    def _reply(self, prompt: str, images: list[bytes]) -> str:
        key = self.key(prompt, images)
        hit = self.cache.get(key)
        if hit is not None:
            with self.lock:
                self.stats["cache_hits"] += 1
            return hit
        try:
            reply = self.backend(prompt, images)
        except StreamProError as e:  # JudgeError: the endpoint is down after its own retries
            raise BackendDown(str(e)) from None
        with self.lock:
            self.stats["calls"] += 1
        self.cache.put(key, reply)
        return reply

    def ask(self, prompt: str, model: type[M], images: list[bytes] | None = None) -> M | CallFailure:
        images = images or []
        replies, text = [], prompt
        for _ in range(self.retries + 1):
            reply = self._reply(text, images)
            replies.append(reply)
            try:
                return parse_reply(reply, model)  # type: ignore[return-value]
            except ValueError as e:
                reason = str(e)
                with self.lock:
                    self.stats["unusable_replies"] += 1
                text = prompt + RETRY_NOTE.format(reason=reason)
        with self.lock:
            self.stats["failures"] += 1
        return CallFailure(f"unusable reply after {self.retries + 1} attempt(s): {reason}", replies)


class LocalVLMChat:
    """A local Qwen2/2.5/3-VL folder as the pipeline's VLM, through the streaming adapter: the frames go
    into its KV cache as a stream would show them, then the prompt is answered (``answer_now``)."""

    def __init__(self, path: str, max_new_tokens: int = 512, frame_size: int = 448):
        from ..models.hf import HFStreamingModel

        self.model = HFStreamingModel.from_pretrained(path, max_new_tokens=max_new_tokens, frame_size=frame_size,
                                                      system_prompt="You are watching a video.\n")
        self.ident = Path(path).name or path
        self.lock = threading.Lock()

    def __call__(self, prompt: str, images: list[bytes] = ()) -> str:  # type: ignore[assignment]
        import io

        import numpy as np
        from PIL import Image

        from ..core.types import Frame, Query, StreamInfo

        with self.lock:
            self.model.reset(StreamInfo("frames", 1.0, float(len(images))))
            for k, img in enumerate(images):
                self.model.step(Frame(k, float(k), np.asarray(Image.open(io.BytesIO(img)).convert("RGB"))))
            return self.model.answer_now(Query("prompt", prompt))


def build_backend(spec: str, model: str | None, role: str, timeout: float = 120.0, retries: int = 2,
                  max_tokens: int = 1024) -> ChatBackend:
    """``spec``: an ``http(s)://`` OpenAI-compatible base URL (``model``: the served name) or a local folder
    (``role`` vlm: a Qwen-VL model; llm: a causal LM)."""
    from ..core.errors import InputError
    from ..llm.chat import LocalHFChat, OpenAIChat

    if spec.startswith(("http://", "https://")):
        if not model:
            raise InputError(f"--{role} {spec} is a URL: also give --{role}-model, the served model's name")
        return OpenAIChat(spec, model, timeout=timeout, max_retries=retries, max_tokens=max_tokens)
    if not Path(spec).is_dir():
        raise InputError(f"--{role} {spec}: neither an http(s):// URL nor a local model folder")
    return LocalVLMChat(spec) if role == "vlm" else LocalHFChat(spec, max_new_tokens=max_tokens)
