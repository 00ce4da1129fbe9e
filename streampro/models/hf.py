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
import json
import os
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np
import torch

from ..core.types import Frame, Query, Response, StreamInfo
from .base import StreamingModel, frame_label

CLIP_MEAN = np.array([0.48145466, 0.4578275, 0.40821073], dtype=np.float32)
CLIP_STD = np.array([0.26862954, 0.26130258, 0.27577711], dtype=np.float32)
#: per-architecture pixel normalisation, as each family's image processor does it (Qwen3-VL: 0.5/0.5)
PIXEL_NORM = {"qwen3_vl": (np.full(3, 0.5, np.float32), np.full(3, 0.5, np.float32))}
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


def qwen_resize(pixels: np.ndarray, frame_size: int, factor: int) -> np.ndarray:
    """Resize a frame as the Qwen processors do (their ``smart_resize``, bicubic): keep the aspect
    ratio, both sides multiples of ``factor`` (patch * merge), with the pixel budget fixed at about
    ``frame_size**2`` — up or down — so every frame costs the same tokens whatever the video's
    resolution, and a model trained on ``frame_size`` frames sees the same grid when streaming."""
    from PIL import Image
    from transformers.models.qwen2_vl.image_processing_pil_qwen2_vl import smart_resize

    h, w = pixels.shape[:2]
    budget = frame_size * frame_size
    nh, nw = smart_resize(h, w, factor=factor, min_pixels=budget, max_pixels=budget)
    if (nh, nw) == (h, w):
        return pixels
    return np.asarray(Image.fromarray(pixels).resize((nw, nh), Image.Resampling.BICUBIC))


def pixel_norm(config) -> tuple[np.ndarray, np.ndarray]:
    """(mean, std) the model's own processor normalises with: CLIP's for Qwen2/2.5-VL, 0.5 for Qwen3-VL."""
    return PIXEL_NORM.get(getattr(config, "model_type", ""), (CLIP_MEAN, CLIP_STD))


def patchify(frames: np.ndarray, patch: int, merge: int, temporal: int,
             norm: tuple[np.ndarray, np.ndarray] = (CLIP_MEAN, CLIP_STD)) -> tuple[torch.Tensor, torch.Tensor]:
    """[T, H, W, 3] uint8 -> (pixel_values [t*h*w, 3*temporal*patch*patch], grid_thw [1, 3]) in Qwen's layout."""
    x = (frames.astype(np.float32) / 255.0 - norm[0]) / norm[1]
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

    def add_query(self, query: Query) -> None:
        super().add_query(query)
        s = self.base.fork()
        self._text(s, self.query_ids(query))
        self.streams[query.id] = s
        self.trace[query.id], self.respond_p[query.id] = [], []

    def close_query(self, query_id: str) -> None:
        super().close_query(query_id)
        self.streams.pop(query_id, None)

    def step(self, frame: Frame) -> list[Response]:
        pixels, grid = self.encode_frame(frame.pixels)
        features = self.encode_visual(pixels, grid)  # once per frame, however many queries are open
        label = self.label_ids(frame)
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
        s = self.base.fork()
        return self._generate(s, self._text(s, self.query_ids(query)))[0]


def saved_stream_config(path: str | Path) -> HFStreamConfig:
    saved = Path(path) / STREAM_CONFIG_FILE
    return HFStreamConfig(**json.loads(saved.read_text())) if saved.exists() else HFStreamConfig()


def load_hf(path: str | Path, dtype: str = "float32", device_map: str | None = None):
    """(tokenizer, model) of a Qwen2-VL-family checkpoint; a clear error when the folder is not one."""
    from transformers import AutoModelForImageTextToText, AutoTokenizer

    if device_map == "cuda" and "LOCAL_RANK" in os.environ:  # sharded eval: one GPU per process
        device_map = f"cuda:{os.environ['LOCAL_RANK']}"
    if str(path).startswith(("/", "./", "../", "~")) and not Path(path).expanduser().is_dir():
        raise FileNotFoundError(f"model folder not found: {path}")  # a path, not a hub id: say so plainly
    try:
        tok = AutoTokenizer.from_pretrained(str(path))
        model = AutoModelForImageTextToText.from_pretrained(str(path), dtype=getattr(torch, dtype), device_map=device_map)
    except OSError as e:
        raise FileNotFoundError(f"cannot load a Hugging Face model from {path}: {e}") from None
    return tok, model


def add_stream_tokens(model, tokenizer) -> None:
    """Add ``</Silence>``/``</Response>`` as special tokens, growing the embeddings only if needed."""
    missing = [t for t in STREAM_TOKENS if t not in tokenizer.get_vocab()]
    if missing:
        tokenizer.add_special_tokens({"additional_special_tokens": missing})
    if len(tokenizer) > model.get_input_embeddings().weight.shape[0]:
        model.resize_token_embeddings(len(tokenizer))


