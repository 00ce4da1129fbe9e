"""The stream settings of an HF model (decision tokens, system prompt, frame size, window, answer cap,
decision sampling), saved next to a trained model as ``streampro.json``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

STREAM_TOKENS = ("</Silence>", "</Response>")  # the paper's decision tokens
LAYOUT_TOKENS = (*STREAM_TOKENS, "<frame>")  # <frame>: the trainers' placeholder for a frame's positions
STREAM_CONFIG_FILE = "streampro.json"  # written next to a trained model: the stream settings it was trained with


#: the paper's system-prompt rules (§1 Protocol), worded for the decision tokens above
PAPER_SYSTEM_PROMPT = (
    "You are a proactive assistant watching a live video stream, one frame at a time. After each frame, output "
    "</Silence> while the relevant event is incomplete or irrelevant to the question; respond only when it has "
    "concluded or the evidence seen so far suffices. Give no partial answers and do not speculate. Every answer "
    "starts with </Response> followed by the answer.\n")


@dataclass
class HFStreamConfig:
    frame_size: int = 448  # every frame is resized to about frame_size**2 pixels, aspect kept (448: 256 tokens if square)
    window_frames: int | None = 200  # keep the last 200 frame turns (the paper's sliding window; None: all)
    # an answer's length cap: real answers are sentences (docs/real-models.md); a cut answer is marked ``cut``
    max_new_tokens: int = 128
    respond_threshold: float = 0.5
    system_prompt: str = PAPER_SYSTEM_PROMPT
    frame_labels: bool = True  # text label <Xs-Ys> before every frame chunk, as in the paper
    sample: bool = False  # draw decisions and answers from the policy (GRPO rollouts) instead of greedy
    temperature: float = 1.0
    seed: int = 0
    # how the per-frame decision is drawn. pair: from </Silence> vs </Response> only (sampled, or the
    # respond probability against respond_threshold), so every decision is well formed | full: from the whole
    # vocabulary (sampled, or argmax), as the paper's policy acts; any other token is a malformed decision that
    # stays silent and earns the format reward nothing (what that reward exists for)
    decision_sampling: str = "pair"

    def __post_init__(self):
        if self.decision_sampling not in ("pair", "full"):
            raise ValueError(f"decision_sampling must be 'pair' or 'full', got {self.decision_sampling!r}")


def query_text(question: str, options: tuple[str, ...] | list[str]) -> str:
    """How a question without a benchmark prompt is shown — the same text in training and streaming."""
    return f"Question: {question}\nOptions: " + "; ".join(options) + "\n" if options else question


def saved_stream_config(path: str | Path) -> HFStreamConfig:
    saved = Path(path) / STREAM_CONFIG_FILE
    return HFStreamConfig(**json.loads(saved.read_text())) if saved.exists() else HFStreamConfig()


DECISION_TREE_PROMPT = (
    "Question: {question}\n"
    "Decide step by step. 1. Does the video so far hold enough evidence to answer the question? If not, reply "
    "exactly \"Wait\". 2. If it does, is the answer different from the last answer you gave ({last})? If not, "
    "reply exactly \"Wait\". 3. Otherwise reply with the new answer only.\n")
