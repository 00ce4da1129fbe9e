"""An auxiliary SFT target that makes StreamPro-Small's decisions look at the video: the motion of the object
the question names, at every frame from the query on (still, up, down, left, right).

Why: a diagnostic (``docs/measured/tg-probe/decision_auc.py``) showed that the SFT-CB model's speak/stay-silent
decision is the same whether it is shown the question's video or another one, on every task: it times its
answers from the query and its own past answers (a clock), which the teacher trajectories reward almost as much
as looking. A Temporal Grounding answer ("when the red circle stops moving up ...") is due exactly where the named
motion stops, and the other tasks' speak frames depend on how objects move, so this target puts that motion, read
from the frames up to now, at the very position the decision is read from. The labels come from the simulator
(``scene_of``), like stage 0's; the head is the trainer's, not the model's (it is dropped after SFT). Off by
default (``motion_aux: 0``), which is the paper's loss.
"""

from __future__ import annotations

import re

import numpy as np
import torch
from torch import nn

from ..core.items import Item
from ..core.vocab import COLOR_NAMES, SHAPES
from ..world.scene import Scene
from .perception import scene_of
from .trajectory import IGNORE, KIND_DECISION, Trajectory, item_frames

MOTIONS = ("still", "up", "down", "left", "right")
#: a displacement shorter than this (pixels per frame) is "still"
STILL_PX = 0.5
_NAMED = re.compile(rf"\b({'|'.join(COLOR_NAMES)}) ({'|'.join(SHAPES)})\b")


def motion_class(d: np.ndarray) -> int:
    """The class of one displacement (x right, y down in the frame): still, or its dominant axis's direction."""
    dx, dy = float(d[0]), float(d[1])
    if np.hypot(dx, dy) < STILL_PX:
        return 0
    if abs(dy) >= abs(dx):
        return 1 if dy < 0 else 2
    return 3 if dx < 0 else 4


def frame_motion_labels(item: Item, scene: Scene | None) -> dict[int, int]:
    """Frame -> motion class of the first object the question names (``"the red circle"``), for the frames
    from the query on where it is visible; empty for a question that names none or a video of other origin
    (``scene`` None: see :func:`~streampro.train.perception.scene_of`)."""
    m = _NAMED.search(item.question)
    if scene is None or m is None:
        return {}
    q, last = item_frames(item)
    bodies = [i for i, b in enumerate(scene.bodies) if b.shape == m.group(2) and b.color_at(q) == m.group(1)]
    if not bodies:
        return {}
    i, body = bodies[0], scene.bodies[bodies[0]]
    vel = scene.traj.vel_in
    return {k: motion_class(vel[k, i]) for k in range(q, min(last, scene.n_frames - 1) + 1)
            if body.visible(k) and body.visible(k - 1)}


def token_targets(traj: Trajectory, labels: dict[int, int], q_frame: int) -> list[int]:
    """The labels laid on the trajectory's tokens: frame ``q_frame + j``'s at its decision position
    (the ``j``-th decision), IGNORE elsewhere."""
    out = [IGNORE] * len(traj.tokens)
    decisions = [p for p, k in enumerate(traj.kind) if k == KIND_DECISION]
    for j, p in enumerate(decisions):
        out[p] = labels.get(q_frame + j, IGNORE)
    return out


def motion_targets(items: list[Item], trajs: list[Trajectory]) -> list[list[int]]:
    """Each teacher trajectory's token targets (one simulation per video, shared by its questions)."""
    scenes: dict[str, Scene | None] = {}
    out = []
    for it, tr in zip(items, trajs, strict=True):
        if it.video not in scenes:
            scenes[it.video] = scene_of(it)
        out.append(token_targets(tr, frame_motion_labels(it, scenes[it.video]), item_frames(it)[0]))
    return out


def collate_targets(rows: list[list[int]]) -> torch.Tensor:
    t = torch.full((len(rows), max(map(len, rows))), IGNORE)
    for i, r in enumerate(rows):
        t[i, : len(r)] = torch.tensor(r)
    return t


class MotionHead(nn.Module):
    """Hidden state at a decision position -> motion class logits."""

    def __init__(self, d_model: int):
        super().__init__()
        self.proj = nn.Linear(d_model, len(MOTIONS))

    def forward(self, hidden: torch.Tensor, targets: torch.Tensor) -> torch.Tensor:
        """Mean cross-entropy over the labelled positions (0 when a batch has none)."""
        at = targets != IGNORE
        if not at.any():
            return hidden.sum() * 0.0
        return nn.functional.cross_entropy(self.proj(hidden[at]), targets[at])
