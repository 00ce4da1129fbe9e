"""Hugging Face adapter: a Qwen2-VL / Qwen2.5-VL / Qwen3-VL ``transformers`` model as a :class:`StreamingModel`.

Each frame is appended to the KV cache as its own vision chunk
``<|vision_start|> <|video_pad|> x n <|vision_end|>`` (the frame duplicated to the temporal patch, as
the Qwen processors do for still images); nothing already in the cache is recomputed. The 3D mRoPE
positions of each new chunk are computed incrementally with the model's own ``get_vision_position_ids``,
exactly as ``get_rope_index`` would for the whole sequence, and passed explicitly — so a stream gives
the same logits as one full re-prefill (tested). Qwen3-VL needs nothing more: each frame is its own
``t = 1`` grid there too, and its DeepStack features ride along in the vision-encoder output the
chunk's forward receives. After every frame an open query's stream decides
``</Silence>`` vs ``</Response>``; after ``</Response>`` the answer is generated greedily.

Memory stays bounded with ``window_frames`` (default 200 frame turns, the paper's sliding window): the oldest
frame turns (label, frame chunk, decision, answer) are evicted from the cache (the
prompt and query are kept, like an attention sink); positions keep increasing, so no re-rotation.

Frames are resized and patchified here (numpy + PIL, no torchvision): the processor's ``smart_resize``
(aspect ratio kept, about ``frame_size**2`` pixels), CLIP mean/std normalisation and its patch layout —
equal to ``Qwen2VLImageProcessorPil``'s output with that pixel budget (tested).
"""

from __future__ import annotations

import copy
from dataclasses import asdict

import numpy as np
import torch

from ...core.types import Frame, Query, Response, StreamInfo
from ..base import StreamingModel, frame_label
from .config import LAYOUT_TOKENS, STREAM_TOKENS, HFStreamConfig, query_text, saved_stream_config
from .loading import add_stream_tokens, load_hf
from .processing import patchify, pixel_norm, qwen_resize


class _Stream:
    """A KV cache plus the bookkeeping needed to extend it and evict old frames."""

    def __init__(self):
        self.cache = None
        self.pos = 0  # next mRoPE text position
        self.frame_spans: list[tuple[int, int]] = []  # [start, end) of each frame chunk in the cache

    @property
    def length(self) -> int:
        return 0 if self.cache is None else self.cache.get_seq_length()

    def fork(self) -> _Stream:
        s = _Stream()
        s.cache, s.pos, s.frame_spans = copy.deepcopy(self.cache), self.pos, list(self.frame_spans)
        return s

    def evict_oldest_frame(self) -> None:
        start, end = self.frame_spans.pop(0)
        for layer in self.cache.layers:
            layer.keys = torch.cat([layer.keys[:, :, :start], layer.keys[:, :, end:]], 2)
            layer.values = torch.cat([layer.values[:, :, :start], layer.values[:, :, end:]], 2)
        n = end - start
        self.frame_spans = [(a - n, b - n) for a, b in self.frame_spans]


