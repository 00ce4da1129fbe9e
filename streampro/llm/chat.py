"""Chat backends: ``backend(prompt, images=()) -> reply``. An OpenAI-compatible endpoint (vLLM, SGLang, ...)
or a local ``transformers`` causal LM; both satisfy :class:`ChatBackend`, the seam every caller types against."""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

from ..core.errors import InputError, StreamProError


class LLMError(StreamProError, RuntimeError):
    """An LLM could not produce a usable reply (endpoint down after retries, unparseable replies)."""


@runtime_checkable
class ChatBackend(Protocol):
    """What the judge, the rubric and the data pipeline call: one prompt (and optional JPEG frames) in,
    the reply text out. ``ident`` names the model in cache keys and tables. Implemented by
    :class:`OpenAIChat`, :class:`LocalHFChat` and the data pipeline's ``LocalVLMChat`` (a local Qwen-VL)."""

    ident: str

    def __call__(self, prompt: str, images: Sequence[bytes] = ()) -> str: ...


class OpenAIChat:
    """POST ``{url}/chat/completions`` (OpenAI-compatible), temperature 0; retries 429/5xx/timeouts
    with exponential backoff, then raises :class:`LLMError` naming the endpoint."""

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
                raise LLMError(self.down)
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
                     "server, or raise --llm-timeout / --llm-retries (answers cached so far are kept)")
        raise LLMError(self.down)


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



def build_chat(url: str | None, model: str | None, api_key_env: str = "OPENAI_API_KEY", timeout: float = 60.0,
               max_retries: int = 4, backoff: float = 1.0, max_tokens: int = 256):
    """The LLM behind the ``llm`` judge and the LLM rubric: an OpenAI-compatible endpoint (``url`` +
    served ``model`` name) or, without ``url``, a local transformers folder ``model``."""
    if url:
        if not model:
            raise ValueError("an LLM at --llm-url needs --llm-model (the served model's name)")
        return OpenAIChat(url, model, api_key_env, timeout, max_retries, backoff, max_tokens)
    if model:
        return LocalHFChat(model, max_new_tokens=max_tokens)
    raise ValueError("the llm judge/rubric needs an LLM: --llm-url URL --llm-model NAME or --llm-model LOCAL_PATH")


