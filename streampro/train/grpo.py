"""Stage 2: GRPO with multi-grained rewards (TRL-style loop, written for streaming rollouts).

Per step: for each sampled stream+question, draw ``group_size`` rollouts from the current policy
(stochastic decisions after every frame, sampled answers after ``</Response>``; frames are environment
observations). The paper's rewards (``rewards.py``: format, turn-level F1, trajectory rubric) are normalised within the group into advantages. The loss is
the clipped policy-gradient objective plus a KL penalty (k3 estimator) to the frozen SFT reference,
computed on action tokens only — frames and query tokens are masked out.
"""

from __future__ import annotations

import copy
import json
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from functools import partial
from pathlib import Path

import numpy as np
import torch
from accelerate import Accelerator
from accelerate.utils import set_seed
from tqdm import tqdm

from ..bench.judges import RuleJudge
from ..bench.protocol import StreamJob, StreamQuery, run_jobs
from ..core.errors import InputError
from ..data.schema import Item, load_items
from ..data.video import Frame, VideoError, check_items_videos
from ..models.base import Query
from .checkpoint import JsonlLogger, check_finite, claim_training_run, resume, save_checkpoint, save_final
from .configs import LOSS_TYPES, GRPOConfig
from .curves import plot_curves, validate
from .policy import build_policy
from .rewards import RewardSettings, compute_rewards, turn_matches
from .trajectory import (
    IGNORE,
    KIND_ANSWER,
    KIND_DECISION,
    Trajectory,
    build_trajectory,
    collate,
    item_frames,
    load_frames,
    select_tasks,
)


@dataclass
class Rollout:
    trajectory: Trajectory
    reward: float
    parts: dict[str, float]
    n_responses: int
    #: the turn reward's matched pairs (response index in time order, answer index, S', S_acc); ``credit: response``
    matches: list[tuple[int, int, float, float]] = field(default_factory=list)


@dataclass
class Sample:
    """One sampled stream before it is scored: its trajectory, what it said, and its per-frame actions."""

    item: Item
    trajectory: Trajectory
    responses: list
    steps: list


def sample_stream(policy, item: Item, frames: np.ndarray, seed: int, temperature: float,
                  decision_sampling: str = "pair") -> Sample:
    """Run one stochastic stream of ``item`` and lay out the actions it took as a trajectory. ``policy``
    is StreamPro-Small or an ``HFPolicy``: both give a sampling streamer that records its actions."""
    return sample_group(policy, item, frames, [seed], temperature, decision_sampling)[0]


def sample_group(policy, item: Item, frames: np.ndarray, seeds: list[int], temperature: float,
                 decision_sampling: str = "pair", features: np.ndarray | None = None) -> list[Sample]:
    """A GRPO group: one sampled stream of ``item`` per seed, stepped together (:func:`sample_groups` of one
    group). Each stream is what :func:`sample_stream` gives for its seed alone (each sampler draws from its
    own generator)."""
    return sample_groups(policy, [(item, frames, seeds)], temperature, decision_sampling,
                         None if features is None else [features])[0]


def sample_groups(policy, groups: list[tuple[Item, np.ndarray, list[int]]], temperature: float,
                  decision_sampling: str = "pair", features: list[np.ndarray] | None = None) -> list[list[Sample]]:
    """Several GRPO groups (item, its frames, one seed per rollout) stepped together: every rollout of every
    group advances one frame per tick in one batch (``run_jobs``; the frames of one video are one list, so
    the CNN sees each frame once per tick). Each rollout is what its seed gives alone. ``features``: per
    group, a frozen encoder's visual tokens of its frames; the trajectories then carry them instead of
    pixels, so the loss's forward passes skip the encoder."""
    extra = {} if decision_sampling == "pair" else {"decision_sampling": decision_sampling}  # HF only
    jobs, spans = [], []
    for item, frames, seeds in groups:
        streamers = [policy.streamer(seed=seed, sample=True, temperature=temperature, **extra) for seed in seeds]
        q = Query(item.id, item.question, (), item.query_time, item.task)
        shared = [Frame(k, k / item.fps, frames[k]) for k in range(len(frames))]
        spans.append(streamers)
        jobs += [StreamJob(m, item.video, item.fps, item.duration, [StreamQuery(q, item.duration)], None, shared)
                 for m in streamers]
    said = run_jobs(jobs)
    for r in said:
        if isinstance(r, VideoError):
            raise r
    cfg, out, at = policy.cfg, [], 0
    for g, ((item, frames, _), streamers) in enumerate(zip(groups, spans, strict=True)):
        q_ids = cfg.query_ids(policy.tokenizer, item.question, ())
        laid = frames if features is None else features[g]
        group = []
        for streamer, responses in zip(streamers, said[at : at + len(streamers)], strict=True):
            trace = streamer.trace[item.id]
            traj = build_trajectory(cfg, item.id, laid, item_frames(item)[0], q_ids, dict(trace), trace[-1][0],
                                    policy.tokenizer, item.fps)
            group.append(Sample(item, traj, responses[item.id], [a for _, a in trace]))
        out.append(group)
        at += len(streamers)
    return out


