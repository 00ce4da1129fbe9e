"""The StreamPro-Small network: a conv frame encoder and a causal transformer with a KV cache.

Sequence layout (also built by ``streampro.train.trajectory``)::

    <bos> [v v v v] [v v v v] <query> question <opts> <eoq> [v v v v] </Silence> [v v v v] </Response> the red square <eos> ...
          frame 0   frame 1    posted before the frame at query time     decision after every frame once a query is open

The decision is the next-token prediction at the last visual token of a frame.
"""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F
from safetensors.torch import load_file, save_file
from torch import nn

from ...core.errors import InputError
from ..base import StreamingModel
from ..tokenizer import load_tokenizer, save_tokenizer
from .config import Cache, SmallConfig


class FrameEncoder(nn.Module):
    """RGB uint8 frames -> ``grid**2`` tokens; each token sees one cell and keeps its layout in channels."""

    def __init__(self, cfg: SmallConfig):
        super().__init__()
        d = cfg.d_model
        self.grid = cfg.grid
        c1, c2 = cfg.encoder_channels, 2 * cfg.encoder_channels
        layers: list[nn.Module] = []
        for c_in, c_out in ((3, c1), (c1, c2)):  # each scale: a downsampling conv, then encoder_depth 3x3 convs
            layers += [nn.Conv2d(c_in, c_out, 4, 2, 1), nn.GELU()]
            for _ in range(cfg.encoder_depth):
                layers += [nn.Conv2d(c_out, c_out, 3, 1, 1), nn.GELU()]
        self.net = nn.Sequential(*layers)
        cell = cfg.image_size // 4 // cfg.grid
        self.proj = nn.Conv2d(c2, d, cell, cell)
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
        self.motion = nn.Linear(cfg.d_model, cfg.d_model) if cfg.motion else None
        self.projector = nn.Sequential(nn.LayerNorm(cfg.d_model), nn.Linear(cfg.d_model, cfg.d_model)) if cfg.projector else None
        self.apply(self._init)
        if self.motion is not None:  # starts as the model without it
            nn.init.zeros_(self.motion.weight)

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

    def project(self, visual: torch.Tensor) -> torch.Tensor:
        """The encoder's tokens ``[N, g*g, d]`` as the transformer takes them (``cfg.projector``; unchanged without)."""
        return visual if self.projector is None else self.projector(visual)

    def add_motion(self, visual: torch.Tensor, prev: torch.Tensor) -> torch.Tensor:
        """Frames' visual tokens ``[N, g*g, d]`` plus the learned projection of their change since ``prev`` (the
        previous frame's tokens; a stream's first frame passes itself). Unchanged without ``cfg.motion``."""
        return visual if self.motion is None else visual + self.motion(visual - prev)

    def forward_embeds(self, x: torch.Tensor, start: int = 0, cache: Cache | None = None,
                       hidden: list | None = None) -> tuple[torch.Tensor, Cache]:
        """Logits and the extended cache; ``hidden``, if a list, receives the final hidden states (for a
        trainer's auxiliary head)."""
        T = x.shape[1]
        if start + T > self.cfg.max_positions:
            raise ValueError(f"stream longer than max_positions={self.cfg.max_positions}")
        x = x + self.pos(torch.arange(start, start + T))
        new: Cache = []
        for i, blk in enumerate(self.blocks):
            x, kv = blk(x, cache[i] if cache is not None else None)
            new.append(kv)
        h = self.ln(x)
        if hidden is not None:
            hidden.append(h)
        return h @ self.tok.weight.T, new  # tied output head

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

    def forward(self, tokens: torch.Tensor, is_visual: torch.Tensor, frames: torch.Tensor | None,
                hidden: list | None = None) -> torch.Tensor:
        """Teacher-forced logits for a batch of laid-out sequences (``frames``: all visual frames of the
        batch in sequence order, [N, H, W, 3] uint8 — or, from a frozen encoder's feature cache, their
        visual tokens [N, g*g, d] float, which skips the encoder). ``hidden``: see :meth:`forward_embeds`."""
        visual = None
        if frames is not None and len(frames):
            visual = self.project(frames if frames.is_floating_point() else self.encoder(frames))
            if self.motion is not None:  # each frame's predecessor in its own sequence (rows are streams)
                counts = is_visual.sum(1).cpu() // self.cfg.tokens_per_frame
                prev = torch.arange(len(visual)) - 1
                starts = (torch.cumsum(counts, 0) - counts)[counts > 0]
                prev[starts] = starts
                visual = self.add_motion(visual, visual[prev.to(visual.device)])
            visual = visual.reshape(-1, self.cfg.d_model)
        logits, _ = self.forward_embeds(self.embed(tokens, visual, is_visual), hidden=hidden)
        return logits

    # -- save / load ------------------------------------------------------------------------
    @torch.no_grad()
    def encode_frames(self, frames: np.ndarray, batch: int = 512) -> np.ndarray:
        """A video's visual tokens [K, g*g, d] float32: the feature cache of a frozen encoder."""
        out = [self.encoder(torch.from_numpy(frames[i : i + batch])) for i in range(0, len(frames), batch)]
        return torch.cat(out).numpy()

    def streamer(self, **kwargs) -> StreamingModel:
        """The streaming model of these weights (``sample=True`` for GRPO rollouts)."""
        from .streaming import SmallStreamer

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


#: settings a saved StreamPro-Small can take on afterwards, keeping its weights (every other setting changes the
#: saved weights' shapes). ``motion`` adds a zero-initialised term, so the model starts out computing exactly what
#: it did; ``projector`` adds a freshly initialised one, meant for a stage-0 (perception) checkpoint, whose
#: transformer SFT trains from its initial weights anyway
ADDABLE = ("motion", "projector")


def with_settings(model: StreamProSmall, overrides: dict) -> StreamProSmall:
    """``model`` with ``overrides`` (e.g. ``{"motion": True, "projector": True}`` on a perception-pretrained
    encoder, to SFT such a model from it); its weights are kept, the added parts are new (see :data:`ADDABLE`)."""
    from dataclasses import replace

    fixed = sorted(k for k, v in overrides.items() if k not in ADDABLE and getattr(model.cfg, k, None) != v)
    if fixed:
        raise InputError(f"model settings {fixed} change a saved model's weights and cannot be applied to it; only "
                         f"{list(ADDABLE)} can (start from `small` for a new model with them)")
    new = StreamProSmall(replace(model.cfg, **overrides), model.tokenizer)
    missing, unexpected = new.load_state_dict(model.state_dict(), strict=False)
    if unexpected or any(not k.startswith(tuple(f"{a}." for a in ADDABLE)) for k in missing):
        raise InputError(f"cannot carry the weights over (missing {missing[:3]}, unexpected {unexpected[:3]})")
    return new.train(model.training)


def n_params(model: nn.Module) -> int:
    return sum(p.numel() for p in model.parameters())


