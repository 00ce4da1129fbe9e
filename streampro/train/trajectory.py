"""Streaming trajectories: frames interleaved with query, decision and answer tokens.

One builder serves both stages: SFT lays out the *teacher* actions (``</Response> answer <eos>`` after
the frame of each answer's best time, ``</Silence>`` after every other frame from the query to the end
of the video), GRPO lays out the actions a rollout *sampled*. Labels are next-token
targets; only action tokens (decisions and answers) carry labels — frames and the query are environment
observations and are masked out (``-100``) of every loss.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

from ..core.items import TIME_EPS, Item
from ..data.video import decode_video
from .protocols import TokenLayout

IGNORE = -100
KIND_NONE, KIND_DECISION, KIND_ANSWER = 0, 1, 2


@dataclass
class Trajectory:
    item_id: str
    frames: np.ndarray  # [K, H, W, 3] uint8: frames 0..K-1 of the stream
    tokens: list[int]  # cfg.frame_id at visual positions
    labels: list[int]
    kind: list[int]


def item_frames(item: Item) -> tuple[int, int]:
    """(query frame, last frame) of an item on its own frame grid."""
    return round(item.query_time * item.fps), max(0, int(np.ceil(item.duration * item.fps - TIME_EPS)) - 1)


def teacher_frames(item: Item, last: int) -> list[int]:
    """The frame after which the teacher speaks each answer: the first frame at or after its best
    time — for interval answers (EU, TP) the interval's start, the earliest moment with full time
    credit. Two answers due at one frame go to consecutive frames (one response per frame)."""
    out, taken = [], set()
    q = round(item.query_time * item.fps)
    for a in item.answers:
        k = max(q, int(np.ceil(a.best[0] * item.fps - TIME_EPS)))
        while k in taken and k < last:
            k += 1
        taken.add(k)
        out.append(min(k, last))
    return out


def build_trajectory(cfg: TokenLayout, item_id: str, frames: np.ndarray, q_frame: int, query_ids: list[int],
                     actions: dict[int, list[int]], last_frame: int, tokenizer=None, fps: float = 1.0) -> Trajectory:
    """Lay out frames ``0..last_frame`` (each after its ``<Xs-Ys>`` label where the layout has labels)
    with the query before ``q_frame`` and, from ``q_frame`` on, the action tokens after each frame
    (``[</Silence>]`` where ``actions`` has none)."""
    g2 = cfg.tokens_per_frame
    n = len(cfg.preamble)
    tokens, labels, kind = list(cfg.preamble), [IGNORE] * n, [KIND_NONE] * n
    for k in range(last_frame + 1):
        if k == q_frame:
            tokens += query_ids
            labels += [IGNORE] * len(query_ids)
            kind += [KIND_NONE] * len(query_ids)
        label = cfg.frame_label_ids(tokenizer, k, fps) if tokenizer is not None else []
        tokens += label
        labels += [IGNORE] * len(label)
        kind += [KIND_NONE] * len(label)
        tokens += [cfg.frame_id] * g2
        labels += [IGNORE] * g2
        kind += [KIND_NONE] * g2
        if k >= q_frame:
            acts = actions.get(k, [cfg.silence_id])
            labels[-1], kind[-1] = acts[0], KIND_DECISION
            for j, a in enumerate(acts):
                nxt = acts[j + 1] if j + 1 < len(acts) else IGNORE
                tokens.append(a)
                labels.append(nxt)
                kind.append(KIND_ANSWER if nxt != IGNORE else KIND_NONE)
    return Trajectory(item_id, frames[: last_frame + 1], tokens, labels, kind)


def sft_trajectory(cfg: TokenLayout, tokenizer, item: Item, frames: np.ndarray) -> Trajectory:
    """Teacher trajectory: every answer at its teacher frame (:func:`teacher_frames`), silence elsewhere,
    from the query to the last frame of the video."""
    q, last = item_frames(item)
    last = min(last, len(frames) - 1)
    actions = {k: [cfg.respond_id, *tokenizer.encode(a.text).ids, cfg.eos_id]
               for a, k in zip(item.answers, teacher_frames(item, last), strict=True)}
    return build_trajectory(cfg, item.id, frames, q, cfg.query_ids(tokenizer, item.question, ()), actions, last,
                            tokenizer, item.fps)


def load_frames(items: list[Item], size: int) -> dict[str, np.ndarray]:
    """Decode every distinct video once (resized in the decoder), keyed by path."""
    cache: dict[str, np.ndarray] = {}
    for it in items:
        if it.video not in cache:
            cache[it.video] = decode_video(it.video, fps=it.fps, size=size)[0]
    return cache


@dataclass
class Batch:
    tokens: torch.Tensor  # [B, T]
    is_visual: torch.Tensor  # [B, T] bool
    frames: torch.Tensor  # [N, H, W, 3] uint8, in the order visual positions appear (row-major)
    labels: torch.Tensor  # [B, T]
    kind: torch.Tensor  # [B, T]


def collate(cfg: TokenLayout, trajs: list[Trajectory]) -> Batch:
    T = max(len(t.tokens) for t in trajs)
    tokens = torch.full((len(trajs), T), cfg.pad_id)
    labels = torch.full((len(trajs), T), IGNORE)
    kind = torch.zeros((len(trajs), T), dtype=torch.long)
    for i, t in enumerate(trajs):
        n = len(t.tokens)
        tokens[i, :n], labels[i, :n], kind[i, :n] = torch.tensor(t.tokens), torch.tensor(t.labels), torch.tensor(t.kind)
    frames = torch.from_numpy(np.concatenate([t.frames for t in trajs]))
    return Batch(tokens, tokens == cfg.frame_id, frames, labels, kind)


def decision_counts(cfg: TokenLayout, trajs: list[Trajectory]) -> dict[str, int]:
    labs = [lab for t in trajs for lab, k in zip(t.labels, t.kind, strict=False) if k == KIND_DECISION]
    return {"silence": sum(lab == cfg.silence_id for lab in labs), "respond": sum(lab == cfg.respond_id for lab in labs)}


def select_tasks(items, tasks, where: str):
    """The items of ``tasks`` (all when empty); an unknown task name, or none left, is an error."""
    from ..core.errors import InputError
    from ..core.items import TASKS

    if not tasks:
        return items
    unknown = sorted(set(tasks) - set(TASKS))
    if unknown:
        raise InputError(f"unknown task(s) {unknown} in 'tasks'; known: {sorted(TASKS)}")
    kept = [it for it in items if it.task in set(tasks)]
    if not kept:
        raise InputError(f"{where} has no item of the tasks {sorted(tasks)}")
    return kept
