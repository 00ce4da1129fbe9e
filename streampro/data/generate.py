"""Write a seeded benchmark split: one mp4 per scene plus ``items.jsonl`` in the benchmark format.

Scene seeds are ``SPLIT_OFFSET[split] + seed * 1_000_000 + i``: the splits' seed ranges are
disjoint by construction, so no scene can appear in two splits.
"""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path

import av
from tqdm import tqdm

from ..world.config import WorldConfig
from ..world.render import render_scene
from .schema import Item, validate_record, write_items
from .video import write_video
from .world_items import ALL_TASKS, WORLD_TASKS, make_scene_items

SPLIT_OFFSET = {"train": 0, "val": 100_000_000, "test": 200_000_000}


def scene_seed(split: str, seed: int, i: int) -> int:
    if split not in SPLIT_OFFSET:
        raise ValueError(f"unknown split {split!r}; expected one of {list(SPLIT_OFFSET)}")
    if not 0 <= seed < 100 or not 0 <= i < 1_000_000:
        raise ValueError("seed must be in [0, 100) and the scene index below 1e6")
    return SPLIT_OFFSET[split] + seed * 1_000_000 + i


def _frame_count(path: Path) -> int:
    """Frames in an existing video (0 if unreadable), to decide whether a resumed run can keep it."""
    try:
        with av.open(str(path)) as c:
            return sum(1 for _ in c.decode(video=0))
    except (av.error.FFmpegError, OSError):
        return 0


def world_meta(cfg: WorldConfig) -> dict:
    """The world settings that differ from the defaults, kept in each item's ``meta["world"]`` so that the
    scene behind a video can be simulated again (stage-0 targets, the motion target) with the settings that
    made it. Empty for the default world, whose items stay as they always were."""
    default = asdict(WorldConfig())
    return {k: v for k, v in asdict(cfg).items() if k != "fps" and v != default[k]}


def _check_same_world(out: Path, cfg: WorldConfig, split: str, seed: int, tasks: tuple[str, ...]) -> None:
    """A split folder belongs to one world and one split: its kept videos were rendered with the settings in
    its manifest (a same-length video of another world would be silently reused), and a rerun with another
    split, seed or task list would replace its questions (e.g. captioning data generated into a train folder)."""
    manifest = out / "manifest.json"
    if not manifest.exists():
        return
    try:
        meta = json.loads(manifest.read_text())
        had = meta.get("world")
    except (json.JSONDecodeError, AttributeError):
        return
    was = {k: meta.get(k) for k in ("split", "seed", "tasks")}
    now = {"split": split, "seed": seed, "tasks": list(tasks)}
    if all(v is not None for v in was.values()) and was != now:
        raise ValueError(f"{out} holds a split generated with {was}, not {now}; choose another --out (a rerun "
                         "there would replace its questions) or delete that folder")
    if isinstance(had, dict) and {**asdict(WorldConfig()), **had} != asdict(cfg):
        raise ValueError(f"{out} holds a split generated with world settings {had}, not {asdict(cfg)}; "
                         "choose another --out or delete that folder")


def generate_split(out_dir: str | Path, split: str = "test", n_items: int = 70, seed: int = 0,
                   cfg: WorldConfig | None = None, tasks: tuple[str, ...] = ALL_TASKS,
                   progress: bool = True) -> list[Item]:
    """Generate ``n_items`` questions into ``out_dir``, the least represented task next, so tasks stay
    balanced. A scene may carry a second question (an EU scene a TG one) while that task is under quota.

    Re-running with the same arguments reproduces byte-identical annotations; videos that already
    exist with the right frame count are kept, so an interrupted generation resumes where it stopped.
    """
    cfg = cfg or WorldConfig()
    unknown = set(tasks) - set(WORLD_TASKS)
    if unknown:
        raise ValueError(f"unknown task(s) {sorted(unknown)}; world tasks: {list(WORLD_TASKS)}")
    out = Path(out_dir)
    _check_same_world(out, cfg, split, seed, tuple(tasks))
    world = world_meta(cfg)
    (out / "videos").mkdir(parents=True, exist_ok=True)
    items: list[Item] = []
    per_task = dict.fromkeys(tasks, 0)
    quota = -(-n_items // len(tasks))
    i = 0
    bar = tqdm(total=n_items, desc=f"generate {split}", disable=not progress, unit="q")
    while len(items) < n_items:
        task = min(tasks, key=lambda t: (per_task[t], tasks.index(t)))
        s = scene_seed(split, seed, i)
        scene, specs = make_scene_items(task, s, cfg)
        specs = specs[:1] + [sp for sp in specs[1:] if per_task.get(sp["task"], quota) < quota]
        video = out / "videos" / f"{split}_{s}_{task}.mp4"
        if not (video.exists() and _frame_count(video) == scene.n_frames):
            write_video(video, render_scene(scene), cfg.fps)
        for j, spec in enumerate(specs[: n_items - len(items)]):
            spec["meta"]["scene_seed"] = s
            if world:
                spec["meta"]["world"] = world
            rec = {"id": f"{split}-{s}-{j}", "video": str(video), "fps": cfg.fps,
                   "duration": round(scene.n_frames / cfg.fps, 4), **spec}
            items.append(validate_record(rec, f"generated scene {s}"))
            per_task[spec["task"]] += 1
            bar.update(1)
        i += 1
    bar.close()
    write_items(out / "items.tmp.jsonl", items, relative_to=out)
    (out / "items.tmp.jsonl").replace(out / "items.jsonl")
    manifest = {"split": split, "seed": seed, "n_items": len(items), "n_videos": i, "world": asdict(cfg),
                "tasks": list(tasks), "per_task": per_task}
    (out / "manifest.json").write_text(json.dumps(manifest, indent=2))
    return items
