"""World settings shared by the scene builders."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class WorldConfig:
    size: int = 64  # frame side in pixels
    fps: float = 1.0  # the paper streams at 1 FPS
    min_seconds: float = 10.0  # only the "movers" fixture scenes use these two
    max_seconds: float = 30.0
    # Widens the task generators' event-time ranges (the still lead-in between a question and its first
    # event, the gaps between events, pauses) by this factor, keeping each range's lower end. 1 is the
    # original world, draw for draw: there, on five of the seven tasks the first answer comes within ±3 s of
    # one fixed delay after the question (docs/results.md, round 8), so a model can time its answers by
    # counting frames; a larger spread makes it look (docs/format.md, "Timing spread").
    timing_spread: float = 1.0

    def __post_init__(self):
        if not self.timing_spread >= 1.0:  # also rejects NaN
            raise ValueError(f"timing_spread must be >= 1 (1 = the original world), got {self.timing_spread}")

    def frames(self, seconds: float) -> int:
        return int(round(seconds * self.fps))


