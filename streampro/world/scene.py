"""Scene state and dynamics: bodies that appear, move, bounce off walls, change colour, get kicked
onto new headings, teleport ("jump") and leave.

Units are pixels and *frames*; a frame lasts ``1 / fps`` seconds. The state observable at frame
``k`` is ``pos[k]`` and ``vel_in[k]`` (the displacement that led to ``pos[k]``, i.e. what two
consecutive frames reveal). A kick at frame ``k`` changes the velocity used *after* frame ``k`` and so
only becomes observable at ``k + 1`` — the partial observability the proactive tasks are built on.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from ..core.vocab import COLOR_RGB, SHAPES  # noqa: F401 - SHAPES: the world module names it here too

#: RGB of each colour name: ``core.vocab`` holds both, so the judge reads exactly the world's colours
COLORS = COLOR_RGB
QUADRANTS = ("top left", "top right", "bottom left", "bottom right")
BACKGROUND = (24, 24, 32)


@dataclass
class Body:
    shape: str
    color: str
    radius: float
    x: float
    y: float
    vx: float = 0.0
    vy: float = 0.0
    appear: int = 0
    leave: int | None = None  # first frame it is gone
    color_changes: list[tuple[int, str]] = field(default_factory=list)  # (frame, new colour), sorted
    kicks: dict[int, tuple[float, float]] = field(default_factory=dict)  # frame -> velocity after it
    jumps: dict[int, tuple[float, float]] = field(default_factory=dict)  # frame -> position shown at it

    @property
    def name(self) -> str:
        return f"{self.color} {self.shape}"

    def color_at(self, k: int) -> str:
        c = self.color
        for frame, new in self.color_changes:
            if k >= frame:
                c = new
        return c

    def visible(self, k: int) -> bool:
        return k >= self.appear and (self.leave is None or k < self.leave)


def reflect(x: float, v: float, r: float, size: int) -> tuple[float, float, bool]:
    """Advance one coordinate by ``v`` with elastic reflection off [r, size - r]."""
    nx = x + v
    lo, hi = r, size - r
    bounced = False
    if nx < lo:
        nx, v, bounced = 2 * lo - nx, -v, True
    elif nx > hi:
        nx, v, bounced = 2 * hi - nx, -v, True
    return nx, v, bounced


@dataclass
class Trajectory:
    """Simulated state of every body at every frame."""

    pos: np.ndarray  # [T, B, 2]
    vel_in: np.ndarray  # [T, B, 2] displacement that led to pos[k] (0 at appearance)
    bounces: np.ndarray  # [T, B] cumulative wall bounces up to and including frame k


@dataclass
class Scene:
    seed: int
    fps: float
    n_frames: int
    size: int
    bodies: list[Body]
    _traj: Trajectory | None = None

    @property
    def traj(self) -> Trajectory:
        if self._traj is None:
            self._traj = simulate(self)
        return self._traj

    def invalidate(self) -> None:
        """Forget the cached simulation after editing bodies (e.g. adding the halves of a split)."""
        self._traj = None

    def t(self, k: int) -> float:
        return round(k / self.fps, 4)

    def visible_bodies(self, k: int) -> list[int]:
        return [i for i, b in enumerate(self.bodies) if b.visible(k)]


def simulate(scene: Scene) -> Trajectory:
    T, B = scene.n_frames, len(scene.bodies)
    pos = np.zeros((T, B, 2))
    vel_in = np.zeros((T, B, 2))
    hits = np.zeros((T, B), dtype=np.int64)  # wall-bounce events on the step into frame k
    state = [[b.x, b.y, b.vx, b.vy] for b in scene.bodies]
    for k in range(T):
        for i in range(B):
            pos[k, i] = state[i][:2]
        if k == T - 1:
            break
        for i, b in enumerate(scene.bodies):
            x, y, vx, vy = state[i]
            if k in b.kicks:
                vx, vy = b.kicks[k]
            if not b.visible(k):
                state[i] = [x, y, vx, vy]
                continue
            nx, nvx, bx = reflect(x, vx, b.radius, scene.size)
            ny, nvy, by = reflect(y, vy, b.radius, scene.size)
            if k + 1 in b.jumps:
                nx, ny = b.jumps[k + 1]
                bx = by = False
            vel_in[k + 1, i] = (nx - x, ny - y)
            hits[k + 1, i] = int(bx or by)  # a corner hit is one bounce event
            state[i] = [nx, ny, nvx, nvy]
    return Trajectory(pos, vel_in, np.cumsum(hits, axis=0))


def time_to_contact(p: np.ndarray, v: np.ndarray, target: np.ndarray, reach: float) -> float:
    """Frames until a point at ``p`` moving at constant velocity ``v`` (per frame) first comes within
    ``reach`` of ``target`` along a straight line: 0 if already there, ``inf`` if never."""
    d = np.asarray(p, float) - np.asarray(target, float)
    c = float(d @ d) - reach * reach
    if c <= 0:
        return 0.0
    a = float(v @ v)
    b = 2.0 * float(d @ v)
    disc = b * b - 4 * a * c
    if a < 1e-12 or disc < 0 or b >= 0:
        return float("inf")
    return (-b - np.sqrt(disc)) / (2 * a)
