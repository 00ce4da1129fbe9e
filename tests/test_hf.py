"""The Hugging Face adapter on tiny randomly initialised Qwen2.5-VL and Qwen3-VL models (same
architectures, offline): every test runs on both."""

import numpy as np
import pytest
import torch

from streampro.data.video import Frame
from streampro.models.base import Query, StreamInfo
from streampro.models.hf import HFPolicy, HFStreamingModel, tiny_vlm
from streampro.train.grpo import group_advantages, grpo_loss, token_logprobs
from streampro.train.losses import stream_loss
from streampro.train.rewards import compute_rewards
from streampro.train.trajectory import build_trajectory, collate, item_frames, load_frames, sft_trajectory

pytest.importorskip("transformers")


FRAME_SIZE = {"qwen2_5_vl": 56, "qwen3_vl": 64}  # 2x2 merged patches: 14-px patches for 2.5, 16-px for 3


@pytest.fixture(scope="module", params=list(FRAME_SIZE))
def arch(request):
    return request.param


@pytest.fixture(scope="module")
def fs(arch):
    return FRAME_SIZE[arch]


@pytest.fixture(scope="module")
def tiny(tmp_path_factory, arch):
    d = tmp_path_factory.mktemp(arch)
    tiny_vlm(arch, d)
    return d


def frames(n, size=56, seed=0):
    return np.random.default_rng(seed).integers(0, 255, (n, size, size, 3), dtype=np.uint8)


def test_stream_reuses_cache_and_matches_full_prefill(tiny, fs, small_items):
    """A generated mp4 (64 px, resized to the model's frame size like the Qwen processor would) streamed
    frame by frame gives the logits of one full prefill (Qwen3-VL: its DeepStack features included)."""
    from streampro.data.video import decode_video

    m = HFStreamingModel.from_pretrained(str(tiny), frame_size=fs)
    fr = decode_video(small_items[0].video)[0][:5]
    assert fr.shape == (5, 64, 64, 3)
    m.reset(StreamInfo("v", 2, 3))
    lens = [m.base.length]
    labels = [m.label_ids(Frame(k, k / 2, fr[k])) for k in range(5)]
    assert m.tokenizer.decode(labels[1]).replace(" ", "") == "<0.5s-1s>"  # the paper's <Xs-Ys> frame label
    for k in range(4):
        m.step(Frame(k, k / 2, fr[k]))
        lens.append(m.base.length)
    # one frame = its label + vision_start + 4 merged patches + vision_end
    assert np.diff(lens).tolist() == [6 + len(labels[k]) for k in range(4)]
    pv, g = m.encode_frame(fr[4])
    streamed = m._frame(m.base, pv, g, label=labels[4])
    ids = m.tokenizer.encode(m.cfg.system_prompt, add_special_tokens=False)
    pvs, grids = [], []
    for k in range(5):
        p, gg = m.encode_frame(fr[k])
        pvs.append(p)
        grids.append(gg)
        ids += labels[k] + [m.vs_id] + [m.video_id] * 4 + [m.ve_id]
    inp = torch.tensor([ids])
    with torch.no_grad():
        full = m.model(input_ids=inp, pixel_values_videos=torch.cat(pvs), video_grid_thw=torch.cat(grids),
                       mm_token_type_ids=(inp == m.video_id).int() * 2).logits[0, -1]
    assert torch.allclose(streamed, full, atol=1e-4)


