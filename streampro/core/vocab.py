"""The procedural world's words, in one place: what the world renders and says (``world/``) and what the
``rule`` judge reads in free text (``bench/judges.py``) are the same lists, so adding a colour (its name and
its RGB) is one edit, here."""

from __future__ import annotations

#: each colour the world paints, with its RGB: the name is what the world says and the judge reads
COLOR_RGB: dict[str, tuple[int, int, int]] = {
    "red": (230, 40, 40),
    "green": (40, 200, 60),
    "blue": (60, 100, 255),
    "yellow": (240, 220, 40),
    "purple": (170, 60, 220),
    "cyan": (40, 220, 230),
    "orange": (250, 140, 20),
    "white": (240, 240, 240),
}
COLOR_NAMES = tuple(COLOR_RGB)
SHAPES = ("circle", "square", "triangle", "diamond")
DIRECTIONS = ("up", "down", "left", "right")
ANOMALIES = ("vanished", "froze", "jumped", "split")
ADVICE = ("left", "right")
