"""Which model the trainers train: StreamPro-Small or a Qwen2-VL-family model (``HFPolicy``).

Both expose the same trainer interface — ``policy(tokens, is_visual, frames) -> logits``, a layout
``policy.cfg`` (token ids, ``tokens_per_frame``, ``image_size``, ``preamble``, ``query_ids``), a tokenizer
with ``encode(text).ids``, ``streamer(sample=...)`` for rollouts and ``save_pretrained`` — so SFT with
CB-Stream loss and GRPO run unchanged on either.
"""

from __future__ import annotations

from pathlib import Path

from ..core.items import Item
from ..models.small import SmallConfig, StreamProSmall, with_settings
from ..models.tokenizer import build_tokenizer, world_vocabulary
from .configs import HFOptions


def build_policy(base: str, opts: HFOptions | None = None, items: list[Item] | None = None,
                 small_overrides: dict | None = None):
    """``base``: ``small`` (a new StreamPro-Small, vocabulary from ``items``), ``small:DIR`` or a plain
    ``DIR`` (a saved one), or ``hf:PATH`` (a local Qwen2-VL/2.5-VL folder or hub id). A plain ``DIR``
    written by ``streampro train`` from an HF model (it has ``streampro.json``) loads as HF."""
    from ..models.hf import STREAM_CONFIG_FILE

    opts = opts or HFOptions()
    kind, sep, path = base.partition(":")
    if not sep and kind != "small":
        kind, path = ("hf" if (Path(base) / STREAM_CONFIG_FILE).exists() else "small"), base
    if kind == "small":
        if path:
            model = StreamProSmall.from_pretrained(path)
            return with_settings(model, small_overrides) if small_overrides else model
        tok = build_tokenizer(world_vocabulary() + [t for it in items or [] for t in (it.question, *(a.text for a in it.answers))])
        return StreamProSmall(SmallConfig(vocab_size=tok.get_vocab_size(), **(small_overrides or {})), tok)
    if kind == "hf":
        if not path:
            raise ValueError("an HF base needs a path or hub id: hf:PATH")
        from ..models.hf import HFPolicy

        return HFPolicy.from_pretrained(path, frame_size=opts.frame_size, dtype=opts.dtype, lora=opts.lora or None,
                                        gradient_checkpointing=opts.gradient_checkpointing,
                                        train_vision=opts.train_vision)
    raise ValueError(f"unknown base model {base!r}: use small, small:DIR, DIR or hf:PATH")