def test_window_bounds_memory_and_queries_stream(tiny, fs):
    m = HFStreamingModel.from_pretrained(str(tiny), frame_size=fs, window_frames=3, max_new_tokens=3)
    m.reset(StreamInfo("v", 2, 10))
    m.add_query(Query("q", "Which object will the red circle hit first?", ("red square", "blue diamond"), 0.0))
    prefix = m.streams["q"].length
    lengths, spoke = [], []
    for k, f in enumerate(frames(12)):
        spoke += m.step(Frame(k, k / 2, f))
        lengths.append(m.streams["q"].length)
    turn = 6 + 12 + 1 + 3  # frame chunk + its label (at most 12 tokens) + decision + at most 3 answer tokens
    assert max(lengths) <= prefix + 3 * turn  # bounded: whole old turns are evicted, prompt and query kept
    assert len(m.base.frame_spans) == 3 and m.base.length == m.base.frame_spans[-1][1]
    assert all(r.query_id == "q" for r in spoke)
    assert isinstance(m.answer_now(Query("q2", "How many objects are on screen now?", ("1", "2"), 4.0)), str)
    # the vision tower runs once per frame, shared by the base stream and every open query
    m.add_query(Query("q3", "How many objects are on screen now?", ("1", "2"), 6.0))
    calls, encode = [], m._video_features
    m._video_features = lambda *a, **k: calls.append(1) or encode(*a, **k)
    for k, f in enumerate(frames(3, seed=1)):
        m.step(Frame(12 + k, 6 + k / 2, f))
    assert len(calls) == 3 and len(m.streams) == 2


def test_sft_and_grpo_steps_on_hf_policy(tiny, fs, small_items):
    from transformers import AutoModelForImageTextToText, AutoTokenizer

    torch.manual_seed(0)
    policy = HFPolicy(AutoModelForImageTextToText.from_pretrained(str(tiny)), AutoTokenizer.from_pretrained(str(tiny)),
                      frame_size=fs)
    cfg = policy.cfg
    from streampro.train.protocols import Policy, TokenLayout

    assert isinstance(policy, Policy) and isinstance(cfg, TokenLayout)  # the trainers' seams, no inheritance
    items = [i for i in small_items if i.dimension == "proactive"][:2]
    fr = load_frames(items, fs)
    trajs = [sft_trajectory(cfg, policy.tokenizer, it, fr[it.video]) for it in items]
    batch = collate(cfg, trajs)
    opt = torch.optim.AdamW(policy.parameters(), lr=3e-3)
    losses = []
    for _ in range(4):  # CB-Stream SFT steps
        parts = stream_loss(policy(batch.tokens, batch.is_visual, batch.frames), batch.labels, batch.kind,
                            cfg.silence_id, cfg.respond_id, "cb")
        opt.zero_grad()
        parts["loss"].backward()
        opt.step()
        losses.append(parts["loss"].item())
    assert losses[-1] < losses[0] and all(np.isfinite(losses))
    # GRPO step: a group of two rollouts of one item (respond right / respond wrong at the same frame)
    it = items[0]
    q, close = item_frames(it)
    target = round(it.answers[0].time * it.fps)
    qids = cfg.query_ids(policy.tokenizer, it.question, ())
    wrong = "something else entirely"
    rolls, rewards = [], []
    for text in (it.answers[0].text, wrong):
        acts = {target: [cfg.respond_id, *policy.tokenizer.encode(text).ids, cfg.eos_id]}
        rolls.append(build_trajectory(cfg, it.id, fr[it.video], q, qids, acts, close, policy.tokenizer, it.fps))
        from streampro.models.base import Response

        steps = [acts.get(k, [cfg.silence_id]) for k in range(q, close + 1)]
        rewards.append(compute_rewards(it, [Response(it.id, text, it.answers[0].time)], steps,
                                       (cfg.silence_id, cfg.respond_id, cfg.eos_id))[0])
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


