"""StreamPro-Small's configuration and its input layout: special token ids, the query's token ids, frame size."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

#: a KV cache: one (keys, values) pair per layer
Cache = list[tuple[torch.Tensor, torch.Tensor]]


@dataclass
class SmallConfig:
    vocab_size: int = 128
    d_model: int = 128
    n_layers: int = 3
    n_heads: int = 4
    image_size: int = 32
    grid: int = 2  # visual tokens per frame = grid ** 2
    # the frame encoder: channels of its first conv (the second has twice as many) and how many extra 3x3
    # convs follow each of the two downsampling convs (0, 32: the encoder every run before issue 18 used)
    encoder_channels: int = 32
    encoder_depth: int = 0
    # add W (tokens of this frame - tokens of the previous frame) to each frame's visual tokens, W zero-initialised:
    # "when did it stop moving" is a difference between frames. Off by default: on val it lifted OU and EU but did
    # not teach SFT-CB to time Temporal Grounding (docs/results.md, issue 18 round 6)
    motion: bool = False
    # a projector between the frame encoder and the transformer (LayerNorm, then a linear map), as a VLM has
    # between its vision tower and its LLM. Without it a frozen encoder's tokens enter at their own scale (norm ~28
    # against ~0.7 for a word's or a position's embedding), which drowns where and when a frame is in the
    # transformer's residual stream (docs/results.md, issue 18 round 7). Off by default: every model before it
    projector: bool = False
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
