"""The ground floor: data types every layer shares (frames, items, queries, responses, task rules).

Nothing here imports from ``world``, ``bench``, ``models`` or ``train``; they all import from here, so
data flows one way (stream -> model -> timed responses -> scorer -> report) without import cycles.
"""

from .items import DIMENSIONS, TASKS, Answer, Item, TaskRule, register_task
from .types import Frame, Query, Response, StreamInfo

__all__ = ["DIMENSIONS", "TASKS", "Answer", "Item", "TaskRule", "register_task", "Frame", "Query", "Response",
           "StreamInfo"]
