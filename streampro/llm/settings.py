"""Where the LLM is and how to talk to it: one set of fields, with the same flags on every command that
uses an LLM (``eval``/``score``'s judge, ``train grpo``'s judge and rubric). ``--judge-*`` are kept as
aliases of the ``--llm-*`` flags, so older command lines still work."""

from __future__ import annotations

from dataclasses import dataclass

from ..core.errors import InputError
from ..core.settings import setting
from .chat import ChatBackend, build_chat


@dataclass
class LLMSettings:
    llm_url: str | None = setting(None, "LLM (judge, rubric): OpenAI-compatible base URL, e.g. "
                                  "http://127.0.0.1:8000/v1", flags=("--llm-url", "--judge-url"))
    llm_model: str | None = setting(None, "LLM: the served model's name, or (without --llm-url) a local "
                                    "transformers folder", flags=("--llm-model", "--judge-model"))
    llm_api_key_env: str = setting("OPENAI_API_KEY", "LLM: the environment variable that holds the endpoint's API key",
                                   flags=("--llm-api-key-env",))
    llm_timeout: float = setting(60.0, "LLM: seconds to wait for one reply", flags=("--llm-timeout", "--judge-timeout"))
    llm_retries: int = setting(4, "LLM: retries (with backoff) before the endpoint counts as down",
                               flags=("--llm-retries", "--judge-retries"))
    llm_max_tokens: int | None = setting(None, "LLM: reply length (default 256 for the judge, which explains before "
                                         "it scores; 512 for GRPO, whose rubric writes lists)",
                                         flags=("--llm-max-tokens", "--judge-max-tokens"))
    llm_cache: str | None = setting(None, "LLM: reply cache, JSONL (default OUT/judge_cache.jsonl for eval, "
                                    "OUT/llm_cache.jsonl for GRPO): reruns are free", flags=("--llm-cache", "--judge-cache"))
    llm_concurrency: int = setting(8, "LLM: parallel requests", flags=("--llm-concurrency", "--judge-concurrency"))

    def check_llm(self, where: str) -> None:
        if not self.llm_timeout > 0 or self.llm_retries < 0 or self.llm_concurrency < 1:
            raise InputError(f"{where}: llm_timeout must be > 0, llm_retries >= 0 and llm_concurrency >= 1, got "
                             f"{self.llm_timeout}, {self.llm_retries} and {self.llm_concurrency}")
        if self.llm_max_tokens is not None and self.llm_max_tokens < 1:
            raise InputError(f"{where}: llm_max_tokens must be >= 1, got {self.llm_max_tokens}")

    def chat(self, max_tokens: int = 256) -> ChatBackend:
        """The backend these settings name (``max_tokens``: the caller's default reply length)."""
        return build_chat(self.llm_url, self.llm_model, self.llm_api_key_env, self.llm_timeout, self.llm_retries,
                          max_tokens=self.llm_max_tokens or max_tokens)
