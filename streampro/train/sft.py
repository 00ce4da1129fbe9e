"""Stage 1: streaming SFT with CB-Stream loss (or plain CE / focal for the ablation), through ``accelerate``.

Batches are drawn by a generator seeded with ``(seed, step)``, so a resumed run sees exactly the batches
an uninterrupted one would have, without any data-loader state; under DDP each process takes its own
slice of the global batch.
"""

from __future__ import annotations

import json
import time
from dataclasses import asdict
from pathlib import Path

import numpy as np
import torch
from accelerate import Accelerator
from accelerate.utils import set_seed
from tqdm import tqdm

from ..core.errors import InputError
from ..data.schema import load_items
from ..data.video import check_items_videos
from ..models.small import StreamProSmall, n_params
from .checkpoint import JsonlLogger, check_finite, claim_training_run, resume, save_checkpoint, save_final
from .configs import SFTConfig
from .losses import LOSSES, batch_counts, stream_loss
from .motion_aux import MotionHead, collate_targets, motion_targets
from .policy import build_policy
from .trajectory import IGNORE, collate, decision_counts, load_frames, select_tasks, sft_trajectory


def lr_at(step: int, cfg) -> float:
    """Linear warm-up then cosine decay to 10 %."""
    if step < cfg.warmup:
        return cfg.lr * (step + 1) / cfg.warmup
    p = (step - cfg.warmup) / max(1, cfg.steps - cfg.warmup)
    return float(cfg.lr * (0.1 + 0.9 * 0.5 * (1 + np.cos(np.pi * min(1.0, p)))))


def batch_indices(n: int, batch_size: int, seed: int, step: int, lengths: np.ndarray | None = None,
                  megabatch: int = 8) -> np.ndarray:
    """The training questions of ``step``, a function of ``(seed, step)`` only (a resumed run sees the
    batches an uninterrupted one would). ``lengths`` given: batches grouped by length, as the Trainer's
    ``group_by_length`` does — ``megabatch`` batches' worth of questions is drawn at random, sorted by
    length and cut into batches taken in a random order, so a batch pads to a length near its own instead of
    to the longest of 16 random streams (about a fifth of the tokens of a random batch are padding here)."""
    if lengths is None:
        return np.random.default_rng([seed, step]).choice(n, batch_size, replace=False)
    m, k = divmod(step, megabatch)
    rng = np.random.default_rng([seed, m, 1])
    pool = rng.choice(n, min(n, batch_size * megabatch), replace=False)
    pool = pool[np.argsort(lengths[pool], kind="stable")]
    chunks = [pool[i : i + batch_size] for i in range(0, len(pool) - batch_size + 1, batch_size)]
    return chunks[rng.permutation(len(chunks))[k % len(chunks)]]


def prepare_corpus(cfg: SFTConfig):
    """The policy to train and the teacher trajectories of the training items, in its layout. With
    ``freeze_encoder`` the trajectories carry the frozen encoder's features instead of pixels."""
    items = select_tasks(load_items(cfg.train), cfg.tasks, cfg.train)
    check_items_videos(items, cfg.train)  # every video and answer, before a model is loaded
    policy = build_policy(cfg.base, cfg, items, cfg.model)
    frames = load_frames(items, policy.cfg.image_size)
    if cfg.freeze_encoder:
        if not isinstance(policy, StreamProSmall):
            raise ValueError("freeze_encoder applies to StreamPro-Small (an HF model: use lora, or freeze its vision tower)")
        policy.encoder.requires_grad_(False)
        frames = {v: policy.encode_frames(f) for v, f in frames.items()}
    trajs = [sft_trajectory(policy.cfg, policy.tokenizer, it, frames[it.video]) for it in items]
    return items, policy, trajs


def motion_targets_for(model, items, trajs, where: str) -> list[list[int]]:
    """The auxiliary motion targets (``motion_aux``), or a one-line error where they cannot exist."""
    if not isinstance(model, StreamProSmall):
        raise InputError("motion_aux applies to StreamPro-Small (an HF model has no simulator-labelled head here); "
                         "set motion_aux: 0")
    aux = motion_targets(items, trajs)
    if not any(t != IGNORE for row in aux for t in row):
        raise InputError(f"motion_aux: no question of {where} names an object of a generated world video, so there "
                         "is nothing to label; set motion_aux: 0")
    return aux


