"""The procedural world's words, in one place: what the world renders and says (``world/``) and what the
``rule`` judge reads in free text (``bench/judges.py``) are the same lists, so adding a colour is one edit."""

from __future__ import annotations

COLOR_NAMES = ("red", "green", "blue", "yellow", "purple", "cyan", "orange", "white")
SHAPES = ("circle", "square", "triangle", "diamond")
DIRECTIONS = ("up", "down", "left", "right")
ANOMALIES = ("vanished", "froze", "jumped", "split")
ADVICE = ("left", "right")
