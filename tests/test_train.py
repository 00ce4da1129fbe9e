import json
import math

import numpy as np
import pytest
import torch

from streampro.bench.scoring import score_item
from streampro.models.base import Response
from streampro.models.small import SmallConfig, StreamProSmall
from streampro.models.tokenizer import build_tokenizer, world_vocabulary
from streampro.train.checkpoint import TrainingDiverged, check_finite
from streampro.train.grpo import group_advantages, grpo_loss, rollout, token_logprobs
from streampro.train.losses import effective_number_weights, stream_loss
from streampro.train.rewards import REWARDS, compute_rewards
from streampro.train.trajectory import (
    IGNORE,
    KIND_ANSWER,
    KIND_DECISION,
    collate,
    load_frames,
    sft_trajectory,
)


@pytest.fixture(scope="module")
def tiny(small_items):
    torch.manual_seed(0)
    tok = build_tokenizer(world_vocabulary())
    cfg = SmallConfig(vocab_size=tok.get_vocab_size(), d_model=32, n_layers=2, n_heads=2)
    return StreamProSmall(cfg, tok).eval(), load_frames(small_items, cfg.image_size)


def test_effective_number_weights_hand_computed():
    w = effective_number_weights([90, 10], beta=0.9)
    e = [(1 - 0.9**90) / 0.1, (1 - 0.9**10) / 0.1]  # 9.99924, 6.51322
    inv = [1 / e[0], 1 / e[1]]
    assert w.tolist() == pytest.approx([2 * inv[0] / sum(inv), 2 * inv[1] / sum(inv)], rel=1e-5)
    assert w.sum().item() == pytest.approx(2.0)
    assert effective_number_weights([90, 10], 0.0).tolist() == pytest.approx([1.0, 1.0])  # beta=0: plain CE
    wi = effective_number_weights([90, 10], 0.999999)  # beta->1: inverse frequency
    assert (wi[1] / wi[0]).item() == pytest.approx(9.0, rel=1e-3)
    with pytest.raises(ValueError):
        effective_number_weights([5, 0], 0.9)


def test_stream_loss_hand_computed():
    cfg = SmallConfig(vocab_size=12)
    logits = torch.zeros(1, 4, 12)
    logits[0, 0, cfg.silence_id] = math.log(3.0)  # p(silence) = 3/14
    labels = torch.tensor([[cfg.silence_id, cfg.respond_id, 11, IGNORE]])
    kind = torch.tensor([[KIND_DECISION, KIND_DECISION, KIND_ANSWER, 0]])
    ce0, ce1, ce2 = -math.log(3 / 14), math.log(12), math.log(12)
    plain = stream_loss(logits, labels, kind, cfg)
    assert plain["decision"].item() == pytest.approx((ce0 + ce1) / 2, rel=1e-5)
    assert plain["answer"].item() == pytest.approx(ce2, rel=1e-5)
    cb = stream_loss(logits, labels, kind, cfg, torch.tensor([0.2, 1.8]), answer_weight=0.5)
    assert cb["decision"].item() == pytest.approx((0.2 * ce0 + 1.8 * ce1) / 2.0, rel=1e-5)
    assert cb["loss"].item() == pytest.approx(cb["decision"].item() + 0.5 * ce2, rel=1e-5)


def test_trajectory_masks_observations(tiny, small_items):
    model, frames = tiny
    cfg = model.cfg
    it = next(i for i in small_items if i.dimension == "proactive")
    tr = sft_trajectory(cfg, model.tokenizer, it, frames[it.video])
    toks, labs, kinds = np.array(tr.tokens), np.array(tr.labels), np.array(tr.kind)
    # frames and query tokens never carry a label; decisions are predicted at the last visual token
    assert (labs[(toks == cfg.frame_id) & (kinds != KIND_DECISION)] == IGNORE).all()
    q0 = tr.tokens.index(cfg.query_id)
    assert (labs[q0 : tr.tokens.index(cfg.eoq_id) + 1] == IGNORE).all()
    dec = np.nonzero(kinds == KIND_DECISION)[0]
    assert (toks[dec] == cfg.frame_id).all()
    assert list(labs[dec]).count(cfg.respond_id) == 1
    q, _, close = (round(it.query_time * it.fps), 0, round(it.outcome_time * it.fps))
    assert len(dec) == close - q + 1  # one decision per frame from the query to the close of the window
    r = dec[list(labs[dec]).index(cfg.respond_id)]
    assert (r - dec[0]) // (cfg.tokens_per_frame + 1) == round(it.decidable_time * it.fps) - q  # respond at decidable frame
    assert model.tokenizer.decode([labs[r + 1]]) == it.answer.split()[0]


