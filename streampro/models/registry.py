"""Model registry (in the spirit of lmms-eval): ``build_model("oracle", items=...)``.

A spec is ``name`` or ``name:path`` (e.g. ``small:runs/sft_cb/final``, ``hf:/models/qwen2.5-vl``).
"""

from __future__ import annotations

from collections.abc import Callable

from ..core.errors import InputError
from ..core.items import Item
from .base import StreamingModel

_REGISTRY: dict[str, Callable[..., StreamingModel]] = {}


def register(name: str) -> Callable:
    def deco(fn: Callable[..., StreamingModel]) -> Callable[..., StreamingModel]:
        _REGISTRY[name] = fn
        return fn

    return deco


def available() -> list[str]:
    return sorted(_REGISTRY)


def build_model(spec: str, items: list[Item] | None = None, seed: int = 0, **kwargs) -> StreamingModel:
    name, _, path = spec.partition(":")
    if name not in _REGISTRY:
        raise KeyError(f"unknown model {name!r}; available: {available()} (a spec is NAME or NAME:PATH)")
    for key in ("window_frames", "frame_size", "max_new_tokens"):
        v = kwargs.get(key)
        if v is not None and (isinstance(v, bool) or not isinstance(v, int) or v < 1):
            raise InputError(f"--model-args {key}={v!r}: must be a whole number >= 1")
    return _REGISTRY[name](path=path or None, items=items or [], seed=seed, **kwargs)


@register("oracle")
def _oracle(path, items, seed, **_):
    from .reference import OracleModel

    return OracleModel(items, seed)


@register("reactive")
def _reactive(path, items, seed, **_):
    from .reference import ReactiveModel

    return ReactiveModel(items, seed)


@register("eager")
def _eager(path, items, seed, **_):
    from .reference import EagerModel

    return EagerModel(items, seed)


@register("random")
def _random(path, items, seed, rate: float = 0.15, **_):
    from .reference import RandomModel

    return RandomModel(items, seed, rate=rate)


@register("silent")
def _silent(path, items, seed, **_):
    from .reference import SilentModel

    return SilentModel(items, seed)


SMALL_WINDOW = 200  # frame turns


@register("small")
def _small(path, items, seed, **kwargs):
    from .small import SmallStreamer, StreamProSmall

    if not path:
        raise ValueError("the small model needs a checkpoint directory: small:PATH")
    # the paper's sliding window by default: a stream of any length stays within the learned positions (a
    # 3,000-frame video would otherwise stop the eval); no effect on streams shorter than 2 x 200 frames
    if kwargs.get("window_frames") is None:
        kwargs["window_frames"] = SMALL_WINDOW
    return SmallStreamer(StreamProSmall.from_pretrained(path), seed=seed, **kwargs)


@register("hf")
def _hf(path, items, seed, **kwargs):
    from .hf import HFStreamingModel

    if not path:
        raise ValueError("the hf model needs a local path or hub id: hf:PATH")
    return HFStreamingModel.from_pretrained(path, **kwargs)


@register("hf-offline")
def _hf_offline(path, items, seed, **kwargs):
    from .hf import HFOfflineModel

    if not path:
        raise ValueError("the hf-offline model needs a local path or hub id: hf-offline:PATH")
    return HFOfflineModel.from_pretrained(path, **kwargs)


REFERENCE_MODELS = ("oracle", "reactive", "eager", "random", "silent")