def score_sample(policy, sample: Sample, weights: dict[str, float], settings: RewardSettings = RewardSettings(),
                 judge=None, rubric=None, with_matches: bool = False) -> Rollout:
    cfg = policy.cfg
    matches = turn_matches(sample.item, sample.responses, judge or RuleJudge(), settings) if with_matches else None
    total, parts = compute_rewards(sample.item, sample.responses, sample.steps,
                                   (cfg.silence_id, cfg.respond_id, cfg.eos_id), weights, judge, settings, rubric,
                                   matches)  # the turn reward reuses the pairs instead of matching again
    return Rollout(sample.trajectory, total, parts, len(sample.responses), matches or [])


def rollout(policy, item: Item, frames: np.ndarray, seed: int, temperature: float,
            weights: dict[str, float], settings: RewardSettings = RewardSettings(), judge=None, rubric=None) -> Rollout:
    """One sampled stream of ``item``, scored with the paper's rewards."""
    return score_sample(policy, sample_stream(policy, item, frames, seed, temperature), weights, settings, judge, rubric)


def build_scorers(cfg: GRPOConfig, out: Path):
    """The turn reward's content judge and the trajectory rubric the config names. One LLM backend (loaded
    once; room for the rubric's lists) and one cache file serve both."""
    from ..bench.judges import LLMJudge, build_judge
    from ..llm.cache import LLMCache
    from .rubric import build_rubric

    uses_llm = cfg.judge == "llm" or cfg.rubric == "llm"
    backend = cfg.chat(max_tokens=512) if uses_llm else None
    cache = LLMCache(cfg.llm_cache or out / "llm_cache.jsonl") if uses_llm else None
    judge = LLMJudge(backend, cfg.judge_prompt, cache, concurrency=1) if cfg.judge == "llm" else build_judge(cfg.judge)
    return judge, build_rubric(cfg.rubric, backend, cfg.rubric_design_prompt, cfg.rubric_grade_prompt, cache)


class FrameFeatures(dict):
    """A frozen StreamPro-Small encoder's visual tokens per video, computed the first time a video is drawn
    (they do not change while the transformer trains; a short run touches few of the videos)."""

    def __init__(self, policy, frames: dict[str, np.ndarray]):
        super().__init__()
        self.policy, self.frames = policy, frames

    def __missing__(self, video: str) -> np.ndarray:
        self[video] = tokens = self.policy.encode_frames(self.frames[video])
        return tokens


def group_advantages(rewards: torch.Tensor, eps: float = 1e-4, scale: bool = True) -> torch.Tensor:
    """(r - mean) / (std + eps) within each group (rows); a group with equal rewards gives zeros.
    ``scale=False`` only centres them (Dr. GRPO, TRL's ``scale_rewards=False``): a group whose rollouts differ
    by a hair then pushes by a hair instead of as hard as a group with a real difference."""
    centred = rewards - rewards.mean(-1, keepdim=True)
    return centred / (rewards.std(-1, keepdim=True, unbiased=False) + eps) if scale else centred