def test_hf_rollout_layout_matches_the_training_forward(tiny, fs, small_items):
    """A streamed rollout, laid out as a training trajectory, gets the same decision probabilities from
    the full-sequence HFPolicy forward as the streamer had frame by frame (preamble, query text, frame
    chunks, answers and their stop tokens all in the same places): GRPO's ratios start at 1."""
    from transformers import AutoModelForImageTextToText, AutoTokenizer

    from streampro.bench.protocol import StreamQuery, run_stream
    from streampro.train.trajectory import KIND_DECISION

    policy = HFPolicy(AutoModelForImageTextToText.from_pretrained(str(tiny)), AutoTokenizer.from_pretrained(str(tiny)),
                      frame_size=fs)
    it = next(i for i in small_items if i.dimension == "proactive")
    fr = load_frames([it], fs)[it.video]
    cfg = policy.cfg
    for every_token_stops in (False, True):
        streamer = policy.streamer(respond_threshold=0.0, max_new_tokens=3)  # speaks after every frame
        if every_token_stops:  # answers end with a stop token, which the layout keeps in context
            streamer.stop_ids = set(range(policy.model.config.text_config.vocab_size)) - set(streamer.banned.tolist())
        q = Query(it.id, it.question, (), it.query_time, it.task)
        frames_iter = (Frame(k, k / it.fps, fr[k]) for k in range(len(fr)))
        got = run_stream(streamer, it.video, it.fps, it.duration, [StreamQuery(q, it.duration)], frames=frames_iter)
        trace = streamer.trace[it.id]
        assert len(got[it.id]) == len(trace) >= 3 and all(len(a) > 1 for _, a in trace)
        assert all(a[-1] in streamer.stop_ids for _, a in trace) == every_token_stops
        traj = build_trajectory(cfg, it.id, fr, item_frames(it)[0],
                                cfg.query_ids(policy.tokenizer, it.question, ()), dict(trace), trace[-1][0],
                                policy.tokenizer, it.fps)
        b = collate(cfg, [traj])
        with torch.no_grad():
            logits = policy(b.tokens, b.is_visual, b.frames)[0]
        at = (b.kind[0] == KIND_DECISION).nonzero().flatten()
        p = torch.softmax(logits[at][:, [cfg.silence_id, cfg.respond_id]], -1)[:, 1]
        assert torch.allclose(p, torch.tensor(streamer.respond_p[it.id]), atol=1e-4)


def test_hf_streamer_drops_its_base_stream_after_the_last_query_without_changing_a_decision(tiny, fs, small_items):
    """Told that no query can come (``no_more_queries``, as the runner does after posting the last one) the
    adapter stops feeding its base stream, one LLM pass per frame fewer; the sampled decisions, answers and
    their probabilities are those of a streamer that kept it, and a later query is refused."""
    from transformers import AutoModelForImageTextToText, AutoTokenizer

    from streampro.bench.protocol import StreamQuery, run_stream

    policy = HFPolicy(AutoModelForImageTextToText.from_pretrained(str(tiny)), AutoTokenizer.from_pretrained(str(tiny)),
                      frame_size=fs)
    it = next(i for i in small_items if i.query_time > 0)
    fr = load_frames([it], fs)[it.video]
    q = Query(it.id, it.question, (), it.query_time, it.task)
    dropped = policy.streamer(sample=True, seed=3, max_new_tokens=3)
    run_stream(dropped, it.video, it.fps, it.duration, [StreamQuery(q, it.duration)],
               frames=[Frame(k, k / it.fps, fr[k]) for k in range(len(fr))])
    assert dropped.base is None
    kept = policy.streamer(sample=True, seed=3, max_new_tokens=3)
    kept.reset(StreamInfo(it.video, it.fps, it.duration))
    for k in range(len(dropped.trace[it.id]) + round(it.query_time * it.fps)):
        if k == round(it.query_time * it.fps):
            kept.add_query(q)
        kept.step(Frame(k, k / it.fps, fr[k]))
    assert kept.base is not None and kept.trace[it.id] == dropped.trace[it.id]
    assert np.allclose(kept.respond_p[it.id], dropped.respond_p[it.id], atol=1e-6)
    with pytest.raises(RuntimeError, match="no_more_queries"):
        dropped.answer_now(q)


