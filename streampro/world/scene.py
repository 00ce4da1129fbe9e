"""Scene state and dynamics: bodies that appear, move, bounce off walls, change colour, leave;
runners heading to a finish line; a periodic blinker.

Units are pixels and *frames*; a frame lasts ``1 / fps`` seconds. The state observable at frame
``k`` is ``pos[k]`` and ``vel_in[k]`` (the displacement that led to ``pos[k]``, i.e. what two
consecutive frames reveal). Kicks change the velocity used *after* frame ``k`` and so only become
observable at ``k + 1`` — exactly the partial observability the proactive tasks are built on.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

COLORS: dict[str, tuple[int, int, int]] = {
    "red": (230, 40, 40),
    "green": (40, 200, 60),
    "blue": (60, 100, 255),
    "yellow": (240, 220, 40),
    "purple": (170, 60, 220),
    "cyan": (40, 220, 230),
    "orange": (250, 140, 20),
    "white": (240, 240, 240),
}
SHAPES = ("circle", "square", "triangle", "diamond")
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
    color_change: tuple[int, str] | None = None  # (frame, new colour)
    kicks: dict[int, tuple[float, float]] = field(default_factory=dict)  # frame -> new velocity
    stop_at_finish: float | None = None  # runners stop when they touch this x

    @property
    def name(self) -> str:
        return f"{self.color} {self.shape}"

    def color_at(self, k: int) -> str:
        if self.color_change and k >= self.color_change[0]:
            return self.color_change[1]
        return self.color

    def visible(self, k: int) -> bool:
        return k >= self.appear and (self.leave is None or k < self.leave)


@dataclass
class Blinker:
    """Flashes for one frame every ``period`` frames from ``first``, cycling through ``cycle``."""

    first: int
    period: int
    cycle: list[int]  # quadrant indices

    def flash_frames(self, n_frames: int) -> list[int]:
        return list(range(self.first, n_frames, self.period))

    def quadrant_of_flash(self, i: int) -> int:  # i counts from 0
        return self.cycle[i % len(self.cycle)]


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
    contact: dict[int, tuple[int, int]]  # body -> (frame, other body) of its first contact


@dataclass
class Scene:
    seed: int
    fps: float
    n_frames: int
    size: int
    bodies: list[Body]
    blinker: Blinker | None = None
    finish_x: float | None = None
    stop_on_contact: tuple[int, ...] = ()  # bodies that stop when they touch another body
    _traj: Trajectory | None = None

    @property
    def traj(self) -> Trajectory:
        if self._traj is None:
            self._traj = simulate(self)
        return self._traj

    def t(self, k: int) -> float:
        return round(k / self.fps, 4)

    def visible_bodies(self, k: int) -> list[int]:
        return [i for i, b in enumerate(self.bodies) if b.visible(k)]


def simulate(scene: Scene) -> Trajectory:
    T, B = scene.n_frames, len(scene.bodies)
    pos = np.zeros((T, B, 2))
    vel_in = np.zeros((T, B, 2))
    hits = np.zeros((T, B), dtype=np.int64)  # wall-bounce events on the step into frame k
    contact: dict[int, tuple[int, int]] = {}
    state = [[b.x, b.y, b.vx, b.vy] for b in scene.bodies]
    stopped = [False] * B
    for k in range(T):
        for i in range(B):
            pos[k, i] = state[i][:2]
        # contacts at frame k stop the listed bodies from moving on
        for i in scene.stop_on_contact:
            if stopped[i] or not scene.bodies[i].visible(k):
                continue
            for j, other in enumerate(scene.bodies):
                if j != i and other.visible(k):
                    if np.hypot(*(pos[k, i] - pos[k, j])) <= scene.bodies[i].radius + other.radius:
                        contact[i] = (k, j)
                        stopped[i] = True
                        break
        if k == T - 1:
            break
        for i, b in enumerate(scene.bodies):
            x, y, vx, vy = state[i]
            if k in b.kicks:
                vx, vy = b.kicks[k]
            if not b.visible(k) or stopped[i]:
                state[i] = [x, y, vx, vy]
                continue
            if b.stop_at_finish is not None and x + b.radius >= b.stop_at_finish:
                stopped[i] = True
                continue
            nx, nvx, bx = reflect(x, vx, b.radius, scene.size)
            ny, nvy, by = reflect(y, vy, b.radius, scene.size)
            vel_in[k + 1, i] = (nx - x, ny - y)
            hits[k + 1, i] = int(bx or by)  # a corner hit is one bounce event
            state[i] = [nx, ny, nvx, nvy]
    return Trajectory(pos, vel_in, np.cumsum(hits, axis=0), contact)


def extrapolate_contact(
    scene: Scene, k: int, mover: int, speed_scale: float = 1.0, angle: float = 0.0, horizon: int = 200
) -> int | None:
    """Predict which body ``mover`` touches first if it keeps its *observed* velocity from frame ``k``
    (no future kicks), with the velocity perturbed by ``speed_scale`` and ``angle`` (radians) to model
    observation noise. Returns the body index, or None if nothing is hit within ``horizon`` frames."""
    tr = scene.traj
    b = scene.bodies[mover]
    x, y = tr.pos[k, mover]
    vx, vy = tr.vel_in[k, mover]
    c, s = np.cos(angle), np.sin(angle)
    vx, vy = speed_scale * (c * vx - s * vy), speed_scale * (s * vx + c * vy)
    if abs(vx) + abs(vy) < 1e-9:
        return None
    others = [j for j in range(len(scene.bodies)) if j != mover and scene.bodies[j].visible(k)]
    for _ in range(horizon):
        for j in others:
            if np.hypot(x - tr.pos[k, j, 0], y - tr.pos[k, j, 1]) <= b.radius + scene.bodies[j].radius:
                return j
        x, vx, _ = reflect(x, vx, b.radius, scene.size)
        y, vy, _ = reflect(y, vy, b.radius, scene.size)
    return None


def earliest_stable_frame(predict, truth, start: int, outcome: int) -> int:
    """The earliest frame ``d`` in ``[start, outcome]`` such that ``predict(k) == truth`` for every
    ``k`` in ``[d, outcome)``: from ``d`` on, the evidence shown so far never points elsewhere."""
    d = outcome
    for k in range(outcome - 1, start - 1, -1):
        if predict(k) != truth:
            break
        d = k
    return d
