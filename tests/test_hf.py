"""The Hugging Face adapter on a tiny randomly initialised Qwen2.5-VL (same architecture, offline)."""

import numpy as np
import pytest
import torch

from streampro.bench.video import Frame
from streampro.models.base import Query, StreamInfo
from streampro.models.hf import HFPolicy, HFStreamingModel, tiny_qwen2_5_vl
from streampro.train.grpo import group_advantages, grpo_loss, token_logprobs
from streampro.train.losses import effective_number_weights, stream_loss
from streampro.train.rewards import REWARD_WEIGHTS, compute_rewards
from streampro.train.trajectory import build_trajectory, collate, item_frames, load_frames, sft_trajectory

pytest.importorskip("transformers")


@pytest.fixture(scope="module")
def tiny(tmp_path_factory):
    d = tmp_path_factory.mktemp("qwen")
    tiny_qwen2_5_vl(d)
    return d


def frames(n, size=56, seed=0):
    return np.random.default_rng(seed).integers(0, 255, (n, size, size, 3), dtype=np.uint8)


def test_stream_reuses_cache_and_matches_full_prefill(tiny):
    m = HFStreamingModel.from_pretrained(str(tiny), frame_size=56)
    fr = frames(5)
    m.reset(StreamInfo("v", 2, 3))
    lens = [m.base.length]
    for k in range(4):
        m.step(Frame(k, k / 2, fr[k]))
        lens.append(m.base.length)
    assert np.diff(lens).tolist() == [6] * 4  # one frame = vision_start + 4 merged patches + vision_end
    pv, g = m.encode_frame(fr[4])
    streamed = m._frame(m.base, pv, g)
    ids = m.tokenizer.encode(m.cfg.system_prompt, add_special_tokens=False)
    pvs, grids = [], []
    for k in range(5):
        p, gg = m.encode_frame(fr[k])
        pvs.append(p)
        grids.append(gg)
        ids += [m.vs_id] + [m.video_id] * 4 + [m.ve_id]
    inp = torch.tensor([ids])
    with torch.no_grad():
        full = m.model(input_ids=inp, pixel_values_videos=torch.cat(pvs), video_grid_thw=torch.cat(grids),
                       mm_token_type_ids=(inp == m.video_id).int() * 2).logits[0, -1]
    assert torch.allclose(streamed, full, atol=1e-4)


def test_window_bounds_memory_and_queries_stream(tiny):
    m = HFStreamingModel.from_pretrained(str(tiny), frame_size=56, window_frames=3, max_new_tokens=3)
    m.reset(StreamInfo("v", 2, 10))
    m.add_query(Query("q", "Which object will the red circle hit first?", ("red square", "blue diamond"), 0.0))
    prefix = m.streams["q"].length
    lengths, spoke = [], []
    for k, f in enumerate(frames(12)):
        spoke += m.step(Frame(k, k / 2, f))
        lengths.append(m.streams["q"].length)
    turn = 6 + 1 + 3  # frame chunk + decision + at most max_new_tokens answer tokens
    assert max(lengths) <= prefix + 3 * turn  # bounded: whole old turns are evicted, prompt and query kept
    assert len(m.base.frame_spans) == 3 and m.base.length == m.base.frame_spans[-1][1]
    assert all(r.query_id == "q" for r in spoke)
    assert isinstance(m.answer_now(Query("q2", "How many objects are on screen now?", ("1", "2"), 4.0)), str)


def test_sft_and_grpo_steps_on_hf_policy(tiny, small_items):
    from transformers import AutoModelForImageTextToText, AutoTokenizer

    torch.manual_seed(0)
    policy = HFPolicy(AutoModelForImageTextToText.from_pretrained(str(tiny)), AutoTokenizer.from_pretrained(str(tiny)),
                      frame_size=56)
    cfg = policy.cfg
    items = [i for i in small_items if i.dimension == "proactive"][:2]
    fr = load_frames(items, 56)
    trajs = [sft_trajectory(cfg, policy.tokenizer, it, fr[it.video]) for it in items]
    batch = collate(cfg, trajs)
    w = effective_number_weights([20, 2], 0.99)
    opt = torch.optim.AdamW(policy.parameters(), lr=3e-3)
    losses = []
    for _ in range(4):  # CB-Stream SFT steps
        parts = stream_loss(policy(batch.tokens, batch.is_visual, batch.frames), batch.labels, batch.kind, cfg, w)
        opt.zero_grad()
        parts["loss"].backward()
        opt.step()
        losses.append(parts["loss"].item())
    assert losses[-1] < losses[0] and all(np.isfinite(losses))
    # GRPO step: a group of two rollouts of one item (respond right / respond wrong at the same frame)
    it = items[0]
    q, target, close = item_frames(it)
    from streampro.models.small import query_token_ids

    qids = query_token_ids(policy.tokenizer, cfg, it.question, it.options)
    wrong = next(o for o in it.options if o != it.answer)
    rolls, rewards = [], []
    for text in (it.answer, wrong):
        acts = {target: [cfg.respond_id, *policy.tokenizer.encode(text).ids, cfg.eos_id]}
        rolls.append(build_trajectory(cfg, it.id, fr[it.video], q, qids, acts, close))
        from streampro.models.base import Response

        rewards.append(compute_rewards(it, [Response(it.id, text, it.decidable_time)], REWARD_WEIGHTS)[0])
    adv = group_advantages(torch.tensor([rewards])).flatten()
    assert adv[0] > 0 > adv[1]
    b = collate(cfg, rolls)
    with torch.no_grad():
        old, _ = token_logprobs(policy, b, "cpu")
    logp, mask = token_logprobs(policy, b, "cpu")
    out = grpo_loss(logp, old, old, mask, adv, 0.2, 0.04)
    opt.zero_grad()
    out["loss"].backward()
    opt.step()
    with torch.no_grad():
        new, _ = token_logprobs(policy, b, "cpu")
    gain = ((new - old) * mask).sum(-1)
    assert gain[0] > gain[1]  # the rewarded rollout became more likely relative to the penalised one
