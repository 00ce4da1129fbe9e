"""Model registry (in the spirit of lmms-eval): ``build_model("oracle", items=...)``.

A spec is ``name`` or ``name:path`` (e.g. ``small:runs/sft_cb/final``, ``hf:/models/qwen2.5-vl``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from ..core.errors import InputError
from ..core.items import Item
from .base import StreamingModel


@dataclass(frozen=True)
class ModelEntry:
    """What the CLI, ``reproduce`` and the server need to know of a model besides how to build it."""

    factory: Callable[..., StreamingModel]
    #: a reference row of every table (``streampro bench``, ``reproduce``)
    reference: bool = False
    #: its output depends on ``--seed`` (reproduce runs it once per seed)
    seeded: bool = False
    #: can run on a live stream: it reads no benchmark answers (and says something)
    live: bool = True


_REGISTRY: dict[str, ModelEntry] = {}


def register(name: str, reference: bool = False, seeded: bool = False, live: bool = True) -> Callable:
    def deco(fn: Callable[..., StreamingModel]) -> Callable[..., StreamingModel]:
        _REGISTRY[name] = ModelEntry(fn, reference, seeded, live)
        return fn

    return deco


def model_entry(spec: str) -> ModelEntry:
    name = spec.partition(":")[0]
    if name not in _REGISTRY:
        raise KeyError(f"unknown model {name!r}; available: {available()} (a spec is NAME or NAME:PATH)")
    return _REGISTRY[name]


def reference_models(seeded: bool | None = None) -> tuple[str, ...]:
    """The reference rows, in registration order (``seeded``: only those that do / do not use the seed)."""
    return tuple(n for n, e in _REGISTRY.items() if e.reference and (seeded is None or e.seeded == seeded))


def available() -> list[str]:
    return sorted(_REGISTRY)


def build_model(spec: str, items: list[Item] | None = None, seed: int = 0, **kwargs) -> StreamingModel:
    entry, (_, _, path) = model_entry(spec), spec.partition(":")
    for key in ("window_frames", "frame_size", "max_new_tokens"):
        v = kwargs.get(key)
        if v is not None and (isinstance(v, bool) or not isinstance(v, int) or v < 1):
            raise InputError(f"--model-args {key}={v!r}: must be a whole number >= 1")
    return entry.factory(path=path or None, items=items or [], seed=seed, **kwargs)


@register("oracle", reference=True, live=False)
def _oracle(path, items, seed, **_):
    from .reference import OracleModel

    return OracleModel(items, seed)


@register("reactive", reference=True, live=False)
def _reactive(path, items, seed, **_):
    from .reference import ReactiveModel

    return ReactiveModel(items, seed)


@register("eager", reference=True, live=False)
def _eager(path, items, seed, **_):
    from .reference import EagerModel

    return EagerModel(items, seed)


@register("random", reference=True, seeded=True)
def _random(path, items, seed, rate: float = 0.15, **_):
    from .reference import RandomModel

    return RandomModel(items, seed, rate=rate)


@register("silent", reference=True, live=False)
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

