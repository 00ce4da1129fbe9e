"""Stage 0: perception pretraining of StreamPro-Small's frame encoder, from the simulator's own state.

Why: a real VideoLLM starts from a pretrained vision tower, and learning to see from the sparse
decision/answer signal of streaming SFT alone is what kept StreamPro-Small near the baselines. The world
knows, for every frame, which object (colour x shape) is where, so the encoder gets that signal
directly: for each of its grid cells (one visual token each), which of the 32 colour-shape classes has
its centre in the cell (binary cross-entropy) and where inside the cell (L1 on the offset, where
present). Afterwards SFT freezes the encoder and reads its features from a cache (``feature_cache``)
instead of re-running it every step.

Scenes are rebuilt from the generated videos' names (``{split}_{scene seed}_{task}.mp4``), and the labels
are paired with the *decoded* frames the model trains on, so nothing but the labels comes from the
simulator. Items of other origin (converted real data) are skipped here.
"""

from __future__ import annotations

import json
import re
from dataclasses import asdict
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn
from tqdm import tqdm

from ..core.items import Item
from ..core.runs import write_manifest
from ..data.schema import load_items
from ..data.world_items import make_scene_items
from ..world.config import WorldConfig
from ..world.scene import COLORS, SHAPES, Scene
from .checkpoint import check_finite, claim_training_run, write_final
from .configs import PerceptionConfig
from .policy import build_policy
from .trajectory import load_frames

CLASSES = [(c, s) for c in COLORS for s in SHAPES]
_INDEX = {cs: i for i, cs in enumerate(CLASSES)}
_VIDEO = re.compile(r"^(train|val|test)_(\d+)_([A-Z]{2})$")


def scene_of(item: Item) -> Scene | None:
    """The simulator scene behind a generated video, or None for a video of other origin."""
    m = _VIDEO.match(Path(item.video).stem)
    if not m:
        return None
    return make_scene_items(m.group(3), int(m.group(2)), WorldConfig(fps=item.fps, **item.meta.get("world", {})))[0]