QWEN_SPECIALS = ["<|endoftext|>", "<|im_start|>", "<|im_end|>", "<|vision_start|>", "<|vision_end|>",
                 "<|image_pad|>", "<|video_pad|>", *STREAM_TOKENS]


TINY_ARCHS = ("qwen2_5_vl", "qwen3_vl")


def tiny_vlm(arch: str = "qwen2_5_vl", directory: str | Path | None = None, seed: int = 0,
             words: list[str] | None = None):
    """A randomly initialised, tiny Qwen2.5-VL or Qwen3-VL and an offline word-level tokenizer — for tests
    and benchmarks on machines without a model hub. Same architecture and code paths as the real model
    (Qwen3-VL: 16-px patches, interleaved mRoPE, DeepStack features fed to the first decoder layers)."""
    from tokenizers import Tokenizer, pre_tokenizers
    from tokenizers.models import WordLevel
    from transformers import PreTrainedTokenizerFast

    from .tokenizer import world_vocabulary

    if arch not in TINY_ARCHS:
        raise ValueError(f"unknown arch {arch!r}; choose one of {', '.join(TINY_ARCHS)}")
    vocab = {t: i for i, t in enumerate(["<unk>", *QWEN_SPECIALS])}
    base = words or world_vocabulary() + ["Question", "Options", "You", "are", "watching", "live", "video", "stream",
                                          "After", "each", "frame", "decide", "whether", "you", "can", "answer", "A",
                                          "B", "C", "D", "The", "best", "option", "is", "with", "only", "letter",
                                          PAPER_SYSTEM_PROMPT, DECISION_TREE_PROMPT, "< > - . ( ) \" :"]
    pre = pre_tokenizers.Sequence([pre_tokenizers.WhitespaceSplit(), pre_tokenizers.Punctuation()])
    for text in base:
        for w, _ in pre.pre_tokenize_str(text):
            vocab.setdefault(w, len(vocab))
    tk = Tokenizer(WordLevel(vocab, unk_token="<unk>"))
    tk.pre_tokenizer = pre
    tok = PreTrainedTokenizerFast(tokenizer_object=tk, unk_token="<unk>", eos_token="<|im_end|>", pad_token="<|endoftext|>",
                                  additional_special_tokens=QWEN_SPECIALS)
    ids = {t: vocab[t] for t in QWEN_SPECIALS}
    text = dict(hidden_size=64, intermediate_size=128, num_hidden_layers=2, num_attention_heads=4,
                num_key_value_heads=2, vocab_size=1000, max_position_embeddings=32768,
                bos_token_id=ids["<|endoftext|>"], eos_token_id=ids["<|im_end|>"], pad_token_id=ids["<|endoftext|>"])
    special = dict(image_token_id=ids["<|image_pad|>"], video_token_id=ids["<|video_pad|>"],
                   vision_start_token_id=ids["<|vision_start|>"], vision_end_token_id=ids["<|vision_end|>"])
    torch.manual_seed(seed)
    if arch == "qwen2_5_vl":
        from transformers import Qwen2_5_VLConfig, Qwen2_5_VLForConditionalGeneration

        cfg = Qwen2_5_VLConfig(
            text_config={**text, "rope_scaling": {"type": "mrope", "mrope_section": [2, 3, 3]}},
            vision_config=dict(depth=2, hidden_size=32, intermediate_size=64, num_heads=2, out_hidden_size=64,
                               patch_size=14, spatial_merge_size=2, temporal_patch_size=2, window_size=56,
                               fullatt_block_indexes=[1]), **special)
        model = Qwen2_5_VLForConditionalGeneration(cfg).eval()
    else:
        from transformers import Qwen3VLConfig, Qwen3VLForConditionalGeneration

        cfg = Qwen3VLConfig(
            text_config={**text, "head_dim": 16, "rope_parameters": {"rope_type": "default", "rope_theta": 5e6,
                                                                     "mrope_section": [2, 3, 3], "mrope_interleaved": True}},
            vision_config=dict(depth=2, hidden_size=32, intermediate_size=64, num_heads=2, out_hidden_size=64,
                               patch_size=16, spatial_merge_size=2, temporal_patch_size=2, num_position_embeddings=64,
                               deepstack_visual_indexes=[0, 1]), **special)
        model = Qwen3VLForConditionalGeneration(cfg).eval()
    if directory is not None:
        model.save_pretrained(directory)
        tok.save_pretrained(directory)
    return model, tok


def tiny_qwen2_5_vl(directory: str | Path | None = None, seed: int = 0, words: list[str] | None = None):
    """``tiny_vlm("qwen2_5_vl", ...)``."""
    return tiny_vlm("qwen2_5_vl", directory, seed, words)


