import json
import math
import os

import numpy as np
import pytest
import torch

from streampro.bench.judges import RuleJudge
from streampro.models.base import Response
from streampro.models.small import SmallConfig, StreamProSmall
from streampro.models.tokenizer import build_tokenizer, world_vocabulary
from streampro.train.checkpoint import TrainingDiverged, check_finite
from streampro.train.grpo import (
    Rollout,
    group_advantages,
    grpo_loss,
    response_advantages,
    rollout,
    token_logprobs,
    tree_advantages,
)
from streampro.train.losses import effective_number_weights, stream_loss
from streampro.train.rewards import RewardSettings, compute_rewards, r_format, r_traj, r_turn, turn_matches
from streampro.train.trajectory import (
    IGNORE,
    KIND_ANSWER,
    KIND_DECISION,
    collate,
    load_frames,
    sft_trajectory,
    teacher_frames,
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
    assert effective_number_weights([5, 0], 0.9).tolist() == pytest.approx([2.0, 0.0])  # class absent from the batch


def _toy():
    """Three supervised tokens: decisions </Silence> (p = 3/14), </Response> (p = 1/12), one text token."""
    cfg = SmallConfig(vocab_size=12)
    logits = torch.zeros(1, 4, 12)
    logits[0, 0, cfg.silence_id] = math.log(3.0)
    labels = torch.tensor([[cfg.silence_id, cfg.respond_id, 11, IGNORE]])
    kind = torch.tensor([[KIND_DECISION, KIND_DECISION, KIND_ANSWER, 0]])
    return cfg, logits, labels, kind, (-math.log(3 / 14), math.log(12), math.log(12))


def test_ce_loss_one_mean_over_all_supervised_tokens():
    cfg, logits, labels, kind, (ce0, ce1, ce2) = _toy()
    out = stream_loss(logits, labels, kind, cfg.silence_id, cfg.respond_id, "ce")
    assert out["loss"].item() == pytest.approx((ce0 + ce1 + ce2) / 3, rel=1e-5)
    assert out["decision"].item() == pytest.approx((ce0 + ce1) / 2, rel=1e-5)


def test_cb_stream_loss_hand_computed():
    cfg, logits, labels, kind, (ce0, ce1, ce2) = _toy()
    # batch counts: one </Silence>, one </Response> -> equal effective numbers -> weights 1, 1
    out = stream_loss(logits, labels, kind, cfg.silence_id, cfg.respond_id, "cb", beta=0.9999, lambda_text=2.0)
    assert out["loss"].item() == pytest.approx((ce0 + ce1 + 2 * ce2) / 3, rel=1e-5)
    # three silences and one response in the batch: w = (1/E_k) / sum(1/E_j) * 2 with E_n = (1 - b^n) / (1 - b)
    labels2 = torch.tensor([[cfg.silence_id, cfg.silence_id, cfg.silence_id, cfg.respond_id]])
    kind2 = torch.full((1, 4), KIND_DECISION)
    b = 0.5
    e3, e1 = (1 - b**3) / (1 - b), 1.0
    w3, w1 = 2 * (1 / e3) / (1 / e3 + 1 / e1), 2 * (1 / e1) / (1 / e3 + 1 / e1)
    nll = [-torch.log_softmax(torch.zeros(12), -1)[0].item()] * 4  # uniform logits: log 12 each
    out2 = stream_loss(torch.zeros(1, 4, 12), labels2, kind2, cfg.silence_id, cfg.respond_id, "cb", beta=b)
    assert out2["loss"].item() == pytest.approx((3 * w3 * nll[0] + w1 * nll[0]) / 4, rel=1e-5)


def test_focal_loss_hand_computed():
    cfg, logits, labels, kind, (ce0, ce1, ce2) = _toy()
    p0, p1 = 3 / 14, 1 / 12
    # one </Silence> and one </Response>: Streamo's alpha_k = (2 / 1) / 2 = 1 for both
    out = stream_loss(logits, labels, kind, cfg.silence_id, cfg.respond_id, "focal", gamma=2.0)
    assert out["loss"].item() == pytest.approx(((1 - p0) ** 2 * ce0 + (1 - p1) ** 2 * ce1 + ce2) / 3, rel=1e-5)
    # three silences, one response (uniform logits over 12, p = 1/12): alpha = (4/3)/2 and (4/1)/2
    labels2 = torch.tensor([[cfg.silence_id, cfg.silence_id, cfg.silence_id, cfg.respond_id]])
    kind2 = torch.full((1, 4), KIND_DECISION)
    f = (11 / 12) ** 2 * math.log(12)
    out2 = stream_loss(torch.zeros(1, 4, 12), labels2, kind2, cfg.silence_id, cfg.respond_id, "focal")
    assert out2["loss"].item() == pytest.approx((3 * (2 / 3) * f + 2 * f) / 4, rel=1e-5)
    plain = stream_loss(torch.zeros(1, 4, 12), labels2, kind2, cfg.silence_id, cfg.respond_id, "focal", focal_alpha=False)
    assert plain["loss"].item() == pytest.approx(f, rel=1e-5)
    with pytest.raises(ValueError, match="loss must be one of"):
        stream_loss(logits, labels, kind, cfg.silence_id, cfg.respond_id, "mse")


def test_trajectory_masks_observations_and_speaks_every_answer(tiny, small_items):
    model, frames = tiny
    cfg = model.cfg
    it = next(i for i in small_items if len(i.answers) >= 3)
    tr = sft_trajectory(cfg, model.tokenizer, it, frames[it.video])
    toks, labs, kinds = np.array(tr.tokens), np.array(tr.labels), np.array(tr.kind)
    # frames and query tokens never carry a label; decisions are predicted at the last visual token
    assert (labs[(toks == cfg.frame_id) & (kinds != KIND_DECISION)] == IGNORE).all()
    q0 = tr.tokens.index(cfg.query_id)
    assert (labs[q0 : tr.tokens.index(cfg.eoq_id) + 1] == IGNORE).all()
    dec = np.nonzero(kinds == KIND_DECISION)[0]
    assert (toks[dec] == cfg.frame_id).all()
    q, last = round(it.query_time * it.fps), len(frames[it.video]) - 1
    assert len(dec) == last - q + 1  # one decision per frame from the query to the end of the video
    said = [i for i, d in enumerate(dec) if labs[d] == cfg.respond_id]
    assert [q + i for i in said] == teacher_frames(it, last)  # every answer at its best frame
    first = dec[said[0]]
    assert model.tokenizer.decode([labs[first + 1]]) == it.answers[0].text.split()[0]


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


def test_a_deeper_wider_frame_encoder_is_a_setting_and_old_checkpoints_keep_their_layout(tiny, tmp_path):
    """``encoder_depth`` adds 3x3 convs after each downsampling conv and ``encoder_channels`` widens them;
    the defaults are the encoder every earlier checkpoint has (same parameter names and shapes), and a
    config.json without the two keys loads as the defaults."""
    model, _ = tiny
    assert [k for k in model.state_dict() if k.startswith("encoder.net")] == \
        ["encoder.net.0.weight", "encoder.net.0.bias", "encoder.net.2.weight", "encoder.net.2.bias"]
    deep = StreamProSmall(SmallConfig(vocab_size=model.cfg.vocab_size, d_model=32, n_layers=1, n_heads=2,
                                      encoder_depth=1, encoder_channels=8), model.tokenizer)
    convs = [m for m in deep.encoder.net if isinstance(m, torch.nn.Conv2d)]
    assert [(c.in_channels, c.out_channels, c.kernel_size) for c in convs] == \
        [(3, 8, (4, 4)), (8, 8, (3, 3)), (8, 16, (4, 4)), (16, 16, (3, 3))]
    frames = torch.randint(0, 255, (5, 32, 32, 3), dtype=torch.uint8)
    assert deep.encoder(frames).shape == (5, 4, 32)
    deep.save_pretrained(tmp_path / "deep")
    assert StreamProSmall.from_pretrained(tmp_path / "deep").cfg.encoder_depth == 1
    model.save_pretrained(tmp_path / "old")
    cfg = json.loads((tmp_path / "old" / "config.json").read_text())
    del cfg["encoder_depth"], cfg["encoder_channels"]  # a checkpoint written before the settings existed
    (tmp_path / "old" / "config.json").write_text(json.dumps(cfg))
    assert StreamProSmall.from_pretrained(tmp_path / "old").cfg.encoder_depth == 0


def test_a_motion_model_streams_what_it_trains_on_and_starts_as_the_model_without_it(tiny, small_items, tmp_path,
                                                                                    monkeypatch):
    """``SmallConfig.motion`` adds W (tokens - previous frame's tokens) to each frame's visual tokens. W starts at
    zero (the same logits as without it, also when added to a saved model); with W trained, the streamer's decision logits (KV cache, one frame at
    a time, several streams batched) are the teacher-forced pass's over the same trajectory, and a batch row's
    first frame does not take its difference from the row before it."""
    from streampro.core.errors import InputError
    from streampro.models.small import SmallStreamer, with_settings
    from streampro.train.grpo import sample_group

    model, frames = tiny
    moving = with_settings(model, {"motion": True})  # a saved (e.g. perception-pretrained) model takes it on
    with pytest.raises(InputError, match="d_model"):
        with_settings(model, {"motion": True, "d_model": 64})
    it, other = _it(small_items, "TG"), _it(small_items, "OU")
    b = collate(model.cfg, [sft_trajectory(model.cfg, model.tokenizer, x, frames[x.video]) for x in (it, other)])
    with torch.no_grad():
        assert torch.equal(moving(b.tokens, b.is_visual, b.frames), model(b.tokens, b.is_visual, b.frames))
        torch.nn.init.normal_(moving.motion.weight, std=0.5)
        both = moving(b.tokens, b.is_visual, b.frames)
        n0 = int(b.is_visual[0].sum()) // model.cfg.tokens_per_frame
        alone = moving(b.tokens[1:], b.is_visual[1:], b.frames[n0:])
    assert torch.allclose(both[1], alone[0], atol=1e-5)  # row 1 does not see row 0's last frame
    assert not torch.allclose(both, model(b.tokens, b.is_visual, b.frames), atol=1e-3)  # W does something

    seen = []
    decide = SmallStreamer._decide
    monkeypatch.setattr(SmallStreamer, "_decide", lambda self, logits: seen.append(logits.clone()) or decide(self, logits))
    # and with a projector (SmallConfig.projector, fresh) in front of the motion term: the streamer applies both
    projected = with_settings(model, {"motion": True, "projector": True})
    with torch.no_grad():
        projected.motion.weight.copy_(moving.motion.weight)
        assert not torch.allclose(projected(b.tokens, b.is_visual, b.frames), both, atol=1e-3)
    for net in (moving, projected):
        seen.clear()
        group = sample_group(net, it, frames[it.video], [1, 2], temperature=1.0)  # two streams, step_batch
        for r, smp in enumerate(group):
            tr = collate(net.cfg, [smp.trajectory])
            with torch.no_grad():
                full = net(tr.tokens, tr.is_visual, tr.frames)[0]
            want = full[tr.kind[0] == KIND_DECISION]
            assert torch.allclose(torch.stack(seen[r::2]), want, atol=1e-4)
    projected.save_pretrained(tmp_path / "m")
    back = StreamProSmall.from_pretrained(tmp_path / "m")
    assert back.cfg.motion and back.cfg.projector and back.projector is not None


def test_motion_aux_labels_the_named_objects_motion_at_each_decision(tiny, small_items):
    """``motion_aux``'s labels: the motion class of the object the question names, from the simulator, laid at
    the decision positions. On a TG question the answer is due exactly where the named motion stops."""
    import dataclasses
    import re

    from streampro.core.errors import InputError
    from streampro.train.motion_aux import MOTIONS, frame_motion_labels, motion_class, token_targets
    from streampro.train.perception import scene_of
    from streampro.train.sft import motion_targets_for
    from streampro.train.trajectory import item_frames

    assert [motion_class(np.array(d)) for d in ([0.3, -0.2], [0, -2], [0.5, 2], [-3, 1], [2, -1])] == [0, 1, 2, 3, 4]
    model, frames = tiny
    for it in [i for i in small_items if i.task == "TG"]:
        labels = frame_motion_labels(it, scene_of(it))
        direction = re.search(r"stops moving (\w+)", it.question).group(1)
        due = round(it.answers[0].time * it.fps)
        assert MOTIONS[labels[due - 1]] == direction and MOTIONS[labels[due]] != direction, it.id
    tr = sft_trajectory(model.cfg, model.tokenizer, it, frames[it.video])
    q = item_frames(it)[0]
    targets = token_targets(tr, labels, q)
    decisions = [p for p, k in enumerate(tr.kind) if k == KIND_DECISION]
    assert [targets[p] for p in decisions] == [labels.get(q + j, IGNORE) for j in range(len(decisions))]
    assert all(t == IGNORE for p, t in enumerate(targets) if p not in decisions)
    unnamed = dataclasses.replace(it, question="What happens next?")
    assert frame_motion_labels(unnamed, scene_of(unnamed)) == {}
    with pytest.raises(InputError, match="names an object"):
        motion_targets_for(model, [unnamed], [tr], "x.jsonl")


def _it(small_items, task="OU"):
    return next(i for i in small_items if i.task == task)


def test_format_reward_hand_computed():
    S, R, E = 4, 5, 3
    assert r_format([[S], [R, 20, 21, E], [S]], S, R, E) == 1.0
    assert r_format([[S], [R, E], [S, S], [R, 20]], S, R, E) == pytest.approx(1 / 4)  # empty text, two decisions, no eos
    assert r_format([], S, R, E) == 0.0


def test_turn_reward_ground_truth_first_hand_computed(small_items):
    it = _it(small_items)
    a0, a1 = it.answers[0], it.answers[1]
    j = RuleJudge()
    perfect = [Response(it.id, a.text, a.time) for a in it.answers]
    n = len(it.answers)
    assert r_turn(it, perfect, j) == pytest.approx(2 * 2 * n / (2 * n))  # S' = 1 + 1 each: the maximum, 2
    # one response 4 s late with the right text: S' = (1 - 4/8) + 1 = 1.5; R = 2 * 1.5 / (1 + n)
    late = [Response(it.id, a0.text, a0.time + 4)]
    assert r_turn(it, late, j) == pytest.approx(2 * 1.5 / (1 + n))
    # answer 1 takes the better of two candidates; the other stays free for answer 2 if in its window
    assert r_turn(it, [Response(it.id, a1.text, a1.time)], j, RewardSettings(matching="pred_first")) > 0
    gp = _it(small_items, "GP")
    b = gp.answers[0]
    after = [Response(gp.id, b.text, b.time + 1)]  # Proactive Agency: later than the answer is ignored
    before = [Response(gp.id, b.text, b.time - 2)]
    assert r_turn(gp, after, j) == 0 and r_turn(gp, before, j) == pytest.approx(2 * (0.75 + 1) / (1 + len(gp.answers)))


def test_turn_reward_product_step_score_pays_wrong_words_what_the_benchmark_does(small_items):
    gp, j = _it(small_items, "GP"), RuleJudge()
    b, n = gp.answers[0], len(gp.answers)
    product = RewardSettings(turn_score="product")
    right = [Response(gp.id, b.text, b.time)]
    vague = [Response(gp.id, "next, go to the square", b.time)]  # on time, no square named: the rule judge's 1 of 5
    early = [Response(gp.id, b.text, b.time - 2)]  # right words, S_time 1 - 2/8
    # the paper's sum keeps 1.2 of 2 for the vague answer; the product 2 * 1 * 0.2 = 0.4 (the benchmark's S, doubled)
    assert r_turn(gp, vague, j) == pytest.approx(2 * 1.2 / (1 + n))
    assert r_turn(gp, vague, j, product) == pytest.approx(2 * 0.4 / (1 + n))
    # a perfect answer earns the same under both (2), a timing error costs more under the product
    assert r_turn(gp, right, j, product) == pytest.approx(r_turn(gp, right, j)) == pytest.approx(2 * 2 / (1 + n))
    assert r_turn(gp, early, j, product) == pytest.approx(2 * 1.5 / (1 + n))
    assert r_turn(gp, early, j) == pytest.approx(2 * 1.75 / (1 + n))
    with pytest.raises(ValueError, match="turn_score"):
        RewardSettings(turn_score="max")


def test_turn_reward_prediction_first_uses_the_benchmark_rule():
    from streampro.bench.judges import ExactJudge
    from streampro.data.schema import validate_record

    it = validate_record({"id": "q", "video": "v.mp4", "fps": 1, "duration": 60, "dimension": "perception",
                          "task": "OU", "query_time": 0, "question": "?",
                          "answers": [{"text": "a", "time": 10}, {"text": "b", "time": 12}]}, "test")
    said_b = [Response("q", "b", 12.0)]
    # prediction-first, as the benchmark: the first open answer whose window ([t-8, t+8]) holds 12 s is "a":
    # S' = (1 - 2/8) + 0 (wrong text) = 0.75, although "b" would give 1 + 1; R = 2 * 0.75 / (1 + 2)
    pf = r_turn(it, said_b, ExactJudge(), RewardSettings(matching="pred_first"))
    assert pf == pytest.approx(0.5)
    # ground-truth-first: "a" (first in time) takes its best candidate with S' > 0 -- the same response
    assert r_turn(it, said_b, ExactJudge()) == pytest.approx(0.5)
    # a response past "a"'s window ([2, 18]) but inside "b"'s ([4, 20]) is left for "b": S' = (1 - 7/8) + 1
    late = [Response("q", "b", 19.0)]
    assert r_turn(it, late, ExactJudge()) == pytest.approx(2 * (1 / 8 + 1) / 3)


def test_trajectory_rubric_and_total(small_items):
    it = _it(small_items)
    j = RuleJudge()
    perfect = [Response(it.id, a.text, a.time) for a in it.answers]
    score, checks = r_traj(it, perfect, j)
    assert score == 1.0 and 6 <= len(checks) <= 10
    merged = [Response(it.id, it.answers[0].text, it.answers[0].time)]
    s2, c2 = r_traj(it, merged, j)
    assert not c2["not_merged"] and not c2["covers_every_answer"] and c2["no_hallucination"] and s2 < 1
    s3, c3 = r_traj(it, [Response(it.id, "the circle exploded", 0.0)], j)
    assert not c3["no_hallucination"] and not c3["not_premature"]
    assert r_traj(it, [], j)[0] < 0.5
    total, parts = compute_rewards(it, perfect, [[4], [5, 9, 3]], (4, 5, 3))
    assert parts == {"format": 1.0, "turn": pytest.approx(2.0), "traj": 1.0}
    assert total == pytest.approx(0.1 * 1 + 0.45 * 2 + 0.45 * 1)
    with pytest.raises(KeyError):
        compute_rewards(it, perfect, [], (4, 5, 3), {"nope": 1.0})


def test_the_f1_reward_is_the_benchmark_score_of_the_rollout(small_items):
    from streampro.bench.scoring import Prediction, score_predictions

    it = _it(small_items)
    j = RuleJudge()
    late = [Response(it.id, a.text, a.time + 3) for a in it.answers[:1]] + [Response(it.id, "the circle exploded", 1.0)]
    total, parts = compute_rewards(it, late, [[4]], (4, 5, 3), {"f1": 1.0}, j)
    want = score_predictions([it], {it.id: [Prediction(r.time, r.text) for r in late]}, j)[0]["f1"]
    assert 0 < want < 1 and total == pytest.approx(want) and parts["f1"] == pytest.approx(want)
    assert compute_rewards(it, [], [[4]], (4, 5, 3), {"f1": 1.0}, j)[0] == 0.0
    assert "f1" not in compute_rewards(it, late, [[4]], (4, 5, 3))[1]  # the paper's weights do not score it


def test_group_advantages():
    r = torch.tensor([[1.0, 2.0, 3.0, 4.0], [5.0, 5.0, 5.0, 5.0]])
    a = group_advantages(r)
    std = math.sqrt(1.25)
    assert a[0].tolist() == pytest.approx([(x - 2.5) / (std + 1e-4) for x in (1, 2, 3, 4)], rel=1e-5)
    assert a[1].abs().max() == 0  # no signal in a group of equal rewards
    near = torch.tensor([[0.30, 0.31], [0.0, 1.0]])  # a hair's difference vs a real one
    assert (group_advantages(near).abs() > 0.95).all()  # scaled: the hair pushes as hard as the real difference
    assert torch.allclose(group_advantages(near, scale=False), torch.tensor([[-0.005, 0.005], [-0.5, 0.5]]), atol=1e-6)


def test_response_credit_pays_each_matched_response_its_words_against_the_group(small_items):
    gp, j = _it(small_items, "GP"), RuleJudge()
    b = gp.answers[0]
    right, vague = Response(gp.id, b.text, b.time), Response(gp.id, "next, go to the square", b.time)
    # the turn reward's own matching, with each pair's S' and S_acc (the rule judge: 5/5 and 1/5)
    assert turn_matches(gp, [right], j) == [(0, 0, pytest.approx(2.0), pytest.approx(1.0))]
    assert turn_matches(gp, [vague], j) == [(0, 0, pytest.approx(1.2), pytest.approx(0.2))]
    S, R, A, E, X = 1, 2, 5, 9, IGNORE  # silence, respond, an answer word, eos; X: a frame or query token
    row = [X, R, A, E, X, S]  # a response after frame 0 (decision R, words A and eos), silence after frame 1
    labels = torch.tensor([row, row, [X, S, X, X, X, S]])
    kind = torch.tensor([[0, 1, 2, 2, 0, 1], [0, 1, 2, 2, 0, 1], [0, 1, 0, 0, 0, 1]])
    adv = torch.tensor([0.5, -0.1, -0.4])  # the rollouts' GRPO advantages
    rolls = [Rollout(None, 0.0, {}, 1, [(0, 0, 2.0, 1.0)]), Rollout(None, 0.0, {}, 1, [(0, 0, 1.2, 0.2)]),
             Rollout(None, 0.0, {}, 0, [])]
    out = response_advantages(labels, kind, R, adv, rolls, 3, weight=1.0)
    mask = labels != IGNORE
    # the words of the right answer get + (1.0 - 0.6), the vague one's - 0.4; decisions keep the rollout's advantage
    assert out[0][mask[0]].tolist() == pytest.approx([0.5, 0.9, 0.9, 0.5])
    assert out[1][mask[1]].tolist() == pytest.approx([-0.1, -0.5, -0.5, -0.1])
    assert out[2][mask[2]].tolist() == pytest.approx([-0.4, -0.4])
    # a rollout whose spans do not line up with its responses keeps the trajectory advantage; one alone on an
    # answer has nothing to be compared with
    rolls[1].n_responses = 2
    out = response_advantages(labels, kind, R, adv, rolls, 3, weight=0.5)
    assert out[1][mask[1]].tolist() == pytest.approx([-0.1] * 4)
    assert out[0][mask[0]].tolist() == pytest.approx([0.5, 0.7, 0.7, 0.5])
    alone = response_advantages(labels[:1], kind[:1], R, adv[:1], rolls[:1], 1, weight=1.0)
    assert alone[0][mask[0]].tolist() == pytest.approx([0.5] * 4)


def test_tree_credit_compares_each_action_with_the_rollouts_in_the_same_state():
    S, R, A, E, X = 1, 2, 5, 9, IGNORE  # silence, respond, an answer word, eos; X: a frame or query token
    labels = torch.tensor([
        [X, S, X, R, A, E, X, S],  # on time: answers after frame 1
        [X, S, X, S, X, R, A, E],  # late: answers after frame 2
        [X, S, X, S, X, S, X, X],  # never answers
    ])
    rewards = torch.tensor([[1.0, 0.4, 0.1]])  # group mean 0.5
    adv = tree_advantages(labels, rewards, scale=False)
    assert (adv[labels == IGNORE] == 0).all()
    got = [adv[i][labels[i] != IGNORE].tolist() for i in range(3)]
    assert got[0] == pytest.approx([0.5] * 5)  # shares frame 0 and 1 with all (base 0.5), then keeps that base
    # frames 0-1: the whole group's state (base 0.5); frame 2: only the late and the silent one remain (base 0.25)
    assert got[1] == pytest.approx([-0.1, -0.1, 0.15, 0.15, 0.15])
    assert got[2] == pytest.approx([-0.4, -0.4, -0.15])  # GRPO would give its late silence -0.4 as well
    scaled = tree_advantages(labels, rewards)
    first = group_advantages(rewards)[0]  # the first action's state is the group's: exactly GRPO's advantage
    assert [float(scaled[i][labels[i] != IGNORE][0]) for i in range(3)] == pytest.approx(first.tolist(), rel=1e-5)
    same = torch.tensor([[X, S, S], [X, S, S]])  # rollouts that never diverge: GRPO's advantage on every token
    want = group_advantages(torch.tensor([[0.0, 1.0]]))[0].unsqueeze(-1).expand(2, 2)
    assert torch.allclose(tree_advantages(same, torch.tensor([[0.0, 1.0]]))[:, 1:], want)
    # per-token advantages reach the loss token by token
    logp = torch.zeros(3, 8, requires_grad=True)
    mask = labels != IGNORE
    grpo_loss(logp, logp.detach(), logp.detach(), mask, adv, 0.2, 0.0, "bnpo")["loss"].backward()
    assert logp.grad[2, 5] == pytest.approx(0.15 / mask.sum().item())


def test_grpo_loss_only_counts_actions():
    logp = torch.tensor([[-1.0, -2.0, -3.0]], requires_grad=True)
    mask = torch.tensor([[True, False, True]])
    out = grpo_loss(logp * mask, (logp * mask).detach(), (logp * mask).detach(), mask, torch.tensor([2.0]), 0.2, 0.1)
    out["loss"].backward()
    assert out["loss"].item() == pytest.approx(-2.0) and out["kl"].item() == pytest.approx(0.0)
    assert logp.grad[0, 1] == 0 and logp.grad[0, 0] == pytest.approx(-1.0)  # masked token gets no gradient


def test_length_grouped_batches_are_a_function_of_the_step_and_pad_less():
    from streampro.train.sft import batch_indices

    lengths = np.random.default_rng(0).integers(90, 230, 800)

    def useful(b):  # the share of a padded batch that is real tokens
        return lengths[b].sum() / (len(b) * lengths[b].max())

    grouped = [batch_indices(800, 16, 3, s, lengths) for s in range(40)]
    plain = [batch_indices(800, 16, 3, s) for s in range(40)]
    assert all(len(set(b)) == 16 for b in grouped)
    assert all((batch_indices(800, 16, 3, s, lengths) == grouped[s]).all() for s in (0, 7, 8, 39))  # resumable
    assert len({int(i) for b in grouped[:8] for i in b}) == 128  # one megabatch: distinct questions
    assert np.mean([useful(b) for b in grouped]) > 0.9 > np.mean([useful(b) for b in plain])


def test_grpo_loss_aggregations_hand_computed():
    # two rollouts, advantages +1 and -1, ratio 1, no KL: per-token loss -A on 1 and 3 action tokens
    logp = torch.zeros(2, 3)
    mask = torch.tensor([[True, False, False], [True, True, True]])
    adv = torch.tensor([1.0, -1.0])
    loss = {t: grpo_loss(logp, logp, logp, mask, adv, 0.2, 0.0, t)["loss"].item() for t in ("grpo", "bnpo", "dr_grpo")}
    assert loss["grpo"] == pytest.approx((-1 / 1 + 3 / 3) / 2)  # each rollout's mean, then the mean: 0
    assert loss["bnpo"] == pytest.approx((-1 + 3) / 4)  # every token alike
    assert loss["dr_grpo"] == pytest.approx((-1 + 3) / (2 * 3))  # / rollouts x the longest
    with pytest.raises(ValueError, match="loss_type"):
        grpo_loss(logp, logp, logp, mask, adv, 0.2, 0.0, "sum")


def test_rollout_layout_matches_trace(tiny, small_items):
    model, frames = tiny
    it = _it(small_items)
    ro = rollout(model, it, frames[it.video], seed=1, temperature=1.0, weights={"turn": 1.0, "traj": 1.0})
    kinds = np.array(ro.trajectory.kind)
    q, last = round(it.query_time * it.fps), len(frames[it.video]) - 1
    assert (kinds == KIND_DECISION).sum() == last - q + 1 and set(ro.parts) == {"format", "turn", "traj"}
    b = collate(model.cfg, [ro.trajectory])
    logp, mask = token_logprobs(model, b, "cpu")
    assert mask.sum() == ((b.labels != IGNORE).sum()) and (logp <= 0).all()
    # at temperature T the loss sees the distribution the rollout drew from: log_softmax(logits / T)
    with torch.no_grad():
        logits = model(b.tokens, b.is_visual, b.frames)
        cold, _ = token_logprobs(model, b, "cpu", temperature=0.5)
    want = torch.log_softmax(logits / 0.5, -1).gather(-1, b.labels.clamp_min(0).unsqueeze(-1)).squeeze(-1) * mask
    assert torch.allclose(cold, want, atol=1e-5) and not torch.allclose(cold, logp.detach(), atol=1e-3)


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
    # the step the killed process logged after its last checkpoint (3) is logged once, by the resumed run, with
    # the same numbers as the uninterrupted run's: log.jsonl reads as one series
    def logged(run: str) -> list[dict]:
        return [json.loads(line) for line in (tmp_path / run / "log.jsonl").read_text().splitlines()]

    assert [r["step"] for r in logged("cut")] == [r["step"] for r in logged("full")] == list(range(6))
    assert [r["loss"] for r in logged("cut")] == pytest.approx([r["loss"] for r in logged("full")], rel=1e-4)
    g = train_grpo(GRPOConfig(init=str(full), train=str(small_bench), out=str(tmp_path / "grpo"), steps=2,
                              items_per_step=2, group_size=3), progress=False)
    glog = [json.loads(line) for line in (tmp_path / "grpo" / "log.jsonl").read_text().splitlines()]
    assert len(glog) == 2 and all(math.isfinite(r["loss"]) for r in glog) and "reward/turn" in glog[0]
    # a finished run called again (any caller, not only the CLI) is returned as it is: nothing retrained or relogged
    kept = {p: (tmp_path / p).read_bytes() for p in ("grpo/log.jsonl", "cut/log.jsonl", "cut/run.json")}
    assert train_grpo(GRPOConfig(init=str(full), train=str(small_bench), out=str(tmp_path / "grpo"), steps=2,
                                 items_per_step=2, group_size=3), progress=False) == g
    assert sft.train_sft(sft.SFTConfig(out=str(tmp_path / "cut"), **base), progress=False) == resumed
    assert {p: (tmp_path / p).read_bytes() for p in kept} == kept
    # ... but only the same run: other settings on a finished folder are refused, not answered with its old model
    from streampro.core.errors import RunConflict

    with pytest.raises(RunConflict, match="lr: 0.0003 -> 0.02"):
        train_grpo(GRPOConfig(init=str(full), train=str(small_bench), out=str(tmp_path / "grpo"), steps=2,
                              items_per_step=2, group_size=3, lr=0.02), progress=False)
    with pytest.raises(RunConflict, match="steps: 6 -> 7"):
        sft.train_sft(sft.SFTConfig(out=str(tmp_path / "cut"), **{**base, "steps": 7}), progress=False)
    assert {p: (tmp_path / p).read_bytes() for p in kept} == kept
    s = evaluate(small_items, build_model(f"small:{g}", small_items), tmp_path / "eval", RuleJudge(), progress=False)
    assert s["complete"] and s["f1"]["n"] == len(small_items)
    # learning curves: val F1 before training and after every step, in log.jsonl and curves.png; the last
    # point is exactly what `eval` gives the saved model on the same val questions
    from streampro.data.schema import write_items

    val = tmp_path / "val" / "items.jsonl"
    write_items(val, small_items[:7])
    g2 = train_grpo(GRPOConfig(init=str(full), train=str(small_bench), out=str(tmp_path / "grpo2"), steps=2,
                               items_per_step=2, group_size=3, val=str(val), eval_every=1), progress=False)
    rows = [json.loads(line) for line in (tmp_path / "grpo2" / "log.jsonl").read_text().splitlines()]
    assert [r["step"] for r in rows if "val/wavg" in r] == [-1, 0, 1] and (tmp_path / "grpo2" / "curves.png").is_file()
    again = evaluate(small_items[:7], build_model(f"small:{g2}", small_items), tmp_path / "eval2", RuleJudge(),
                     progress=False)
    assert rows[-1]["val/wavg"] == pytest.approx(again["f1"]["wavg"])


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


def test_grpo_update_moves_a_bandit_toward_its_optimum():
    """When to speak, as a 6-armed bandit (arm k = speak after frame k; reward peaks at frame 3): the
    GRPO objective (group advantages, clipped ratio, k3 KL) must raise the expected reward."""
    torch.manual_seed(0)
    reward = torch.tensor([0.0, 0.1, 0.4, 1.0, 0.3, 0.0])
    logits = torch.zeros(6, requires_grad=True)
    ref = torch.zeros(6)
    opt = torch.optim.Adam([logits], lr=0.1)

    def expected() -> float:
        return float(torch.softmax(logits.detach(), -1) @ reward)

    start = expected()
    for _ in range(40):
        with torch.no_grad():
            arms = torch.multinomial(torch.softmax(logits, -1), 8, replacement=True).view(1, 8)
        adv = group_advantages(reward[arms]).flatten()
        logp = torch.log_softmax(logits, -1)[arms.flatten()].unsqueeze(-1)
        out = grpo_loss(logp, logp.detach(), torch.log_softmax(ref, -1)[arms.flatten()].unsqueeze(-1),
                        torch.ones_like(logp, dtype=torch.bool), adv, 0.2, 0.01)
        opt.zero_grad()
        out["loss"].backward()
        opt.step()
    assert start == pytest.approx(float(reward.mean()))
    assert expected() > 0.8 and int(logits.argmax()) == 3


def test_a_resumed_log_drops_what_the_killed_process_logged_after_its_checkpoint(tmp_path):
    from streampro.train.checkpoint import JsonlLogger

    log = tmp_path / "log.jsonl"
    log.write_text("".join(json.dumps({"step": k, "loss": k}) + "\n" for k in (-1, 0, 1, 2, 3)) + '{"step": 4, "lo')
    JsonlLogger(log, start=2).log(2, loss=20.0)
    assert [json.loads(line) for line in log.read_text().splitlines()] == [
        {"step": -1, "loss": -1}, {"step": 0, "loss": 0}, {"step": 1, "loss": 1}, {"step": 2, "loss": 20.0}]
    JsonlLogger(log, start=0)  # no checkpoint: the run starts over, and so does its log
    assert log.read_text() == ""


def test_bar_check_needs_the_intervals_apart():
    """Issue 9's bar by hand: SFT-CB's 95 % t-interval against the best of random (per seed) / eager / silent."""
    from streampro.train.reproduce import bar_check

    def summ(pu, tr, pa):
        return {"f1": {"dimensions": {"perception": {"f1": pu}, "temporal": {"f1": tr}, "proactive": {"f1": pa}}}}

    # PU: 30, 32, 34 -> mean 32, sd 2, half-width 4.303 * 2 / sqrt(3) = 4.97 -> [27.03, 36.97]
    per_seed = {0: {"sft-cb": summ(30, 20, 10), "random": summ(10, 5, 9)},
                1: {"sft-cb": summ(32, 20, 10), "random": summ(10, 5, 10)},
                2: {"sft-cb": summ(34, 20, 10), "random": summ(10, 5, 11)}}
    refs = {"eager": summ(28, 19.9, 5), "silent": summ(0, 0, 0)}
    bar = bar_check(per_seed, refs)
    assert bar["perception"]["ci95"] == pytest.approx(4.302653 * 2 / 3 ** 0.5, rel=1e-6)
    assert bar["perception"]["best_baseline"] == "eager" and bar["perception"]["holds"] is False  # 27.03 < 28
    assert bar_check(per_seed, {**refs, "eager": summ(27, 19.9, 5)})["perception"]["holds"] is True  # 27.03 > 27
    assert bar["temporal"]["holds"] is True  # a point at 20 above eager's point at 19.9
    # PA: random 9, 10, 11 -> [7.52, 12.48] beats eager's 5 as the best baseline and overlaps SFT-CB's 10
    assert bar["proactive"]["best_baseline"] == "random" and bar["proactive"]["holds"] is False


def test_dimension_diagnostics_weight_tasks_by_questions():
    from streampro.bench.report_tables import format_dimension_diagnostics

    def task(n, p, r, rpq, early, off):
        return {"n": n, "precision": p, "recall": r, "responses_per_question": rpq, "answers_per_question": 1.0,
                "early_rate": early, "mean_offset_s": off}

    s = {"m": {"f1": {"tasks": {"TP": task(30, 10.0, 40.0, 2.0, 0.0, None), "TG": task(10, 50.0, 20.0, 1.0, 100.0, 2.0)},
                      "dimensions": {"temporal": {"f1": 22.2}}}}}
    rows = [r for r in format_dimension_diagnostics(s).splitlines() if r.startswith("| m ")]
    # precision (30*10 + 10*50)/40 = 20, recall 35, resp./q 1.75, early 25 %; the offset only from TG
    assert rows == ["| m | temporal | 20.0 | 35.0 | 22.2 | 1.75 | 1.00 | 25.0 | 2.00 |"]


@pytest.mark.slow
def test_reproduce_with_an_ablation_writes_results(tmp_path):
    """A tiny end-to-end `reproduce` (2 seeds, the tau ablation): every variant and baseline lands in
    results.json with the benchmark's f1 keys, the mean over seeds beside the per-seed values."""
    from streampro.core.errors import RunConflict
    from streampro.train.reproduce import ReproduceConfig, reproduce

    cfg = ReproduceConfig(out=str(tmp_path), seeds=(0, 1), n_train=14, n_test=14, sft_steps=2, grpo_steps=1,
                          batch_size=4, ablations=("tau",), perception_steps=3, n_val=7)
    res = reproduce(cfg, progress=False)
    results = json.loads((tmp_path / "results.json").read_text())
    models = results["models"]
    # stage 0 ran per seed, its probe is reported, and SFT trained on top of its frozen encoder
    assert set(results["perception_probe"]) == {"0", "1"} and "Perception probe" in res["text"]
    run = json.loads((tmp_path / "seed0" / "sft-cb" / "run.json").read_text())
    assert run["config"]["freeze_encoder"] and run["trainable_params"] < run["params"]
    assert run["config"]["group_by_length"]  # reproduce's SFT pads less
    assert set(models) >= {"sft-ce", "sft-focal", "sft-cb", "sft-cb+grpo", "grpo-tau3", "grpo-tau8", "random", "eager",
                           "silent", "oracle"}
    assert set(models["sft-cb"]["f1"]) >= {"tasks", "dimensions", "avg", "wavg"} and set(models["sft-cb"]["per_seed"]) == {"0", "1"}
    assert models["sft-cb"]["f1"]["wavg"] == pytest.approx(np.mean([v["wavg"] for v in models["sft-cb"]["per_seed"].values()]))
    # the paper's matching rule costs even the oracle where answer windows overlap (docs/metrics.md)
    assert models["random"]["f1"]["wavg"] < models["oracle"]["f1"]["wavg"] <= 100 and "±" in res["text"]
    # the paper's task split: SFT on EU OU TP TG, GRPO on EU OU AA TP TG GP, RF in neither
    assert run["config"]["tasks"] == ["EU", "OU", "TP", "TG"]
    grpo_run = json.loads((tmp_path / "seed0" / "sft-cb+grpo" / "run.json").read_text())
    assert grpo_run["config"]["tasks"] == ["EU", "OU", "AA", "TP", "TG", "GP"]
    assert grpo_run["config"]["items_per_step"] == 2 and grpo_run["config"]["lr"] == 3e-4  # the stage's budget
    # the tau-8 row is the default GRPO run itself: reused, not trained twice
    assert models["grpo-tau8"]["per_seed"] == models["sft-cb+grpo"]["per_seed"] and not (tmp_path / "seed0" / "grpo-tau8").exists()
    assert (tmp_path / "seed0" / "grpo-tau3" / "final").is_dir()
    # the seeded baseline is scored per seed (so it has an interval); the bar verdict covers every dimension
    assert set(models["random"]["per_seed"]) == {"0", "1"} and (tmp_path / "seed1" / "eval" / "random").is_dir()
    assert set(results["bar"]) == {"perception", "temporal", "proactive"} and "intervals apart" in res["text"]
    assert "Diagnostics per dimension" in res["text"]
    assert "seed 0: sft-cb+grpo" in results["wall_seconds"] and "Wall time per stage" in res["text"]
    with pytest.raises(ValueError, match="unknown ablation"):  # refused before any stage runs
        ReproduceConfig(out=str(tmp_path), seeds=(0,), n_train=14, n_test=14, sft_steps=2, grpo_steps=1,
                        batch_size=4, ablations=("nope",))
    # the same folder with another stage-0 budget is another run: its trainer refuses the folder, in the library too
    with pytest.raises(RunConflict, match="steps: 3 -> 600"):
        reproduce(ReproduceConfig(out=str(tmp_path), seeds=(0,), n_train=14, n_test=14, sft_steps=2, grpo_steps=1,
                                  batch_size=4, n_val=7), progress=False)


@pytest.mark.slow
def test_reproduce_evaluates_in_worker_processes_with_the_same_scores(tmp_path):
    """``jobs=2``: a seed's evaluations run in two spawned workers (one torch thread each) and score exactly what
    the in-process path scores; training stays in this process, so both runs train the same models."""
    import torch

    from streampro.train.reproduce import ReproduceConfig, reproduce

    tiny = dict(seeds=(0,), n_train=14, n_test=14, sft_steps=3, grpo_steps=1, batch_size=4, perception_steps=2, n_val=7)
    threads = torch.get_num_threads()
    torch.set_num_threads(1)  # the same training in both runs, whatever this machine's default
    try:
        one = reproduce(ReproduceConfig(out=str(tmp_path / "one"), jobs=1, **tiny), progress=False)
        two = reproduce(ReproduceConfig(out=str(tmp_path / "two"), jobs=2, **tiny), progress=False)
    finally:
        torch.set_num_threads(threads)
    assert one["models"] == two["models"] and len(two["models"]) >= 6
    assert "seed 0: eval (5 models, 2 processes)" in two["wall_seconds"]
    assert "seed 0: eval (5 models)" in one["wall_seconds"]
    assert ReproduceConfig().workers == (os.cpu_count() or 1) and ReproduceConfig(jobs=3).workers == 3
    with pytest.raises(ValueError, match="--jobs"):
        ReproduceConfig(jobs=-1)


def test_run_jobs_raises_a_jobs_own_error_and_names_a_dead_worker(tmp_path):
    """A job's error reaches the caller as it was raised in the worker; a worker that dies is one clear error."""
    import time

    from streampro.core.errors import InputError, StreamProError
    from streampro.train.parallel import Job, lines_in, run_jobs

    assert run_jobs([Job("a", divmod, (7, 2)), Job("b", pow, (2, 5))], 2, progress=False) == {"a": (3, 1), "b": 32}
    with pytest.raises(InputError, match="bad"):
        run_jobs([Job("x", _raise_input_error, ("bad",))], 1, progress=False)
    began = time.perf_counter()  # a failed job stops a running one at once instead of waiting for it to end
    with pytest.raises(InputError, match="bad"):
        run_jobs([Job("slow", time.sleep, (120,)), Job("x", _raise_input_error, ("bad",))], 2, progress=False)
    assert time.perf_counter() - began < 60
    with pytest.raises(StreamProError, match="died"):
        run_jobs([Job("k", os._exit, (1,))], 1, progress=False)
    # the progress look: a predictions file's complete lines (0 before it exists)
    assert lines_in(tmp_path / "p.jsonl") == 0
    (tmp_path / "p.jsonl").write_text('{}\n{}\n{"id": ')  # a torn last line is not counted
    assert lines_in(tmp_path / "p.jsonl") == 2


def _raise_input_error(msg: str) -> None:
    from streampro.core.errors import InputError

    raise InputError(msg)


def test_reproduce_grpo_budget_is_a_setting_that_old_run_folders_read_as_unset():
    """``--grpo-items-per-step`` / ``--grpo-lr`` set the GRPO stage's budget (one epoch: 150 x 8 at 1e-4); left
    unset they are the stage's old 2 questions per step at train grpo's lr, and a manifest written before the
    settings existed (no such keys) is the same run."""
    from dataclasses import asdict

    from streampro.core.runs import settings_diff
    from streampro.train.reproduce import ReproduceConfig

    assert ReproduceConfig().grpo_budget == {"items_per_step": 2}
    assert ReproduceConfig(grpo_items_per_step=8, grpo_lr=1e-4).grpo_budget == {"items_per_step": 8, "lr": 1e-4}
    now = asdict(ReproduceConfig())
    before = {k: v for k, v in now.items() if k not in ("grpo_items_per_step", "grpo_lr")}
    assert settings_diff(before, now) == []
    assert settings_diff(before, asdict(ReproduceConfig(grpo_items_per_step=8))) == ["grpo_items_per_step: null -> 8"]


def test_a_grpo_run_folder_from_before_the_credit_setting_resumes_only_as_the_default(tmp_path):
    """A manifest written before ``credit`` existed was a trajectory-credit run: the same run under the default,
    another run under ``--credit tree``."""
    from dataclasses import asdict

    from streampro.core.errors import RunConflict
    from streampro.core.runs import claim_run, write_manifest
    from streampro.train.configs import GRPOConfig

    old = {k: v for k, v in asdict(GRPOConfig()).items() if k != "credit"}
    write_manifest(tmp_path, "config", old)
    (tmp_path / "log.jsonl").write_text("{}\n")
    defaults = asdict(GRPOConfig())
    claim_run(tmp_path, "config", asdict(GRPOConfig()), ("log.jsonl",), defaults=defaults)
    with pytest.raises(RunConflict, match='credit: "trajectory" -> "tree"'):
        claim_run(tmp_path, "config", asdict(GRPOConfig(credit="tree")), ("log.jsonl",), defaults=defaults)


def test_reproduce_refuses_a_grpo_budget_the_rl_split_cannot_fill_before_any_sft_stage(tmp_path):
    """``--grpo-items-per-step`` above the train split's RL questions is an error when the split exists, not
    after three SFT runs: nothing is trained, and the message names the count, the tasks and the fix."""
    from streampro.core.errors import InputError
    from streampro.train.reproduce import ReproduceConfig, run_seed

    cfg = ReproduceConfig(out=str(tmp_path), n_train=14, sft_steps=1, grpo_steps=1, grpo_items_per_step=13,
                          batch_size=4, perception_steps=0)
    with pytest.raises(InputError, match=r"--grpo-items-per-step 13 exceeds the 12 questions of the RL tasks") as e:
        run_seed(cfg, 0, [], progress=False)
    assert "raise the train split's size" in str(e.value)
    assert (tmp_path / "data" / "train0" / "items.jsonl").exists() and not (tmp_path / "seed0").exists()


def test_cb_stream_counts_the_global_batch_so_shares_add_up_to_one_process():
    """Under DDP each process holds part of the batch. With the global class counts and N (``totals``, what
    the trainer all-reduces) the processes' losses add up to the one-process loss on the whole batch, and
    the weights are the global batch's, not each share's (computed by hand from the counts)."""
    from streampro.train.losses import batch_counts, effective_number_weights, stream_loss
    from streampro.train.trajectory import KIND_ANSWER, KIND_DECISION

    torch.manual_seed(0)
    silence, respond, vocab = 4, 5, 12
    # share A: 5 silences, 0 responses, 2 text tokens; share B: 1 silence, 2 responses, 3 text tokens
    labels = torch.tensor([[4, 4, 4, 4, 4, 7, 8], [4, 5, 5, 9, 10, 11, -100]])
    kind = torch.tensor([[KIND_DECISION] * 5 + [KIND_ANSWER] * 2,
                         [KIND_DECISION] * 3 + [KIND_ANSWER] * 3 + [0]])
    logits = torch.randn(2, 7, vocab)
    whole = stream_loss(logits, labels, kind, silence, respond, "cb")["loss"]
    totals = batch_counts(labels[:1], kind[:1], silence, respond) + batch_counts(labels[1:], kind[1:], silence, respond)
    assert totals.tolist() == [6, 2, 13]
    parts = [stream_loss(logits[i : i + 1], labels[i : i + 1], kind[i : i + 1], silence, respond, "cb", totals=totals)
             for i in (0, 1)]
    assert float(parts[0]["loss"] + parts[1]["loss"]) == pytest.approx(float(whole), rel=1e-6)
    # by hand: E_k = (1 - b^n_k) / (1 - b), w_k = (1/E_k) / sum(1/E) * 2
    b = 0.9999
    inv = [(1 - b) / (1 - b**6), (1 - b) / (1 - b**2)]
    assert effective_number_weights([6, 2], b).tolist() == pytest.approx([2 * x / sum(inv) for x in inv], rel=1e-6)
    alone = stream_loss(logits[:1], labels[:1], kind[:1], silence, respond, "cb")["loss"]  # share A on its own
    assert float(alone) != pytest.approx(float(parts[0]["loss"]) * 13 / 7, rel=1e-3)  # its own counts differ


def test_turn_reward_takes_a_prediction_only_when_it_earns_something():
    """Algorithm 1: for each ground truth in turn, the best still-free prediction in its window is taken only
    if S' = S_time + S_acc > 0. Answers at 10 s and 12 s (τ 8); one prediction at 18 s saying the second
    answer: for the first it earns S' = 0 (Δt = 8, wrong text) and must stay free; for the second S' =
    (1 - 6/8) + 1 = 1.25, so R_turn = 2 · 1.25 / (1 + 2)."""
    from streampro.bench.judges import ExactJudge
    from streampro.core.items import Answer, Item

    it = Item(id="q", video="v.mp4", fps=1.0, duration=30.0, dimension="perception", task="OU", query_time=0.0,
              question="Tell me each change.", answers=[Answer(text="it turned red", time=10.0),
                                                        Answer(text="it turned blue", time=12.0)])
    said = [Response("q", "it turned blue", 18.0)]
    assert r_turn(it, said, ExactJudge()) == pytest.approx(2 * 1.25 / 3)


def test_reward_study_ranks_by_hand():
    """Within-group Spearman of each reward part with F1, and the best-F1-gets-best-reward rate, on groups
    whose values are chosen so both can be computed by hand."""
    from streampro.train.reward_study import summarize, table

    def g(*rows):
        return [{"format": 1.0, "turn": t, "traj": j, "total": t + j, "f1": f, "responses": 1} for t, j, f in rows]

    groups = [g((0.1, 0.5, 0.0), (0.5, 0.5, 0.5), (0.9, 0.5, 1.0)),   # turn agrees with F1 (rho 1); traj constant
              g((0.9, 1.0, 0.0), (0.5, 0.0, 0.5), (0.1, 0.5, 1.0)),   # turn reversed (rho -1); traj rho -0.5
              g((0.3, 0.2, 0.4), (0.7, 0.9, 0.4), (0.2, 0.1, 0.4))]   # F1 constant: no information
    s = summarize(groups)
    assert s["groups_with_constant_f1"] == 1 and s["turn"]["groups_ranked"] == 2
    assert s["turn"]["mean_spearman"] == pytest.approx(0.0)  # (1 + -1) / 2
    assert s["turn"]["best_f1_gets_best_reward"] == pytest.approx(0.5)
    assert s["traj"]["groups_ranked"] == 1 and s["traj"]["mean_spearman"] == pytest.approx(-0.5)
    assert s["format"]["groups_ranked"] == 0 and s["format"]["best_f1_gets_best_reward"] == 0  # constant: never "best"
    # total = turn + traj: group 1 (0.6, 1.0, 1.4) agrees; group 2 (1.9, 0.5, 0.6): rho -0.5, best F1 not best total
    assert s["total"]["mean_spearman"] == pytest.approx(0.25) and s["total"]["best_f1_gets_best_reward"] == 0.5
    assert "| turn | 0.00 | 2 | 50 % |" in table(s)
    # headroom: the reward picks F1 1.0 in group 1 and 0.0 in group 2; best-of-G is 1.0, 1.0, 0.4
    h = s["headroom"]["all"]
    assert h["groups"] == 3 and h["mean_f1"] == pytest.approx(1.4 / 3)
    assert h["reward_pick_f1"] == pytest.approx(1.4 / 3) and h["best_f1"] == pytest.approx(2.4 / 3)
    assert "| all | 3 | 46.7 | 46.7 | 80.0 |" in table(s)


def test_reward_study_says_which_timing_the_advantage_reinforces():
    """Each response is early / inside / late against its nearest answer's benchmark window (TG: the end
    -3..+3 s) and carries its rollout's group-normalised advantage; the table shows the mean per task and kind."""
    from streampro.core.items import Answer, Item
    from streampro.train.reward_study import summarize, table, timing

    it = Item(id="q", video="v.mp4", fps=1.0, duration=40.0, dimension="temporal", task="TG", query_time=0.0,
              question="When does it stop?", answers=[Answer(text="from 5 to 20", time=20.0, span=(5.0, 20.0))])
    assert [timing(it, t) for t in (16.0, 17.0, 23.0, 24.0)] == ["early", "inside", "inside", "late"]

    def row(total, *kinds):
        return {"format": 1.0, "turn": total, "traj": 0.0, "total": total, "f1": total, "responses": len(kinds),
                "task": "TG", "timing": list(kinds)}

    # totals 0, 1, 2: advantages -1.2247, 0, +1.2247 (population std, as GRPO); the late rollout is the best
    s = summarize([[row(0.0, "early"), row(1.0, "inside"), row(2.0, "late", "late")]])
    tg = s["timing"]["TG"]
    assert tg["early"] == {"responses": 1, "mean_advantage": pytest.approx(-1.2247, abs=1e-3)}
    assert tg["inside"]["mean_advantage"] == pytest.approx(0.0) and tg["late"]["responses"] == 2
    assert tg["late"]["mean_advantage"] == pytest.approx(1.2247, abs=1e-3)
    assert "| TG | 1, -1.22 | 1, +0.00 | 2, +1.22 |" in table(s)


def test_both_backbones_satisfy_the_training_protocols(tiny):
    """StreamPro-Small is a Policy with a TokenLayout without inheriting them; the rubrics are Rubrics."""
    from streampro.train.protocols import Policy, TokenLayout
    from streampro.train.rubric import WorldRubric

    model, _ = tiny
    assert isinstance(model, Policy) and isinstance(model.cfg, TokenLayout)
    assert not isinstance(object(), Policy)
    assert WorldRubric().grade.__name__ == "grade" and WorldRubric.name == "world"


def test_a_group_sampled_as_one_batch_equals_its_rollouts_one_by_one(tiny, small_items):
    """GRPO steps a group's G samplers together (one forward per frame for all of them); each rollout is
    still exactly what its seed gives alone: same actions, same responses."""
    from streampro.train.grpo import sample_group, sample_stream

    model, frames = tiny
    it = next(i for i in small_items if i.dimension == "proactive")
    seeds = [3, 4, 5, 6]
    group = sample_group(model, it, frames[it.video], seeds, temperature=1.5)
    alone = [sample_stream(model, it, frames[it.video], s, temperature=1.5) for s in seeds]
    assert [g.steps for g in group] == [a.steps for a in alone]
    assert [[r.text for r in g.responses] for g in group] == [[r.text for r in a.responses] for a in alone]
    assert [(g.trajectory.tokens, g.trajectory.labels) for g in group] == [(a.trajectory.tokens, a.trajectory.labels) for a in alone]
    assert len({tuple(map(tuple, g.steps)) for g in group}) > 1  # the seeds do differ


def test_videos_streamed_in_lockstep_give_the_same_predictions_as_one_by_one(tiny, small_items, tmp_path):
    """``stream_items`` steps several videos together for StreamPro-Small (its step_batch); the predictions
    file is the one streaming video by video writes, line for line."""
    from streampro.bench.evaluate import stream_items
    from streampro.models.small import SmallStreamer

    model, _ = tiny
    items = small_items[:16]
    for name, batch in (("one", 1), ("lockstep", 8)):
        stream_items(items, SmallStreamer(model, respond_threshold=0.3), tmp_path / name, progress=False,
                     batch_videos=batch)
    one = (tmp_path / "one" / "predictions.jsonl").read_text()
    assert one == (tmp_path / "lockstep" / "predictions.jsonl").read_text()
    assert sum(len(json.loads(line)["responses"]) for line in one.splitlines()) > 0  # it did speak


def test_groups_of_several_questions_sampled_together_equal_each_group_alone(tiny, small_items):
    """GRPO steps every rollout of a step (several questions, several videos) in one batch; each group is
    still what it gives alone, and with a frozen encoder's features the laid-out trajectories' log-probs
    equal the pixel ones (the loss then skips the CNN)."""
    from streampro.train.grpo import sample_group, sample_groups

    model, frames = tiny
    picked = [small_items[0], next(i for i in small_items if i.video != small_items[0].video)]
    groups = [(it, frames[it.video], [10 * n + g for g in range(3)]) for n, it in enumerate(picked)]
    together = sample_groups(model, groups, temperature=1.5)
    alone = [sample_group(model, it, fr, seeds, temperature=1.5) for it, fr, seeds in groups]
    assert [[s.steps for s in g] for g in together] == [[s.steps for s in g] for g in alone]
    assert [[[r.text for r in s.responses] for s in g] for g in together] == \
        [[[r.text for r in s.responses] for s in g] for g in alone]
    feats = [model.encode_frames(fr) for _, fr, _ in groups]
    with_feats = sample_groups(model, groups, temperature=1.5, features=feats)
    pix = collate(model.cfg, [s.trajectory for g in together for s in g])
    fea = collate(model.cfg, [s.trajectory for g in with_feats for s in g])
    assert fea.frames.is_floating_point() and not pix.frames.is_floating_point()
    assert torch.equal(pix.tokens, fea.tokens) and torch.equal(pix.labels, fea.labels)
    lp_pix, mask = token_logprobs(model, pix, "cpu", 1.5)
    lp_fea, _ = token_logprobs(model, fea, "cpu", 1.5)
    assert mask.sum() > 0 and torch.allclose(lp_pix, lp_fea, atol=1e-5)


def test_dropping_the_base_stream_after_the_last_query_changes_nothing(tiny, small_items):
    """The runner tells the model when no query can come (``no_more_queries``) and StreamPro-Small stops
    stepping the stream later queries would fork from; the responses are those of a streamer that kept it."""
    from streampro.bench.protocol import StreamQuery, run_stream
    from streampro.core.types import Frame, Query, StreamInfo
    from streampro.models.small import SmallStreamer

    model, frames = tiny
    it = next(i for i in small_items if i.query_time > 0)
    fr = frames[it.video]
    q = Query(it.id, it.question, (), it.query_time, it.task)
    dropped = SmallStreamer(model, respond_threshold=0.3)
    got = run_stream(dropped, it.video, it.fps, it.duration, [StreamQuery(q, it.duration)],
                     frames=[Frame(k, k / it.fps, fr[k]) for k in range(len(fr))])[it.id]
    assert dropped.base is None  # it was told, and let the base stream go
    kept = SmallStreamer(model, respond_threshold=0.3)
    kept.reset(StreamInfo(video=it.video, fps=it.fps, duration=it.duration))
    said = []
    for k in range(len(fr)):
        if k == round(it.query_time * it.fps):
            kept.add_query(q)
        said += [(k, r.text) for r in kept.step(Frame(k, k / it.fps, fr[k]))]
        if k / it.fps >= it.duration - 1e-6:
            break
    assert kept.base is not None and said == [(round(r.time * it.fps), r.text) for r in got]
    assert said  # it did speak
    with pytest.raises(RuntimeError, match="no_more_queries"):
        dropped.add_query(q)


def test_grpo_task_weights_set_the_rl_mix_and_leave_an_unweighted_run_as_it_was():
    """``task_weights`` scale each question's chance by its task's weight: GP at 3 against five other tasks at 1 is
    3/8 of the draws; a weight of 0 never draws the task; no weights is numpy's uniform draw, the same indices as
    before the setting existed; too few drawable questions for a step is refused in one line."""
    from types import SimpleNamespace

    from streampro.core.errors import InputError
    from streampro.train.grpo import draw_chances

    items = [SimpleNamespace(task=t) for t in ("EU", "OU", "AA", "TP", "TG", "GP") for _ in range(50)]
    assert draw_chances(items, {}, 8, "x") is None
    before = np.random.default_rng([0, 7]).choice(len(items), 8, replace=False)
    assert (np.random.default_rng([0, 7]).choice(len(items), 8, replace=False, p=None) == before).all()
    drawn = [items[i].task for step in range(400) for i in np.random.default_rng([0, step]).choice(
        len(items), 8, replace=False, p=draw_chances(items, {"GP": 3}, 8, "x"))]
    assert abs(drawn.count("GP") / len(drawn) - 3 / 8) < 0.03, drawn.count("GP") / len(drawn)
    chances = draw_chances(items, {"TG": 0}, 8, "x")
    assert chances[[i for i, it in enumerate(items) if it.task == "TG"]].sum() == 0
    with pytest.raises(InputError, match="leave 50 questions of x with a chance to be drawn, fewer than items_per_step 64"):
        draw_chances(items, {t: 0 for t in ("EU", "OU", "AA", "TP", "TG")}, 64, "x")
