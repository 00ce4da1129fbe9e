"""StreamPro-Small: a compact streaming VideoLLM that trains on a CPU in minutes.

config -> model -> streamer, like ``transformers``: :class:`SmallConfig` holds the hyper-parameters,
:class:`StreamProSmall` is the network (a conv frame encoder giving ``grid**2`` visual tokens per frame
and a causal transformer with a KV cache over interleaved [query, frame, decision/answer] tokens), and
:class:`SmallStreamer` drives it as a :class:`StreamingModel`.

Sequence layout (also built by ``streampro.train.trajectory``)::

    <bos> [v v v v] [v v v v] <query> question <opts> <eoq> [v v v v] </Silence> [v v v v] </Response> the red square <eos> ...
          frame 0   frame 1    posted before the frame at query time     decision after every frame once a query is open

The decision is the next-token prediction at the last visual token of a frame.
"""

from __future__ import annotations

import json
import re
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F
from safetensors.torch import load_file, save_file
from torch import nn

from ..core.errors import InputError
from ..core.text import parse_choice
from ..core.types import Frame, Query, Response
from .base import StreamingModel
from .tokenizer import load_tokenizer, save_tokenizer


@dataclass
class SmallConfig:
    vocab_size: int = 128
    d_model: int = 128
    n_layers: int = 3
    n_heads: int = 4
    image_size: int = 32
    grid: int = 2  # visual tokens per frame = grid ** 2
    max_positions: int = 4096
    max_answer_tokens: int = 12
    # special token ids (the tokenizer's SPECIAL order)
    pad_id: int = 0
    unk_id: int = 1
    bos_id: int = 2
    eos_id: int = 3
    silence_id: int = 4
    respond_id: int = 5
    query_id: int = 6
    opts_id: int = 7
    eoq_id: int = 8
    frame_id: int = 9

    @property
    def tokens_per_frame(self) -> int:
        return self.grid * self.grid

    @property
    def preamble(self) -> tuple[int, ...]:
        """Tokens a stream starts with (the HF layout starts with its system prompt instead)."""
        return (self.bos_id,)

    def query_ids(self, tokenizer, question: str, options: tuple[str, ...] | list[str]) -> list[int]:
        return query_token_ids(tokenizer, self, question, options)

    def frame_label_ids(self, tokenizer, k: int, fps: float) -> list[int]:
        """No ``<Xs-Ys>`` text labels: StreamPro-Small's learned positions carry time (docs/training.md)."""
        return []


class FrameEncoder(nn.Module):
    """RGB uint8 frames -> ``grid**2`` tokens; each token sees one cell and keeps its layout in channels."""

    def __init__(self, cfg: SmallConfig):
        super().__init__()
        d = cfg.d_model
        self.grid = cfg.grid
        self.net = nn.Sequential(
            nn.Conv2d(3, 32, 4, 2, 1), nn.GELU(),
            nn.Conv2d(32, 64, 4, 2, 1), nn.GELU(),
        )
        cell = cfg.image_size // 4 // cfg.grid
        self.proj = nn.Conv2d(64, d, cell, cell)
        self.slot = nn.Parameter(torch.zeros(cfg.grid * cfg.grid, d))

    def forward(self, frames: torch.Tensor) -> torch.Tensor:  # [N, H, W, 3] uint8 -> [N, g*g, d]
        x = frames.permute(0, 3, 1, 2).float() / 127.5 - 1.0
        x = self.proj(self.net(x))
        return x.flatten(2).transpose(1, 2) + self.slot