def test_full_vocabulary_decisions_can_be_malformed_and_fail_the_format_reward(tiny, fs, small_items):
    """decision_sampling="full" draws the per-frame decision from the whole vocabulary (the paper's policy);
    an untrained model then mostly draws other tokens: those frames stay silent and score 0 in R_format.
    The default (pair) only ever draws </Silence> or </Response>."""
    from transformers import AutoModelForImageTextToText, AutoTokenizer

    from streampro.bench.protocol import StreamQuery, run_stream
    from streampro.train.rewards import r_format

    policy = HFPolicy(AutoModelForImageTextToText.from_pretrained(str(tiny)), AutoTokenizer.from_pretrained(str(tiny)),
                      frame_size=fs)
    it = next(i for i in small_items if i.dimension == "proactive")
    fr = load_frames([it], fs)[it.video]
    cfg = policy.cfg
    pair = {cfg.silence_id, cfg.respond_id}
    q = Query(it.id, it.question, (), it.query_time, it.task)
    traces = {}
    for mode in ("pair", "full"):
        streamer = policy.streamer(sample=True, seed=0, max_new_tokens=3, decision_sampling=mode)
        got = run_stream(streamer, it.video, it.fps, it.duration, [StreamQuery(q, it.duration)],
                         frames=(Frame(k, k / it.fps, fr[k]) for k in range(len(fr))))
        traces[mode] = [a for _, a in streamer.trace[it.id]]
        # a response only where the decision was </Response>
        assert len(got[it.id]) == sum(a[0] == cfg.respond_id for a in traces[mode])
    assert all(a[0] in pair for a in traces["pair"])
    bad = [a for a in traces["full"] if a[0] not in pair]
    assert bad and all(len(a) == 1 for a in bad)  # a malformed decision is the whole step
    fmt = r_format(traces["full"], cfg.silence_id, cfg.respond_id, cfg.eos_id)
    assert fmt <= 1 - len(bad) / len(traces["full"])
    with pytest.raises(ValueError, match="decision_sampling"):
        policy.streamer(decision_sampling="vocab")


def test_cli_trains_an_hf_model_sft_then_grpo_then_evaluates_it(tiny, fs, small_bench, tmp_path):
    """`streampro train sft --base hf:...` -> `train grpo --init <its final>` -> `eval --model hf:...`,
    on the tiny Qwen2.5-VL: the saved model carries its stream settings and the added tokens."""
    import json

    from typer.testing import CliRunner

    from streampro.cli import app

    run = CliRunner().invoke
    sft = tmp_path / "sft"
    r = run(app, ["train", "sft", "--base", f"hf:{tiny}", "--frame-size", str(fs), "--train", str(small_bench),
                  "--out", str(sft), "--steps", "3", "--batch-size", "2", "--lr", "1e-3"])
    assert r.exit_code == 0, r.output
    info = json.loads((sft / "run.json").read_text())
    assert info["model"]["image_size"] == fs and info["config"]["lr"] == 1e-3  # --lr given: kept
    # the vision tower is frozen by default (the paper trains the projector and the LLM); its projector trains
    from streampro.models.hf import is_vision_tower

    policy = HFPolicy.from_pretrained(str(tiny))
    frozen = sum(p.numel() for n, p in policy.model.named_parameters() if is_vision_tower(n))
    assert frozen > 0 and info["trainable_params"] == info["params"] - frozen
    assert all(p.requires_grad for n, p in policy.model.named_parameters() if "merger" in n)
    r = run(app, ["train", "sft", "--base", f"hf:{tiny}", "--frame-size", str(fs), "--train", str(small_bench),
                  "--out", str(tmp_path / "sft_vis"), "--steps", "1", "--batch-size", "2", "--train-vision"])
    assert r.exit_code == 0, r.output
    vis = json.loads((tmp_path / "sft_vis" / "run.json").read_text())
    assert vis["trainable_params"] == vis["params"] and vis["config"]["lr"] == 1e-5  # no config: the paper's lr
    assert json.loads((sft / "final" / "streampro.json").read_text())["frame_size"] == fs
    losses = [json.loads(line)["loss"] for line in (sft / "log.jsonl").read_text().splitlines()]
    assert all(np.isfinite(losses))
    grpo = tmp_path / "grpo"
    r = run(app, ["train", "grpo", "--init", str(sft / "final"), "--train", str(small_bench), "--out", str(grpo),
                  "--steps", "1", "--group-size", "2", "--items-per-step", "2"])
    assert r.exit_code == 0, r.output
    assert json.loads((grpo / "run.json").read_text())["config"]["lr"] == 1e-6  # an HF init: the paper's GRPO lr
    log = json.loads((grpo / "log.jsonl").read_text().splitlines()[0])
    assert np.isfinite(log["loss"]) and {"reward/format", "reward/turn", "reward/traj"} <= set(log)
    r = run(app, ["eval", "--model", f"hf:{grpo / 'final'}", "--bench", str(small_bench), "--out", str(tmp_path / "ev"),
                  "--no-report", "--model-args", "window_frames=4,respond_threshold=0.4,max_new_tokens=4"])
    assert r.exit_code == 0, r.output
    r = run(app, ["eval", "--model", f"hf:{grpo / 'final'}", "--bench", str(small_bench), "--out", str(tmp_path / "e2"),
                  "--model-args", "windw=4"])
    assert r.exit_code == 2 and "unexpected keyword argument 'windw'" in r.output
    assert json.loads((tmp_path / "ev" / "summary.json").read_text())["f1"]["n"] == 42
    # LoRA: only adapters and the added tokens' rows train; the saved model is a plain merged one
    r = run(app, ["train", "sft", "--base", f"hf:{tiny}", "--frame-size", str(fs), "--train", str(small_bench),
                  "--out", str(tmp_path / "lora"), "--steps", "2", "--batch-size", "2", "--lora-r", "4"])
    assert r.exit_code == 0, r.output
    info = json.loads((tmp_path / "lora" / "run.json").read_text())
    assert 0 < info["trainable_params"] < info["params"] / 20
    merged = HFStreamingModel.from_pretrained(str(tmp_path / "lora" / "final"))
    assert not hasattr(merged.model, "peft_config") and merged.cfg.frame_size == fs


