"""The world's ground truth, checked by replaying the simulator independently of the generator."""

import numpy as np

from streampro.bench.video import decode_video
from streampro.world.generate import SPLIT_OFFSET, generate_split, scene_seed
from streampro.world.render import quadrant_center
from streampro.world.scene import COLORS, QUADRANTS
from streampro.world.tasks import ALL_TASKS, WorldConfig, make_scene_items


def test_every_task_balanced_and_proactive_timing(small_items):
    counts = {t: sum(i.task == t for i in small_items) for t in ALL_TASKS}
    assert set(counts.values()) == {4}
    for it in small_items:
        assert it.query_time <= (it.decidable_time or it.query_time)
        if it.dimension == "proactive":
            assert it.query_time <= it.decidable_time < it.outcome_time <= it.duration


def _scene_for(item):
    scene, specs = make_scene_items(item.task, item.meta["scene_seed"], WorldConfig())
    return scene, specs


def test_replayed_state_confirms_answers(small_items):
    for it in small_items:
        scene, _ = _scene_for(it)
        tr = scene.traj
        q = it.meta["query_frame"]
        if it.task == "count_on_screen":
            assert int(it.answer) == len(scene.visible_bodies(q))
        elif it.task == "appear_color":
            b = next(b for b in scene.bodies if b.appear == q)
            assert it.answer == b.color_at(q)
        elif it.task == "collision_first":
            k, j = tr.contact[0]
            assert k == it.meta["outcome_frame"] and scene.bodies[j].name == it.answer
            # at the outcome frame the ball touches its target
            assert np.hypot(*(tr.pos[k, 0] - tr.pos[k, j])) <= scene.bodies[0].radius + scene.bodies[j].radius
        elif it.task == "race_winner":
            arrive = [np.nonzero(tr.pos[:, i, 0] + scene.bodies[i].radius >= scene.finish_x)[0] for i in range(4)]
            arrive = [a[0] if len(a) else np.inf for a in arrive]
            first = int(np.argmin(arrive))
            assert scene.bodies[first].name == it.answer and arrive[first] == it.meta["outcome_frame"]
            assert sorted(arrive)[1] > arrive[first]  # no tie
        elif it.task == "blink_next":
            flashes = scene.blinker.flash_frames(scene.n_frames)
            assert flashes[5] == it.meta["outcome_frame"] and flashes[2] == it.meta["decidable_frame"]
            assert QUADRANTS[scene.blinker.quadrant_of_flash(5)] == it.answer


def test_pixels_show_the_ground_truth(small_items):
    """The decoded mp4 shows the blinker where the answer says, at the outcome frame."""
    it = next(i for i in small_items if i.task == "blink_next")
    frames, times = decode_video(it.video)
    k = it.meta["outcome_frame"]
    x, y = quadrant_center(QUADRANTS.index(it.answer), frames.shape[1])
    assert frames[k, int(y), int(x)].min() > 200  # white flash
    assert len(frames) == round(it.duration * it.fps)
    it = next(i for i in small_items if i.task == "appear_color")
    scene, _ = _scene_for(it)
    b = next(i for i, b in enumerate(scene.bodies) if b.appear == it.meta["query_frame"])
    px = decode_video(it.video)[0]
    cx, cy = scene.traj.pos[it.meta["query_frame"], b]
    got = px[it.meta["query_frame"], int(cy), int(cx)].astype(int)
    want = np.array(COLORS[it.answer])
    assert np.abs(got - want).max() < 60


def test_splits_are_disjoint_and_reproducible(tmp_path):
    seeds = {s: {scene_seed(s, sd, i) for sd in range(3) for i in range(500)} for s in SPLIT_OFFSET}
    assert not (seeds["train"] & seeds["val"]) and not (seeds["train"] & seeds["test"]) and not (seeds["val"] & seeds["test"])
    a = generate_split(tmp_path / "a", "val", 12, seed=3, progress=False)
    b = generate_split(tmp_path / "b", "val", 12, seed=3, progress=False)
    assert [x.to_json() | {"video": ""} for x in a] == [x.to_json() | {"video": ""} for x in b]
    assert (tmp_path / "a" / "items.jsonl").read_text() == (tmp_path / "b" / "items.jsonl").read_text()


def test_answers_are_not_degenerate(tmp_path):
    """Every task's answers spread over several options (a constant answer would be learnable blind)."""
    items = generate_split(tmp_path, "train", 180, seed=1, progress=False)
    for task in ALL_TASKS:
        answers = [i.answer for i in items if i.task == task]
        assert len(set(answers)) >= 3, (task, answers)


def test_bounce_count_matches_reflections():
    scene, specs = make_scene_items("bounce_count", 123, WorldConfig())
    tr = scene.traj
    for i, b in enumerate(scene.bodies):
        moved = np.diff(tr.pos[:, i], axis=0)
        flips = (np.sign(moved[1:]) != np.sign(moved[:-1])) & (np.abs(moved[:-1]) > 1e-9) & (np.abs(moved[1:]) > 1e-9)
        visible = [k for k in range(scene.n_frames) if b.visible(k)]
        if len(visible) == scene.n_frames and not b.kicks:
            # each direction flip of x or y between consecutive steps is one bounce (corners counted once)
            assert tr.bounces[-1, i] >= flips.any(axis=1).sum() - 1
            assert tr.bounces[-1, i] > 0 or not flips.any()