def frame_targets(scene: Scene, grid: int) -> tuple[np.ndarray, np.ndarray]:
    """Per frame and grid cell (row-major, as the encoder's tokens): presence of each colour-shape class
    [T, g*g, 32] and its centre's offset inside the cell in [0, 1) [T, g*g, 32, 2]."""
    T, cell = scene.n_frames, scene.size / grid
    presence = np.zeros((T, grid * grid, len(CLASSES)), np.float32)
    offset = np.zeros((T, grid * grid, len(CLASSES), 2), np.float32)
    pos = scene.traj.pos
    for k in range(T):
        for i in scene.visible_bodies(k):
            b = scene.bodies[i]
            x, y = pos[k, i]
            cx, cy = min(int(x // cell), grid - 1), min(int(y // cell), grid - 1)
            c = _INDEX[(b.color_at(k), b.shape)]
            presence[k, cy * grid + cx, c] = 1.0
            offset[k, cy * grid + cx, c] = (x / cell - cx, y / cell - cy)
    return presence, offset


def perception_data(items: list[Item], size: int, grid: int) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """(frames [N, size, size, 3] uint8, presence, offsets) over every distinct generated video."""
    frames = load_frames(items, size)
    xs, ps, os_ = [], [], []
    seen = set()
    for it in items:
        if it.video in seen:
            continue
        seen.add(it.video)
        scene = scene_of(it)
        if scene is None:
            continue
        p, o = frame_targets(scene, grid)
        n = min(len(p), len(frames[it.video]))
        xs.append(frames[it.video][:n])
        ps.append(p[:n])
        os_.append(o[:n])
    if not xs:
        raise ValueError("no generated world videos among the items: perception pretraining needs the simulator's scenes")
    return torch.from_numpy(np.concatenate(xs)), torch.from_numpy(np.concatenate(ps)), torch.from_numpy(np.concatenate(os_))


class PerceptionHead(nn.Module):
    """Per visual token: a presence logit and an (x, y) offset for each colour-shape class."""

    def __init__(self, d_model: int):
        super().__init__()
        self.proj = nn.Sequential(nn.Linear(d_model, d_model), nn.GELU(), nn.Linear(d_model, 3 * len(CLASSES)))

    def forward(self, tokens: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        out = self.proj(tokens).unflatten(-1, (len(CLASSES), 3))
        return out[..., 0], torch.sigmoid(out[..., 1:])


def perception_loss(logits, offsets, presence, target_offsets) -> torch.Tensor:
    """BCE on presence (positives up-weighted: a frame shows a handful of the 128 cell-classes) plus
    L1 on the offsets of the objects that are there."""
    bce = F.binary_cross_entropy_with_logits(logits, presence, pos_weight=torch.tensor(8.0))
    l1 = ((offsets - target_offsets).abs().sum(-1) * presence).sum() / presence.sum().clamp_min(1)
    return bce + l1


@torch.no_grad()
def probe(encoder: nn.Module, head: PerceptionHead, frames, presence, offsets, size: float, batch: int = 512) -> dict:
    """What the encoder reads off a frame, on these (held-out) frames: F1 of colour-shape-cell
    presence, of colour-in-cell and shape-in-cell, exact-frame accuracy (every object right), and the
    position error of found objects in pixels of the world's 64-px frame."""
    preds, offs = [], []
    for i in range(0, len(frames), batch):
        lo, of = head(encoder(frames[i : i + batch]))
        preds.append(lo > 0)
        offs.append(of)
    pred, off = torch.cat(preds), torch.cat(offs)
    truth = presence > 0.5

    def f1(p, t):
        tp = (p & t).sum().item()
        return 2 * tp / max(1, p.sum().item() + t.sum().item())

    by = pred.unflatten(-1, (len(COLORS), len(SHAPES)))
    tb = truth.unflatten(-1, (len(COLORS), len(SHAPES)))
    hit = pred & truth
    grid = int(round(presence.shape[1] ** 0.5))
    err = ((off - offsets).norm(dim=-1) * size / grid)[hit]
    return {"frames": len(frames), "objects": int(truth.sum()),
            "object_f1": round(f1(pred, truth), 4),
            "colour_f1": round(f1(by.any(-1), tb.any(-1)), 4),
            "shape_f1": round(f1(by.any(-2), tb.any(-2)), 4),
            "frame_exact": round((pred == truth).flatten(1).all(1).float().mean().item(), 4),
            "position_err_px": round(err.mean().item(), 2) if len(err) else None}


def pretrain_perception(cfg: PerceptionConfig, progress: bool = True, overwrite: bool = False) -> Path:
    """Train a fresh StreamPro-Small's frame encoder on the world's frame state; save the model (its
    transformer untouched) to ``out/final`` with ``probe.json`` beside it. The folder is claimed as the
    other trainers' are (``claim_training_run``): a finished stage is reused, one of other settings refused."""
    out = Path(cfg.out)
    if claim_training_run(cfg, overwrite):
        return out / "final"
    out.mkdir(parents=True, exist_ok=True)
    write_manifest(out, "config", asdict(cfg))
    torch.manual_seed(cfg.seed)
    items = load_items(cfg.train)
    model = build_policy("small", None, items, {"image_size": cfg.image_size, **(cfg.model or {})})
    g = model.cfg.grid
    frames, presence, offsets = perception_data(items, cfg.image_size, g)
    head = PerceptionHead(model.cfg.d_model)
    params = [*model.encoder.parameters(), *head.parameters()]
    opt = torch.optim.AdamW(params, lr=cfg.lr, weight_decay=0.01)
    rng = np.random.default_rng(cfg.seed)
    log = []
    bar = tqdm(range(cfg.steps), desc="perception", disable=not progress)
    for step in bar:
        lr = cfg.lr * min(1.0, (step + 1) / 30) * (0.1 + 0.9 * 0.5 * (1 + np.cos(np.pi * step / cfg.steps)))
        for group in opt.param_groups:
            group["lr"] = lr
        idx = torch.from_numpy(rng.choice(len(frames), min(cfg.batch_size, len(frames)), replace=False))
        logits, offs = head(model.encoder(frames[idx]))
        loss = perception_loss(logits, offs, presence[idx], offsets[idx])
        check_finite(loss.item(), step, out)
        opt.zero_grad()
        loss.backward()
        opt.step()
        if step % 50 == 0 or step == cfg.steps - 1:
            log.append({"step": step, "loss": round(loss.item(), 4)})
            bar.set_postfix(loss=f"{loss.item():.3f}")
    model.eval()
    report = {"config": asdict(cfg), "log": log,
              "train": probe(model.encoder, head, frames[:2000], presence[:2000], offsets[:2000], 64)}
    if cfg.val:
        report["val"] = probe(model.encoder, head, *perception_data(load_items(cfg.val), cfg.image_size, g), 64)
    (out / "probe.json").write_text(json.dumps(report, indent=2))  # before final/: a finished run has its probe
    return write_final(model, out)
