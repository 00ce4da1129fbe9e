from pathlib import Path

import pytest

from streampro.data.generate import generate_split
from streampro.data.schema import load_items
from streampro.models.base import StreamingModel


@pytest.fixture(scope="session")
def small_bench(tmp_path_factory) -> Path:
    """A 42-question test split (6 per task), generated once per session."""
    out = tmp_path_factory.mktemp("bench")
    generate_split(out, "test", 42, seed=0, progress=False)
    return out / "items.jsonl"


@pytest.fixture(scope="session")
def small_items(small_bench):
    return load_items(small_bench)


class Scripted(StreamingModel):
    """Answers forced questions from a table keyed by question id; records what it had seen."""

    def __init__(self, replies):
        self.replies, self.seen = replies, {}

    def reset(self, info):
        super().reset(info)
        self.last = -1.0

    def step(self, frame):
        self.last = frame.time
        return []

    def answer_now(self, q):
        self.seen[q.id] = (self.last, q.time, q.prompt)
        return self.replies[q.id]
