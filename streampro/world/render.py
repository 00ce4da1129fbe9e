"""Rasterise a :class:`~streampro.world.scene.Scene` frame to RGB pixels with numpy masks."""

from __future__ import annotations

import numpy as np

from .scene import BACKGROUND, COLORS, Scene


def _mask(shape: str, x: float, y: float, r: float, yy: np.ndarray, xx: np.ndarray) -> np.ndarray:
    dx, dy = xx - x, yy - y
    if shape == "circle":
        return dx * dx + dy * dy <= r * r
    if shape == "square":
        return (np.abs(dx) <= r * 0.85) & (np.abs(dy) <= r * 0.85)
    if shape == "diamond":
        return np.abs(dx) + np.abs(dy) <= r
    if shape == "triangle":  # apex up
        return (dy <= r * 0.8) & (dy >= -r) & (np.abs(dx) <= (dy + r) * 0.6)
    raise ValueError(f"unknown shape {shape!r}")


def render_frame(scene: Scene, k: int) -> np.ndarray:
    """Bodies are drawn in list order, so a later body (an agent) is drawn over an earlier one."""
    size = scene.size
    img = np.empty((size, size, 3), dtype=np.uint8)
    img[:] = BACKGROUND
    yy, xx = np.mgrid[0:size, 0:size].astype(np.float32) + 0.5
    pos = scene.traj.pos
    for i, b in enumerate(scene.bodies):
        if b.visible(k):
            img[_mask(b.shape, pos[k, i, 0], pos[k, i, 1], b.radius, yy, xx)] = COLORS[b.color_at(k)]
    return img


def render_scene(scene: Scene) -> np.ndarray:
    return np.stack([render_frame(scene, k) for k in range(scene.n_frames)])