def tree_advantages(labels: torch.Tensor, rewards: torch.Tensor, eps: float = 1e-4, scale: bool = True) -> torch.Tensor:
    """Per-token advantages ``[B, T]`` (``credit: tree``; ours, not the paper's) for ``rewards`` ``[groups, G]`` and
    the rollouts' ``labels`` (rows group by group; action tokens are the labels that are not IGNORE).

    The paper's GRPO gives every action token of a rollout the same advantage, R - mean(group). Here each action
    token's baseline is the mean reward of the group's rollouts that took exactly the same actions before it: the
    frames are the same for a whole group, so an equal action prefix is an equal state, and R - mean over that
    state's rollouts is a Monte-Carlo Q - V. A decision is credited against what the others did from where it
    stood: a silence late in a stream that no on-time rollout reaches any more is compared with the late and
    silent rollouts still there, not with the on-time ones. (It tested the belief that the trajectory advantage
    on those silences moves Temporal Grounding's greedy answer late; it did not stop TG's fall: docs/results.md,
    issue 18 round 6.) Once a rollout's prefix is its own, it keeps the
    baseline of the last state it shared. The first action's state is the whole group's, so a group whose rollouts
    never diverge gets exactly GRPO's advantages; ``scale`` divides by the group's reward std, as GRPO does."""
    n_groups, size = rewards.shape
    out = torch.zeros(labels.shape, dtype=torch.float32)
    std = rewards.std(-1, unbiased=False) + eps
    for g in range(n_groups):
        r = rewards[g].double()
        rows = [g * size + i for i in range(size)]
        pos = [torch.nonzero(labels[row] != IGNORE).flatten().tolist() for row in rows]
        acts = [labels[row, p].tolist() for row, p in zip(rows, pos, strict=True)]
        state = [0] * size  # rollouts with the same state id have taken the same actions so far
        base = [float(r.mean())] * size
        for k in range(max(len(a) for a in acts)):
            live = [i for i in range(size) if k < len(acts[i])]
            for i in live:
                mates = [j for j in live if state[j] == state[i]]
                if len(mates) > 1:
                    base[i] = float(r[mates].mean())
                out[rows[i], pos[i][k]] = (r[i] - base[i]) / (std[g] if scale else 1.0)
            ids: dict[tuple[int, int], int] = {}
            for i in live:
                state[i] = ids.setdefault((state[i], acts[i][k]), len(ids))
    return out


