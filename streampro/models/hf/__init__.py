"""Hugging Face adapter for the Qwen2-VL / Qwen2.5-VL / Qwen3-VL family, split by role as ``transformers``
splits a model: ``config`` (stream settings), ``processing`` (frames), ``loading`` (checkpoints, the decision
tokens), ``streaming`` (the :class:`StreamingModel` with a reused KV cache), ``policy`` (the trainers' view),
``offline`` (an offline VLM under the decision-tree protocol), ``tiny`` (random tiny models for CPU tests).
Everything public is importable from here, as before the split."""

from .config import (
    DECISION_TREE_PROMPT,
    LAYOUT_TOKENS,
    PAPER_SYSTEM_PROMPT,
    STREAM_CONFIG_FILE,
    STREAM_TOKENS,
    HFStreamConfig,
    query_text,
    saved_stream_config,
)
from .loading import add_stream_tokens, load_hf
from .offline import HFOfflineModel
from .policy import HFLayout, HFPolicy, is_vision_tower
from .processing import CLIP_MEAN, CLIP_STD, PIXEL_NORM, patchify, pixel_norm, qwen_resize
from .streaming import HFStreamingModel
from .tiny import QWEN_SPECIALS, TINY_ARCHS, tiny_qwen2_5_vl, tiny_vlm

__all__ = ["CLIP_MEAN", "CLIP_STD", "DECISION_TREE_PROMPT", "LAYOUT_TOKENS", "PAPER_SYSTEM_PROMPT", "PIXEL_NORM",
           "QWEN_SPECIALS", "STREAM_CONFIG_FILE", "STREAM_TOKENS", "TINY_ARCHS", "HFLayout", "HFOfflineModel",
           "HFPolicy", "HFStreamConfig", "HFStreamingModel", "add_stream_tokens", "is_vision_tower", "load_hf",
           "patchify", "pixel_norm", "query_text", "qwen_resize", "saved_stream_config", "tiny_qwen2_5_vl", "tiny_vlm"]
