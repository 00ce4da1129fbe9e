"""World settings shared by the scene builders."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class WorldConfig:
    size: int = 64  # frame side in pixels
    fps: float = 1.0  # the paper streams at 1 FPS
    min_seconds: float = 10.0  # only the "movers" fixture scenes use these two
    max_seconds: float = 30.0

    def frames(self, seconds: float) -> int:
        return int(round(seconds * self.fps))