def test_kv_cache_stream_equals_full_forward(tiny, small_items):
    """Streaming with the cache gives the same decision logits as one teacher-forced pass."""
    model, frames = tiny
    cfg = model.cfg
    it = next(i for i in small_items if i.dimension == "perception")
    tr = sft_trajectory(cfg, model.tokenizer, it, frames[it.video])
    b = collate(cfg, [tr])
    with torch.no_grad():
        full = model(b.tokens, b.is_visual, b.frames)[0]
        vis = model.encoder(b.frames).reshape(-1, cfg.d_model)
        x = model.embed(b.tokens, vis, b.is_visual)
        cache, outs, pos = None, [], 0
        for chunk in torch.split(x, 5, dim=1):  # feed in pieces, as a stream would
            logits, cache = model.forward_embeds(chunk, pos, cache)
            pos += chunk.shape[1]
            outs.append(logits[0])
    assert torch.allclose(torch.cat(outs), full, atol=1e-5)


def test_save_load_roundtrip(tiny, tmp_path):
    model, _ = tiny
    model.save_pretrained(tmp_path / "ck")
    again = StreamProSmall.from_pretrained(tmp_path / "ck")
    assert all(torch.equal(a, b) for a, b in zip(model.state_dict().values(), again.state_dict().values(), strict=False))
    assert again.tokenizer.encode("red circle").ids == model.tokenizer.encode("red circle").ids
    with pytest.raises(FileNotFoundError):
        StreamProSmall.from_pretrained(tmp_path / "nothing")


def _it(small_items):
    return next(i for i in small_items if i.task == "race_winner")


def test_rewards_hand_computed(small_items):
    it = _it(small_items)
    d, o = it.decidable_time, it.outcome_time
    wrong = next(x for x in it.options if x != it.answer)
    good = [Response(it.id, it.answer, d)]
    assert REWARDS["format"](it, good) == 1 and REWARDS["correctness"](it, good) == 1
    assert REWARDS["timing"](it, good) == 1 and REWARDS["bench"](it, good) == 1
    mid = [Response(it.id, it.answer, (d + o) / 2)]
    assert REWARDS["timing"](it, mid) == pytest.approx(0.5)
    guess = [Response(it.id, wrong, it.query_time)]
    assert REWARDS["timing"](it, guess) == -1 and REWARDS["no_false_alarm"](it, guess) == -1
    spam = [Response(it.id, it.answer, d), Response(it.id, it.answer, d + 0.5), Response(it.id, "zzz", d + 1)]
    assert REWARDS["once"](it, spam) == pytest.approx(0.0) and REWARDS["format"](it, spam) == pytest.approx(2 / 3)
    assert REWARDS["responded"](it, []) == -1 and REWARDS["once"](it, []) == 0 and REWARDS["timing"](it, []) == 0
    total, parts = compute_rewards(it, good, {"correctness": 2.0, "bench": 1.0})
    assert total == 3.0 and parts == {"correctness": 1.0, "bench": 1.0}
    assert parts["bench"] == score_item(it, good).credit
    with pytest.raises(KeyError):
        compute_rewards(it, good, {"nope": 1.0})


def test_group_advantages():
    r = torch.tensor([[1.0, 2.0, 3.0, 4.0], [5.0, 5.0, 5.0, 5.0]])
    a = group_advantages(r)
    std = math.sqrt(1.25)
    assert a[0].tolist() == pytest.approx([(x - 2.5) / (std + 1e-4) for x in (1, 2, 3, 4)], rel=1e-5)
    assert a[1].abs().max() == 0  # no signal in a group of equal rewards


def test_grpo_loss_only_counts_actions():
    logp = torch.tensor([[-1.0, -2.0, -3.0]], requires_grad=True)
    mask = torch.tensor([[True, False, True]])
    out = grpo_loss(logp * mask, (logp * mask).detach(), (logp * mask).detach(), mask, torch.tensor([2.0]), 0.2, 0.1)
    out["loss"].backward()
    assert out["loss"].item() == pytest.approx(-2.0) and out["kl"].item() == pytest.approx(0.0)
    assert logp.grad[0, 1] == 0 and logp.grad[0, 0] == pytest.approx(-1.0)  # masked token gets no gradient