@dataclass
class HFLayout:
    """The trajectory layout of an HF model (same attribute names as ``SmallConfig``), so
    ``streampro.train.trajectory`` and the losses apply unchanged. The preamble and the query text are
    exactly what :class:`HFStreamingModel` feeds, so a trained model streams in the layout it learned."""

    tokens_per_frame: int
    image_size: int
    pad_id: int
    eos_id: int
    silence_id: int
    respond_id: int
    frame_id: int  # placeholder of visual positions; replaced by the vision chunk in ``HFPolicy.forward``
    preamble: tuple[int, ...]
    max_answer_tokens: int = 8
    frame_labels: bool = True

    def query_ids(self, tokenizer, question: str, options: tuple[str, ...] | list[str]) -> list[int]:
        return tokenizer.encode(query_text(question, options), add_special_tokens=False).ids

    def frame_label_ids(self, tokenizer, k: int, fps: float) -> list[int]:
        """Text tokens before frame ``k``: the same ``<Xs-Ys>`` the streamer feeds."""
        return tokenizer.encode(frame_label(k / fps, fps), add_special_tokens=False).ids if self.frame_labels else []


def is_vision_tower(name: str) -> bool:
    """A parameter of the ViT itself, not of its projector into the language model (Qwen2/2.5-VL's
    ``visual.merger``; Qwen3-VL's ``visual.merger`` and ``visual.deepstack_merger_list``)."""
    return "visual." in name and "merger" not in name


