"""An offline VLM (no decision tokens) under the paper's decision-tree protocol, on the streaming adapter's
KV cache.
"""

from __future__ import annotations

import copy

from ...core.types import Frame, Query, Response, StreamInfo
from ..base import StreamingModel
from .config import DECISION_TREE_PROMPT, HFStreamConfig
from .loading import load_hf
from .streaming import HFStreamingModel


class HFOfflineModel(StreamingModel):
    """An offline VLM (no decision tokens) under the paper's decision-tree protocol: before the query it
    only observes; after it, at every frame it is asked the decision-tree prompt over all frames so far
    and speaks when the reply is not "Wait" and differs from its last answer.

    It *has* a streaming adapter (``vlm``) rather than being one: the frames sit in the adapter's KV cache
    and each frame's prompt is decoded on a fork of it, which gives the same tokens as re-prefilling
    [system, frames so far, prompt] at every frame (causal attention), at the cost of one prompt instead of
    the whole clip. The adapter's own queries (decision tokens) are never used."""

    name = "hf-offline"

    def __init__(self, model, tokenizer, cfg: HFStreamConfig | None = None, prompt: str = DECISION_TREE_PROMPT):
        self.vlm = HFStreamingModel(model, tokenizer, cfg or HFStreamConfig(system_prompt="You are watching a video.\n"))
        self.prompt = prompt

    @classmethod
    def from_pretrained(cls, path: str, dtype: str = "float32", device_map: str | None = None, **cfg) -> HFOfflineModel:
        tok, model = load_hf(path, dtype, device_map)
        return cls(model, tok, HFStreamConfig(**{"system_prompt": "You are watching a video.\n", **cfg}))

    def spawn(self) -> HFOfflineModel:
        new = copy.copy(self)
        new.vlm = self.vlm.spawn()
        return new

    def reset(self, info: StreamInfo) -> None:
        super().reset(info)
        self.vlm.reset(info)
        self.last: dict[str, str] = {}

    def add_query(self, query: Query) -> None:
        super().add_query(query)
        self.last[query.id] = ""

    def step(self, frame: Frame) -> list[Response]:
        v = self.vlm
        pixels, grid = v.encode_frame(frame.pixels)
        v._frame(v.base, pixels, grid, v.encode_visual(pixels, grid), v.label_ids(frame))
        out = []
        for qid, q in self.queries.items():
            s = v.base.fork()
            text = q.prompt if q.prompt is not None else q.question
            ids = v.tokenizer.encode(self.prompt.format(question=text, last=self.last[qid] or "none"),
                                     add_special_tokens=False)
            reply, reply_ids = v._generate(s, v._text(s, ids))
            reply = reply.strip()
            if reply and not reply.lower().startswith("wait") and reply != self.last[qid]:
                self.last[qid] = reply
                out.append(Response(qid, reply, cut=v._cut(reply_ids)))
        return out

    def answer_now(self, query: Query) -> str:
        return self.vlm.answer_now(query)