def test_rollout_layout_matches_trace(tiny, small_items):
    model, frames = tiny
    it = _it(small_items)
    ro = rollout(model, it, frames[it.video], seed=1, temperature=1.0, weights={"bench": 1.0, "responded": 1.0})
    kinds = np.array(ro.trajectory.kind)
    q, _, close = round(it.query_time * it.fps), 0, round(it.close_time * it.fps)
    assert (kinds == KIND_DECISION).sum() == close - q + 1
    b = collate(model.cfg, [ro.trajectory])
    logp, mask = token_logprobs(model, b, "cpu")
    assert mask.sum() == ((b.labels != IGNORE).sum()) and (logp <= 0).all()


def test_nan_guard(tmp_path):
    check_finite(1.0, 0, tmp_path)
    with pytest.raises(TrainingDiverged, match="non-finite loss"):
        check_finite(float("nan"), 7, tmp_path)


@pytest.mark.slow
def test_sft_resume_and_grpo_end_to_end(tmp_path, small_bench, small_items, monkeypatch):
    """A few real steps: an SFT run killed mid-way and resumed ends with the same weights as an
    uninterrupted one; GRPO runs from it; the result evaluates."""
    from streampro.bench.evaluate import evaluate
    from streampro.models.registry import build_model
    from streampro.train import sft
    from streampro.train.grpo import GRPOConfig, train_grpo

    small = {"d_model": 32, "n_layers": 1, "n_heads": 2}
    base = dict(train=str(small_bench), batch_size=4, save_every=3, log_every=1, model=small, warmup=2, steps=6)
    full = sft.train_sft(sft.SFTConfig(out=str(tmp_path / "full"), **base), progress=False)

    def crash(value, step, out):
        if step == 4:
            raise KeyboardInterrupt

    monkeypatch.setattr(sft, "check_finite", crash)
    with pytest.raises(KeyboardInterrupt):
        sft.train_sft(sft.SFTConfig(out=str(tmp_path / "cut"), **base), progress=False)
    assert (tmp_path / "cut" / "checkpoint-3").exists() and not (tmp_path / "cut" / "final").exists()
    monkeypatch.undo()
    resumed = sft.train_sft(sft.SFTConfig(out=str(tmp_path / "cut"), **base), progress=False)
    a, b = StreamProSmall.from_pretrained(full), StreamProSmall.from_pretrained(resumed)
    for (k, x), y in zip(a.state_dict().items(), b.state_dict().values(), strict=False):
        assert torch.allclose(x, y, atol=1e-5), k
    assert json.loads((tmp_path / "cut" / "run.json").read_text())["resumed_from"] == 3
    g = train_grpo(GRPOConfig(init=str(full), train=str(small_bench), out=str(tmp_path / "grpo"), steps=2,
                              items_per_step=2, group_size=3), progress=False)
    glog = [json.loads(line) for line in (tmp_path / "grpo" / "log.jsonl").read_text().splitlines()]
    assert len(glog) == 2 and all(math.isfinite(r["loss"]) for r in glog) and "reward/timing" in glog[0]
    s = evaluate(small_items, build_model(f"small:{g}", small_items), tmp_path / "eval", progress=False)
    assert s["complete"] and s["n_items"] == len(small_items)


def test_shipped_configs_load_into_their_trainers():
    from pathlib import Path

    import yaml

    from streampro.train.grpo import GRPOConfig
    from streampro.train.sft import SFTConfig

    root = Path(__file__).resolve().parents[1] / "configs"
    for name, cls in [("sft.yaml", SFTConfig), ("sft_qwen.yaml", SFTConfig), ("grpo.yaml", GRPOConfig),
                      ("grpo_qwen.yaml", GRPOConfig)]:
        cfg = cls.from_yaml(root / name)  # an unknown field would raise TypeError here
        assert all(getattr(cfg, k) == v for k, v in yaml.safe_load((root / name).read_text()).items())
    assert SFTConfig.from_yaml(root / "sft_qwen.yaml").base.startswith("hf:")
