"""Streaming models: the interface, reference baselines, StreamPro-Small and the Hugging Face adapter."""

from .base import Query, Response, StreamingModel

__all__ = ["Query", "Response", "StreamingModel"]