class Block(nn.Module):
    def __init__(self, cfg: SmallConfig):
        super().__init__()
        self.h = cfg.n_heads
        self.ln1, self.ln2 = nn.LayerNorm(cfg.d_model), nn.LayerNorm(cfg.d_model)
        self.qkv = nn.Linear(cfg.d_model, 3 * cfg.d_model)
        self.out = nn.Linear(cfg.d_model, cfg.d_model)
        self.mlp = nn.Sequential(nn.Linear(cfg.d_model, 4 * cfg.d_model), nn.GELU(), nn.Linear(4 * cfg.d_model, cfg.d_model))

    def forward(self, x: torch.Tensor, cache: tuple[torch.Tensor, torch.Tensor] | None):
        B, T, D = x.shape
        q, k, v = self.qkv(self.ln1(x)).view(B, T, 3, self.h, D // self.h).permute(2, 0, 3, 1, 4)
        if cache is not None:
            k, v = torch.cat([cache[0], k], 2), torch.cat([cache[1], v], 2)
        past = k.shape[2] - T
        if past == 0:
            a = F.scaled_dot_product_attention(q, k, v, is_causal=True)
        else:  # new tokens see the whole cache and causally each other
            mask = torch.ones(T, k.shape[2], dtype=torch.bool).tril(past)
            a = F.scaled_dot_product_attention(q, k, v, attn_mask=mask)
        x = x + self.out(a.transpose(1, 2).reshape(B, T, D))
        x = x + self.mlp(self.ln2(x))
        return x, (k, v)

    def forward_ragged(self, x: torch.Tensor, past: list[tuple[torch.Tensor, torch.Tensor] | None],
                       mask: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        """One step for B streams whose caches have different lengths: the caches are right-padded to
        the longest, ``mask`` [B, 1, T, L+T] hides the padding. Returns x and the new tokens' k, v."""
        B, T, D = x.shape
        q, k, v = self.qkv(self.ln1(x)).view(B, T, 3, self.h, D // self.h).permute(2, 0, 3, 1, 4)
        L = mask.shape[-1] - T
        pk, pv = k.new_zeros(B, self.h, L, D // self.h), v.new_zeros(B, self.h, L, D // self.h)
        for b, kv in enumerate(past):
            if kv is not None:
                pk[b, :, : kv[0].shape[2]], pv[b, :, : kv[1].shape[2]] = kv[0][0], kv[1][0]
        a = F.scaled_dot_product_attention(q, torch.cat([pk, k], 2), torch.cat([pv, v], 2), attn_mask=mask)
        x = x + self.out(a.transpose(1, 2).reshape(B, T, D))
        x = x + self.mlp(self.ln2(x))
        return x, k, v


Cache = list[tuple[torch.Tensor, torch.Tensor]]


class StreamProSmall(nn.Module):
    def __init__(self, cfg: SmallConfig, tokenizer=None):
        super().__init__()
        self.cfg = cfg
        self.tokenizer = tokenizer
        self.tok = nn.Embedding(cfg.vocab_size, cfg.d_model)
        self.pos = nn.Embedding(cfg.max_positions, cfg.d_model)
        self.encoder = FrameEncoder(cfg)
        self.blocks = nn.ModuleList(Block(cfg) for _ in range(cfg.n_layers))
        self.ln = nn.LayerNorm(cfg.d_model)
        self.apply(self._init)

    @staticmethod
    def _init(m: nn.Module) -> None:
        if isinstance(m, (nn.Linear, nn.Embedding)):
            nn.init.normal_(m.weight, std=0.02)
        if isinstance(m, nn.Linear) and m.bias is not None:
            nn.init.zeros_(m.bias)

    # -- core -------------------------------------------------------------------------------
    def embed(self, tokens: torch.Tensor, visual: torch.Tensor | None, is_visual: torch.Tensor) -> torch.Tensor:
        """Token embeddings, with visual positions (``is_visual``) filled from ``visual`` in order."""
        x = self.tok(tokens.clamp_min(0))
        if visual is not None:
            x = x.masked_scatter(is_visual.unsqueeze(-1), visual.to(x.dtype))
        return x

    def forward_embeds(self, x: torch.Tensor, start: int = 0, cache: Cache | None = None) -> tuple[torch.Tensor, Cache]:
        T = x.shape[1]
        if start + T > self.cfg.max_positions:
            raise ValueError(f"stream longer than max_positions={self.cfg.max_positions}")
        x = x + self.pos(torch.arange(start, start + T))
        new: Cache = []
        for i, blk in enumerate(self.blocks):
            x, kv = blk(x, cache[i] if cache is not None else None)
            new.append(kv)
        return self.ln(x) @ self.tok.weight.T, new  # tied output head

    def forward_ragged(self, x: torch.Tensor, caches: list[Cache | None]) -> tuple[torch.Tensor, list[Cache]]:
        """Extend B independent streams by T tokens each in one batched pass (the server steps the
        frames of concurrent sessions together): ``x`` [B, T, d], ``caches[b]`` stream b's cache (its
        length is its next position). Returns the new tokens' logits and each stream's extended cache."""
        B, T, _ = x.shape
        lens = torch.tensor([0 if c is None else c[0][0].shape[2] for c in caches])
        if int(lens.max()) + T > self.cfg.max_positions:
            raise ValueError(f"stream longer than max_positions={self.cfg.max_positions}")
        x = x + self.pos(lens[:, None] + torch.arange(T))
        L = int(lens.max())
        seen = (torch.arange(L)[None, :] < lens[:, None])[:, None, :].expand(B, T, L)
        mask = torch.cat([seen, torch.ones(T, T, dtype=torch.bool).tril().expand(B, T, T)], -1)[:, None]
        new: list[Cache] = [[] for _ in range(B)]
        for i, blk in enumerate(self.blocks):
            x, k, v = blk.forward_ragged(x, [None if c is None else c[i] for c in caches], mask)
            for b, c in enumerate(caches):
                kb, vb = k[b : b + 1], v[b : b + 1]
                new[b].append((kb, vb) if c is None else (torch.cat([c[i][0], kb], 2), torch.cat([c[i][1], vb], 2)))
        return self.ln(x) @ self.tok.weight.T, new

    def forward(self, tokens: torch.Tensor, is_visual: torch.Tensor, frames: torch.Tensor | None) -> torch.Tensor:
        """Teacher-forced logits for a batch of laid-out sequences (``frames``: all visual frames of the
        batch in sequence order, [N, H, W, 3] uint8 — or, from a frozen encoder's feature cache, their
        visual tokens [N, g*g, d] float, which skips the encoder)."""
        visual = None
        if frames is not None and len(frames):
            visual = (frames if frames.is_floating_point() else self.encoder(frames)).reshape(-1, self.cfg.d_model)
        logits, _ = self.forward_embeds(self.embed(tokens, visual, is_visual))
        return logits

    # -- save / load ------------------------------------------------------------------------
    @torch.no_grad()
    def encode_frames(self, frames: np.ndarray, batch: int = 512) -> np.ndarray:
        """A video's visual tokens [K, g*g, d] float32: the feature cache of a frozen encoder."""
        out = [self.encoder(torch.from_numpy(frames[i : i + batch])) for i in range(0, len(frames), batch)]
        return torch.cat(out).numpy()

    def streamer(self, **kwargs) -> SmallStreamer:
        """The streaming model of these weights (``sample=True`` for GRPO rollouts)."""
        return SmallStreamer(self, **kwargs)

    def save_pretrained(self, directory: str | Path) -> None:
        d = Path(directory)
        d.mkdir(parents=True, exist_ok=True)
        (d / "config.json").write_text(json.dumps(asdict(self.cfg), indent=2))
        save_file({k: v.contiguous() for k, v in self.state_dict().items()}, str(d / "model.safetensors"))
        if self.tokenizer is not None:
            save_tokenizer(self.tokenizer, d)

    @classmethod
    def from_pretrained(cls, directory: str | Path) -> StreamProSmall:
        d = Path(directory)
        if not (d / "config.json").exists():
            raise FileNotFoundError(f"{d}: not a StreamPro-Small checkpoint (no config.json)")
        for f in ("tokenizer.json", "model.safetensors"):
            if not (d / f).exists():
                raise InputError(f"{d}: incomplete StreamPro-Small checkpoint, no {f} (a half-written final/? rerun "
                                 "the training command to write it again)")
        try:
            cfg = SmallConfig(**json.loads((d / "config.json").read_text()))
            model = cls(cfg, load_tokenizer(d))
            model.load_state_dict(load_file(str(d / "model.safetensors")))
        except Exception as e:  # a cut or foreign file: say which folder, not a safetensors traceback
            raise InputError(f"{d}: cannot load this StreamPro-Small checkpoint ({type(e).__name__}: "
                             f"{str(e)[:160]}); rerun the training command to write it again") from None
        return model.eval()


def query_token_ids(tokenizer, cfg: SmallConfig, question: str, options: tuple[str, ...] | list[str]) -> list[int]:
    ids = [cfg.query_id, *tokenizer.encode(question).ids, cfg.opts_id]
    for o in options:
        ids += tokenizer.encode(o).ids
    return [*ids, cfg.eoq_id]


def resize_frame(pixels: np.ndarray, size: int) -> np.ndarray:
    """Nearest-neighbour resize (frames from the world are already at the right size)."""
    h, w = pixels.shape[:2]
    if h == size and w == size:
        return pixels
    ys, xs = (np.arange(size) * h // size), (np.arange(size) * w // size)
    return pixels[ys][:, xs]


class _QueryStream:
    """A KV cache and the input embeddings it was built from, turn by turn (``[embeds, pinned]``), so
    that the sliding window can rebuild it from the turns it keeps. The prompt and the query are pinned."""

    def __init__(self, cache: Cache | None, length: int, turns: list[list] | None = None):
        self.cache, self.length = cache, length
        self.turns: list[list] = turns if turns is not None else []

    def record(self, x: torch.Tensor, new_turn: bool, pinned: bool = False) -> None:
        if new_turn or not self.turns:
            self.turns.append([x, pinned])
        else:
            self.turns[-1][0] = torch.cat([self.turns[-1][0], x], 1)


class SmallStreamer(StreamingModel):
    """Streams frames through StreamPro-Small with a KV cache.

    A base stream consumes frames before any query; when a query is posted the base cache is *forked*
    (tensors shared by reference, new tokens concatenated), so every query of a video reuses the one
    pass over the frames before it, and each frame is encoded by the CNN once for all queries.
    ``sample=True`` draws decisions and answers from the policy (GRPO rollouts); otherwise greedy.
    """

    name = "streampro-small"

    def __init__(self, model: StreamProSmall, seed: int = 0, sample: bool = False, temperature: float = 1.0,
                 respond_threshold: float = 0.5, window_frames: int | None = None):
        self.model = model.eval()
        self.cfg = model.cfg
        self.seed, self.sample, self.temperature, self.threshold = seed, sample, temperature, respond_threshold
        self.window_frames = window_frames
        self.gen = torch.Generator().manual_seed(seed)
        # answers may use words and <eos>, never control tokens (a sampled <frame> would corrupt the layout)
        c = self.cfg
        self.answer_mask = torch.zeros(c.vocab_size, dtype=torch.bool)
        self.answer_mask[[c.pad_id, c.bos_id, c.silence_id, c.respond_id, c.query_id, c.opts_id, c.eoq_id, c.frame_id, c.unk_id]] = True
        self.trace: dict[str, list[tuple[int, list[int]]]] = {}  # query -> [(frame index, action token ids)]

    def spawn(self) -> SmallStreamer:
        return SmallStreamer(self.model, self.seed, self.sample, self.temperature, self.threshold, self.window_frames)

    @torch.no_grad()
    def _extend(self, stream: _QueryStream, x: torch.Tensor, new_turn: bool = False, pinned: bool = False) -> torch.Tensor:
        logits, stream.cache = self.model.forward_embeds(x, stream.length, stream.cache)
        stream.length += x.shape[1]
        if self.window_frames is not None:
            stream.record(x, new_turn, pinned)
        return logits[0, -1]

    @torch.no_grad()
    def _slide(self, stream: _QueryStream) -> None:
        """The sliding window. Positions are learned (at most ``max_positions``), so evicted turns cannot
        simply be cut out of the cache as in the HF adapter: once a stream holds ``2 * window_frames``
        frame turns (or nears ``max_positions``), its cache is rebuilt from the pinned prompt and query and
        the last ``window_frames`` turns, positions from 0 — one extra forward per ``window_frames``
        frames, and memory between W and 2W turns for as long as the stream runs."""
        if self.window_frames is None:
            return
        free = [i for i, (_, pinned) in enumerate(stream.turns) if not pinned]
        if len(free) <= 2 * self.window_frames and stream.length + 64 <= self.cfg.max_positions:
            return
        drop = set(free[: len(free) - self.window_frames])
        stream.turns = [t for i, t in enumerate(stream.turns) if i not in drop]
        x = torch.cat([t[0] for t in stream.turns], 1)
        _, stream.cache = self.model.forward_embeds(x, 0, None)
        stream.length = x.shape[1]

    def _tok(self, ids: list[int]) -> torch.Tensor:
        return self.model.tok(torch.tensor([ids]))

    def reset(self, info) -> None:
        super().reset(info)
        self.base = _QueryStream(None, 0)
        self._extend(self.base, self._tok([self.cfg.bos_id]), pinned=True)
        self.streams: dict[str, _QueryStream] = {}
        self.trace = {}

    def add_query(self, query: Query) -> None:
        super().add_query(query)
        s = _QueryStream(list(self.base.cache), self.base.length, [list(t) for t in self.base.turns])
        self._extend(s, self._tok(query_token_ids(self.model.tokenizer, self.cfg, query.question, query.options)),
                     new_turn=True, pinned=True)
        self.streams[query.id] = s
        self.trace[query.id] = []

    def close_query(self, query_id: str) -> None:
        super().close_query(query_id)
        self.streams.pop(query_id, None)

    def _choose(self, logits: torch.Tensor, allowed: list[int] | None = None) -> int:
        if allowed is None:
            logits = logits.masked_fill(self.answer_mask, float("-inf"))
        if allowed is not None:
            sub = logits[allowed]
            if self.sample:
                return allowed[int(torch.multinomial(F.softmax(sub / self.temperature, -1), 1, generator=self.gen))]
            return allowed[int(sub.argmax())]
        if self.sample:
            return int(torch.multinomial(F.softmax(logits / self.temperature, -1), 1, generator=self.gen))
        return int(logits.argmax())

    def _decide(self, logits: torch.Tensor) -> int:
        if self.sample:
            return self._choose(logits, [self.cfg.silence_id, self.cfg.respond_id])
        p = F.softmax(logits[[self.cfg.silence_id, self.cfg.respond_id]], -1)[1]
        return self.cfg.respond_id if p >= self.threshold else self.cfg.silence_id

    def _act(self, qid: str, s: _QueryStream, frame: Frame, dec: int, logits: torch.Tensor) -> Response | None:
        """After the decision token is in the cache (``logits`` follow it): decode the answer if it was
        ``</Response>``, record the turn's actions, apply the window."""
        actions = [dec]
        out = None
        if dec == self.cfg.respond_id:
            answer = []
            for _ in range(self.cfg.max_answer_tokens):
                nxt = self._choose(logits)
                actions.append(nxt)
                logits = self._extend(s, self._tok([nxt]))
                if nxt == self.cfg.eos_id:
                    break
                answer.append(nxt)
            out = Response(qid, self.model.tokenizer.decode(answer), cut=actions[-1] != self.cfg.eos_id)
        if self.record_trace:
            self.trace[qid].append((frame.index, actions))
        self._slide(s)
        return out

    def _frame_tokens(self, frames: list[Frame]) -> torch.Tensor:
        pix = np.stack([resize_frame(f.pixels, self.cfg.image_size) for f in frames])
        return self.model.encoder(torch.from_numpy(pix))  # [N, g*g, d]

    @torch.no_grad()
    def step(self, frame: Frame) -> list[Response]:
        visual = self._frame_tokens([frame])  # [1, g*g, d], shared by every stream
        self._extend(self.base, visual, new_turn=True)
        self._slide(self.base)
        out = []
        for qid, s in self.streams.items():
            dec = self._decide(self._extend(s, visual, new_turn=True))
            r = self._act(qid, s, frame, dec, self._extend(s, self._tok([dec])))
            if r is not None:
                out.append(r)
        return out

    @staticmethod
    @torch.no_grad()
    def step_batch(streamers: list[SmallStreamer], frames: list[Frame]) -> list[list[Response]]:
        """``[m.step(f) for m, f in zip(streamers, frames)]`` in batched passes, for streamers that share
        one network (a server's sessions): one CNN call for all frames, one transformer pass for every
        stream's frame tokens, one for every open query's decision token; answers are then decoded
        stream by stream (they are rare). Same decisions and answers as stepping one by one (tested)."""
        model = streamers[0].model
        if any(m.model is not model for m in streamers):
            return [m.step(f) for m, f in zip(streamers, frames, strict=True)]
        visual = streamers[0]._frame_tokens(frames)
        rows = [(i, qid, s) for i, m in enumerate(streamers) for qid, s in [(None, m.base), *m.streams.items()]]
        x = visual[[i for i, _, _ in rows]]
        logits, caches = model.forward_ragged(x, [s.cache for _, _, s in rows])
        for (i, _, s), c, xb in zip(rows, caches, x, strict=True):
            s.cache, s.length = c, s.length + xb.shape[0]
            if streamers[i].window_frames is not None:
                s.record(xb[None], new_turn=True)
        queries = [(i, qid, s, streamers[i]._decide(logits[r, -1])) for r, (i, qid, s) in enumerate(rows) if qid]
        out: list[list[Response]] = [[] for _ in streamers]
        if queries:
            x = model.tok(torch.tensor([[dec] for *_, dec in queries]))
            logits, caches = model.forward_ragged(x, [s.cache for _, _, s, _ in queries])
            for r, ((i, qid, s, dec), c) in enumerate(zip(queries, caches, strict=True)):
                s.cache, s.length = c, s.length + 1
                if streamers[i].window_frames is not None:
                    s.record(x[r : r + 1], new_turn=False)
                resp = streamers[i]._act(qid, s, frames[i], dec, logits[r, -1])
                if resp is not None:
                    out[i].append(resp)
        for m in streamers:
            m._slide(m.base)
        return out

    def answer_now(self, query: Query) -> str:
        """Forced answer: post the query, then force <respond> and decode greedily. Lettered options
        ("B. red", as in StreamingBench) are shown without letters and the reply is the chosen letter,
        since a benchmark prompt asking for the letter is not something this small model can read."""
        lettered = [re.match(r"^\(?([A-Z])[.)]\s*(.*)$", o) for o in query.options]
        if query.options and all(lettered):
            bare = tuple(m.group(2) for m in lettered)
            text = self._answer(Query(query.id, query.question, bare, query.time, query.task))
            idx = parse_choice(text, bare)
            return lettered[idx].group(1) if idx is not None else text
        return self._answer(query)

    def _answer(self, query: Query) -> str:
        self.add_query(query)
        s = self.streams[query.id]
        logits = self._extend(s, self._tok([self.cfg.respond_id]))
        answer = []
        for _ in range(self.cfg.max_answer_tokens):
            nxt = self._choose(logits)
            if nxt == self.cfg.eos_id:
                break
            answer.append(nxt)
            logits = self._extend(s, self._tok([nxt]))
        self.close_query(query.id)
        return self.model.tokenizer.decode(answer)


def n_params(model: nn.Module) -> int:
    return sum(p.numel() for p in model.parameters())


