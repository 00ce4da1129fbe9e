"""Hugging Face adapter: a Qwen2-VL / Qwen2.5-VL ``transformers`` model as a :class:`StreamingModel`.

Each frame is appended to the KV cache as its own vision chunk
``<|vision_start|> <|video_pad|> x n <|vision_end|>`` (the frame duplicated to the temporal patch, as
the Qwen processors do for still images); nothing already in the cache is recomputed. The 3D mRoPE
positions of each new chunk are computed incrementally with the model's own ``get_vision_position_ids``,
exactly as ``get_rope_index`` would for the whole sequence, and passed explicitly — so a stream gives
the same logits as one full re-prefill (tested). After every frame an open query's stream decides
``<silence>`` vs ``<respond>``; after ``<respond>`` the answer is generated greedily.

Memory stays bounded with ``window_frames``: the oldest frame chunks are evicted from the cache (the
prompt and query are kept, like an attention sink); positions keep increasing, so no re-rotation.

Frames are patchified here rather than by ``Qwen2VLImageProcessor`` (which needs torchvision): resize to
``frame_size`` (a multiple of patch*merge), CLIP mean/std normalisation, and the processor's patch layout.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch

from ..bench.video import Frame
from .base import Query, Response, StreamInfo, StreamingModel
from .small import resize_frame

CLIP_MEAN = np.array([0.48145466, 0.4578275, 0.40821073], dtype=np.float32)
CLIP_STD = np.array([0.26862954, 0.26130258, 0.27577711], dtype=np.float32)
STREAM_TOKENS = ("<silence>", "<respond>")


@dataclass
class HFStreamConfig:
    frame_size: int = 448  # pixels, square; a multiple of patch_size * merge_size (28 for Qwen)
    window_frames: int | None = None  # keep at most this many frames in the cache (None: all)
    max_new_tokens: int = 16
    respond_threshold: float = 0.5
    system_prompt: str = ("You are watching a live video stream. After each frame decide whether you can answer "
                          "the question reliably now (<respond> then the answer) or should wait (<silence>).\n")


def patchify(frames: np.ndarray, patch: int, merge: int, temporal: int) -> tuple[torch.Tensor, torch.Tensor]:
    """[T, H, W, 3] uint8 -> (pixel_values [t*h*w, 3*temporal*patch*patch], grid_thw [1, 3]) in Qwen's layout."""
    x = (frames.astype(np.float32) / 255.0 - CLIP_MEAN) / CLIP_STD
    x = x.transpose(0, 3, 1, 2)  # T, C, H, W
    if x.shape[0] % temporal:
        x = np.concatenate([x, np.repeat(x[-1:], temporal - x.shape[0] % temporal, 0)])
    T, C, H, W = x.shape
    if H % (patch * merge) or W % (patch * merge):
        raise ValueError(f"frame size {H}x{W} must be a multiple of patch*merge={patch * merge}")
    gt, gh, gw = T // temporal, H // patch, W // patch
    x = x.reshape(gt, temporal, C, gh // merge, merge, patch, gw // merge, merge, patch)
    x = x.transpose(0, 3, 6, 4, 7, 2, 1, 5, 8).reshape(gt * gh * gw, C * temporal * patch * patch)
    return torch.from_numpy(np.ascontiguousarray(x)), torch.tensor([[gt, gh, gw]])


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
        self.vs_id, self.ve_id, self.video_id = mc.vision_start_token_id, mc.vision_end_token_id, mc.video_token_id
        self.silence_id, self.respond_id = (tokenizer.convert_tokens_to_ids(t) for t in STREAM_TOKENS)
        self.stop_ids = {i for i in (tokenizer.eos_token_id, tokenizer.convert_tokens_to_ids("<|im_end|>")) if i is not None}
        self.device = next(model.parameters()).device
        self.dtype = next(model.parameters()).dtype

    @classmethod
    def from_pretrained(cls, path: str, dtype: str = "float32", device_map: str | None = None, **cfg) -> HFStreamingModel:
        """Load from a local folder (or a hub id where a hub is reachable) and add the stream tokens."""
        from transformers import AutoModelForImageTextToText, AutoTokenizer

        tok = AutoTokenizer.from_pretrained(path)
        model = AutoModelForImageTextToText.from_pretrained(path, dtype=getattr(torch, dtype), device_map=device_map)
        add_stream_tokens(model, tok)
        return cls(model, tok, HFStreamConfig(**cfg))

    # -- low level ---------------------------------------------------------------------------
    @torch.no_grad()
    def _forward(self, s: _Stream, ids: list[int], positions: torch.Tensor, pixels=None, grid=None) -> torch.Tensor:
        out = self.model(input_ids=torch.tensor([ids], device=self.device), position_ids=positions.to(self.device)[:, None],
                         past_key_values=s.cache, use_cache=True,
                         pixel_values_videos=None if pixels is None else pixels.to(self.device, self.dtype),
                         video_grid_thw=None if grid is None else grid.to(self.device))
        s.cache = out.past_key_values
        return out.logits[0, -1].float()

    def _text(self, s: _Stream, ids: list[int]) -> torch.Tensor:
        positions = (torch.arange(len(ids)) + s.pos).expand(3, -1)
        s.pos += len(ids)
        return self._forward(s, ids, positions)

    def _frame(self, s: _Stream, pixels: torch.Tensor, grid: torch.Tensor) -> torch.Tensor:
        n = int(grid[0, 0] * grid[0, 1] * grid[0, 2]) // self.merge**2
        vision = self.model.model.get_vision_position_ids(s.pos + 1, grid[0], 1, self.merge)
        after = s.pos + 1 + int(max(grid[0, 1], grid[0, 2])) // self.merge
        positions = torch.cat([torch.full((3, 1), s.pos), vision, torch.full((3, 1), after)], 1)
        start = s.length
        logits = self._forward(s, [self.vs_id, *[self.video_id] * n, self.ve_id], positions, pixels, grid)
        s.pos = after + 1
        s.frame_spans.append((start, s.length))
        if self.cfg.window_frames is not None:
            while len(s.frame_spans) > self.cfg.window_frames:
                s.evict_oldest_frame()
        return logits

    def _generate(self, s: _Stream, logits: torch.Tensor) -> str:
        out = []
        for _ in range(self.cfg.max_new_tokens):
            nxt = int(logits.argmax())
            if nxt in self.stop_ids:
                break
            out.append(nxt)
            logits = self._text(s, [nxt])
        return self.tokenizer.decode(out, skip_special_tokens=True).strip()

    def encode_frame(self, pixels: np.ndarray) -> tuple[torch.Tensor, torch.Tensor]:
        return patchify(resize_frame(pixels, self.cfg.frame_size)[None], self.patch, self.merge, self.temporal)

    def query_ids(self, query: Query) -> list[int]:
        if query.prompt is not None:
            return self.tokenizer.encode(query.prompt, add_special_tokens=False)
        text = f"Question: {query.question}\nOptions: " + "; ".join(query.options) + "\n" if query.options else query.question
        return self.tokenizer.encode(text, add_special_tokens=False)

    # -- StreamingModel ------------------------------------------------------------------------
    def reset(self, info: StreamInfo) -> None:
        super().reset(info)
        self.base = _Stream()
        self._text(self.base, self.tokenizer.encode(self.cfg.system_prompt, add_special_tokens=False))
        self.streams: dict[str, _Stream] = {}

    def add_query(self, query: Query) -> None:
        super().add_query(query)
        s = self.base.fork()
        self._text(s, self.query_ids(query))
        self.streams[query.id] = s

    def close_query(self, query_id: str) -> None:
        super().close_query(query_id)
        self.streams.pop(query_id, None)

    def step(self, frame: Frame) -> list[Response]:
        pixels, grid = self.encode_frame(frame.pixels)
        self._frame(self.base, pixels, grid)
        out = []
        for qid, s in self.streams.items():
            logits = self._frame(s, pixels, grid)
            p = torch.softmax(logits[[self.silence_id, self.respond_id]], -1)[1]
            dec = self.respond_id if p >= self.cfg.respond_threshold else self.silence_id
            logits = self._text(s, [dec])
            if dec == self.respond_id:
                out.append(Response(qid, self._generate(s, logits)))
            start, _ = s.frame_spans[-1]
            s.frame_spans[-1] = (start, s.length)  # the turn (frame + decision + answer) is evicted as one
        return out

    def answer_now(self, query: Query) -> str:
        s = self.base.fork()
        return self._generate(s, self._text(s, self.query_ids(query)))


def add_stream_tokens(model, tokenizer) -> None:
    """Add ``<silence>``/``<respond>`` as special tokens, growing the embeddings only if needed."""
    missing = [t for t in STREAM_TOKENS if t not in tokenizer.get_vocab()]
    if missing:
        tokenizer.add_special_tokens({"additional_special_tokens": missing})
    if len(tokenizer) > model.get_input_embeddings().weight.shape[0]:
        model.resize_token_embeddings(len(tokenizer))


QWEN_SPECIALS = ["<|endoftext|>", "<|im_start|>", "<|im_end|>", "<|vision_start|>", "<|vision_end|>",
                 "<|image_pad|>", "<|video_pad|>", *STREAM_TOKENS]


def tiny_qwen2_5_vl(directory: str | Path | None = None, seed: int = 0, words: list[str] | None = None):
    """A randomly initialised, tiny Qwen2.5-VL and an offline word-level tokenizer — for tests and
    benchmarks on machines without a model hub. Same architecture and code paths as the real model."""
    from tokenizers import Tokenizer, pre_tokenizers
    from tokenizers.models import WordLevel
    from transformers import PreTrainedTokenizerFast, Qwen2_5_VLConfig, Qwen2_5_VLForConditionalGeneration

    from .tokenizer import world_vocabulary

    vocab = {t: i for i, t in enumerate(["<unk>", *QWEN_SPECIALS])}
    base = words or world_vocabulary() + ["Question", "Options", "You", "are", "watching", "live", "video", "stream",
                                          "After", "each", "frame", "decide", "whether", "you", "can", "answer", "A",
                                          "B", "C", "D", "The", "best", "option", "is", "with", "only", "letter"]
    pre = pre_tokenizers.Sequence([pre_tokenizers.WhitespaceSplit(), pre_tokenizers.Punctuation()])
    for text in base:
        for w, _ in pre.pre_tokenize_str(text):
            vocab.setdefault(w, len(vocab))
    tk = Tokenizer(WordLevel(vocab, unk_token="<unk>"))
    tk.pre_tokenizer = pre
    tok = PreTrainedTokenizerFast(tokenizer_object=tk, unk_token="<unk>", eos_token="<|im_end|>", pad_token="<|endoftext|>",
                                  additional_special_tokens=QWEN_SPECIALS)
    ids = {t: vocab[t] for t in QWEN_SPECIALS}
    cfg = Qwen2_5_VLConfig(
        text_config=dict(hidden_size=64, intermediate_size=128, num_hidden_layers=2, num_attention_heads=4,
                         num_key_value_heads=2, vocab_size=1000, max_position_embeddings=32768,
                         rope_scaling={"type": "mrope", "mrope_section": [2, 3, 3]}, bos_token_id=ids["<|endoftext|>"],
                         eos_token_id=ids["<|im_end|>"], pad_token_id=ids["<|endoftext|>"]),
        vision_config=dict(depth=2, hidden_size=32, intermediate_size=64, num_heads=2, out_hidden_size=64, patch_size=14,
                           spatial_merge_size=2, temporal_patch_size=2, window_size=56, fullatt_block_indexes=[1]),
        image_token_id=ids["<|image_pad|>"], video_token_id=ids["<|video_pad|>"],
        vision_start_token_id=ids["<|vision_start|>"], vision_end_token_id=ids["<|vision_end|>"])
    torch.manual_seed(seed)
    model = Qwen2_5_VLForConditionalGeneration(cfg).eval()
    if directory is not None:
        model.save_pretrained(directory)
        tok.save_pretrained(directory)
    return model, tok


LAYOUT_TOKENS = (*STREAM_TOKENS, "<query>", "<opts>", "<eoq>", "<frame>")


@dataclass
class HFLayout:
    """The trajectory layout's token ids for an HF model (same attribute names as ``SmallConfig``), so
    ``streampro.train.trajectory`` and the losses apply unchanged."""

    tokens_per_frame: int
    image_size: int
    pad_id: int
    bos_id: int
    eos_id: int
    silence_id: int
    respond_id: int
    query_id: int
    opts_id: int
    eoq_id: int
    frame_id: int
    max_answer_tokens: int = 8


class HFPolicy(torch.nn.Module):
    """A Qwen2-VL-family model behind the trainers' interface: ``policy(tokens, is_visual, frames) -> logits``.

    Every frame block of the layout (``tokens_per_frame`` placeholders) becomes
    ``<|vision_start|> <|video_pad|> x n <|vision_end|>`` with that frame's patches; the model computes
    mRoPE positions itself (``get_rope_index``) over the padded batch.
    """

    def __init__(self, model, hf_tokenizer, frame_size: int = 448):
        super().__init__()
        missing = [t for t in LAYOUT_TOKENS if t not in hf_tokenizer.get_vocab()]
        if missing:
            hf_tokenizer.add_special_tokens({"additional_special_tokens": missing})
        add_stream_tokens(model, hf_tokenizer)
        self.model, self.hf_tokenizer = model, hf_tokenizer
        self.tokenizer = hf_tokenizer.backend_tokenizer  # `.encode(text).ids`, as the layout code expects
        vc = model.config.vision_config
        self.patch, self.merge, self.temporal = vc.patch_size, vc.spatial_merge_size, vc.temporal_patch_size
        self.n_visual = (frame_size // self.patch) ** 2 // self.merge**2
        ids = hf_tokenizer.convert_tokens_to_ids
        self.cfg = HFLayout(tokens_per_frame=self.n_visual + 2, image_size=frame_size,
                            pad_id=hf_tokenizer.pad_token_id, bos_id=ids("<|im_start|>"), eos_id=ids("<|im_end|>"),
                            silence_id=ids("<silence>"), respond_id=ids("<respond>"), query_id=ids("<query>"),
                            opts_id=ids("<opts>"), eoq_id=ids("<eoq>"), frame_id=ids("<frame>"))

    def forward(self, tokens: torch.Tensor, is_visual: torch.Tensor, frames: torch.Tensor) -> torch.Tensor:
        mc = self.model.config
        ids = tokens.clone()
        pos = is_visual.nonzero()  # row-major: frame blocks in the order their frames are stacked
        blocks = pos.view(-1, self.cfg.tokens_per_frame, 2)
        if len(blocks) != len(frames):
            raise ValueError(f"{len(blocks)} frame blocks in the layout but {len(frames)} frames")
        b, start = blocks[:, 0, 0], blocks[:, 0, 1]
        ids[b, start] = mc.vision_start_token_id
        ids[b, start + self.cfg.tokens_per_frame - 1] = mc.vision_end_token_id
        for j in range(1, self.cfg.tokens_per_frame - 1):
            ids[b, start + j] = mc.video_token_id
        arr = frames.cpu().numpy()
        # each frame is its own chunk, repeated to fill the temporal patch (as in streaming)
        chunks = [patchify(arr[i : i + 1], self.patch, self.merge, self.temporal) for i in range(len(arr))]
        out = self.model(input_ids=ids, attention_mask=(tokens != self.cfg.pad_id).long(),
                         pixel_values_videos=torch.cat([c[0] for c in chunks]).to(self.model.dtype),
                         video_grid_thw=torch.cat([c[1] for c in chunks]),
                         mm_token_type_ids=(ids == mc.video_token_id).int() * 2)
        return out.logits
