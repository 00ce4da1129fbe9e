"""Perception pretraining of StreamPro-Small's frame encoder from the simulator's frame state, and the
frozen-encoder feature cache SFT then reads from."""

from __future__ import annotations

import json

import numpy as np
import pytest
import torch

from streampro.train.perception import CLASSES, PerceptionConfig, frame_targets, pretrain_perception, scene_of
from streampro.train.sft import SFTConfig, prepare_corpus, train_sft
from streampro.train.trajectory import collate
from streampro.world.scene import Body, Scene


def test_frame_targets_put_each_object_in_its_cell_with_its_offset():
    scene = Scene(seed=0, fps=1.0, n_frames=2, size=64, bodies=[
        Body("circle", "red", 4, x=10, y=50, vx=30, vy=0),  # bottom left, then bottom right
        Body("square", "blue", 4, x=40, y=8, appear=1)])  # top right from frame 1
    presence, offset = frame_targets(scene, grid=2)
    red, blue = CLASSES.index(("red", "circle")), CLASSES.index(("blue", "square"))
    assert presence.shape == (2, 4, 32) and presence.sum() == 3
    assert presence[0, 2, red] == 1 and offset[0, 2, red].tolist() == pytest.approx([10 / 32, 18 / 32])
    assert presence[1, 3, red] == 1 and offset[1, 3, red].tolist() == pytest.approx([8 / 32, 18 / 32])
    assert presence[0, 1].sum() == 0 and presence[1, 1, blue] == 1


def test_pretrained_encoder_reads_the_world_and_sft_reads_its_cached_features(small_bench, small_items, tmp_path):
    assert scene_of(small_items[0]).n_frames == round(small_items[0].duration * small_items[0].fps)
    final = pretrain_perception(PerceptionConfig(train=str(small_bench), val=str(small_bench), out=str(tmp_path / "p"),
                                                 steps=60, batch_size=64), progress=False)
    report = json.loads((tmp_path / "p" / "probe.json").read_text())
    assert report["log"][-1]["loss"] < report["log"][0]["loss"]
    assert report["val"]["colour_f1"] > 0.3 and report["val"]["objects"] > 100
    assert {"object_f1", "shape_f1", "frame_exact", "position_err_px"} <= set(report["val"])
    # final/ is swapped in whole (no final.tmp left), and a rerun of the finished stage reuses it untouched
    assert not (tmp_path / "p" / "final.tmp").exists()
    kept = {p.name: p.read_bytes() for p in [tmp_path / "p" / "probe.json", *final.iterdir()]}
    assert pretrain_perception(PerceptionConfig(train=str(small_bench), val=str(small_bench), out=str(tmp_path / "p"),
                                                steps=60, batch_size=64), progress=False) == final
    assert {p.name: p.read_bytes() for p in [tmp_path / "p" / "probe.json", *final.iterdir()]} == kept
    # SFT from it with the encoder frozen: trajectories carry cached features, which give exactly the
    # logits of running the encoder on the pixels; the encoder's weights do not move
    cfg = SFTConfig(base=f"small:{final}", train=str(small_bench), out=str(tmp_path / "sft"), steps=3, batch_size=4,
                    freeze_encoder=True, save_every=1000)
    _, policy, trajs = prepare_corpus(cfg)
    assert trajs[0].frames.dtype == np.float32 and trajs[0].frames.shape[1:] == (4, policy.cfg.d_model)
    _, pixel_policy, pixel_trajs = prepare_corpus(SFTConfig(base=f"small:{final}", train=str(small_bench)))
    b, pb = collate(policy.cfg, trajs[:2]), collate(policy.cfg, pixel_trajs[:2])
    with torch.no_grad():
        assert torch.allclose(policy.eval()(b.tokens, b.is_visual, b.frames),
                              pixel_policy.eval()(pb.tokens, pb.is_visual, pb.frames), atol=1e-5)
    before = {k: v.clone() for k, v in policy.encoder.state_dict().items()}
    trained = train_sft(cfg, progress=False)
    from streampro.models.small import StreamProSmall

    after = StreamProSmall.from_pretrained(trained).encoder.state_dict()
    assert all(torch.equal(before[k], after[k]) for k in before)
    info = json.loads((tmp_path / "sft" / "run.json").read_text())
    assert info["trainable_params"] < info["params"] and info["steps_per_s"] > 0
    # the grounding settings of issue 18 round 7 on the same checkpoint: a projector and the motion term added to
    # it, and the auxiliary motion target, whose loss falls; its head is the trainer's, not in final/
    aux = SFTConfig(base=f"small:{final}", train=str(small_bench), out=str(tmp_path / "aux"), steps=40, batch_size=4,
                    freeze_encoder=True, save_every=1000, log_every=1, motion_aux=1.0,
                    model={"projector": True, "motion": True})
    model = StreamProSmall.from_pretrained(train_sft(aux, progress=False))
    assert model.cfg.projector and model.cfg.motion
    motion = [json.loads(line)["motion"] for line in (tmp_path / "aux" / "log.jsonl").read_text().splitlines()]
    assert len(motion) == 40 and np.mean(motion[-10:]) < np.mean(motion[:5])
