"""Loading a Qwen2-VL-family checkpoint and adding the paper's decision tokens to it.
"""

from __future__ import annotations

import os
from pathlib import Path

import torch

from .config import STREAM_TOKENS


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