def response_advantages(labels: torch.Tensor, kind: torch.Tensor, respond_id: int, adv: torch.Tensor,
                        rolls: list[Rollout], group_size: int, weight: float) -> torch.Tensor:
    """Per-token advantages ``[B, T]`` (``credit: response``; ours, not the paper's). Every action token keeps its
    rollout's GRPO advantage ``adv`` ``[B]``; the answer tokens of a response the turn reward matched to answer j
    get ``weight * (S_acc - the mean S_acc of the group's responses matched to j)`` on top.

    Why: a Goal Planning rollout's reward mixes four or five answers' timing and words, so the tokens that name the
    right next square share one advantage with those naming a wrong one; after two paper's epochs most groups
    hold a rollout naming the next square and the policy no longer moves towards it (docs/results.md, issue 18
    round 19). Comparing each response's words with what the group's other rollouts said for the same answer
    credits the words themselves. A rollout whose response spans do not line up with its responses (an answer
    the streamer dropped) keeps the trajectory advantage alone."""
    out = adv.float().view(-1, 1).expand(labels.shape).clone()
    for g in range(len(rolls) // group_size):
        rows = range(g * group_size, (g + 1) * group_size)
        said = defaultdict(list)
        for r in rows:
            for _, j, _, acc in rolls[r].matches:
                said[j].append(acc)
        for r in rows:
            starts = torch.nonzero((kind[r] == KIND_DECISION) & (labels[r] == respond_id)).flatten().tolist()
            if len(starts) != rolls[r].n_responses:
                continue
            for i, j, _, acc in rolls[r].matches:
                if len(said[j]) > 1:
                    end = starts[i] + 1
                    while end < labels.shape[1] and kind[r, end] == KIND_ANSWER:
                        end += 1
                    out[r, starts[i] + 1 : end] += weight * (acc - sum(said[j]) / len(said[j]))
    return out


def token_logprobs(model, batch, device, temperature: float = 1.0) -> tuple[torch.Tensor, torch.Tensor]:
    """Log-probabilities of the label tokens and the action mask (labels that are not IGNORE). The logits
    are divided by the rollouts' sampling ``temperature`` (as TRL's GRPO does), so the ratio and the KL
    are taken under the distribution the actions were drawn from."""
    logits = model(batch.tokens.to(device), batch.is_visual.to(device), batch.frames.to(device))
    labels = batch.labels.to(device)
    mask = labels != IGNORE
    logp = torch.log_softmax(logits.float() / temperature, -1).gather(-1, labels.clamp_min(0).unsqueeze(-1)).squeeze(-1)
    return logp * mask, mask


def grpo_loss(logp: torch.Tensor, old_logp: torch.Tensor, ref_logp: torch.Tensor, mask: torch.Tensor,
              adv: torch.Tensor, clip_eps: float, kl_beta: float, loss_type: str = "grpo") -> dict[str, torch.Tensor]:
    """Clipped surrogate + k3 KL on the action tokens (``adv``: one advantage per rollout ``[B]``, or per token
    ``[B, T]``), aggregated as TRL's ``loss_type`` names it:
    ``grpo`` averages over each sequence's action tokens, then over sequences (a decision in a long stream
    weighs less than one in a short stream); ``bnpo`` averages over all action tokens of the batch;
    ``dr_grpo`` sums and divides by sequences x the longest sequence's action count (a constant per batch)."""
    ratio = torch.exp(logp - old_logp)
    a = adv.unsqueeze(-1) if adv.dim() == 1 else adv  # one per rollout, or one per token (tree credit)
    surr = torch.minimum(ratio * a, ratio.clamp(1 - clip_eps, 1 + clip_eps) * a)
    d = ref_logp - logp
    kl = torch.exp(d) - d - 1
    per_tok = -(surr - kl_beta * kl) * mask
    n = mask.sum(-1).clamp_min(1)
    if loss_type == "grpo":
        loss = (per_tok.sum(-1) / n).mean()
    elif loss_type == "bnpo":
        loss = per_tok.sum() / mask.sum().clamp_min(1)
    elif loss_type == "dr_grpo":
        loss = per_tok.sum() / (mask.shape[0] * n.max())
    else:
        raise ValueError(f"loss_type must be one of {LOSS_TYPES}, got {loss_type!r}")
    return {"loss": loss, "kl": ((kl * mask).sum(-1) / n).mean()}


def draw_chances(items: list[Item], weights: dict[str, float], per_step: int, where: str) -> np.ndarray | None:
    """Each question's chance to be drawn for a step under the task weights; None (uniform) without any, so a run
    without weights draws exactly what it drew before they existed."""
    if not weights:
        return None
    p = np.array([float(weights.get(it.task, 1.0)) for it in items])
    if np.count_nonzero(p) < per_step:
        raise InputError(f"task_weights {weights} leave {np.count_nonzero(p)} questions of {where} with a chance to "
                         f"be drawn, fewer than items_per_step {per_step}; raise a weight or lower items_per_step")
    return p / p.sum()


def train_grpo(cfg: GRPOConfig, progress: bool = True, overwrite: bool = False) -> Path:
    """Train; return ``out/final``. Its folder is claimed as ``train_sft``'s is (``claim_training_run``)."""
    out = Path(cfg.out)
    if claim_training_run(cfg, overwrite):
        return out / "final"
    out.mkdir(parents=True, exist_ok=True)
    judge, rubric = build_scorers(cfg, out)  # a bad judge/rubric setting fails before the model loads
    items = select_tasks(load_items(cfg.train), cfg.tasks, cfg.train)
    check_items_videos(items, cfg.train)  # every video and answer, before a model is loaded
    foreign = [it.id for it in items if "scene_seed" not in (it.meta or {})]
    if cfg.rubric == "world" and cfg.reward_weights.get("traj", 0) and foreign:
        raise InputError(f"rubric 'world' derives its checks from the procedural world's ground truth, but "
                         f"{len(foreign)} of {len(items)} items of {cfg.train} are not world items (e.g. {foreign[0]}); "
                         "use --rubric llm with --llm-url/--llm-model, or a 'traj' reward weight of 0")
    accelerator = Accelerator(cpu=not torch.cuda.is_available())
    set_seed(cfg.seed)
    policy = build_policy(cfg.init, cfg)
    if cfg.decision_sampling != "pair" and not hasattr(policy, "hf_tokenizer"):
        raise InputError(f"decision_sampling {cfg.decision_sampling!r} is for HF policies; StreamPro-Small samples "
                         "its two decision tokens (use 'pair')")
    if cfg.freeze_encoder and hasattr(policy, "encoder"):
        policy.encoder.requires_grad_(False)
    reference = copy.deepcopy(policy).eval().requires_grad_(False)
    mcfg = policy.cfg
    if cfg.items_per_step > len(items):
        raise InputError(f"items_per_step {cfg.items_per_step} exceeds the {len(items)} training questions of "
                         f"{cfg.train}; lower it or add data")
    chances = draw_chances(items, cfg.task_weights, cfg.items_per_step, cfg.train)
    frames = load_frames(items, mcfg.image_size)
    features = FrameFeatures(policy, frames) if cfg.freeze_encoder and hasattr(policy, "encode_frames") else None
    opt = torch.optim.AdamW([p for p in policy.parameters() if p.requires_grad], lr=cfg.lr, weight_decay=0.0)
    model, opt = accelerator.prepare(policy.train(), opt)
    start = resume(accelerator, out)
    if accelerator.is_main_process:
        (out / "run.json").write_text(json.dumps({"config": asdict(cfg), "resumed_from": start}, indent=2))
    logger = JsonlLogger(out / "log.jsonl", accelerator.is_main_process, cfg.tensorboard, start)
    world, rank, dev = accelerator.num_processes, accelerator.process_index, accelerator.device
    settings = RewardSettings(cfg.reward_tau, cfg.matching, cfg.turn_score)
    bar = tqdm(range(start, cfg.steps), desc="grpo", initial=start, total=cfg.steps,
               disable=not (progress and accelerator.is_main_process))
    val_items = load_items(cfg.val) if cfg.val and cfg.eval_every else []
    if val_items and start == 0 and accelerator.is_main_process:  # the starting point of the curve
        logger.log(-1, **validate(accelerator.unwrap_model(model), val_items, out, 0))
    for step in bar:
        idx = np.random.default_rng([cfg.seed, step]).choice(len(items), cfg.items_per_step, replace=False,
                                                             p=chances)
        mine = [items[i] for i in idx[rank::world]]
        raw = accelerator.unwrap_model(model)
        groups = [(it, frames[it.video], [int(np.random.default_rng([cfg.seed, step, rank, i, g]).integers(2**31))
                                          for g in range(cfg.group_size)]) for i, it in enumerate(mine)]
        samples = [smp for group in sample_groups(  # every rollout of the step in one batch
            raw, groups, cfg.temperature, cfg.decision_sampling,
            None if features is None else [features[it.video] for it in mine]) for smp in group]
        with ThreadPoolExecutor(max(1, cfg.llm_concurrency)) as pool:  # LLM judge/rubric calls overlap
            rolls: list[Rollout] = list(pool.map(partial(
                score_sample, raw, weights=cfg.reward_weights, settings=settings, judge=judge, rubric=rubric,
                with_matches=cfg.credit == "response"), samples))
        rewards = torch.tensor([r.reward for r in rolls]).view(len(mine), cfg.group_size)
        batch = collate(mcfg, [r.trajectory for r in rolls])
        adv = (tree_advantages(batch.labels, rewards, scale=cfg.scale_rewards) if cfg.credit == "tree"
               else group_advantages(rewards, scale=cfg.scale_rewards).flatten())
        if cfg.credit == "response":
            adv = response_advantages(batch.labels, batch.kind, mcfg.respond_id, adv, rolls, cfg.group_size,
                                      cfg.response_credit)
        adv = adv.to(dev)
        with torch.no_grad():
            ref_logp = token_logprobs(reference.to(dev), batch, dev, cfg.temperature)[0] if cfg.kl_beta else None
            # one inner epoch: the sampling policy is the one being trained, so its log-probs are this
            # pass's own, detached (the same numbers; one forward fewer)
            old_logp = token_logprobs(model, batch, dev, cfg.temperature)[0] if cfg.inner_epochs > 1 else None
        for _ in range(cfg.inner_epochs):
            logp, mask = token_logprobs(model, batch, dev, cfg.temperature)
            parts = grpo_loss(logp, logp.detach() if old_logp is None else old_logp,
                              logp.detach() if ref_logp is None else ref_logp, mask, adv, cfg.clip_eps, cfg.kl_beta,
                              cfg.loss_type)
            loss_value = accelerator.reduce(parts["loss"].detach(), "mean").item()
            check_finite(loss_value, step, out)
            opt.zero_grad()
            accelerator.backward(parts["loss"])
            accelerator.clip_grad_norm_(model.parameters(), 1.0)
            opt.step()
        if step % cfg.log_every == 0 or step == cfg.steps - 1:
            comp = {f"reward/{k}": float(np.mean([r.parts[k] for r in rolls])) for k in cfg.reward_weights}
            logger.log(step, loss=loss_value, kl=parts["kl"].item(), reward=float(rewards.mean()),
                       response_rate=float(np.mean([r.n_responses > 0 for r in rolls])),
                       responses_per_stream=float(np.mean([r.n_responses for r in rolls])), **comp,
                       **{f"{name}/{k}": v for name, obj in (("judge", judge), ("rubric", rubric))
                          for k, v in getattr(obj, "stats", {}).items()})
            bar.set_postfix(reward=f"{float(rewards.mean()):.3f}")
        if val_items and accelerator.is_main_process and ((step + 1) % cfg.eval_every == 0 or step == cfg.steps - 1):
            logger.log(step, **validate(accelerator.unwrap_model(model), val_items, out, step + 1))
        if (step + 1) % cfg.save_every == 0 and step + 1 < cfg.steps:
            save_checkpoint(accelerator, out, step + 1)
    if accelerator.is_main_process:
        plot_curves(out / "log.jsonl", out)
    return save_final(accelerator, model, out)
