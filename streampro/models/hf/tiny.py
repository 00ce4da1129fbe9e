"""Tiny randomly initialised Qwen2.5-VL / Qwen3-VL folders: every ``hf:`` code path on a CPU, offline.
"""

from __future__ import annotations

from pathlib import Path

import torch

from .config import DECISION_TREE_PROMPT, PAPER_SYSTEM_PROMPT, STREAM_TOKENS

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

    from ..tokenizer import world_vocabulary

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