def test_frames_are_encoded_exactly_as_the_qwen_image_processor_does():
    """Resize (aspect kept, fixed pixel budget, up or down) + normalisation + patch layout equal the
    official processor's pixel values: Qwen2/2.5-VL's settings (14-px patches, CLIP mean/std) and
    Qwen3-VL's (16-px patches, mean = std = 0.5, as its preprocessor_config.json sets them)."""
    from PIL import Image
    from transformers import Qwen2_5_VLConfig, Qwen3VLConfig
    from transformers.models.qwen2_vl.image_processing_pil_qwen2_vl import Qwen2VLImageProcessorPil

    from streampro.models.hf import patchify, pixel_norm, qwen_resize

    frame_size = 128
    rng = np.random.default_rng(0)
    for config, patch, extra in [(Qwen2_5_VLConfig(), 14, {}),
                                 (Qwen3VLConfig(), 16, {"image_mean": [0.5] * 3, "image_std": [0.5] * 3})]:
        proc = Qwen2VLImageProcessorPil(min_pixels=frame_size * frame_size, max_pixels=frame_size * frame_size,
                                        patch_size=patch, **extra)
        for h, w in [(56, 56), (64, 64), (90, 160), (300, 200)]:
            f = rng.integers(0, 255, (h, w, 3), dtype=np.uint8)
            ref = proc(images=[Image.fromarray(f)], return_tensors="pt")
            pv, grid = patchify(qwen_resize(f, frame_size, patch * 2)[None], patch, 2, 2, pixel_norm(config))
            assert grid.tolist() == ref["image_grid_thw"].tolist()
            assert torch.allclose(pv, ref["pixel_values"], atol=1e-5)