class HFStreamingModel(StreamingModel):
    name = "hf"

    def __init__(self, model, tokenizer, cfg: HFStreamConfig | None = None):
        self.model, self.tokenizer = model.eval(), tokenizer
        self.cfg = cfg or HFStreamConfig()
        mc = model.config
        vc = mc.vision_config
        self.patch, self.merge, self.temporal = vc.patch_size, vc.spatial_merge_size, vc.temporal_patch_size
        self.norm = pixel_norm(mc)
        self.vs_id, self.ve_id, self.video_id = mc.vision_start_token_id, mc.vision_end_token_id, mc.video_token_id
        self.silence_id, self.respond_id = (tokenizer.convert_tokens_to_ids(t) for t in STREAM_TOKENS)
        self.im_end = tokenizer.convert_tokens_to_ids("<|im_end|>")
        # tokens an answer must never contain: they would corrupt the stream layout (a sampled
        # <|video_pad|> would not match any frame); the padding token too, unless it is the stop token
        vocab = tokenizer.get_vocab()
        banned = {self.vs_id, self.ve_id, self.video_id, mc.image_token_id, tokenizer.pad_token_id,
                  *(vocab[t] for t in LAYOUT_TOKENS if t in vocab)} - {self.im_end, None}
        self.banned = torch.tensor(sorted(banned))
        self.stop_ids = {i for i in (tokenizer.eos_token_id, self.im_end) if i is not None} - banned
        self.device = next(model.parameters()).device
        self.dtype = next(model.parameters()).dtype
        self.gen = torch.Generator().manual_seed(self.cfg.seed)
        self.trace: dict[str, list[tuple[int, list[int]]]] = {}  # query -> [(frame index, action token ids)]
        self.respond_p: dict[str, list[float]] = {}  # query -> P(<respond> | <silence> or <respond>) per frame
        base = model.get_base_model() if hasattr(model, "get_base_model") else model  # a peft model too
        self._vision_position_ids = base.model.get_vision_position_ids
        self._video_features = base.model.get_video_features

    @classmethod
    def from_pretrained(cls, path: str, dtype: str = "float32", device_map: str | None = None, **cfg) -> HFStreamingModel:
        """Load from a local folder (or a hub id where a hub is reachable) and add the stream tokens.
        A model trained by ``streampro train`` carries ``streampro.json`` (frame size, system prompt):
        those become the defaults, so it streams with the settings it was trained with."""
        tok, model = load_hf(path, dtype, device_map)
        add_stream_tokens(model, tok)
        return cls(model, tok, HFStreamConfig(**{**asdict(saved_stream_config(path)), **cfg}))

    def spawn(self) -> HFStreamingModel:
        """Another stream on the same weights: its own caches (set by ``reset``) and its own sampler."""
        new = copy.copy(self)
        new.cfg, new.gen = copy.deepcopy(self.cfg), torch.Generator().manual_seed(self.cfg.seed)
        return new

    # -- low level ---------------------------------------------------------------------------
    @torch.no_grad()
    def _forward(self, s: _Stream, ids: list[int], positions: torch.Tensor, grid=None, features=None) -> torch.Tensor:
        out = self.model(input_ids=torch.tensor([ids], device=self.device), position_ids=positions.to(self.device)[:, None],
                         cache=s.cache, use_cache=True,
                         mm_encoder_outputs=None if features is None else {"video": features},
                         video_grid_thw=None if grid is None else grid.to(self.device))
        s.cache = out.cache
        return out.logits[0, -1].float()

    def _text(self, s: _Stream, ids: list[int]) -> torch.Tensor:
        positions = (torch.arange(len(ids)) + s.pos).expand(3, -1)
        s.pos += len(ids)
        return self._forward(s, ids, positions)

    @torch.no_grad()
    def encode_visual(self, pixels: torch.Tensor, grid: torch.Tensor):
        """Run the vision tower on one frame chunk; the result serves every stream of that frame."""
        return self._video_features(pixels.to(self.device, self.dtype), grid.to(self.device), return_dict=True)

    def _frame(self, s: _Stream, pixels: torch.Tensor, grid: torch.Tensor, features=None,
               label: list[int] | None = None) -> torch.Tensor:
        """Append one frame turn: its ``<Xs-Ys>`` label (if any) and its vision chunk; evicted together."""
        if features is None:
            features = self.encode_visual(pixels, grid)
        start = s.length
        if label:
            self._text(s, label)
        n = int(grid[0, 0] * grid[0, 1] * grid[0, 2]) // self.merge**2
        vision = self._vision_position_ids(s.pos + 1, grid[0], 1, self.merge)
        after = s.pos + 1 + int(max(grid[0, 1], grid[0, 2])) // self.merge
        positions = torch.cat([torch.full((3, 1), s.pos), vision, torch.full((3, 1), after)], 1)
        logits = self._forward(s, [self.vs_id, *[self.video_id] * n, self.ve_id], positions, grid, features)
        s.pos = after + 1
        s.frame_spans.append((start, s.length))
        if self.cfg.window_frames is not None:
            while len(s.frame_spans) > self.cfg.window_frames:
                s.evict_oldest_frame()
        return logits

    def _pick(self, logits: torch.Tensor) -> int:
        if not self.cfg.sample:
            return int(logits.argmax())
        return int(torch.multinomial(torch.softmax(logits / self.cfg.temperature, -1), 1, generator=self.gen))

    def _generate(self, s: _Stream, logits: torch.Tensor, feed_stop: bool = False) -> tuple[str, list[int]]:
        """Decode an answer; returns the text and the token ids produced (the stop token included, and
        then also fed to the cache when ``feed_stop``, as in the training layout)."""
        out = []
        for _ in range(self.cfg.max_new_tokens):
            nxt = self._pick(logits.index_fill(0, self.banned.to(logits.device), float("-inf")))
            out.append(nxt)
            if nxt in self.stop_ids:
                if feed_stop:
                    self._text(s, [nxt])
                break
            logits = self._text(s, [nxt])
        text_ids = [i for i in out if i not in self.stop_ids]
        return self.tokenizer.decode(text_ids, skip_special_tokens=True).strip(), out

    def _cut(self, ids: list[int]) -> bool:
        """The answer ran into ``max_new_tokens`` before a stop token."""
        return not ids or ids[-1] not in self.stop_ids

    def encode_frame(self, pixels: np.ndarray) -> tuple[torch.Tensor, torch.Tensor]:
        frame = qwen_resize(pixels, self.cfg.frame_size, self.patch * self.merge)
        return patchify(frame[None], self.patch, self.merge, self.temporal, self.norm)

    def query_ids(self, query: Query) -> list[int]:
        text = query.prompt if query.prompt is not None else query_text(query.question, query.options)
        return self.tokenizer.encode(text, add_special_tokens=False)

    # -- StreamingModel ------------------------------------------------------------------------
    def label_ids(self, frame: Frame) -> list[int]:
        if not self.cfg.frame_labels:
            return []
        return self.tokenizer.encode(frame_label(frame.time, self.fps), add_special_tokens=False)

    def reset(self, info: StreamInfo) -> None:
        super().reset(info)
        self.fps = info.fps
        self.base = _Stream()
        self._text(self.base, self.tokenizer.encode(self.cfg.system_prompt, add_special_tokens=False))
        self.streams: dict[str, _Stream] = {}
        self.trace, self.respond_p = {}, {}

    def _fork_base(self) -> _Stream:
        if self.base is None:
            raise RuntimeError("a query after no_more_queries(): the stream it would fork from is gone")
        return self.base.fork()

    def add_query(self, query: Query) -> None:
        s = self._fork_base()
        super().add_query(query)
        self._text(s, self.query_ids(query))
        self.streams[query.id] = s
        self.trace[query.id], self.respond_p[query.id] = [], []

    def close_query(self, query_id: str) -> None:
        super().close_query(query_id)
        self.streams.pop(query_id, None)

    def no_more_queries(self) -> None:
        """The base stream only serves forks for later queries: with none to come, stop feeding it (one
        LLM pass per frame fewer for a video with one question, as in every GRPO rollout)."""
        self.base = None

    def step(self, frame: Frame) -> list[Response]:
        pixels, grid = self.encode_frame(frame.pixels)
        features = self.encode_visual(pixels, grid)  # once per frame, however many queries are open
        label = self.label_ids(frame)
        if self.base is not None:
            self._frame(self.base, pixels, grid, features, label)
        out = []
        for qid, s in self.streams.items():
            logits = self._frame(s, pixels, grid, features, label)
            pair = logits[[self.silence_id, self.respond_id]]
            p = float(torch.softmax(pair, -1)[1])
            if self.record_trace:
                self.respond_p[qid].append(p)
            if self.cfg.decision_sampling == "full":
                dec = self._pick(logits)  # any token: only </Response> speaks
                respond = dec == self.respond_id
            else:
                if self.cfg.sample:
                    respond = bool(torch.multinomial(torch.softmax(pair / self.cfg.temperature, -1), 1, generator=self.gen))
                else:
                    respond = p >= self.cfg.respond_threshold
                dec = self.respond_id if respond else self.silence_id
            logits = self._text(s, [dec])
            actions = [dec]
            if respond:
                text, ids = self._generate(s, logits, feed_stop=True)
                actions += ids
                out.append(Response(qid, text, cut=self._cut(ids)))
            if self.record_trace:
                self.trace[qid].append((frame.index, actions))
            start, _ = s.frame_spans[-1]
            s.frame_spans[-1] = (start, s.length)  # the turn (frame + decision + answer) is evicted as one
        return out

    def answer_now(self, query: Query) -> str:
        s = self._fork_base()
        return self._generate(s, self._text(s, self.query_ids(query)))[0]