class HFPolicy(torch.nn.Module):
    """A Qwen2-VL-family model behind the trainers' interface: ``policy(tokens, is_visual, frames) -> logits``.

    Every frame block of the layout (``tokens_per_frame`` placeholders) becomes
    ``<|vision_start|> <|video_pad|> x n <|vision_end|>`` with that frame's patches; the model computes
    mRoPE positions itself (``get_rope_index``) over the padded batch. ``streamer()`` gives the
    :class:`HFStreamingModel` of the same weights and layout, for evaluation and GRPO rollouts.
    """

    def __init__(self, model, hf_tokenizer, frame_size: int | None = None, stream: HFStreamConfig | None = None):
        super().__init__()
        missing = [t for t in LAYOUT_TOKENS if t not in hf_tokenizer.get_vocab()]
        if missing:
            hf_tokenizer.add_special_tokens({"additional_special_tokens": missing})
        add_stream_tokens(model, hf_tokenizer)
        self.model, self.hf_tokenizer = model, hf_tokenizer
        self.tokenizer = hf_tokenizer.backend_tokenizer  # `.encode(text).ids`, as the layout code expects
        self.stream = stream or HFStreamConfig()
        if frame_size:
            self.stream.frame_size = frame_size
        frame_size = self.stream.frame_size
        vc = model.config.vision_config
        self.patch, self.merge, self.temporal = vc.patch_size, vc.spatial_merge_size, vc.temporal_patch_size
        self.norm = pixel_norm(model.config)
        if frame_size % (self.patch * self.merge):
            raise ValueError(f"frame_size {frame_size} must be a multiple of patch*merge={self.patch * self.merge}")
        self.n_visual = (frame_size // self.patch) ** 2 // self.merge**2
        ids = hf_tokenizer.convert_tokens_to_ids
        preamble = tuple(hf_tokenizer.encode(self.stream.system_prompt, add_special_tokens=False))
        self.cfg = HFLayout(tokens_per_frame=self.n_visual + 2, image_size=frame_size, pad_id=hf_tokenizer.pad_token_id,
                            eos_id=ids("<|im_end|>"), silence_id=ids("</Silence>"), respond_id=ids("</Response>"),
                            frame_id=ids("<frame>"), preamble=preamble, max_answer_tokens=self.stream.max_new_tokens,
                            frame_labels=self.stream.frame_labels)

    @classmethod
    def from_pretrained(cls, path: str | Path, frame_size: int | None = None, dtype: str = "float32",
                        lora: dict | None = None, gradient_checkpointing: bool = False,
                        train_vision: bool = False) -> HFPolicy:
        """Load for training (a model saved by ``streampro train`` keeps its stream settings).
        ``lora`` (``peft.LoraConfig`` fields) trains adapters on the language model plus the rows of the
        added stream tokens; without it the language model and the projector are fine-tuned, and the
        vision tower too only with ``train_vision`` (the paper trains the projector and the LLM)."""
        tok, model = load_hf(path, dtype)
        if gradient_checkpointing:
            model.gradient_checkpointing_enable()
        if not train_vision:
            for name, param in model.named_parameters():
                if is_vision_tower(name):
                    param.requires_grad_(False)
        policy = cls(model, tok, frame_size, saved_stream_config(path))
        if lora:
            try:
                from peft import LoraConfig, get_peft_model
            except ImportError:
                raise ImportError("LoRA needs peft: pip install 'streampro[hf]' (or pip install peft)") from None

            kw = {"r": 16, "lora_alpha": 32, "lora_dropout": 0.0,
                  "target_modules": r".*language_model.*\.(q_proj|k_proj|v_proj|o_proj)", **lora}
            # the added tokens' rows must learn too: input embeddings, and the output rows unless tied
            new_rows = tok.convert_tokens_to_ids(list(LAYOUT_TOKENS))
            tied = model.get_output_embeddings().weight is model.get_input_embeddings().weight
            kw.setdefault("trainable_token_indices", {"embed_tokens": new_rows, **({} if tied else {"lm_head": new_rows})})
            policy.model = get_peft_model(model, LoraConfig(**kw))
        return policy

    def streamer(self, **overrides) -> HFStreamingModel:
        cfg = HFStreamConfig(**{**asdict(self.stream), **overrides})
        return HFStreamingModel(self.model, self.hf_tokenizer, cfg)

    def save_pretrained(self, directory: str | Path) -> None:
        """A plain ``from_pretrained`` folder (LoRA merged in), its tokenizer with the added tokens, and
        ``streampro.json`` with the stream settings, so ``hf:DIR`` streams as trained."""
        model = self.model
        if hasattr(model, "merge_and_unload"):
            model = copy.deepcopy(model).merge_and_unload()
        model.save_pretrained(directory)
        self.hf_tokenizer.save_pretrained(directory)
        keep = {k: v for k, v in asdict(self.stream).items() if k not in ("sample", "temperature", "seed")}
        (Path(directory) / STREAM_CONFIG_FILE).write_text(json.dumps(keep, indent=2))

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
        chunks = [patchify(arr[i : i + 1], self.patch, self.merge, self.temporal, self.norm) for i in range(len(arr))]
        out = self.model(input_ids=ids, attention_mask=(tokens != self.cfg.pad_id).long(),
                         pixel_values_videos=torch.cat([c[0] for c in chunks]).to(self.model.dtype),
                         video_grid_thw=torch.cat([c[1] for c in chunks]),
                         mm_token_type_ids=(ids == mc.video_token_id).int() * 2)
        return out.logits


#: the paper's decision-tree prompt for offline VideoLLMs (§1 Protocol), asked after every frame
DECISION_TREE_PROMPT = (
    "Question: {question}\n"
    "Decide step by step. 1. Does the video so far hold enough evidence to answer the question? If not, reply "
    "exactly \"Wait\". 2. If it does, is the answer different from the last answer you gave ({last})? If not, "
    "reply exactly \"Wait\". 3. Otherwise reply with the new answer only.\n")


class HFOfflineModel(HFStreamingModel):
    """An offline VLM (no decision tokens) under the paper's decision-tree protocol: before the query it
    only observes; after it, at every frame it is asked the decision-tree prompt over all frames so far
    and speaks when the reply is not "Wait" and differs from its last answer.

    The frames sit in one KV cache and each frame's prompt is decoded on a fork of it, which gives the
    same tokens as re-prefilling [system, frames so far, prompt] at every frame (causal attention), at
    the cost of one prompt instead of the whole clip."""

    name = "hf-offline"

    def __init__(self, model, tokenizer, cfg: HFStreamConfig | None = None, prompt: str = DECISION_TREE_PROMPT):
        cfg = cfg or HFStreamConfig(system_prompt="You are watching a video.\n")
        super().__init__(model, tokenizer, cfg)
        self.prompt = prompt

    @classmethod
    def from_pretrained(cls, path: str, dtype: str = "float32", device_map: str | None = None, **cfg) -> HFOfflineModel:
        tok, model = load_hf(path, dtype, device_map)
        return cls(model, tok, HFStreamConfig(**{"system_prompt": "You are watching a video.\n", **cfg}))

    def add_query(self, query: Query) -> None:
        StreamingModel.add_query(self, query)
        self.last[query.id] = ""

    def reset(self, info: StreamInfo) -> None:
        super().reset(info)
        self.last: dict[str, str] = {}

    def step(self, frame: Frame) -> list[Response]:
        pixels, grid = self.encode_frame(frame.pixels)
        self._frame(self.base, pixels, grid, self.encode_visual(pixels, grid), self.label_ids(frame))
        out = []
        for qid, q in self.queries.items():
            s = self.base.fork()
            text = q.prompt if q.prompt is not None else q.question
            ids = self.tokenizer.encode(self.prompt.format(question=text, last=self.last[qid] or "none"),
                                        add_special_tokens=False)
            reply, reply_ids = self._generate(s, self._text(s, ids))
            reply = reply.strip()
            if reply and not reply.lower().startswith("wait") and reply != self.last[qid]:
                self.last[qid] = reply
                out.append(Response(qid, reply, cut=self._cut(reply_ids)))
        return out