def train_sft(cfg: SFTConfig, progress: bool = True, overwrite: bool = False) -> Path:
    """Train; return ``out/final``. ``out`` belongs to one configuration (``claim_training_run``): a folder
    with a run of other settings is refused unless ``overwrite``, and a finished run is returned as it is."""
    out = Path(cfg.out)
    if claim_training_run(cfg, overwrite):
        return out / "final"
    out.mkdir(parents=True, exist_ok=True)
    accelerator = Accelerator(cpu=not torch.cuda.is_available())
    set_seed(cfg.seed)
    if cfg.loss not in LOSSES:
        raise ValueError(f"loss must be one of {LOSSES}, got {cfg.loss!r}")
    items, model, trajs = prepare_corpus(cfg)
    mcfg = model.cfg
    counts = decision_counts(mcfg, trajs)
    head, aux = None, None
    if cfg.motion_aux > 0:
        head, aux = MotionHead(mcfg.d_model), motion_targets_for(model, items, trajs, cfg.train)
    params = [p for m in (model, head) if m is not None for p in m.parameters() if p.requires_grad]
    opt = torch.optim.AdamW(params, lr=cfg.lr, weight_decay=cfg.weight_decay)
    if head is None:
        model, opt = accelerator.prepare(model, opt)
    else:  # the head is trained (and checkpointed) with the model, and not saved in final/
        model, head, opt = accelerator.prepare(model, head, opt)
    start = resume(accelerator, out)
    if accelerator.is_main_process:
        info = {"config": asdict(cfg), "model": asdict(mcfg), "params": n_params(model),
                "trainable_params": sum(p.numel() for p in model.parameters() if p.requires_grad), "n_items": len(items),
                "decisions": counts, "silence_per_respond": counts["silence"] / max(1, counts["respond"]),
                "resumed_from": start,
                "world_size": accelerator.num_processes}
        (out / "run.json").write_text(json.dumps(info, indent=2))
    logger = JsonlLogger(out / "log.jsonl", accelerator.is_main_process, cfg.tensorboard, start)
    world, rank = accelerator.num_processes, accelerator.process_index
    model.train()
    if cfg.freeze_encoder:
        accelerator.unwrap_model(model).encoder.eval()
    if cfg.batch_size > len(trajs):
        raise InputError(f"batch_size {cfg.batch_size} exceeds the {len(trajs)} training questions of {cfg.train}; "
                         "lower it or add data")
    began = time.perf_counter()
    bar = tqdm(range(start, cfg.steps), desc=f"sft-{cfg.loss}", disable=not (progress and accelerator.is_main_process),
               initial=start, total=cfg.steps)
    lengths = np.array([len(t.tokens) for t in trajs]) if cfg.group_by_length else None
    for step in bar:
        idx = batch_indices(len(trajs), cfg.batch_size, cfg.seed, step, lengths)
        b = collate(mcfg, [trajs[i] for i in idx[rank::world]])
        for g in opt.param_groups:
            g["lr"] = lr_at(step, cfg)
        hidden: list = []  # StreamPro-Small's final hidden states, asked for only by the motion head (HF forward has no such argument)
        logits = model(b.tokens.to(accelerator.device), b.is_visual.to(accelerator.device), b.frames.to(accelerator.device),
                       **({"hidden": hidden} if head is not None else {}))
        labels, kind = b.labels.to(accelerator.device), b.kind.to(accelerator.device)
        # "the current batch" of CB-Stream is the global batch: class counts and N summed over the processes;
        # each process's loss is then its share of the global loss, and DDP's gradient mean is undone by x world
        totals = accelerator.reduce(batch_counts(labels, kind, mcfg.silence_id, mcfg.respond_id), "sum")
        parts = stream_loss(logits, labels, kind, mcfg.silence_id, mcfg.respond_id, cfg.loss, cfg.beta,
                            cfg.lambda_text, cfg.gamma, totals=totals,
                            focal_alpha=cfg.focal_alpha)
        total = parts["loss"]
        if head is not None:  # a mean per process; / world so that x world and DDP's mean leave the mean over processes
            parts["motion"] = head(hidden[0], collate_targets([aux[i] for i in idx[rank::world]]).to(accelerator.device))
            total = total + cfg.motion_aux * parts["motion"] / world
        loss_value = accelerator.reduce(total.detach(), "sum").item()
        check_finite(loss_value, step, out)
        opt.zero_grad()
        accelerator.backward(total * world)
        accelerator.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        if step % cfg.log_every == 0 or step == cfg.steps - 1:
            extra = {"motion": accelerator.reduce(parts["motion"].detach(), "mean").item()} if head is not None else {}
            logger.log(step, loss=loss_value, decision=parts["decision"].item(), answer=parts["answer"].item(),
                       lr=lr_at(step, cfg), **extra)
            bar.set_postfix(loss=f"{loss_value:.3f}")
        if (step + 1) % cfg.save_every == 0 and step + 1 < cfg.steps:
            save_checkpoint(accelerator, out, step + 1)
    if accelerator.is_main_process and cfg.steps > start:  # training speed, for the feature-cache comparison
        info = json.loads((out / "run.json").read_text())
        info["steps_per_s"] = round((cfg.steps - start) / (time.perf_counter() - began), 3)
        (out / "run.json").write_text(json.dumps(info, indent=2))
    return save_final(accelerator, model, out)