def test_offline_decision_tree_protocol_equals_reprefilling_the_clip(tiny, fs, small_items):
    """`hf-offline:` asks the decision-tree prompt after every frame from the query on; decoding on a
    fork of the frame cache gives the same reply as a fresh pass over [system, frames so far, prompt]."""
    from streampro.bench.evaluate import item_query
    from streampro.bench.protocol import StreamQuery, run_stream
    from streampro.models.hf import HFOfflineModel
    from streampro.models.registry import build_model

    m = build_model(f"hf-offline:{tiny}", frame_size=fs, max_new_tokens=3)
    assert isinstance(m, HFOfflineModel) and "Wait" in m.prompt
    it = small_items[0]
    fr = load_frames([it], fs)[it.video]
    asked = []
    gen = m.vlm._generate
    m.vlm._generate = lambda s, logits, **kw: (asked.append(s.length), gen(s, logits, **kw))[1]
    got = run_stream(m, it.video, it.fps, it.duration, [StreamQuery(item_query(it), it.duration)],
                     frames=(Frame(k, k / it.fps, fr[k]) for k in range(len(fr))))
    q = round(it.query_time * it.fps)
    assert len(asked) == len(fr) - q  # one decision-tree prompt per frame after the query
    texts = [r.text for r in got[it.id]]
    assert all(t and not t.lower().startswith("wait") for t in texts)
    assert all(a != b for a, b in zip(texts, texts[1:], strict=False))  # only changed answers are spoken
    # the reply after the last frame, from scratch: same tokens
    fresh = HFOfflineModel(m.vlm.model, m.vlm.tokenizer, m.vlm.cfg).vlm
    fresh.reset(StreamInfo(it.video, it.fps, it.duration))
    for k in range(len(fr)):
        pixels, grid = fresh.encode_frame(fr[k])
        fresh._frame(fresh.base, pixels, grid, label=fresh.label_ids(Frame(k, k / it.fps, fr[k])))
    ids = fresh.tokenizer.encode(m.prompt.format(question=it.question, last=m.last[it.id] or "none"),
                                 add_special_tokens=False)
    s = fresh.base.fork()
    want = fresh._generate(s, fresh._text(s, ids))[0].strip()
    s2 = m.vlm.base.fork()
    assert m.vlm._generate(s2, m.vlm._text(s2, ids))[0].strip() == want


def test_served_hf_model_speaks_exactly_as_offline(tiny, fs, small_items):
    """`streampro serve`/`watch` run an `hf:` model through the engine (a spawned streamer per session,
    sharing the weights): the responses equal stepping the model directly."""
    from streampro.serve.engine import Engine
    from streampro.serve.watch import watch_local

    question = "Tell me each time the red square changes colour"
    m = HFStreamingModel.from_pretrained(str(tiny), frame_size=fs, max_new_tokens=2, respond_threshold=0.0)
    it = small_items[0]
    fr = load_frames([it], fs)[it.video][:6]
    off = m.spawn()
    off.reset(StreamInfo("v", 1.0, len(fr)))
    off.add_query(Query("q0", question))
    said = [(float(k), r) for k in range(len(fr)) for r in off.step(Frame(k, float(k), fr[k]))]
    want = [(t, r.text) for t, r in said]
    assert len(want) == len(fr)  # threshold 0: it speaks after every frame
    # an answer that ran into max_new_tokens (2) before a stop token is marked cut, one that stopped is not
    assert [r.cut for _, r in said] == [actions[-1] not in off.stop_ids for _, actions in off.trace["q0"]]
    engine = Engine(m)
    got = []
    try:
        stats = watch_local(engine, (Frame(k, float(k), fr[k]) for k in range(len(fr))), [question],
                            lambda ev: ev["type"] == "response" and got.append((ev["t"], ev["text"])))
    finally:
        engine.shutdown()
    assert got == want and stats["stepped"] == len(fr) and stats["dropped"] == 0
    assert m.trace == {} and off.trace["q0"]  # the served copy keeps no GRPO trace; the prototype is untouched


def test_a_local_vlm_folder_serves_the_data_pipeline(tiny, fs, small_items, tmp_path):
    """`data build --vlm PATH`: a local Qwen-VL folder answers a prompt about frames through the streaming
    adapter; an untrained model's reply is not the JSON asked for, so the call is retried, then recorded as a
    failure instead of crashing (the pipeline's contract for every backend)."""
    from streampro.data.calls import CallCache, Caller, CallFailure, LocalVLMChat
    from streampro.data.frames import sample_frames
    from streampro.data.replies import Captions

    it = small_items[0]
    frames = sample_frames(it.video, fps=1.0, frame_size=fs)
    vlm = LocalVLMChat(str(tiny), max_new_tokens=4, frame_size=fs)
    reply = vlm("Describe the video.", frames.jpegs[:3])
    assert isinstance(reply, str)
    got = Caller(vlm, CallCache(tmp_path / "calls.jsonl"), retries=1).ask("Caption these frames.", Captions,
                                                                          frames.jpegs[:3])
    assert isinstance(got, CallFailure) and len(got.replies) == 2
