"""lmms-eval plug-in: any StreamPro streaming model as the lmms-eval model ``streampro``.

    pip install lmms-eval            # then, with streampro installed, its entry point registers the model
    lmms-eval --model streampro --model_args model=hf:/models/Qwen2.5-VL-7B-Instruct,fps=1,window_frames=64 \
        --tasks ovobench_realtime --batch_size 1

lmms-eval hands an *offline* model a request with the whole clip. Here the clip is streamed frame by
frame into the model (its KV cache reused, as in ``streampro rtvu``), and the model answers at the
end with ``answer_now`` and the task's prompt — so offline video tasks score a streaming model exactly
as it would run live. ``model_args`` other than ``model``, ``fps`` and ``frame_size`` go to the
StreamPro model (``--model-args`` of the ``streampro`` CLI). Generation-only: loglikelihood tasks are
refused with a clear error.
"""

from __future__ import annotations

from contextlib import contextmanager

from lmms_eval.api.model import lmms
from lmms_eval.models.registry_v2 import ModelManifest
from tqdm import tqdm

from ..bench.timed import answer_after_stream
from ..models.base import Query
from ..models.registry import build_model


class StreamProLMM(lmms):
    def __init__(self, model: str = "random", fps: float = 1.0, frame_size: int | None = None,
                 batch_size: int | str = 1, device: str | None = None, **model_args) -> None:
        super().__init__()
        if device is not None and "device_map" not in model_args and model.startswith("hf:"):
            model_args["device_map"] = device
        self.model = build_model(str(model), **model_args)
        self.fps, self.frame_size = float(fps), frame_size

    def generate_until(self, requests) -> list[str]:
        """The task's generation settings are honoured: ``max_new_tokens`` caps the answer (models that
        decode text: the HF adapter), and the reply is cut at the first of the ``until`` strings."""
        out = []
        for req in tqdm(requests, desc="streampro", disable=self.rank != 0):
            context, gen_kwargs, doc_to_visual, doc_id, task, split = req.args
            gen_kwargs = dict(gen_kwargs or {})
            visuals = doc_to_visual(self.task_dict[task][split][doc_id])
            videos = [v for v in visuals or [] if isinstance(v, str)]
            if not videos:
                raise ValueError(f"{task}/{doc_id}: the streampro model needs a video path in the request's visuals")
            query = Query(f"{task}-{split}-{doc_id}", context, (), float("inf"), task, context)
            with _max_new_tokens(self.model, gen_kwargs.get("max_new_tokens")):
                reply = answer_after_stream(self.model, videos[0], query, self.fps, self.frame_size)
            out.append(cut_at(reply, gen_kwargs.get("until")))
        return out

    def generate_until_multi_round(self, requests) -> list[str]:
        raise NotImplementedError("streampro: multi-round generation is not supported; use `streampro ovo` for OVO-Bench")

    def loglikelihood(self, requests):
        raise NotImplementedError("streampro: streaming models generate answers; loglikelihood tasks are not supported")


def cut_at(reply: str, until) -> str:
    """``reply`` up to the first of the stop strings (lmms-eval's ``until``: a string or a list)."""
    for stop in [until] if isinstance(until, str) else list(until or []):
        if stop and stop in reply:
            reply = reply[: reply.index(stop)]
    return reply


@contextmanager
def _max_new_tokens(model, n):
    """Temporarily cap a decoding model's answer length (its config's ``max_new_tokens``)."""
    cfg = getattr(model, "cfg", None)
    if n is None or not hasattr(cfg, "max_new_tokens"):
        yield
        return
    old, cfg.max_new_tokens = cfg.max_new_tokens, int(n)
    try:
        yield
    finally:
        cfg.max_new_tokens = old


def manifest() -> ModelManifest:
    """The payload of the ``lmms_eval.models`` entry point (see pyproject.toml)."""
    return ModelManifest(model_id="streampro", simple_class_path="streampro.integrations.lmms_eval.StreamProLMM")
