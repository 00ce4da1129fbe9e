"""StreamPro-Small: a compact streaming VideoLLM that trains on a CPU in minutes.

config -> model -> streamer, like ``transformers``: :class:`SmallConfig` (``config.py``) holds the
hyper-parameters and the input layout, :class:`StreamProSmall` (``modeling.py``) is the network (a conv
frame encoder giving ``grid**2`` visual tokens per frame and a causal transformer with a KV cache over
interleaved [query, frame, decision/answer] tokens), and :class:`SmallStreamer` (``streaming.py``) drives it
as a :class:`~streampro.models.base.StreamingModel`.
"""

from .config import SmallConfig, query_token_ids, resize_frame
from .modeling import StreamProSmall, n_params, with_settings
from .streaming import SmallStreamer

__all__ = ["SmallConfig", "SmallStreamer", "StreamProSmall", "n_params", "query_token_ids", "resize_frame", "with_settings"]
