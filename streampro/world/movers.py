"""The "movers" scene (bodies appear, move, bounce, change colour once, leave): the generated videos
behind the StreamingBench / OVO-Bench fixtures, whose hand-checked scores depend on this exact sampling."""

from __future__ import annotations

import numpy as np

from .config import WorldConfig
from .scene import COLORS, SHAPES, Body, Scene


def _pick(rng: np.random.Generator, seq, n: int) -> list:
    return [seq[i] for i in rng.choice(len(seq), n, replace=False)]


def movers_scene(rng: np.random.Generator, cfg: WorldConfig, seed: int) -> Scene:
    size = cfg.size
    n_frames = int(rng.integers(cfg.frames(cfg.min_seconds), cfg.frames(cfg.max_seconds) + 1))
    n = int(rng.integers(2, 5))
    colors, shapes = _pick(rng, list(COLORS), n), _pick(rng, SHAPES, n)
    bodies, appear = [], int(rng.integers(0, 3))
    for i in range(n):
        if i > 0:
            appear = min(appear + int(rng.integers(2, 8)), n_frames - 8)
        r = float(rng.uniform(0.08, 0.11) * size)
        x, y = rng.uniform(r, size - r, 2)
        speed, ang = rng.uniform(0.025, 0.06) * size, rng.uniform(0, 2 * np.pi)
        leave = appear + int(rng.integers(10, 40)) if rng.random() < 0.3 else None
        bodies.append(Body(shapes[i], colors[i], r, float(x), float(y), speed * np.cos(ang), speed * np.sin(ang),
                           appear=appear, leave=leave if leave is not None and leave < n_frames else None))
    if rng.random() < 0.7:
        j = int(rng.integers(n))
        c = bodies[j].appear + int(rng.integers(3, 16))
        unused = [k for k in COLORS if k not in colors]
        if c < n_frames - 6:
            bodies[j].color_changes = [(c, unused[int(rng.integers(len(unused)))])]
    return Scene(seed, cfg.fps, n_frames, size, bodies)
